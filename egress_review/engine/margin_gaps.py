"""E2/E3: a total larger than the cells it totals publishes the rest as a cell.

A probe released ``A 50, B 60, Total 113``: the labelled total passed as a margin, yet 113 −
(50 + 60) = 3 persons are in a category the table does not show (unknown, other, a suppressed
region) - a small count stated by difference inside one table.  For a long table of one
grouping, every labelled total row is compared with the sum of the other rows; for a wide
table, every total column with the sum of the other count columns of its row.  A gap of 1 …
``min_units_per_cell`` − 1 blocks at the total's cell; blanks make the sum unknown (the
suppression audit judges those) and a gap below zero is the structure check's inconsistency.
"""
from __future__ import annotations

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.linking import event_counts
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "margin_gaps"
KINDS = {"table"}


def _report(ctx: Context, spec: ManifestFile, table, i: int, col: str, gap: float, m: int,
            parts: str) -> None:
    ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                   en=f"This total is {gap:g} more than {parts}: {gap:g} unit(s) (fewer than {m}) "
                      "are in categories the table does not show, a small cell stated by "
                      "difference. Publish the category (checked like any cell) or merge it.",
                   zh=f"此合計比{'各列' if parts.startswith('the rows') else '各欄'}之和多 {gap:g}："
                      f"有 {gap:g} 個單位（少於 {m}）屬於表中未列出的類別，等同以差分揭露小細格。"
                      "請列出該類別（依細格規則檢查）或合併類別。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    m = ctx.policy.min_units_per_cell
    counts = [c for c in table.count_cols + event_counts(table) if not table.is_total_col(c)]
    totals = table.total_rows()
    body = ~totals
    groups = [c for c in table.group_cols if not table.is_total_col(c)]
    # long table of one grouping: each labelled total row against the sum of the other rows
    if len(groups) == 1 and totals.any() and body.sum() >= 1:
        for col in counts:
            v = table.numeric(col)
            if np.isnan(v[body]).any():
                continue
            rest = float(v[body].sum())
            for i in np.flatnonzero(totals & ~np.isnan(v)):
                gap = float(v[i]) - rest
                if 0.5 <= gap < m - 0.5:
                    _report(ctx, spec, table, int(i), col, gap, m,
                            f"the rows it totals ({rest:g})")
    # wide table: a total column against the other count columns of its row
    total_cols = [c for c in table.count_cols + event_counts(table) if table.is_total_col(c)]
    if counts and total_cols:
        parts = np.column_stack([table.numeric(c) for c in counts])
        known = ~np.isnan(parts).any(axis=1)
        for col in total_cols:
            t = table.numeric(col)
            for i in np.flatnonzero(known & ~np.isnan(t)):
                gap = float(t[i] - parts[i].sum())
                if 0.5 <= gap < m - 0.5:
                    _report(ctx, spec, table, int(i), col, gap, m,
                            f"the columns it totals in its row ({parts[i].sum():g})")
