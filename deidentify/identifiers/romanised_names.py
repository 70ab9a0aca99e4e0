"""Taiwanese names written in Latin letters: ``CHEN TA-MING``, ``Chen, Ta-Ming``,
``Ta-Ming Chen``, DICOM ``CHEN^TA-MING``.

Taiwanese passports and hospital systems romanise the given name as two hyphenated syllables
(Wade–Giles or pinyin).  A match needs a listed surname next to such a pair, and both given
syllables must be shaped like a Mandarin syllable (initial + vowels + n/ng/h/r), which rules
out hyphenated English words next to a surname-like word ("Lee post-op", "Lin follow-up").
"""
from __future__ import annotations

import re

SURNAMES = (
    "chen chan tan lin lim huang hwang wong ng chang zhang cheung li lee wang wu goh liu lau lao tsai "
    "choi cai yang yeung hsu xu hsueh cheng zheng tay hsieh xie tse hung hong kuo guo kwok chiu qiu "
    "tseng zeng tsang liao lai hsu chou zhou chow yeh ye yip su chuang zhuang lu lyu lo luo law kao "
    "gao ko pan chien jian kan chu zhu chung zhong yu peng hu shih shi sze shen sim liang chao zhao "
    "yen yan ke weng wei sun tai dai fan fang sung song teng deng tu du fu hou wen ting ding ma chiang "
    "jiang tang cho zhuo lan feng fung yao tung dong chi ji ou lien lian ku gu tsao cao hsiao xiao ho he "
    "chin jin tien tian kang yuan yuen tao tsou zou pai bai yu yo wu chai lung long mao chen-liu "
    "ouyang au-yeung szeto situ chang-chien changchien fan-chiang "
    # (D1, round 3) Tongyong Pinyin, on many Taiwanese passports since 2002 (Jhang 張, Syu 徐/許,
    # Jheng 鄭, Sie 謝, Jhou 周, Ciou 邱, Jhuang 莊), and Hakka spellings (Liu Siu-fung: Liu is listed)
    "jhang syu jheng sie jhou ciou syue jhan liou jhuang jhong siao jhu jiou sü cyu"
).split()

_SYLLABLE = re.compile(
    r"(?:chh|ch|sh|zh|ts|tz|hs|sz|ng|[bcdfghjklmnpqrstwxyz])?h?'?"   # initial
    r"(?:[aeiouvü]{1,3})(?:ng|n|rh|h|r)?",                           # final
    re.IGNORECASE)
# Hyphenated English words whose halves happen to look like syllables.
_ENGLISH_PAIRS = {"re-do", "to-do", "go-to", "so-so", "no-go", "ta-da", "hi-fi", "de-novo", "re-run",
                  "re-an", "pre-op", "re-check", "ho-hum", "yo-yo", "na-na", "la-la", "so-called"}
# (Wade-Giles marks aspiration with an apostrophe inside a syllable: Ch'en Wei-t'ing)
PLAIN_HYPHEN_PAIR = r"(?=[A-Za-z])[A-Za-z'’]{1,7}-(?=[A-Za-z])[A-Za-z'’]{1,7}"
# (its first letter on its own: a pattern opening with a repeat is tried at every position, one
# opening with a character set is skipped to; the same matches, the same longest-first order)
HYPHEN_PAIR = re.compile(r"[A-Za-z][A-Za-z'’]{0,6}-[A-Za-z][A-Za-z'’]{0,6}")
_SURNAME_SET = frozenset(SURNAMES)
_BEFORE = re.compile(r"([A-Za-z][A-Za-z'’\-]{0,11})(?:\s*,\s*|\s+|\^)$")
_AFTER = re.compile(r"\s+([A-Za-z][A-Za-z'’\-]{0,11})(?![A-Za-z'’\-])")


def find(text: str) -> list[tuple[int, int]]:
    """(start, end) of romanised names: a hyphenated syllable pair next to a listed surname.

    Scans only around hyphenated pairs, which is much cheaper than one regex holding every
    surname; surname first (space, comma or DICOM caret) or given name first.
    """
    out: list[tuple[int, int]] = []
    for m in HYPHEN_PAIR.finditer(text):
        s, e = m.start(), m.end()
        if m.group()[-2:] in ("'s", "’s") and "-" not in m.group()[-4:]:
            e -= 2          # a possessive (Mei-Yun's), not an aspirated syllable
        if (s and (text[s - 1].isascii() and (text[s - 1].isalpha() or text[s - 1] == "-"))) or (
                e < len(text) and text[e].isascii() and (text[e].isalpha() or text[e] == "-")):
            continue
        a, _, b = text[s:e].replace("’", "'").partition("-")
        if not (syllable_ok(a) and syllable_ok(b)) or text[s:e].lower() in _ENGLISH_PAIRS:
            continue
        before = _BEFORE.search(text, max(0, s - 16), s)
        if before and _surname(before.group(1)) and not (
                before.start(1) and text[before.start(1) - 1].isascii() and text[before.start(1) - 1].isalpha()):
            out.append((before.start(1), e))
            # (a comma may close the name before instead: Mei-Ling Chen, Chih-Hao Lin reads as
            # "Chen, Chih-Hao" too; the surname after it still belongs to this pair)
            if "," not in text[before.end(1):s]:
                continue
        after = _AFTER.match(text, e)
        if after and _surname(after.group(1)):
            out.append((s, after.end(1)))
    return out


def _surname(word: str) -> bool:
    """A listed surname, Wade-Giles apostrophes left out (Ch'en, Ts'ai, K'o)."""
    return word.lower().replace("'", "").replace("’", "") in _SURNAME_SET


def syllable_ok(s: str) -> bool:
    return bool(_SYLLABLE.fullmatch(s))
