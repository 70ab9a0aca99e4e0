"""E7: every piece of text an office document's XML parts hold, not only what the reader lists.

Word (python-docx) gives a document's body paragraphs, its tables' cells, headers, footers and
comments.  Text can sit elsewhere in the same parts and leaves with the file: text boxes and
shapes (``w:txbxContent``), content controls at body level (``w:sdt``), tracked insertions,
deletions and moves (``w:ins``, ``w:del``/``w:delText``, ``w:moveFrom``), field instructions
(``w:instrText``), smart tags and custom XML runs, equations (``m:t``), tables nested in a cell,
and the glossary part's building blocks.  A workbook's drawings hold text boxes and shapes
(DrawingML ``a:p``/``a:t``) that openpyxl does not list, an OpenDocument sheet its shapes,
frames and page headers (``text:p`` outside the cells) that pandas does not.  Each paragraph of every part swept is
taken with its own text (not that of paragraphs nested inside it); a paragraph whose text is not
already one of the reader's units is added as a text unit at its part and position, so the
checks read it.
"""
from __future__ import annotations

import re
from collections import Counter

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_P = f"{{{_W}}}p"
_TEXT = (f"{{{_W}}}t", f"{{{_W}}}delText", f"{{{_W}}}instrText", f"{{{_W}}}delInstrText", f"{{{_M}}}t")
_SPACE = (f"{{{_W}}}br", f"{{{_W}}}cr", f"{{{_W}}}tab")     # python-docx writes these as \n, \t
# (paragraph element, text elements, elements written as a blank) of each vocabulary
_WORD = (_P, _TEXT, _SPACE)
_DRAWING = (f"{{{_A}}}p", (f"{{{_A}}}t",), (f"{{{_A}}}br",))
# the parts whose paragraphs are swept (the rest of a package is unread or media: see the readers)
PARTS = re.compile(r"^word/(document|header\d*|footer\d*|comments|footnotes|endnotes|glossary/document)\.xml$")
XLSX_PARTS = re.compile(r"^xl/(drawings/drawing\d+|charts/chart\d+)\.xml$")
ODS_PARTS = re.compile(r"^(content|styles)\.xml$")
_TEXTNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLENS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_PARAS = (f"{{{_TEXTNS}}}p", f"{{{_TEXTNS}}}h")
_ODF_BLANKS = (f"{{{_TEXTNS}}}s", f"{{{_TEXTNS}}}tab", f"{{{_TEXTNS}}}line-break")


def _plain(text: str) -> str:
    return " ".join(text.split())


def paragraphs(xml: bytes, vocabulary: tuple = _WORD) -> list[str]:
    """The text of each paragraph of one part, in document order (each with its own runs'
    text only), and the text standing in no paragraph last."""
    from lxml import etree

    para, texts, blanks = vocabulary
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser)
    own: dict = {}
    loose: list[str] = []
    for el in root.iter(*texts, *blanks):
        p = el.getparent()
        while p is not None and p.tag != para:
            p = p.getparent()
        text = " " if el.tag in blanks else el.text or ""
        if p is None:
            loose.append(text)
        else:
            own.setdefault(p, []).append(text)
    out = [_plain("".join(own[p])) for p in root.iter(para) if p in own]
    if loose:
        out.append(_plain(" ".join(loose)))
    return [t for t in out if t]


def odf_paragraphs(xml: bytes) -> list[str]:
    """An OpenDocument part's paragraphs (``text:p``, ``text:h``) outside the sheet's cells -
    text boxes, shapes, frames, annotations, headers - each with its own text (spans and
    links in it; not the paragraphs of a frame anchored inside it)."""
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))

    def own(el) -> str:
        parts = [el.text or ""]
        for child in el:
            if child.tag in _ODF_BLANKS:
                parts.append(" ")
            elif not any(True for _ in child.iter(*_ODF_PARAS)):
                parts.append(own(child))
            parts.append(child.tail or "")
        return "".join(parts)

    out = []
    for p in root.iter(*_ODF_PARAS):
        if p.getparent() is not None and p.getparent().tag == f"{{{_TABLENS}}}table-cell":
            continue    # a cell's own text: the table reader's
        text = _plain(own(p))
        if text:
            out.append(text)
    return out


def unlisted(parts: dict[str, bytes], listed: list[str]) -> list[tuple[str, int, str]]:
    """(part, paragraph number, text) for each paragraph of ``parts`` whose text is not among
    ``listed`` (the texts the reader already made units of; each used once).  Word parts are
    read as WordprocessingML, ``xl/...`` as DrawingML, ``content.xml``/``styles.xml`` as
    OpenDocument."""
    have = Counter(_plain(t) for t in listed if t.strip())
    out = []
    for name in sorted(parts):
        if ODS_PARTS.match(name):
            found = odf_paragraphs(parts[name])
        else:
            found = paragraphs(parts[name], _WORD if name.startswith("word/") else _DRAWING)
        for k, text in enumerate(found, start=1):
            if have[text] > 0:
                have[text] -= 1
            else:
                out.append((name, k, text))
    return out


def read_unlisted(out, raw: bytes, members: list[str], parts: re.Pattern[str]) -> None:
    """Add to ``out`` (a reader's Content) every paragraph of the package's ``parts`` that is
    not yet one of its units, as text at its part and paragraph."""
    import io
    import zipfile

    from egress_review.engine.readers.model import TableUnit, TextUnit

    # each unit's text whole and line by line (a header's paragraphs are joined by line breaks)
    texts = [u.text for u in out.units if isinstance(u, TextUnit)]
    texts += [c for u in out.units if isinstance(u, TableUnit) for r in u.rows for c in r]
    listed = texts + [line for t in texts if "\n" in t for line in t.split("\n")]
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        found = unlisted({m: z.read(m) for m in members if parts.match(m)}, listed)
    except Exception as e:  # noqa: BLE001 - a part lxml refuses: a person reads it
        out.fail({}, f"the document's parts could not all be read for text outside what the reader "
                     f"lists ({type(e).__name__})")
        return
    for part, k, text in found:
        out.add(TextUnit(text, {"part": part, "paragraph": k}))
