"""E2/E3: the count behind a mean and a sum of the same measure for the same group, published
in different tables (or one), is sum ÷ mean.

A red team's round 8 published ``region, mean_cost, n`` with East's n suppressed (or rounded to
10) and, in another table, ``region, total_cost`` with East's total: 6 000 ÷ 2 000.0 = 3 persons,
which no check worked out (each table went to review for its dominance only).  Here, across the
request's tables (declared, and found in its files) and the case's earlier releases, every mean
column is paired with every sum column of the same measure (their headers without the words
mean/average/total/sum/平均/總) and, row by row, the group labels are matched; when the mean's
printed precision leaves exactly one whole number for sum ÷ mean:

- 1 … threshold−1 → block (a small count derived);
- a count the tables publish blank (suppressed) → block: the hidden count is recovered exactly;
  one they publish rounded (123 shown as 120) → review: the exact count may serve differencing.
"""
from __future__ import annotations

import math
import re

import numpy as np

from egress_review.engine.context import Context

RULE = "E2"
CHECK = "mean_sum_counts"
_STAT_WORDS = re.compile(r"\b(?:mean|avg|average|total|sum|overall|aggregate)\b|平均|總計|總|合計|加總", re.I)
_MAX_PAIRS = 400


def _measure(col: str) -> str:
    s = re.sub(r"[_\-.()（）]+", " ", str(col))
    return " ".join(_STAT_WORDS.sub(" ", s).lower().split())


def _places(text: str) -> int:
    t = str(text).strip().replace(",", "")
    return len(t.split(".", 1)[1]) if re.fullmatch(r"-?\d+\.\d+", t) else 0


def _columns(table, stat: str) -> list[str]:
    return [c for c in table.cols_with("statistic") if table.role(c).statistic == stat]


def _rows(table) -> dict[tuple, int]:
    groups = table.group_cols
    if not groups:
        return {}
    keys = list(zip(*[[str(x).strip().lower() for x in table.text(g).tolist()] for g in groups]))
    out: dict[tuple, int] = {}
    for i, k in enumerate(keys):
        out.setdefault(k, i)
    return out


def _items(ctx: Context):
    for path, t in ctx.tables.items():
        yield path, t, False
    for path, (t, _owner) in ctx.unit_views.items():
        yield path, t, False
    for n, rt in enumerate(ctx.history.tables):
        yield f"history[{rt.request}]/{rt.table.path}", rt.table, True


def check_request(ctx: Context) -> None:
    m = ctx.policy.min_units_per_cell
    items = list(_items(ctx))
    means = [(p, t, c, h) for p, t, h in items for c in _columns(t, "mean")]
    sums = [(p, t, c, h) for p, t, h in items for c in _columns(t, "sum")]
    pairs = 0
    seen = set()
    for mp, mt, mc, mh in means:
        for sp, st, sc, sh in sums:
            if mh and sh or _measure(mc) != _measure(sc) and _measure(mc) and _measure(sc):
                continue
            pairs += 1
            if pairs > _MAX_PAIRS:
                return
            mrows, srows = _rows(mt), _rows(st)
            mv, sv = mt.numeric(mc), st.numeric(sc)
            for key, i in mrows.items():
                j = srows.get(key)
                if j is None or not (mv[i] > 0) or not (sv[j] >= 0):
                    continue
                h = 0.5 * 10.0 ** -_places(mt.text(mc).iloc[i])
                lo, hi = sv[j] / (mv[i] + h), (sv[j] / (mv[i] - h) if mv[i] > h else math.inf)
                whole = [k for k in range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)] if hi - lo < 2 else []
                if len(whole) != 1 or whole[0] < 1:
                    continue
                k = whole[0]
                shown = _shown_count(mt, mc, i), _shown_count(st, sc, j)
                blank = any(s is not None and math.isnan(s) for s in shown)
                rounded = any(s is not None and not math.isnan(s) and s != k for s in shown)
                if k >= m and not blank and not rounded:
                    continue
                severity = "block" if k < m or blank else "review"
                if (mp, sp, key) in seen:
                    continue
                seen.add((mp, sp, key))
                label = " / ".join(key)
                what = (f"{k} (fewer than {m})" if k < m else
                        f"{k}, which the tables publish {'blank' if blank else 'rounded'}")
                own = sp if not sh else mp
                ctx.add(rule=RULE if k < m else "E3", check=CHECK, severity=severity,
                        file=own if own in {f.path for f in ctx.manifest.files} else _owner(ctx, own),
                        location={"group": label, "mean": f"{mp}:{mc}", "sum": f"{sp}:{sc}", "value": k},
                        en=f"For {label!r}, {sc!r} ({sv[j]:g}) ÷ {mc!r} ({mt.text(mc).iloc[i].strip()}) gives "
                           f"the count of units exactly: {what}. Publish the mean and the sum only for "
                           "groups whose count may be shown, or round both.",
                        zh=f"對於 {label}，{sc}（{sv[j]:g}）÷ {mc}（{mt.text(mc).iloc[i].strip()}）可精確算出單位數："
                           f"{k}{'（少於 ' + str(m) + '）' if k < m else '，而表格將其隱藏或捨入'}。"
                           "請僅對可公開人數的組別公開平均與總和，或將兩者捨入。")


def _shown_count(table, col, i) -> float | None:
    """The units count the table shows for the statistic's row: nan when blank, None when none."""
    u = table.role(col).units_column
    if not u or u not in table.columns:
        return None
    if not str(table.text(u).iloc[i]).strip():
        return float("nan")
    v = table.numeric(u)[i]
    return None if np.isnan(v) else float(v)


def _owner(ctx: Context, path: str) -> str:
    if path in ctx.unit_views:
        return ctx.unit_views[path][1]
    return ""
