"""E2/E1: the data a chart library is given (Plotly, Vega/Vega-Lite/Altair, Bokeh, ECharts,
Highcharts, D3), read as a table and decided from the data, whatever the words say.

Round 7 judged a Plotly figure's numbers only when its words counted ("Patients per region");
a bar of ``[120, 3, 140]`` with no title, the same figure in an HTML page
(``Plotly.newPlot``), a Vega-Lite spec with its data by URL, a Bokeh page's
``ColumnDataSource``, an ECharts or Highcharts option object or a D3 page's ``const data = [...]``
went to a person at most as "numbers of unknown meaning".  Here every series is read
(``chart_literals``; binary arrays decoded) and, per series:

- a scatter of points (Plotly ``markers``, Vega ``point``/``circle``, Bokeh ``Scatter``/
  ``Circle``, ECharts/Highcharts ``scatter``) whose points carry their own keys (hover text,
  text, ``customdata``, a tooltip field: distinct labels with digits such as ``P001``, IDs) is
  one point per person → block (E1); so is one of 20 points or more with numbers on both axes;
- bars, columns, pies and heat maps of whole numbers: a value 1 … threshold−1 beside one ≥ 10,
  or under counting words, is a small count → block (E2); small whole numbers alone → review
  with the reason; large ones add nothing;
- what cannot be read (data by URL, a compressed or undecodable array, data computed by a call,
  a name not defined in the page) → review, saying what was not read.  Never a pass: every
  figure also goes to the committee (E5).
Plotly JSON with counting words is ``figure_traces``'s; its series are skipped here.
"""
from __future__ import annotations

import json
import re

from egress_review.engine import chart_literals as lit
from egress_review.engine.context import Context
from egress_review.engine.figure_traces import _COUNTS
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "chart_specs"
KINDS = {"figure", "text", "notebook", "model", "code"}
_MAX_BYTES = 5_000_000
_SUFFIXES = (".json", ".html", ".htm", ".ipynb", ".js", ".vl", ".vg", ".plotly", ".bokeh", "")
_SCATTER_POINTS = 20
_CALLS = re.compile(r"\b(?:Plotly\.(?:newPlot|react|plot)|vegaEmbed|vega\.embed|embed_items|"
                    r"\.setOption|Highcharts\.(?:chart|stockChart)|new\s+Chart)\s*\(")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_KEYLIKE = re.compile(r"^(?=.*\d)[A-Za-z\u4e00-\u9fff]{0,8}[\s\-_#:]?\d[\w\-]{0,30}$")
_YEARISH = re.compile(r"^(?:FY|CY|Y)?[\s\-_]?(?:19|20)\d\d(?:[\-_/]?(?:Q[1-4]|\d\d))?$", re.I)


class Series:
    def __init__(self, lib, kind, values, labels=None, keys=None, words="", xs=None, where=None):
        self.lib, self.kind, self.values, self.labels = lib, kind, values, labels
        self.keys, self.words, self.xs, self.where = keys or [], words, xs, where or {}


