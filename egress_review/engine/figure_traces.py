"""E2/E1: the numbers a figure's own data carries (Plotly JSON), judged as what its words say.

A red team's round 7 sent a Plotly figure (``{"data": [{"type": "bar", "y": [120, 3, 140]}],
"layout": {"title": "Patients per region"}}``, a file or a notebook's
``application/vnd.plotly.v1+json`` output): its numbers were found but, with no column header,
only went to a person.  A figure's words say what its numbers are, so here, per trace:

- a ``histogram`` trace holding its raw ``x``/``y`` values (3 or more) carries one value per
  person → block (E1): only the binned counts may leave;
- a bar's ``y`` (``x`` when horizontal), a pie's ``values``, a heatmap's ``z`` (or any trace's
  ``text`` labels) are counts when the figure's title, an axis title, the trace's name, its
  colour bar's title or hover template count (n, count, patients, 人數 …): a whole number from
  1 to ``min_units_per_cell − 1`` among them blocks (E2);
- otherwise nothing is added here (the content check's review for unlabelled numbers stays, and
  every figure goes to the committee, E5).
"""
from __future__ import annotations

import json
import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "figure_traces"
KINDS = {"figure", "text", "notebook", "model", "code"}
_MAX_BYTES = 5_000_000
_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_COUNTS = re.compile(r"\bn\b|\bcounts?\b|\bnumber of\b|\bfrequency\b|\bpatients?\b|\bpersons?\b|\bpeople\b|"
                     r"\bcases\b|\bdeaths?\b|\bsubjects?\b|\bparticipants?\b|\bwomen\b|\bmen\b|\bevents\b|"
                     r"人數|例數|個案|病人|患者|死亡|人次|件數", re.I)


def _words(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return " ".join(_words(v.get(k)) for k in ("text", "title") if v.get(k) is not None)
    return ""


def _figures(raw: bytes, path: str, kind: str) -> list[tuple[dict, dict]]:
    """(figure, where) of every Plotly figure in the file."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []
    out = []
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        out.append((doc, {"part": "figure"}))
    if isinstance(doc, dict) and isinstance(doc.get("cells"), list):
        for ci, cell in enumerate(doc["cells"]):
            for oi, o in enumerate(cell.get("outputs", []) or [] if isinstance(cell, dict) else []):
                fig = (o.get("data") or {}).get(_PLOTLY_MIME) if isinstance(o, dict) else None
                if isinstance(fig, dict) and isinstance(fig.get("data"), list):
                    out.append((fig, {"cell_index": ci, "output": oi, "part": _PLOTLY_MIME}))
    return out


def _flat(v) -> list:
    if isinstance(v, list):
        return [x for item in v for x in _flat(item)]
    return [v]


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    if full.stat().st_size > _MAX_BYTES or full.suffix.lower() not in (".json", ".ipynb", ".plotly", ""):
        return
    m = ctx.policy.min_units_per_cell
    for fig, where in _figures(full.read_bytes(), spec.path, spec.kind):
        layout = fig.get("layout") if isinstance(fig.get("layout"), dict) else {}
        figure_words = " ".join([_words(layout.get("title"))] + [
            _words((layout.get(a) or {}).get("title")) for a in layout if a.startswith(("xaxis", "yaxis"))
            and isinstance(layout.get(a), dict)])
        for ti, tr in enumerate(fig["data"]):
            if not isinstance(tr, dict):
                continue
            kind = str(tr.get("type", "scatter"))
            loc = {**where, "trace": ti, "type": kind}
            if kind == "histogram":
                raw = [v for k in ("x", "y") for v in _flat(tr.get(k) or []) if isinstance(v, (int, float))]
                if len(raw) >= 3:
                    ctx.add(rule="E1", check=CHECK, severity="block", file=spec.path, location=loc,
                            en=f"Trace {ti} is a histogram holding its {len(raw)} raw values (one per "
                               "person): the figure carries the data, not the counts. Export the "
                               "binned counts instead.",
                            zh=f"第 {ti} 條軌跡為直方圖，內含 {len(raw)} 個原始值（每人一值）：圖表攜帶原始資料，"
                               "而非計數。請改為輸出分組後的計數。")
                    continue
            words = " ".join([figure_words, _words(tr.get("name")), _words(tr.get("hovertemplate")),
                              _words((tr.get("colorbar") or {}).get("title") if isinstance(tr.get("colorbar"), dict) else None),
                              _words(((tr.get("marker") or {}).get("colorbar") or {}).get("title")
                                     if isinstance(tr.get("marker"), dict) and isinstance((tr.get("marker") or {}).get("colorbar"), dict) else None)])
            if not _COUNTS.search(words):
                continue
            key = {"pie": "values", "heatmap": "z", "histogram2d": "z"}.get(
                kind, "x" if tr.get("orientation") == "h" else "y")
            vals = [v for v in _flat(tr.get(key) or []) + _flat(tr.get("text") or [])
                    if isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, str) and v.strip().isdigit()]
            small = sorted({int(float(v)) for v in vals if float(v) == int(float(v)) and 1 <= float(v) < m})
            if small:
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location={**loc, "value": small[0]},
                        en=f"Trace {ti} ({kind}) of this figure counts ({words.strip()[:60]!r}) and "
                           f"holds {', '.join(map(str, small))} (fewer than {m} units): a small cell "
                           "drawn as a bar, slice or colour. Merge or suppress it.",
                        zh=f"此圖第 {ti} 條軌跡（{kind}）為計數（{words.strip()[:60]}），含 "
                           f"{'、'.join(map(str, small))}（少於 {m} 個單位）：以長條、扇形或顏色呈現的小細格。請合併或隱藏。")
