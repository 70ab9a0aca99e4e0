"""PDF (pypdf) and Word .docx (python-docx): text, tables, comments, properties.

PDF: the tables of every page (pdfplumber: ruled or aligned cells become table units, checked
like a CSV), the page's text outside them (a page pdfplumber cannot lay out falls back to
pypdf's text, whose numbers are checked as prose), the document information, attached files
(opaque) and page images; and each page as it is shown (``pdf_shown``: rendered and read by
OCR, what the picture shows beyond the text layer is read too and goes to review).  DOCX: paragraphs, tables, headers and footers, comments, core
properties; parts python-docx does not read (foot/endnotes, embedded objects …) are unread.
"""
from __future__ import annotations

import io
import re
import zipfile

from egress_review.engine.readers.model import Content, ImageUnit, OpaqueUnit, TableUnit, TextUnit


def read_pdf(raw: bytes, name: str) -> Content:
    from pypdf import PdfReader

    out = Content("pdf")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            out.fail({}, "the PDF is encrypted")
            return out
        pages = list(reader.pages)
    except Exception as e:
        out.fail({}, f"not a readable PDF ({type(e).__name__}: {e})")
        return out
    laid_out = _plumbed(raw, len(pages))
    layers = [""] * len(pages)     # each page's text as its text layer says (pdf_shown compares)
    for k, page in enumerate(pages):
        if laid_out is not None:
            words, tables = laid_out[k]
            for i, rows in enumerate(tables):
                out.add(TableUnit(rows=rows, place={"page": k + 1, "table": i + 1}))
                layers[k] += "\n" + "\n".join(" ".join(r) for r in rows)
        else:
            try:
                words = page.extract_text() or ""
            except Exception as e:
                out.fail({"page": k + 1}, f"page text could not be extracted ({type(e).__name__})")
                continue
        layers[k] += "\n" + words
        if words.strip():
            out.add(TextUnit(words, {"page": k + 1}))
        try:
            for i, _im in enumerate(page.images):
                out.add(ImageUnit("image", "", {"page": k + 1, "image": i + 1}))
        except Exception:
            out.fail({"page": k + 1}, "page images could not be listed")
        annots = page.get("/Annots")
        if annots:
            for i, a in enumerate(annots.get_object() if hasattr(annots, "get_object") else annots):
                a = a.get_object()
                words = a.get("/Contents")
                if words:
                    out.add(TextUnit(str(words), {"page": k + 1, "annotation": i + 1}))
                    layers[k] += "\n" + str(words)
    _as_shown(out, raw, layers)
    for key, v in (reader.metadata or {}).items():
        if key not in ("/Producer", "/Creator", "/CreationDate", "/ModDate") and str(v).strip():
            out.add(TextUnit(str(v), {"property": key.lstrip("/"), "part": "document property"}))
    try:
        attached = dict(reader.attachments)
    except Exception:
        attached = {"?": None}
    for fname in attached:
        out.add(OpaqueUnit(f"a file attached to the PDF ({fname})", {"attachment": fname}))
    return out


def _as_shown(out: Content, raw: bytes, layers: list[str]) -> None:
    """Pages whose picture shows what their text layer does not (``pdf_shown``): the picture's
    text is read by the checks too, and the file goes to review with what differed."""
    from egress_review.engine.readers.pdf_shown import read_as_shown

    differing, failed = read_as_shown(raw, layers)
    for place, reason in failed:
        out.fail(place, reason)
    for page, shown, diff in differing:
        out.add(TextUnit(shown, {"page": page, "part": "page as shown (OCR)"}))
        listed = ", ".join(diff[:8]) + (" …" if len(diff) > 8 else "")
        out.fail({"page": page}, f"the page shows what its text layer does not hold ({listed}): drawn "
                                 f"as shapes, or characters mapped to other glyphs; its picture was read "
                                 f"by OCR and checked, and a reviewer compares")


