"""The helpers themselves: count, crosstab, pivot, mean, rate, describe."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from egress_review.safe_tables.provenance import (FORMAT, VERSION, file_sha256, seal, session_key,
                                                  sidecar_path)

TOTAL = "All"


@dataclass
class SafeTable:
    table: pd.DataFrame
    statistic: str
    roles: dict[str, dict]                       # column -> manifest ColumnRole dict
    units: dict[str, list[int]]                  # column -> distinct units per row
    contributions: dict[str, list[list[float]]] = field(default_factory=dict)
    column_group: str | None = None
    default_role: dict | None = None
    decimals: int = 2

    def save(self, path: str | Path, *, key: bytes | None = None) -> Path:
        """Write ``path`` (CSV) and its sealed provenance sidecar; returns the sidecar path."""
        key = key if key is not None else session_key()
        if key is None:
            raise RuntimeError("no provenance key in this session (ENCLAVE_PROVENANCE_KEY[_FILE])")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(path, index=False, float_format=f"%.{self.decimals}f")
        written = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        body = {
            "format": FORMAT, "version": VERSION, "table_file": path.name,
            "table_sha256": file_sha256(path), "statistic": self.statistic,
            "units": {c: [int(u) for u in v] for c, v in self.units.items()},
            "contributions": {c: [[float(x) for x in row] for row in v]
                              for c, v in self.contributions.items()},
            "cells": {str(c): written[c].tolist() for c in written.columns},
        }
        side = sidecar_path(path)
        side.write_text(__import__("json").dumps(seal(body, key), ensure_ascii=False),
                        encoding="utf-8")
        return side

    def apply_suppression(self, cells: Sequence[dict]) -> "SafeTable":
        """Blank the cells the engine suggested (``{"row": 1-based, "column": name}``) and
        declare their columns ``suppressed``; provenance keeps the true units, so the engine
        can audit what an attacker could still derive."""
        table = self.table.copy()
        hit = set()
        for c in cells:
            row, col = int(c["row"]) - 1, str(c["column"])
            if col not in table.columns or not 0 <= row < len(table):
                raise ValueError(f"no cell at row {c['row']}, column {col!r}")
            table[col] = table[col].astype(object)
            table.iat[row, table.columns.get_loc(col)] = ""
            hit.add(col)
        roles = {k: dict(v) for k, v in self.roles.items()}
        for col in hit:
            if col in roles:
                roles[col]["role"] = "suppressed"
            else:
                roles[col] = {"role": "suppressed"}
        return SafeTable(table, self.statistic, roles, self.units, self.contributions,
                         self.column_group, self.default_role, self.decimals)

    def manifest_entry(self, path: str, description: str, **extra: Any) -> dict:
        entry: dict[str, Any] = {"path": path, "kind": "table", "description": description,
                                 "columns": self.roles,
                                 "provenance": f"{path}.provenance.json"}
        if self.column_group:
            entry["column_group"] = self.column_group
        if self.default_role:
            entry["default_role"] = self.default_role
        entry.update(extra)
        return entry


def _as_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _units(df: pd.DataFrame, by: list[str], unit: str | None) -> pd.Series:
    g = df.groupby(by, observed=True, sort=True)
    return g[unit].nunique() if unit else g.size()


def count(df: pd.DataFrame, by: str | Sequence[str], *, unit: str | None = None,
          margins: bool = True, name: str = "n") -> SafeTable:
    """Distinct units (or rows when ``unit`` is None) per group, with a total row."""
    by = _as_list(by)
    u = _units(df, by, unit).rename(name).reset_index()
    for b in by:
        u[b] = u[b].astype(str)
    if margins:
        tot = df[unit].nunique() if unit else len(df)
        u = pd.concat([u, pd.DataFrame([{**{b: TOTAL for b in by}, name: tot}])], ignore_index=True)
    roles = {b: {"role": "group"} for b in by} | {name: {"role": "count"}}
    return SafeTable(u, "count", roles, {name: u[name].tolist()})


def crosstab(df: pd.DataFrame, index: str, columns: str, *, unit: str | None = None,
             margins: bool = True) -> SafeTable:
    """Units per (index, columns) cell as a wide table; margins are distinct units too."""
    if unit is None:
        ri, rcat = pd.factorize(df[index], sort=True)
        ci, ccat = pd.factorize(df[columns], sort=True)
        grid = np.bincount(ri * len(ccat) + ci, minlength=len(rcat) * len(ccat)).reshape(len(rcat), len(ccat))
        wide = pd.DataFrame(grid, index=[str(x) for x in rcat], columns=[str(x) for x in ccat])
        if margins:
            wide[TOTAL] = grid.sum(axis=1)
            wide.loc[TOTAL] = list(grid.sum(axis=0)) + [int(grid.sum())]
    else:
        wide = df.groupby([index, columns], observed=True)[unit].nunique().unstack(fill_value=0)
        wide.index = [str(x) for x in wide.index]
        wide.columns = [str(x) for x in wide.columns]
        if margins:
            wide[TOTAL] = df.groupby(index, observed=True)[unit].nunique().to_numpy()
            wide.loc[TOTAL] = list(df.groupby(columns, observed=True)[unit].nunique()) + [df[unit].nunique()]
    wide = wide.astype(int)
    wide.index.name = index
    out = wide.reset_index()
    units = {c: out[c].tolist() for c in out.columns if c != index}
    return SafeTable(out, "count", {index: {"role": "group"}}, units, column_group=columns,
                     default_role={"role": "count"})


def _contrib(df: pd.DataFrame, by: list[str], value: str, unit: str | None) -> pd.Series:
    """Per cell: [top1, top2, top3, total] of the per-unit sums of ``value``."""
    per = df.groupby(by + [unit], observed=True)[value].sum() if unit else df.set_index(by)[value]

    def top(s):
        v = np.sort(np.abs(s.to_numpy(dtype=float)))[::-1]
        v = np.concatenate([v[:3], np.zeros(max(0, 3 - len(v)))])
        return [float(v[0]), float(v[1]), float(v[2]), float(np.abs(s).sum())]

    return per.groupby(level=list(range(len(by))), observed=True).apply(top)


def mean(df: pd.DataFrame, by: str | Sequence[str], value: str, *, unit: str | None = None,
         statistic: str = "mean") -> SafeTable:
    """Mean (or sum) of ``value`` per group with its units and contributions."""
    by = _as_list(by)
    g = df.groupby(by, observed=True, sort=True)
    stat = g[value].mean() if statistic == "mean" else g[value].sum()
    out = pd.DataFrame({"n": _units(df, by, unit), statistic: stat}).reset_index()
    for b in by:
        out[b] = out[b].astype(str)
    contrib = _contrib(df, by, value, unit)
    roles = {b: {"role": "group"} for b in by} | {
        "n": {"role": "count"},
        statistic: {"role": "statistic", "statistic": statistic, "units_column": "n"}}
    n = out["n"].tolist()
    return SafeTable(out, statistic, roles, {"n": n, statistic: n},
                     contributions={statistic: [list(c) for c in contrib.tolist()]})


def pivot(df: pd.DataFrame, index: str, columns: str, value: str, *, unit: str | None = None,
          aggfunc: str = "mean") -> SafeTable:
    """A long (index, columns) table of a statistic; wide pivots lose the units per cell."""
    if aggfunc not in ("mean", "sum", "median"):
        raise ValueError("aggfunc must be mean, sum or median (extremes are single persons' values, E2)")
    if aggfunc == "median":
        by = [index, columns]
        g = df.groupby(by, observed=True, sort=True)
        out = pd.DataFrame({"n": _units(df, by, unit), "median": g[value].median()}).reset_index()
        for b in by:
            out[b] = out[b].astype(str)
        roles = {index: {"role": "group"}, columns: {"role": "group"}, "n": {"role": "count"},
                 "median": {"role": "statistic", "statistic": "median", "units_column": "n"}}
        n = out["n"].tolist()
        return SafeTable(out, "median", roles, {"n": n, "median": n})
    return mean(df, [index, columns], value, unit=unit, statistic=aggfunc)


def rate(df: pd.DataFrame, by: str | Sequence[str], event: str, *, unit: str | None = None,
         per: float = 100.0) -> SafeTable:
    """Units with ``event`` true over units in the group (percent by default)."""
    by = _as_list(by)
    den = _units(df, by, unit)
    num = _units(df[df[event].astype(bool)], by, unit).reindex(den.index, fill_value=0)
    out = pd.DataFrame({"n_event": num, "n": den, "rate": num / den * per}).reset_index()
    for b in by:
        out[b] = out[b].astype(str)
    roles = {b: {"role": "group"} for b in by} | {
        "n_event": {"role": "count"}, "n": {"role": "count"},
        "rate": {"role": "statistic", "statistic": "percent" if per == 100 else "rate",
                 "units_column": "n_event", "denominator_column": "n"}}
    return SafeTable(out, "rate", roles, {"n_event": out["n_event"].tolist(), "n": out["n"].tolist(),
                                          "rate": out["n_event"].tolist()})


def describe(df: pd.DataFrame, value: str, *, by: str | Sequence[str] | None = None,
             unit: str | None = None) -> SafeTable:
    """n, mean, std and quartiles (no min/max) of ``value``, overall or per group."""
    by = _as_list(by) if by else []
    frame = df.assign(_all=TOTAL) if not by else df
    keys = by or ["_all"]
    g = frame.groupby(keys, observed=True, sort=True)[value]
    out = pd.DataFrame({"n": _units(frame, keys, unit), "mean": g.mean(), "std": g.std(),
                        "p25": g.quantile(0.25), "median": g.median(), "p75": g.quantile(0.75)})
    out = out.reset_index().rename(columns={"_all": "group"})
    keys = by or ["group"]
    for b in keys:
        out[b] = out[b].astype(str)
    roles = {b: {"role": "group"} for b in keys} | {"n": {"role": "count"}}
    for c, st, p in (("mean", "mean", None), ("std", "std", None), ("p25", "percentile", 0.25),
                     ("median", "median", None), ("p75", "percentile", 0.75)):
        roles[c] = {"role": "statistic", "statistic": st, "units_column": "n"}
        if p is not None:
            roles[c]["percentile"] = p
    n = out["n"].tolist()
    contrib = _contrib(frame, keys if by else ["_all"], value, unit)
    return SafeTable(out, "describe", roles, {c: n for c in ["n", "mean", "std", "p25", "median", "p75"]},
                     contributions={"mean": [list(c) for c in contrib.tolist()]})
