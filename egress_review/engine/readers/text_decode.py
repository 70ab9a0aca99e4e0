"""Bytes to text for the text-based readers (UTF-8, then Big5 as Taiwanese tools write it)."""
from __future__ import annotations


def decode_text(raw: bytes) -> str | None:
    """The text, or None for bytes that are not text in either encoding (binary data)."""
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
