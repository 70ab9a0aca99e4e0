"""E3: percents over a stated N printed too coarsely to fix each count are ranges of counts.

:mod:`share_counts` turns percents into counts only when their printed precision fixes every
count (half the last digit × N under half a person).  A coarser percent - 0.2 % of 3 250 is
4.9 … 8.1 persons - pins nothing alone, but it is still a range: beside an exact total or an
earlier exact release the ranges can force a cell to 1 … threshold − 1, and a range that is
all small by itself (0.1 % of 3 250: 2 to 4 persons) is a small count as printed (round 15).
:func:`views` gives each such column as a count table whose cells carry their ranges
(:mod:`interval_cells` spans, ``how`` "rounded percent"); only :mod:`interval_differencing`
reads them, so the exact cross-table checks never take their midpoints for counts.
"""
from __future__ import annotations

import math

import numpy as np

from egress_review.engine.interval_cells import Span
from egress_review.engine.share_counts import SUFFIX, _base, _is_percent, _places
from egress_review.engine.tables import Table
from egress_review.manifest import ColumnRole


def views(t: Table) -> list[Table]:
    """Count tables of ranges for the coarse percent columns of ``t`` whose base N is known."""
    cached = t._num.get("__share_ranges__")
    if cached is not None:
        return cached
    out: list[Table] = []
    bases: set[str] = set()
    groups = t.group_cols
    if groups and len(t.df):
        body = ~t.total_rows()
        for col in t.columns:
            if col in groups or col in t.count_cols or not _is_percent(t, col):
                continue
            n, base_col = _base(t, col, body)
            places = _places(t.text(col))
            if n is None or places is None:
                continue
            half = 0.5 * 10.0 ** -places
            if half / 100 * n < 0.5:
                continue                      # fixed exactly: share_counts' view
            pct = t.numeric(col)
            keep = ~np.isnan(pct)
            if not keep.any() or (pct[keep] < 0).any() or (pct[keep] > 100).any():
                continue
            out.append(_view(t, col, groups, keep, pct, n, half))
            if base_col:
                bases.add(base_col)
    t._num["__share_ranges__"] = out
    t._num["__share_range_bases__"] = bases
    return out


def base_columns(t: Table) -> set[str]:
    """Columns of ``t`` that only repeat the N of its coarse percents: no count of their row."""
    views(t)
    return t._num.get("__share_range_bases__", set())


def _view(t: Table, col: str, groups: list[str], keep, pct, n: float, half: float) -> Table:
    name = f"{col}{SUFFIX}"
    df = t.df.loc[keep, groups].copy()
    df[name] = [f"{round(p * n / 100):g}" for p in pct[keep]]
    spec = t.spec.model_copy(update={
        "columns": {**{g: ColumnRole(role="group") for g in groups}, name: ColumnRole(role="count")},
        "default_role": None, "column_group": None})
    view = Table(path=t.path, spec=spec, df=df.reset_index(drop=True), sheet=t.sheet,
                 header_line=t.header_line)
    spans = []
    for p in pct[keep]:
        lo = max(0.0, (p - half) * n / 100)
        hi = (p + half) * n / 100
        spans.append(Span(float(math.ceil(lo - 1e-9)), float(math.floor(hi + 1e-9)),
                          f"rounded percent {p:g}% of {n:g}"))
    view._num["__spans__"] = {name: spans}
    return view
