"""CSV/TSV: every row of the file as a table (the first row is the header)."""
from __future__ import annotations

import csv
import io

from egress_review.engine.readers.model import Content, TableUnit
from egress_review.engine.readers.text_decode import text_or_unread


def read(raw: bytes, name: str) -> Content:
    out = Content("csv")
    if (text := text_or_unread(raw, out)) is None:
        return out
    try:
        delim = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|").delimiter
    except csv.Error:
        # a .tsv is tab-separated unless its content says otherwise (sniffed above)
        delim = "\t" if name.lower().endswith((".tsv", ".tab")) else ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
    except csv.Error as e:
        out.fail({}, f"not parseable as delimited text ({e})")
        return out
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if rows:
        # line r+1 of the file is rows[r]: A1-style addresses give line and column
        out.add(TableUnit(rows=rows, place={}, a1_origin=(0, 0)))
    return out
