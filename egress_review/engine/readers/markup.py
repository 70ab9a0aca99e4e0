"""HTML (BeautifulSoup over lxml) and Markdown (markdown-it-py): tables and prose.

HTML: every ``<table>`` becomes a table (colspan/rowspan expanded, several header rows merged
as pandas writes them); the remaining visible text, comments and the words in ``title``/
``alt``/``aria-label`` attributes are prose; ``<script>`` is code; ``data:`` images are images.
Markdown: pipe tables become tables, paragraphs/headings/list items prose (placed by line),
code blocks code, raw HTML blocks go through the HTML reader.
"""
from __future__ import annotations

import re

from egress_review.engine.readers.model import Content, ImageUnit, OpaqueUnit, TableUnit, TextUnit
from egress_review.engine.readers.text_decode import text_or_unread

_WORD_ATTRS = ("title", "alt", "aria-label", "summary", "content", "label", "value", "placeholder", "srcdoc")
# Attributes that shape the page rather than say something on it; every other attribute holding
# a word (data-*, custom, aria-*, a tooltip library's) is read as words: a page's scripts and
# styles show them (attr(), tooltips), and they leave with the file.
_LAYOUT_ATTRS = frozenset({
    "class", "id", "style", "src", "href", "width", "height", "type", "rel", "lang", "dir", "role",
    "for", "colspan", "rowspan", "align", "valign", "border", "cellpadding", "cellspacing",
    "charset", "http-equiv", "name", "target", "method", "action", "tabindex", "scope", "headers",
    "d", "points", "transform", "viewbox", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx",
    "ry", "dx", "dy", "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-dasharray", "stroke-miterlimit", "stroke-opacity", "fill-opacity", "opacity",
    "clip-path", "clippathunits", "font-family", "font-size", "font-weight", "font-style",
    "text-anchor", "dominant-baseline", "preserveaspectratio", "version", "baseprofile",
    "xmlns", "gradientunits", "gradienttransform", "offset", "stop-color", "patternunits",
    "markerwidth", "markerheight", "orient", "refx", "refy", "mask", "filter", "overflow",
    "color", "bgcolor", "size", "face", "start", "span", "crossorigin", "integrity", "async",
    "defer", "media", "sizes", "srcset", "loading", "decoding", "referrerpolicy", "hidden",
    "disabled", "checked", "selected", "readonly", "multiple", "required", "open", "nowrap",
})
_A_WORD = re.compile(r"[A-Za-z]{2}|[\u3400-\u9fff]|\d")


def _grid(table) -> tuple[list[list[str]], int]:
    """Rows of one table (rowspan/colspan expanded) and how many leading rows are headers."""
    rows: list[list[str]] = []
    spans: dict[int, tuple[str, int]] = {}
    n_head = 0
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [c for c in tr.children if getattr(c, "name", None) in ("td", "th")]
        row: list[str] = []
        col = 0

        def fill_spans():
            nonlocal col
            while col in spans:
                text, left = spans[col]
                row.append(text)
                if left <= 1:
                    del spans[col]
                else:
                    spans[col] = (text, left - 1)
                col += 1

        for c in cells:
            fill_spans()
            text = " ".join(c.get_text(" ", strip=True).split())
            try:
                cs = max(1, min(int(c.get("colspan", 1)), 1000))
                rs = max(1, min(int(c.get("rowspan", 1)), 100000))
            except ValueError:
                cs, rs = 1, 1
            for _ in range(cs):
                if rs > 1:
                    spans[col] = (text, rs - 1)
                row.append(text)
                col += 1
        fill_spans()
        in_head = tr.find_parent("thead") is not None or (cells and all(c.name == "th" for c in cells))
        if in_head and len(rows) == n_head:
            n_head += 1
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows], n_head


def merge_header(rows: list[list[str]], n_head: int) -> list[list[str]]:
    """Several header rows (pandas writes column names, then index names) become one."""
    if n_head <= 1:
        return rows
    head = [" ".join(dict.fromkeys(h for h in col if h)) for col in zip(*rows[:n_head])]
    return [head] + rows[n_head:]


