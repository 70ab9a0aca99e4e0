"""E2/E6: tables shown in notebook outputs are results too.

A notebook's HTML table outputs (pandas ``DataFrame`` display) are read back; a column headed
like a count of units (n, count, persons, 人數 …) holding a value from 1 to
``min_units_per_cell − 1`` blocks, and small-count placeholders ("<5" …) block as in tables.
Other numbers in outputs cannot be judged without roles; the reviewer sees the notebook.
"""
from __future__ import annotations

import html
import json
import re

from egress_review.engine.content import notebook_segments
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "notebook_tables"
KINDS = {"notebook"}

_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
_ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL | re.IGNORECASE)
_CELL = re.compile(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
COUNT_HEADER = re.compile(r"^(n|n_.*|.*_n|count|counts|cnt|freq|frequency|persons?|patients?|"
                          r"people|cases|subjects|units|size|人數|件數|人次|個案數|病人數|例數)$",
                          re.IGNORECASE)


def _rows(table_html: str) -> list[list[str]]:
    out = []
    for row in _ROW.findall(table_html):
        out.append([html.unescape(_TAG.sub("", c[1])).strip() for c in _CELL.findall(row)])
    return out


def check_file(ctx: Context, spec: ManifestFile) -> None:
    try:
        nb = json.loads(ctx.full(spec).read_bytes().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return
    pats = [re.compile(p, re.IGNORECASE) for p in ctx.policy.placeholder_patterns]
    m = ctx.policy.min_units_per_cell
    segs, _ = notebook_segments(nb)
    for seg in segs:
        if seg.location.get("part") != "text/html":
            continue
        for t_index, t in enumerate(_TABLE.findall(seg.text)):
            rows = _rows(t)
            if len(rows) < 2:
                continue
            header = rows[0]
            counts = {k for k, h in enumerate(header) if COUNT_HEADER.match(h)}
            for r_index, row in enumerate(rows[1:], start=1):
                for k, cell in enumerate(row):
                    # pandas puts the index in the first cell; align from the right
                    hk = k + (len(header) - len(row))
                    loc = {**seg.location, "table": t_index, "row": r_index,
                           "column": header[hk] if 0 <= hk < len(header) else k}
                    if any(p.search(cell) for p in pats) and hk in counts:
                        ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path,
                                location=loc,
                                en=f"A notebook output table marks a count with {cell!r}.",
                                zh=f"筆記本輸出的表格以 {cell!r} 標示計數。")
                        continue
                    if hk in counts and re.fullmatch(r"\d+", cell.replace(",", "")):
                        v = int(cell.replace(",", ""))
                        if 0 < v < m:
                            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                                    location=loc,
                                    en=f"A notebook output table shows a count of {v} (fewer than {m} "
                                       "units); clear the output or suppress the cell.",
                                    zh=f"筆記本輸出的表格顯示計數 {v}（少於 {m} 個單位）；請清除輸出或遮蔽該格。")
