"""Numbers in sentences: what each one states, so that a count in prose is checked like a cell.

:func:`read_numbers` finds every number in a text (digits, English number words, Chinese
numerals) and says what it is:
- ``count``: a number of persons or events the sentence states ("3 of 11 patients", "n = 4",
  "4 (0.7 %)", 「共3人」, 「3例」, "three women", "patients: 4");
- ``benign``: a year, a date or time, an age or duration with its unit, a measurement with
  its unit, an ICD or other code, a p-value, a confidence interval, an effect estimate
  (OR/HR/RR/β), a reference (Table 2, 第3章), a citation, a list marker, a version;
- ``statistic``: a mean/median/SD …, acceptable only when the sentence also states a count of
  at least the threshold; ``extreme``: a minimum, maximum or range (one person's value);
- ``percent``: checked against the count it is a share of, when the sentence states one;
- ``bound``: a count stated as a bound ("fewer than 6 patients", 「少於6人」, "<5"): the
  value is the bound;
- ``unknown``: anything else: the engine cannot tell what it counts, so a person must;
- ``unread``: a run of more number characters than any number has (``MAX_NUMBER_RUN``): not
  read, a person looks.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from deidentify.regex_cache import compiled

_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_EN_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                  "eighty": 80, "ninety": 90, "a single": 1, "single": 1, "none": 0, "no": 0})
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
D = r"\d+(?:,\d{3})*(?:\.\d+)?"
# 小寫 and 大寫 (financial: 參, 貳, 拾 …) numerals; not the first character of a word they begin
# (參與, 參加, 拾起, 陸軍) nor the end of one (大陸)
ZH_NUM = (r"(?<![大登內内著着])[零〇一二兩两倆俩仨三四五六七八九十百千壹弌貳贰弍參叁参弎肆伍陸陆柒捌玖拾佰仟]+"
          r"(?![與与加考數数照閱阅見见訪访觀观議议賽赛起獲获軍军地路續续])")
# Roman numerals, read as counts only where a count is due (n = iv, deaths: III, (iv patients))
ROMAN = r"(?:[ivxlc]+|[IVXLC]+)\b"
_EN_ONE = r"\b(?:" + "|".join(sorted((re.escape(w) for w in _EN_WORDS if w not in ("no", "none")),
                                     key=len, reverse=True)) + r")\b"
# "one hundred and twenty-one" is one number (not 1 and 20)
EN_NUM = (rf"{_EN_ONE}(?:(?:[\s-]+|(?:(?<=hundred)|(?<=thousand))\s+and\s+)"
          rf"(?:\b(?:hundred|thousand|million)\b|(?!a\b|single\b){_EN_ONE}))*")
ANY = rf"(?:{D}|{EN_NUM}|{ZH_NUM})"

PERSON_NOUN = (r"(?:patients?|persons?|people|individuals?|participants?|subjects?|cases?|men|"
               r"women|males?|females?|children|boys|girls|infants?|adults?|residents?|"
               r"beneficiaries|enrollees?|users?|respondents?|decedents?|deaths?|births?|"
               r"pregnancies|mothers?|deliveries|admissions?|hospitali[sz]ations?|visits?|"
               r"events?|episodes?|recipients?|survivors?|controls?|cohort members?|"
               r"smokers?|non-smokers?|cancers?|diagnoses|prescriptions?|claims?|records?|"
               r"observations?|households?|families|pairs?|twins?|veterans?|workers?|"
               r"nurses?|physicians?|doctors?|ppl)")
ZH_COUNTER = r"(?:人次|人|例|名|位|個案|件|戶|對|胎)"

PERSON_VERB = (r"(?:died|had|have|has|were|was|developed|received|underwent|experienced|reported|"
               r"lived|remained|showed|required|survived|dropped|withdrew|refused|tested|"
               r"presented|suffered|used|took|needed|became|did|stayed|moved|returned)")
# A count given as a bound ("fewer than 6 patients", "<5", 「少於6人」): a small cell marked in
# words; read before the count patterns so that its number is not taken as the count itself.
# Counts in words no number pattern reads (round 13: these passed): a bound - "single-digit
# deaths", "in single digits", 「個位數」, "under a dozen" (as "fewer than ten deaths" is one) -
# and the persons left out of "all": "Apart from three, all survived", "Save for 3, none died".
_WORD_BOUNDS = [(compiled(r"\bsingle[\s-]+digits?\b|\bone[\s-]+digit\b|個位數|个位数", re.I), 10.0),
                (compiled(r"\b(?:under|fewer than|less than|below)\s+(?:a|one)\s+dozen\b", re.I), 12.0)]
_LEFT_OUT = compiled(rf"\b(?:apart from|aside from|except(?: for)?|save(?: for)?|barring|other than)\s+"
                     rf"(?P<a>{ANY})\s*,?\s+(?:all|every|everyone|everybody|none|nobody|no one|each)\b"
                     rf"(?:(?:\s+[\w-]+){{0,4}}?\s+{PERSON_NOUN}|\s+{PERSON_VERB})\b", re.I)


def words_for_counts(sent: str) -> list[tuple[int, int, float, str]]:
    """(start, end, value, kind) of each bound or left-out count in words in ``sent``."""
    out = [(m.start(), m.end(), v, "bound") for rx, v in _WORD_BOUNDS for m in rx.finditer(sent)]
    for m in _LEFT_OUT.finditer(sent):
        v = to_number(m.group("a"))
        if v is not None and v == int(v):
            out.append((m.start("a"), m.end("a"), v, "count"))
    from egress_review.engine.group_words import group_counts   # it reads this module's nouns
    from egress_review.engine.odds_words import odds_shares     # odds are a share (round 14)
    return out + group_counts(sent) + odds_shares(sent)   # "a trio of deaths", 「兩三位」, "odds 0.026"


_BOUND_PATTERNS = [
    compiled(rf"(?:fewer than|less than|under|below|at most|no more than|not more than|up to|"
             rf"[<≤＜≦]=?)\s*(?P<a>{D}|{EN_NUM})\s+(?:(?:[A-Za-z-]+\s+){{0,3}}?{PERSON_NOUN}|"
             rf"(?:of (?:them|these|those)\s+)?{PERSON_VERB})\b(?!\s+(?:per|a|each|every)\b)", re.I),
    compiled(rf"(?:不足|少於|少于|未滿|未满|低於|低于|小於|小于|不到|不超過|不超过|最多|[<≤＜≦]=?)\s*"
             rf"(?P<a>{D}|{ZH_NUM})\s*(?:個|位|名)?\s*{ZH_COUNTER}"),
    compiled(rf"(?P<a>{D}|{ZH_NUM})\s*(?:個|位|名)?\s*{ZH_COUNTER}\s*(?:以下|以內|以内|或以下)"),
    compiled(rf"(?:{PERSON_NOUN}|\b[nN])\s*[:=]?\s*(?:fewer than|less than|[<≤＜≦]=?)\s*(?P<a>{D})(?![\d.])"
             rf"(?!\s*(?:years?|yrs?|歲|days?|months?|weeks?|hours?|%|mm|mg|kg))", re.I),
    # a label's bound with nothing after it: "Region A: <5", "(<6)", 「甲區：<5」
    compiled(rf"(?:^|[:：(（,，;；]\s*)[<≤＜≦]=?\s*(?P<a>\d+)(?![\d.%％])(?!\s*(?:years?|yrs?|歲|mm|mg|kg|"
             rf"days?|months?|weeks?|hours?|[A-Za-z%％]))"),
]
# A sentence that states the suppression rule itself, not a marked cell.
SUPPRESSION_RULE = compiled(r"\b(?:suppress(?:ed|ion)?|masked|withheld|not (?:shown|reported|displayed)|"
                            r"redacted|censored|cells?|counts? (?:of|below|under|fewer|less)|"
                            r"policy|rule|threshold)\b|隱藏|遮蔽|不予?(?:呈現|顯示|公布)|未(?:呈現|顯示)|"
                            r"門檻|規定|細格|儲存格", re.I)
_COUNT_PATTERNS = [
    # "3/120 patients" (not a rate: "3/1000 person-years")
    compiled(rf"(?P<a>{D})\s*/\s*(?P<b>{D})\s+(?:[A-Za-z-]+\s+){{0,3}}?{PERSON_NOUN}\b"
             r"(?!-(?:years?|time|days?|months?))", re.I),
    compiled(rf"\bcounts?\s*[:=]\s*(?P<a>{D})(?![\d.])", re.I),
    # a fraction beside its percentage: "33.3% (1/3)", "1/3 (33.3%)"
    compiled(rf"{D}\s*[%％]\s*[(（\[]\s*(?P<a>{D})\s*/\s*(?P<b>{D})\s*[)）\]]"),
    compiled(rf"(?P<a>{D})\s*/\s*(?P<b>{D})\s*[(（\[]\s*{D}\s*[%％]"),
    # words that are a number of persons: "both patients", "a pair of", "a couple of" (2)
    # ("in both cases" is a figure of speech)
    compiled(rf"(?<!in )\b(?P<a>both|(?:a )?pair of|(?:a )?couple of)\s+(?:the\s+)?"
             rf"(?!cases?\b)(?:[A-Za-z-]+\s+){{0,2}}?{PERSON_NOUN}\b", re.I),
    compiled(rf"\b[nN]\s*[=:＝]\s*(?P<a>{ROMAN})"),
    compiled(rf"{PERSON_NOUN}\s*[:=]\s*(?P<a>{ROMAN})", re.I),
    compiled(rf"(?<!stage )(?<!grade )(?<!type )(?<!class )(?<!phase )(?<!level )(?<!part )"
             rf"(?P<a>\b[ivxlc]+\b)\s+(?:[A-Za-z-]+\s+){{0,2}}?{PERSON_NOUN}\b"),
    compiled(rf"(?P<a>{ANY})\s+(?:of|out of|among|/|in)\s+(?:the\s+|all\s+)?(?P<b>{ANY})\b", re.I),
    compiled(rf"\b[nN]\s*[=:＝]\s*(?P<a>{D})"),
    compiled(rf"(?P<a>{D})\s*[(（]\s*{D}\s*[%％]?\s*[)）]"),
    compiled(rf"(?P<a>{ANY})\s+(?:[A-Za-z-]+\s+){{0,3}}?{PERSON_NOUN}\b", re.I),
    compiled(rf"(?P<a>{ANY})\s*(?:個|位|名)?\s*{ZH_COUNTER}"),
    compiled(rf"(?:number of|no\. of)\s+{PERSON_NOUN}\s*(?:was|were|is|=|:|of)?\s*(?P<a>{ANY})", re.I),
    compiled(rf"{PERSON_NOUN}\s*(?:[:=]|was|were|numbered|totall?ed)\s*(?P<a>{ANY})\b", re.I),
    compiled(rf"(?:共|計|有|僅|只有|其中)\s*(?P<a>{ANY})\s*(?:個|位|名)?\s*{ZH_COUNTER}?"),
    # a number as the subject of what persons do: "2 died", "three had diabetes"
    compiled(rf"(?<![\d.,])(?P<a>(?!(?:1[89]|20)\d\d\b){ANY})\s+(?:of (?:them|these|those)\s+)?"
             rf"{PERSON_VERB}\b", re.I),
]
_RATIO = compiled(rf"(?:ratio|odds|split|比例|比為|比为|之比)[^.;。；\d]{{0,60}}?(?P<a>{D})\s*[:：]\s*(?P<b>{D})"
                  rf"(?![:：]?\d)", re.I)
_ZH_DIGITS = "零〇一二兩两三四五六七八九"
_ZH_PERCENT = compiled(rf"百分之(?P<w>{ZH_NUM}|\d+)(?:[點点](?P<f>[{_ZH_DIGITS}]+))?")
# A share per thousand, ten thousand or hundred thousand persons: a percentage at its scale.
# Per person-time or per visit it is a rate of events, not a share of persons: left alone.
_NOT_PERSONS = r"(?![\s-]*(?:person|patient|people|pt|member)?[\s-]*(?:years?|yrs?|months?|days?|visits?|admissions?|prescriptions?|claims?|年|月|日|次|人年|人月))"
_PER_SCALE = compiled(rf"(?P<v>{D})\s*(?:(?:per|/)\s*(?P<s>1,?000,?000|100,?000|10,?000|1,?000|thousand|"
                      rf"ten thousand|hundred thousand|million)\b|(?P<pm>‰|‱)){_NOT_PERSONS}", re.I)
_ZH_PER_SCALE = compiled(rf"每(?P<s>十萬|千|萬|万|百萬)(?:人|名|位|例)?(?!年|月|日|次)(?:中|有|約|约)?\s*"
                         rf"(?P<v>{D}|{ZH_NUM})(?:\s*[點点](?P<f>[{_ZH_DIGITS}]+))?\s*(?:人|名|位|例)?")
_ZH_PERMILLE = compiled(rf"(?P<s>十萬|百萬|千|萬|万)分之(?P<v>{D}|{ZH_NUM})(?:[點点](?P<f>[{_ZH_DIGITS}]+))?")
_SCALES = {"1000": 1e3, "thousand": 1e3, "千": 1e3, "10000": 1e4, "ten thousand": 1e4, "萬": 1e4,
           "万": 1e4, "100000": 1e5, "hundred thousand": 1e5, "十萬": 1e5, "1000000": 1e6,
           "million": 1e6, "百萬": 1e6, "‰": 1e3, "‱": 1e4}


def _scaled_percent(m: re.Match) -> float | None:
    """The percentage a per-scale share stands for (2.5 per 1,000 = 0.25 %)."""
    scale = _SCALES.get((m.groupdict().get("pm") or m.group("s") or "").replace(",", "").lower())
    v = to_number(m.group("v"))
    if scale is None or v is None:
        return None
    frac = m.groupdict().get("f")
    if frac:
        v = float(f"{int(v)}." + "".join(str(int(to_number(ch) or 0)) for ch in frac))
    return 100.0 * v / scale


_EVERY = compiled(rf"(?P<a>{ANY})\s+(?:in|out of)\s+(?:every|each)\s+(?P<b>{ANY})\b", re.I)
# A share in words or as a small fraction (E2, round 13): "two-thirds of", "a third died",
# "one-fifth were women", "1/8 died", 「五分之二」, 「三成」.  Round 12 read a closed list and
# only English ones before "of", so "Of the 9 patients in Lanyu, a third died" passed.
_ORD = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
        "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "twelfth": 12, "twentieth": 20}
_EN_FRACTION_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                    "six": 6, "seven": 7, "eight": 8, "nine": 9}
# after a share that stands for persons: "of", a verb, or the clause's end ("a third dose" is none)
_CLAUSE_END = r"|\s*[,.;:)]|\s*$"        # not after a digit fraction: "on 1/8, 12 were seen"
_SHARE_AFTER = (r"(?=\s+(?:of|were|was|had|have|has|did|are|is|died|got|became|received|developed|"
                rf"survived|reported|showed|needed|required|underwent|\w+ed)\b{_CLAUSE_END})")
_FRACTION = compiled(
    rf"(?P<f>\b(?:(?:{'|'.join(_EN_FRACTION_NUM)})[ -](?:{'|'.join(_ORD)})s?|half)\b{_SHARE_AFTER}|"
    rf"(?<![\d/.,])[1-9]\d?\s*/\s*(?:[2-9]|1[0-2])(?![\d/.,]){_SHARE_AFTER.replace(_CLAUSE_END, '')}|"
    r"(?:[一二兩三四五六七八九十]+|\d+)分之(?:[一二兩三四五六七八九十]+|\d+)|一半|半數|半数|"
    r"(?<![\d一二三四五六七八九十])(?:[一二三四五六七八九]|[1-9])成(?:[一二三四五六七八九](?![成\d]))?"
    r"(?![人長长功本員员效果立為为績绩熟年分份型就全]))",
    re.I)


def fraction_share(text: str) -> float | None:
    """The share (0 … 1) a fraction in words or digits stands for, or None."""
    t = text.strip().lower().replace("-", " ")
    if t in ("half", "一半", "半數", "半数"):
        return 0.5
    m = re.fullmatch(r"(\w+) (\w+?)s?", t)
    if m and m.group(1) in _EN_FRACTION_NUM and m.group(2) in _ORD:
        num, den = _EN_FRACTION_NUM[m.group(1)], _ORD[m.group(2)]
        return num / den if num < den else None
    m = re.fullmatch(r"(\d+)\s*/\s*(\d+)", t)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
        return num / den if 0 < num < den else None
    m = re.fullmatch(r"(.+)分之(.+)", t)
    if m:
        den, num = to_number(m.group(1)), to_number(m.group(2))
        return num / den if den and num is not None and 0 < num < den else None
    m = re.fullmatch(r"(.)\s*成(.?)", t)
    if m:
        tens, ones = to_number(m.group(1)), to_number(m.group(2)) if m.group(2) else 0
        return (tens * 10 + (ones or 0)) / 100 if tens else None
    return None


_BENIGN = [
    # the length of a ranked list, not a count of persons: "Top 5 diagnoses", "the five most
    # common diagnoses", 「前5大診斷」 (a "Top 5" heading blocked a list of large counts)
    compiled(rf"\b(?:top|bottom)[\s-]+(?:{D}|{EN_NUM})\b|\b(?:{D}|{EN_NUM})\s+(?:most|least)\s+"
             rf"(?:common|frequent|prevalent|commonly|frequently)\b|前\s*(?:{D}|{ZH_NUM})\s*(?:大|名)", re.I),
    compiled(rf"\b\d{{4}}\s*[-/.]\s*\d{{1,2}}(?:\s*[-/.]\s*\d{{1,2}})?\b"),          # 2021-03-04
    compiled(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b"),
    compiled(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    compiled(r"(?:民國\s*)?\d{2,4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?(?:度|代)?"),
    compiled(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"),
    compiled(r"\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}\b", re.I),
    compiled(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?\d{4}\b", re.I),
    compiled(r"(?<![\d.,])(?:1[89]\d\d|20\d\d)s?(?![\d%]|[.,]\d)"),                      # years
    compiled(rf"(?:aged?|ages)\s*(?:of\s*)?(?:[≥≤<>]=?|over|under|above|below|between)?\s*{D}"
             rf"(?:\s*(?:[-–—~]|to|and)\s*{D})?", re.I),
    compiled(rf"[≥≤<>]=?\s*{D}\s*(?:years?|yrs?|歲)", re.I),
    compiled(rf"{D}\s*(?:[-–—~]|to)?\s*(?:{D}\s*)?(?:years?(?:[- ]old)?|yrs?|y/o|months?|weeks?|"
             r"days?|hours?|hrs?|minutes?|mins?|seconds?|歲|岁|個月|週|周|天|日|小時|分鐘)(?![A-Za-z])", re.I),
    compiled(rf"{D}\s*(?:mg|g|kg|µg|μg|mcg|mL|ml|dL|L|mmHg|mmol|mol|cm|mm|km|kcal|°C|℃|bpm|IU|"
             r"kg/m2|kg/m²|mg/dL|mmol/L|U/L|公斤|公分|毫克)(?![A-Za-z])", re.I),
    compiled(rf"\b(?:ICD-\d+(?:-CM|-PCS)?|ICD|CPT|ATC)[\s:-]*(?:codes?)?[\s:]*(?:[A-Z]?\d+(?:\.\d+)?[A-Z]?"
             r"(?:\s*(?:,|and|or|[-–])\s*[A-Z]?\d+(?:\.\d+)?[A-Z]?)*)", re.I),
    compiled(r"\b[A-Za-z]+[-_]?\d+(?:\.\d+)*[A-Za-z]*\b"),                            # E11.9, COVID-19
    compiled(r"\b\d+[A-Za-z]+\d*\b"),                                                  # 2a, 3rd
    compiled(rf"\b[pP](?:\s*-?\s*value)?\s*(?:[=<>≤≥]=?)\s*0?\.\d+|\bP\s*值\s*[=<>≤≥]?\s*0?\.\d+"),
    compiled(rf"{D}\s*[%％]\s*(?:CI|C\.I\.|confidence interval|credible interval|信賴區間|置信區間)"
             rf"[\s:,]*[(\[]?\s*-?{D}\s*(?:[-–—~,]|to)\s*-?{D}\s*[)\]]?", re.I),
    compiled(rf"\b(?:CI|信賴區間)[\s:,]*[(\[]?\s*-?{D}\s*(?:[-–—~,]|to)\s*-?{D}\s*[)\]]?", re.I),
    compiled(rf"\b(?:a?OR|a?HR|a?RR|IRR|SMD|β|beta|coefficient|estimate|odds ratio|hazard ratio|"
             rf"risk ratio|rate ratio|勝算比|風險比)\s*(?:of|was|were|=|:)?\s*-?{D}"
             rf"(?:\s*[(\[]\s*-?{D}\s*(?:[-–—~,]|to)\s*-?{D}\s*[)\]])?", re.I),
    compiled(r"\b(?:Tables?|Figures?|Figs?\.?|Sections?|Supplementary|Appendix|Model|Step|Chapter|"
             r"Version|Equation|Eq\.|Rule|Phase|Wave|Round|Stage|Grade|Type|Level|Class|Part|"
             r"Item|Question|Q)\s*\d+(?:\.\d+)*[a-z]?\b", re.I),
    compiled(r"(?:表|圖|附表|附圖|附錄|第)\s*\d+(?:\.\d+)*\s*(?:章|節|條|版|期|次|頁|部分|型|級|期)?"),
    compiled(r"\[\d+(?:\s*[,–-]\s*\d+)*\]"),                                          # citations
    compiled(r"(?m)^\s*\(?\d{1,2}[.)](?=\s)"),                                           # list markers
    compiled(r"\b\d+\.\d+\.\d+\b"),                                                      # versions
]
_DATES = 8                 # the first patterns of _BENIGN: ranks, dates and times
_STAT = compiled(r"(?:mean|average|median|SD|standard deviation|IQR|interquartile|quartile|"
                 r"percentile|平均|中位數|標準差|四分位)[^.;。；\d]{0,25}$", re.I)
_EXTREME = compiled(r"(?:\b(?:range[ds]?|ranging|minimum|maximum|min|max|youngest|oldest|lowest|"
                    r"highest)\b|最小|最大|最年輕|最年長|最低|最高)[^.;。；\d]{0,20}$", re.I)
_NUMBER = compiled(rf"{D}|{EN_NUM}|{ZH_NUM}", re.I)
_SENTENCE_END = compiled(r"(?<=[.!?;])\s+(?=[A-Z(\[])|[。！？；]|\n\s*\n|\n(?=\s*[-*•\d(])")


@dataclass(frozen=True)
class Number:
    kind: str             # count | percent | statistic | extreme | benign | unknown | unread
    value: float | None
    start: int
    end: int
    sentence: tuple[int, int]


def to_number(token: str) -> float | None:
    t = token.strip().lower()
    if re.fullmatch(D, t):
        return float(t.replace(",", ""))
    if t in _EN_WORDS:
        return float(_EN_WORDS[t])
    if re.fullmatch(r"both|(?:a )?pair of|(?:a )?couple of", t):
        return 2.0
    if re.fullmatch(EN_NUM, t, re.I):
        from egress_review.engine.numerals import spelled_number

        return spelled_number(t)
    if re.fullmatch(ZH_NUM, t):
        from egress_review.engine.numerals import spelled_number

        return spelled_number(t)
    if re.fullmatch(ROMAN, token.strip()):
        return _roman(token.strip())
    return None


_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman(t: str) -> float | None:
    """A well-formed Roman numeral's value (iv = 4, XII = 12), else None ("ivx" is no number)."""
    vals = [_ROMAN_VALUES[ch] for ch in t.lower()]
    total = sum(-v if i + 1 < len(vals) and v < vals[i + 1] else v for i, v in enumerate(vals))
    canonical = ""
    rest = total
    for value, mark in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                        (5, "v"), (4, "iv"), (1, "i")):
        while rest >= value:
            canonical, rest = canonical + mark, rest - value
    return float(total) if canonical == t.lower() else None


