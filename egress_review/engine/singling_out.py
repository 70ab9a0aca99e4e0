"""E3/E6: a sentence that picks out one institution, one person or one place goes to review.

A red-team probe passed texts that carry no small number but single something out: "the
hospital in Taitung ranked first for readmissions", "the only hospital in Penghu", "mortality
was highest in 台東", 「台東縣唯一的醫學中心」, 「該院排名第一」, 「最多的一家醫院」.  With the
case's other outputs (a county's levels, a hospital count) such a sentence describes one
institution (E3; E6 "anything that could single out persons or institutions").  Whether the
one it picks out is identifiable only a person can judge, so each such sentence goes to review
with the words that single out marked - never a block, never a pass:
- a uniqueness phrase ("the only", "sole", "a single", "only one", 唯一, 僅有一, 只有一) with an
  institution, one person, a place or the pronoun "one";
- a rank or superlative ("ranked first", "top", "highest", 排名, 最多, 最高, 之冠) with one
  institution (English singular, or Chinese without a plural marker such as 各/所有/皆; a
  classifier 一家/該院 is one institution by itself), with one person (a determiner and the
  singular noun; 一名/該名 … 病人), or with a county, city or offshore island.
Plural groups ("hospitals in the north had lower rates", "patients aged 65+ had the highest
costs") and methods sentences ("only patients with two visits were included") still pass.
Setting: ``prose_singling_out`` (E3).
"""
from __future__ import annotations

import re

from deidentify.regex_cache import compiled
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "singling_out"

_SENTENCE = compiled(r"[^.!?。！？;；\n]+(?:[.!?。！？;；\n]|$)")
_ONE = compiled(
    r"\b(?:the|an?)\s+(?:only|sole|single|lone|unique)\b|\bonly\s+one\b|\bjust\s+one\b|\bsole\b|"
    r"\bone\s+and\s+only\b|\bno\s+other\b|\bexclusively\b|唯一|獨一|僅有?一|只有一|只一|僅此|獨家|單獨一", re.I)
_RANK_EN = (r"\branked\b|\branking\b|\brank(?:s|ed)?\s+(?:first|1st|second|2nd|third|last|top|no\.?\s*\d)|"
            r"\btop[-\s](?:ranked|ranking|performing)\b|\bnumber\s+one\b|\bno\.\s*1\b|#1\b|\bhighest\b|"
            r"\blowest\b|\blargest\b|\bsmallest\b|\bfewest\b|\bbiggest\b|\bgreatest\b|\bleading\b|"
            r"\bbest\b|\bworst\b|\boldest\b|\byoungest\b|\blongest\b|\bshortest\b|\bmost\b|\bleast\b|"
            r"\btop\b|\bfirst\s+place\b|\bcame\s+first\b|\bfirst\s+among\b|\boutlier\b")
_RANK_ZH = (r"排名|排行|名列|第[一1]名|首位|居首|之冠|最多|最少|最高|最低|最大|最小|最佳|最差|最年長|"
            r"最年輕|最長|最短|最久|最貴|第一高|居冠|奪冠|冠軍")
_RANK = compiled(f"{_RANK_EN}|{_RANK_ZH}", re.I)
# With a place, only words that rank (not "most patients lived in Taipei").
_RANK_PLACE = compiled(
    r"\branked\b|\branking\b|\brank(?:s|ed)?\s+(?:first|1st|second|last|top)|\btop[-\s]ranked\b|"
    r"\bhighest\b|\blowest\b|\blargest\b|\bsmallest\b|\bfewest\b|\bbiggest\b|\bgreatest\b|"
    r"\bleading\b|\bbest\b|\bworst\b|\bnumber\s+one\b|" + _RANK_ZH, re.I)
# One institution.  English: the singular noun not used as an adjective (hospital admissions,
# in-hospital mortality); "Hospital X" is one by name.  Chinese: a classifier or a demonstrative.
_INST_NOUN = (r"hospital|clinic|(?:medical|health|dialysis|cancer)\s+cent(?:re|er)|pharmacy|"
              r"drugstore|facility|provider|institution|nursing\s+home|practice")
_ADJ_USE = (r"admissions?|stays?|visits?|days?|levels?|types?|rates?|care|discharges?|"
            r"readmissions?|records?|use|utili[sz]ation|based|acquired|mortality|deaths?|costs?|"
            r"expenditures?|beds?|settings?|services?|claims?|data|wards?|staff|size|"
            r"characteristics|volumes?|encounters?|episodes?|length|pharmacists?|prescriptions?")
_INST_EN = compiled(rf"(?<![-\w])(?:{_INST_NOUN})(?![-\w])(?!\s+(?:{_ADJ_USE})\b)", re.I)
_INST_ZH_ONE = compiled(r"一家|一間|一所|該院|某院|此院|本院|這家|那家|該家|該所|該醫院|該診所|"
                        r"該藥局|該機構|該中心|某醫院|某診所|某藥局|其中一[家間所]")
