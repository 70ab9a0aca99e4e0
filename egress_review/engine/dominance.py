"""E3: dominance in magnitude tables (sums, means): the (n,k) rule and the p% rule.

(n,k): the n largest contributors may not make up k or more of a cell's total (at exactly k
the cell already blocks - as ACRO counts it, and on the safe side).
p%: the cell total minus the two largest contributions must be at least p × the largest, or
the second largest contributor could estimate the largest within p%.

Both rules are tested on every cell and each one that holds is its own finding, so a reviewer
sees every reason.  Contributions are the per-person sums (absolute values) recorded by the
query broker's sealed provenance; a kernel's unsealed record is used only to add blocks; with
neither the cell goes to a reviewer.  Where some person's sum is negative, dominance is not
defined on the signed values: the cell is judged on absolute values and also goes to review.
"""
from __future__ import annotations

import math
import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "dominance"
KINDS = {"table"}
MAGNITUDE = {"sum", "mean"}
# Round 8: a sum of money or days declared a count ("total_cost" as a count of 9 800 000) passed
# with no dominance review at all: its header says it adds up amounts, which one institution or
# person can dominate.  Such a column is a magnitude whatever its declared role.
_AMOUNT = re.compile(r"cost|expens|expenditure|amount|\bcharges?\b|payment|paid|reimburs|spend|revenue|"
                     r"\bfees?\b|\bprice|ntd?\$|\bnt\b|\$|\busd\b|\bdollars?\b|"
                     r"bed[\s_-]?days?|patient[\s_-]?days|\blos\b|length[\s_-]?of[\s_-]?stay|\bdoses?\b|"
                     r"\bddds?\b|費用|金額|醫療費|點數|住院日|日數|天數|劑量|[（(]元[)）]", re.I)
_COUNT_WORD = re.compile(r"\bn\b|count|number of (?:patients|persons|people|cases|visits)|patients|persons|"
                         r"人數|人次|件數|例數", re.I)


def breaks(top: list[float], total: float, n: int, k: float, p: float) -> list[str]:
    """Every dominance rule the contributions break: ``'nk'`` and/or ``'p%'``."""
    top = sorted((abs(float(x)) for x in top if x is not None and math.isfinite(float(x))),
                 reverse=True)
    total = abs(float(total)) if total is not None and math.isfinite(float(total)) else 0.0
    if total <= 0:
        return []
    out = []
    if sum(top[:n]) / total >= k:
        out.append("nk")
    if top and total - top[0] - (top[1] if len(top) > 1 else 0.0) < p * top[0]:
        out.append("p%")
    return out


def _msg(why: str, pol, claimed: bool) -> tuple[str, str]:
    src_en = " (by the session's own unsealed record)" if claimed else ""
    src_zh = "（依工作階段自行聲明、未封存的紀錄）" if claimed else ""
    if why == "nk":
        return (f"(n,k) rule: the {pol.nk_rule_n} largest contributors make up {pol.nk_rule_k:.0%} "
                f"or more of this cell{src_en}: the value reveals them.",
                f"(n,k) 法則：前 {pol.nk_rule_n} 大貢獻者占此格 {pol.nk_rule_k:.0%} 以上{src_zh}，數值會揭露其資料。")
    return (f"p% rule: the second largest contributor could estimate the largest within "
            f"{pol.p_percent:.0%}{src_en}.",
            f"p% 法則：第二大貢獻者可將最大貢獻者的數值估計至 {pol.p_percent:.0%} 以內{src_zh}。")


def _amounts_as_counts(ctx: Context, spec: ManifestFile, table) -> None:
    for col in table.cols_with("count", "suppressed"):
        name = str(col)
        if not _AMOUNT.search(name) or _COUNT_WORD.search(name):
            continue
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                location={"column": col, "declared": "count"},
                en=f"Column {col!r} is declared a count but its header names an amount (cost, days, "
                   "doses): it is a sum over units, which one person or institution can dominate, and "
                   "without sealed contributions dominance (n,k and p%) cannot be verified.",
                zh=f"欄位 {col!r} 宣告為計數，但其標題為金額或日數等量值：此為單位的加總，可能由單一個人或"
                   "機構主導；無封存的貢獻值，無法驗證優勢法則（n,k 與 p%）。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    if spec.path not in ctx.provenance:
        _amounts_as_counts(ctx, spec, table)
    prov = ctx.provenance.get(spec.path)
    claim = ctx.unsealed.get(spec.path)
    for col in table.cols_with("statistic"):
        role = table.role(col)
        if role.statistic not in MAGNITUDE:
            continue
        contrib = prov.contributions.get(col) if prov else None
        claimed = False
        if contrib is None or len(contrib) != len(table.df):
            c2 = claim.contributions.get(col) if claim else None
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"column": col},
                    en=f"Magnitude column {col!r} has no sealed contributions: dominance (n,k and "
                       "p%) cannot be verified automatically.",
                    zh=f"量值欄位 {col!r} 沒有封存的貢獻值紀錄，無法自動驗證優勢法則（n,k 與 p%）。")
            if c2 is None or len(c2) != len(table.df) or role.contributions is not None:
                continue           # (stated in the manifest: the claims check judges those)
            contrib, claimed = c2, True
        negative = ((prov or claim).negative.get(col) if (prov or claim) else None) or []
        shown = table.numeric(col)
        for i, c in enumerate(contrib):
            if not c or shown[i] != shown[i]:      # nothing published in this cell
                continue
            *top, total = c
            for why in breaks(top, total, pol.nk_rule_n, pol.nk_rule_k, pol.p_percent):
                en, zh = _msg(why, pol, claimed)
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=en, zh=zh, where={"rule": why})
            if i < len(negative) and negative[i]:
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location={**table.location(i, col), "rule": "negative"},
                        en="Some person's contribution to this cell is negative: dominance is not "
                           "defined on signed values (judged on absolute values); a reviewer "
                           "confirms.",
                        zh="此格有負的貢獻值：優勢法則不適用於帶正負號的數值（以絕對值判斷），須由審查人確認。")
