"""E2: thresholds per statistic, beyond the count every statistic needs (``threshold``).

- a standard deviation or variance rests on n - 1 degrees of freedom: it needs
  ``min_dof_dispersion`` of them (n - 1 >= that);
- a statistic cell with no person behind it (an empty group of a full cartesian table) says
  that nobody in the group has a value: like a zero count, a reviewer judges it;
- a kernel's unsealed record of units is a claim: a cell it says rests on fewer than
  ``min_units_per_cell`` units blocks (it can only add findings).

Regression models (residual degrees of freedom) are checked by the model rules from the
model sidecar (``safe_tables.models``: ``df_resid``) against ``min_residual_dof``.
"""
from __future__ import annotations

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.tables import stated_numbers
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "degrees_of_freedom"
KINDS = {"table"}
DISPERSION = {"std"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    claim = ctx.unsealed.get(spec.path)
    fill = ctx.sealed_fill_value(table)
    for col in table.cols_with("statistic", "count"):
        role = table.role(col)
        units = ctx.units(table, col)
        shown = table.numeric(col)
        blank = table.text(col).str.strip().eq("").to_numpy()
        if fill is not None and units is not None and role.role == "statistic":
            # pivot_table's fill_value in an empty group is the empty cell, not a statistic
            blank = blank | ((units == 0) & np.isclose(shown, fill))
        if role.role == "statistic" and units is not None:
            if role.statistic in DISPERSION:
                dof = units - 1
                for i in np.flatnonzero((units >= pol.min_units_per_cell)
                                        & (dof < pol.min_dof_dispersion) & ~np.isnan(shown)):
                    ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                                   en=f"A standard deviation/variance rests on n - 1 = {int(dof[i])} degrees "
                                      f"of freedom; at least {pol.min_dof_dispersion} are required.",
                                   zh=f"標準差／變異數的自由度為 n - 1 = {int(dof[i])}；至少需要 "
                                      f"{pol.min_dof_dispersion}。")
            if pol.zero_cells_need_review:
                for i in np.flatnonzero((units == 0) & blank):
                    ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                            location={**table.location(i, col), "rule": "zero"},
                            en="Empty cell: no person in this group has a value, which the table "
                               "shows; the reviewer judges whether that is disclosive.",
                            zh="空白儲存格：此組無人有數值，表格因此揭露此事；由審查人判斷是否具揭露風險。")
        if claim is not None and col in claim.units and len(claim.units[col]) == len(shown):
            cu = stated_numbers(claim.units[col])
            for i in np.flatnonzero((cu > 0) & (cu < pol.min_units_per_cell) & ~blank):
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=f"By the session's own unsealed record this cell rests on {int(cu[i])} "
                                  f"unit(s); at least {pol.min_units_per_cell} are required.",
                               zh=f"依工作階段自行聲明（未封存）的紀錄，此格僅基於 {int(cu[i])} 個單位；至少需要 "
                                  f"{pol.min_units_per_cell} 個。")
