"""E2: missing values.  A statistic rests on the persons *with a value*, not on its group.

The table helpers count per cell the persons (rows, without a person column) whose value is
missing (NaN, ±inf).  The share of them in the cell decides, as the policy says:
above ``missing_share_review`` the cell goes to a reviewer (the published n is not the group's
n), above ``missing_share_block`` it is blocked (a mean of 3 persons of a group of 97 describes
those 3).  Counts come from the broker's sealed provenance or, only to add findings, from a
kernel's unsealed record.  The threshold check itself already counts only persons with a value.
"""
from __future__ import annotations

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.tables import stated_numbers
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "missing"
KINDS = {"table"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    prov = ctx.provenance.get(spec.path) or ctx.unsealed.get(spec.path)
    if prov is None or not prov.missing:
        return
    for col in table.cols_with("statistic"):
        miss, units = prov.missing.get(col), prov.units.get(col)
        if miss is None or units is None or len(miss) != len(table.df) or len(units) != len(miss):
            continue
        m, u = stated_numbers(miss), stated_numbers(units)
        total = m + u
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, m / total, 0.0)
        for i in np.flatnonzero(share > pol.missing_share_review):
            block = share[i] > pol.missing_share_block
            ctx.add(rule=RULE, check=CHECK, severity="block" if block else "review",
                    file=spec.path, location=table.location(i, col),
                    en=f"{int(m[i])} of the {int(total[i])} persons/rows of this cell have no value "
                       f"({share[i]:.0%}; policy: review above {pol.missing_share_review:.0%}, block "
                       f"above {pol.missing_share_block:.0%}): the statistic rests on {int(u[i])}.",
                    zh=f"此格 {int(total[i])} 個人（列）中有 {int(m[i])} 個沒有數值（{share[i]:.0%}；政策："
                       f"超過 {pol.missing_share_review:.0%} 送審、超過 {pol.missing_share_block:.0%} 阻擋），"
                       f"統計量僅基於 {int(u[i])} 個。",
                    suggested=[{"row": i + 1, "column": col, "action": "suppress"}] if block else None)
