"""Bytes to text for the text-based readers (UTF-8, then Big5 as Taiwanese tools write it)."""
from __future__ import annotations


# Unicode text that says so by its byte-order mark (Excel's "Unicode text", PowerShell's
# Out-File, a UTF-8 BOM): read as the text it is.  Before, a UTF-16 table under .csv was taken
# for binary data and blocked however safe its counts (UTF-32's mark first: it starts as UTF-16's).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_text(raw: bytes) -> str | None:
    """The text, or None for bytes that are not text in either encoding (binary data)."""
    enc = next((e for bom, e in _BOMS if raw.startswith(bom)), None)
    if enc is not None:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            return None
        return None if "\x00" in text[:8192] else text
    if b"\x00" in raw[:8192]:
        return None
    for enc in ("utf-8-sig", "big5"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def text_or_unread(raw: bytes | str, out) -> str | None:
    """The text a reader parses (``raw`` itself when it is already text); None, with the reason
    recorded as unread on ``out`` (the reader's Content), for bytes that are not text."""
    text = raw if isinstance(raw, str) else decode_text(raw)
    if text is None:
        out.fail({}, "not UTF-8 or Big5 text")
    return text
