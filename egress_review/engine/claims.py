"""E3: contributions stated in the manifest for a sum or mean without a provenance sidecar.

They are the requester's claim, so they only ever make a verdict stricter: a cell whose stated
contributions break the (n,k) or p% rule blocks, stated contributions that do not fit the table
(wrong number of rows, a total that does not match the published value) go to review, and
contributions that look fine leave the dominance check's own review in place (only sealed
provenance can pass a magnitude cell).
"""
from __future__ import annotations

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "claims"
KINDS = {"table"}


def dominance_breaks(top: list[float], total: float, n: int, k: float, p: float) -> str | None:
    """'nk' / 'p%' when the contributions break that rule, else None."""
    top = sorted((abs(x) for x in top), reverse=True)
    total = abs(total)
    if total <= 0:
        return None
    if sum(top[:n]) / total > k:
        return "nk"
    if len(top) >= 2 and total - top[0] - top[1] < p * top[0]:
        return "p%"
    return None


def _matches(stat: str, shown: float, total: float, units: float | None) -> bool:
    if stat == "sum":
        return np.isclose(shown, total, rtol=1e-3, atol=0.51)
    if units is None or not units > 0:
        return True
    return np.isclose(shown, total / units, rtol=1e-3, atol=0.051)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    prov = ctx.provenance.get(spec.path)
    for col in table.cols_with("statistic"):
        role = table.role(col)
        if role.contributions is None or (prov is not None and col in prov.contributions):
            continue
        shown = table.numeric(col)
        if len(role.contributions) != len(shown):
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"column": col},
                    en=f"{len(role.contributions)} rows of contributions are stated for column "
                       f"{col!r}, which has {len(shown)} rows: they cannot be matched to its cells.",
                    zh=f"欄位 {col!r} 有 {len(shown)} 列，但申請清單列出 {len(role.contributions)} 列"
                       "貢獻值，無法對應。")
            continue
        units = ctx.units(table, col)
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={"column": col},
                en=f"The contributions of column {col!r} are stated in the manifest, not sealed by "
                   "the query broker: they were checked for dominance, and a reviewer confirms them.",
                zh=f"欄位 {col!r} 的貢獻值係申請清單自行列出，未經查詢代理封存：已據以檢查優勢法則，"
                   "並須由審查人確認。")
        for i, row in enumerate(role.contributions):
            if shown[i] != shown[i]:
                continue          # nothing published here
            *top, total = row
            why = dominance_breaks(top, total, pol.nk_rule_n, pol.nk_rule_k, pol.p_percent)
            if why:
                rule_text = (f"the {pol.nk_rule_n} largest make up more than {pol.nk_rule_k:.0%}"
                             if why == "nk" else f"the p% rule ({pol.p_percent:.0%}) fails")
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=f"By the contributions stated in the manifest, {rule_text}: this cell "
                                  "reveals its largest contributor.",
                               zh=f"依申請清單所列貢獻值，{'前 %d 大貢獻者占比超過 %.0f%%' % (pol.nk_rule_n, pol.nk_rule_k * 100) if why == 'nk' else 'p%% 法則不成立'}："
                                  "此格會揭露最大貢獻者。")
            elif not _matches(role.statistic, shown[i], total,
                              None if units is None else units[i]):
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(i, col),
                        en=f"The stated contributions' total ({total:g}) does not give the published "
                           f"{role.statistic} ({shown[i]:g}): the claim does not describe this cell.",
                        zh=f"所列貢獻值總和（{total:g}）與公開的數值（{shown[i]:g}）不符。")