def _nums(v) -> list:
    v = lit.decode_array(v)
    if not isinstance(v, list):
        return []
    out = []
    for x in v:
        if isinstance(x, list):
            out += _nums(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            out.append(x)
        elif isinstance(x, str) and re.fullmatch(r"\s*\d+\s*", x):
            out.append(int(x))
    return out


def _strs(v) -> list[str]:
    v = lit.decode_array(v)
    if not isinstance(v, list):
        return []
    return [str(x[0] if isinstance(x, list) and x else x) for x in v if x is not None]


def _words(*vs) -> str:
    out = []
    for v in vs:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.append(_words(v.get("text"), v.get("title"), v.get("name")))
    return " ".join(x for x in out if x)


# ---- libraries ------------------------------------------------------------------------------
def _plotly(fig, where, html: bool) -> list[Series]:
    traces = fig.get("data") if isinstance(fig, dict) else fig
    layout = fig.get("layout") if isinstance(fig, dict) and isinstance(fig.get("layout"), dict) else {}
    fw = _words(layout.get("title"), *[(layout.get(a) or {}).get("title") for a in layout
                                        if a.startswith(("xaxis", "yaxis")) and isinstance(layout.get(a), dict)])
    out = []
    for ti, tr in enumerate(traces if isinstance(traces, list) else []):
        if not isinstance(tr, dict):
            continue
        t = str(tr.get("type", "scatter"))
        words = _words(fw, tr.get("name"), tr.get("hovertemplate"))
        if not html and _COUNTS.search(words):
            continue                    # figure_traces judges it
        keys = _strs(tr.get("text")) + _strs(tr.get("hovertext")) + _strs(tr.get("customdata")) + _strs(tr.get("ids"))
        loc = {**where, "trace": ti, "type": t}
        if t.startswith("scatter") and ("markers" in str(tr.get("mode", "")) or "mode" not in tr):
            # no mode: Plotly draws markers on traces of up to 20 points, so they may be keyed points
            out.append(Series("Plotly", "scatter", _nums(tr.get("y")), keys=keys, words=words,
                              xs=_nums(tr.get("x")) if "markers" in str(tr.get("mode", "")) else [],
                              where=loc))
        elif t in ("bar", "pie", "heatmap", "funnel", "treemap", "sunburst", "histogram"):
            horiz = tr.get("orientation") == "h"
            vkey = {"pie": "values", "heatmap": "z", "treemap": "values", "sunburst": "values"}.get(
                t, "x" if horiz else "y")
            labels = _strs(tr.get("labels") or tr.get("y" if horiz else "x"))
            out.append(Series("Plotly", "bar", _nums(tr.get(vkey)), labels=labels, words=words, where=loc))
            shown = [int(k) for k in _strs(tr.get("text")) if k.strip().isdigit()]
            if shown:                   # the numbers printed on the bars (shares drawn, counts shown)
                out.append(Series("Plotly", "bar", shown, labels=labels, words=words,
                                  where={**loc, "part": "text"}))
    return out


def _records(rows, lib, kind, where, words="") -> list[Series]:
    """A list of records (Vega ``values``, D3 data): one series per whole-number field."""
    rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    if len(rows) < 2:
        return []
    fields = list(dict.fromkeys(k for r in rows for k in r))
    col = {f: [r.get(f) for r in rows] for f in fields}
    text = [f for f in fields if all(isinstance(v, str) for v in col[f])]
    num = [f for f in fields if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in col[f])]
    keys = [v for f in text for v in col[f]
            if len(set(col[f])) == len(rows) and sum(bool(_KEYLIKE.match(s)) and not _YEARISH.match(s)
                                                   for s in col[f]) * 2 > len(rows)]
    out = []
    if kind == "scatter" or len(num) >= 2 and keys:
        out.append(Series(lib, "scatter", col[num[-1]] if num else [], keys=keys, words=words,
                          xs=col[num[0]] if num else [], where=where))
        return out
    for f in num:
        out.append(Series(lib, "bar", col[f], labels=[str(v) for v in col[text[0]]] if text else None,
                          words=f"{words} {f}", where={**where, "field": f}))
    return out


def _vega(spec, where) -> list[Series]:
    """A Vega or Vega-Lite spec (Altair's output): inline values and datasets; a URL is unread."""
    out, mark = [], ""
    for d in _walk(spec):
        m = d.get("mark")
        mark = mark or (m.get("type") if isinstance(m, dict) else m if isinstance(m, str) else "")
    kind = "scatter" if mark in ("point", "circle", "square") or mark == "symbol" else "bar"
    for d in _walk(spec):
        data = d.get("data")
        for part in (data if isinstance(data, list) else [data]):
            if isinstance(part, dict) and "url" in part and "values" not in part:
                raise lit.Unreadable(f"the chart's data is loaded from {str(part['url'])[:60]!r}")
            if isinstance(part, dict) and isinstance(part.get("values"), list):
                out += _records(part["values"], "Vega", kind, where)
        for name, rows in (d.get("datasets") or {}).items() if isinstance(d.get("datasets"), dict) else []:
            out += _records(rows, "Vega", kind, {**where, "dataset": name})
    return out