# The longest span read as one sentence.  Reading a sentence costs time growing with the square
# of its length (a run of number characters is tried from every place it could start): one
# "sentence" of 20 000 Han numerals took minutes and held a worker of the review service.  A
# longer span is read in pieces cut in their last third after a clause mark (a comma, a
# semicolon-like mark, a bracket), else after a space (a hard cut when there is neither: no
# number is that long), so reading grows with the text's length and a count stays with its noun.
MAX_SENTENCE = 600
_CUTS = (compiled(r"[,，、;；)）]\s*"), compiled(r"\s+"))


def _pieces(a: int, b: int, text: str) -> list[tuple[int, int]]:
    out = []
    while b - a > MAX_SENTENCE:
        limit = a + MAX_SENTENCE
        cut = limit
        for rx in _CUTS:
            ends = [m.end() for m in rx.finditer(text, limit - MAX_SENTENCE // 3, limit)
                    if m.end() <= limit]
            if ends:
                cut = ends[-1]
                break
        out.append((a, cut))
        a = cut
    return out + [(a, b)]


def sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[start:m.start()].strip():
            out += _pieces(start, m.end() if m.group().strip() else m.start(), text)
        start = m.end()
    if text[start:].strip():
        out += _pieces(start, len(text), text)
    return out


def fold(text: str) -> str:
    """The text as a reader sees it, same length (offsets stay valid): compatibility forms of
    one character folded (③ → 3, ³ → 3, full-width ３ → 3); characters a reader does not see
    (zero-width, joiners, soft hyphens, combining, keycap and variation marks: 3️⃣, 1<U+200B>2
    patients) taken out of the word and put as blanks after it, so the digits around them are
    one number and the number stays next to its noun (offsets shift by at most those blanks)."""
    import unicodedata

    from deidentify.identifiers.lookalike import unseen

    out, held = [], 0
    for ch in text:
        if ord(ch) > 127 and unseen(ch):
            held += 1
            continue
        if held and not ch.isalnum():
            out.append(" " * held)
            held = 0
        if ord(ch) > 127 and len(n := unicodedata.normalize("NFKC", ch)) == 1:
            out.append(n)
        else:
            out.append(ch)
    out.append(" " * held)
    return "".join(out)


# The longest run of number characters read as a number: digits with the marks between them
# (1,234.5) or Chinese numerals.  Every pattern tries a run from each place it could start and
# backs off character by character, so a run of n costs n squared per pattern: 600 digits in
# one piece took seconds.  No count, measurement or code is this long; a longer run is not read
# but reported whole as ``unread`` (a person looks: it may carry data).
MAX_NUMBER_RUN = 32
_NUMBER_RUN = compiled(r"\d+(?:[,.]\d+)*|[零〇一二兩两倆俩仨三四五六七八九十百千萬万億亿壹弌貳贰弍參叁参弎肆伍陸陆柒捌玖拾佰仟]+")


def _long_runs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NUMBER_RUN.finditer(text) if m.end() - m.start() > MAX_NUMBER_RUN]


