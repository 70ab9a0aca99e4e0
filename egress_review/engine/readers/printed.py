"""Printed results (a notebook's text/plain output, a stream, a .txt/.log file).

A model printout becomes a :class:`ModelSummary`; a pandas ``DataFrame``/``Series`` as it
prints (columns aligned by runs of spaces) becomes a table through ``pandas.read_fwf``;
anything else is prose.
"""
from __future__ import annotations

import io
import re

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
    if text.strip():
        out.add(TextUnit(text, pre))
    return out