def _bokeh(doc, where) -> list[Series]:
    out, glyphs = [], set()
    for d in _walk(doc):
        t = str(d.get("type") or d.get("name") or "")
        if t in ("Scatter", "Circle", "Square", "Triangle", "Asterisk", "X", "Cross", "Diamond"):
            glyphs.add("scatter")
        elif t in ("VBar", "HBar", "Quad", "Wedge", "AnnularWedge"):
            glyphs.add("bar")
    kind = "scatter" if glyphs == {"scatter"} else "bar"
    for d in _walk(doc):
        t = str(d.get("type") or d.get("name") or "")
        if t != "ColumnDataSource":
            continue
        attrs = d.get("attributes") if isinstance(d.get("attributes"), dict) else d
        data = lit.decode_array(attrs.get("data"))
        if not isinstance(data, dict):
            continue
        cols = {str(k): lit.decode_array(v) for k, v in data.items()}
        n = max((len(v) for v in cols.values() if isinstance(v, list)), default=0)
        rows = [{k: v[i] for k, v in cols.items() if isinstance(v, list) and len(v) == n} for i in range(n)]
        out += _records(rows, "Bokeh", kind, {**where, "source": str(d.get("id", ""))})
    return out


def _series_option(opt, where, lib) -> list[Series]:
    """ECharts and Highcharts option objects: ``series`` with ``data``, categories on the x axis."""
    xa = opt.get("xAxis")
    xa = xa[0] if isinstance(xa, list) and xa else xa
    cats = _strs((xa or {}).get("data") or (xa or {}).get("categories")) if isinstance(xa, dict) else []
    chart = (opt.get("chart") or {}).get("type", "") if isinstance(opt.get("chart"), dict) else ""
    words = _words(opt.get("title"), (xa or {}).get("title") if isinstance(xa, dict) else None)
    out = []
    for si, s in enumerate(opt.get("series") if isinstance(opt.get("series"), list) else []):
        if not isinstance(s, dict):
            continue
        t = str(s.get("type") or chart or "line")
        data = s.get("data") if isinstance(s.get("data"), list) else []
        loc = {**where, "series": si, "type": t}
        pts = [p for p in data if isinstance(p, (list, dict))]
        if t == "scatter":
            keys = [str(p.get("name")) for p in data if isinstance(p, dict) and p.get("name") is not None]
            ys = [p[1] if isinstance(p, list) and len(p) > 1 else p.get("y", p.get("value")) if isinstance(p, dict) else p
                  for p in data]
            out.append(Series(lib, "scatter", ys, keys=keys, xs=[0] * len(data) if pts else [], words=words, where=loc))
            continue
        vals, labels = [], list(cats)
        for p in data:
            if isinstance(p, dict):
                v = p.get("value", p.get("y"))
                vals.append(v[-1] if isinstance(v, list) and v else v)
                if p.get("name") is not None and not cats:
                    labels.append(str(p["name"]))
            elif isinstance(p, list) and p:
                vals.append(p[-1])
            else:
                vals.append(p)
        vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        out.append(Series(lib, "bar", vals, labels=labels, words=f"{words} {_words(s.get('name'))}", where=loc))
    return out


def _walk(v, depth: int = 0):
    if depth > 40:
        return
    if isinstance(v, dict):
        yield v
        for x in v.values():
            yield from _walk(x, depth + 1)
    elif isinstance(v, list):
        for x in v:
            yield from _walk(x, depth + 1)


