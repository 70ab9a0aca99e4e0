"""E2: statistics that are one person's value: min, max, median and other percentiles.

Any minimum or maximum is exactly one person's value, whatever the group size: it blocks
unless the policy allows extremes that were rounded or top/bottom-coded and the values carry
that treatment.  A median or percentile is also a person's value (or the mean of two): it
needs ``min_units_for_percentile`` units, and a tail percentile needs at least
``min_units_per_cell`` units beyond it.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "single_unit"
KINDS = {"table"}


def _treated(values: np.ndarray, role, texts=None) -> np.ndarray:
    """Which values carry the declared rounding / coding (so they are not a raw value).

    A top code treats a maximum only at the cap itself (a value above it is raw: ``>= cap``
    took a cap of 0 as treating every maximum), a bottom code a minimum only at its cap; a
    minimum at the top cap (or a maximum at the bottom one) is no treatment but news about the
    whole group: every person of it is beyond the cap.  A rounding treats only when it is
    coarser than the precision the values are written in (whole numbers "rounded to 1" are
    raw)."""
    ok = np.zeros(len(values), dtype=bool)
    if role.rounded_to:
        q = values / role.rounded_to
        places = 0
        if texts is not None:
            places = max([len(t.split(".", 1)[1]) if "." in t else 0 for t in texts] or [0])
        if role.rounded_to > 10.0 ** -places + 1e-12:
            ok |= np.isclose(q, np.round(q), rtol=0, atol=1e-6)
    if role.top_coded_at is not None and role.statistic == "max":
        ok |= np.isclose(values, role.top_coded_at)
    if role.bottom_coded_at is not None and role.statistic == "min":
        ok |= np.isclose(values, role.bottom_coded_at)
    return ok


def _declares_treatment(role) -> bool:
    return bool(role.rounded_to) or role.top_coded_at is not None or role.bottom_coded_at is not None


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    for col in table.cols_with("statistic"):
        role = table.role(col)
        vals = table.numeric(col)
        present = ~np.isnan(vals)
        if role.statistic in ("min", "max"):
            texts = [t.strip() for t, p in zip(table.text(col).tolist(), present) if p]
            treated = _treated(vals, role, texts) if pol.allow_extremes_with_treatment else \
                np.zeros(len(vals), dtype=bool)
            for i in np.flatnonzero(present & ~treated):
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location=table.location(i, col),
                        en=f"A {role.statistic}imum is a single person's value"
                           + ("" if pol.allow_extremes_with_treatment else
                              " and this policy does not release extremes")
                           + (f" ({vals[i]:g} does not carry the declared rounding or coding: a "
                              "value beyond or away from a cap, a cap on the other end, or a "
                              "rounding no coarser than the digits written)"
                              if pol.allow_extremes_with_treatment and _declares_treatment(role) else "")
                           + "; report a rounded/top-coded value or a percentile of a large group.",
                        zh=("最小值" if role.statistic == "min" else "最大值")
                           + "即為單一個人的數值，不得輸出；請改用經捨入或頂端編碼的數值，或大群組的百分位數。",
                        suggested=[{"row": i + 1, "column": col, "action": "remove"}])
        elif role.statistic in ("median", "percentile"):
            units = ctx.units(table, col)
            if units is None:
                continue
            p_rows = _row_percentiles(table) if role.statistic == "percentile" and not role.percentile \
                else None
            for i in np.flatnonzero(present):
                p = 0.5 if role.statistic == "median" else (role.percentile if role.percentile else None)
                if p_rows is not None and p_rows[i] == p_rows[i]:
                    p = float(p_rows[i])
                n = units[i]
                tail = None if p is None else n * min(p, 1 - p)
                if n < pol.min_units_for_percentile or (tail is not None and tail < pol.min_units_per_cell) \
                        or p is None:
                    why = ("which percentile it is is not declared" if p is None else
                           f"it rests on {int(n)} units and needs {pol.min_units_for_percentile}, "
                           f"with at least {pol.min_units_per_cell} beyond it")
                    ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                                   en=f"This {role.statistic} is (close to) one person's value: {why}.",
                                   zh=f"此{'中位數' if p == 0.5 else '百分位數'}接近單一個人的數值："
                                      f"需至少 {pol.min_units_for_percentile} 個單位且兩側各至少 "
                                      f"{pol.min_units_per_cell} 個（本格 {int(n) if n == n else '未知'}）。")


_QUANTILE_COL = re.compile(r"quantile|percentile|pctl|^pct$|^[pq]$|分位", re.IGNORECASE)


def _row_percentiles(table) -> np.ndarray | None:
    """A long quantile table: which percentile each row is, from a grouping column such as
    ``quantile`` (0.1, 0.5 …) or ``percentile`` (10, 50 …, or 'p90')."""
    for col in table.group_cols:
        if not _QUANTILE_COL.search(col):
            continue
        text = table.text(col).str.strip().str.lower().str.replace(r"^p", "", regex=True) \
            .str.replace("%", "", regex=False)
        v = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        if np.isnan(v).all():
            continue
        return np.where(v > 1, v / 100.0, v)
    return None
