"""Dates written into values that are not dates (D1, round 10).

The profile empties every date and time attribute (DA/DT/TM), so a study's date left anywhere
else gives it back: a label "CT 2023_05_14", a code string ``MAY_14_2023`` (CS allows only
capitals, digits, space and "_", so dates there are compact or joined by "_"), a series number
20230514, a time stamp 20230514101500 in a description, a Minguo date 1120514.  The free-text
date finder (``deidentify.identifiers.dates``) reads dates as prose writes them; these are the
shapes devices and people typing labels write.  A value holding one is removed (``in_text``,
``in_number``); an SR text has it masked (``mask``).  Bare years and quarters are not dates
here: software versions and devices carry them ("2023.1").
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_S = r"[ \t]*[-/._ ,][ \t]*"          # one separator, "_" included (code strings)
_SO = f"(?:{_S})?"
_Y4 = r"(?:19|20)\d\d"
_Y2 = r"\d\d"
_ROC = r"(?:0?[89]\d|1[0-4]\d)"        # Minguo years 80-149 (1991-2060)
_M2, _D2 = r"(?:0[1-9]|1[0-2])", r"(?:0[1-9]|[12]\d|3[01])"
_M, _D = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"
_DAY = _D + r"(?!\d)(?:st|nd|rd|th)?"
_NUMERIC = "|".join([
    f"{_Y4}{_S}{_M}{_S}{_D}", f"{_Y4}{_M2}{_D2}",                        # 2023_05_14, 20230514
    f"{_D}{_S}{_M}{_S}{_Y4}", f"{_D2}{_M2}{_Y4}", f"{_M2}{_D2}{_Y4}",     # 14.05.2023, 14052023, 05142023
    f"{_ROC}{_S}{_M}{_S}{_D}", f"(?:0[89]|1[0-4])\\d{_M2}{_D2}",         # 112.05.14, 1120514, 0991021
    f"{_D}[-/]{_M}[-/]{_Y2}", f"{_Y2}[-/]{_M2}[-/]{_D2}",                 # 14/5/23, 23-05-14
    f"{_Y2}{_M2}{_D2}",                                                  # 230514
    f"{_Y4}[-/_.]{_M2}", f"{_M2}[-/_]{_Y4}",                             # 2023-05, 05/2023
])
_TIME_AFTER = r"(?:T?\d{4}(?:\d\d)?(?:\.\d+)?)?"                          # 20230514101500, 20230514T1015
_NUMERIC_RE = re.compile(f"(?<!\\d)(?:{_NUMERIC}){_TIME_AFTER}(?!\\d)")
_NAMED_RE = re.compile("(?<![^\\W\\d_])(?:" + "|".join([
    f"{_DAY}{_SO}{_MON}(?:{_SO}(?:{_Y4}|{_Y2})(?!\\d))?",                       # 14 May (2023), 14MAY2023, 14-May-23
    f"{_MON}{_SO}{_DAY}(?:{_SO}{_Y4})?",                                 # May 14(, 2023), MAY_14_2023
    f"{_Y4}{_SO}{_MON}(?:{_SO}{_D}(?!\\d))?", f"{_MON}{_SO}{_Y4}",              # 2023MAY14, May 2023
]) + ")(?![^\\W\\d_])", re.IGNORECASE)
# month and day in characters without a year (5月14日), a Minguo year and month (112年5月)
_HAN_RE = re.compile(r"(?<!\d)(?:\d{1,2}\s*月\s*\d{1,2}\s*[日号號]|\d{2,4}\s*年\s*\d{1,2}\s*月)")
_NO_DIGIT_LEFT = re.compile(r"(?<!\d)\d")


def _folded(text: str) -> str:
    """``text`` one character for one (offsets stay): full-width forms as ASCII, any script's
    decimal digits as 0-9 (２０２３_０５_１４, ١٤ May, 14 Ｍａｙ were dates nobody read)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isdecimal():
            ch = str(unicodedata.decimal(ch))
        elif "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif ch == "\u3000":
            ch = " "
        out.append(ch)
    return "".join(out)


def _spans(text: str) -> list[tuple[int, int]]:
    text = _folded(text)
    spans = []
    for rx in (_NUMERIC_RE, _NAMED_RE, _HAN_RE):
        spans += [m.span() for m in rx.finditer(text) if any(c.isdigit() for c in m.group())]
    return sorted(spans)


def in_text(text: str) -> str:
    """The first date-shaped part of a kept value ('' if none)."""
    spans = _spans(str(text))
    return str(text)[spans[0][0]:spans[0][1]] if spans else ""


def mask(text: str, placeholder: str = "<DATE>") -> str:
    """``text`` with each date-shaped part replaced (an SR text: the report's dates go with the header's)."""
    out, last = [], 0
    for start, end in _spans(text):
        if start >= last:
            out += [text[last:start], placeholder]
            last = end
    return "".join(out) + text[last:] if out else text


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def in_number(value) -> bool:
    """A number that is a date: YYYYMMDD, with a time after it (YYYYMMDDhhmm[ss]), or a compact
    Minguo date (1120514, 0991021); a series or instance number never runs that high by chance."""
    digits = _folded(str(value)).strip().lstrip("+").split(".")[0]
    if not digits.isdigit():
        return False
    if len(digits) in (8, 12, 14):
        return _valid(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    if len(digits) == 7 and digits[0] in "01":
        return 80 <= int(digits[:3]) < 150 and _valid(int(digits[:3]) + 1911, int(digits[3:5]), int(digits[5:7]))
    return False


# codes of a scheme and its edition (SNOMED CT 20230131): no one's date, and code numbers would match
_CODES = frozenset({"CodeValue", "ExtendedCodeValue", "URNCodeValue", "CodingSchemeVersion", "CodingSchemeUID",
                    "ContextGroupVersion", "MappingResourceVersion", "ContextGroupLocalVersion"})
_VERSION = re.compile(r"[0-9]+(?:[.\-_/][0-9]+)*")


def scheme_version(keyword: str, text: str) -> bool:
    """A code or a scheme's edition written in digits (SNOMED CT 20230131, 2023-01, 3.5.1): not read
    for a name or a date by the scrubber (round 11: the edition was removed for a date); the
    patient's own strings are still searched in it."""
    return keyword in _CODES and _VERSION.fullmatch(str(text).strip()) is not None


_NOT_READ = {"DA", "DT", "TM", "UI", "AS", "SQ", "PN"}   # dates themselves (emptied or kept by the profile)
_NUMBERS = {"IS", "DS", "US", "SS", "UL", "SL", "UV", "SV", "FL", "FD"}


def dated(elem) -> str:
    """The date a kept element holds though it is no date ('' if none)."""
    if elem.VR in _NOT_READ or elem.keyword in _CODES or elem.value in (None, "", b""):
        return ""
    if isinstance(elem.value, (bytes, bytearray)):
        return ""   # binary values: their letter runs go to the scrubber (deid.sweep)
    values = list(elem.value) if elem.VM > 1 else [elem.value]
    if elem.VR in _NUMBERS:
        return next((str(v) for v in values if in_number(v)), "")
    return next((found for v in values if (found := in_text(str(v)))), "")


__all__ = ["dated", "in_number", "in_text", "mask", "scheme_version"]
