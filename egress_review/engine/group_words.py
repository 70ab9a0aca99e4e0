"""Group words that state a small count (E2/E6, round 14).

"A trio of deaths", "a triple death", "triplets", 「兩三位病人」 state a count (or a range of
counts) no number pattern reads; "a handful of patients", "a few died", "several patients",
「數名」, 「少數病人」 say the count is small without its value.  Before, all of these passed.
An exact word is a count (checked like "3 deaths"); a range is a bound just above its largest
member (「兩三位」: under 4, blocks as "fewer than 4" does); a vague word is a bound of ten
(a reviewer's, as "single-digit deaths" is).  Only before a person noun or what persons do:
"a trio of authors", "a few limitations", 「少數民族」 are left alone.
"""
from __future__ import annotations

import re


_EXACT = {"trio": 3, "triple": 3, "triplet": 3, "triplets": 3, "threesome": 3, "quartet": 4,
          "quadruple": 4, "quadruplets": 4, "quadruplet": 4, "quintet": 5, "quintuple": 5,
          "quintuplets": 5, "quintuplet": 5, "lone": 1, "solitary": 1, "twins": 2,
          "duo": 2, "pair": 2, "couple": 2,
          "雙胞胎": 2, "双胞胎": 2, "孿生": 2, "孪生": 2, "三胞胎": 3, "四胞胎": 4, "五胞胎": 5}   # not "single"/"double": a single dose, a double dose
# A vague small number: a bound of ten (single digits), for a reviewer.
_VAGUE_BOUND = 10.0
_ZH_DIGIT = {"一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_ZH_PERSON = r"(?:位|名|個|个|例|人|對|对)?\s*(?:病人|病患|患者|個案|个案|病例|死亡|孕婦|嬰兒|人|例|名|位)"


def _patterns():
    from egress_review.engine.prose import PERSON_NOUN, PERSON_VERB   # prose imports this module
    # the words between are adjectives, never a preposition: "a few studies in patients" is
    # about studies, "a trio of elderly patients" about persons
    noun_or_verb = (rf"(?:\s+(?:of\s+)?(?:the\s+|these\s+|those\s+|them\s+)?"
                    rf"(?:(?!(?:in|of|for|with|among|from|per|by|on|at|to|and|or)\b)[\w-]+\s+){{0,2}}?"
                    rf"{PERSON_NOUN}\b|\s+(?:of\s+(?:them|these|those)\s+)?{PERSON_VERB}\b)")
    exact = "|".join(sorted(_EXACT, key=len, reverse=True))
    return [
        # "a trio of deaths", "a triple death", "one set of triplets", "a lone patient"
        ("exact", re.compile(rf"\b(?:an?|one|the)\s+(?:set\s+of\s+|pair\s+of\s+)?(?P<w>{exact})\b"
                           rf"(?:(?:\s+of)?{noun_or_verb}|(?<=twins)|(?<=triplets)|(?<=quadruplets)|"
                           rf"(?<=quintuplets))", re.I)),
        # one set of 「三胞胎」, 「雙胞胎」 is its births (「雙胞胎共240對」 is a kind, not a count)
        ("exact", re.compile(r"一\s*(?:組|组|對|对|胎)\s*(?P<w>雙胞胎|双胞胎|孿生|孪生|三胞胎|四胞胎|五胞胎)|"
                           r"(?P<v>雙胞胎|双胞胎|孿生|孪生|三胞胎|四胞胎|五胞胎)\s*一\s*(?:組|组|對|对|胎)(?![\d一二三四五六七八九十])")),
        # "a handful of patients", "a few died", "several patients", "a small number of cases"
        ("vague", re.compile(rf"\b(?P<w>(?:only\s+|very\s+|just\s+)?(?:a\s+handful|a\s+few|few|several|"
                           rf"a\s+small\s+number|a\s+tiny\s+number|a\s+minority|a\s+small\s+minority|"
                           rf"handful)){noun_or_verb}", re.I)),
        # 「兩三位病人」, 「三五名」, 「一兩例」: a range of two neighbouring numbers
        ("range", re.compile(rf"(?P<a>[一二兩两三四五六七八九])(?P<b>[一二兩两三四五六七八九])\s*{_ZH_PERSON}")),
        # 「數名」, 「幾位病人」, 「少數病人」, 「極少數個案」, 「若干名」 (not 少數民族)
        ("vague", re.compile(rf"(?P<w>(?:極|极|僅|仅|只有)?(?:少數|少数|數|数|幾|几|若干|寥寥(?:數|数|幾|几)?))"
                           rf"(?!民族|服從|服从|派|股東|股东|意見|意见|點|点|據|据|字|學|学|值|量|位數|位数|次)"
                           rf"\s*(?:位|名|個|个|例|人|對|对)\s*(?:病人|病患|患者|個案|个案|病例|死亡|人|例)?"
                           rf"|(?:少數|少数)(?:的)?\s*(?:病人|病患|患者|個案|个案|病例|人|例)")),
    ]


_CACHE: list = []


def group_counts(sent: str) -> list[tuple[int, int, float, str]]:
    """(start, end, value, kind) of each count or bound a group word states in ``sent``:
    kind "count" (an exact word) or "bound" (a range or a vague word: the count is below it)."""
    if not _CACHE:
        _CACHE.extend(_patterns())
    out = []
    for kind, rx in _CACHE:
        for m in rx.finditer(sent):
            if kind == "exact":
                g = "w" if m.group("w") else "v"
                out.append((m.start(g), m.end(g), float(_EXACT[m.group(g).lower()]), "count"))
            elif kind == "range":
                a, b = _ZH_DIGIT[m.group("a")], _ZH_DIGIT[m.group("b")]
                if b == a + 1 or (a, b) in ((3, 5), (1, 3)):     # 兩三, 三四, 三五, 一兩
                    out.append((m.start("a"), m.end("b"), float(b + 1), "bound"))
            else:
                out.append((m.start("w"), m.end("w"), _VAGUE_BOUND, "bound"))
    return out
