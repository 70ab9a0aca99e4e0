"""E3: two tables where one counts a part of the other, compared pair by pair.

The linked-table differencing (:mod:`differencing`) builds one population tree per group of
linked series and solves it.  When a series is nested in several others (every column of a
larger table is larger than it), the tree holds one parent per series and a wrong choice
leaves the true pair unsolved: a three-column table whose every cell was a few below another
table's passed (found by tests/egress_engine/test_inference_property.py).  A reader needs no
tree: they subtract the smaller table from the larger one, cell by cell.  So every pair of
series of different tables that is nested on its common margins (one ≤ the other everywhere)
is subtracted here (the same column of both, or any column against a one-series table), and
a difference of 1 … ``min_units_per_cell`` − 1 goes to a reviewer
with the pair and the cell; whether the two really count nested populations cannot be read
from the files.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.engine.interval_cells import series_declared_rounded
from egress_review.engine.linking import (Series, _margins, banded_dims, norm, relation,
                                          request_items)

from egress_review.engine.linking import event_counts

RULE = "E3"
CHECK = "nested_pairs"
MAX_REPORTED = 10


def check_request(ctx: Context) -> None:
    # event counts too (round 14: declared statistic: count, a gap passed)
    items = request_items(ctx, lambda t: bool(t.count_cols or event_counts(t)))
    if len(items) < 2 or not any(not hist for _, hist in items):
        return
    m = ctx.policy.min_units_per_cell
    series = ctx.linked(items).series
    banded = banded_dims(series)
    counts: dict[int, int] = {}
    for x in series:
        counts[id(x.table)] = counts.get(id(x.table), 0) + 1
    reported: set[tuple[str, str]] = set()
    for i, a in enumerate(series):
        for b in series[i + 1:]:
            if a.table is b.table or (a.hist and b.hist) or len(reported) >= MAX_REPORTED:
                continue
            if not _paired(a, b, counts):
                continue
            if series_declared_rounded(a) or series_declared_rounded(b):
                continue        # E3 round 15: rounded counts are ranges (interval_differencing)
            common = set(a.dims) & set(b.dims)
            if not common:
                continue
            r = relation(a, b, banded)
            if r not in ("a<b", "b<a"):
                continue
            small, big = (a, b) if r == "a<b" else (b, a)
            ms, mb = _margins(small, common, banded), _margins(big, common, banded)
            gaps = [(k, mb[k] - ms[k]) for k in ms if k in mb and 0.5 <= mb[k] - ms[k] < m - 0.5]
            if not gaps or (small.label, big.label) in reported:
                continue
            reported.add((small.label, big.label))
            key, gap = gaps[0]
            where = ", ".join(f"{d}={v}" for d, v in sorted(key)) or "total"
            new = small if not small.hist else big
            ctx.add(rule=RULE, check=CHECK, severity="review", file=new.table.path,
                    location={"pair": [small.label, big.label], "cell": where, "value": gap,
                              "cells": len(gaps)},
                    en=f"{small.label} is at most {big.label} in every cell they share: if it counts a "
                       f"part of the same persons, subtracting gives {gap:g} at {where} (fewer than "
                       f"{m}; {len(gaps)} such cell(s)). The reviewer decides whether they are nested.",
                    zh=f"{small.label} 在所有共同儲存格皆不大於 {big.label}：若其為同一母體之一部分，相減可得 "
                       f"{where} 為 {gap:g}（少於 {m}；共 {len(gaps)} 格）。由審查人判斷兩者是否為巢狀關係。")


def _paired(a: Series, b: Series, counts: dict[int, int]) -> bool:
    """Would a reader subtract these two?  The same column (by name) of two tables, a table of
    one count series against any series, or two crosstabs' column blocks (one series each).
    Different columns of two many-column tables are not paired: nearly any two such tables
    hold one column a little below another somewhere, and each pair would go to a reviewer."""
    col_a, col_b = norm(a.label.split(":", 1)[1]), norm(b.label.split(":", 1)[1])
    return col_a == col_b or counts[id(a.table)] == 1 or counts[id(b.table)] == 1
