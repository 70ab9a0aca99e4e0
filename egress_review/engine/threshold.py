"""E2: every statistic rests on more than five units (at least ``min_units_per_cell``).

Counts rest on themselves (or on the distinct persons in provenance, when a count is of visits),
means/medians/sums on their units column, percentages and rates on both numerator and
denominator.  Zero cells go to a reviewer (structural or sampling zero?).
"""
from __future__ import annotations

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "threshold"
KINDS = {"table"}


def small_cells(units: np.ndarray, minimum: int) -> np.ndarray:
    return np.flatnonzero((units > 0) & (units < minimum))


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    m = ctx.policy.min_units_per_cell
    checks = [(col, ctx.units(table, col), None) for col in table.cols_with("count", "statistic", "suppressed")]
    # a column the data shows to be a count is also checked as one, whatever it was declared
    checks += [(col, table.numeric(col), "count") for col in table.inferred_counts
               if table.role(col).role not in ("count", "suppressed")]
    for col, units, as_what in checks:
        role = table.role(col)
        if units is None:
            continue          # reported by the declaration check
        # a blank cell is not published: the secondary and differencing checks judge it
        hidden = table.text(col).str.strip().eq("").to_numpy() & np.isnan(table.numeric(col))
        units = np.where(hidden, np.nan, units)
        what = as_what or ("count" if role.role in ("count", "suppressed") else role.statistic)
        # a number of units below zero or infinite is no count at all: its size (|-3|) or what
        # it stands for cannot be judged, so it never passes
        for i in np.flatnonzero((units < 0) | np.isinf(units)):
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                           en=f"This {what} rests on {units[i]:g} unit(s), which is not a number of "
                              f"units (negative or infinite); a count is a whole number of at "
                              f"least {m}.",
                           zh=f"此{_zh(what)}所基於的單位數為 {units[i]:g}，不是有效的單位數（負數或無限大）；"
                              f"計數須為至少 {m} 的整數。")
        for i in small_cells(units, m):
            n = int(units[i])
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                           en=f"This {what} rests on {n} unit(s); at least {m} are required.",
                           zh=f"此{_zh(what)}僅基於 {n} 個單位；至少需要 {m} 個。")
        dens = ctx.sealed_denominators(table) if as_what is None else None
        proportion = dens is not None and col in dens
        if proportion and hidden.any():
            # the shares of a line add up (to one, or to the line's total of distinct persons):
            # a blank share follows from the others and the published totals
            for i in np.flatnonzero(hidden):
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(i, col),
                        en="A blank proportion can be the complement of the others in its row or "
                           "column (they add up to the line's total): the reviewer judges what it "
                           "still reveals; merging categories is safer.",
                        zh="空白的比例可由同列或同欄其他比例推得（合計為該列或欄的總數）；由審查人判斷，"
                           "合併類別較安全。")
        if ctx.policy.zero_cells_need_review and (what == "count" or proportion):
            for i in np.flatnonzero(units == 0):
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(i, col),
                        en="Zero cell: the reviewer judges whether it is structural or discloses "
                           "that nobody in the group has the attribute.",
                        zh="零值儲存格：由審查人判斷是否為結構性零值，或揭露該組無人具此屬性。")
        den = ctx.denominator_units(table, col) if as_what is None else None
        if den is not None:
            for i in small_cells(den, m):
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=f"The denominator of this {what} rests on {int(den[i])} unit(s); "
                                  f"at least {m} are required.",
                               zh=f"此{_zh(what)}的分母僅基於 {int(den[i])} 個單位；至少需要 {m} 個。")


_ZH = {"count": "計數", "mean": "平均數", "median": "中位數", "min": "最小值", "max": "最大值",
       "percentile": "百分位數", "sum": "總和", "rate": "比率", "percent": "百分比", "std": "標準差"}


def _zh(what: str) -> str:
    return _ZH.get(what, what)
