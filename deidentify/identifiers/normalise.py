"""Length-preserving text normalisation, so offsets found on the normalised text map back 1:1.

- full-width ASCII (ＡＢＣ１２３＠－) → half-width, the full-width space → a space;
- Traditional → Simplified Chinese, one character for one character (from OpenCC's
  TSCharacters table).  OpenCC's own converter also applies phrase tables that may change the
  length and runs in pure Python (~70 µs per short text here); ``str.translate`` runs in C.
"""
from __future__ import annotations

import functools
import os

import opencc

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


@functools.cache
def _t2s_table() -> dict[int, int]:
    table: dict[int, int] = {}
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            src, dst = parts[0], parts[1].split(" ")[0]
            # Only single code point → single code point keeps offsets aligned.
            if len(src) == 1 and len(dst) == 1:
                table[ord(src)] = ord(dst)
    # Taiwanese usage: 臺 → 台 is already in the table; keep a guard for it anyway.
    table.setdefault(ord("臺"), ord("台"))
    table.update(_FULLWIDTH)
    return table


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms to half-width; same length."""
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Traditional → Simplified per character plus full-width → half-width; same length."""
    return text.translate(_t2s_table())
