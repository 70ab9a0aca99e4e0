"""What a reviewer sees of each file: tables with flagged cells, text with flagged lines,
images inline, and a server-side SVG chart of cell counts against the threshold (E2)."""
from __future__ import annotations

import base64
import math
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from egress_review.store import BlobStore

MAX_TABLE_ROWS = 400   # rows shown on the page; flagged rows beyond are still listed as findings
MAX_TEXT_LINES = 600
MAX_INLINE_IMAGE = 5 << 20
IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
_SEV = {"block": 2, "review": 1}


def _worst(a: str | None, b: str) -> str:
    return b if a is None or _SEV.get(b, 0) > _SEV.get(a, 0) else a


def _spec(req, f):
    from egress_review.manifest import parse_manifest

    return parse_manifest(req.manifest, "manifest").file(f.path)


def _read_table(store: BlobStore, req, f):
    from egress_review.engine.tables import read_table

    with tempfile.TemporaryDirectory(prefix="egress-view-") as d:
        store.materialize([(f.path, f.sha256)], Path(d))
        return read_table(Path(d), _spec(req, f))


def render_file(store: BlobStore, req, f, findings: list[dict], threshold: int = 6) -> dict[str, Any]:
    try:
        if f.kind == "table":
            return _render_table(store, req, f, findings, threshold)
        data = store.read_bytes(f.sha256)
        for magic, mime in IMAGE_TYPES.items():
            if data.startswith(magic) and len(data) <= MAX_INLINE_IMAGE:
                return {"type": "image", "src": f"data:{mime};base64,{base64.b64encode(data).decode()}"}
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return {"type": "binary", "size": len(data)}
        return _render_text(text, findings)
    except Exception as e:  # a file the viewer cannot show must not hide the rest of the request
        return {"type": "error", "error": f"{type(e).__name__}: {e}"}


def heat(v: float, threshold: int) -> str:
    """A unit count's place against the threshold, for the heat-map: zero, under, near (below
    twice the threshold), ok."""
    if math.isnan(v):
        return ""
    if v <= 0:
        return "zero"
    return "under" if v < threshold else "near" if v < 2 * threshold else "ok"


def _count_columns(t) -> set[str]:
    """Count and suppressed columns and the units columns statistics rest on."""
    out = set(t.cols_with("count", "suppressed"))
    for c in t.columns:
        r = t.role(c)
        if r is not None and r.role == "statistic":
            if r.statistic == "count":
                out.add(c)
            for ref in (r.units_column, r.denominator_column):
                if ref in t.columns:
                    out.add(ref)
    return out


def _render_table(store: BlobStore, req, f, findings: list[dict], threshold: int = 6) -> dict[str, Any]:
    t = _read_table(store, req, f)
    cols = t.columns
    counts = _count_columns(t)
    values = {c: t.numeric(c) for c in counts}
    cell: dict[tuple[int, str], str] = {}
    row_flag: dict[int, str] = {}
    col_flag: dict[str, str] = {}
    notes: dict[tuple[int, str], list[str]] = {}
    for x in findings:
        loc = x.get("location") or {}
        row, col, sev = loc.get("row"), loc.get("column"), x.get("severity", "review")
        label = f"{x.get('rule')} {x.get('check')}: {x.get('message_zh', '')} / {x.get('message_en', '')}"
        if isinstance(row, int) and col in cols:
            cell[(row, col)] = _worst(cell.get((row, col)), sev)
            notes.setdefault((row, col), []).append(label)
        elif isinstance(row, int):
            row_flag[row] = _worst(row_flag.get(row), sev)
            notes.setdefault((row, ""), []).append(label)
        elif col in cols:
            col_flag[col] = _worst(col_flag.get(col), sev)
    rows = []
    for i in range(min(len(t.df), MAX_TABLE_ROWS)):
        n = i + 1
        cells = []
        for c in cols:
            sev = cell.get((n, c)) or row_flag.get(n)
            cells.append({"text": str(t.df.iloc[i][c]), "flag": sev,
                          "heat": heat(float(values[c][i]), threshold) if c in values else "",
                          "title": " | ".join(notes.get((n, c), []) + notes.get((n, ""), []))})
        rows.append({"n": n, "flag": row_flag.get(n), "cells": cells})
    roles = {c: (t.role(c).role if t.role(c) else "") for c in cols}
    return {"type": "table", "columns": [{"name": c, "role": roles[c], "flag": col_flag.get(c)} for c in cols],
            "rows": rows, "total_rows": len(t.df), "truncated": len(t.df) > MAX_TABLE_ROWS,
            "flagged_cells": len(cell)}


