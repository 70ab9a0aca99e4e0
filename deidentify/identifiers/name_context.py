"""Chinese names found by their context rather than by a surname list.

After a word that introduces a person (病患, 主治醫師, 案母, 家屬, 個案, 轉介, 聯絡人 …) the
next two to four Han characters are a name whatever the surname (滕, 粘, 闕 are in no short
list), and so are a given name alone (美玲), a nickname (阿明, 小芬) and a married name with both
surnames (陳林美玲).  Before a title (先生, 小姐, 醫師, 護理師 …) the one to three characters
are a name.  A name that follows another name in a list (、 ， 及 和) is one too, and a pair of
words joined by a middle dot (瓦歷斯·諾幹) is an Indigenous or transliterated name.

This module scans a text for those places (context words, titles, beds, relations, dots,
brackets, lists) and asks ``name_runs`` whether the run there is a name or an ordinary word
(jieba's dictionary words that are not person names, clinical terms, characters that cannot
start a name).  All matching is on the normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re
from itertools import chain

from deidentify.identifiers.name_words import FOLLOWERS, INTRODUCERS, TITLES  # noqa: F401
from deidentify.identifiers import foreign_names, name_forms, old_given, rare_surnames, split_names
from deidentify.identifiers.name_scans import (BED, DEPT_BEFORE, HAN_AFTER_LATIN, LATIN_HAN_GATE, LATIN_TITLE_HAN,
                                              KIN_BEFORE, KIN_TITLE, NICKNAME_SHAPE, RELATION_AFTER, RELATION_BEFORE,
                                              SURNAME_XING, _JA_GATE, _RELATIONS, romanised_surnames)
# the run decisions: is it a word, where does a name end or start (some re-exported: tests and
# the scrubber read them from here)
from deidentify.identifiers.name_runs import (  # noqa: F401
    FORM_FIELD_AFTER, form_field_name_end,
    _ACTS_AT, _QUOTE, INTRO_GAP, QUOTED_NICKNAME, _acts, _clinical, _is_han, _name_after, _name_before_title,
    _opens_with_clinical, _ordinary, _spaced_before, _spaced_name, _starts_a_word_window, _tables,
    _tables_followers, is_word, name_before, starts_a_word)

class _Hits(list):
    """The (start, end, score) hits of ``find`` and the positions they cover, marked as each
    comes: "is ``i`` inside a hit?" is then one look-up, not a scan of every hit (a note of names
    and relations in a row asked it at each of them: the square of its length)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self._marks = bytearray(n + 1)

    def append(self, hit) -> None:
        super().append(hit)
        a, b = hit[0], hit[1]
        if b > a:
            self._marks[a:b] = b"\x01" * (b - a)

    def extend(self, more) -> None:
        for h in more:
            self.append(h)

    def __iadd__(self, more):
        self.extend(more)
        return self

    def covers(self, i: int) -> bool:
        return 0 <= i < len(self._marks) and self._marks[i] == 1


def blank_before(simp: str, t: int) -> int:
    """(D1, round 7) Where a name before ``t`` would end: one blank between a sentence-opening
    name and the word describing the patient is still that place (徐若瑄 回診拿藥)."""
    # only a run of three Han characters standing alone whose last two are no common word
    # (左膝 今日疼痛, 左手臂 今天 stay: a body part, not a name)
    if t >= 4 and simp[t - 1] in " \t" and all(_is_han(c) for c in simp[t - 4:t - 1]) \
            and (t == 4 or not _is_han(simp[t - 5])) and not is_word(simp[t - 3:t - 1], 20) \
            and not is_word(simp[t - 4:t - 1], 5) and not is_word(simp[t - 4:t - 2], 20):
        return t - 1
    return t


# (round 11: up to three parts, 伊斯坦大·貝雅夫·正福, Istanda·Paiyaw·Cengfu)
_DOT_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:[·‧•・.．][\u4e00-\u9fff]{1,6}){1,2}"
                       r"|(?<![A-Za-z])(?!(?:Dr|Mr|Mrs|Ms|St|No|Fig|Vol|Ref)\.)[A-Z][a-z]{1,12}(?:[·‧•・.][A-Z][a-z]{2,12}){1,2}(?![A-Za-z])")
