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
    "ouyang au-yeung szeto situ chang-chien changchien fan-chiang"
).split()

_SYLLABLE = re.compile(
    r"(?:chh|ch|sh|zh|ts|tz|hs|sz|ng|[bcdfghjklmnpqrstwxyz])?h?'?"   # initial
    r"(?:[aeiouvü]{1,3})(?:ng|n|rh|h|r)?",                           # final
    re.IGNORECASE)
_GIVEN = r"[A-Za-z]{1,6}-[A-Za-z]{1,6}"
_SURNAME = r"(?:" + "|".join(sorted({re.escape(s) for s in SURNAMES}, key=len, reverse=True)) + r")"
# surname first (with space, comma or DICOM caret) or given name first.
NAME_REGEX = (r"(?<![A-Za-z\-])(?:" + _SURNAME + r"(?:\s*,\s*|\s+|\^)" + _GIVEN
              + r"|" + _GIVEN + r"\s+" + _SURNAME + r")(?![A-Za-z\-])")
_PARTS = re.compile(r"[\s,^]+")
# Hyphenated English words whose halves happen to look like syllables.
_ENGLISH_PAIRS = {"re-do", "to-do", "go-to", "so-so", "no-go", "ta-da", "hi-fi", "de-novo", "re-run",
                  "re-an", "pre-op", "re-check", "ho-hum", "yo-yo", "na-na", "la-la", "so-called"}
HYPHEN_PAIR = re.compile(r"[A-Za-z]{1,6}-[A-Za-z]{1,6}")


def syllable_ok(s: str) -> bool:
    return bool(_SYLLABLE.fullmatch(s))


def plausible(match: str) -> bool:
    """True when the hyphenated given name is two Mandarin-shaped syllables."""
    parts = [p for p in _PARTS.split(match.strip()) if p]
    given = next((p for p in parts if "-" in p), None)
    if given is None:
        return False
    a, _, b = given.partition("-")
    if not (syllable_ok(a) and syllable_ok(b)):
        return False
    return given.lower() not in _ENGLISH_PAIRS
