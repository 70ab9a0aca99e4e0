"""Names written wholly by their sound (D1, round 7): in Zhuyin (ㄔㄣˊ ㄉㄚˋ ㄇㄧㄥˊ, ㄓㄤ ㄕㄨ ㄈㄣ)
or in tone-marked pinyin typed in lower case (chén dàmíng).  A patient who cannot write the
characters, a form filled in by a child, a phone keyboard: the name is still the name.

A Zhuyin name is two to four syllables (one to four symbols, then maybe a tone mark) standing
alone, told apart by a tone mark or a blank between them: a bare run of symbols (ㄅㄆㄇㄈ, a
child learning them) is none.  ``word_names`` takes a Han surname followed by Zhuyin (林ㄓˋ明).
Lower-case pinyin is two or three words each holding a tone mark (ā á ǎ à …): clinical English
(café au lait) has at most one such word in a row.  Capitalised pinyin (Chén Dàmíng) is read by
``romanised_names`` and ``western_names``.  Zhuyin is read in the normalised text (the normal form reads ㄚ as 阿, so a syllable may hold
阿 after another symbol), pinyin in the text as written (the normal form drops tone marks).  Every repeat is
bounded: linear on any input.
"""
from __future__ import annotations

import re

_ZY = "\u3105-\u312f\u31a0-\u31bf"
_TONE = "\u02ca\u02c7\u02cb\u02d9"
_SYL = f"[{_ZY}][{_ZY}阿]{{0,3}}[{_TONE}]?"
ZHUYIN_RUN = re.compile(f"(?<![{_ZY}{_TONE}])[{_ZY}](?:[{_ZY}阿]{{0,3}}[{_TONE}]?)(?:[ \t]?{_SYL}){{1,3}}(?![{_ZY}{_TONE}])")
# a pinyin vowel with a tone mark (macron, acute, caron, grave; ü's too)
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# a pinyin syllable: an initial, one to three vowels, maybe n/ng/r; a word of one to three
# syllables holding a tone mark and a consonant (ú è, a binary value's letters, is none)
_V = f"[aeiouv\u00fc{_TONED}]"
_SYLLABLE = f"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?{_V}{{1,3}}(?:ng|n|r)?)"
_PY_WORD = f"(?=[a-z{_TONED}]*[{_TONED}])(?=[a-z{_TONED}]*[bcdfghjklmnpqrstwxyz]){_SYLLABLE}{{1,3}}"
PINYIN_LOWER = re.compile(f"(?<![A-Za-z{_TONED}]){_PY_WORD}(?:[ \t\\-]{_PY_WORD}){{1,2}}(?![A-Za-z{_TONED}])")
# what every match holds: a Zhuyin symbol in the normal form, a tone-marked vowel as written
# (the scrubber's prefilter asks both)
GATE = re.compile(f"[{_ZY}]")
TONED = re.compile(f"[{_TONED}]")


def _zhuyin_name(run: str) -> bool:
    # a tone mark or a blank tells the syllables apart; a bare run of symbols is no name
    return any(c in _TONE for c in run) or " " in run or "\t" in run


def find(simp: str, original: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of names written in Zhuyin or in lower-case tone-marked pinyin.  The
    pinyin is read in ``original`` (the normal form drops tone marks; same offsets)."""
    out = [m.span() for m in ZHUYIN_RUN.finditer(simp) if _zhuyin_name(m.group())] if GATE.search(simp) else []
    if original is not None and len(original) == len(simp) and TONED.search(original):
        out += [m.span() for m in PINYIN_LOWER.finditer(original)]
    return out
