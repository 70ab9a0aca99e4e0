"""The text a PDF holds besides its pages' text layer (D4).

The egress engine's PDF reader reads each page's text, tables, annotation contents, document
properties and attachments.  A PDF can hold text elsewhere that a viewer shows on request or
not at all: bookmarks (the outline), form fields' values, names and tooltips, annotations'
authors, subjects and rich text, XMP metadata, and strings in objects no page shows - often
packed into compressed object streams, so the raw-byte ID search of the binary check never saw
them.  Here every object of the file is read with pypdf (object streams decompressed), its
strings collected, and the literal strings of content streams no page uses (a hidden form
XObject); lines the page text already showed are left out.  What cannot be read (a file pypdf
cannot parse, an object that does not decode, a file past the caps) is handed back for review.
"""
from __future__ import annotations

import io
import re

MAX_OBJECTS = 50_000          # objects read in one file
MAX_STREAM_BYTES = 32 << 20   # decoded stream bytes read in one file
_LITERAL = re.compile(rb"\((?:\\.|[^\\()])*\)", re.S)
_TJ_ARRAY = re.compile(rb"\[((?:\((?:\\.|[^\\()])*\)|[^\]])*)\]\s*TJ", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(lit: bytes) -> bytes:
    body = lit[1:-1]
    body = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), body)
    return re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.S)


def _shown(data: bytes) -> list[str]:
    """The literal strings a content stream shows, the pieces of one TJ array joined (an ID
    kerned into pieces is one string again)."""
    out: list[str] = []
    taken: list[tuple[int, int]] = []
    for m in _TJ_ARRAY.finditer(data):
        out.append(b"".join(_unescape(x.group()) for x in _LITERAL.finditer(m.group(1))).decode("latin-1"))
        taken.append(m.span())
    for m in _LITERAL.finditer(data):
        if not any(a <= m.start() < b for a, b in taken):
            out.append(_unescape(m.group()).decode("latin-1"))
    return [s for s in out if s.strip()]


def _text_of(s) -> str | None:
    from pypdf.generic import ByteStringObject, TextStringObject

    if isinstance(s, TextStringObject):
        return str(s)
    if isinstance(s, ByteStringObject):
        t = bytes(s).decode("latin-1")
        printable = sum(c.isprintable() for c in t)
        return t if t and printable >= 0.9 * len(t) else None   # binary bytes (a digest) are no text
    return None


def _strings(obj, out: list[str], depth: int = 0) -> None:
    """Every string inside ``obj`` (a dictionary or array), not following references."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > 50:
        return
    if isinstance(obj, DictionaryObject):
        for v in obj.values():
            _strings(v, out, depth + 1)
    elif isinstance(obj, ArrayObject):
        for v in obj:
            _strings(v, out, depth + 1)
    else:
        t = _text_of(obj)
        if t and t.strip():
            out.append(t)


def _outline(items, out: list[str]) -> None:
    for it in items:
        if isinstance(it, list):
            _outline(it, out)
        else:
            title = getattr(it, "title", None)
            if title:
                out.append(str(title))


def read_pdf_parts(raw: bytes, shown: set[str]) -> tuple[list[tuple[dict, str]], list[tuple[dict, str]]]:
    """(texts, to_review): the PDF's bookmarks, form fields and other strings, without the lines
    in ``shown`` (the page text already read); what could not be read, with the reason."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, StreamObject

    texts: list[tuple[dict, str]] = []
    review: list[tuple[dict, str]] = []
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            return texts, review    # the engine's reader already sends it to review
        bookmarks: list[str] = []
        _outline(reader.outline, bookmarks)
        fields = reader.get_fields() or {}
        pages = list(reader.pages)
    except Exception as e:  # noqa: BLE001 - an unparsable file: a person reads it
        return texts, [({"part": "PDF objects"}, f"the PDF's objects could not be read ({type(e).__name__})")]
    if bookmarks:
        texts.append(({"part": "bookmarks"}, "\n".join(bookmarks)))
    form = [f"{name}: {f.get('/V', '')}" + (f" ({f['/TU']})" if f.get("/TU") else "")
            for name, f in fields.items()]
    if form:
        texts.append(({"part": "form fields"}, "\n".join(form)))
    page_streams = set()
    for p in pages:
        c = p.get("/Contents")
        for ref in (c if isinstance(c, list) else [c]) if c is not None else []:
            if isinstance(ref, IndirectObject):
                page_streams.add(ref.idnum)
    ids = {(n, g) for g, table in reader.xref.items() for n in table} | {(n, 0) for n in reader.xref_objStm}
    info = reader.trailer.get("/Info")
    if isinstance(info, IndirectObject):   # the engine reads its properties (not the software names)
        ids.discard((info.idnum, info.generation))
    if len(ids) > MAX_OBJECTS:
        review.append(({"part": "PDF objects"}, f"the PDF has {len(ids)} objects, more than {MAX_OBJECTS} are "
                                                f"not read"))
    found: list[str] = []
    unread = 0
    budget = MAX_STREAM_BYTES
    for n, g in sorted(ids)[:MAX_OBJECTS]:
        try:
            obj = reader.get_object(IndirectObject(n, g, reader))
            _strings(obj, found)
            if isinstance(obj, StreamObject) and n not in page_streams and budget > 0:
                kind, sub = obj.get("/Type"), obj.get("/Subtype")
                if sub == "/Image" or any(k in obj for k in ("/Length1", "/Length2", "/Length3")) \
                        or kind in ("/XRef", "/ObjStm") or sub in ("/Type1C", "/CIDFontType0C", "/OpenType"):
                    continue
                data = obj.get_data()
                budget -= len(data)
                if kind == "/Metadata":
                    found.append(data.decode("utf-8", "replace"))
                else:
                    found += _shown(data)
        except Exception:  # noqa: BLE001 - counted and reported below
            unread += 1
    if budget <= 0:
        review.append(({"part": "PDF objects"}, f"the PDF's streams decode to more than {MAX_STREAM_BYTES} bytes; "
                                                "the rest were not read"))
    if unread:
        review.append(({"part": "PDF objects"}, f"{unread} object(s) of the PDF could not be read"))
    seen = {ln.strip() for t in shown for ln in t.split("\n")} | {ln.strip() for _, t in texts for ln in t.split("\n")}
    rest = []
    for s in found:
        for ln in s.split("\n"):
            if ln.strip() and ln.strip() not in seen:
                seen.add(ln.strip())
                rest.append(ln)
    if rest:
        texts.append(({"part": "PDF objects (strings not on the pages)"}, "\n".join(rest)))
    return texts, review
