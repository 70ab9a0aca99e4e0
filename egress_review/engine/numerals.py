"""A whole number spelled out in a cell: Chinese numerals (小寫 三, 一百二十; 大寫 參, 壹佰貳拾),
English number words ("three", "One hundred twenty-one") and scientific notation (3E+00).

A table cell that says 三 or "three" states the same count as 3; read only as a word it would
make its column a column of labels and the count would leave unchecked (E2).  Only a cell
that is wholly one number is read: 「第三組」, "three-year" or "Stage III" stay labels.
"""
from __future__ import annotations

import re

# 小寫 and 大寫 (financial) digits, traditional and simplified forms
_ZH_DIGITS = {**dict.fromkeys("零〇", 0), **dict.fromkeys("一壹弌", 1), **dict.fromkeys("二兩两倆俩貳贰弍", 2),
              **dict.fromkeys("三參叁参弎仨", 3), **dict.fromkeys("四肆", 4), **dict.fromkeys("五伍", 5),
              **dict.fromkeys("六陸陆", 6), **dict.fromkeys("七柒", 7), **dict.fromkeys("八捌", 8),
              **dict.fromkeys("九玖", 9)}
_ZH_SMALL = {**dict.fromkeys("十拾", 10), **dict.fromkeys("百佰", 100), **dict.fromkeys("千仟", 1000)}
_ZH_LARGE = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_ZH = re.compile("[" + "".join(_ZH_DIGITS) + "".join(_ZH_SMALL) + "".join(_ZH_LARGE) + "]+")

_EN_ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_EN_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_WORD = re.compile(r"[a-z]+")

_SCIENTIFIC = re.compile(r"[-−+]?(?:\d+(?:\.\d*)?|\.\d+)[eE][-−+]?\d+")


def _chinese(t: str) -> float | None:
    if not _ZH.fullmatch(t):
        return None
    if all(ch in _ZH_DIGITS for ch in t):        # digit by digit: 一二〇 = 120
        return float("".join(str(_ZH_DIGITS[ch]) for ch in t))
    total = section = digit = 0
    for ch in t:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL:
            section += (digit or 1) * _ZH_SMALL[ch]
            digit = 0
        else:
            total += (section + digit or 1) * _ZH_LARGE[ch]
            section = digit = 0
    return float(total + section + digit)


def _english(t: str) -> float | None:
    words = [w for w in re.split(r"[\s-]+", t.lower()) if w and w != "and"]
    if not words or not all(_EN_WORD.fullmatch(w) for w in words):
        return None
    total = current = 0
    for w in words:
        if w in _EN_ONES:
            current += _EN_ONES[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w in _EN_SCALE:
            current = (current or 1) * _EN_SCALE[w]
            if _EN_SCALE[w] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return float(total + current)


def spelled_number(text: str) -> float | None:
    """The number a cell spells out whole, or None when it is not one."""
    t = " ".join(text.replace("\u00a0", " ").split())
    if not t:
        return None
    if _SCIENTIFIC.fullmatch(t):
        return float(t.replace("−", "-"))
    return _chinese(t) if _ZH.fullmatch(t) else _english(t)
