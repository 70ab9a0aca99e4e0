"""E2: a notebook's percent table over a total another cell printed.

A red team's round 7 printed ``df.region.value_counts(normalize=True) * 100`` in one cell and
``len(df)`` (540) in another: each share is a count (0.6 % of 540 is 3), but the table found in
the output had no N beside it, so its numbers only went to a person.  Here, for a table printed
by a cell whose code computes shares (``normalize=True``, ``prop.table``, ``proportions``, a
division by ``len``/``nrow``/a total, ``* 100``), the notebook's other cells are searched for
the total: an output that is a bare whole number (or ``(540, 12)``, a shape) under code that
counts rows (``len(``, ``nrow(``, ``.shape``, ``nunique``, ``.count()``, ``total``, ``N``), or
an output stating ``N = 540``.  Exactly one such total, and a last column of shares that add up
to 100 (or to 1: then written as percents) → the table is read with "N = 540" around it, so
:mod:`.unit_tables` derives its counts as for a title's N (only where the printed precision
fixes every count).  Several different totals: nothing is derived (the table keeps its review).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache

from egress_review.engine.paper_cells import header_n

_SHARE_CODE = re.compile(r"normalize\s*=\s*True|prop\.table|proportions\(|/\s*(?:len|nrow|NROW)\(|"
                         r"\*\s*100\b|/\s*(?:total|n_total|N)\b|\.div\(|\bpct\b|percent", re.I)
_TOTAL_CODE = re.compile(r"\blen\(|\bnrow\(|\bNROW\(|\.shape\b|nunique\(|n_distinct\(|\.count\(\)|"
                         r"\btotal\b|\bn_total\b|\bN\b|\bn_patients\b|\bn_persons\b|\bsum\(\)", re.I)
_WHOLE = re.compile(r"^\s*(?:\[1\]\s*)?(\d{1,9})\s*$")
_SHAPE = re.compile(r"^\s*\((\d{1,9}),\s*\d{1,6}\)\s*$")
_NUM = re.compile(r"^-?\d+(?:\.\d+)?$")


def _text(v) -> str:
    return "".join(v) if isinstance(v, list) else str(v or "")


@lru_cache(maxsize=64)
def _cells(path: str, mtime: float) -> tuple:
    with open(path, "rb") as fh:
        nb = json.loads(fh.read().decode("utf-8", "replace"))
    out = []
    for cell in nb.get("cells", []):
        texts = []
        for o in cell.get("outputs", []) or []:
            if "text" in o:
                texts.append(_text(o["text"]))
            data = o.get("data") or {}
            if "text/plain" in data:
                texts.append(_text(data["text/plain"]))
        out.append((_text(cell.get("source")), tuple(texts)))
    return tuple(out)


def _totals(cells, skip: int) -> set[int]:
    found: set[int] = set()
    for k, (src, outs) in enumerate(cells):
        if k == skip:
            continue
        last = [ln for ln in src.strip().splitlines() if ln.strip()][-1:] or [""]
        for out in outs:
            stated = header_n(out) if len(out) < 200 else None
            if stated is not None:
                found.add(int(stated))
                continue
            m = _WHOLE.match(out) or _SHAPE.match(out)
            if m and _TOTAL_CODE.search(last[0] + " " + src[-200:]):
                found.add(int(m.group(1)))
    return found


def shares_over_total(full, unit):
    """(unit, around): the unit with its share column headed "%" (fractions written as
    percents) and "N = total" to read it with; the unit and "" when nothing applies."""
    k = unit.place.get("cell_index")
    if not isinstance(k, int) or full.suffix.lower() != ".ipynb" or len(unit.rows) < 3:
        return unit, ""
    try:
        cells = _cells(str(full), full.stat().st_mtime)
    except (OSError, ValueError):
        return unit, ""
    if k >= len(cells) or not _SHARE_CODE.search(cells[k][0]):
        return unit, ""
    totals = _totals(cells, k)
    if len(totals) != 1:
        return unit, ""
    body = [list(r) for r in unit.rows[1:] if any(str(c).strip() for c in r)]
    col = len(unit.rows[0]) - 1
    vals = [str(r[col]).strip() if col < len(r) else "" for r in body]
    if col < 1 or not vals or not all(_NUM.match(v) for v in vals):
        return unit, ""
    s = sum(float(v) for v in vals)
    if abs(s - 1) <= 0.015:
        places = [max(0, len(v.split(".", 1)[1]) - 2) if "." in v else 0 for v in vals]
        vals = [f"{float(v) * 100:.{p}f}" for v, p in zip(vals, places)]
    elif abs(s - 100) > 1.5:
        return unit, ""
    header = list(unit.rows[0])
    header[col] = "%"
    rows = [header] + [r[:col] + [v] + r[col + 1:] for r, v in zip(body, vals)]
    return replace(unit, rows=rows), f"N = {totals.pop()}"