# what every _DOT_NAME match holds: a dot between Han characters, or after a small letter and
# before a capitalised word (a cheap scan before the costly one)
PLAIN_DOT_CHARS = (r"[·‧•・.．](?<=[\u4e00-\u9fff][·‧•・.．])(?=[\u4e00-\u9fff])"
                   r"|[·‧•・.](?<=[a-z][·‧•・.])(?=[A-Z][a-z])")
# (one character set first: two branches opening with sets are tried at every position)
_DOT_CHARS = re.compile(r"[·‧•・.．](?:(?<=[\u4e00-\u9fff][·‧•・.．])(?=[\u4e00-\u9fff])"
                        r"|(?<=[a-z][·‧•・.])(?=[A-Z][a-z]))")
LATIN_INTRO_HAN = re.compile(r"[pPmMiIcC](?<![A-Za-z][pPmMiIcC])(?i:(?<=p)(?:t|atient)|(?<=m)(?:r|rs|s|iss)|(?<=i)nformant"
                             r"|(?<=c)(?:ontact|aregiver))\.?[ \t]*[:：]?[ \t]*(?P<n>[\u4e00-\u9fff]{2,3})"
                             r"(?=[ \t]*[,，(（)）;；]|[ \t]+[0-9A-Za-z])")
# (every match: a Latin letter, maybe a dot, then blanks or a colon before a Han character)
LATIN_INTRO_GATE = re.compile(r"[a-zA-Z]\.?[ \t]*[:：]?[ \t]*[\u4e00-\u9fff]")
_LIST_SEP = re.compile(r"[ \t]*(?:、|,|，|及|和|与|以及)[ \t]*")
_BRACKET_THEN_SEP = re.compile(r"[ \t]*[(（][^()（）\n]{1,8}[)）]" + _LIST_SEP.pattern)


_CALLED_DOUBLE = re.compile(r"叫(?:做|作|她|他)?[ \t]*[:：]?[ \t]*(?P<n>([\u4e00-\u9fff])\2)(?![\u4e00-\u9fff])")
_BRACKETED = re.compile(r"[（(]([\u4e00-\u9fff]{2,4})[)）]")


def _bracketed_name(w: str) -> bool:
    """Two to four Han characters in brackets after a context word that are a name, not the
    bracketed relation INTRO_GAP also allows (家属（儿子）): a listed surname first, no relation or
    ordinary word."""
    surnames = _tables()[2]
    if len(w) == 2 and w[0] in "阿小" and not is_word(w, 100):
        return True        # a nickname: 由儿子（阿忠）陪同
    return ((w[0] in surnames or w[:2] in surnames) and not re.fullmatch(_RELATIONS, w)
            and not is_word(w, 5))


SURNAME_THEN_GIVEN = re.compile(r"姓([\u4e00-\u9fff]{1,2})[ \t，,、]*名(?:叫|为|是|字)?[ \t:：]*"
                                 r"([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")

