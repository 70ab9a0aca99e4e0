"""Dates of birth in free text: Western and ROC (民國) calendars, every separator.

A date is a birth date when a birth word stands right before it (生日, 出生, 出生日期, DOB,
date of birth, born, b.) or 生 / 出生 right after it (民國39年3月4日生).  Visit and report
dates look the same and are not personal data on their own, so a date without such a word is
left alone.  Matching runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import datetime as dt
import re

from deidentify.identifiers.regex_gate import literal_led
from deidentify.regex_cache import compiled

ROC_OFFSET = 1911
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_SEP = r"[ \t]*[/\-.][ \t]*"
_Y4 = r"(?:19|20)[0-9]{2}"
_ROC_Y = r"[0-9]{2,3}"
_M = r"(?:0?[1-9]|1[0-2])"
_D = r"(?:0?[1-9]|[12][0-9]|3[01])"
_ZH = r"[一二三四五六七八九十百〇零]"
# a day written with an English ordinal (Mar 4th, the 21st of May)
_DO = _D + r"(?:st|nd|rd|th)?"
DATE = "(?:" + "|".join([
    r"(?:民国|中华民国)?[ \t]*" + _ZH + r"{1,5}[ \t]*年[ \t]*" + _ZH + r"{1,3}[ \t]*月[ \t]*" + _ZH + r"{1,3}[ \t]*日?",
    r"(?:民国|中华民国|roc)?[ \t]*" + _ROC_Y + r"[ \t]*年[ \t]*" + _M + r"[ \t]*月[ \t]*" + _D + r"[ \t]*日?",
    # (D1, round 5) the year in Chinese numerals, month and day in digits: 民國八十八年3月14日
    r"(?:民国|中华民国)?[ \t]*" + _ZH + r"{1,5}[ \t]*年[ \t]*" + _M + r"[ \t]*月[ \t]*" + _D + r"[ \t]*日?",
    _Y4 + r"[ \t]*年[ \t]*" + _M + r"[ \t]*月[ \t]*" + _D + r"[ \t]*日?",
    _Y4 + _SEP + _M + _SEP + _D,
    _Y4 + r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])",
    _M + _SEP + _D + _SEP + _Y4,
    _D + _SEP + _M + _SEP + _Y4,
    # a two-digit year written last (03/04/50, 4 Mar 50, Mar 4, 50): only after a birth word
    _M + _SEP + _D + _SEP + r"[0-9]{2}(?![0-9])",
    _D + _SEP + _M + _SEP + r"[0-9]{2}(?![0-9])",
    _DO + r"[ \t\-/.]+" + _MON + r",?[ \t\-/.']*[0-9]{2}(?![0-9])",
    _MON + r"[ \t]*" + _DO + r",?[ \t\-/.']*[0-9]{2}(?![0-9])",
    r"(?:民国|roc)?[ \t]*" + _ROC_Y + _SEP + _M + _SEP + _D,
    r"0[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])",
    _MON + r"[ \t]*" + _DO + r",?[ \t]*" + _Y4,
    r"(?:the[ \t]+)?" + _DO + r"(?:[ \t]+of)?[ \t\-/.]*" + _MON + r",?[ \t\-/.]*" + _Y4,
]) + ")"
# A birthday without its year (生日 3/4, 生日是三月四號, birthday: March 4): only after a birth word.
MONTH_DAY = "(?:" + "|".join([
    _M + r"[ \t]*[/\-][ \t]*" + _D + r"(?![ \t]*[/\-.]?[ \t]*[0-9])",
    _M + r"[ \t]*月[ \t]*" + _D + r"(?![0-9])[ \t]*[日号]?",
    _ZH + r"{1,2}[ \t]*月[ \t]*" + _ZH + r"{1,3}[ \t]*[日号]?",
    _MON + r"[ \t]*" + _DO + r"(?![0-9a-z,])", r"(?:the[ \t]+)?" + _DO + r"(?![0-9])(?:[ \t]+of)?[ \t]*" + _MON
    + r"(?![ \t,]*[0-9])",
]) + ")"
_BIRTH_BEFORE = (r"(?:出生年月日|出生日期|出生日|出生|生日|生于|诞生|dob|d\.o\.b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date"
                 r"|birthday|born(?:[ \t]+on)?|b\.)")
_GAP = r"[ \t]*(?:[:：=为是]|[（(]?(?:西元|ad)?[)）]?)?[ \t]*(?:于|on)?[ \t]*"
# (round 5) after a birth word an ROC year may have one digit (DOB 9年10月15日: born 1920)
# (round 7) ... and an ROC date written compact, as forms print it: 1120305 (112-03-05), 850305
_ROC_COMPACT = r"(?:1[01][0-9]|[2-9][0-9])(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![0-9])"
_DATE_AFTER_BIRTH = ("(?:" + DATE + r"|(?:民国|中华民国)?[ \t]*[1-9][ \t]*年[ \t]*" + _M + r"[ \t]*月[ \t]*" + _D + r"[ \t]*日?"
                     + "|" + _ROC_COMPACT + ")")
PLAIN_DOB_BEFORE = r"(?=[出生诞dDbB])" + _BIRTH_BEFORE + _GAP + r"(?P<d>" + _DATE_AFTER_BIRTH + r")(?![0-9])"     # (re.IGNORECASE)
PLAIN_BIRTHDAY_BEFORE = r"(?=[出生诞dDbB])" + _BIRTH_BEFORE + _GAP + r"(?P<d>" + MONTH_DAY + r")"   # (re.IGNORECASE)
# (the birth words opening with literals: regex_gate.literal_led; the same matches)
DOB_BEFORE = compiled(literal_led(_BIRTH_BEFORE[3:-1], "出生诞db") + "(?i:" + _GAP + r"(?P<d>" + _DATE_AFTER_BIRTH + r")(?![0-9]))")
BIRTHDAY_BEFORE = compiled(literal_led(_BIRTH_BEFORE[3:-1], "出生诞db") + "(?i:" + _GAP + r"(?P<d>" + MONTH_DAY + r"))")
DOB_AFTER = compiled(r"(?<![0-9])(?=[0-9民中rRjJfFmMaAsSoOnNdD一二三四五六七八九十百〇零])(?P<d>" + DATE + r")[ \t]*(?:出生|生(?![活气病效产殖理长命]))", re.IGNORECASE)
# A year of birth alone (a birth cohort): 70年次, 民国七十年次, 民国45年生, 1975年出生, born in 1975, YOB 1975.
_YEAR = r"(?:(?:民国|中华民国)[ \t]*)?(?:[0-9]{2,3}|" + _ZH + r"{1,4})|(?:19|20)[0-9]{2}"
BIRTH_YEAR = compiled(
    r"(?<![0-9])(?P<y>(?:" + _YEAR + r"))[ \t]*年[ \t]*(?:次|出生(?![数率人婴量潮])|生(?![活气病效产殖理长命日]))"
    r"|(?i:(?<![a-z])(?:born[ \t]+in|yob|year[ \t]+of[ \t]+birth|birth[ \t]*year)[ \t]*[:：]?[ \t]*)(?P<e>(?:19|20)[0-9]{2})(?![0-9])"
    r"|(?:出生年(?:份|度)?|生年)[ \t]*[:：为是]?[ \t]*(?P<c>" + _YEAR + r")[ \t]*年?")
# The same scan opening with one character set, so that the engine skips to its first characters
# (BIRTH_YEAR opens with a look-behind and is tried at every position): the first character
# consumed, then each branch's rest after a look-behind on it.  The three branches' first
# characters differ, and within a branch the alternatives keep their order: the same matches.
# The year's span is (start, end of "y"): "y" holds the year after its first character.
_YEAR_REST = (r"(?<=民)国[ \t]*(?:[0-9]{2,3}|" + _ZH + r"{1,4})|(?<=中)华民国[ \t]*(?:[0-9]{2,3}|" + _ZH + r"{1,4})"
              r"|(?<=[0-9])[0-9]{1,2}|(?<=" + _ZH + r")" + _ZH + r"{0,3}|(?<=1)9[0-9]{2}|(?<=2)0[0-9]{2}")
BIRTH_YEAR_LED = compiled(
    r"[0-9民中一二三四五六七八九十百〇零bByY出生]"
    r"(?:(?<=[0-9民中一二三四五六七八九十百〇零])(?<![0-9].)(?P<y>" + _YEAR_REST + r")"
    r"[ \t]*年[ \t]*(?:次|出生(?![数率人婴量潮])|生(?![活气病效产殖理长命日]))"
    r"|(?<=[bByY])(?i:(?<![a-z].)(?:(?<=b)(?:orn[ \t]+in|irth[ \t]*year)|(?<=y)(?:ob|ear[ \t]+of[ \t]+birth))"
    r"[ \t]*[:：]?[ \t]*)(?P<e>(?:19|20)[0-9]{2})(?![0-9])"
    r"|(?:(?<=出)生年(?:份|度)?|(?<=生)年)[ \t]*[:：为是]?[ \t]*(?P<c>" + _YEAR + r")[ \t]*年?)")
# (D1, round 3) A birth month without its day (出生于民国21年3月, 生日：1931/03, DOB 1931-03): the
# month and year after a birth word.  Only where no full date follows (the day not written).
_YM = ("(?:" + r"(?:(?:民国|中华民国)[ \t]*)?(?:" + _ROC_Y + "|" + _ZH + r"{1,4})[ \t]*年[ \t]*(?:" + _M + "|" + _ZH
       + r"{1,2})[ \t]*月(?![ \t]*[0-9一二三四五六七八九十])|" + _Y4 + r"[ \t]*年[ \t]*" + _M + r"[ \t]*月(?![ \t]*[0-9])"
       + "|" + _Y4 + r"[ \t]*[/\-.][ \t]*(?:0[1-9]|1[0-2])(?![ \t]*[/\-.]?[ \t]*[0-9])" + ")")
YEAR_MONTH_BEFORE = compiled(literal_led(_BIRTH_BEFORE[3:-1], "出生诞db") + "(?i:" + _GAP + r"(?P<d>" + _YM + r"))")

# For prefilters: any birth word (cheap literal scan).
BIRTH_WORDS = compiled(r"出生|生日|生于|诞生|日[ \t]*生|(?<=[0-9])[ \t]*生|年[ \t]*[次生]|生年|(?i:dob|yob|birth|born|b\.)")

# Every BIRTH_YEAR match without 年 holds one of these words.
YEAR_GATE = compiled(r"(?=[bByY])(?i:born|yob|year|birth)")


# (D1, round 6) an age on its birthday gives the date of birth with the note's date (今天滿80歲生日,
# 昨天是14歲生日, turned 49 today (birthday), her 80th birthday): the number goes.  (Bounded: a
# number of one to three digits or up to four Chinese numerals, a few characters to the word.)
BIRTHDAY_AGE = compiled(r"(?<![0-9.])(?P<d>[0-9]{1,3}|[一二三四五六七八九十百两]{1,4})[ \t]*(?:周|足|实)?岁(?:的)?[ \t]*(?:大寿|寿辰|生日|生辰)"
                        r"|(?i:turn(?:s|ed|ing)?)[ \t]+(?P<e>[0-9]{1,3})(?![0-9.])[^\n]{0,24}?(?i:birthday)"
                        r"|(?<![0-9.])(?P<o>[0-9]{1,3})(?i:st|nd|rd|th)[ \t]+(?i:birthday)")


# (round 11) a lunar birthday (農曆三月初二生, 生日：農曆 85 年 3 月 2 日, 農曆生日八月十五): the
# lunar calendar's months (正月, 臘月, 閏四月) and days (初二, 十五, 廿三), after a birth word or
# 農曆生日, or before 生 / 出生; a festival's lunar date alone (農曆八月十五, 正月初一) is no one's
_LUNAR_DATE = (r"(?:(?:民国|中华民国)?[ \t]*(?:[0-9]{2,4}|[一二三四五六七八九十〇零]{2,4})[ \t]*年[ \t]*)?闰?[ \t]*"
               r"(?:1[0-2]|0?[1-9]|正|腊|冬|十[一二]?|[一二三四五六七八九])[ \t]*月[ \t]*"
               r"(?:初[一二三四五六七八九十]|[二三]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?|[一二三四五六七八九]"
               r"|3[01]|[12][0-9]|0?[1-9])(?![0-9])[ \t]*[日号]?")
_LUNAR = r"(?:农历|阴历|旧历)"
LUNAR_BIRTH = compiled(
    r"(?:出生日期|出生|生日|生于|诞生)[ \t]*[:：是为在]?[ \t]*" + _LUNAR + r"[ \t]*(?:生日)?[ \t]*[:：是为]?[ \t]*(?P<d>"
    + _LUNAR_DATE + r")"
    + r"|" + _LUNAR + r"[ \t]*(?:生日|出生)[ \t]*(?:[:：是为于在]|日期)?[ \t]*(?P<e>" + _LUNAR_DATE + r")"
    + r"|" + _LUNAR + r"[ \t]*(?P<f>" + _LUNAR_DATE + r")[ \t]*(?:出生|生(?![活气病效产殖理长命]))")


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of birth dates in normalised text."""
    lunar = [m.span(next(g for g in "def" if m.group(g) is not None))
             for m in (LUNAR_BIRTH.finditer(simplified) if "历" in simplified else ())]
    out = [m.span(next(g for g in "deo" if m.group(g) is not None))
           for m in (BIRTHDAY_AGE.finditer(simplified) if "生" in simplified or "寿" in simplified
                     or "irthday" in simplified or "IRTHDAY" in simplified else ())]
    # (DOB_AFTER's dates stand before 生; BIRTH_YEAR's years next to 年 or an English birth word)
    for rx in (DOB_BEFORE, DOB_AFTER) if "生" in simplified else (DOB_BEFORE,):
        for m in rx.finditer(simplified):
            a, b = m.span("d")
            while a < b and simplified[a] in " \t":
                a += 1
            if parse(simplified[a:b]) is not None:
                out.append((a, b))
    for m in (BIRTH_YEAR_LED.finditer(simplified) if "年" in simplified or YEAR_GATE.search(simplified) else ()):
        g = next(k for k in ("y", "e", "c") if m.group(k) is not None)
        a, b = m.span(g)
        if g == "y":
            a = m.start()
            b = simplified.index("年", b) + 1      # 民国七十年|次: the year with its 年
        if not any(x <= a < y or a <= x < b for x, y in out):
            out.append((a, b))
    for m in YEAR_MONTH_BEFORE.finditer(simplified):
        a, b = m.span("d")
        if not any(x <= a < y or a <= x < b for x, y in out):
            out.append((a, b))
    for m in BIRTHDAY_BEFORE.finditer(simplified):
        a, b = m.span("d")
        if not any(x <= a < y for x, y in out) and parse(simplified[a:b].strip() + " 2000") is not None:
            out.append((a, b))
    return out + [(a, b) for a, b in lunar if not any(x <= a < y or a <= x < b for x, y in out)]


_ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_ZH_NUMBER = compiled(r"[一二三四五六七八九十百〇零]+")


def _zh_to_int(word: str) -> str:
    """七十二 → 72, 一百一十三 → 113, 一九八三 → 1983, 十 → 10 (as digits, for the parser below)."""
    if "十" not in word and "百" not in word:
        return "".join(str(_ZH_DIGIT[c]) for c in word)
    n = 0
    if "百" in word:
        hundreds, _, word = word.partition("百")
        n += _ZH_DIGIT[hundreds or "一"] * 100
        word = word.lstrip("零〇")
    if "十" in word:
        tens, _, word = word.partition("十")
        n += (_ZH_DIGIT[tens] if tens else 1) * 10
    if word:
        if len(word) != 1:
            raise KeyError(word)
        n += _ZH_DIGIT[word]
    return str(n)


def parse(text: str) -> dt.date | None:
    """The calendar date ``text`` stands for, if it is one (ROC years: 1–3 digits + 1911;
    years, months and days in Chinese numerals too)."""
    try:
        s = _ZH_NUMBER.sub(lambda m: _zh_to_int(m.group()), text.strip().lower())
    except KeyError:
        return None
    roc = bool(re.match(r"(?:民国|中华民国|roc)", s))
    s = re.sub(r"^(?:中华民国|民国|roc)", "", s).strip()
    month = re.search(_MON, s)
    nums = [int(n) for n in re.findall(r"[0-9]+", s)]
    try:
        if month:
            mon = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(
                month.group()[:3]) + 1
            day, year = (nums[0], nums[1]) if len(nums) == 2 else (None, None)
            return dt.date(year, mon, day) if year else None
        if len(nums) == 1:
            d = str(nums[0]).zfill(len(re.findall(r"[0-9]", s)))
            if len(d) == 8:
                return dt.date(int(d[:4]), int(d[4:6]), int(d[6:]))
            if len(d) == 7:
                return dt.date(int(d[:3]) + ROC_OFFSET, int(d[3:5]), int(d[5:]))
            if len(d) == 6:       # (round 7) an ROC date of a two-digit year, compact: 850305
                return dt.date(int(d[:2]) + ROC_OFFSET, int(d[2:4]), int(d[4:]))
            return None
        if len(nums) != 3:
            return None
        a, b, c = nums
        if a >= 1000:
            return dt.date(a, b, c)
        if c >= 1000:     # m/d/y or d/m/y: either reading must be a date
            try:
                return dt.date(c, a, b)
            except ValueError:
                return dt.date(c, b, a)
        if not roc and c > 31 and c < 100 and a <= 31 and b <= 31:   # 03/04/50: a two-digit year last
            try:
                return dt.date(1900 + c, a, b)
            except ValueError:
                return dt.date(1900 + c, b, a)
        if roc or a < 200:
            return dt.date(a + ROC_OFFSET, b, c)
    except ValueError:
        return None
    return None