def _plumbed(raw: bytes, n_pages: int) -> list[tuple[str, list[list[list[str]]]]] | None:
    """Each page's tables (rows of cell texts) and its text outside them, or None when
    pdfplumber cannot lay the document out (then pypdf's text is read, all of it prose)."""
    try:
        import pdfplumber

        pages = []
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            if len(pdf.pages) != n_pages:
                return None
            for page in pdf.pages:
                found = page.find_tables()
                tables = []
                rest = page
                for t in found:
                    rows = [[" ".join((c or "").split()) for c in r] for r in t.extract()]
                    if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                        tables.append(rows)
                        rest = rest.outside_bbox(t.bbox)
                pages.append((rest.extract_text() or "", tables))
        return pages
    except Exception:  # noqa: BLE001 - the pypdf text is read instead, as prose
        return None


_DOCX_READ = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/.*|docProps/(core|app|custom)\.xml|word/document\.xml|"
    r"word/_rels/.*|word/(styles|stylesWithEffects|settings|webSettings|fontTable|numbering)\.xml|"
    r"word/theme/.*|word/(header|footer)\d*\.xml|word/comments\.xml|word/media/.*|"
    r"word/footnotes\.xml|word/endnotes\.xml|customXml/.*|docProps/thumbnail\.\w+|"
    r"word/glossary/.*)$")


def _custom_xml(out: Content, data: bytes, part: str) -> None:
    """Custom XML parts (Word keeps its bibliography there): their text and attribute values
    are words like any other."""
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        out.fail({"part": part}, f"custom XML part is not readable XML ({e})")
        return
    words = [t.strip() for t in root.itertext() if t.strip()]
    words += [v for el in root.iter() for k, v in el.attrib.items()
              if k not in ("SelectedStyle", "StyleName", "Version") and v.strip()]
    if words:
        out.add(TextUnit("\n".join(words), {"part": part}))


def read_docx(raw: bytes, name: str) -> Content:
    import docx

    out = Content("docx")
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        d = docx.Document(io.BytesIO(raw))
    except Exception as e:
        out.fail({}, f"not a readable .docx document ({type(e).__name__}: {e})")
        return out
    for m in members:
        if not m.endswith("/") and not _DOCX_READ.match(m):
            out.fail({"part": m}, f"document part {m} is not read by the checks")
    for m in members:
        if re.match(r"word/(footnotes|endnotes)\.xml$", m):
            # their paragraphs are read as text by read_unlisted (below); a table typed into a
            # note is not read as a table: a person reads it
            xml = zipfile.ZipFile(io.BytesIO(raw)).read(m).decode("utf-8", "replace")
            if re.search(r"<w:tbl[\s>]", xml):
                out.fail({"part": m}, f"{m.split('/')[-1]} holds a table the checks do not read")
        elif m.startswith("word/media/"):
            out.add(ImageUnit("image", "", {"part": m}))
        elif m.startswith("customXml/item") and m.endswith(".xml") and "Props" not in m:
            _custom_xml(out, zipfile.ZipFile(io.BytesIO(raw)).read(m), m)
    for k, p in enumerate(d.paragraphs):
        if p.text.strip():
            out.add(TextUnit(p.text, {"paragraph": k + 1}))
    for t, table in enumerate(d.tables):
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows:
            out.add(TableUnit(rows=rows, place={"table": t + 1}))
    for s, sec in enumerate(d.sections):
        for part_name in ("header", "footer", "first_page_header", "first_page_footer",
                          "even_page_header", "even_page_footer"):
            part = getattr(sec, part_name, None)
            if part is None or part.is_linked_to_previous:
                continue
            words = "\n".join(p.text for p in part.paragraphs if p.text.strip())
            if words:
                out.add(TextUnit(words, {"section": s + 1, "part": part_name}))
    try:
        comments = list(d.comments)
    except Exception:
        comments = []
    for c in comments:
        words = c.text if hasattr(c, "text") else ""
        if words.strip():
            out.add(TextUnit(words, {"comment": getattr(c, "comment_id", "?"), "part": "comment"}))
    from egress_review.engine.readers.office_text import PARTS, read_unlisted

    read_unlisted(out, raw, members, PARTS)
    cp = d.core_properties
    for key in ("title", "subject", "author", "keywords", "comments", "category",
                "last_modified_by", "content_status", "identifier", "language", "version"):
        v = getattr(cp, key, None)
        if v and str(v).strip() and not (key in ("author", "last_modified_by") and v == "python-docx"):
            out.add(TextUnit(str(v), {"property": key, "part": "document property"}))
    return out