def read_html(raw: bytes | str, name: str = "", *, xml: bool = False) -> Content:
    """``xml``: SVG and other XML markup (parsed as XML, not HTML)."""
    from bs4 import BeautifulSoup, Comment
    from bs4.element import CData, NavigableString, TemplateString

    out = Content("html")
    if (text := text_or_unread(raw, out)) is None:
        return out
    try:
        soup = BeautifulSoup(text, "xml" if xml else "lxml")
    except Exception as e:  # the parser recovers from almost anything; anything else is review
        out.fail({}, f"not parseable as HTML ({type(e).__name__}: {e})")
        return out
    for k, table in enumerate(soup.find_all("table")):
        # a table nested in another's cell is a table of its own (the outer cell reads as words)
        rows, n_head = _grid(table)
        cap = table.find("caption")
        if rows:
            out.add(TableUnit(rows=merge_header(rows, n_head), place={"table": k + 1},
                              caption=cap.get_text(" ", strip=True) if cap else ""))
    _attribute_words(soup, out)
    for tag in soup.find_all(True):
        if not tag.attrs:
            continue
        for a in ("src", "href", "data", "xlink:href"):
            src = tag.attrs.get(a)
            if isinstance(src, str) and src.strip().lower().startswith("data:"):
                _data_uri(src.strip(), {"part": f"{tag.name} data URI"}, out)
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        if c.strip():
            out.add(TextUnit(str(c), {"part": "comment"}))
        c.extract()
    _runs_script(soup, out)
    for s in soup.find_all("script"):
        if s.get_text().strip():
            out.add(TextUnit(s.get_text(), {"part": "script"}, code=True))
            _script_data(s.get_text(), out)
        s.decompose()
    _generated_content(soup, out)
    for s in soup.find_all(["style", "table"]):
        s.decompose()
    # (a <template>'s words are TemplateStrings, which get_text leaves out by default)
    prose = soup.get_text("\n", types=(NavigableString, CData, TemplateString))
    lines = [" ".join(ln.split()) for ln in prose.split("\n")]
    prose = "\n".join(ln for ln in lines if ln)
    if prose:
        out.add(TextUnit(prose, {"part": "text"}))
    return out


def _attribute_words(soup, out: Content) -> None:
    """Every attribute value holding a word, but those that lay the page out, as words."""
    for tag in soup.find_all(True):
        for a, v in tag.attrs.items():
            key = a.lower().split(":")[-1]
            if not isinstance(v, str) or not v.strip() or key.startswith("xmlns"):
                continue
            if a in _WORD_ATTRS or (key not in _LAYOUT_ATTRS and _A_WORD.search(v)):
                out.add(TextUnit(v, {"part": f"{tag.name}[{a}]"}))


def _runs_script(soup, out: Content) -> None:
    """A page that runs script - a ``<script>``, an ``on...`` handler, a ``javascript:`` link -
    goes to a person: what it writes onto the page when opened (``document.write``, a canvas,
    characters built from codes) is not among the file's words."""
    places = ["script"] if any(s.get_text().strip() or s.attrs.get("src")
                               for s in soup.find_all("script")) else []
    places += sorted({f"{t.name}[{a}]" for t in soup.find_all(True) for a, v in t.attrs.items()
                      if isinstance(v, str) and v.strip() and (
                          a.lower().startswith("on") or v.strip().lower().startswith("javascript:"))})
    if places:
        out.fail({"part": places[0]}, f"the page runs script ({', '.join(places[:5])}): what it shows "
                                      f"when opened is not known to the checks")


_CSS_CONTENT = re.compile(r"(?<![\w-])content\s*:\s*([^;}]*)", re.IGNORECASE)
_CSS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)