def read_numbers(text: str) -> list[Number]:
    """Every number in ``text`` with what it states (see the module doc)."""
    return list(_read_numbers(text))


# several checks read the same unit's numbers; a long text costs a second or more per reading
@functools.lru_cache(maxsize=16)
def _read_numbers(text: str) -> tuple[Number, ...]:
    text = fold(text)
    out: list[Number] = []
    runs = _long_runs(text)     # blanked, same length, before the text is cut in pieces: no
    if runs:                    # pattern reads the run or a piece of it
        parts, pos = [], 0
        for a, b in runs:
            parts += [text[pos:a], "#" * (b - a)]
            pos = b
        text = "".join(parts) + text[pos:]
    for s0, s1 in sentences(text):
        sent = text[s0:s1]
        taken = [False] * len(sent)
        found: list[Number] = []
        for a, b in runs:
            lo, hi = max(a, s0), min(b, s1)
            if lo < hi:
                taken[lo - s0:hi - s0] = [True] * (hi - lo)
                if a >= s0:             # reported once, in the piece where it starts
                    found.append(Number("unread", None, a, b, (s0, s1)))

        def claim(a: int, b: int) -> bool:
            if any(taken[a:b]):
                return False
            for i in range(a, b):
                taken[i] = True
            return True

        # a share stated as a ratio ("deaths to survivors 1:39"; before the times: after
        # "ratio" it is not one) or in words (below): a percentage of the sentence's count
        for m in _RATIO.finditer(sent):
            a, b = to_number(m.group("a")), to_number(m.group("b"))
            if a is not None and b is not None and a + b > 0 and claim(m.start("a"), m.end("b")):
                found.append(Number("percent", 100 * a / (a + b), s0 + m.start("a"),
                                    s0 + m.end("b"), (s0, s1)))
        for rx in _BENIGN[:_DATES]:        # dates and times first: "2010-01-01 to 2020-12-31"
            for m in rx.finditer(sent):
                claim(m.start(), m.end())
        for rx in (_EXTREME_SPAN,):
            for m in rx.finditer(sent):
                for g in ("a", "b"):
                    if m.group(g) and claim(m.start(g), m.end(g)):
                        found.append(Number("extreme", to_number(m.group(g)), s0 + m.start(g),
                                            s0 + m.end(g), (s0, s1)))
        for rx in _BOUND_PATTERNS:
            for m in rx.finditer(sent):
                a, b = m.start("a"), m.end("a")
                v = to_number(m.group("a"))
                if v is not None and claim(a, b):
                    found.append(Number("bound", v, s0 + a, s0 + b, (s0, s1)))
        for a, b, v, kind in words_for_counts(sent):
            if claim(a, b):
                found.append(Number(kind, v, s0 + a, s0 + b, (s0, s1)))
        for m in _EVERY.finditer(sent):     # "one in every 120": a share; the 120 is read below
            a, b = to_number(m.group("a")), to_number(m.group("b"))
            # "every 4 of the 1000": the 4 is the share's, not a group; "every 120 patients":
            # the 120 is the group, a count read below
            of_more = re.match(r"\s+(?:of|among|out of)\b", sent[m.end("b"):], re.I)
            if a is not None and b and claim(m.start("a"), m.end("b") if of_more else m.start("b")):
                found.append(Number("percent", 100 * a / b, s0 + m.start("a"), s0 + m.end("b"),
                                    (s0, s1)))
        for rx in (_PER_SCALE, _ZH_PER_SCALE, _ZH_PERMILLE):   # 2.5 per 1,000, 2.5‰, 每千人2.5人, 千分之二點五
            for m in rx.finditer(sent):
                v = _scaled_percent(m)
                if v is not None and claim(m.start(), m.end()):
                    found.append(Number("percent", v, s0 + m.start(), s0 + m.end(), (s0, s1)))
        for m in _ZH_PERCENT.finditer(sent):   # 百分之九十七點五 = 97.5%
            whole = to_number(m.group("w"))
            frac = m.group("f")
            digits = "".join(str(int(to_number(ch) or 0)) for ch in frac) if frac else ""
            if whole is not None and claim(m.start(), m.end()):
                found.append(Number("percent", float(f"{int(whole)}.{digits or 0}"),
                                    s0 + m.start(), s0 + m.end(), (s0, s1)))
        for m in _FRACTION.finditer(sent):
            share = fraction_share(m.group("f"))
            if share is not None and claim(m.start("f"), m.end("f")):
                found.append(Number("percent", 100 * share, s0 + m.start("f"), s0 + m.end("f"),
                                    (s0, s1)))
        for a, b in extreme_values(sent, taken):   # before counts and measurements: a value, not a group
            if claim(a, b):
                found.append(Number("extreme", to_number(sent[a:b]), s0 + a, s0 + b, (s0, s1)))
        for rx in _COUNT_PATTERNS:
            for m in rx.finditer(sent):
                for g in ("a", "b"):
                    if g in rx.groupindex and m.group(g):
                        a, b = m.start(g), m.end(g)
                        v = to_number(m.group(g))
                        if v is None or any(taken[a:b]) or _benign_at(sent, a, b):
                            continue
                        if v != int(v):
                            continue        # "… patients was 0.03": a share, never a count
                        if g == "b" and re.fullmatch(r"(?:1[89]|20)\d\d", m.group(g)) and \
                                re.search(r"\bin\s*$", sent[m.end("a"):a], re.I):
                            continue        # "… per 1,000 in 2020": a year, not a group
                        claim(a, b)
                        found.append(Number("count", v, s0 + a, s0 + b, (s0, s1)))
        for rx in _BENIGN[_DATES:]:
            for m in rx.finditer(sent):
                if not any(taken[m.start():m.end()]):
                    claim(m.start(), m.end())
        for m in _NUMBER.finditer(sent):
            a, b = m.start(), m.end()
            if any(taken[a:b]):
                continue
            token = m.group()
            if not re.search(r"\d", token) and not _near_noun(sent, b):
                continue            # number words away from a person noun: ordinary words
            v = to_number(token)
            after = sent[b:b + 3]
            before = sent[max(0, a - 40):a]
            if re.match(r"\s*[%％]", after):
                kind = "percent"
            elif _EXTREME.search(before):
                kind = "extreme"
            elif _STAT.search(before):
                kind = "statistic"
            else:
                kind = "unknown"
            claim(a, b)
            found.append(Number(kind, v, s0 + a, s0 + b, (s0, s1)))
        out.extend(sorted(found, key=lambda n: n.start))
    return tuple(out)


