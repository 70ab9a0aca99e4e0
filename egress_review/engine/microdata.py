"""E1/E6: aggregate data only: no person-level rows, no ID/pseudonym columns, not over-fine.

- a column named like a person identifier or pseudonym, or whose values are pseudonyms
  (long hex strings) or national IDs, blocks (E1);
- a table where most rows rest on a single unit is microdata (E1);
- more published cells than ``max_table_cells`` (long or wide alike), or more cells than ``max_cells_per_unit`` × the units
  behind the table, is "too many records after classification" (E6).
"""
from __future__ import annotations

import re

import numpy as np

from deidentify.identifiers.taiwan_id import is_valid
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E1"
CHECK = "microdata"
KINDS = {"table"}

_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")


def _id_like_share(values) -> float:
    vals = [str(v).strip() for v in values if str(v).strip()]
    if not vals:
        return 0.0
    n = sum(1 for v in vals if _HEX.match(v) or is_valid(v))
    return n / len(vals)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    rx = [re.compile(p, re.IGNORECASE) for p in pol.id_column_patterns]
    for col in table.columns:
        if any(r.search(col) for r in rx):
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} is a person identifier or pseudonym: only aggregates may leave.",
                    zh=f"欄位 {col!r} 為個人識別碼或假名：僅能輸出彙總資料。")
            continue
        role = table.role(col)
        if role is not None and role.role == "group" and _id_like_share(table.text(col)) >= 0.5:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} holds pseudonyms or national IDs: this is person-level data.",
                    zh=f"欄位 {col!r} 含假名或身分證號：屬個人層級資料。")
    n_rows = len(table.df)
    # cells, not rows: the same numbers published long or wide get the same verdict
    n_cells = n_rows * max(1, len(table.cols_with("count", "statistic", "suppressed")))
    if n_cells > pol.max_table_cells:
        ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path, location={},
                en=f"The table publishes {n_cells} cells (more than {pol.max_table_cells}): too "
                   "many records after classification.",
                zh=f"此表共 {n_cells} 個儲存格（超過 {pol.max_table_cells} 個）：分類後筆數過多。")
    counts = table.cols_with("count", "suppressed")
    body = ~table.total_rows()
    value_cols = [c for c in counts if not table.is_total_col(c)]
    if not table.cols_with("count", "statistic", "suppressed"):
        if n_rows >= pol.min_units_per_cell:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                    en="A table with no count or statistic column is a list of records, not an aggregate.",
                    zh="此表沒有計數或統計欄位，是資料列清單而非彙總資料。")
        return
    if not value_cols or not body.any():
        return
    units = []
    for c in value_cols:
        u = ctx.units(table, c)
        if u is not None:
            units.append(u[body])
    if not units:
        return
    u = np.concatenate(units)
    known = u[~np.isnan(u)]
    if len(known) >= pol.min_units_per_cell and np.mean(known == 1) >= pol.microdata_unit_fraction:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en=f"{np.mean(known == 1):.0%} of the cells rest on a single unit: this is one row per "
                   "person (microdata), not an aggregate.",
                zh=f"{np.mean(known == 1):.0%} 的儲存格僅基於一個單位：屬每人一列的個體資料，而非彙總。")
    total = float(np.nansum(known))
    cells = len(u)
    if total > 0 and cells > pol.max_cells_per_unit * total:
        ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path, location={},
                en=f"{cells} cells for {int(total)} units is over-fine (at most "
                   f"{pol.max_cells_per_unit:g} cells per unit).",
                zh=f"以 {int(total)} 個單位製作 {cells} 個儲存格過於細分（每單位至多 {pol.max_cells_per_unit:g} 格）。")
