"""E3: a declared table of percents over a stated N is the counts it stands for.

A release of ``region, pct, N`` (27.0 %, 32.4 %, 40.5 % of 185) gives 50, 60 and 75 persons
as surely as a count table; a later table of counts (50, 60, 70) differs from it by 5 in one
cell.  Before round 12 the differencing checks linked count columns only, so the same data in
another unit (percents with their n, then counts, or counts then percents) was never set
against the other release.  :func:`views` turns each percent column of a declared table whose
base N is known into a count table (group columns + ``<column> × N``) that the request-wide
checks link like any other; the text tables of released files get the same from
``unit_tables._derived_counts``.

The base is the percent's declared ``denominator_column``/``units_column``, a count column
holding one value on every row (the N repeated), or an ``N = …`` in the column's header or the
table's description.  A view is made only when the printed precision fixes every count
(half the last digit of the percent × N under half a person): a coarser percent pins nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from egress_review.engine.paper_cells import header_n
from egress_review.engine.tables import Table
from egress_review.engine.unit_tables import PERCENT_WORDS
from egress_review.manifest import ColumnRole

SUFFIX = " × N"


def _is_percent(t: Table, col: str) -> bool:
    role = t.role(col)
    if role is None or role.role not in ("statistic", "estimate"):
        return False
    return role.statistic == "percent" or (role.statistic is None and bool(PERCENT_WORDS.search(col)))


def _constant(t: Table, col: str, body: np.ndarray) -> float | None:
    v = t.numeric(col)[body]
    v = v[~np.isnan(v)]
    if len(v) >= 2 and (v == v[0]).all() and v[0] >= 1:
        return float(v[0])
    return None


def _base(t: Table, col: str, body: np.ndarray) -> tuple[float | None, str | None]:
    """The N the percents in ``col`` are shares of, when the table states one, and the column
    that states it (None: a header or the description)."""
    role = t.role(col)
    for ref in (role.denominator_column, role.units_column):
        if ref and ref in t.columns:
            return _constant(t, ref, body), ref
    constants = {c: n for c in t.count_cols if (n := _constant(t, c, body)) is not None}
    if len(set(constants.values())) == 1:
        return next(iter(constants.values())), next(iter(constants))
    for text in (col, t.spec.description):
        n = header_n(text)
        if n is not None and n >= 1:
            return float(n), None
    return None, None


def _places(texts: pd.Series) -> int | None:
    """Decimal places printed (the most any cell shows); None if a cell is not a number."""
    places = 0
    for s in texts:
        s = str(s).strip().rstrip("%％").strip()
        if not s:
            continue
        try:
            float(s.replace(",", ""))
        except ValueError:
            return None
        places = max(places, len(s.split(".", 1)[1]) if "." in s else 0)
    return places


def views(t: Table) -> list[Table]:
    """Count tables (share × N) for the percent columns of ``t`` whose base N is known."""
    return split(t)[1]


def split(t: Table) -> tuple[list[str], list[Table]]:
    """The columns that only repeat the N of ``t``'s percents (each row's "cell" there is the
    whole, no count of its row: a released table is linked without them), and the count tables
    (share × N) for the percent columns whose base N is known."""
    groups = t.group_cols
    if not groups or not len(t.df):
        return [], []
    body = ~t.total_rows()
    out, bases = [], []
    for col in t.columns:
        if col in groups or col in t.count_cols or not _is_percent(t, col):
            continue
        n, base_col = _base(t, col, body)
        places = _places(t.text(col))
        if n is None or places is None or 0.5 * 10.0 ** -places / 100 * n >= 0.5:
            continue
        pct = t.numeric(col)
        keep = ~np.isnan(pct)
        if not keep.any() or (pct[keep] < 0).any() or (pct[keep] > 100).any():
            continue
        name = f"{col}{SUFFIX}"
        df = t.df.loc[keep, groups].copy()
        df[name] = [f"{round(p * n / 100):g}" for p in pct[keep]]
        spec = t.spec.model_copy(update={
            "columns": {**{g: ColumnRole(role="group") for g in groups}, name: ColumnRole(role="count")},
            "default_role": None, "column_group": None})
        out.append(Table(path=t.path, spec=spec, df=df.reset_index(drop=True), sheet=t.sheet,
                         header_line=t.header_line))
        if base_col is not None and base_col in t.count_cols:
            bases.append(base_col)
    return list(dict.fromkeys(bases)), out