_EXTREME_SPAN = compiled(rf"(?:rang(?:e|ed|ing)|from)\s+(?:from\s+|between\s+)?(?P<a>{D})\s*"
                         rf"(?:to|[-–—~]|and)\s*(?P<b>{D})", re.I)


# One person's value in words (E2): "the oldest of the 120 patients was 103 years old",
# "the longest stay lasted 412 days", 「最年長者103歲」.  The value usually carries a unit (an
# age, a duration, a cost), which alone would set it aside as a measurement.
_EXTREME_WORD = compiled(
    r"\b(?:oldest|youngest|eldest|longest|shortest|highest|lowest|largest|smallest|heaviest|"
    r"lightest|tallest|earliest|latest|costliest|most\s+expensive|least\s+expensive|maximum|"
    r"minimum|max|min)\b|最(?:年長|年輕|高齡|年幼|長|短|高|低|大|小|早|晚|貴|重|輕)", re.I)
_UNIT_AFTER = compiled(r"\s*(?:years?|yrs?|days?|months?|weeks?|hours?|mg|kg|g|ml|cm|mm|"
                       r"NT\$|\$|元|歲|天|日|月|年|公斤)", re.I)
_NOT_EXTREME_AFTER = compiled(r"\s*(?:[%％+]|percent|per\b|歲以上|以上)", re.I)


