"""Names written in forms the context finder's scans do not reach (``name_context.find`` calls
``find`` here): a surname nickname inside a sentence (隔壁老王来探望, 请小陈帮忙), a name told
in parts (姓 刘 … 名 明华; 名字叫志明，姓林), and a clinic named after its doctor (谢内科诊所,
陈小儿科, 张牙医诊所 — the surname, and the given name if one is written, is the name; a bare
内科 or 眼科门诊 is clinical text), and a shop named after its owner's family (黄记牛肉面).  Patterns here; the word/name decisions are ``name_runs``'.
All on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.chinese_names import COMPOUND_SURNAMES, GIVEN_CHARS, SINGLE_SURNAMES
from deidentify.identifiers.name_runs import _boundary, _clinical, _is_han, _tables, _word_ends_at, is_word
from deidentify.identifiers.name_scans import _SPECIALTIES, _SURNAME_FIRSTS, CLINIC, GIVEN_TOLD, LATIN_TOLD
from deidentify.identifiers.name_words import _BEFORE_NAME, _BREAK, _NOT_FIRST, COUNTED_BEFORE, COUNTED_NOUNS, NOT_NICKNAMES
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import Gated, by_first_char
from deidentify.regex_cache import compiled, longest_first

_GIVEN_CHARS_S = frozenset(to_simplified(c) for c in GIVEN_CHARS)

# 老/小/阿 + a listed surname: a nickname (老王, 小陈, 阿林), unless it is one of the words of that
# shape notes use for something else (name_words.NOT_NICKNAMES) or runs into a word (小王子, 老毛病).
_SINGLE = "".join(sorted({to_simplified(c) for c in SINGLE_SURNAMES}))
NICKNAME = Gated(compiled(r"[老小阿][" + _SINGLE + r"]"), "[老小阿]")
# characters a nickname is often followed by in a sentence (老王来探望, 小陈帮忙, 阿林陪同)
_AFTER_NICKNAME = set("来帮陪打带拿讲问看找买叫说去回送到在也都还就又很会要和与跟及等的了")


def _noun_runs_on(simp: str, k: int) -> bool:
    """Does the surname at ``k`` open a noun (or a clinical term) likelier than any word
    starting right after it?  (毛病, 王子, 黄瓜, 龙虾, 范围: yes; 温带 before 带来: no)"""
    tags, freq = _tables()[3], _tables()[4]
    best = 0
    for n in (2, 3):
        w = simp[k:k + n]
        if len(w) == n and (w in _clinical() or (tags.get(w) or "").startswith("n")):
            best = max(best, freq.get(w) or 0, 10 ** 6 if w in _clinical() else 0)
    if not best:
        return False
    after = max((freq.get(simp[k + 1:k + 1 + n]) or 0 for n in (2, 3, 4) if k + 1 + n <= len(simp)), default=0)
    return best >= after


def _nicknames(simp: str) -> list[tuple[int, int, float]]:
    hits = []
    for m in NICKNAME.finditer(simp):
        i, e = m.span()
        w = m.group()
        if w in NOT_NICKNAMES or (w in COUNTED_NOUNS and i and simp[i - 1] in COUNTED_BEFORE):
            continue
        # not the start of a longer word (小王子, 老毛病, 小黄瓜, 小柴胡汤) unless the word after
        # the nickname is the likelier reading (阿温|带来, 阿何|来探望)
        if any(is_word(simp[i:i + n], 5) for n in (3, 4) if i + n <= len(simp)) or _noun_runs_on(simp, i + 1):
            continue
        before_ok = (i == 0 or not _is_han(simp[i - 1]) or simp[i - 1] in _BREAK or simp[i - 1] in _NOT_FIRST
                     or any(simp.endswith(p, 0, i) for p in _BEFORE_NAME) or _word_ends_at(simp, i))
        after_ok = e >= len(simp) or simp[e] in _AFTER_NICKNAME or _boundary(simp, e)
        if before_ok and after_ok:
            hits.append((i, e, 0.85))
    return hits


# A surname with a one-character rank (林董, 王总: chairman, general manager) standing where a
# name would: not a word with it (古董, 汇总) or with what precedes it, and a sentence going on
# after it (林董说, 王总来电, 陈董，).
SHORT_RANK = compiled("[董总](?<=[" + _SINGLE + "][董总])")


def _short_ranks(simp: str) -> list[tuple[int, int, float]]:
    hits = []
    for m in SHORT_RANK.finditer(simp):
        k, t = m.start() - 1, m.start()
        if is_word(simp[k:t + 1], 1) or _tables()[4].get(simp[k:t + 1]) or any(
                is_word(simp[t:t + n], 5) for n in (2, 3)):
            continue       # 古董, 汇总, 总是, 董事
        before_ok = (k == 0 or not _is_han(simp[k - 1]) or simp[k - 1] in _BREAK or simp[k - 1] in _NOT_FIRST
                     or any(simp.endswith(p, 0, k) for p in _BEFORE_NAME) or _word_ends_at(simp, k))
        after_ok = t + 1 >= len(simp) or simp[t + 1] in _AFTER_NICKNAME or _boundary(simp, t + 1)
        if before_ok and after_ok:
            hits.append((k, t, 0.85))
    return hits


# A name told in parts.  The surname after 姓 (姓 刘, 姓林，名志明, 他姓欧阳): a listed surname
# standing alone.  The given name after 名/名叫/名字是 (名 明华, 名字叫志明): one given-name
# character, or two characters that are no ordinary word.
_SURNAMES = "|".join(sorted(set(_SINGLE) | {to_simplified(s) for s in COMPOUND_SURNAMES}, key=longest_first))
SURNAME_TOLD = compiled(r"姓(?:氏)?[ \t]*(?:[:：]|为|是)?[ \t]*[「『“\"]?(" + _SURNAMES + r")"
                        r"(?![\u4e00-\u9fff])|姓(?:氏)?[ \t]*(?:[:：]|为|是)?[ \t]*(" + _SURNAMES + r")(?=[名的，,、])")
# (opening with a character set: the engine skips to 名/叫/单/本 at C speed)
# Latin labels before Han parts (first name 明华, last name 刘, surname: 林)
_LATIN_PART = compiled(r"(?i:first|given|last|family|sur|middle)[ \t_-]?$")


def _given_ok(w: str, announced: bool = False) -> bool:
    """Can ``w`` be a given name? (``announced``: after 名字是/单名 …, any one character)"""
    if w[0] in _NOT_FIRST or w[0] in _BREAK or w in _clinical():
        return False
    if len(w) == 1:
        return w in _GIVEN_CHARS_S or announced
    if all(c in _GIVEN_CHARS_S for c in w):
        return announced or not is_word(w, 200)      # 建国, 志明: given names that are words too
    return not is_word(w, 5)


def _told(simp: str) -> list[tuple[int, int, float]]:
    hits = []
    for m in SURNAME_TOLD.finditer(simp):
        g = 1 if m.group(1) else 2
        hits.append((*m.span(g), 0.85))
    for m in GIVEN_TOLD.finditer(simp):
        w = m.group(1)
        # announced: by a word (名字叫, 名为 …), a colon or a blank after 名, or a surname told
        # with 姓 close by (病人名 建国，姓 谢): then a given name that is also a word counts
        announced = (m.group().startswith(("名字", "名叫", "名为", "叫做", "单名", "本名"))
                     or m.group()[1:].lstrip(" \t:：").startswith(("是", "为", "叫"))
                     or m.group()[1:2] in " \t:：" or "姓" in simp[max(0, m.start() - 12):m.end() + 12])
        if _given_ok(w, announced=announced):
            hits.append((*m.span(1), 0.85))
    for m in LATIN_TOLD.finditer(simp) if "ame" in simp or "AME" in simp else ():
        w = m.group(1)
        if _LATIN_PART.search(simp, max(0, m.start() - 7), m.start()) and (
                w in _tables()[2] or _given_ok(w, announced=True)):
            hits.append((*m.span(1), 0.85))
    return hits


# A practice named after its doctor: a surname (and maybe the given name) right before a
# specialty, with 诊所/医院 or not (谢内科诊所, 陈小儿科, 王大明耳鼻喉科诊所).
_PRACTICE = r"(?:联合诊所|专科诊所|诊所|医院|医美诊所)"
# (a specialty with a surname right before it: what every clinic name holds, for the prefilter)
CLINIC_GATE = compiled(by_first_char("|".join(f"{sp}(?<=[{_SURNAME_FIRSTS}]{sp})" for sp in _SPECIALTIES)))
_BARE_ONLY = ("中医", "医美", "妇幼", "综合")     # (王牙医 is a dentist; 台中|医院 is no practice of 中医)
# written as a prepositions more often than as surnames (於|于, 餘|余 converted)
_NOT_SURNAME_HERE = set("于")


def _clinics(simp: str) -> list[tuple[int, int, float]]:
    surnames = _tables()[2]
    hits = []
    for m in CLINIC.finditer(simp):
        s, e = m.span()
        practice = re.match(_PRACTICE, simp[e:e + 4]) is not None
        if m.group() in _BARE_ONLY and not practice:
            continue
        # the surname right before, or surname + one or two given characters before a practice
        for n in ((4, 3, 2, 1) if practice else (2, 1)):     # the longest name that fits
            k = s - n
            if k < 0 or not all(_is_han(c) for c in simp[k:s]):
                continue
            run = simp[k:s]
            single = run[0] in surnames and run[0] not in _NOT_SURNAME_HERE
            compound = run[:2] in surnames
            if not (single or compound) or (n == 2 and not compound and not practice):
                continue
            given = run[2 if compound else 1:]
            if len(given) > 2 or (given and not _given_ok(given)):
                continue
            freq = _tables()[4]
            # the surname character ends a word with what stands before it (儿|童牙科, 血|管外科,
            # 其|余外科), unless a likelier word ends before it (新光|林内科): not a name
            if any((freq.get(simp[j:k + 1]) or 0) > 0 or simp[j:k + 1] in _clinical() for j in (k - 1, k - 2) if j >= 0) \
                    and not _word_ends_at(simp, k):
                continue
            if n >= 2 and is_word(run, 5) and not compound:
                continue
            hits.append((k, s, 0.85))
            break
    return hits


# A shop named after its owner's family: surname + 记 (黄记牛肉面, 陈记肠粉, 林记豆花店); 记 opens
# words of its own (记得, 记录, 记者 …) and closes others (日记, 笔记, 印记, 游记: words, not names).
SHOP = compiled("记(?<=[" + _SINGLE + "]记)")
_KI_WORDS = ("记得", "记录", "记载", "记者", "记忆", "记住", "记号", "记账", "记帐", "记事", "记性",
             "记分", "记下", "记过", "记功", "记错", "记起", "记挂", "记名", "记述", "记叙", "记恨",
             "记不", "记着", "记在", "记入", "记为")


def _shops(simp: str) -> list[tuple[int, int, float]]:
    surnames = _tables()[2]
    hits = []
    for m in SHOP.finditer(simp):
        k = m.start() - 1
        if simp[m.start():m.start() + 2] in _KI_WORDS or simp[k] not in surnames:
            continue
        if is_word(simp[k:m.end()], 5) or (k > 0 and is_word(simp[k - 1:m.end()], 5)):
            continue       # 印记, 游记, 传记 …: words; 日记/笔记 have no surname before 记
        nxt = simp[m.end():m.end() + 1]
        if not nxt or not _is_han(nxt):
            continue       # a brand is followed by what it sells or 店/行/号
        hits.append((k, k + 1, 0.85))
    return hits


def find(simp: str) -> list[tuple[int, int, float]]:
    """(start, end, 0.85) of nicknames, names told in parts, doctors' names in clinic names and
    owners' surnames in shop names."""
    out = _told(simp)
    if "记" in simp:
        out += _shops(simp)
    if CLINIC_GATE.search(simp):
        out += _clinics(simp)
    out += _nicknames(simp)
    if "董" in simp or "总" in simp:
        out += _short_ranks(simp)
    return out


# the scrubber's prefilter: text where find may return something
PREFILTER_SCANS = (NICKNAME, SURNAME_TOLD, GIVEN_TOLD, LATIN_TOLD, CLINIC_GATE, SHORT_RANK, SHOP)
