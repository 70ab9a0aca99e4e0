"""E6: no special symbols or placeholders where a count or statistic is due.

"<5", "≤5", "*", "-", "[REDACTED]", "NA", a blank count ... all tell a reader that the cell is
small (a non-exportable number made exportable by marking it).  Blanks are accepted only in a
column declared ``suppressed`` (and in a statistic whose units cell is such a blank); those are
then checked by the secondary-suppression and differencing rules instead.
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E6"
CHECK = "symbols"
KINDS = {"table"}


SHARE_EN = ("A share (percent) with no count beside it and no total (N) stated anywhere: shares "
            "without a base cannot be checked, since a small count hides in them (0.6% of 540 is "
            "3 persons). Give the counts, or the n the shares are of.")
SHARE_ZH = ("百分比旁無人數，全表亦未註明總數（N）：沒有基數的比例無法檢查，小格數可能藏於其中"
            "（540 人的 0.6% 即 3 人）。請提供人數，或註明比例所依據的總數 n。")


def _share_without_base(table, col: str, i: int) -> bool:
    """The blank is the missing base of a percent or rate on its row (a found percent-only
    table's N column, or a count column a filled share stands on): its reason is the base,
    not a blank count."""
    for other in table.columns:
        r = table.role(other)
        if other == col or r is None or r.role != "statistic" or r.statistic not in ("percent", "rate"):
            continue
        if r.units_column not in (None, col) and r.denominator_column != col:
            continue
        v = table.numeric(other)
        if v[i] == v[i]:
            return True
    return False


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pats = [re.compile(p, re.IGNORECASE) for p in ctx.policy.placeholder_patterns]
    value_cols = table.cols_with("count", "statistic", "suppressed")
    for col in value_cols:
        role = table.role(col)
        nums = table.numeric(col)
        bad = np.flatnonzero(np.isnan(nums))
        if not len(bad):
            continue
        texts = table.text(col).str.strip()
        units_blank = None
        if role.role == "statistic" and role.units_column in table.columns:
            # a statistic over a suppressed or zero units cell is rightly blank
            ut = table.text(role.units_column).str.strip()
            ur = table.role(role.units_column)
            units_blank = (table.numeric(role.units_column) == 0) | (
                ut.eq("").to_numpy() & (ur is not None and ur.role == "suppressed"))
        for i in bad:
            t = texts.iat[i]
            if t == "":
                if role.role == "suppressed":
                    continue
                if units_blank is not None and units_blank[i]:
                    continue
                if _share_without_base(table, col, i):
                    ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                            location={**table.location(i, col), "reason": "share without base"},
                            en=SHARE_EN, zh=SHARE_ZH)
                    continue
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location=table.location(i, col),
                        en=f"Blank cell where a {role.statistic or 'count'} is due; declare the "
                           "column 'suppressed' if the blank is deliberate suppression.",
                        zh="應有數值的儲存格為空白；若為刻意遮蔽，請將該欄宣告為 suppressed。")
                continue
            symbol = any(p.search(t) for p in pats)
            if symbol:
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location=table.location(i, col),
                        en=f"Cell marked with the symbol {t!r}: marking small cells with special "
                           "symbols is forbidden; leave the cell out (suppress) or merge categories.",
                        zh=f"儲存格以符號 {t!r} 標示：禁止以特殊符號標示小格數；請改為遮蔽或合併類別。")
            else:
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location=table.location(i, col),
                        en=f"Text {t[:40]!r} where a number is due.",
                        zh=f"應為數值的儲存格出現文字 {t[:40]!r}。")
