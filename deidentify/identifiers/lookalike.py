"""Identifiers written in look-alike characters (D1 steward scrub, E7 egress, D4 import).

The finders read ASCII, full-width and the one-for-one compatibility forms the normaliser maps
(``normalise``).  Someone writing an ID to get it past them - or a note pasted from a word
processor, a web form or a phone - has other characters that read the same to a human: the
other decimal digits of Unicode (Arabic-Indic ٣, Devanagari ३, mathematical 𝟑 beyond the BMP),
Cyrillic and Greek letters shaped like Latin ones (А, В, Е ... Α, Β ...), invisible format
characters and soft hyphens inside a number (A123<U+200B>456789), and a run of Chinese numerals
(〇九一二-三四五-六七八) for the digits of a phone or ID.  A text holding any of these is
folded to the form a reader sees - one output character per kept input character, with a map
back - and the finders run on the folded text too; what is found only there is masked or
reported on the original characters.  Texts without such characters are not folded (almost
every note: the finders' second pass costs as much as the first).
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata

import numpy as np

_HAN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}
# a run of Chinese numerals (digits and dashes among them) as long as a phone or the digits of an
# ID (shorter runs are numbers the prose reads, or words: 一二 in 第一二章)
_D = "〇一二三四五六七八九零○0-9０-９"
_HAN_RUN = re.compile(rf"[{_D}](?:[{_D}]|[-‐ ](?=[{_D}])){{6,}}")
# Cyrillic and Greek letters drawn like Latin capitals and small letters (look-alike, Latin)
_CONFUSABLE = str.maketrans(dict(pair for pair in (
    "АA ВB ЕE З3 ІI ЈJ КK МM НH ОO РP СC ТT УY ХX ЅS ԁd еe оo рp сc уy хx іi јj ѕs "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX οo ѵv").split()))


_BLANK_LETTERS = frozenset("\u00ad\u115f\u1160\u3164\uffa0\u2800")


@functools.lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    """The character a reader takes ``c`` for ('' for one they do not see)."""
    if c.isascii():
        return c
    cat = unicodedata.category(c)
    # zero-width and other format characters, the soft hyphen, combining marks over a character
    # (0̲9̲1̲2̲, variation selectors) and letters that draw nothing (Hangul fillers, Braille blank)
    if cat in ("Cf", "Mn", "Me") or c in _BLANK_LETTERS:
        return ""
    d = unicodedata.decimal(c, None)
    if d is None:
        d = unicodedata.digit(c, None)   # circled, superscript, parenthesised digits
    if d is not None and d < 10:
        return str(d)
    t = c.translate(_CONFUSABLE)
    if t != c:
        return t
    k = unicodedata.normalize("NFKC", c)
    return k if len(k) == 1 and k.isascii() else c


def unseen(c: str) -> bool:
    """Whether a reader sees nothing where ``c`` stands (zero-width, format and combining
    characters, the soft hyphen, blank letters)."""
    return _fold_char(c) == ""


# Blocks where no character folds (Han, Hangul, private use, the supplementary ideographs):
# skipped when the trigger set is built, which then takes ~0.1 s once per process.
_NOTHING_FOLDS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD800), (0xE000, 0xF900),
                  (0x20000, 0xE0000), (0xF0000, 0x110000))


@functools.cache
def _trigger() -> frozenset[str]:
    """Characters that read otherwise once folded and that the normaliser does not already map
    to what a reader sees (full-width forms, circled digits and the like it does).  A set, not a
    regex class: over ~100 ranges of code points a class costs ~0.5 µs a character, the set's
    ``isdisjoint`` ~0.02 (it runs on every text of a column).  Built from this module, the
    normaliser's tables and Python's Unicode data, and kept between processes keyed by them
    (``deidentify.warm_cache``)."""
    import opencc

    from deidentify.identifiers import normalise
    from deidentify.warm_cache import cached, file_bytes

    parts = [unicodedata.unidata_version, file_bytes(__file__), file_bytes(normalise.__file__),
             file_bytes(os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt"))]
    return cached("lookalike-trigger", parts, _build_trigger,
                  lambda chars: "".join(sorted(chars)).encode("utf-8"),
                  lambda payload: frozenset(payload.decode("utf-8")))


def _build_trigger() -> frozenset[str]:
    from deidentify.identifiers.normalise import _t2s_mapping

    mapped, plain = _t2s_mapping(), _fold_char.__wrapped__   # (uncached: 135k characters once)
    out, cp = [], 0x80
    skips = iter(_NOTHING_FOLDS)
    lo, hi = next(skips)
    while cp < 0x110000:
        if cp == lo:
            cp = hi
            lo, hi = next(skips, (0x110000, 0x110000))
            continue
        if not 0xD800 <= cp < 0xE000:
            c = chr(cp)
            f = plain(c)
            if f != c and f != chr(mapped.get(cp, cp)):
                out.append(c)
        cp += 1
    return frozenset(out)


def needs_folding(text: str) -> bool:
    """Whether the finders would read ``text`` otherwise once look-alikes are folded."""
    if text.isascii():
        return False
    if not _trigger().isdisjoint(text):
        return True
    return _han_numeral_run(text)


def _han_numeral_run(text: str) -> bool:
    return any(c in _HAN_DIGITS and not c.isdigit() for m in _HAN_RUN.finditer(text) for c in m.group())


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` as read, and for each of its characters the index of the original one."""
    han = {i for m in _HAN_RUN.finditer(text) for i in range(m.start(), m.end())}
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        f = _HAN_DIGITS[c] if i in han and c in _HAN_DIGITS else _fold_char(c)
        for ch in f:
            out.append(ch)
            where.append(i)
    return "".join(out), where


@functools.cache
def _trigger_table() -> np.ndarray:
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in _trigger()]] = True
    return table


def _column_may_need_folding(texts: list) -> bool:
    """Whether any of ``texts`` holds a trigger character or a Chinese numeral: one pass over
    the joined column's code points in numpy (~10x a per-text set test)."""
    joined = "\n".join(t for t in texts if t)
    if joined.isascii():
        return False
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    return bool(_trigger_table()[cps].any()) or _han_numeral_run(joined)


def folded_texts(texts: list) -> list[tuple[int, str, list[int]]]:
    """(index, folded text, map back) for each text the finders would read otherwise folded."""
    if len(texts) > 16 and not _column_may_need_folding(texts):
        return []
    folded = [(i, *fold(t)) for i, t in enumerate(texts) if t and needs_folding(t)]
    return [(i, f, w) for i, f, w in folded if f != texts[i]]


def span_back(text: str, where: list[int], start: int, end: int) -> tuple[int, int]:
    """A span of the folded ``text`` as a span of the original: what was dropped inside it
    or right after it (a combining mark over its last digit) goes with it."""
    a, b = where[start], where[end - 1] + 1
    while b < len(text) and _fold_char(text[b]) == "" and not text[b].isspace():
        b += 1
    return a, b
