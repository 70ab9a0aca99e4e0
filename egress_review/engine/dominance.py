"""E3: dominance in magnitude tables (sums, means): the (n,k) rule and the p% rule.

(n,k): the n largest contributors may not make up more than k of a cell's total.
p%: the cell total minus the two largest contributions must be at least p × the largest, or
the second largest contributor could estimate the largest within p%.  Both need the
contributions, which the session's table helpers record as provenance; without them the
cell goes to a reviewer.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "dominance"
KINDS = {"table"}
MAGNITUDE = {"sum", "mean"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    prov = ctx.provenance.get(spec.path)
    for col in table.cols_with("statistic"):
        role = table.role(col)
        if role.statistic not in MAGNITUDE:
            continue
        contrib = prov.contributions.get(col) if prov else None
        if contrib is None or len(contrib) != len(table.df):
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"column": col},
                    en=f"Magnitude column {col!r} has no recorded contributions: dominance (n,k and "
                       "p%) cannot be verified automatically.",
                    zh=f"量值欄位 {col!r} 沒有貢獻值紀錄，無法自動驗證優勢法則（n,k 與 p%）。")
            continue
        shown = table.numeric(col)
        for i, c in enumerate(contrib):
            if not c or shown[i] != shown[i]:      # nothing published in this cell
                continue
            *top, total = c
            top = sorted((abs(x) for x in top), reverse=True)
            total = abs(total)
            if total <= 0:
                continue
            share = sum(top[:pol.nk_rule_n]) / total
            if share > pol.nk_rule_k:
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location=table.location(i, col),
                        en=f"The {pol.nk_rule_n} largest contributors make up {share:.0%} of this cell "
                           f"(limit {pol.nk_rule_k:.0%}): the value reveals them.",
                        zh=f"前 {pol.nk_rule_n} 大貢獻者占此格 {share:.0%}（上限 {pol.nk_rule_k:.0%}），"
                           "數值會揭露其資料。",
                        suggested=[{"row": i + 1, "column": col, "action": "suppress"}])
                continue
            if len(top) >= 2:
                rest = total - top[0] - top[1]
                if rest < pol.p_percent * top[0]:
                    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                            location=table.location(i, col),
                            en=f"p% rule: the second largest contributor could estimate the largest "
                               f"within {pol.p_percent:.0%}.",
                            zh=f"p% 法則：第二大貢獻者可將最大貢獻者的數值估計至 {pol.p_percent:.0%} 以內。",
                            suggested=[{"row": i + 1, "column": col, "action": "suppress"}])