def _doc_series(doc, where, html: bool) -> list[Series]:
    """The series of one parsed chart document, by the library its shape says."""
    if isinstance(doc, list) and doc and all(isinstance(t, dict) for t in doc) \
            and any("type" in t or "x" in t or "y" in t for t in doc) and not html_records(doc):
        return _plotly(doc, where, html)
    if not isinstance(doc, dict):
        return _records(doc, "D3", "bar", where) if html else []
    if "vega" in str(doc.get("$schema", "")) or "mark" in doc or "encoding" in doc \
            or any(k in doc for k in ("layer", "hconcat", "vconcat", "concat", "facet")) and "data" in str(doc)[:20000]:
        return _vega(doc, where)
    if "roots" in doc or any(isinstance(v, dict) and "roots" in v for v in doc.values()):
        return _bokeh(doc, where)
    if isinstance(doc.get("data"), list) and any(isinstance(t, dict) for t in doc["data"]):
        return _plotly(doc, where, html)
    if isinstance(doc.get("data"), dict) and isinstance(doc["data"].get("datasets"), list):   # Chart.js
        t = str(doc.get("type", "bar"))
        return [Series("Chart.js", "scatter" if t in ("scatter", "bubble") else "bar", _nums(ds.get("data")),
                       labels=_strs(doc["data"].get("labels")), words=_words(ds.get("label")),
                       keys=[str(p.get("label")) for p in ds.get("data") or [] if isinstance(p, dict) and p.get("label")],
                       xs=[p.get("x") for p in ds.get("data") or [] if isinstance(p, dict)],
                       where={**where, "dataset": i})
                for i, ds in enumerate(doc["data"]["datasets"]) if isinstance(ds, dict)]
    if isinstance(doc.get("series"), list):
        lib = "Highcharts" if "chart" in doc or isinstance(doc.get("xAxis"), dict) and "categories" in doc["xAxis"] else "ECharts"
        return _series_option(doc, where, lib)
    return []


def html_records(v) -> bool:
    """A list of flat records (D3 data), not Plotly traces."""
    return all(isinstance(r, dict) and not any(k in r for k in ("type", "mode", "marker")) and
               all(not isinstance(x, (list, dict)) for x in r.values()) for r in v)


def _html_docs(text: str):
    """(parsed literal, where) for the chart data in a page's scripts; Unreadable errors
    are yielded as such."""
    for si, m in enumerate(_SCRIPT.finditer(text)):
        attrs, body = m.group(1), m.group(2)
        where = {"script": si}
        if "json" in attrs.lower():
            try:
                yield json.loads(body), where
            except ValueError:
                pass
            continue
        names = lit.assignments(body)
        used = set()
        for c in _CALLS.finditer(body):
            try:
                args = lit.call_args(body, c.end() - 1)
            except lit.Unreadable as e:
                yield e, {**where, "call": c.group(0).strip("( ")}
                continue
            for a in args:
                if isinstance(a, lit.Ref):
                    used.add(str(a))
                try:
                    a = lit.resolve(a, names)
                except lit.Unreadable as e:
                    if isinstance(a, lit.Ref) and c.group(0).startswith(("Plotly", "vega")) \
                            and not a.startswith(("document", "window")) and args.index(a) > 0:
                        yield e, {**where, "call": c.group(0).strip("( ")}
                    continue
                if isinstance(a, (dict, list)):
                    yield a, {**where, "call": c.group(0).strip("( ")}
        if "d3." in body:
            for name, v in names.items():
                if name not in used and isinstance(v, list) and html_records(v):
                    yield v, {**where, "variable": name}


def _docs(raw: bytes, suffix: str):
    text = raw.decode("utf-8", errors="replace")
    if suffix in (".html", ".htm") or re.search(r"<script\b", text[:200000], re.I):
        yield from ((d, w, True) for d, w in _html_docs(text))
        return
    try:
        doc = json.loads(text)
    except ValueError:
        return
    if isinstance(doc, dict) and isinstance(doc.get("cells"), list):          # a notebook
        for ci, cell in enumerate(doc["cells"]):
            outs = cell.get("outputs", []) if isinstance(cell, dict) else []
            for oi, o in enumerate(outs if isinstance(outs, list) else []):
                data = o.get("data") if isinstance(o, dict) else None
                for mime, v in (data.items() if isinstance(data, dict) else []):
                    where = {"cell_index": ci, "output": oi, "part": mime}
                    if mime == "text/html":
                        html = "".join(v) if isinstance(v, list) else str(v)
                        yield from ((d, {**where, **w}, True) for d, w in _html_docs(html))
                    elif re.match(r"application/vnd\.(?:plotly|vega|vegalite|bokehjs)", mime):
                        yield v, where, False
        return
    yield doc, {"part": "chart"}, False


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    if full.stat().st_size > _MAX_BYTES or full.suffix.lower() not in _SUFFIXES:
        return
    for doc, where, html in _docs(full.read_bytes(), full.suffix.lower()):
        if isinstance(doc, lit.Unreadable):
            _unread(ctx, spec, where, str(doc))
            continue
        try:
            series = _doc_series(doc, where, html)
        except lit.Unreadable as e:
            _unread(ctx, spec, where, str(e))
            continue
        for s in series:
            _judge(ctx, spec, s)


