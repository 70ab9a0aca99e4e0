"""A cube laid out as the table a researcher expects (pandas' shape, flattened to one header).

- Counts only: one row per index combination, one column per column combination (levels
  joined with `` | ``), ``All`` margins as pandas writes them; the manifest entry says
  ``column_group`` and ``default_role: count``, so the engine reads it back as a crosstab.
- Statistics: an ``n`` block (persons/rows with a value: the units every statistic rests on)
  then one block per statistic; with column variables each block has a column per column
  combination (``mean | F``).  Every statistic column names its ``n`` column as
  ``units_column``, so the table declares its own units and the sidecar proves them.

Without column variables a table is long: the index columns, ``n``, then the statistics -
the shape of ``df.groupby(index)[value].agg([...])``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from egress_review.safe_tables.cube import MAGNITUDE, QUANTILES, TOTAL, Cube

SEP = " | "
# manifest statistic for each aggfunc (the manifest has no separate 'variance': it is
# checked as a dispersion statistic like std)
ROLE_OF = {"mean": "mean", "sum": "sum", "std": "std", "var": "std", "median": "median",
           "p25": "percentile", "p75": "percentile"}


def _label(combo: tuple) -> str:
    return SEP.join(str(x) for x in combo)


def _num(a: np.ndarray) -> list:
    return [None if not np.isfinite(x) else (int(x) if float(x).is_integer() else float(x))
            for x in np.asarray(a, dtype=float)]


def lay_out(cube: Cube, aggfuncs: list[str], *, margins: bool, count_label: str = "count") -> dict:
    """Everything a SafeTable needs: table, roles, per-column units/missing/contributions."""
    R, C = len(cube.row_levels), len(cube.col_levels)
    has_cols = bool(cube.columns)
    col_idx = list(range(C)) if has_cols else [0]
    body: dict[str, list] = {}
    names = cube.index or ["group"]
    for k, name in enumerate(names):
        body[name] = [str(lv[k]) if k < len(lv) else TOTAL for lv in cube.row_levels]
    roles: dict[str, dict] = {name: {"role": "group"} for name in names}
    units: dict[str, list] = {}
    missing: dict[str, list] = {}
    contributions: dict[str, list] = {}
    negative: dict[str, list] = {}
    counts_only = cube.value is None
    default_role = None
    column_group = " × ".join(cube.columns) if has_cols else None

    def colname(block: str | None, j: int) -> str:
        if not has_cols:
            return block or "n"
        lab = _label(cube.col_levels[j])
        return lab if block is None else f"{block}{SEP}{lab}"

    if counts_only:
        for j in col_idx:
            name = colname(None if has_cols else count_label, j)
            body[name] = _num(cube.stats[aggfuncs[0]][:, j])
            units[name] = _num(cube.units[:, j])
            if not has_cols:
                roles[name] = {"role": "count"}
        if has_cols:
            default_role = {"role": "count"}
        statistic = "count"
    else:
        for j in col_idx:
            name = colname("n", j)
            body[name] = _num(cube.units[:, j])
            units[name] = _num(cube.units[:, j])
            missing[name] = _num(cube.missing[:, j])
            roles[name] = {"role": "count"}
        for a in aggfuncs:
            for j in col_idx:
                name = colname(a, j)
                body[name] = list(cube.stats[a][:, j])
                units[name] = _num(cube.units[:, j])
                missing[name] = _num(cube.missing[:, j])
                if a in ("count", "size"):
                    roles[name] = {"role": "count"}
                    continue
                role = {"role": "statistic", "statistic": ROLE_OF[a],
                        "units_column": colname("n", j)}
                if a in ("p25", "p75"):
                    role["percentile"] = QUANTILES[a]
                roles[name] = role
                if a in MAGNITUDE or a in ("std", "var"):
                    contributions[name] = [[float(x) for x in c] for c in cube.contrib[:, j]]
                    negative[name] = [bool(x) for x in cube.negative[:, j]]
        statistic = aggfuncs[0] if len(aggfuncs) == 1 else "+".join(aggfuncs)
    table = pd.DataFrame(body)
    return {"table": table, "statistic": statistic, "roles": roles, "units": units,
            "missing": missing, "contributions": contributions, "negative": negative,
            "column_group": column_group, "default_role": default_role}
