"""E7/E4: text bytes under a name no reader here reads are read as the text they are.

A red team saved a frequency table as plain text and named it ``counts.rds``, ``m.dta``,
``t.sqlite``, ``a.gz``, ``r.xls``, ``model.tflite`` (and declared it a model, a document or a
figure): the name chose a format nothing here can read, so the file went to a person as an
unreadable R object, Stata file or archive - its count of 3 unread and unnamed.  The name is
the requester's word; the bytes are what the file is.  Such a file is read as text too (a CSV,
a printed table, prose: every check that reads text then runs), and the mismatch goes to a
person with the reason.  A format whose reader failed on bytes that are text (a CSV named
``.ipynb``) is read as text the same way.  Only adds: the format's own finding stays.
"""
from __future__ import annotations

from egress_review.engine.readers import Content, format_of, read_content
from egress_review.engine.readers.text_decode import decode_text

# Formats whose files are text by design: their bytes as text say nothing new.
_TEXT_FORMATS = {"csv", "json", "yaml", "toml", "html", "markdown", "text", "code", "svg", "notebook"}
# Signatures of binary formats: bytes that open so are not the plain text read here.
_BINARY_OPENINGS = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!",
                    b"%PDF", b"SQLite format 3", b"PAR1", b"\x89HDF", b"\x93NUMPY", b"\x7fELF",
                    b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
# Names of formats that are text by nature though no reader here parses them (RTF): read as
# text, with no word of a mismatch.
_TEXT_BY_NATURE = {".rtf"}


def _text_of(raw: bytes) -> str | None:
    """The text the bytes are: UTF-8 or Big5 (as the text readers take them), else UTF-16 or
    UTF-32 by their byte-order mark, else UTF-16 without one (every other byte NUL, as
    Windows tools write it).  None: binary, or empty of letters and digits."""
    if not raw.strip(b" \t\r\n\x00") or raw.startswith(_BINARY_OPENINGS):
        return None
    text = decode_text(raw)
    if text is None:
        head = raw[:4096]
        boms = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
        enc = next((e for bom, e in boms if head.startswith(bom)), None)
        if enc is None and len(head) >= 8:
            odd, even = head[1::2].count(0), head[0::2].count(0)
            enc = "utf-16-le" if odd >= 0.9 * len(head[1::2]) and not even else \
                "utf-16-be" if even >= 0.9 * len(head[0::2]) and not odd else None
        try:
            text = raw.decode(enc) if enc else None
        except UnicodeDecodeError:
            text = None
    if text is None or "\x00" in text or not any(ch.isalnum() for ch in text[:65536]):
        return None
    return text


def as_text(raw: bytes, name: str, content: Content) -> tuple[Content | None, str | None]:
    """(what the bytes say read as text, why the name was not believed): (None, None) when the
    name's own reader read the file or the bytes are not text; no reason for RTF, text by
    nature."""
    fmt = format_of(name)
    text = _text_of(raw)
    if text is None:
        return None, None
    if fmt is None:
        if decode_text(raw) is not None:
            return None, None          # read as text by read_content already
        why = "its bytes are text in UTF-16 or UTF-32, which the readers do not take"
    elif fmt.name in _TEXT_FORMATS:
        if content.units:
            return None, None          # its own reader read it
        why = f"the {fmt.name} reader could not read it, but its bytes are text"
    elif name.lower().endswith(tuple(_TEXT_BY_NATURE)):
        why = None
    elif fmt.reader is None:
        why = (f"its name says {fmt.name} ({fmt.suffixes[0]}…), a format the checks cannot read, "
               "but its bytes are plain text")
    else:
        why = f"its name says {fmt.name}, a binary format, but its bytes are plain text"
    return read_content(text.encode("utf-8"), name + ".txt"), why