def _unread(ctx, spec, where, why) -> None:
    ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location=where,
            en=f"A chart's data could not be read here ({why}): what it draws is not checked, so a "
               "person must see the data. Put the numbers in the chart itself or in a table of the request.",
            zh=f"圖表資料無法讀取（{why}）：其內容未經檢查，須由審查人查看資料。請將數據直接放入圖表或以本申請的表格提供。")


def _judge(ctx: Context, spec: ManifestFile, s: Series) -> None:
    m = ctx.policy.min_units_per_cell
    where = {**s.where, "library": s.lib}
    keys = [k for k in s.keys if k.strip()]
    if s.kind == "scatter":
        keyed = [k for k in keys if _KEYLIKE.match(k.strip()) and not _YEARISH.match(k.strip())]
        if len(set(keyed)) >= 3 and len(set(keyed)) * 2 > len(s.values or keys):
            ctx.add(rule="E1", check=CHECK, severity="block", file=spec.path, location={**where, "keys": keyed[:3]},
                    en=f"A {s.lib} scatter whose points carry their own keys ({', '.join(keyed[:3])} …): "
                       "one point per person, which is person-level data. Only aggregates may leave.",
                    zh=f"{s.lib} 散佈圖的各點帶有各自的代碼（{'、'.join(keyed[:3])}…）：一點即一人，屬個人層級資料，僅能輸出彙總資料。")
            return
        if len(s.values) >= _SCATTER_POINTS and s.xs and len(s.xs) >= _SCATTER_POINTS:
            ctx.add(rule="E1", check=CHECK, severity="block", file=spec.path, location={**where, "points": len(s.values)},
                    en=f"A {s.lib} scatter of {len(s.values)} points with a number on each axis: each "
                       "point is one unit's values, the data itself. Show binned counts or summaries.",
                    zh=f"{s.lib} 散佈圖共 {len(s.values)} 點，兩軸皆為數值：每點為一個單位的數值，即原始資料。請改以分組計數或摘要呈現。")
        return
    whole = [v for v in s.values if isinstance(v, (int, float)) and float(v) == int(v)]
    if not s.values or len(whole) < len(s.values):
        return                       # shares, means, rates: not counts as they stand
    small = sorted({int(v) for v in whole if 1 <= v < m})
    if not small:
        return
    counting = bool(_COUNTS.search(s.words or ""))
    if counting or max(whole) >= 10:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={**where, "value": small[0]},
                en=f"A {s.lib} {s.kind} chart's data holds the whole numbers {', '.join(map(str, small))} beside "
                   f"{'counting words' if counting else f'values up to {int(max(whole))}'}: counts under {m} "
                   "drawn as bars or slices. Merge or suppress them.",
                zh=f"{s.lib} 圖表資料含整數 {'、'.join(map(str, small))}，"
                   f"{'且有計數字詞' if counting else f'其他值達 {int(max(whole))}'}：少於 {m} 的計數以長條或扇形呈現。請合併或隱藏。")
    else:
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={**where, "value": small[0]},
                en=f"A {s.lib} chart's data holds only small whole numbers ({', '.join(map(str, small))}); "
                   f"nothing tells whether they count units (then under {m}): a reviewer decides.",
                zh=f"{s.lib} 圖表資料只含小整數（{'、'.join(map(str, small))}），無從判斷是否為計數（若是則少於 {m}）：由審查人判斷。")
