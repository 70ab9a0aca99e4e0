"""Identifiers written in look-alike characters (E7, D4).

The recognisers (``deidentify.text``) read ASCII and full-width forms.  A person writing an
ID to get it past them has other characters that read the same to a human: the other
decimal digits of Unicode (Arabic-Indic ٣, Devanagari ३, mathematical 𝟑, circled ③ ...),
Cyrillic and Greek capitals shaped like Latin ones (А, В, Е ... Α, Β ...), invisible format
characters and soft hyphens inside a number, and a run of Chinese numerals (〇九一二...)
for the digits of a phone or ID.  Each text is folded to the form a reader sees - one
output character per kept input character, with a map back - and the recognisers run on
the folded text too; a hit found only there is reported on the original characters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HAN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}
# a run of Chinese numerals (digits and dashes among them) as long as a phone or the digits of an
# ID (shorter runs are numbers the prose checks read, or words: 一二 in 第一二章)
_D = "〇一二三四五六七八九零○0-9０-９"
_HAN_RUN = re.compile(rf"[{_D}](?:[{_D}]|[-‐ ](?=[{_D}])){{6,}}")
# Cyrillic and Greek letters drawn like Latin capitals and small letters
# (pairs: look-alike then Latin)
_CONFUSABLE = str.maketrans(dict(pair for pair in (
    "АA ВB ЕE З3 ІI ЈJ КK МM НH ОO РP СC ТT УY ХX ЅS ԁd еe оo рp сc уy хx іi јj ѕs "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX οo ѵv").split()))


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """The character a reader takes ``c`` for ('' for one they do not see)."""
    if c.isascii():
        return c
    cat = unicodedata.category(c)
    if cat == "Cf" or c == "\u00ad":   # zero-width and other format characters, soft hyphen
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


def folded_texts(texts: list) -> list[tuple[int, str, list[int]]]:
    """(index, folded text, map back) for each text that reads otherwise once folded."""
    folded = [(i, *fold(t)) for i, t in enumerate(texts) if t and not t.isascii()]
    return [(i, f, w) for i, f, w in folded if f != texts[i]]


def find_batch(texts: list[str], extra_terms=()) -> list[list]:
    """``deidentify.text.find_identifiers_batch`` over ``texts``, plus the hits seen only once
    look-alike characters are read as what they look like (spans on the original text)."""
    from deidentify.text import find_identifiers_batch
    from deidentify.text.scrub import IdentifierHit

    hits = [list(h) for h in find_identifiers_batch(texts, extra_terms=extra_terms)]
    folded = folded_texts(texts)
    if not folded:
        return hits
    more = find_identifiers_batch([f for _, f, _ in folded], extra_terms=extra_terms)
    for (i, _, where), extra in zip(folded, more):
        text, own = texts[i], hits[i]
        for h in extra:
            start, end = where[h.start], where[h.end - 1] + 1
            if any(o.start < end and start < o.end and o.kind == h.kind for o in own):
                continue   # the original text's hit already covers it
            own.append(IdentifierHit(h.kind, start, end, text[start:end], h.score))
        own.sort(key=lambda h: h.start)
    return hits
