"""Cells as health papers print them, parsed into the counts and statistics they state.

``n (%)``, ``mean (SD)``, ``mean ± SD``, ``median [IQR]`` / ``median (Q1–Q3)``,
``median (min–max)`` (when the row or column says range), ``x–y`` ranges (a minimum and a
maximum), and ``N = …`` / ``n=…`` / 「共120人」 in headers.  Full-width brackets and the
dashes and tildes papers use are accepted.  A cell that is none of these and not a plain
number is returned as ``None`` (text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from deidentify.regex_cache import compiled
from egress_review.engine.count_forms import count_form
from egress_review.engine.numerals import spelled_number

NUM = r"[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_DASH = r"\s*(?:[-–—~～]|to|至)\s*"
_OPEN, _CLOSE = r"\s*[(（\[［]\s*", r"\s*[)）\]］]\s*"
_PCT = r"\s*[%％]?"

N_PCT = compiled(rf"^({NUM}){_OPEN}({NUM}){_PCT}{_CLOSE}$")
N_SLASH_PCT = compiled(rf"^({NUM})\s*/\s*({NUM}){_OPEN}({NUM}){_PCT}{_CLOSE}$")
MEAN_SD = compiled(rf"^({NUM}){_OPEN}(?:SD\s*[:=]?\s*)?({NUM}){_CLOSE}$", re.I)
MEAN_PM = compiled(rf"^({NUM})\s*(?:±|\+/-|\+-)\s*({NUM})$")
MED_IQR = compiled(rf"^({NUM}){_OPEN}(?:IQR\s*[:=]?\s*)?({NUM})(?:{_DASH}|\s*,\s*)({NUM}){_CLOSE}$", re.I)
RANGE = compiled(rf"^({NUM}){_DASH}({NUM})$")
PLAIN = compiled(rf"^({NUM}){_PCT}$")
N_HEADER = compiled(rf"(?:\b[nN]\s*[=:＝]\s*|共\s*)({NUM})\s*(?:人|例|名|位)?")
_STARTS_AS_NUMBER = compiled(r"[-−+]?\.?\d")
_RANGE_WORDS = compiled(r"range|min|max|最小|最大|範圍|全距", re.I)
_PERCENT_WORDS = compiled(r"%|％|percent|pct|proportion|比例|百分比|佔", re.I)


def num(s: str) -> float:
    return float(s.replace(",", "").replace("−", "-"))


@dataclass
class Cell:
    """What one cell states: ``parts`` are (statistic, value) in print order; statistic is one
    of count, percent, mean, std, median, q1, q3, min, max, number."""
    form: str
    parts: list[tuple[str, float]]


def parse_cell(text: str, context: str = "") -> Cell | None:
    """``context``: the row and column labels (they tell ``median (min–max)`` from
    ``median (IQR)`` and a percent column from a count one)."""
    t = " ".join(text.replace("\u00a0", " ").split())
    if (v := spelled_number(t)) is not None:
        return Cell("number", [("number", v)])     # 三, "three", 3E+00: the count 3
    if (v := count_form(t, context)) is not None:
        return Cell("number", [("number", v)])     # "|||", "III" under n: the count 3
    if not t or not _STARTS_AS_NUMBER.match(t):
        return None                          # every form above starts with its number
    if (m := PLAIN.match(t)):
        pct = t.endswith(("%", "％"))
        return Cell("number", [("percent" if pct else "number", num(m.group(1)))])
    if (m := N_SLASH_PCT.match(t)):
        return Cell("n/N (%)", [("count", num(m.group(1))), ("denominator", num(m.group(2))),
                                ("percent", num(m.group(3)))])
    if (m := N_PCT.match(t)):
        a, b = num(m.group(1)), num(m.group(2))
        pct_mark = "%" in t or "％" in t or _PERCENT_WORDS.search(context)
        sd_mark = re.search(r"SD|mean|平均|標準差", context, re.I)
        whole = float(a).is_integer()
        if pct_mark or (whole and 0 <= b <= 100 and not sd_mark):
            return Cell("n (%)", [("count", a), ("percent", b)])
        return Cell("mean (SD)", [("mean", a), ("std", b)])
    if (m := MEAN_PM.match(t)):
        return Cell("mean ± SD", [("mean", num(m.group(1))), ("std", num(m.group(2)))])
    if (m := MED_IQR.match(t)):
        med, lo, hi = num(m.group(1)), num(m.group(2)), num(m.group(3))
        if _RANGE_WORDS.search(context) and not re.search(r"IQR|Q1|quartile|四分位", context, re.I):
            return Cell("median (min–max)", [("median", med), ("min", lo), ("max", hi)])
        return Cell("median [IQR]", [("median", med), ("q1", lo), ("q3", hi)])
    if (m := MEAN_SD.match(t)):
        return Cell("mean (SD)", [("mean", num(m.group(1))), ("std", num(m.group(2)))])
    if (m := RANGE.match(t)) and not re.match(r"^\d{4}-\d{2}", t):
        return Cell("range", [("min", num(m.group(1))), ("max", num(m.group(2)))])
    return None


def header_n(text: str) -> float | None:
    """The ``N = …`` a header or caption states (「共120人」, ``(n=120)``)."""
    m = N_HEADER.search(text or "")
    return num(m.group(1)) if m else None
