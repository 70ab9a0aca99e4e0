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
from egress_review.engine.readers.label_lists import counted_list_spans
from egress_review.engine.readers.model_span import model_lines

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
    # every line of a repr has a gap of two or more spaces between aligned columns; its first
    # line too (a log line above an aligned table is no header: "2026-01-01 step 3")
    if not all(re.search(r"\S\s{2,}\S", ln) or len(ln.split()) == 1 for ln in body):
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


# "  ": columns aligned by runs of spaces (a table typed into a docstring, a comment or a log);
# "&": a LaTeX tabular's cells (``North & 3 \\``); " ": one space (``North 3`` under a header
# with no number), tried only when nothing else splits the lines.
_DELIMITERS = (",", "\t", ";", "|", "  ", "&", " ")
# A ruling line between rows: ASCII-art frames (+-----+), a Markdown separator (|---|:--:|),
# LaTeX rules (\hline, \midrule).  It is no row, and it must not end the run it divides.
# (matched on the stripped line: a leading \s* before another one backs off over a run of
# blanks, the square of it)
_RULE_LINE = re.compile(r"(?:[|+]\s*)?:?[-=_~]{3,}:?(?:\s*[|+]\s*:?[-=_~]{3,}:?)*(?:\s*[|+])?|"
                        r"\\(?:hline|toprule|midrule|bottomrule|cline\{[^}]*\}|"
                        r"cmidrule(?:\([^)]*\))?\{[^}]*\})(?:\s*\\(?:hline|cline\{[^}]*\}))*")
# LaTeX markup around a cell's words: \textbf{North} -> North, a row's closing \\ and rules
_TEX_WRAP = re.compile(r"\\(?:textbf|textit|emph|text|mathrm|multicolumn\{\d+\}\{[^}]*\}|"
                       r"multirow\{\d+\}\{[^}]*\})\{([^{}]*)\}")
_TEX_END = re.compile(r"\\\\(?:\s*\[[^\]]*\])?(?:\s*\\(?:hline|midrule|toprule|bottomrule))*\s*$")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


def _fields(line: str, delimiter: str) -> list[str]:
    if delimiter == "  ":     # a bar between aligned columns (Stata's tabulate) splits too
        t = line.strip()
        return [c for c in re.split(r"\s{2,}|\t|\s*\|\s*", t) if c] if "  " in t else []
    if delimiter == " ":
        return line.split()
    if delimiter == "&":
        body = _TEX_END.sub("", line)
        for _ in range(3):                       # nested wraps: \textbf{\emph{3}}
            body = _TEX_WRAP.sub(r"\1", body)
        return [c.strip().strip("$").strip() for c in body.split("&")]
    row = next(csv.reader([line], delimiter=delimiter), [])
    if delimiter == "|":       # a bar-framed row: | a | b |
        row = row[1:] if row and not row[0].strip() else row
        row = row[:-1] if row and not row[-1].strip() else row
    return [c.strip() for c in row]


def delimited_blocks(lines: list[str]) -> list[tuple[int, int, list[list[str]]]]:
    """(first line, end line, rows) of each run of at least three lines that split into the
    same number (two or more) of fields on one delimiter, with a column numeric below the
    first line.

    Each line is split once per delimiter and each run's columns are summarised once: trying
    every line of a long run that is no table (20 000 lines holding one tab) as its first line,
    and splitting the rest again each time, cost the square of the run."""
    ruled = [k for k, ln in enumerate(lines) if (t := ln.strip()) and _RULE_LINE.fullmatch(t)]
    if ruled:
        # rules between rows are dropped, and the blocks mapped back to the lines as given
        keep_set = set(ruled)
        keep = [k for k in range(len(lines)) if k not in keep_set]
        inner = delimited_blocks([lines[k] for k in keep])
        return [(keep[a], keep[b - 1] + 1, rows) for a, b, rows in inner]
    split = {d: [_fields(ln, d) if d in ln else [] for ln in lines] for d in _DELIMITERS}
    ends = {d: _run_ends(rows) for d, rows in split.items()}
    columns: dict[tuple[str, int], list[tuple[int, int]]] = {}
    out = []
    i = 0
    while i < len(lines):
        # every delimiter whose run from line i is long enough, the longest first; the one
        # space last and only when nothing else fits (labels hold spaces)
        runs = sorted(((ends[d][i], -k, d) for k, d in enumerate(_DELIMITERS)
                       if len(split[d][i]) >= 2 and ends[d][i] - i >= 3), reverse=True)
        runs.sort(key=lambda r: r[2] == " ")
        found = None
        for j, _, d in runs:
            if d == " " and (found is not None or any(_NUMBER.match(c) for c in split[d][i])):
                continue          # one space splits a header only when it holds no number
            # a column numeric below line i: no other cell after i, and some cell after i
            cols = columns.get((d, j)) or columns.setdefault((d, j), _column_marks(split[d], i, j))
            if any(last_other <= i < last_filled for last_other, last_filled in cols):
                found = (d, j)
                break
        if found is not None:
            d, j = found
            out.append((i, j, split[d][i:j]))
            i = j
            continue
        i += 1
    return out


