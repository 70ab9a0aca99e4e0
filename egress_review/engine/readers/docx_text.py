"""E7: every piece of text a Word document's parts hold, not only what python-docx lists.

python-docx gives a document's body paragraphs, its tables' cells, headers, footers and
comments.  Text can sit elsewhere in the same parts and leaves with the file: text boxes and
shapes (``w:txbxContent``), content controls at body level (``w:sdt``), tracked insertions,
deletions and moves (``w:ins``, ``w:del``/``w:delText``, ``w:moveFrom``), field instructions
(``w:instrText``), smart tags and custom XML runs, equations (``m:t``), tables nested in a cell,
and the glossary part's building blocks.  Each paragraph (``w:p``) of every part read is taken
with its own text (not that of paragraphs nested inside it); a paragraph whose text is not
already one of the reader's units is added as a text unit at its part and position, so the
checks read it.
"""
from __future__ import annotations

import re
from collections import Counter

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_P = f"{{{_W}}}p"
_TEXT = (f"{{{_W}}}t", f"{{{_W}}}delText", f"{{{_W}}}instrText", f"{{{_W}}}delInstrText", f"{{{_M}}}t")
_SPACE = (f"{{{_W}}}br", f"{{{_W}}}cr", f"{{{_W}}}tab")     # python-docx writes these as \n, \t
# the parts whose paragraphs are swept (the rest of a package is unread or media: see documents)
PARTS = re.compile(r"^word/(document|header\d*|footer\d*|comments|footnotes|endnotes|glossary/document)\.xml$")


def _plain(text: str) -> str:
    return " ".join(text.split())


def paragraphs(xml: bytes) -> list[str]:
    """The text of each paragraph of one part, in document order (each with its own runs'
    text only), and the text standing in no paragraph last."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser)
    own: dict = {}
    loose: list[str] = []
    for el in root.iter(*_TEXT, *_SPACE):
        p = el.getparent()
        while p is not None and p.tag != _P:
            p = p.getparent()
        text = " " if el.tag in _SPACE else el.text or ""
        if p is None:
            loose.append(text)
        else:
            own.setdefault(p, []).append(text)
    out = [_plain("".join(own[p])) for p in root.iter(_P) if p in own]
    if loose:
        out.append(_plain(" ".join(loose)))
    return [t for t in out if t]


def unlisted(parts: dict[str, bytes], listed: list[str]) -> list[tuple[str, int, str]]:
    """(part, paragraph number, text) for each paragraph of ``parts`` whose text is not among
    ``listed`` (the texts the reader already made units of; each used once)."""
    have = Counter(_plain(t) for t in listed if t.strip())
    out = []
    for name in sorted(parts):
        for k, text in enumerate(paragraphs(parts[name]), start=1):
            if have[text] > 0:
                have[text] -= 1
            else:
                out.append((name, k, text))
    return out
