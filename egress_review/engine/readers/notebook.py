"""Jupyter notebooks through nbformat: every cell, every output, every piece of metadata.

Placed by ``cell_index`` and ``output`` (0-based, as nbformat numbers them) and ``part`` (the
MIME type, ``stdout``/``stderr``, ``error``, ``source``, ``metadata``, ``attachment``).
- markdown cells: Markdown reader; code cells: code (smuggling/identifier checks), raw cells: text;
- outputs: text/html through the HTML reader, text/markdown through Markdown, text/plain and
  streams and tracebacks as printed results, JSON-typed data (widget views, Vega specs,
  application/json) through the JSON reader, images as images; any other MIME type is opaque;
- cell and output metadata and the notebook's own (widget state included) through the JSON
  reader; the kernel's name and language block are skipped (fixed vocabulary, no results).
"""
from __future__ import annotations

import base64
import json
import re
import warnings

from egress_review.engine.readers.code import read as read_code
from egress_review.engine.readers.markup import read_html, read_markdown
from egress_review.engine.readers.model import Content, ImageUnit, OpaqueUnit, TextUnit
from egress_review.engine.readers.printed import page_tables, read_printed
from egress_review.engine.readers.structured import walk
from egress_review.engine.readers.text_decode import text_or_unread

# Metadata keys Jupyter itself writes: booleans, tags, timings, layout; no results.
_OWN_META = {"kernelspec", "language_info", "collapsed", "scrolled", "editable", "deletable",
             "jupyter", "tags", "execution", "trusted", "slideshow", "vscode", "toc",
             "nbformat", "nbformat_minor", "orig_nbformat", "id", "name", "isConfigCell"}


def _meta(out: Content, meta, place: dict) -> None:
    rest = {k: v for k, v in (meta or {}).items() if k not in _OWN_META}
    if rest:
        sub = Content("json")
        walk(rest, sub, "$.metadata")
        out.extend(sub, {**place, "part": "metadata"})


def _as_text(v) -> str:
    return "".join(v) if isinstance(v, list) else str(v)


def _attachment(out: Content, mime: str, data: str, place: dict) -> None:
    """A cell attachment is a MIME bundle like an output: a text one (a probe attached
    "region C: 3 patients" as text/plain, held only as an image) is read as the output of
    that type would be; pictures go to the committee; anything else is opaque (review)."""
    if mime.startswith("image/") and mime != "image/svg+xml":
        out.add(ImageUnit(mime, data, place))
        return
    if mime.startswith("text/") or mime.endswith("json") or mime == "image/svg+xml":
        try:                      # nbformat stores attachments base64-encoded
            text = base64.b64decode(data, validate=True).decode("utf-8")
        except ValueError:
            text = data
        # other text types (text/csv, text/x-log) are read as printed text: tables found there
        as_type = mime if mime in ("text/html", "text/markdown", "image/svg+xml") or \
            mime.endswith("json") else "text/plain"
        _data(out, {as_type: text}, place)
        return
    out.add(OpaqueUnit(f"notebook attachment of type {mime}", place))


def _data(out: Content, data: dict, place: dict) -> None:
    for mime, body in data.items():
        p = {**place, "part": mime}
        if mime == "text/html":
            out.extend(read_html(_as_text(body)), p)
        elif mime == "text/markdown":
            out.extend(read_markdown(_as_text(body)), p)
            for unit in page_tables(_as_text(body)):
                out.add(unit.__class__(rows=unit.rows, place={**p, **unit.place}))
        elif mime == "text/plain":
            out.extend(read_printed(_as_text(body)), p)
        elif mime in ("text/latex", "text/x-tex"):
            # df.to_latex() shown: its tabular is a table (read_printed reads tabulars)
            out.extend(read_printed(_as_text(body)), p)
        elif mime in ("application/javascript", "text/javascript"):
            out.add(TextUnit(_as_text(body), p, code=True))
        elif mime == "image/svg+xml":
            out.add(ImageUnit(mime, base64.b64encode(_as_text(body).encode()).decode(), p))
            out.extend(read_html(_as_text(body), xml=True), p)
        elif mime.startswith("image/"):
            out.add(ImageUnit(mime, _as_text(body), p))
        elif mime == "application/json" or mime.endswith("+json"):
            sub = Content("json")
            walk(body if not isinstance(body, str) else json.loads(body), sub, "$")
            out.extend(sub, p)
        else:
            out.add(OpaqueUnit(f"notebook output of type {mime}", p))


