"""E2: the numbers a text states, checked like cells (see :mod:`.prose` for how they are read).

A count under the threshold blocks; a zero goes to review (structural or sampling zero?); a
percentage is checked against the count it is a share of when the sentence states one;
a statistic needs a count of at least the threshold in its sentence; minimum/maximum/range and
any number whose meaning cannot be told send the file to review, with the sentence marked.
A labelled number from a JSON/YAML map (``n_patients: 4``) is read by its key first.
A count stated as a bound ("fewer than 6 patients", 「少於6人」, "<5") is a small cell marked in
words (E6): at or under the threshold it blocks; above it a reviewer checks it, and it blocks
when the text's own total less its other counts leaves fewer than the threshold (E3).
"""
from __future__ import annotations

import re

from egress_review.engine import prose_shares, singling_out
from egress_review.engine.context import Context
from egress_review.engine.prose import SUPPRESSION_RULE, Number, read_numbers
from egress_review.engine.readers import TextUnit
from egress_review.engine.unit_tables import header_role
from egress_review.manifest import ManifestFile

CHECK = "prose"
# Keys of numbers that describe a file or a display, not persons (JSON/YAML, widget state).
_SETTING_KEY = re.compile(r"(^|[._\-\s])(version(_major|_minor)?|nbformat(_minor)?|id|index|width|height|"
                          r"dpi|size|font.?size|zoom|port|timeout|seed|precision|decimals|step|"
                          r"execution.?count|x|y|z|lat|lon|opacity|order)$", re.I)
MAX_REVIEW_REPORTED = 20
_WHY = {
    "unknown": ("the checks cannot tell what this number counts", "檢查程式無法判斷此數值所計為何"),
    "unread": ("a run of number characters longer than any number is not read (it may carry data)",
               "長於任何數值的數字串未予判讀（可能夾帶資料）"),
    "percent": ("a percentage whose count is not stated cannot be checked",
                "未載明人數的百分比無法檢查"),
    "statistic": ("a statistic whose sentence states no number of persons (at least the threshold)",
                  "此統計量所在句子未載明人數（須達門檻）"),
    "extreme": ("a minimum, maximum or range is one person's value", "最小值、最大值或範圍為單一個人的數值"),
}


def _span_place(unit: TextUnit, text: str, start: int, end: int) -> dict:
    """The place of ``text[start:end]`` (a sentence): the file's line, else the part's."""
    rel = text.count("\n", 0, start)
    if unit.file_lines:
        where = {"line": rel + unit.place.get("line", 1)}
    else:
        where = {"line_in_part": rel + 1}
    return {**unit.place, **where, "offset": start, "length": end - start}


def _place(unit: TextUnit, text: str, n: Number) -> dict:
    s0, s1 = n.sentence
    rel = text.count("\n", 0, n.start)
    if unit.file_lines:       # the file's own line (the unit may start lower in the file)
        where = {"line": rel + unit.place.get("line", 1)}
    else:                     # a line of extracted text (an output, a page): not the file's
        where = {"line_in_part": rel + 1}
    return {**unit.place, **where, "offset": n.start,
            "length": n.end - n.start, "sentence": " ".join(text[s0:s1].split())[:240]}


