"""Ranked or counted lists typed as lines: a table written without a table's form.

"Top 5 rare diagnoses" over "1. Marfan syndrome - 3", "2. Fabry disease (2)", "- Gaucher: 4"
or "Marfan syndrome x3" is a frequency table of rare categories, each count a small cell (E2),
but as list items each line was only a sentence whose bare number went to a reviewer.  A run of
three or more such lines under a heading that says it counts or ranks (top, most common,
frequency, number of, patients, 人數, 前5大 …, within the three lines above) is read as a
two-column table ("category", "n"): its small counts block and large ones are judged as any
count.  Without such a heading the lines stay sentences (a reviewer reads their numbers).
"""
from __future__ import annotations

import re

from egress_review.engine.readers.model import TableUnit

# one item: an optional bullet or rank, a label with a letter, and its number after ":", a dash,
# in brackets, "x3"/"×3" or a run of spaces; the number may carry thousands commas
_ITEM = re.compile(r"^\s*(?:[-*•+]\s+|\(?\d{1,3}[.)]\s+|#\d{1,3}\s+)?"
                   r"(?P<label>[^\d\s:|,;][^:|;]{0,120}?)\s*"
                   r"(?:[:：]\s*|\s[-–—]\s*|\s{2,}|\s*[(（]\s*(?:n\s*=\s*)?|\s+[x×]\s?)"
                   r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s*(?:[)）]|人|例|名|patients?|cases?|persons?)?\s*$",
                   re.I)
_HEADING = re.compile(r"\btop\b|\bmost\s+(?:common|frequent|prevalent)|\bleading\b|\bcommonest\b|"
                      r"\brare\b|\bfrequenc|\bcounts?\b|\bnumber of\b|\b[nN]\b|\bpatients?\b|\bcases?\b|"
                      r"\bpersons?\b|人數|例數|個案|前\s*\d+\s*大|最常見|排名|頻率|次數", re.I)
_MIN_ITEMS = 3
_LETTER = re.compile(r"[^\W\d_]")
_MAX_LINE = 200            # an item is a short line; a long one is never tried (cost stays linear)


def _item(line: str):
    if len(line) > _MAX_LINE:
        return None
    m = _ITEM.match(line)
    return m if m and _LETTER.search(m.group("label")) else None


def counted_lists(text: str, place: dict | None = None) -> list[TableUnit]:
    """Tables of the counted lists in ``text`` (placed by the line of their first item)."""
    return [u for _, _, u in counted_list_spans(text, place)]


def counted_list_spans(text: str, place: dict | None = None) -> list[tuple[int, int, TableUnit]]:
    """(first line, line after the last, table) of each counted list in ``text`` (0-based)."""
    pre = dict(place or {})
    lines = text.split("\n")
    units: list[tuple[int, int, TableUnit]] = []
    i = 0
    while i < len(lines):
        m = _item(lines[i])
        if not m:
            i += 1
            continue
        run = []
        j = i
        while j < len(lines) and (m := _item(lines[j])):
            run.append((m.group("label").strip(" .-*#"), m.group("n").replace(",", "")))
            j += 1
        above = " ".join(lines[max(0, i - 3):i])
        if len(run) >= _MIN_ITEMS and _HEADING.search(above):
            units.append((i, j, TableUnit(rows=[["category", "n"]] + [list(r) for r in run],
                                          place={**pre, "line": pre.get("line", 1) + i, "part": "list"},
                                          caption=above.strip()[:80])))
        i = j
    return units
