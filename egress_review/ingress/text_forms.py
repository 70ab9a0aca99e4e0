"""Text written in UTF-16 or UTF-32, with or without a byte-order mark (D4).

A patient list saved as UTF-32 passed the import checks: its bytes hold a NUL after every
character, so it was not text to the UTF-8/Big5 reader, and the UTF-16 branch (a BOM FF FE)
read it as UTF-16 - the same letters with NULs between them, where no identifier matches.
Here every Unicode encoding form a spreadsheet or editor writes is tried, BOM first, then by the
place of the NUL bytes; a decoding is taken only when it gives printable text (random binary
decodes to unassigned and control characters, and stays binary).
"""
from __future__ import annotations

import re

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
MIN_PRINTABLE = 0.97   # share of characters that are printable or white space
_SAMPLE = 1 << 16


def _printable(text: str) -> bool:
    if not text or "\0" in text:
        return False
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r\f\v")
    return ok >= MIN_PRINTABLE * len(text)


def _by_zeros(data: bytes) -> list[str]:
    """The encodings the NUL bytes' places point to (ASCII and CJK text in UTF-32 has NULs in
    its two high bytes; in UTF-16, ASCII has one NUL per character)."""
    head = data[:_SAMPLE]
    n = len(head)
    if n < 4:
        return []
    def zeros(start: int, step: int) -> float:
        part = head[start::step]
        return part.count(0) / max(len(part), 1)
    out = []
    if len(data) % 4 == 0:
        if zeros(3, 4) > 0.95 and zeros(2, 4) > 0.5:
            out.append("utf-32-le")
        if zeros(0, 4) > 0.95 and zeros(1, 4) > 0.5:
            out.append("utf-32-be")
    if len(data) % 2 == 0:
        if zeros(1, 2) > 0.3 and zeros(0, 2) < 0.05:
            out.append("utf-16-le")
        if zeros(0, 2) > 0.3 and zeros(1, 2) < 0.05:
            out.append("utf-16-be")
    return out


def decode_wide(data: bytes) -> str | None:
    """The text of UTF-16/UTF-32 bytes, or None when they are not such text."""
    tried = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            tried.append((enc, len(bom)))
            break
    tried += [(enc, 0) for enc in _by_zeros(data)]
    for enc, skip in tried:
        try:
            text = data[skip:].decode(enc)
        except UnicodeDecodeError:
            continue
        if _printable(text[:_SAMPLE]):
            return text
    return None


_RTF_TOKEN = re.compile(r"\\'([0-9A-Fa-f]{2})|\\u(-?\d{1,5})\??|\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\([^a-zA-Z])|([{}])|([^\\{}]+)")
_RTF_BREAKS = {"par", "line", "row", "cell", "tab", "sect", "page"}


def rtf_text(rtf: str) -> str:
    """The text an RTF document shows: its ``\\'hh`` bytes in the document's code page
    (``\\ansicpg``; Big5 for 950) and ``\\uN`` characters decoded, control words dropped.
    Read as raw text, a patient list written in those escapes held no identifier."""
    m = re.search(r"\\ansicpg(\d{3,5})", rtf[:4096])
    codec = {"950": "big5", "936": "gbk", "932": "cp932", "949": "cp949"}.get(m.group(1), f"cp{m.group(1)}") \
        if m else "cp1252"
    try:
        "".encode(codec)
    except LookupError:
        codec = "cp1252"
    out: list[str] = []
    pending = bytearray()

    def flush() -> None:
        if pending:
            out.append(pending.decode(codec, "replace"))
            pending.clear()

    for hexbyte, uni, word, _arg, sym, brace, plain in _RTF_TOKEN.findall(rtf):
        if hexbyte:
            pending.append(int(hexbyte, 16))
            continue
        flush()
        if uni:
            out.append(chr(int(uni) % 65536))
        elif word in _RTF_BREAKS:
            out.append("\n" if word != "tab" and word != "cell" else "\t")
        elif plain:
            out.append(plain.replace("\r", "").replace("\n", ""))
        elif sym in ("\\", "{", "}"):
            out.append(sym)
    flush()
    return "".join(out)
