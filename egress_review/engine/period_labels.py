"""Years, quarters, halves and months however a table writes them, as the period of days
:func:`category_sets.date_interval` reads (E3: a renamed period must not unlink two releases).

The lead's probe of 6 December: 40 persons in "2020", then 42 in 「109年」 (the same year in the
ROC calendar), passed; so did "2020Q1" then 「109年第1季」 and "2020-01" then "Jan 2020".  Each
form below is rewritten to the months it covers (``2020-01~2020-12``), so a year, its quarters
and its months are cut at the same boundaries and differenced like age bands.

Only a whole label is read (a year inside a sentence is not a category), after
``linking.fold`` (case, spaces and full-width forms folded away).  A bare four-digit number is
a year only from 1900 to 2100; three digits are a ROC year only with 年 or 民國/ROC.
"""
from __future__ import annotations

import re

_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for m in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_HAN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_WEST = r"(?:西元|公元|year|yr|cy|fy)?(?P<y>(?:19|20)\d\d)(?:年度?)?"
_ROC = r"(?:(?:民國|民|roc|r\.o\.c\.?)(?P<r>\d{2,3})(?:年度?)?|(?P<r2>\d{2,3})年度?)"
_YEAR = rf"(?:{_WEST}|{_ROC})"

_FORMS = [
    (re.compile(rf"^{_YEAR}$"), "year"),
    (re.compile(rf"^{_YEAR}[-/_.]?(?:第?(?P<q>[1-4一二三四])季|q(?P<q2>[1-4]))$"), "quarter"),
    (re.compile(rf"^(?:q(?P<q>[1-4])|(?P<q2>[1-4])q)[-/_.,]?{_YEAR}$"), "quarter"),
    (re.compile(rf"^{_YEAR}[-/_.]?(?:(?P<h>上|下)半年?|h(?P<h2>[12]))$"), "half"),
    (re.compile(rf"^h(?P<h>[12])[-/_.,]?{_YEAR}$"), "half"),
    (re.compile(rf"^(?P<mon>{_MONTH})\.?[-/_.,]?{_YEAR}$"), "month"),
    (re.compile(rf"^{_YEAR}[-/_.,]?(?P<mon>{_MONTH})\.?$"), "month"),
]


def _year(m: re.Match) -> int | None:
    y = m.group("y")
    if y:
        return int(y)
    r = m.group("r") or m.group("r2")
    return int(r) + 1911 if r and 1 <= int(r) <= 200 else None


def _span(y: int, first: int, last: int) -> str:
    return f"{y}-{first:02d}~{y}-{last:02d}" if first != last else f"{y}-{first:02d}"


def rewrite(label: str) -> str | None:
    """The months a folded ``label`` names, written as ``category_sets`` reads periods, or None
    when it names no year, quarter, half or month in these forms."""
    if len(label) > 24:
        return None
    for pattern, kind in _FORMS:
        m = pattern.match(label)
        if not m:
            continue
        y = _year(m)
        if y is None:
            return None
        if kind == "year":
            return _span(y, 1, 12)
        if kind == "quarter":
            q = _HAN_NUM[m.group("q") or m.group("q2")]
            return _span(y, 3 * q - 2, 3 * q)
        if kind == "half":
            h = m.group("h") or m.groupdict().get("h2")
            return _span(y, 1, 6) if h in ("上", "1") else _span(y, 7, 12)
        mon = _MONTHS[m.group("mon")]
        return _span(y, mon, mon)
    return None