# A code cell that ends in a counting expression (len(…), nrow(…), .nunique(), .sum() of a mask,
# .shape[0]) shows a count as its bare output: "3" under len(df[df.region == 'Lanyu']) went to a
# reviewer as a number of no known role (round 13); it is the count the code names.
_COUNT_EXPR = re.compile(r"\b(?:len|nrow|NROW|length|n_distinct|sum)\s*\(|"
                         r"\.(?:nunique|count|sum|size)\s*\(\s*\)|\.shape\s*\[\s*0\s*\]|\.shape\s*$|"
                         r"\.size\s*$|\bdim\s*\(")
_SCALAR_OUT = re.compile(r"^\s*(?:\[1\]\s*)?(?:(?:np|numpy)\.\w+\()?(\d+)L?\)?\s*$|"
                         r"^\s*(?:\[1\]\s*)?\(?\s*(\d+)\s*,?\s+\d+\s*\)?\s*$")


def counted_output(code: str, text: str) -> tuple[str, int] | None:
    """(the counting expression, the count) when a cell's last line counts and its output is
    that one number (a shape's rows first), else None."""
    lines = [ln for ln in code.strip().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines or not _COUNT_EXPR.search(lines[-1]):
        return None
    m = _SCALAR_OUT.match(text.strip()) if text.strip().count("\n") == 0 else None
    if not m:
        return None
    return lines[-1].strip()[:80], int(m.group(1) or m.group(2))


def read(raw: bytes, name: str) -> Content:
    import nbformat

    out = Content("notebook")
    if (text := text_or_unread(raw, out)) is None:
        return out
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # missing cell ids and the like: read anyway
            nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises JSON, validation and version errors
        out.fail({}, f"not a readable notebook ({type(e).__name__}: {e})")
        return out
    for ci, cell in enumerate(nb.get("cells", [])):
        base = {"cell_index": ci}
        src = _as_text(cell.get("source", ""))
        kind = cell.get("cell_type")
        if kind == "markdown":
            out.extend(read_markdown(src), {**base, "part": "source"})
            for unit in page_tables(src):       # a LaTeX tabular, a <pre> table
                out.add(unit.__class__(rows=unit.rows, place={**base, "part": "source", **unit.place}))
        elif kind == "code":
            if src.strip():       # the code, and its comments and prose strings as words
                out.extend(read_code(src.encode("utf-8"), "cell.py"), {**base, "part": "source"})
        elif src.strip():
            out.add(TextUnit(src, {**base, "part": "source"}))
        _meta(out, cell.get("metadata"), base)
        for name_, att in (cell.get("attachments") or {}).items():
            for mime, data in att.items():
                _attachment(out, mime, _as_text(data), {**base, "part": "attachment",
                                                        "attachment": name_})
        for oi, o in enumerate(cell.get("outputs", []) or []):
            place = {**base, "output": oi}
            t = o.get("output_type")
            shown = _as_text(o.get("text", "")) if t == "stream" else \
                _as_text((o.get("data") or {}).get("text/plain", "")) if t == "execute_result" else ""
            if kind == "code" and (hit := counted_output(src, shown)):
                # (the expression in the place: its words - .sum() - would read as a statistic)
                out.add(TextUnit(f"count the cell shows (n): {hit[1]}",
                                 {**place, "part": "counted output", "expression": hit[0],
                                  "labelled": True}))
            try:
                if t == "stream":
                    out.extend(read_printed(_as_text(o.get("text", ""))),
                               {**place, "part": o.get("name", "stream")})
                elif t == "error":
                    words = f"{o.get('ename', '')}: {o.get('evalue', '')}\n" + "\n".join(
                        o.get("traceback", []) or [])
                    out.add(TextUnit(words, {**place, "part": "error"}))
                elif t in ("execute_result", "display_data", "update_display_data"):
                    _data(out, dict(o.get("data") or {}), place)
                else:
                    out.add(OpaqueUnit(f"notebook output of type {t}", place))
                _meta(out, o.get("metadata"), place)
            except Exception as e:  # one broken output: that output goes to review
                out.fail(place, f"output could not be read ({type(e).__name__}: {e})")
    _meta(out, nb.get("metadata"), {})
    return out