def check(ctx: Context, spec: ManifestFile, unit: TextUnit, *, counts_only: bool = False) -> None:
    """``counts_only``: words that are labels (a file name): only the counts they state count,
    a bare number there is a sequence number, not a claim."""
    m = ctx.policy.min_units_per_cell
    text = unit.text
    if unit.place.get("labelled"):
        key, _, value = text.rpartition(":")
        role = header_role(key)
        if role == "group" or _SETTING_KEY.search(key):
            return                      # a year, a code, a level; a version, a size, an id
        if role == "count":
            numbers = [Number("count", float(value), len(key) + 2, len(text), (0, len(text)))]
        else:
            numbers = read_numbers(text.replace("_", " "))
    else:
        numbers = read_numbers(text)
        if not counts_only:        # E3: words that pick out one institution, person or place
            singling_out.check(ctx, spec, unit, _span_place)
    reviews = 0
    _check_bounds(ctx, spec, unit, numbers, m)
    _check_differences(ctx, spec, unit, numbers, m)
    by_sentence: dict[tuple[int, int], list[float]] = {}   # once, not per number: a list of
    for x in numbers:                                        # 10 000 numbers took seconds
        if x.kind == "count" and x.value is not None:
            by_sentence.setdefault(x.sentence, []).append(x.value)
    for n in numbers:
        sent_counts = by_sentence.get(n.sentence, [])
        kind = n.kind
        if kind == "count" and n.value is not None:
            if 0 < n.value < m:
                ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                        location=_place(unit, text, n),
                        en=f"The text states a count of {n.value:g} (fewer than {m} units): a count "
                           "in a sentence is a cell like any other.",
                        zh=f"文字敘述中出現計數 {n.value:g}（少於 {m} 個單位）：句中的計數與表格儲存格相同，須符合門檻。")
            elif n.value == 0 and ctx.policy.zero_cells_need_review:
                ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path,
                        location=_place(unit, text, n),
                        en="The text states a zero count: the reviewer judges whether it discloses "
                           "that nobody in a group has the attribute.",
                        zh="文字敘述中出現零計數：由審查人判斷是否揭露該組無人具此屬性。")
            continue
        if kind == "percent" and sent_counts and n.value is not None:
            total = max(sent_counts)
            implied = n.value / 100 * total
            # the rest of the group is stated too: 97.5% of 120 men leaves 3 who are not
            for part, what, zh_what in ((implied, "", ""), (total - implied, " leaves ", "，其餘")):
                if 0 < round(part) < m:
                    ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                            location=_place(unit, text, n),
                            en=f"{n.value:.3g}% of {total:g}{what or ' is '}{round(part)} "
                               f"(fewer than {m} units).",
                            zh=f"{total:g} 的 {n.value:.3g}%{zh_what or ' 為 '}{round(part)}（少於 {m} 個單位）。")
                    break
            continue
        if kind in ("statistic", "unknown") and sent_counts and _share_of_group(
                ctx, spec, unit, text, n, max(sent_counts), m):
            continue
        if kind == "statistic" and any(c >= m for c in sent_counts):
            continue
        if kind in _WHY and not counts_only:
            reviews += 1
            if reviews <= MAX_REVIEW_REPORTED:
                en, zh = _WHY[kind]
                ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path,
                        location={**_place(unit, text, n), **({"unread": True} if kind == "unread" else {})},
                        en=f"The number {_shown(text[n.start:n.end])!r} in this sentence needs a reviewer: {en}.",
                        zh=f"句中數值 {_shown(text[n.start:n.end])!r} 須由審查人判斷：{zh}。")
    if reviews > MAX_REVIEW_REPORTED:
        ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path, location=dict(unit.place),
                en=f"{reviews - MAX_REVIEW_REPORTED} more numbers in this text need a reviewer.",
                zh=f"此段文字另有 {reviews - MAX_REVIEW_REPORTED} 個數值須由審查人判斷。")


def _shown(token: str) -> str:
    """A number as a finding quotes it: a long run by its ends and its length."""
    return token if len(token) <= 40 else f"{token[:12]}…{token[-12:]} ({len(token)} characters)"


def _share_of_group(ctx: Context, spec: ManifestFile, unit: TextUnit, text: str, n: Number,
                    total: float, m: int) -> bool:
    """A decimal read as a share of the sentence's count (see :mod:`.prose_shares`): True when
    it gave a finding."""
    found = prose_shares.judge(text, n.start, n.end, n.sentence[0], total, m)
    if found is None:
        return False
    severity, k, what = found
    token = text[n.start:n.end]
    if severity == "block":
        en = (f"{token} is a {what} of the {total:g} units this sentence states: it gives away a "
              f"group of {k} (fewer than {m}).")
        zh = f"{token} 為句中 {total:g} 個單位的比例（或其離散量）：即透露 {k} 人的組別（少於 {m}）。"
    else:
        en = (f"If {token} is the {what} of a yes/no variable over the {total:g} units this "
              f"sentence states, it gives away a group of {k} (fewer than {m}); the reviewer decides.")
        zh = (f"若 {token} 為是／否變項在句中 {total:g} 個單位上的平均或離散量，即透露 {k} 人的組別"
              f"（少於 {m}）；由審查人判斷。")
    ctx.add(rule="E2", check=CHECK, severity=severity, file=spec.path,
            location=_place(unit, text, n), en=en, zh=zh)
    return True


def _check_differences(ctx: Context, spec: ManifestFile, unit: TextUnit, numbers: list[Number],
                       m: int) -> None:
    """E3: two counts of one text whose difference is a small count ("1,203 patients ... after
    exclusions 1,200") state that small count by subtraction.  Whether the two count nested
    groups only the sentence can tell: a reviewer reads it (default deny, never pass)."""
    cap = ctx.policy.prose_difference_max_counts
    counts = [n for n in numbers if n.kind == "count" and n.value is not None and n.value >= m]
    if not cap or len(counts) < 2 or len(counts) > cap:
        if cap and len(counts) > cap:
            ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                    location=dict(unit.place),
                    en=f"This text states {len(counts)} counts, too many to compare pairwise for "
                       "small differences: a reviewer checks that no two differ by a small count.",
                    zh=f"此段文字載有 {len(counts)} 個計數，無法逐對比較差值：須由審查人確認任兩者之差非小計數。")
        return
    seen = set()
    for i, a in enumerate(counts):
        for b in counts[i + 1:]:
            d = abs(a.value - b.value)
            if 0 < d < m and d == int(d) and (key := (min(a.value, b.value), d)) not in seen:
                seen.add(key)
                hi, lo = (a, b) if a.value > b.value else (b, a)
                ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                        location=_place(unit, text := unit.text, lo),
                        en=f"The text states counts {hi.value:g} and {lo.value:g}: if one group "
                           f"holds the other, the {d:g} between them is a count under {m} "
                           "(differencing); a reviewer checks the sentences.",
                        zh=f"文字載有計數 {hi.value:g} 與 {lo.value:g}：若其一包含另一，兩者之差 "
                           f"{d:g} 即為少於 {m} 的計數（差分）；須由審查人檢查。")