def _render_text(text: str, findings: list[dict]) -> dict[str, Any]:
    flags: dict[int, str] = {}
    for x in findings:
        line = (x.get("location") or {}).get("line")
        if isinstance(line, int):
            flags[line] = _worst(flags.get(line), x.get("severity", "review"))
    lines = text.splitlines()
    return {"type": "text", "lines": [{"n": i + 1, "text": s, "flag": flags.get(i + 1)}
                                      for i, s in enumerate(lines[:MAX_TEXT_LINES])],
            "truncated": len(lines) > MAX_TEXT_LINES}


def count_cells(store: BlobStore, req, f) -> list[tuple[str, float]]:
    """(label, value) of every unit count in a table: count and suppressed columns and the
    units columns statistics rest on."""
    t = _read_table(store, req, f)
    count_cols = _count_columns(t)
    groups = t.group_cols
    out = []
    for c in [c for c in t.columns if c in count_cols]:
        vals = t.numeric(c)
        for i, v in enumerate(vals):
            if not math.isnan(v):
                label = " / ".join(str(t.df.iloc[i][g]) for g in groups) or f"row {i + 1}"
                out.append((f"{label} · {c}", float(v)))
    return out


def count_chart_svg(store: BlobStore, req, f, threshold: int, width: int = 720, height: int = 240) -> str:
    """Bars of every unit count, sorted, on a logarithmic scale (no count is cut off) against
    the threshold line; bars under it red and labelled with their cell, every bar labelled when
    there are few; the axis ticks at 0, 1, the threshold and the powers of ten."""
    try:
        cells = sorted(count_cells(store, req, f), key=lambda x: x[1])
    except Exception as e:
        return _svg_message(f"cannot chart this table: {type(e).__name__}", width)
    if not cells:
        return _svg_message("no count columns in this table / 此表無人數欄位", width)
    below = sum(1 for _, v in cells if 0 < v < threshold)
    zeros = sum(1 for _, v in cells if v <= 0)
    top = max(max(v for _, v in cells), threshold * 2)
    few = len(cells) <= 40
    pad_l, pad_t = 48, 26
    pad_b = 90 if few else 20
    plot_w, plot_h = width - pad_l - 10, height - pad_b - pad_t
    bw = plot_w / len(cells)
    span = math.log10(top + 1)

    def y(v: float) -> float:
        return pad_t + plot_h - math.log10(max(v, 0) + 1) / span * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img">',
             f'<title>{len(cells)} cells: {below} under {threshold}, {zeros} zero</title>',
             f'<text x="{pad_l}" y="14">{below} / {len(cells)} 格低於門檻 {threshold} cells below the '
             f'threshold (E2) · {zeros} 格為零 zero · 對數刻度 log scale</text>']
    for i, (label, v) in enumerate(cells):
        kind = heat(v, threshold)
        colour = {"zero": "#9e9e9e", "under": "#c62828", "near": "#e0a800"}.get(kind, "#4a7bb7")
        yy = y(v)
        x = pad_l + i * bw
        parts.append(f'<rect class="{kind}" x="{x:.2f}" y="{yy:.2f}" width="{max(bw - 0.5, 0.5):.2f}" '
                     f'height="{max(pad_t + plot_h - yy, 0.5):.2f}" fill="{colour}">'
                     f'<title>{escape(label)}: {v:g}</title></rect>')
        if few or kind in ("under", "zero") and len(cells) <= 400:
            cx = x + bw / 2
            if few:      # every cell named under its bar
                parts.append(f'<text class="bar-label" x="{cx:.2f}" y="{pad_t + plot_h + 6}" '
                             f'transform="rotate(60 {cx:.2f} {pad_t + plot_h + 6})" font-size="9">'
                             f'{escape(label[:28])}</text>')
            parts.append(f'<text class="bar-value" x="{cx:.2f}" y="{yy - 2:.2f}" text-anchor="middle" '
                         f'font-size="9">{v:g}</text>')
    ty = y(threshold)
    parts.append(f'<line x1="{pad_l}" x2="{width - 10}" y1="{ty:.2f}" y2="{ty:.2f}" stroke="#000" '
                 f'stroke-dasharray="4 3"/>')
    ticks = {0.0: "0", float(threshold): f"{threshold} 門檻"}
    p = 1
    while p <= top:
        ticks.setdefault(float(p), f"{p:g}")
        p *= 10
    placed: list[float] = []
    for v, text in sorted(ticks.items(), key=lambda kv: kv[0] != threshold):   # threshold first
        yy = y(v)
        if any(abs(yy - q) < 12 for q in placed):
            continue
        placed.append(yy)
        parts.append(f'<text x="{pad_l - 4}" y="{yy + 4:.2f}" text-anchor="end">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_message(msg: str, width: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="30" font-family="sans-serif" '
            f'font-size="12"><text x="4" y="18">{escape(msg)}</text></svg>')