# (D1, round 9) a date in brackets right after a person's name is that person's birth date, birth
# word or not (王小明（1950/03/02）, 陳美(39.03.02), Lin (1950-03-02), 林志豪（女，39/3/2，75歲）):
# a sex before it and an age after it may share the brackets; a time in them (a signature's
# 2026/12/03 14:20) says it is when something was written, not a birth.  Anchored at the name's
# end and bounded, so each name costs one short match.
_SEX = r"(?:男|女|[MFmf]|male|female)"
BRACKETED_AFTER_NAME = compiled(
    r"[ \t]*[(（][ \t]*(?:" + _SEX + r"[ \t]*[,，、/;；][ \t]*)?(?:" + _BIRTH_BEFORE + _GAP + r")?"
    r"(?P<d>" + _DATE_AFTER_BIRTH + r")(?![0-9:])[ \t]*(?:出生|生)?[ \t]*"
    r"(?:[,，、/;；][ \t]*[^()（）:\n]{0,12})?[)）]", re.IGNORECASE)


def bracketed_after(simplified: str, name_ends: list[int]) -> list[tuple[int, int]]:
    """(start, end) of birth dates in brackets right after a name ending at one of ``name_ends``."""
    out = []
    for b in sorted(set(name_ends)):
        m = BRACKETED_AFTER_NAME.match(simplified, b)
        if m:
            a, e = m.span("d")
            while a < e and simplified[a] in " \t":
                a += 1
            if parse(simplified[a:e]) is not None:
                out.append((a, e))
    return out
