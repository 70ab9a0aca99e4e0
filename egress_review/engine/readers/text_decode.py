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
