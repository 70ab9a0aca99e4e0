"""E3: two tables of the request (or one and an earlier release) whose totals differ by a few.

The linked-table differencing compares tables that share a grouping variable.  A probe
released "Total 183" once and later "A 50, B 60, C 70" by another variable: nothing linked
them, yet 183 − 180 = 3 persons are outside A, B and C.  Two count series with no variable in
common still share one margin - the number of units they count - and if they count the same
persons, or one a part of the other, a difference of 1 … ``min_units_per_cell`` − 1 singles
out that many.  Whether they do cannot be read from the files (a population name is the
requester's word), so such a pair goes to a reviewer with both totals and the difference.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.engine.interval_cells import series_declared_rounded
from egress_review.engine.linking import request_items, series_total

from egress_review.engine.linking import event_counts

RULE = "E3"
CHECK = "total_gaps"
MAX_REPORTED = 10


def check_request(ctx: Context) -> None:
    # event counts too (round 14: declared statistic: count, a gap passed)
    items = request_items(ctx, lambda t: bool(t.count_cols or event_counts(t)))
    if sum(1 for _, hist in items if not hist) < 1 or len(items) < 2:
        return
    m = ctx.policy.min_units_per_cell
    comps = ctx.linked(items).components
    # one representative total per linked component (its largest series: the population)
    tops = []
    for comp in comps:
        totals = [(t, s) for s in comp.series if (t := series_total(s, hidden_unknown=True)) is not None]
        if totals:
            t, s = max(totals, key=lambda x: x[0])
            tops.append((t, s, all(x.hist for x in comp.series)))
    reported = 0
    for i, (ta, sa, ha) in enumerate(tops):
        for tb, sb, hb in tops[i + 1:]:
            if (ha and hb) or sa.table is sb.table or reported >= MAX_REPORTED:
                continue
            if series_declared_rounded(sa) or series_declared_rounded(sb):
                continue        # E3 round 15: rounded totals are ranges (interval_differencing)
            gap = abs(ta - tb)
            if 0.5 <= gap < m - 0.5:
                new = sb if ha else sa
                reported += 1
                ctx.add(rule=RULE, check=CHECK, severity="review", file=new.table.path,
                        location={"totals": [sa.label, sb.label], "value": gap},
                        en=f"{sa.label} counts {ta:g} units in all and {sb.label} {tb:g}: if they "
                           f"count the same persons, or one a part of the other, their difference "
                           f"singles out {gap:g} (fewer than {m}). They share no grouping, so the "
                           "reviewer decides.",
                        zh=f"{sa.label} 總數為 {ta:g}，{sb.label} 為 {tb:g}：若兩者計算相同對象或其一為另一者之一部分，"
                           f"其差值可辨識出 {gap:g} 個單位（少於 {m}）。兩表無共同分組，由審查人判斷。")