def check_across(ctx: Context, spec: ManifestFile, units: list[TextUnit]) -> None:
    """E3: the same small-gap comparison between the text units of one file (Markdown list
    items, paragraphs a reader keeps apart); pairs inside one unit are left to ``check``."""
    m, cap = ctx.policy.min_units_per_cell, ctx.policy.prose_difference_max_counts
    counts = stated_counts(units, m)
    if cap:
        _across_files(ctx, spec, counts, m, cap)
    # kept for the request-wide comparison with the tables (prose_tables), whatever ``cap``
    ctx.prose_counts.extend((spec.path, u, n) for _, u, n in counts)
    if not cap:
        return
    if len(units) < 2:
        return
    if len(counts) > cap:
        return              # each unit is still compared within itself
    for i, (k, ua, a) in enumerate(counts):
        for (j, ub, b) in counts[i + 1:]:
            d = abs(a.value - b.value)
            if j != k and 0 < d < m and d == int(d):
                ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                        location=_place(ub, ub.text, b),
                        en=f"The file states counts {max(a.value, b.value):g} and "
                           f"{min(a.value, b.value):g} in different parts: if one group holds the "
                           f"other, the {d:g} between them is a count under {m} (differencing); a "
                           "reviewer checks the text.",
                        zh=f"檔案不同段落載有計數 {max(a.value, b.value):g} 與 {min(a.value, b.value):g}："
                           f"若其一包含另一，兩者之差 {d:g} 即為少於 {m} 的計數（差分）；須由審查人檢查。")
                return


def stated_counts(units: list[TextUnit], m: int) -> list[tuple[int, TextUnit, Number]]:
    """(unit index, unit, number) of every count of at least ``m`` the units state: the
    counts compared for small gaps (smaller ones block on their own)."""
    return [(k, u, n) for k, u in enumerate(units) for n in read_numbers(u.text)
            if n.kind == "count" and n.value is not None and n.value >= m]


def _across_files(ctx: Context, spec: ManifestFile, counts: list, m: int, cap: int) -> None:
    """E3 between the texts of one request: "103 patients" in one file, "100 patients" in
    another leave 3 by subtraction just as well."""
    earlier = [(path, n.value) for path, _, n in ctx.prose_counts]
    if len(earlier) + len(counts) <= cap * 4:
        for path, value in earlier:
            hit = next(((u, n) for _, u, n in counts if 0 < abs(n.value - value) < m
                        and abs(n.value - value) == int(abs(n.value - value))), None)
            if hit and path != spec.path:
                u, n = hit
                d = abs(n.value - value)
                ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                        location=_place(u, u.text, n),
                        en=f"This file states {n.value:g} and {path} states {value:g}: if one group "
                           f"holds the other, the {d:g} between them is a count under {m} "
                           "(differencing across files); a reviewer checks both.",
                        zh=f"本檔載有 {n.value:g}，{path} 載有 {value:g}：若其一包含另一，兩者之差 "
                           f"{d:g} 即為少於 {m} 的計數（跨檔差分）；須由審查人檢查兩檔。")
                break


def _check_bounds(ctx: Context, spec: ManifestFile, unit: TextUnit, numbers: list[Number],
                  m: int) -> None:
    text = unit.text
    counts = [n.value for n in numbers if n.kind == "count" and n.value]
    for n in numbers:
        if n.kind != "bound" or n.value is None:
            continue
        s0, s1 = n.sentence
        if SUPPRESSION_RULE.search(text[s0:s1]):
            continue                  # the suppression rule stated in the methods, not a cell
        where = _place(unit, text, n)
        rest = max(counts) - sum(counts) + max(counts) if len(counts) >= 2 else None
        if rest is not None and 0 < rest < m and rest < n.value:
            ctx.add(rule="E3", check=CHECK, severity="block", file=spec.path, location=where,
                    en=f"A count given as under {n.value:g} is {rest:g} by difference: the text's "
                       f"total {max(counts):g} less its other counts leaves {rest:g} (fewer than {m}).",
                    zh=f"以「少於 {n.value:g}」表示的計數可由差分算出為 {rest:g}：文中總數 "
                       f"{max(counts):g} 減去其他計數後剩 {rest:g}（少於 {m}）。")
        elif n.value <= m:
            ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path, location=where,
                    en=f"The text gives a count as under {n.value:g}: that marks a small cell "
                       f"(fewer than {m} units) in words; leave the category out or merge it.",
                    zh=f"文字以「少於 {n.value:g}」表示計數：等同以文字標示小於 {m} 的細格；"
                       "請刪除或合併該類別。")
        else:
            ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path, location=where,
                    en=f"The text gives a count only as under {n.value:g}: a reviewer checks that "
                       "no total or other count gives the exact number away.",
                    zh=f"文字僅以「少於 {n.value:g}」表示計數：須由審查人確認無總數或其他計數可推得確切數值。")
