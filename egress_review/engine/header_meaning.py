"""E2/E3: a statistic column is what its header says, whatever it is declared as.

A probe declared a column headed ``n`` or ``events`` as a model estimate or a statistic, one
headed ``share`` or ``pct`` as a mean (so that the percent check,
which recovers the count p × N, never ran), a ``max_age``, ``oldest`` or ``p100_cost`` column
as a mean or median (so that the extreme rule never ran), and published a standard deviation
of 0 (every person of the group has the mean's value).  A later probe declared a column headed
``p99_cost``, ``pct1`` or 「第99百分位」 as a median (a tail percentile of 120 persons is the value
of the one or two beyond it), box-plot whiskers, fences and outliers as medians (a whisker ends
at a person's value), and a ``deaths_per_1000`` column as a median (its stated scale times the
group is the count of deaths).  The header is the researcher's own
word for the numbers: where it names a stricter statistic than the declaration, the stricter
rule applies, and the finding names the column and the cell.
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.header_fold import disguised, plain
from egress_review.engine.structure import _implied_counts, _stated_scale
from egress_review.engine.unit_tables import PERCENT_WORDS, counts_events, header_role
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "header_meaning"
KINDS = {"table"}

# One person's value: extremes and the end percentiles, in English and Chinese headers.
EXTREME_WORDS = re.compile(
    r"(?:^|[\s_\-(])(?:min|max|minimum|maximum|oldest|youngest|highest|lowest|largest|smallest|"
    r"longest|shortest|range|p0|p100|q0|q4|0th|100th|earliest|latest|whiskers?|fences?|"
    r"outliers?|extremes?)(?:$|[\s_\-)])|"
    r"最小|最大|最高|最低|最年長|最年輕|最早|最晚|最長|最短|全距|極值|鬚|離群", re.I)
# Which percentile a header names: p99, pct1, pctl_99, percentile 99, 99th, q99 (q1-q3 and q4
# are quartiles), 「第99百分位」; a percentile the declaration does not carry.
_HEADER_PERCENTILE = re.compile(
    r"(?:^|[\s_\-(])(?:p|pct|pctl|perc|percentile|centile|q)\s?(\d{1,2}(?:\.\d+)?)(?:th)?(?:$|[\s_\-)%])|"
    r"(?:^|[\s_\-(])(\d{1,2}(?:\.\d+)?)(?:st|nd|rd|th)?\s?(?:pct|pctl|percentile|centile|%ile)|"
    r"第\s?(\d{1,2}(?:\.\d+)?)\s?百分位|(\d{1,2}(?:\.\d+)?)\s?百分位", re.I)
QUANTILE_WORDS = re.compile(r"(?:^|[\s_\-(])(?:median|p\d{1,2}|q[123]|quartile|percentile|iqr)"
                            r"(?:$|[\s_\-)])|中位數|百分位|四分位", re.I)
DISPERSION_WORDS = re.compile(r"(?:^|[\s_\-(])(?:sd|std|stdev|standard deviation|variance|var|"
                              r"se|sem|iqr)(?:$|[\s_\-)])|標準差|變異數|標準誤", re.I)
# Counts hidden in another statistic: a ratio of two counts neither shown (deaths M:F 1.5 is
# 3 to 2), and a mode (of a small group, a person's value).
RATIO_MODE_WORDS = re.compile(r"(?:^|[\s_\-(])(?:ratio|ratios|\w+\s?to\s?\w+\sratio|m:f|f:m|"
                              r"mode|modal|most common|commonest)(?:$|[\s_\-)])|比值|性別比|性比|"
                              r"眾數|最常見", re.I)
_EXTREME_STATS = {"min", "max"}
_QUANTILE_STATS = {"median", "percentile", "min", "max"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    m = pol.min_units_per_cell
    stats = table.cols_with("statistic")
    # a percent by its header: the count it gives away with its base, whatever its declaration
    as_percent = {c: "percent" for c in stats if PERCENT_WORDS.search(plain(c))
                  and table.role(c).statistic not in ("percent", "rate")}
    # a rate by the scale its header states (deaths_per_1000, 每千人) declared as another statistic
    if pol.header_rate_scale:
        as_percent.update({c: "rate" for c in stats if c not in as_percent
                           and table.role(c).statistic not in ("percent", "rate")
                           and _stated_scale(plain(c)) is not None})
    for i, col, k, base, _sure in _implied_counts(table, m, as_percent) if as_percent else []:
        ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                       en=f"Column {col!r} is headed as a {as_percent[col]} (declared "
                          f"{table.role(col).statistic}): with {base!r} it gives away a count of "
                          f"{k:g} (fewer than {m}).",
                       zh=f"欄位 {col!r} 標題為百分比或比例（宣告為 {table.role(col).statistic}）："
                          f"乘以 {base!r} 即得計數 {k:g}（少於 {m}）。")
    # a count by its header ("n", "events", 人數) declared as a statistic or a model estimate
    for col in table.cols_with("statistic", "estimate"):
        if header_role(plain(col)) != "count" or col in table.inferred_counts:
            continue
        v = table.numeric(col)
        known = v[~np.isnan(v)]
        if not len(known) or np.any(known < 0) or np.any(known != np.round(known)):
            continue
        for i in np.flatnonzero((v >= 1) & (v < m)):
            what = table.role(col).statistic or table.role(col).role
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                           en=f"Column {col!r} is headed as a count but declared {what}: "
                              f"{v[i]:g} is a count under {m}, whatever its declaration.",
                           zh=f"欄位 {col!r} 標題為計數，卻宣告為 {what}：{v[i]:g} 為少於 {m} 的計數，"
                              "無論宣告為何。")
    _event_units(ctx, spec, table)
    _disguised_headers(ctx, spec, table)
    for col in stats:
        role = table.role(col)
        v = table.numeric(col)
        shown = np.flatnonzero(~np.isnan(v))
        if not len(shown):
            continue
        name = plain(col).replace("_", " ")
        if EXTREME_WORDS.search(f" {name} ") and role.statistic not in _EXTREME_STATS:
            i = int(shown[0])
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                           en=f"Column {col!r} is headed as an extreme (a minimum, maximum, range "
                              f"or end percentile) but declared {role.statistic}: an extreme is a "
                              "single person's value; declare it as what it is (the extreme rule "
                              "then applies) or publish another statistic.",
                           zh=f"欄位 {col!r} 標題為極值（最小、最大、全距或端點百分位），但宣告為 "
                              f"{role.statistic}：極值即單一個人的數值；請如實宣告或改列其他統計量。")
            continue
        if pol.header_ratio_mode and RATIO_MODE_WORDS.search(f" {name} "):
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location=table.location(int(shown[0]), col),
                    en=f"Column {col!r} is headed as a ratio or a mode (declared {role.statistic}): "
                       "a ratio's two counts are not shown and a small group's mode is one "
                       "person's value; the reviewer checks each count behind it is at least "
                       f"{m}.",
                    zh=f"欄位 {col!r} 標題為比值或眾數（宣告為 {role.statistic}）：比值的兩個計數未列出，"
                       f"小組的眾數即個人數值；由審查人確認其背後每個計數至少 {m}。")
        units = ctx.units(table, col)
        if pol.header_percentiles and units is not None:
            _header_percentile(ctx, spec, table, col, units, shown)
        if QUANTILE_WORDS.search(f" {name} ") and role.statistic not in _QUANTILE_STATS \
                and not DISPERSION_WORDS.search(f" {name} "):
            need = pol.min_units_for_percentile
            few = shown if units is None else [i for i in shown if not units[i] >= need]
            for i in few[:1]:
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i),
                               col=col,
                               en=f"Column {col!r} is headed as a median or percentile but "
                                  f"declared {role.statistic}: a percentile needs {need} units "
                                  "it rests on (the percentile rule), which this cell does not show.",
                               zh=f"欄位 {col!r} 標題為中位數或百分位，但宣告為 {role.statistic}："
                                  f"百分位數須基於至少 {need} 個單位，此儲存格未達或未載明。")
        if (role.statistic in ("std", "variance") or DISPERSION_WORDS.search(f" {name} ")) \
                and units is not None:
            for i in np.flatnonzero((v == 0) & (units > 1)):
                ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                        location=table.location(int(i), col),
                        en=f"A dispersion of 0 in {col!r}: every unit of this group has the same "
                           "value, so the group's mean or median is each person's value; the "
                           "reviewer decides.",
                        zh=f"欄位 {col!r} 的離散量為 0：此組每個單位數值相同，平均或中位數即每個人的數值；"
                           "由審查人判斷。")


def _disguised_headers(ctx: Context, spec: ManifestFile, table) -> None:
    """A header written with look-alike letters or invisible characters (``dеaths`` with a
    Cyrillic е) is read as a person reads it by the checks above; the disguise itself goes to a
    person: it hid the column from the header words."""
    for col in table.columns:
        if isinstance(col, str) and disguised(col):
            ctx.add(rule="E4", check=CHECK, severity="review", file=spec.path,
                    location={"column": col, "read_as": plain(col)},
                    en=f"Column {col!r} is written with letters of another alphabet that look "
                       f"Latin, or invisible characters: it reads as {plain(col)!r} and was checked "
                       "so; the reviewer checks why.",
                    zh=f"欄位 {col!r} 以外觀相似的他種字母或隱形字元書寫：讀作 {plain(col)!r} 並依此檢查；"
                       "由審查人確認原因。")


def _event_units(ctx: Context, spec: ManifestFile, table) -> None:
    """A declared count of visits, claims or 人次 is a count of units only by declaration: when
    no column of the table counts persons and none is named as its units, the threshold (on
    persons) never saw the persons behind it; a statistic resting on it likewise."""
    if spec.path not in {f.path for f in ctx.manifest.files}:
        return                    # tables read inside files: their roles are inferred, not declared
    counts = table.cols_with("count", "suppressed")

    if any(not counts_events(plain(c)) for c in counts):
        return                    # persons are counted beside them: the threshold sees those
    for col in table.columns:
        role = table.role(col)
        if role is None or role.role == "group":
            continue
        base = col if col in counts else role.units_column
        if base is None or base not in counts or not counts_events(plain(base)) \
                or (col in counts and role.units_column
                    and not counts_events(plain(role.units_column))):
            continue
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                location={"column": col, "units_column": base},
                en=f"Column {col!r} rests on {base!r}, declared a count of units, but its header "
                   "counts events (visits, claims …), not persons, and no column of the table "
                   "counts the persons: a cell of many events may be one or two persons. Name the "
                   "persons behind each cell (units_column); the reviewer checks them.",
                zh=f"欄位 {col!r} 以 {base!r} 為單位數，但其標題計的是事件（就診、申報…）而非人數，"
                   "表中也沒有人數欄：多次事件可能僅來自一兩人。請以 units_column 列出每格背後的人數，"
                   "由審查人確認。")


def header_percentile(name: str) -> float | None:
    """The percentile (0-1) a column header names, None when it names none (q1-q4 are quartiles)."""
    m = _HEADER_PERCENTILE.search(f" {name.replace('_', ' ')} ")
    if not m:
        return None
    num = next(g for g in m.groups() if g is not None)
    p = float(num) / 100.0
    if m.group(0).strip(" _-(").lower().startswith("q") and float(num) <= 4:
        return float(num) / 4.0
    return p


def _header_percentile(ctx: Context, spec: ManifestFile, table, col: str, units, shown) -> None:
    """A tail percentile named by the header needs ``min_units_per_cell`` units beyond it,
    whatever percentile (or statistic) was declared."""
    pol = ctx.policy
    p = header_percentile(plain(col))
    role = table.role(col)
    if p is None or not 0 < p < 1 or role.statistic == "percentile" and role.percentile == p:
        return
    for i in shown:
        n = units[i]
        if n == n and n * min(p, 1 - p) >= pol.min_units_per_cell \
                and n >= pol.min_units_for_percentile:
            continue
        ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                       en=f"Column {col!r} is headed as the {p * 100:g}th percentile (declared "
                          f"{role.statistic}): of {n:g} units fewer than {pol.min_units_per_cell} "
                          "lie beyond it, so it is (close to) one person's value.",
                       zh=f"欄位 {col!r} 標題為第 {p * 100:g} 百分位（宣告為 {role.statistic}）："
                          f"{n:g} 個單位中其外側少於 {pol.min_units_per_cell} 個，接近單一個人的數值。")
        return