def find(simplified: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of names found by context: 0.85 (a context word or title), 0.8 a
    dotted name, 0.7 a sentence-opening name before a word describing the patient, a name
    continuing a list 0.85."""
    intro, titles, _, _, _ = _tables()
    simp = simplified
    hits = _Hits(len(simp))
    dotted = _DOT_NAME.finditer(simp) if _DOT_CHARS.search(simp) else ()     # (a dot in every match)
    spaced = split_names.find(simp) if dotted else []
    for m in dotted:
        a, b = m.span()
        if any(x < b and a < y for x, y in spaced):
            continue       # 王．小．明表示: a Chinese name spaced by dots (split_names), not 王.小.明表示
        if "." in simp[a:b] and not _dot_is_name(simp, a, b):
            continue
        for im in intro.finditer(simp, max(0, a - 8), b):   # 个案|瓦历斯·诺干: the introducer stays
            if a <= im.end() - 1 < b and im.end() < b and simp[im.end()] not in "·‧•・.":
                a = max(a, im.end())
        hits.append((a, b, 0.8))
    intro_ms = list(intro.finditer(simp))
    intro_ends = {m.end() for m in intro_ms}
    surname_set = _tables()[2]
    for m in intro_ms:
        i = m.end()
        if hits.covers(i) or titles.match(simp, m.end() - 1):
            continue       # 孙女|士: the introducer's last character opens a title (孙 + 女士)
        a0 = m.start()
        if m.group() in _TITLE_SET and a0 >= 1 and simp[a0 - 1] in surname_set \
                and (a0 == 1 or not _is_han(simp[a0 - 2]) or a0 - 1 in intro_ends):
            continue       # 邻居周|太太|常帮忙: a title after a surname, no word introducing a name
        if intro.match(simp, i):
            continue       # 病人|病患德弘: the second context word introduces the name
        if i < len(simp) and simp[i] in _KIN_RUN_ON and (simp[i] in _KIN_ONLY_END
                                                          or (_tables()[4].get(simp[m.start():i + 1]) or 0) >= 5):
            # (round 10) the introducer runs on into a longer kin word (由孙女婿陪同): the name, if
            # any, follows that word
            i += 1
            if i >= len(simp) or intro.match(simp, i):
                continue
        if RELATION_BEFORE.match(simp, i):
            continue       # (round 10) 家属|长孙张淑惠: the relation names who; the relation scan takes the name
        end = _spaced_name(simp, i) or _name_after(simp, i)   # 签署人：王　小　明 (forms)
        if end and old_given.wish_phrase(simp, i):
            end = 0        # (round 10) 案家|添丁进财的春联: a greeting of wishes, not a name
        if end:
            hits.append((i, end, 0.85))
        elif (latin := foreign_names.latin_after(simp, m.group().split()[0].rstrip(":："), i)):
            # 印佣 Wati, 家属 Amy Lin: a Latin name after a word only a person follows
            hits.append((*latin, 0.85))
        # the name itself in the brackets after the context word: 个案阿嬷(林王秀琴), 病人（欧阳美惠）
        br = _BRACKETED.search(m.group())
        if br and _bracketed_name(br.group(1)):
            hits.append((m.start() + br.start(1), m.start() + br.end(1), 0.85))
    surnames = _tables()[2]
    for m in (BED.finditer(simp) if "床" in simp else ()):
        i = m.end()
        end = 0 if hits.covers(i) else (_spaced_name(simp, i) or _name_after(simp, i))
        if end:
            hits.append((i, end, 0.85))
    latin_titles = [m.end() for m in LATIN_TITLE_HAN.finditer(simp)] if LATIN_HAN_GATE.search(simp) else []
    # (D1, round 3) the patient or a contact named in Han characters after an English word
    # (Pt 粘耀宗, 92F; Informant: 滕美玲): a short run standing alone, whatever its surname
    for m in (LATIN_INTRO_HAN.finditer(simp) if LATIN_INTRO_GATE.search(simp) else ()):
        a, b = m.span("n")
        if not is_word(simp[a:b], 5) and not hits.covers(a) \
                and simp[a:b] not in _INTRO_SET and simp[a:b] not in _TITLE_SET:
            hits.append((a, b, 0.85))
    for i in latin_titles:          # Dr. 黄 转介: the surname alone is the doctor
        if not (i + 1 < len(simp) and _is_han(simp[i + 1])) or _acts(simp, i + 1):      # (Mr 陈|表示)
            hits.append((i, i + 1, 0.85))
    kin_ms = list(KIN_BEFORE.finditer(simp))
    # (a kin word alone as a form's field, 陪同者：妻 粘耀宗: what follows is a name, rare surname or not)
    kin_field = {m.end() for m in kin_ms if len(m.group()) > 1}
    for i in (*(m.end() for m in kin_ms), *(m.end() for m in RELATION_BEFORE.finditer(simp)),
              *latin_titles):
        end = _spaced_name(simp, i) or _name_after(simp, i)      # 其妹 陳 小 華
        if end and (t := titles.search(simp, i + 1, end)):
            end = t.start()                                       # PT 林|治疗师
        if end and (simp[i] in surnames or simp[i:i + 2] in surnames or (i in kin_field and 2 <= end - i <= 3)) \
                and not is_word(simp[i:end], 5) \
                and not hits.covers(i):
            hits.append((i, end, 0.85))
    for m in (SURNAME_XING.finditer(simp) if "姓" in simp else ()):
        g = 1 if m.group(1) else 2
        if m.group(g) in surnames or m.group(g)[-1] in surnames:
            a = m.start(g) if m.group(g) in surnames else m.end(g) - 1
            hits.append((a, m.end(g), 0.85))
    for m in (HAN_AFTER_LATIN.finditer(simp) if "(" in simp or "（" in simp else ()):
        w, latin = m.group(2), m.group(1).lower().replace("'", "").replace("’", "")
        by_surname = latin in romanised_surnames or latin.split("-")[0] in romanised_surnames
        if (len(w) == 1 and w in surnames and by_surname) or (
                len(w) > 1 and (w[0] in surnames or w[:2] in surnames) and not is_word(w, 5)):
            hits.append((*m.span(2), 0.85))
            if by_surname:      # the Han name says the Latin word before it is one too (Chen (陳))
                hits.append((*m.span(1), 0.85))
    for m in (DEPT_BEFORE.finditer(simp) if "科" in simp else ()):
        i = m.end()
        end = _name_after(simp, i)
        if end and (simp[i] in surnames or simp[i:i + 2] in surnames) and not is_word(simp[i:end], 5) \
                and not hits.covers(i):
            hits.append((i, end, 0.85))
    for m in (RELATION_AFTER.finditer(simp) if "(" in simp or "（" in simp else ()):   # (a bracket in every match)
        t = m.start()
        k = _name_before_title(simp, t, 4)
        if k >= 0 and t - k >= 2 and not hits.covers(t - 1) and not is_word(simp[k:t], 5):
            hits.append((k, t, 0.85))
    for m in NICKNAME_SHAPE.finditer(simp):
        if simp[m.start() + 1] in surnames and m.group() not in name_forms.NOT_NICKNAMES \
                and not hits.covers(m.start()):     # (round 11: 老翁, 小熊 alone are words)
            hits.append((*m.span(), 0.85))
    for m in KIN_TITLE.finditer(simp):
        t = m.start()
        if hits.covers(t - 1) or titles.match(simp, t - 1) or (t and titles.match(simp, t - 2)):
            continue       # part of a longer title (阿姨, 小姐, 大哥): handled with the titles
        k = _name_before_title(simp, t, 3)
        if k < 0 or is_word(simp[k:t + 1], 5) or is_word(simp[max(0, t - 1):t + 1], 5):
            continue       # 表姐, 大哥, 空姐: words
        run = simp[k:t]
        if (run[0] in surnames and len(run) <= 3) or (len(run) == 2 and run[0] in "阿小"):
            hits.append((k, t, 0.85))
    for m in (QUOTED_NICKNAME.finditer(simp) if _QUOTE.search(simp) else ()):
        hits.append((*m.span("n"), 0.85))
    # a doubled given name after 叫 (小女儿叫乐乐, 大家都叫她婷婷): what children are called
    for m in (_CALLED_DOUBLE.finditer(simp) if "叫" in simp else ()):
        hits.append((*m.span("n"), 0.85))
    # 姓陈名美玲, 姓欧阳，名美惠: the surname and the given name, each its own span
    for m in SURNAME_THEN_GIVEN.finditer(simp):
        for g in (1, 2):
            hits.append((*m.span(g), 0.85))
    title_ms = list(titles.finditer(simp))
    for m in title_ms:
        t = m.start()
        if hits.covers(t - 1):
            continue
        k = _spaced_before(simp, t)                # spaced out: 陳 佳 穎醫師, 王 小 明 先生
        if k >= 0:
            hits.append((k, len(simp[:t].rstrip()), 0.85))
            continue
        k = _name_before_title(simp, t, 4)
        if k < 0 and t and simp[t - 1] in " \t" and len(m.group()) >= 3:
            # (D1, round 4) a full rank after a blank: 回复者 苏建良 主治医师; the name stands alone
            # between a blank or mark and the blank, and opens with a surname
            e = len(simp[:t].rstrip(" \t"))
            k2 = _name_before_title(simp, e, 4)
            if k2 >= 0 and e - k2 >= 2 and simp[k2] in surnames and (k2 == 0 or not _is_han(simp[k2 - 1])):
                hits.append((k2, e, 0.85))
                continue
        # one character that ends a word with the one before it is that word's, not a name
        # (转诊|医师, 回复|医师); a surname (林医师) or a rare one after a verb (与窦|伯伯) is one
        # (round 10) nor a coverb or a pronoun before a kin title (幫|阿伯翻身, 請|阿姨簽名, 跟|伯伯說)
        if k >= 0 and (t - k > 1 or simp[k] in surnames or not (k and (_ordinary(simp[k - 1:k + 1]) or is_word(simp[k - 1:k + 1], 1)))) \
                and not (t - k == 1 and simp[k] in _COVERB_ONE and simp[k] not in surnames):
            hits.append((k, t, 0.85))
    hits += foreign_names.japanese(simp, intro)      # 日籍旅客山田太郎, 佐藤さん
    hits += name_forms.find(simp)      # 隔壁老王, 姓 刘 … 名 明华, 谢内科诊所
    # a title before the name (董事长林百里, 由律师 吴美 陪同): the name opens with a surname
    for m in title_ms:
        i = _title_then_name(simp, m.end())
        if i and not hits.covers(i[0]):
            hits.append((*i, 0.85))
    # a name opening a sentence before a word that describes the patient: 王小明主诉头痛
    # (... or before a form line's next field: 粘耀宗 女 61岁, name_runs.FORM_FIELD_AFTER)
    for t in chain((blank_before(simp, m.start()) for m in _tables_followers().finditer(simp)),
                   (form_field_name_end(simp, m.start()) for m in FORM_FIELD_AFTER.finditer(simp))):
        if t < 2 or hits.covers(t - 1):
            continue
        # only at the start of a sentence: two to four Han characters after a non-Han one
        run = 0
        while run < 5 and t - run - 1 >= 0 and _is_han(simp[t - run - 1]):
            run += 1
        # ... and not right after a number (39年次，男: a birth cohort, not a name)
        if not 2 <= run <= 4 or (t - run - 1 >= 0 and simp[t - run - 1].isdigit()):
            continue
        k = _name_before_title(simp, t, 4)
        if k >= 0 and t - k >= 2 and (k == 0 or not _is_han(simp[k - 1])) and not is_word(simp[k:t], 5) \
                and simp[k:t] not in _INTRO_SET and simp[k:t] not in _TITLE_SET:
            hits.append((k, t, 0.7))       # weaker than a context word before the name (志工|在: a role)
    # names continuing a list: 家属王小明、林美玲及陈大文
    # (round 10: one scan over the growing list visits each hit once, in the order the repeated
    # passes did - a hit that added nothing adds nothing later; a chain of n names was n passes)
    at = 0
    while at < len(hits):
        a, b, _ = hits[at]
        at += 1
        # (D1, round 4) a relation or age in brackets may stand behind each name: 出席者
        # 程家豪(长子)、苏建良(长女)
        sep = _LIST_SEP.match(simp, b) or _BRACKET_THEN_SEP.match(simp, b)
        if not sep or hits.covers(sep.end()):
            continue
        end = _name_after(simp, sep.end())
        if end and (end >= len(simp) or not _is_han(simp[end]) or _LIST_SEP.match(simp, end)
                    or simp[end] in "等" or KIN_TITLE.match(simp, end) or titles.match(simp, end)):
            hits.append((sep.end(), end, 0.85))
    # (D1, rare surnames) a bare name whose surname opens ordinary words (曹雅婷今天回诊, S:万国平)
    if rare_surnames.SCAN.search(simp):
        # (what the other scans found, marked once: a note full of names stays linear)
        taken = bytearray(len(simp))
        for x, y, _ in hits:
            taken[x:y] = b"\x01" * (y - x)
        hits += [(a, b, 0.7) for a, b in rare_surnames.find(simp) if not taken[a]]
    # (D1, round 3) a people is no person: 病人 阿美族, 案主 泰雅族, 个案为阿美|族人
    return [h for h in hits if simp[h[1] - 1] != "族" and not simp.startswith("族", h[1])
            and not opens_idiom(simp, h[0], h[1])
            # (round 12) a surname character and a shift's, ward's or unit's last character before a
            # title is the shift or ward (白班 護理師, 高科 醫師), not a person
            and not (h[1] - h[0] == 2 and simp[h[1] - 1] in _UNIT_ENDS)]


_UNIT_ENDS = frozenset("班院科房区组室部")


def opens_idiom(simp: str, a: int, b: int) -> bool:
    """(round 12) The found name's given characters open a four-character set phrase that runs
    on past it (祝|金碧輝煌: 祝 is a surname and a wish): the phrase, not a name."""
    from deidentify.identifiers.chinese_names import _tables

    if b - a < 2 or b >= len(simp):
        return False
    freq = _tables()[5].FREQ
    return any(s < b < s + 4 <= len(simp) and (freq.get(simp[s:s + 4], 0) or 0) >= 50 for s in (a + 1, a + 2))


# For the scrubber's prefilter: text where a bed, a one-character relation, a bracketed relation
# or a kin title may introduce a name (find() decides).
# (separate scans, each opening with a character set, which the engine skips to at C speed;
# one alternation of them is tried at every character; a bracketed relation, spaces or not)
EXTRA_CONTEXT_SCANS = (BED, KIN_BEFORE, RELATION_BEFORE, LATIN_HAN_GATE, _JA_GATE, _CALLED_DOUBLE, DEPT_BEFORE, SURNAME_XING, HAN_AFTER_LATIN, re.compile(RELATION_AFTER.pattern.removeprefix(r"[ \t]*")), KIN_TITLE,
                       NICKNAME_SHAPE, QUOTED_NICKNAME, *name_forms.PREFILTER_SCANS, rare_surnames.SCAN)
_INTRO_SET = frozenset(INTRODUCERS)
# (round 10) one character that asks something of the person after it or stands for one: a
# coverb, a verb of handing or taking, a pronoun (Simplified; a surname among them stays a name)
_COVERB_ONE = frozenset("帮替给让请叫跟和与同由向被对把将找问陪带载送接扶推抱喂我你他她您咱")
# (round 10) the last character of a longer kin word an introducer opens (孙女|婿, 外孙|女, 儿|媳)
_KIN_RUN_ON = frozenset("婿媳女子孙儿妇")
# ... of which these open no name at all (侄女|婿 is in no dictionary, still a kin word)
_KIN_ONLY_END = frozenset("婿媳")
_TITLE_SET = frozenset(TITLES)
_GAP = re.compile(INTRO_GAP)


def _title_then_name(simp: str, at: int) -> tuple[int, int] | None:
    """(start, end) of a surname-led name right after a title ending at ``at``, or None."""
    i = _GAP.match(simp, at).end()
    surnames = _tables()[2]
    if i >= len(simp) or not (simp[i] in surnames or simp[i:i + 2] in surnames):
        return None
    end = _spaced_name(simp, i) or _name_after(simp, i)
    return (i, end) if end and not is_word(simp[i:end].replace(" ", ""), 5) else None




def may_hold_name(simp: str, word: str, start: int, end: int) -> bool:
    """Screen one context-word match (``simp[start:end] == word``) cheaply, with the cached
    window decisions: could ``find`` return a name for it?  False only when it cannot."""
    if word in _INTRO_SET:
        at = _GAP.match(simp, end).end()
        if _name_after(simp, at) or _spaced_name(simp, at) or foreign_names.latin_after(simp, word, at):
            return True
    if word in _TITLE_SET and (_name_before_title(simp, start) >= 0 or _spaced_before(simp, start) >= 0
                               or _title_then_name(simp, end) or (len(word) >= 3 and start and simp[start - 1] in " \t")):
        return True         # (a full rank after a blank: find decides, 回复者 苏建良 主治医师)
    return word not in _INTRO_SET and word not in _TITLE_SET   # a dot or a sentence opener


def _dot_is_name(simp: str, a: int, b: int) -> bool:
    """A Han pair joined by a plain full stop (．→.) is a name only when neither side is an
    ordinary word (句子.句子 is a sentence break)."""
    left, _, right = re.split(r"([.．])", simp[a:b], maxsplit=1)
    return not (is_word(left[-2:]) or is_word(right[:2]))
