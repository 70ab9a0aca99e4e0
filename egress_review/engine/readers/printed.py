"""Printed results (a notebook's text/plain output, a stream, a .txt/.log file).

A model printout becomes a :class:`ModelSummary`; a pandas ``DataFrame``/``Series`` as it
prints (columns aligned by runs of spaces) becomes a table through ``pandas.read_fwf``; runs of
three or more lines that split into the same number of fields on one delimiter (comma, tab,
semicolon, bar) with a numeric column - a CSV pasted into a .txt, ``print(df.to_csv())`` - are
tables too, whatever the file was declared as; the rest is prose.
"""
from __future__ import annotations

import csv
import io
import re

from egress_review.engine.numerals import spelled_number
from egress_review.engine.readers.model import Content, TableUnit, TextUnit
from egress_review.engine.readers.model_summary import find_model_summary

_FOOTER = re.compile(r"^(\[\d+ rows x \d+ columns\]|Name: .*|dtype: \w+|Length: \d+.*)$")
_SERIES_NAME = re.compile(r"^Name: (.*?)(?:, dtype: \w+)?$")


def _pandas_table(text: str) -> list[list[str]] | None:
    """The rows of a pandas repr, or None when the text is not one."""
    import pandas as pd

    lines = [ln.rstrip() for ln in text.strip("\n").split("\n") if ln.strip()]
    footer = [ln for ln in lines if _FOOTER.match(ln.strip())]
    body = [ln for ln in lines if not _FOOTER.match(ln.strip())]
    if len(body) < 2 or any(ln.strip() == "..." for ln in body):
        return None
    # every line of a repr has a gap of two or more spaces between aligned columns
    if not all(re.search(r"\S\s{2,}\S", ln) or len(ln.split()) == 1 for ln in body[1:]):
        return None
    name = next((m.group(1) for ln in footer if (m := _SERIES_NAME.match(ln.strip()))), None)
    series = any(ln.strip().startswith(("Name:", "dtype:")) for ln in footer)
    try:
        df = pd.read_fwf(io.StringIO("\n".join(body)), header=None, dtype=str)
    except Exception:
        return None
    df = df.fillna("")
    if df.shape[1] < 2:
        return None
    rows = [[str(v).strip() for v in r] for r in df.itertuples(index=False)]
    if series:
        header = ["", name or "value"] + [""] * (df.shape[1] - 2)
        if rows and rows[0][0] and not any(rows[0][1:]):      # the index's name
            header[0] = rows.pop(0)[0]
        return [header] + rows
    # pandas prints the column names first, then (for a named index) the index names
    if len(rows) >= 2 and rows[1][0] and not any(rows[1][1:]):
        head = [" ".join(x for x in pair if x) for pair in zip(rows[0], rows[1])]
        return [head] + rows[2:]
    return rows


_DELIMITERS = (",", "\t", ";", "|")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


def _fields(line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([line], delimiter=delimiter), [])
    if delimiter == "|":       # a bar-framed row: | a | b |
        row = row[1:] if row and not row[0].strip() else row
        row = row[:-1] if row and not row[-1].strip() else row
    return [c.strip() for c in row]


def delimited_blocks(lines: list[str]) -> list[tuple[int, int, list[list[str]]]]:
    """(first line, end line, rows) of each run of at least three lines that split into the
    same number (two or more) of fields on one delimiter, with a column numeric below the
    first line."""
    out = []
    i = 0
    while i < len(lines):
        best = None
        for d in _DELIMITERS:
            if d not in lines[i]:
                continue
            width = len(_fields(lines[i], d))
            if width < 2:
                continue
            j = i + 1
            while j < len(lines) and d in lines[j] and len(_fields(lines[j], d)) == width:
                j += 1
            if j - i >= 3 and (best is None or j > best[1]):
                best = (d, j)
        if best is not None:
            d, j = best
            rows = [_fields(ln, d) for ln in lines[i:j]]
            if any(all(_NUMBER.match(r[c].replace(" ", "")) or spelled_number(r[c]) is not None
                       for r in rows[1:] if r[c]) and any(r[c] for r in rows[1:])
                   for c in range(len(rows[0]))):
                out.append((i, j, rows))
                i = j
                continue
        i += 1
    return out


def read_printed(text: str, place: dict | None = None) -> Content:
    out = Content("printed")
    pre = dict(place or {})
    ms = find_model_summary(text, pre)
    if ms is not None:
        out.add(ms)
        return out
    rows = _pandas_table(text)
    if rows is not None:
        out.add(TableUnit(rows=rows, place=pre))
        return out
    lines = text.split("\n")
    blocks = delimited_blocks(lines)
    for a, b, rows in blocks:
        out.add(TableUnit(rows=rows, place={**pre, "line": pre.get("line", 1) + a}))
        lines[a:b] = [""] * (b - a)        # the rest keeps its line numbers
    rest = "\n".join(lines)
    if rest.strip():
        out.add(TextUnit(rest, pre))
    return out
