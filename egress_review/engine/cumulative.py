"""E2: a cumulative count column gives each step's count back by difference.

A red-team round passed ``year, cumulative_n`` = 2018 120, 2019 123, 2020 250: every cell at or
above the threshold, while 2019 added 3 persons.  A count column whose header says it
accumulates (cumulative, cum_n, running total, to date, YTD, 累計, 累積) is read as the
sum of the steps before it: within each stratum (the rows that agree on every other grouping
column), in the order printed, each successive difference is a count of its own, and
1 … ``min_units_per_cell − 1`` blocks like any small cell.  A decrease means the column is no
running sum (it is left to the other checks); total rows are skipped.  Round 9: headers that
say "up to" (n_at_most, or fewer, as of, 至今) and a last grouping headed as_of,
through or 截至 accumulate too.  A column that accumulates with no word saying so is not
recognised: an ordinary yearly count may rise by a few (``test_unseen_round6`` keeps it passing).
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "cumulative"
KINDS = {"table"}

_CUMULATIVE = re.compile(r"cumul|\bcum(?:\b|_|\.)|^cum|running[\s_]*(?:total|sum|count)|to[\s_]date|"
                         r"\bytd\b|so[\s_]far|at[\s_]most|up[\s_]to|or[\s_](?:fewer|less|younger|"
                         r"below|earlier)|\bas[\s_]of\b|累計|累積|累积|累计|至今|迄今", re.I)
# a grouping that says each row holds everything up to it (as_of, through, 截至, 截止)
_UP_TO_GROUP = re.compile(r"\bas[\s_]of\b|\bthrough\b|\bup[\s_]to\b|cutoff|截至|截止|累計|累積", re.I)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    groups = table.group_cols
    up_to = bool(groups) and bool(_UP_TO_GROUP.search(str(groups[-1]).replace("_", " ")))
    for col in table.count_cols:
        if up_to or _CUMULATIVE.search(str(col).replace("_", " ") + " " + str(col)):
            _steps(ctx, spec, table, col, groups)


def _steps(ctx: Context, spec: ManifestFile, table, col, groups) -> None:
    m = ctx.policy.min_units_per_cell
    margins = table.total_rows()
    # the last grouping column is the one the sum runs along (a long table varies it fastest:
    # sex, year); the others are strata
    strata = groups[:-1]
    keys = [tuple(str(table.df[g].iat[i]) for g in strata) for i in range(len(table.df))]
    vals = table.numeric(col)
    last: dict[tuple, tuple[int, float]] = {}
    for i, v in enumerate(vals):
        if margins[i] or np.isnan(v):
            continue
        key = keys[i]
        if key in last:
            j, prev = last[key]
            step = v - prev
            if 1 <= step < m:
                loc = table.location(i, col)
                loc.update(value=f"{v:g}", previous=f"{prev:g}", step=f"{step:g}")
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=loc,
                        en=f"'{col}' accumulates: {v:g} after {prev:g} adds {step:g} unit(s) "
                           f"(fewer than {m}) in this row - a small count given by difference. "
                           "Publish the steps, merge periods or suppress.",
                        zh=f"「{col}」為累計值：由 {prev:g} 增至 {v:g}，此列新增 {step:g} 個單位"
                           f"（少於 {m}），以差分揭露小細格。請改列各期數值、合併期間或隱藏。")
        last[key] = (i, v)