_TABULAR = re.compile(r"\\begin\{(?:tabular[xy*]?|longtable|array)\}(?:\{[^{}]*\})?"
                      r"((?:\{(?:[^{}]|\{[^{}]*\})*\})?)(.*?)\\end\{(?:tabular[xy*]?|longtable|array)\}",
                      re.S)


def tabular_blocks(text: str) -> list[tuple[int, list[list[str]]]]:
    """(line, rows) of each LaTeX tabular in ``text``: rows end at ``\\\\`` wherever the
    lines break (``North & 3 \\\\ South & 120 \\\\`` on one line is two rows), cells at ``&``."""
    out = []
    for m in _TABULAR.finditer(text):
        body = m.group(2)
        pieces = [" ".join(p.split()) for p in re.split(r"\\\\(?:\s*\[[^\]]*\])?", body)]
        pieces = [_RULE_TOKENS.sub(" ", p).strip() for p in pieces]
        pieces = [p for p in pieces if p]
        for a, _, rows in delimited_blocks(pieces):
            out.append((text.count("\n", 0, m.start()) + 1 + a, rows))
    return out


def page_tables(text: str) -> list[TableUnit]:
    """Tables a Markdown or HTML page holds beside its own table syntax: a LaTeX tabular, and
    a table typed into ``<pre>`` (aligned, ruled or delimited); the page readers took both
    for sentences of numbers."""
    import html

    units = [TableUnit(rows=rows, place={"line": line, "part": "tabular"})
             for line, rows in tabular_blocks(text)]
    for m in re.finditer(r"<pre\b[^>]*>(.*?)</pre>", text, re.S | re.I):
        first = text.count("\n", 0, m.start(1)) + 1
        inner = html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
        units += [TableUnit(rows=rows, place={"line": first + a, "part": "pre"})
                  for a, _, rows in delimited_blocks(inner.split("\n"))]
    return units


_RULE_TOKENS = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|endhead|endfirsthead|endfoot|"
                          r"cline\{[^}]*\}|cmidrule(?:\([^)]*\))?\{[^}]*\})")


def _two_line_tables(lines: list[str]) -> list[tuple[int, list[list[str]]]]:
    """A header of words and one row of numbers, a paragraph of its own ("North,South,East" over
    "120,140,3"): a table, though too short for a run of :func:`delimited_blocks` (a sentence
    with commas is none: its second line is not all numbers)."""
    out = []
    for i in range(len(lines) - 1):
        if i > 0 and lines[i - 1].strip() or i + 2 < len(lines) and lines[i + 2].strip():
            continue
        for d in (",", "\t", ";", "|"):
            if d not in lines[i] or d not in lines[i + 1]:
                continue
            head, body = _fields(lines[i], d), _fields(lines[i + 1], d)
            if len(head) == len(body) >= 2 \
                    and all(c.strip() and not _NUMBER.match(c.strip()) for c in head) \
                    and all(_NUMBER.fullmatch(c.strip()) for c in body):
                out.append((i, [head, body]))
                break
    return out


_LABEL_NUMBER = re.compile(r"^\s*(\S.*?)[\s:：]+(\d{1,3}(?:,\d{3})+|\d+)\s*$")
_TOTAL_LINE = re.compile(r"^(?:total|overall|all|sum|grand total|合計|總計|總數|全體|共計|總人數)$", re.I)


