"""Documents and columnar files brought in, read for what they hold (D4).

PDF, Word, OpenDocument spreadsheets and Arrow/Feather files were "binary files" to the import
checks: their raw bytes were searched for national IDs (compressed PDF streams and Arrow
buffers hide them) and the file went to review whatever it held.  A patient list in a PDF or a
.docx therefore reached a reviewer unmarked.  They are now read with the egress engine's
readers (``egress_review.engine.readers``: the same text, tables and pages as shown) and what
they hold goes through the import's text and table checks.  What the readers cannot read
(unread parts, attached files, pictures inside) is listed for review with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SUFFIXES = {".pdf", ".docx", ".feather", ".arrow", ".ipc"}   # OpenDocument zips are unpacked as archives
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}   # cells read as tables; the rest of the package here


@dataclass
class DocumentReading:
    texts: list[tuple[dict, str]] = field(default_factory=list)          # place, text
    tables: list[tuple[dict, list[list[str]]]] = field(default_factory=list)   # place, rows (header first)
    to_review: list[tuple[dict, str]] = field(default_factory=list)      # place, why


def read_document(raw: bytes, name: str, *, cells_read: bool = False) -> DocumentReading:
    """``cells_read``: a workbook whose sheets' cells the import's table checks read already -
    only what else it holds is returned (comments, headers and footers, defined names,
    validation lists, document properties, text boxes, chart caches, parts no reader knows)."""
    from egress_review.engine.readers import ImageUnit, OpaqueUnit, TableUnit, TextUnit, read_content

    content = read_content(raw, name)
    out = DocumentReading()
    pictures = 0
    for unit in content.units:
        if cells_read and isinstance(unit, TableUnit) and "part" not in unit.place:
            continue   # a sheet's own cells
        if isinstance(unit, TextUnit):
            out.texts.append((dict(unit.place), unit.text))
        elif isinstance(unit, TableUnit):
            out.tables.append((dict(unit.place), [[str(c) for c in row] for row in unit.rows]))
        elif isinstance(unit, ImageUnit):
            pictures += 1
        elif isinstance(unit, OpaqueUnit):
            out.to_review.append((dict(unit.place), unit.what))
        else:   # a model summary or a kind added later: not read here
            out.to_review.append((dict(getattr(unit, "place", {}) or {}), f"a part read as {type(unit).__name__}"))
    if pictures:
        out.to_review.append(({"pictures": pictures}, f"{pictures} picture(s) inside the document"))
    for u in content.unread:
        out.to_review.append((dict(u.place), u.reason))
    if name.lower().endswith(".pdf"):   # bookmarks, form fields, strings in (compressed) objects
        from egress_review.ingress.pdf_parts import read_pdf_parts

        shown = {t for _, t in out.texts} | {" ".join(r) for _, rows in out.tables for r in rows}
        texts, review = read_pdf_parts(raw, shown)
        out.texts += texts
        out.to_review += review
    return out