_INST_ZH = compiled(r"醫院|診所|醫學中心|藥局|院所|醫事機構|醫療機構|衛生所|護理之家|洗腎中心|透析中心")
_PLURAL_ZH = compiled(r"各|所有|全部|皆|均|多數|們|各級|等級別")
_PERSON_EN = compiled(
    r"\b(?:the|a|an|one|this|that|single|only|lone)\s+(?:[a-z\-]+\s+){0,2}?"
    r"(?:patient|person|individual|case|subject|participant|resident|woman|man|boy|girl|child|"
    r"infant|baby|decedent|beneficiary|enrollee|physician|doctor|surgeon|pharmacist|nurse)"
    r"(?![-\w])(?!\s+(?:groups?|populations?|cohorts?|level|years?|days?|characteristics|data|"
    r"records?|outcomes?|mix|series|counts?|numbers?|selection|flow)\b)", re.I)
_PERSON_ZH = compiled(r"(?:一名|一位|該名?|此名?|某名?|這位|那位|這名|那名|唯一(?:的)?)"
                      r"[^，,。；;]{0,6}?(?:病人|病患|患者|個案|民眾|受試者|長者|男性|女性|男童|女童|兒童|"
                      r"嬰兒|孕婦|醫師|醫生|藥師|護理師)|(?:最年長|最年輕)")
_PLACE = compiled(
    r"(?:[臺台](?:北|中|南|東)|新北|桃園|高雄|基隆|新竹|苗栗|彰化|南投|雲林|嘉義|屏東|宜蘭|花蓮|澎湖|金門|"
    r"連江|馬祖|蘭嶼|綠島|小琉球|琉球鄉)|\b(?:taipei|taichung|tainan|kaohsiung|taoyuan|keelung|hsinchu|"
    r"miaoli|changhua|nantou|yunlin|chiayi|pingtung|yilan|ilan|hualien|taitung|penghu|kinmen|"
    r"lienchiang|matsu|lanyu|orchid\s+island|green\s+island|liuqiu)\b", re.I)
# "the only one in …": "one" stands for the institution (not "only one claim").
_PRONOUN_ONE = compiled(r"\b(?:the\s+only|the\s+sole|only|just)\s+one(?=\s*(?:$|[,.;:)])|\s+(?:in|of|that|"
                        r"which|who|to|with|among|providing|offering|serving|left|remaining)\b)|"
                        r"\bone\s+of\s+(?:its|a)\s+kind\b", re.I)


def singled_out(sentence: str) -> str | None:
    """Why the sentence picks out one institution, person or place (None: it does not)."""
    one = _ONE.search(sentence)
    inst_en = _INST_EN.search(sentence)
    inst_zh_one = _INST_ZH_ONE.search(sentence)
    inst_zh = _INST_ZH.search(sentence) and not _PLURAL_ZH.search(sentence)
    person = _PERSON_EN.search(sentence) or _PERSON_ZH.search(sentence)
    place = _PLACE.search(sentence)
    if one and (inst_en or inst_zh_one or _INST_ZH.search(sentence) or person or place
                or _PRONOUN_ONE.search(sentence)):
        return "a uniqueness phrase about an institution, a person or a place"
    rank = _RANK.search(sentence)
    if rank and (inst_en or inst_zh_one or inst_zh):
        return "a rank or superlative of one institution"
    if rank and person:
        return "a rank or superlative of one person"
    if place and _RANK_PLACE.search(sentence):
        return "a rank or superlative of one county, city or island"
    return None


# One institution named in a sentence: a Chinese name ending in its kind (台大醫院, 王內科診所), a
# capitalised English one (Mackay Memorial Hospital), or a short name the policy knows (台大,
# 林口長庚, NTUH: institution_values).  What stands before the kind is cut at the last word that
# cannot be part of a name (到醫院, 住在|台大醫院, 大型醫院), and levels and kinds (區域醫院,
# teaching hospital) are none.
_NAMED_ZH = compiled(r"[\u4e00-\u9fff]{1,14}?(?:醫院|診所|藥局|衛生所)")
_NAMED_EN = compiled(r"(?:\b[A-Z][\w'’.-]*\s+){1,6}(?:Hospital|Clinic|Pharmacy)\b")
# Characters that never end an institution's name: a name stands after the last of them (住在|
# 馬偕醫院), and a kind right after one is no name (到醫院, 各醫院).  大, 和, 為 … are left out: they
# end or begin names (台大, 和信, 為恭).
_FUNCTION_ZH = "在到去於的至從往回送住進出轉與及或是由經向赴以該此某各這那非本其有"
_CLASSIFIER = compiled(r"(?:[一二三四五六七八九十兩幾數多每]|\d)[家間所位]")
_GENERIC_ZH = compiled(r"^(?:大型|中型|小型|其他|一般|附近|鄰近|當地|外地|不同|同一|收治|合作|參與|特約|簽約|"
                       r"指定|責任|市立|縣立|國立|私人|私立|公立|專科|綜合|地方|就近|原本|原來|後送|層級|各級|等級|同級|"
                       r"該級|上級|下級|轉診)")