def _css_unescape(s: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            n = int(m.group(1), 16)
            return chr(n) if 0 < n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else ""
        return m.group(2)
    return _CSS_ESCAPE.sub(one, s)


def _generated_content(soup, out: Content) -> None:
    """Text a style sheet puts on the page (``content:`` of ::before/::after, counters, attr())
    is shown where no text node is: it is read here as words, and the file goes to a person
    (where on the page it lands, next to which number, is not known).  Icon glyphs (private-use
    characters) and empty strings are left alone."""
    sheets = [(s.get_text(), {"part": "style"}) for s in soup.find_all("style")]
    sheets += [(t.attrs["style"], {"part": f"{t.name}[style]"}) for t in soup.find_all(True)
               if isinstance(t.attrs.get("style"), str)]
    for css, place in sheets:
        for m in _CSS_CONTENT.finditer(css):
            value = m.group(1)
            words = [_css_unescape(a or b) for a, b in _CSS_STRING.findall(value)]
            words = [w for w in words if any(c.isalnum() and not 0xE000 <= ord(c) <= 0xF8FF for c in w)]
            dynamic = re.search(r"\b(?:counters?|attr)\s*\(", value, re.IGNORECASE)
            if words:
                out.add(TextUnit(" ".join(words), {**place, "css": "content"}))
            if words or dynamic:
                out.fail({**place, "css": value.strip()[:60]},
                         "the style sheet writes text onto the page (CSS content), which is not read "
                         "where it is shown")


def read_markdown(raw: bytes | str, name: str = "") -> Content:
    from markdown_it import MarkdownIt

    from egress_review.engine.readers.label_lists import counted_lists

    out = Content("markdown")
    if (text := text_or_unread(raw, out)) is None:
        return out
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    for unit in counted_lists(text):     # a counted list under a "Top 5 …" heading is a table
        out.add(unit)
    rows: list[list[str]] | None = None
    row: list[str] = []
    table_line = 0
    n_tables = 0
    for i, t in enumerate(tokens):
        line = (t.map[0] + 1) if t.map else None
        if t.type == "table_open":
            rows, table_line = [], line or 0
        elif t.type == "table_close" and rows is not None:
            n_tables += 1
            out.add(TableUnit(rows=rows, place={"table": n_tables, "line": table_line}))
            rows = None
        elif rows is not None:
            if t.type == "tr_open":
                row = []
            elif t.type == "tr_close":
                rows.append(row)
            elif t.type == "inline":
                row.append(" ".join(t.content.split()))
        elif t.type == "inline" and t.content.strip():
            out.add(TextUnit(t.content, {"line": line}, file_lines=True))
        elif t.type in ("fence", "code_block"):
            out.add(TextUnit(t.content, {"line": line, "part": "code"}, code=True, file_lines=True))
            _fence_data(t.info if t.type == "fence" else "", t.content, line or 1, out)
        elif t.type in ("html_block",):
            sub = read_html(t.content)
            out.extend(sub, {"line": line})
    return out


# a fence's info string (```sql, ```{r}, ```python) → the suffix whose reader reads it
_FENCE_LANGUAGES = {"python": "py", "py": "py", "ipython": "py", "python3": "py", "r": "r",
                    "sql": "sql", "postgresql": "sql", "mysql": "sql", "sqlite": "sql", "tsql": "sql",
                    "plsql": "sql", "sas": "sas", "stata": "do", "js": "js", "javascript": "js",
                    "julia": "jl", "matlab": "m", "json": "json", "yaml": "yaml", "yml": "yaml",
                    "toml": "toml", "csv": "csv", "tsv": "tsv"}


def _fence_data(info: str, code: str, line: int, out: Content) -> None:
    """The data typed into a page's code block (a CASE lookup, a JSON string, a data frame, a
    JSON or CSV fence) is read as the program or file it is: before, a fence was only words, and
    a count typed into it as data left with the page.  The block's own text is read already."""
    from egress_review.engine.readers import read_content

    word = (info.strip().strip("{}").replace(",", " ").split() or ["py"])[0].lower()
    suffix = _FENCE_LANGUAGES.get(word, "py")
    sub = read_content(code.encode("utf-8"), f"fence.{suffix}")
    for u in sub.units:
        if isinstance(u, TextUnit) and (u.code or suffix not in ("json", "yaml", "toml", "csv", "tsv")):
            continue                      # its words: read with the block's text already
        u.place = {**u.place, "part": "code", "line": line + (u.place.get("line") or 1)}
        out.add(u)
    for f in sub.unread:
        out.fail({**f.place, "part": "code", "line": line}, f.reason)


_MAX_SCRIPT = 1_000_000


def _script_data(code: str, out: Content) -> None:
    """The data a page's script carries (Plotly/Vega/Chart.js objects) read as tables; a script
    too large to scan (a bundled library) is left to the reviewer, never passed unread."""
    from egress_review.engine.readers.data_statements import js_literals

    if len(code) > _MAX_SCRIPT:
        out.fail({"part": "script"}, f"a script of {len(code):,} characters (over "
                                     f"{_MAX_SCRIPT:,}) was not scanned for data")
        return
    for u in js_literals(code):
        u.place = {**u.place, "part": "script"}
        out.add(u)


def _data_uri(uri: str, place: dict, out: Content) -> None:
    """A ``data:`` URI: a picture is an image; text (text/*, JSON, XML, SVG, HTML) is read as
    words; anything else is bytes no check reads (review)."""
    import base64
    import binascii
    from urllib.parse import unquote_to_bytes

    head, _, body = uri[5:].partition(",")
    mime = head.split(";", 1)[0].strip().lower()
    if mime.startswith("image/") and mime != "image/svg+xml":
        out.add(ImageUnit(mime, body, place))
        return
    try:
        raw = base64.b64decode(body, validate=False) if ";base64" in head.lower() else unquote_to_bytes(body)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        out.add(OpaqueUnit(f"a data URI of type {mime or 'unknown'}", place))
        return
    if not mime or mime.startswith("text/") or mime.endswith(("json", "xml")) or mime == "image/svg+xml":
        out.add(TextUnit(text, {**place, "type": mime or "text/plain"}))
    else:
        out.add(OpaqueUnit(f"a data URI of type {mime}", place))
