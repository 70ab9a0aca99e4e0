"""The aggregation behind every helper: a full cartesian cube of cells with their true units.

Run in the kernel (on a DataFrame) or by the query broker (on the case's data, outside the
sandbox) - the same code, so a broker-made table and a kernel-made one of the same data agree
exactly.

For ``index`` and ``columns`` variables (each a list of column names), every combination of
their observed levels is a cell - combinations that never occur are cells too, with zero
units, so their zeros are shown and checked.  With ``margins``, an ``All`` row (over all index
levels), an ``All`` column (over all column levels) and the grand total are cells as in pandas.

Per cell and statistic:

- ``units``: distinct persons with a non-missing value (rows with one, when there is no person
  column); for a plain count, the persons/rows in the cell;
- ``missing``: persons/rows of the cell without a value for the statistic (NaN or ±inf);
- ``contrib``: ``[top1, top2, top3, total]`` of the absolute per-unit sums (dominance, E3) and
  ``negative``: some unit's sum is negative (dominance is then not defined).

Rows whose grouping value is missing are in no cell (pandas drops them too).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

TOTAL = "All"
STATISTICS = ("count", "size", "mean", "sum", "std", "var", "median", "p25", "p75")
QUANTILES = {"median": 0.5, "p25": 0.25, "p75": 0.75}
MAGNITUDE = ("mean", "sum")


class HelperError(ValueError):
    """A helper was called with arguments it cannot turn into a checked table."""


@dataclass
class Cube:
    index: list[str]
    columns: list[str]
    row_levels: list[tuple]              # index combinations (+ ('All',...) with margins)
    col_levels: list[tuple]              # column combinations (+ ('All',...) with margins)
    value: str | None
    unit: str | None
    stats: dict[str, np.ndarray] = field(default_factory=dict)   # name -> (R, C)
    units: np.ndarray | None = None      # (R, C) persons/rows with a value
    rows: np.ndarray | None = None       # (R, C) rows in the cell (any value)
    missing: np.ndarray | None = None    # (R, C) persons/rows without a value
    contrib: np.ndarray | None = None    # (R, C, 4)
    negative: np.ndarray | None = None   # (R, C) bool


def _levels(s: pd.Series) -> list:
    vals = s.dropna().unique()
    try:
        return sorted(vals)
    except TypeError:                                 # mixed types: order by their text
        return sorted(vals, key=str)


def _codes(df: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, list[tuple], np.ndarray]:
    """Combination code per row over the full cartesian product; rows with a missing key: -1."""
    if not names:
        return np.zeros(len(df), dtype=np.int64), [()], np.ones(len(df), dtype=bool)
    code = np.zeros(len(df), dtype=np.int64)
    ok = np.ones(len(df), dtype=bool)
    levels = []
    for name in names:
        s = df[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            lv = list(s.cat.categories)                  # declared levels, observed or not
            c = s.cat.codes.to_numpy().astype(np.int64)
        else:
            try:
                c, uniq = pd.factorize(s, sort=True, use_na_sentinel=True)
                lv = list(uniq)
            except TypeError:                            # mixed types: order by their text
                lv = _levels(s)
                c = pd.Categorical(s, categories=lv).codes
            c = np.asarray(c, dtype=np.int64)
        levels.append(lv)
        ok &= c >= 0
        code = code * max(len(lv), 1) + np.maximum(c, 0)
    combos = [tuple(t) for t in pd.MultiIndex.from_product(levels).to_flat_index()] \
        if all(levels) else []
    return np.where(ok, code, -1), combos, ok


def _finite(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v)


def _group_stats(gid: np.ndarray, G: int, value: np.ndarray | None, unit: np.ndarray | None,
                 want: Sequence[str]) -> dict[str, np.ndarray]:
    """Statistics per group id 0..G-1 (rows with gid < 0 excluded)."""
    keep = gid >= 0
    g = gid[keep]
    out: dict[str, np.ndarray] = {"rows": np.bincount(g, minlength=G).astype(float)}
    has = np.ones(len(g), dtype=bool) if value is None else _finite(value[keep])
    if unit is not None:
        u = unit[keep]
        both = pd.DataFrame({"g": g, "u": u})
        out["persons"] = _nunique(both, G)
        out["units"] = _nunique(both[has], G) if value is not None else out["persons"]
    else:
        out["persons"] = out["rows"]
        out["units"] = np.bincount(g[has], minlength=G).astype(float)
    out["missing"] = out["persons"] - out["units"]
    if value is None:
        return out
    v = value[keep][has]
    gv = g[has]
    s = pd.Series(v).groupby(gv)
    idx = np.arange(G)
    for name in want:
        if name in ("count", "size"):
            out[name] = (np.bincount(gv, minlength=G).astype(float) if name == "count"
                         else out["rows"])
        elif name == "mean":
            out[name] = s.mean().reindex(idx).to_numpy(dtype=float)
        elif name == "sum":
            out[name] = np.bincount(gv, weights=v, minlength=G).astype(float)
        elif name == "std":
            out[name] = s.std(ddof=1).reindex(idx).to_numpy(dtype=float)
        elif name == "var":
            out[name] = s.var(ddof=1).reindex(idx).to_numpy(dtype=float)
        elif name in QUANTILES:
            out[name] = s.quantile(QUANTILES[name]).reindex(idx).to_numpy(dtype=float)
    # contributions: per-unit sums (per row when there is no person column)
    if unit is not None:
        per = pd.DataFrame({"g": gv, "u": unit[keep][has], "v": v}).groupby(
            ["g", "u"], sort=False, observed=True)["v"].sum()
        pg, pv = per.index.get_level_values(0).to_numpy(), per.to_numpy(dtype=float)
    else:
        pg, pv = gv, v
    out["negative"] = np.bincount(pg, weights=(pv < 0).astype(float), minlength=G) > 0
    out["contrib"] = _top3(pg, np.abs(pv), G)
    return out


def _nunique(frame: pd.DataFrame, G: int) -> np.ndarray:
    if not len(frame):
        return np.zeros(G)
    n = frame.drop_duplicates().groupby("g").size()
    return n.reindex(np.arange(G), fill_value=0).to_numpy(dtype=float)


def _top3(g: np.ndarray, v: np.ndarray, G: int) -> np.ndarray:
    out = np.zeros((G, 4))
    out[:, 3] = np.bincount(g, weights=v, minlength=G)
    if not len(g):
        return out
    order = np.lexsort((-v, g))
    gs, vs = g[order], v[order]
    start = np.r_[0, np.flatnonzero(np.diff(gs)) + 1]
    rank = np.arange(len(gs)) - np.repeat(start, np.diff(np.r_[start, len(gs)]))
    for k in range(3):
        sel = rank == k
        out[gs[sel], k] = vs[sel]
    return out


def build_cube(df: pd.DataFrame, index: Sequence[str], columns: Sequence[str] = (), *,
               value: str | None = None, aggfuncs: Sequence[str] = ("count",),
               unit: str | None = None, margins: bool = False,
               count_persons: bool = True) -> Cube:
    index, columns = list(index), list(columns)
    for name in [*index, *columns, *([value] if value else []), *([unit] if unit else [])]:
        if name not in df.columns:
            raise HelperError(f"no column {name!r} in the data (columns: {list(df.columns)})")
    for a in aggfuncs:
        if a not in STATISTICS:
            raise HelperError(f"aggfunc {a!r} is not offered: one of {', '.join(STATISTICS)} "
                              "(min/max are one person's value, E2)")
    if value is None and any(a not in ("count", "size") for a in aggfuncs):
        raise HelperError("a statistic other than a count needs 'values'")
    vals = None
    if value is not None:
        vals = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float)
    units = None
    if unit is not None:
        units = pd.factorize(df[unit], use_na_sentinel=True)[0]
        units = np.where(units < 0, -1 - np.arange(len(units)), units)  # missing id: its own
    rcode, rlev, rok = _codes(df, index)
    ccode, clev, cok = _codes(df, columns)
    R, C = len(rlev), len(clev)
    ok = rok & cok
    cube = Cube(index=index, columns=columns, row_levels=list(rlev), col_levels=list(clev),
                value=value, unit=unit)
    blocks = [(np.where(ok, rcode * C + ccode, -1), R, C)]
    if margins:
        blocks.append((np.where(ok, rcode, -1), R, 1))        # All column
        blocks.append((np.where(ok, ccode, -1), 1, C))        # All row
        blocks.append((np.where(ok, 0, -1), 1, 1))            # grand total
    parts = [_group_stats(gid, r * c, vals, units, aggfuncs) for gid, r, c in blocks]
    r_all, c_all = R + margins, C + margins

    def assemble(key: str, width: int = 0) -> np.ndarray:
        shape = (r_all, c_all) + ((width,) if width else ())
        out = np.zeros(shape)
        out[:R, :C] = parts[0][key].reshape((R, C) + ((width,) if width else ()))
        if margins:
            out[:R, C] = parts[1][key].reshape((R,) + ((width,) if width else ()))
            out[R, :C] = parts[2][key].reshape((C,) + ((width,) if width else ()))
            out[R, C] = parts[3][key].reshape(((width,) if width else ()))
        return out

    if margins:
        cube.row_levels.append(tuple(TOTAL for _ in index) or (TOTAL,))
        cube.col_levels.append(tuple(TOTAL for _ in columns) or (TOTAL,))
    cube.units, cube.rows, cube.missing = assemble("units"), assemble("rows"), assemble("missing")
    for a in aggfuncs:
        cube.stats[a] = assemble(a if (a in parts[0]) else "rows")
        if a == "count" and value is None:
            cube.stats[a] = assemble("persons") if (unit is not None and count_persons) \
                else assemble("rows")
    if value is not None:
        for a in aggfuncs:      # a statistic of nobody is not a number (a sum of nobody is not 0)
            if a not in ("count", "size"):
                cube.stats[a] = np.where(cube.units > 0, cube.stats[a], np.nan)
        cube.contrib = assemble("contrib", 4)
        cube.negative = assemble("negative").astype(bool)
    return cube
