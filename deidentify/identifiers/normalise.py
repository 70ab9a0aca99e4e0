"""Length-preserving text normalisation, so offsets found on the normalised text map back 1:1.

- full-width ASCII (ＡＢＣ１２３＠－) → half-width, the full-width space → a space;
- Traditional → Simplified Chinese, one character for one character (from OpenCC's
  TSCharacters table).  OpenCC's own converter also applies phrase tables that may change the
  length and runs in pure Python (~70 µs per short text here); a character table applied
  with ``str.translate`` (short texts) or a numpy lookup (whole columns) does not.
"""
from __future__ import annotations

import functools
import os
import re

import numpy as np
import opencc

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


@functools.cache
def _t2s_array() -> np.ndarray:
    """The mapping as a lookup array over the Basic Multilingual Plane."""
    table = np.arange(0x10000, dtype=np.uint32)
    for src, dst in _t2s_mapping().items():
        if src < 0x10000:
            table[src] = dst
    return table


@functools.cache
def _t2s_mapping() -> dict[int, int]:
    table: dict[int, int] = {}
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            src, dst = parts[0], parts[1].split(" ")[0]
            # Only single code point → single code point keeps offsets aligned; sources are
            # kept to the BMP so the dict and the array paths agree.
            if len(src) == 1 and len(dst) == 1 and ord(src) < 0x10000:
                table[ord(src)] = ord(dst)
    # Taiwanese usage: 臺 → 台 is already in the table; keep a guard for it anyway.
    table.setdefault(ord("臺"), ord("台"))
    table.update(_FULLWIDTH)
    return table


_ID_SEPARATORS = re.compile(r"[ \-]")


def compact_id(s: str) -> str:
    """An ID written with spaces or hyphens (A123-456-789) without them."""
    return _ID_SEPARATORS.sub("", s)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms to half-width; same length."""
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Traditional → Simplified per character plus full-width → half-width; same length.

    Long strings (a whole joined column) go through numpy on UTF-32 code points, ~10× faster
    than ``str.translate`` with a dict; code points beyond the BMP are left unchanged.
    """
    if len(text) < 4096:
        return text.translate(_t2s_mapping())
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = _t2s_array()
    out = np.where(cps < 0x10000, table[np.minimum(cps, 0xFFFF)], cps)
    return out.astype("<u4").tobytes().decode("utf-32-le")