def extreme_values(sent: str, taken: list[bool]) -> list[tuple[int, int]]:
    """Spans of the first number after each extreme word within its clause (not a count, a
    percentage, a year after "in", or a number already read)."""
    out = []
    for w in _EXTREME_WORD.finditer(sent):
        end = min(len(sent), w.end() + 60)
        stop = re.search(r"[;；，]|,(?!\d)|\band\b|\bwhile\b", sent[w.end():end])
        if stop:
            end = w.end() + stop.start()
        for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", sent[w.end():end]):
            a, b = w.end() + m.start(), w.end() + m.end()
            if re.search(r"(?:\b[nN]\s*[=:＝]|[(（])\s*$", sent[max(0, a - 6):a]):
                break                       # "the largest group (n = 640)": its count
            if any(taken[a:b]) or _near_noun(sent, b) and not _UNIT_AFTER.match(sent, b):
                continue                    # "of the 120 patients": a count, read below
            if re.fullmatch(r"(?:19|20)\d\d", sent[a:b]) and (
                    re.search(r"\b(?:in|since|during|by)\s*$", sent[max(0, a - 8):a], re.I)
                    or re.match(r"\s*年", sent[b:])):
                continue                    # "highest in 2019": a year, not a value
            if _NOT_EXTREME_AFTER.match(sent, b):
                break
            out.append((a, b))
            break
    return out


def _benign_at(sent: str, a: int, b: int) -> bool:
    """A count match that is really part of a date, a code or a year ("2019 patients" is a
    count; "in 2019, 3 patients" is not a count of 2019)."""
    for rx in _BENIGN[:4]:            # the rank and the first dates
        for m in rx.finditer(sent):
            if m.start() <= a and b <= m.end():
                return True
    return False


def _near_noun(sent: str, b: int) -> bool:
    return bool(re.match(rf"\s+(?:[A-Za-z-]+\s+){{0,3}}?{PERSON_NOUN}\b", sent[b:], re.I)
                or re.match(rf"\s*(?:個|位|名)?\s*{ZH_COUNTER}", sent[b:]))


# Text that may state a count (a person noun, a Chinese counter, "n ="): labels are read for
# counts only when they match, so a column of ordinary labels costs one search per cell.
COUNT_HINT = compiled(rf"\d.*(?:{PERSON_NOUN}|{ZH_COUNTER})|(?:{PERSON_NOUN}|\b[nN])\s*[=:＝]\s*\d|"
                      rf"(?:共|計|有|僅|其中)\s*\d", re.I)

