"""E3: a count in the request's texts against the counts of its tables and of earlier releases.

A table publishes "Diabetes 103", the report says "Of the patients with diabetes, 100 were
treated": 3 were not, though no number under the threshold is written anywhere, and the
comparisons of texts among themselves (:mod:`prose_check`) never see the table.  So every
count a text states (collected by ``prose_check.check_across``) is set against the cells a
reader would put next to it:
- a table's population: its grand total, or the sum of its finest cells when none is hidden;
- a cell whose category the same part of the text names ("diabetes", "20-29", 「糖尿病」).
A difference of 1 … ``min_units_per_cell`` − 1 goes to a reviewer with both numbers: whether
one group holds the other is read by a person (default deny).  A count equal to a published
cell or total restates the tables and adds no number (their own rules judge the tables), and a
cell whose category the text does not name is not compared: a report next to a large table
would otherwise meet some cell a few away from nearly every count it states.
The counts stated in texts released earlier (:class:`history.ReleaseHistory` ``text_counts``)
are set against every count, as the texts of one request are among themselves.  This request's
tables and the case's earlier releases have their own settings
(``prose_table_difference_max_cells``, ``prose_history_difference_max_cells``).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Callable

from egress_review.engine.context import Context
from egress_review.engine.linking import Series, fold, request_items, series_total
from egress_review.engine.prose_check import _place
from egress_review.engine import synonyms

RULE = "E3"
CHECK = "prose_tables"
MAX_REPORTED = 10
_WORD = re.compile(r"[^\W_]+")


def check_request(ctx: Context) -> None:
    pol = ctx.policy
    items = request_items(ctx, lambda t: bool(t.count_cols))
    if items:
        # kept with the result: a comment the requester writes later is set against them
        # (comment_findings) without reading the files again
        series = ctx.linked(items).series
        totals = {id(s): series_total(s, hidden_unknown=True) for s in series}
        ctx.table_counts = [[v, what, labels, hist] for hist in (False, True)
                            for v, what, labels in _known([s for s in series if s.hist == hist], totals)]
    ctx.table_counts += [[v, f"a count in the text {p}", None, True] for p, v in ctx.history.text_counts
                         if v >= pol.min_units_per_cell]
    cap = max(pol.prose_table_difference_max_cells, pol.prose_history_difference_max_cells)
    del ctx.table_counts[cap + 1:]          # more than compared: a comment then goes to review
    if not ctx.prose_counts and not ctx.history.text_counts:
        return
    series = ctx.linked(items).series
    totals = {id(s): series_total(s, hidden_unknown=True) for s in series}
    stated = {c.value for s in series for c in s.cells if c.value is not None}
    stated |= {v for v in totals.values() if v is not None}
    fresh = [(path, u, n) for path, u, n in ctx.prose_counts if n.value not in stated]
    for hist, cap in ((False, pol.prose_table_difference_max_cells),
                      (True, pol.prose_history_difference_max_cells)):
        group = [s for s in series if s.hist == hist]
        earlier = ctx.history.text_counts if hist else []
        if cap and fresh and (group or earlier):
            _compare(ctx, fresh, group, totals, cap, hist, earlier)
    if pol.prose_history_difference_max_cells:
        start = len(ctx.findings)
        _totals_against_released_texts(ctx, series, totals)
        ctx.owner_findings(start)       # a table found inside a file: filed under that file


def _totals_against_released_texts(ctx: Context, series: list[Series], totals: dict) -> None:
    """The other way round: a table of this request whose population is a few from a count a
    released text stated ("1,203 patients" in last year's report, a table of 1,200 now).  Only
    the population: which category a released count was of is not kept."""
    m = ctx.policy.min_units_per_cell
    earlier = sorted((v, path) for path, v in ctx.history.text_counts if v >= m)
    old = {v for v, _ in earlier} | {c.value for s in series if s.hist for c in s.cells}
    values = [v for v, _ in earlier]
    reported = 0
    for s in series:
        t = totals[id(s)]
        if s.hist or t is None or t in old or reported >= MAX_REPORTED:
            continue
        lo, hi = bisect.bisect_left(values, t - m), bisect.bisect_right(values, t + m)
        hit = next(((v, p) for v, p in earlier[lo:hi] if 0.5 <= abs(v - t) < m - 0.5), None)
        if hit is None:
            continue
        value, path = hit
        gap = abs(value - t)
        reported += 1
        ctx.add(rule=RULE, check=CHECK, severity="review", file=s.table.path,
                location={"table": s.label, "released": path, "value": gap, "history": True},
                en=f"{s.label} counts {t:g} in all and the released text {path} states {value:g}: "
                   f"if one group holds the other, the {gap:g} between them is a count under {m} "
                   "(differencing with an earlier release); a reviewer checks both.",
                zh=f"{s.label} 總數為 {t:g}，先前釋出的文字 {path} 載有 {value:g}：若其一包含另一，"
                   f"兩者之差 {gap:g} 即為少於 {m} 的計數（與先前釋出差分）；須由審查人檢查兩者。")


def _compare(ctx: Context, fresh: list, group: list[Series], totals: dict, cap: int,
             hist: bool, earlier: list[tuple[str, float]]) -> None:
    m = ctx.policy.min_units_per_cell
    known = _known(group, totals)
    # a count a released text states is set against every count, as texts of one request are
    known += [(v, f"a count in the text {path}", None) for path, v in earlier if v >= m]
    compare(ctx, fresh, known, cap, hist)


def _known(group: list[Series], totals: dict) -> list[tuple[float, str, list | None]]:
    """(value, what a reader sets a count against, the category labels naming it or None)."""
    known = [(t, f"{s.label} (total)", None) for s in group if (t := totals[id(s)]) is not None]
    known += [(c.value, f"{s.label} at " + ", ".join(f"{d}={v}" for d, v in sorted(c.coords.items())),
               list(c.coords.values()))
              for s in group for c in s.cells if c.value is not None and c.coords]
    return known


def compare(ctx: Context, fresh: list, known: list, cap: int, hist: bool) -> None:
    """Each count of ``fresh`` (path, text unit, number) against ``known`` (see :func:`_known`)."""
    m = ctx.policy.min_units_per_cell
    src_en, src_zh = ("the case's earlier releases", "本案先前釋出的表格") if hist \
        else ("this request's tables", "本申請的表格")
    if len(known) > cap:
        path = fresh[0][0]
        ctx.add(rule=RULE, check=CHECK, severity="review", file=path, location={"cells": len(known)},
                en=f"The texts state {len(fresh)} count(s) and {src_en} hold {len(known)} cells, "
                   f"more than are compared ({cap}): a reviewer checks that no count of the text "
                   f"is a few (under {m}) from a cell it can be set against.",
                zh=f"文字載有 {len(fresh)} 個計數，{src_zh}共 {len(known)} 格，超過比較上限（{cap}）："
                   f"須由審查人確認文中計數與可對照之儲存格差值皆不少於 {m}。")
        return
    known.sort(key=lambda k: k[0])
    values = [k[0] for k in known]
    names: dict[int, Callable[[str], bool]] = {}
    reported = 0
    for path, unit, n in fresh:
        if reported >= MAX_REPORTED:
            return
        named = names.setdefault(id(unit), _mentions(unit.text))
        lo, hi = bisect.bisect_left(values, n.value - m), bisect.bisect_right(values, n.value + m)
        hit = next((k for k in known[lo:hi] if 0.5 <= abs(k[0] - n.value) < m - 0.5
                    and (k[2] is None or any(named(lab) for lab in k[2]))), None)
        if hit is None:
            continue
        value, what, _ = hit
        gap = abs(value - n.value)
        reported += 1
        ctx.add(rule=RULE, check=CHECK, severity="review", file=path,
                location={**_place(unit, unit.text, n), "cell": what, "value": gap,
                          "history": hist},
                en=f"The text states {n.value:g} and {src_en} publish {value:g} ({what}): if one "
                   f"group holds the other, the {gap:g} between them is a count under {m} "
                   "(differencing with a table); a reviewer checks both.",
                zh=f"文字載有 {n.value:g}，{src_zh}公布 {value:g}（{what}）：若其一包含另一，兩者之差 "
                   f"{gap:g} 即為少於 {m} 的計數（與表格差分）；須由審查人檢查兩者。")


_RANGE_WORDS = re.compile(
    r"(?:≥|>=|<=|≤|<|>|未滿|under|below|aged?)?\d{1,3}(?:(?:-|至|到|to|~)\d{1,3})?"
    r"(?:歲|岁|years?|yrs?|y)?(?:\+|或?以上|或?以下|andover|andolder|ormore|orolder|orless|"
    r"andunder|andyounger)?")


def _mentions(text: str) -> Callable[[str], bool]:
    """Does the text name a category label (as :func:`linking.norm` keeps it)?  A word of its
    own ("diabetes", "2019"), a longer label run together ("type2diabetes", "20-29"), a label
    in CJK anywhere, a long word's stem, a spelling of its category (:mod:`synonyms`: "women" or
    「女」 for a sex, 「糖尿病」 for E11) or a range written otherwise (「65歲以上」 for ≥65).  One
    letter or a short code ("1", "m") is not taken as named: it occurs in nearly any text."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = set(_WORD.findall(folded))
    squeezed = fold(text)
    ranges = {synonyms.canonical(r) for r in _RANGE_WORDS.findall(squeezed) if r and not r.isdigit()}

    def named(label: str) -> bool:
        if label in ranges:
            return True
        if any(sp in words if sp.isascii() else sp in squeezed for sp in synonyms.spellings(label)):
            return True
        if not label.isascii():
            return len(label) >= 2 and label in squeezed
        if label in words and (len(label) >= 3 or (len(label) == 2 and label.isalpha())):
            return True
        if len(label) >= 5 and label in squeezed:
            return True
        return len(label) >= 6 and label.isalpha() and any(w.startswith(label[:6]) for w in words)

    return named


def comment_findings(ctx: Context, text: str, table_counts: list) -> None:
    """A comment the requester writes on a checked request: its counts against the counts the
    check kept (``CheckResult.table_counts``: the request's tables, earlier releases and their
    texts), as :func:`check_request` sets the request's own words against them."""
    from egress_review.engine.request_words import check_words

    start = len(ctx.prose_counts)
    check_words(ctx, text, {"request": "comment"})
    fresh = ctx.prose_counts[start:]
    stated = {row[0] for row in table_counts}
    fresh = [(p, u, n) for p, u, n in fresh if n.value not in stated]
    for hist, cap in ((False, ctx.policy.prose_table_difference_max_cells),
                      (True, ctx.policy.prose_history_difference_max_cells)):
        known = [(v, what, labels) for v, what, labels, h in table_counts if bool(h) == hist]
        if cap and fresh and known:
            compare(ctx, fresh, known, cap, hist)
