"""Counts written in forms no number parser reads, in a cell where a count is due (E2).

A red-team round passed tables whose count column held Roman numerals ("III", "CXX") or bars
of characters ("|||", "###", "███": a text histogram, the bar's length the count): a column of
such cells read as words, so the table was labels only and nothing was checked.  A cell that
is wholly
- a Roman numeral (I … MMMCMXCIX, well formed), under a header or row label that says it
  counts (n, count, patients, 人數) - elsewhere "III" is a stage or a grade and stays a label;
- one bar character repeated (``|``, ``#``, ``*``, ``=``, ``+``, ``█``, ``■``, ``▇``, ``●`` …),
  anywhere: no category is written so, and the bar's length is what it shows;
is that number.  ``SMALL_MARK``: the marks that stand for a small cell ("<5", "≤5", "1-5"),
so that a count column holding them beside numbers is still a count column (the symbols check
then blocks the mark, which with an exact total gives the cell back).
"""
from __future__ import annotations

import re

_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_BAR = re.compile(r"^([|#*=+█■▇▆▅▄▌▍▎▏●○◆□▪▮])\1*$")
SMALL_MARK = re.compile(r"^(?:[<≤＜≦]\s*=?\s*\d{1,2}|\d\s*[-–~]\s*\d|[*＊]|x|X|s|S|n<\d{1,2})$")


def roman(text: str) -> int | None:
    t = text.strip()
    if not t or not _ROMAN.match(t):
        return None
    total, prev = 0, 0
    for ch in reversed(t):
        v = _ROMAN_VALUE[ch]
        total += -v if v < prev else v
        prev = max(prev, v)
    return total


def bar_length(text: str) -> int | None:
    t = text.strip()
    return len(t) if t and _BAR.match(t) else None


def count_form(text: str, context: str = "") -> float | None:
    """The count a cell writes as a bar or (where a count is due) a Roman numeral, else None."""
    n = bar_length(text)
    if n is not None:
        return float(n)
    n = roman(text)
    if n is not None:
        from egress_review.engine.unit_tables import header_role

        if context and header_role(context) == "count":
            return float(n)
    return None