def _row_and_total(lines: list[str]) -> list[tuple[int, list[list[str]]]]:
    """Two lines of their own, a label and a whole number each, the second a total ("East 3"
    over "Total 263", 「東區 3」 over 「合計 263」): a one-row table with its total, too short for
    a run; the first label's number is a count of the total's persons."""
    out = []
    for i in range(len(lines) - 1):
        if i > 0 and lines[i - 1].strip() or i + 2 < len(lines) and lines[i + 2].strip():
            continue
        a, b = _LABEL_NUMBER.match(lines[i]), _LABEL_NUMBER.match(lines[i + 1])
        if a and b and _TOTAL_LINE.match(b.group(1).strip()) and not _TOTAL_LINE.match(a.group(1).strip()):
            out.append((i, [["category", "n"], [a.group(1), a.group(2)], [b.group(1), b.group(2)]]))
    return out


def _run_ends(rows: list[list[str]]) -> list[int]:
    """For each line, the end of the run of lines from it that split into as many fields."""
    ends = [0] * len(rows)
    for k in range(len(rows) - 1, -1, -1):
        same = k + 1 < len(rows) and rows[k] and len(rows[k + 1]) == len(rows[k])
        ends[k] = ends[k + 1] if same else k + 1
    return ends


def _column_marks(rows: list[list[str]], a: int, b: int) -> list[tuple[int, int]]:
    """For each column of lines a..b-1: (the last line whose cell there is filled but no
    number, -1 if none; the last line whose cell there is filled, -1 if none)."""
    marks = [[-1, -1] for _ in rows[a]]
    for k in range(a, b):
        for c, cell in enumerate(rows[k]):
            if cell:
                marks[c][1] = k
                if not (_NUMBER.match(cell.replace(" ", "")) or spelled_number(cell) is not None):
                    marks[c][0] = k
    return [tuple(m) for m in marks]


def read_printed(text: str, place: dict | None = None) -> Content:
    out = Content("printed")
    pre = dict(place or {})
    ms = find_model_summary(text, pre)
    if ms is not None:
        out.add(ms)
        own = model_lines(text, ms.tool)
        if own is None:
            return out
        # what is printed before or after the model (a crosstab, a frequency table) or typed
        # into its coefficient table is read as any printed text, its lines kept in place:
        # before, it left unread with the model
        rest = [("" if i in own else ln) for i, ln in enumerate(text.split("\n"))]
        if any(ln.strip() for ln in rest):
            for unit in read_printed("\n".join(rest), pre).units:
                out.add(unit)
        return out
    lines = text.split("\n")
    # R's two-way table() print: its levels are counts (read as a pandas repr they had no role)
    from egress_review.engine.readers.r_printouts import r_oneway_prints, r_table_prints

    crosstabs = r_table_prints(lines) if "\n" in text.strip() else []
    if "\n" in text.strip():
        taken = {k for a, b, _ in crosstabs for k in range(a, b)}
        crosstabs += [t for t in r_oneway_prints(lines) if not taken & set(range(t[0], t[1]))]
    for a, b, rows in crosstabs:
        out.add(TableUnit(rows=rows, place={**pre, "line": pre.get("line", 1) + a}))
        lines[a:b] = [""] * (b - a)
    if crosstabs:
        text = "\n".join(lines)
    rows = _pandas_table(text) if text.strip() else None
    if rows is not None:
        out.add(TableUnit(rows=rows, place=pre))
        return out
    if "\\begin{" in text:
        # a LaTeX tabular read by its rows (one line may hold many), its lines then left out
        for line, rows in tabular_blocks(text):
            out.add(TableUnit(rows=rows, place={**pre, "line": pre.get("line", 1) + line - 1}))
        for m in _TABULAR.finditer(text):
            a, b = text.count("\n", 0, m.start()), text.count("\n", 0, m.end()) + 1
            lines[a:b] = [""] * (b - a)
    # a counted list under a "Top 5 …" heading is a table of its own: read before the aligned
    # columns, which took "1. Marfan syndrome - 3" for a row of person attributes
    for a, b, unit in counted_list_spans("\n".join(lines), pre):
        out.add(unit)
        lines[a:b] = [""] * (b - a)
    blocks = delimited_blocks(lines)
    for a, b, rows in blocks:
        out.add(TableUnit(rows=rows, place={**pre, "line": pre.get("line", 1) + a}))
        lines[a:b] = [""] * (b - a)        # the rest keeps its line numbers
    for a, rows in _two_line_tables(lines) + _row_and_total(lines):
        out.add(TableUnit(rows=rows, place={**pre, "line": pre.get("line", 1) + a}))
        lines[a:a + 2] = ["", ""]
    rest = "\n".join(lines)
    if rest.strip():
        out.add(TextUnit(rest, pre))
    return out
