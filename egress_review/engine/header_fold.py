"""E2/E4: a column header as a person reads it, for the checks that go by what a header says.

A red team wrote ``dеaths`` and ``pеrsons`` with a Cyrillic е, ``ｎ`` and ``ｐｃｔ`` in full
width, ``n`` with a zero-width space inside and 「死亡数」 in simplified characters: each reads
as a count or a percent to a person, and none matched the header words (``header_role``), so a
count declared a mean was "small whole numbers, may be counts" for review instead of a count
under the threshold.  :func:`plain` gives the header a person sees: compatibility forms folded
(NFKC), invisible characters dropped, Cyrillic and Greek letters shaped like Latin ones read as
Latin inside a word that mixes them with Latin letters (a header wholly in Russian or Greek is
left as it is), and the simplified forms of the characters count headers use read as the
traditional ones.  :func:`disguised` says when a header needed more than width folding: letters
of another alphabet or invisible characters inside a word are no accident.
"""
from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek capitals and small letters a reader takes for Latin ones.
_LIKE_LATIN = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "ϲ": "c", "ѡ": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "ı": "i",
})
# Simplified characters of count, percent and group headers -> the traditional ones the
# header words are written in (人数 -> 人數, 总计 -> 總計, 岁 -> 歲).
_TRADITIONAL = str.maketrans({"数": "數", "计": "計", "总": "總", "岁": "歲", "龄": "齡",
                              "医": "醫", "疗": "療", "发": "發", "诊": "診", "区": "區",
                              "组": "組", "别": "別", "级": "級", "县": "縣", "筑": "築",
                              "众": "眾", "标": "標", "准": "準", "差": "差", "项": "項"})
_WORD = re.compile(r"[^\W\d_]+")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Cc", "Mn") and ch not in "\t\n"


def _latinise(word: str) -> str:
    """A word of Latin letters and Cyrillic/Greek look-alikes only, read in Latin; a word with
    any other letter (Russian, Greek, Chinese) is that language and left as it is."""
    looks = any(ch.translate(_LIKE_LATIN) != ch for ch in word)
    others = any(ch.translate(_LIKE_LATIN) == ch and "LATIN" not in unicodedata.name(ch, "")
                 for ch in word)
    return word.translate(_LIKE_LATIN) if looks and not others else word


def plain(header: str) -> str:
    """The header as a person reads it (see the module's note)."""
    text = unicodedata.normalize("NFKC", str(header))
    text = "".join(ch for ch in text if not _invisible(ch))
    text = _WORD.sub(lambda m: _latinise(m.group(0)), text)
    return text.translate(_TRADITIONAL)


def disguised(header: str) -> bool:
    """Look-alike letters or invisible characters inside the header (not mere full width or
    simplified characters)."""
    text = unicodedata.normalize("NFKC", str(header))
    if any(_invisible(ch) for ch in text.strip()):
        return True
    return _WORD.sub(lambda m: _latinise(m.group(0)), text) != text
