"""pandas' ``normalize=`` and ``fill_value=`` for the helpers, with what the engine needs to
check them.

``normalize`` turns a table of counts into proportions as pandas does (``"all"``/``True``: of
the grand total; ``"index"``: of each row's total, and the ``All`` column dropped;
``"columns"``: of each column's total, the ``All`` row dropped).  Every proportion keeps its
numerator (the cell's persons or rows) as its units and its denominator in the sidecar
(``denominators``), so the engine checks both against the threshold as for any percentage.
Totals are the cube's margins, so with ``unit=`` a share is of the distinct persons of the
line (shares of a line can then add up to more than one).

``fill_value`` writes a number in the statistic cells of an empty group (no person with a
value), as pandas' ``pivot_table`` does; the spec records it, so the engine reads such a cell
as the empty cell it is (a reviewer judges it, as a blank one).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from egress_review.safe_tables.cube import TOTAL, HelperError

# (True == 1 in a dict: booleans are looked up apart)
NORMALIZE = {"all": "all", "index": "index", 0: "index", "columns": "columns", 1: "columns"}


def normalize_how(value) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return "all"
    if isinstance(value, (str, int)) and value in NORMALIZE:
        return NORMALIZE[value]
    raise HelperError("normalize: True/'all', 'index' (0) or 'columns' (1), as in pandas")


def _total_columns(parts: dict, groups: list[str]) -> list[str]:
    return [c for c in parts["table"].columns if c not in groups
            and all(p == TOTAL for p in str(c).split(" | "))]


def normalized(parts: dict, how: str, margins: bool) -> dict:
    """The parts of a counts table (built with margins) as proportions, with denominators."""
    table: pd.DataFrame = parts["table"]
    groups = [c for c, r in parts["roles"].items() if r.get("role") == "group"]
    values = [c for c in table.columns if c not in groups]
    total_rows = table[groups].astype(str).eq(TOTAL).all(axis=1).to_numpy() if groups \
        else np.zeros(len(table), dtype=bool)
    total_cols = _total_columns(parts, groups)
    one_way = not total_cols and len(values) == 1        # value_counts: shares of the total
    if total_rows.sum() != 1 or (len(total_cols) != 1 and not one_way) \
            or (one_way and how != "all"):
        raise HelperError("normalize needs the totals it divides by: variables in the rows and "
                          "columns (a one-way table: shares of the total only)")
    x = table[values].to_numpy(dtype=float)
    r_all = int(np.flatnonzero(total_rows)[0])
    c_all = values.index(total_cols[0]) if total_cols else 0
    if how == "all":
        den = np.full_like(x, x[r_all, c_all])
    elif how == "index":
        den = np.repeat(x[:, [c_all]], x.shape[1], axis=1)
    else:
        den = np.repeat(x[[r_all], :], x.shape[0], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, x / np.where(den > 0, den, 1), np.nan)
    keep_rows = np.ones(len(table), dtype=bool)
    keep_cols = list(values)
    if not margins or how == "columns":
        keep_rows[r_all] = False
    if (not margins or how == "index") and total_cols:
        keep_cols.remove(total_cols[0])
    out = table.loc[keep_rows, groups].reset_index(drop=True)
    units, dens = {}, {}
    for c in keep_cols:
        j = values.index(c)
        out[c] = share[keep_rows, j]
        units[c] = [int(v) for v in x[keep_rows, j]]
        dens[c] = [int(v) for v in den[keep_rows, j]]
    roles = {g: {"role": "group"} for g in groups}
    stat = {"role": "statistic", "statistic": "percent"}
    default_role = None
    if parts.get("column_group"):
        default_role = stat
    else:
        roles.update({c: dict(stat) for c in keep_cols})
    return {**parts, "table": out, "roles": roles, "units": units, "missing": {},
            "statistic": "proportion", "default_role": default_role, "denominators": dens}


def filled(parts: dict, value: float) -> dict:
    """Statistic cells of empty groups (no unit with a value) show ``value``."""
    table = parts["table"].copy()
    for c, r in parts["roles"].items():
        if r.get("role") != "statistic" or c not in parts["units"]:
            continue
        empty = (np.asarray([u or 0 for u in parts["units"][c]]) == 0) \
            & table[c].astype(float).isna().to_numpy()
        if empty.any():
            table[c] = np.where(empty, value, table[c].astype(float))
    return {**parts, "table": table}