_CUT_EN = compiled(r".*\b(?:The|A|An|At|In|To|From|Into|Of|For|And|Or|Our|Their|Its|Each|Every|"
                   r"Any|All|Other|Same|Local|Nearest|Admitted|Patients?|Discharged|Transferred|"
                   r"Referred|Treated|Large|Small|Major|Rural|Urban|Participating|Study)\s+")


def _name_before_kind(words: str) -> str | None:
    """The institution's own name in a run of words that ends in its kind, or None."""
    if re.match(r"[\u4e00-\u9fff]", words):
        kind = re.search(r"(?:醫院|診所|藥局|衛生所)$", words)
        prefix = words[:kind.start()]
        if not prefix or prefix[-1] in _FUNCTION_ZH:
            return None
        cut = max(prefix.rfind(c) for c in _FUNCTION_ZH)
        counted = [m.end() for m in _CLASSIFIER.finditer(prefix)]   # 其中一家|藥局: no name
        name = prefix[max(cut + 1, *counted):] if counted else prefix[cut + 1:]
        if len(name) < 2 or _GENERIC_ZH.match(name):
            return None
        return name + kind.group(0)
    cut = _CUT_EN.match(words)
    part = words[cut.end():] if cut else words
    return part if len(part.split()) >= 2 else None


_UNSTATED = {"benign"}         # any other number beside a named institution is a figure about it


def named_institution(sentence: str, pol, words: "_InstitutionWords | None" = None) -> str | None:
    """The words of ``sentence`` that name one institution or practitioner, or None.
    ``words``: the policy's words as read once for a whole text (see :func:`_institution_words`)."""
    from egress_review.engine import institution_values
    from egress_review.engine.institutions import _a_type

    levels, types, val_rx, known = words or _institution_words(pol)
    folded = institution_values.read_as(sentence)
    for m in (*_NAMED_ZH.finditer(folded), *_NAMED_EN.finditer(folded)):
        part = _name_before_kind(m.group(0).strip())
        if part is None or part.casefold() in levels or _a_type(part, types):
            continue
        why = institution_values.names_one(part, val_rx, levels, types, known, _a_type)
        if why:
            return part if why == part else f"{part} ({why})"
    return institution_values._known(folded, known)


_InstitutionWords = tuple


def _institution_words(pol) -> _InstitutionWords:
    """The policy's institution levels, kinds, value patterns and known names, read once."""
    return ({x.casefold() for x in pol.institution_level_labels},
            {x.casefold() for x in pol.institution_type_words},
            [re.compile(p) for p in pol.institution_value_patterns],
            list(pol.institution_known_names))


def check(ctx: Context, spec: ManifestFile, unit, place) -> None:
    """Each sentence of the text unit that singles out goes to review (E3), placed and quoted;
    one that names an institution or practitioner and states a number about it blocks, as a
    table grouped by that institution does."""
    if not ctx.policy.prose_singling_out:
        return
    from egress_review.engine.prose import read_numbers

    text = unit.text
    numbers = None
    words = _institution_words(ctx.policy)
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        named = named_institution(sentence, ctx.policy, words)
        if named:
            if numbers is None:      # read once over the whole text: "3.2%" is not cut at its point
                numbers = [n for n in read_numbers(text) if n.kind not in _UNSTATED]
            end = m.end()
            while end < len(text) and text[end - 1] == "." and text[end].isdigit():
                nxt = _SENTENCE.match(text, end)
                end = nxt.end() if nxt else len(text)
            stated = any(m.start() <= n.start < end for n in numbers)
            quoted = " ".join(sentence.split())[:240]
            ctx.add(rule=RULE, check=CHECK, severity="block" if stated else "review", file=spec.path,
                    location={**place(unit, text, m.start(), m.end()), "sentence": quoted, "names": named},
                    en=f"This sentence names one institution or practitioner ({named!r})"
                       + (" and states a figure about it: a result may not identify an institution; "
                          "report levels or regions instead." if stated else
                          ": a reviewer checks that no result about it leaves."),
                    zh=f"此句指名單一醫事機構或醫事人員（{named}）"
                       + ("並陳述其數字：結果不得識別特定機構；請改以層級或區域呈現。" if stated else
                          "：須由審查人確認未輸出關於該機構之結果。"))
            continue
        why = singled_out(sentence)
        if why is None:
            continue
        quoted = " ".join(sentence.split())[:240]
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                location={**place(unit, text, m.start(), m.end()), "sentence": quoted},
                en=f"This sentence singles out ({why}): with the case's other outputs one "
                   "institution or person may be recognised; a reviewer checks it.",
                zh="此句指出單一對象（唯一、排名或最高／最多之機構、個人或地區）：配合本案其他產出可能"
                   "辨識出特定機構或個人；須由審查人檢查。")
