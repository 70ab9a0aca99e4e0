"""D1: very old ages in free text are generalised as the extract's own age bands are.

A structured extract gives ages in the policy's bands (``data.age_bands``), the last one open
(85+ by default): few people are that old, so an exact age there narrows a person down.  A
note saying 「94歲男性」, "a 94-year-old woman" or "94M with CHF" would give back what the bands
took away, so an age at or past the open band's first age keeps its unit and context but
loses its value: 「≥85歲男性」, "a ≥85-year-old woman".  Younger ages stay (the note's clinical
sense needs them and the bands already allow them).
"""
from __future__ import annotations

import re

from deidentify.regex_cache import compiled

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_ZH = r"[零〇一二兩两三四五六七八九十百]{2,6}"
_NUM = rf"(?P<n>(?<![\d.])\d{{2,3}}(?![\d.])|{_ZH})"

_PATTERNS = [
    # 94歲, 九十四歲, 94足歲, 94 週歲 (not 94年: a year)
    compiled(rf"{_NUM}\s*(?:足|實|实)?(?:歲|岁|週歲|周岁)(?!以上|以下)"),
    # 高齡94, 享壽九十四, 年齡：94
    compiled(rf"(?:高齡|高龄|享壽|享寿|享年|年齡|年龄|年紀|年纪)\s*[:：]?\s*{_NUM}"),
    # 94-year-old, 94 years old, 94 yrs of age, 94 y/o, 94yo, 94 y.o.
    # (D1, round 7: a Han character may follow, 102-year-old獨居: no \b between two word characters)
    compiled(rf"{_NUM}[\s-]*(?:years?|yrs?|y)[\s-]*(?:old|of\s+age)(?![A-Za-z0-9])", re.I),
    # (and the shorter shorthand of triage and fax headers: 92-yo, 92yr male, (92y), 92y F)
    compiled(rf"{_NUM}[\s-]*(?:y/o|y\.o\.|yo|yr-old|yrs?-old|yrs?|y)(?![A-Za-z/])", re.I),
    # aged 94, age 94, age: 94
    compiled(rf"\b(?:aged?|age\s*[:=])\s*{_NUM}\b", re.I),
    # 94M / 94F / 94 M with ... (the clinician's shorthand: age and sex)
    compiled(rf"(?<![A-Za-z\d]){_NUM}\s?(?:M|F)(?![A-Za-z\d])"),
    # F/92, M / 94, 女/93 (sex, then age: triage and fax headers)
    compiled(rf"(?<![A-Za-z\d])(?:M|F|男|女)\s?/\s?{_NUM}(?![\d/])"),
    # 92/F, 93 / 男 (age, then sex: Age/Sex: 92/F)
    compiled(rf"{_NUM}\s?/\s?(?:M|F|男|女)(?![A-Za-z\d])"),
]


# what every match of _PATTERNS holds (a unit, an age word, or the digit before M/F): one scan
# decides for most texts that none can match (speed: the six patterns ran on every text)
_GATE = compiled(r"[歲岁齡龄壽寿享紀纪]|(?i:y(?:ea)?r|y/o|y\.o|yo(?![a-z])|age|old)|\d\s?[MF](?![A-Za-z\d])|[MF男女]\s?/\s?\d|\d\s?/\s?[MF男女]|(?i:\d[\s-]*y(?![a-z]))")


def _zh_value(s: str) -> int | None:
    """九十四 → 94, 一百零二 → 102, 百零二 → 102; None for what is not a number under 1000."""
    total, digit, seen = 0, None, False
    for ch in s:
        if ch in _ZH_DIGIT:
            digit = _ZH_DIGIT[ch]
            seen = True
        elif ch == "十":
            total += (1 if digit is None else digit) * 10
            digit, seen = None, True
        elif ch == "百":
            total += (1 if digit is None else digit) * 100
            digit, seen = None, True
        else:
            return None
    return total + (digit or 0) if seen else None


def _value(token: str) -> int | None:
    return int(token) if token.isdigit() else _zh_value(token)


def top_age(bands=None) -> int:
    """The first age of the policy's open-ended band (85 by default)."""
    from deidentify.generalise import policy_age_bands

    return policy_age_bands(bands)[-1][0]


def generalise_ages(text: str, top: int | None = None) -> str:
    """``text`` with every age of ``top`` or more written as ``≥top`` (ages over 130 are not
    ages and stay)."""
    if not text or _GATE.search(text) is None:
        return text
    top = top_age() if top is None else top
    spans: dict[tuple[int, int], str] = {}
    for rx in _PATTERNS:
        for m in rx.finditer(text):
            v = _value(m.group("n"))
            if v is not None and top <= v <= 130:
                spans[(m.start("n"), m.end("n"))] = f"≥{top}"
    if not spans:
        return text
    out, pos = [], 0
    for (a, b), rep in sorted(spans.items()):
        if a < pos:
            continue
        out.append(text[pos:a])
        out.append(rep)
        pos = b
    out.append(text[pos:])
    return "".join(out)
