"""Counts typed into a program as label strings: ``['North: 120', 'South: 3']``, R's
``c("North: 120", "South: 3")``, a SAS format's ``1='North: 120' 2='South: 3'`` (E7/E2).

A string of one word and a number was not read as a sentence (too few words to be a message),
so a list of them left with the code unread.  Two or more such strings in one run (separated
by commas, blanks or a format's ``key =``) are a table: label → number, headed as a frequency
when the numbers have a frequency table's shape (whole, not category codes)."""
from __future__ import annotations

import re

from egress_review.engine.readers.code_literals import _looks_like_counts
from egress_review.engine.readers.model import TableUnit

# 'label: 120', "label = 3", '地區：3' (the label starts with a letter; bounded: linear)
_LABELLED = re.compile(r"(['\"])\s*([^\W\d_][^'\"\n\d:=：]{0,60}?)\s*[:=：]\s*(\d[\d,]*(?:\.\d+)?)\s*\1")
_BETWEEN = re.compile(r"[\s,]*(?:[\w.]+\s*=\s*)?")


def label_string_tables(text: str) -> list:
    units, group, prev_end = [], [], -1

    def close():
        if len(group) >= 2:
            nums = [float(v.replace(",", "")) for _, v, _ in group]
            header = "value (n)" if _looks_like_counts(nums) else "value"
            units.append(TableUnit(rows=[["category", header]] + [[k, v.replace(",", "")] for k, v, _ in group],
                                   place={"line": text.count("\n", 0, group[0][2]) + 1, "part": "literal",
                                          "literal": "label strings"}, caption="label strings"))
        group.clear()

    for m in _LABELLED.finditer(text):
        if group and not _BETWEEN.fullmatch(text, prev_end, m.start()):
            close()
        group.append((m.group(2).strip(), m.group(3), m.start()))
        prev_end = m.end()
    close()
    return units
