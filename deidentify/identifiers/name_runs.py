"""Decisions on a run of Han characters next to a context word or a title, for the context
name finder (``name_context``): is it an ordinary word or a clinical term (jieba's dictionary
words that are not person names, with their frequency, plus ``CLINICAL_TERMS``), where does a
name after a context word end, where does one before a title start, is a run spaced out on a
form a name, and does a name candidate really start an ordinary word.  No scanning of whole
texts here: ``name_context.find`` scans and asks these.  All on normalised text (half-width,
Simplified; same offsets); the window decisions are cached (clinical columns repeat phrases).
"""
from __future__ import annotations

import functools
import re

from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.name_words import (NR_COMMON_NOUNS, _ACTS, _BEFORE_NAME, _BREAK, _NOT_FIRST, _ROLE_NOUNS,
                                              _ROLE_PREFIX, CLINICAL_TERMS, EDUCATION, FOLLOWERS, INTRODUCERS, NOT_NICKNAMES, TITLES)
from deidentify.identifiers.name_scans import CLINIC, GIVEN_TOLD, LATIN_TOLD
from deidentify.identifiers.regex_gate import by_first_char


@functools.cache
def _clinical() -> frozenset[str]:
    from deidentify.identifiers.chinese_names import _NOT_NAME_PREFIXES, _NR_NOT_NAMES

    # 柯林 starts married names (柯林鈺鴻) more often than the word in clinical notes
    return (frozenset(to_simplified(w) for w in CLINICAL_TERMS) | _NR_NOT_NAMES | _NOT_NAME_PREFIXES) - {"柯林"}
_NAME_TAGS = {"nr", "nrfg", "nrt"}
# jieba dictionary words at least this frequent (and not tagged as names) are ordinary words.
_WORD_FREQ = 20

@functools.cache
def _tables():
    from deidentify.identifiers.chinese_names import COMPOUND_SURNAMES, SINGLE_SURNAMES, _tables as name_tables

    tags, tokenizer = name_tables()[4], name_tables()[5]
    # longest first, grouped by first character (one branch per character tried, same matches)
    intro = re.compile("(?:" + by_first_char("|".join(sorted(map(re.escape, INTRODUCERS), key=len, reverse=True)))
                       + ")" + INTRO_GAP)
    titles = re.compile(by_first_char("|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))))
    surnames = {to_simplified(c) for c in SINGLE_SURNAMES} | {to_simplified(s) for s in COMPOUND_SURNAMES}
    return intro, titles, surnames, tags, tokenizer.FREQ


# Between a context word and the name: a colon, spaces, a bracketed relation (家属（儿子）郑家豪,
# 联络人(女儿)：王小美).
INTRO_GAP = (r"[ \t]*(?:[（(][\u4e00-\u9fff]{1,4}[)）])?[ \t]*[:：]?[ \t]*"
             # a rank in Latin letters between the role and the name (主治 VS 陈大同, 住院医师 R1 黄小明)
             r"(?:(?:VS|vs|R[1-5]|PGY[12]?|NP|CR|F[1-3]|Dr\.?|MD|RN)[ \t]+)?[「『“\"]?")

_SPACED_NAME = re.compile(r"[\u4e00-\u9fff]{1,2}(?:[ \t][\u4e00-\u9fff]{1,2}){1,3}(?![\u4e00-\u9fff])")
_SPACED_BEFORE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{1,2}(?:[ \t][\u4e00-\u9fff]{1,2}){1,3}[ \t]?$")
# A nickname in quotes after the word that announces it (昵称「胖虎」, 绰号"阿炮"): the quoted words,
# whatever they are (a nickname is often an ordinary word).
QUOTED_NICKNAME = re.compile(r"(?:昵称|暱称|绰号|小名|外号|叫做|名叫|人称|称为|自称|名字叫|名字是|名字为|取名|命名为)[ \t]*[:：]?[ \t]*(?:是|为|叫)?[ \t]*[「『“\"'](?P<n>[^」』”\"'\n]{1,12})[」』”\"']")
_QUOTE = re.compile(r"[「『“\"']")      # every QUOTED_NICKNAME match holds one


def _spaced_ok(groups: list[str]) -> bool:
    """Groups of one or two Han characters (王|小|明, 林|志明) that spell a spaced-out name: two
    to four characters, opening with a surname, no group an ordinary word."""
    han = "".join(groups)
    surnames = _tables()[2]
    return (len(groups) >= 2 and 2 <= len(han) <= 4 and (han[0] in surnames or han[:2] in surnames)
            and not any(len(g) == 2 and is_word(g) for g in groups))


def _spaced_before(simp: str, t: int) -> int:
    """Start of a spaced-out name ending right before ``t`` (a title), or -1."""
    sp = _SPACED_BEFORE.search(simp, max(0, t - 10), t)
    if not sp:
        return -1
    groups = list(re.finditer(r"\S+", sp.group()))
    for n in range(min(4, len(groups)), 1, -1):
        if _spaced_ok([g.group() for g in groups[-n:]]):
            return sp.start() + groups[-n].start()
    # single characters spaced out before a title are a name whatever the surname (迟 佳 颖医师)
    if 2 <= len(groups) <= 4 and all(len(g.group()) == 1 for g in groups) \
            and not any(g.group() in _NOT_FIRST or g.group() in _BREAK for g in groups[:1]):
        return sp.start() + groups[0].start()
    return -1


def _spaced_name(simp: str, i: int) -> int:
    """End of a name spaced out at ``i`` (王 小 明, 林 志明, 欧 阳 美 惠), 0 if none; a title or word
    spaced after it (王 小 明 先生) is not part of it."""
    m = _SPACED_NAME.match(simp, i)
    if not m:
        return 0
    groups = list(re.finditer(r"\S+", m.group()))
    for n in range(len(groups), 1, -1):
        if _spaced_ok([g.group() for g in groups[:n]]):
            return i + groups[n - 1].end()
    return 0


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_word(w: str, min_freq: int = _WORD_FREQ) -> bool:
    """An ordinary (non-name) word: a clinical term, or a jieba word not tagged as a name of at
    least ``min_freq``."""
    if w in _clinical() or w in NR_COMMON_NOUNS:
        return True
    _, _, _, tags, freq = _tables()
    tag = tags.get(w)
    return tag is not None and tag not in _NAME_TAGS and (freq.get(w) or 0) >= min_freq


def _word_at(simp: str, k: int, min_freq: int = _WORD_FREQ) -> bool:
    """Does an ordinary word of two or more characters start at ``k``?"""
    return any(is_word(simp[k:k + n], min_freq) for n in (2, 3, 4) if k + n <= len(simp))


# jieba tags a given name may carry when it is also a word (美惠 ns, 建華 nz): such a word
# needs to be frequent to count as an ordinary word; any other tagged word counts as one.
_NAME_LIKE_TAGS = {"ns", "nz", "nt", "nrfg", "nrt", "nr"}


def _opens_with_clinical(run: str) -> bool:
    """Does ``run`` start with a clinical term?  (One set look-up per prefix of ``run``, not a
    loop over every term: the name finders ask this for each candidate.)"""
    clinical = _clinical()
    return any(run[:n] in clinical for n in range(len(run) + 1))


def _ordinary(w: str) -> bool:
    if w in _clinical() or w in NR_COMMON_NOUNS:
        return True
    _, _, _, tags, freq = _tables()
    tag = tags.get(w)
    if tag is None:
        return False
    if tag in _NAME_TAGS:     # jieba tags many ordinary words nr (谢谢, 安静, 古老): frequent ones are words
        return (freq.get(w) or 0) >= 30
    if tag in _NAME_LIKE_TAGS:
        return (freq.get(w) or 0) >= 50
    return (freq.get(w) or 0) >= 10


def _whole_word_at(simp: str, i: int) -> bool:
    """Is the text at ``i`` an ordinary word that ends where a name would (病人|黄疸|待查,
    病人|焦虑, 病人|安静), rather than a word-like start of a longer name (病患|王家怡)?
    A noun that acts as a person right after the context word (病患|春光|来电, 病患|扬威|表示)
    is a given name that happens to be a word."""
    for n in (4, 3, 2):
        w = simp[i:i + n]
        if len(w) == n and _ordinary(w):
            if n <= 3 and _acts(simp, i + n) and (_noun_not_a_role(w) or _rare_given_adjective(w)):
                return False
            return _boundary(simp, i + n) or w in _clinical() or is_word(w, 200)
    return False




def _rare_given_adjective(w: str) -> bool:
    """A rare two-character adjective of given-name characters (秀逸, 俊秀) as the subject of
    what a person does (病患秀逸表示) is a given name; common ones are said of how a person does
    it (病患平静表示) and stay words."""
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S

    _, _, _, tags, freq = _tables()
    return (len(w) == 2 and (tags.get(w) or "").startswith("a") and (freq.get(w) or 0) < 100
            and all(c in _GIVEN_CHARS_S for c in w))


def _acts(simp: str, k: int) -> bool:
    return _ACTS_AT.match(simp, k) is not None


_ACTS_AT = re.compile("|".join(map(re.escape, _ACTS)))     # one regex step instead of a loop over words


def _noun_not_a_role(w: str) -> bool:
    """A noun (or a place-like word, jieba's ns/nz) that is not a role, relation, title or
    clinical term: as the subject of 来电/表示 it is a person's given name."""
    if w in _clinical() or w in _ROLE_NOUNS or w in INTRODUCERS or w in TITLES or w in FOLLOWERS:
        return False
    tag = _tables()[3].get(w)
    return tag in ("n", "ns", "nz", "nr", "nrfg", "nrt", "nt", None)


def _boundary(simp: str, k: int) -> bool:
    """Can a name end before ``k``? (end of text, not Han, a break character, a word starts,
    or a word that follows a person: 上官菊|主诉, 林美|表示)"""
    return (k >= len(simp) or not _is_han(simp[k]) or simp[k] in _BREAK or _word_at(simp, k)
            or _tables_followers().match(simp, k) is not None)


def _name_after(simp: str, i: int) -> int:
    """End of a name starting at ``i`` (0 = none): two to four Han characters.  Decided on the
    14 characters from ``i`` on (a run of at most 8 plus a word after it), cached: clinical
    columns repeat the same phrases after the same context words."""
    end = _name_after_window(simp[i:i + 14])
    return i + end if end else 0


_COUNT = re.compile(r"[壹贰叁参肆伍陆柒捌玖拾佰一二三四五六七八九十两几数多]+[名例位人个次件床]")
# A run ending in one of these names a department or an institution (转介|复健科, 转介|台大医院).
_ORG_END = set("科院部室所处局厅组队会系馆站")


@functools.lru_cache(maxsize=1 << 16)
def _name_after_window(simp: str) -> int:
    if _COUNT.match(simp):
        return 0           # 病人|贰名, 患者|肆例: a count in formal numerals, not a given name
    end = _name_after_run(simp)
    if end:
        run_end = end
        while run_end < len(simp) and run_end < end + 4 and _is_han(simp[run_end]):
            run_end += 1
        complete = _boundary(simp, end)       # a word starts right after: 孙罗朝信|表示|入院
        if simp[end - 1] in _ORG_END or (not complete and (simp[run_end - 1] in _ORG_END
                                                           or "医院" in simp[:run_end])):
            return 0       # 转介|复健科, 病人|转胸腔内科, 转介|台中医院
    if end in (3, 4) and len(simp) >= end + 2:
        # (D1, round 6) the run's last character opens a frequent three-character word: the name
        # ends before it (委员王强|高血压回诊, 委员萧文彬|高血压, not 王强高, 萧文彬高)
        tags, freq = _tables()[3], _tables()[4]
        w = simp[end - 1:end + 2]
        if (freq.get(w) or 0) >= 500 and tags.get(w) not in ("nr", "nrfg", "nrt"):
            return end - 1
    return end


# Characters jieba tags as frequent verbs that also open given names (爱玲, 立群, 承恩): a run
# opening with one may still be a name.
_GIVEN_VERBS = set("爱定望花进致守举应若")
# a single character tagged as a verb at least this often in jieba's dictionary is a verb
_VERB_FREQ = 3000


def verb_led(simp: str, i: int) -> bool:
    """(D1 false positives) Does the run at ``i`` open with a verb rather than a given name -
    同事|来探望, 社工|访视, 太太|同住, 舅舅|住附近, 护理师|交班, |坐轮椅来诊?  Only for a run that
    opens without a listed surname: a frequent one-character verb that is not a given-name
    character, or a two-character word jieba tags as a verb not made of given-name characters."""
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S

    surnames, tags, freq = _tables()[2], _tables()[3], _tables()[4]
    c = simp[i:i + 1]
    if not c or c in surnames or simp[i:i + 2] in surnames:
        return False
    from deidentify.identifiers.chinese_names import _clause_goes_on

    # given-name characters (or a second surname) after it: a rare surname that is also a verb
    # (谈|娟哲, 毕|松鸿, 应|明佳, 毕|吕菁明), not what a person does
    nxt = simp[i + 1:i + 2]
    married = (nxt in surnames and len(simp) >= i + 4 and simp[i + 2] in _GIVEN_CHARS_S
               and simp[i + 3] in _GIVEN_CHARS_S and not _ordinary(simp[i + 1:i + 3]))
    if nxt and (married or nxt in _GIVEN_CHARS_S
                and (simp[i + 2:i + 3] in _GIVEN_CHARS_S or _clause_goes_on(simp, i + 2))):
        return False
    if (tags.get(c) == "v" and (freq.get(c) or 0) >= _VERB_FREQ and c not in _GIVEN_CHARS_S
            and c not in _GIVEN_VERBS):
        return True
    w = simp[i:i + 2]
    return (len(w) == 2 and tags.get(w) in ("v", "vd", "vn", "vi") and _is_han(w[1])
            and not all(ch in _GIVEN_CHARS_S for ch in w))


def _education_at(simp: str, i: int) -> bool:
    """An education level at ``i`` not followed by a given-name character (国中毕业, 高中生;
    not 高中明)."""
    for w in EDUCATION:
        if simp.startswith(w, i):
            nxt = simp[i + len(w):i + len(w) + 1]
            return not nxt or nxt not in _given_chars() or _word_at(simp, i + len(w))
    return False


# characters that make a role word a group (医师群, 护理师们, 社工组)
_COLLECTIVE = frozenset("群们等组队团众")


def _given_chars() -> set[str]:
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S

    return _GIVEN_CHARS_S


def _name_after_run(simp: str) -> int:
    i = 0
    run = 0
    while i + run < len(simp) and _is_han(simp[i + run]) and run < 8:
        run += 1
    surnames = _tables()[2]
    if run >= 2 and verb_led(simp, i):
        return 0           # 同事|来探望, 太太|同住: what the person does, not their name
    if run >= 3 and simp[i:i + 2] in surnames:          # compound surname: 上官 + one or two
        if run == 4 and simp[i + 3] == "和":
            return i + 4                                 # 范姜毅和。
        return i + 3 if run == 3 or _boundary(simp, i + 3) else i + 4
    if run >= 2 and _education_at(simp, i):
        return 0           # (D1 false positives) 病人|国中毕业, 学历|高中生: a school level
    if run >= 2 and simp[i] in _COLLECTIVE and (simp[i + 1] not in _given_chars() or _word_at(simp, i + 1)):
        return 0           # (D1 false positives) 医师|群讨论, 护理师|们交班: the role's group, then what it does
    if run >= 2 and simp[i] in "阿小" and not is_word(simp[i:i + 2], 100) and _boundary(simp, i + 2):
        return i + 2                                     # nickname: 阿明, 小容
    if run < 2 or simp[i] in _NOT_FIRST or _whole_word_at(simp, i):
        return 0
    if run >= 3 and simp[i + 2] == "和" and (run == 3 or simp[i + 3] in "和及与、"):
        return i + 3           # 和 ends many given names (许蓉和, 陈杰和): not the list word here
    if run >= 4 and simp[i + 2] == "和" and simp[i] not in _NOT_FIRST and (_word_at(simp, i + 3) or _acts(simp, i + 3)
                                                                     or _tables_followers().match(simp, i + 3)):
        return i + 3           # 卢玲和|来访, 曾朝和|解释: 和 ends the given name, a word (no name) follows
    for n in (3, 2):          # a list separator right after the name: 戴翰怡和庄浩, 庄浩，苏纯
        if run > n + 1 and simp[i + n] in "和及与、" and not _word_at(simp, i + n):
            if n == 3 or not _is_han(simp[i + 3]) or simp[i + 3] in "和及与、":
                return i + n
    if (run >= 4 and simp[i + 1] in surnames and not any(is_word(simp[i + 2:i + 2 + n], 200) for n in (2, 3))
            and simp[i + 2] not in _BREAK and simp[i + 3] not in _BREAK and _boundary(simp, i + 4)):
        return i + 4           # married name: 陈林美玲表示, 韦江和毅。
    # a word at i+2 that overlaps a word at i+3 (梁平|华表|示 → 梁平华|表示): the character
    # at i+2 ends the name
    overlap = (run >= 4 and _is_han(simp[i + 2]) and simp[i + 2] not in _BREAK and _word_at(simp, i + 2)
               and _word_at(simp, i + 3))
    if _boundary(simp, i + 2) and not overlap:
        return i + 2
    if run in (3, 4) and (i + run >= len(simp) or not _is_han(simp[i + run])):
        return i + run         # a run of its own: 顏宇緯。 余簡志楷，
    return i + 3


def name_before(simp: str, t: int, max_len: int = 3) -> int:
    """Start of a name ending at ``t`` (before a title or a word describing the patient), or -1."""
    return _name_before_title(simp, t, max_len)


def _name_before_title(simp: str, t: int, max_len: int = 3) -> int:
    """Start of a name (one to ``max_len`` Han characters) ending at ``t`` where a title
    begins, or -1: the trailing jieba tokens before the title that are not ordinary words.
    Decided on the 7 characters before ``t`` and 2 after it, cached."""
    lo = max(0, t - 7)
    k = _name_before_window(simp[lo:t + 2], t - lo, max_len)
    return -1 if k < 0 else lo + k




@functools.lru_cache(maxsize=1 << 16)
def _name_before_window(simp: str, t: int, max_len: int) -> int:
    k = _name_before_run(simp, t, max_len)
    k = k if k >= 0 else _surname_before(simp, t, max_len)
    noun = t - 2 if simp[t - 1:t] == "的" else t - 1
    if k >= 0 and noun > 0 and noun >= k and simp[noun] in _PLACE_NOUNS and _place_ends_at(simp, noun):
        return -1          # (D1 false positives) 隔壁房|阿伯, 同病房|阿嬷, 邻床|阿伯: the room or bed, not a name
    if k >= 0 and simp[k:t] in EDUCATION:
        return -1          # 国中|同学, 高中|老师: the school level, not a name
    if k >= 0 and simp[t - 1:t] == "的":
        return -1          # 隔壁的|阿伯: a name never ends in the possessive
    return k


def _place_ends_at(simp: str, k: int) -> bool:
    """A place, direction or time word (隔壁, 对面, 楼下) or a word the noun ends (同房, 病房)
    right before or through ``k``."""
    tags = _tables()[3]
    return (place_or_time_before(simp, k) or _ordinary(simp[k - 1:k + 1]) or any(simp.endswith(p, 0, k) for p in _POSITION)
            or any(j >= 0 and tags.get(simp[j:k]) in ("s", "t", "f") for j in (k - 2, k - 3)))


# where a room, bed or house stands from the patient's (对面床, 邻床, 同房, 斜对面房)
_POSITION = tuple(to_simplified(w) for w in ("對面", "隔壁", "旁邊", "樓上", "樓下", "附近", "前面", "後面", "左邊",
                                             "右邊", "裡面", "外面", "同", "鄰", "隔", "前", "後", "每"))




def _surname_before(simp: str, t: int, max_len: int) -> int:
    """A name right before a title that opens with a listed surname and follows a verb or a
    function character (与窦|伯伯, 会同李德|伯伯, 经蒲|伯伯, 请阎王晴鸿|阿姨): the longest such
    one to ``max_len`` characters, or -1."""
    surnames = _tables()[2]
    for n in range(min(max_len, t), 0, -1):
        k = t - n
        cand = simp[k:t]
        if not all(_is_han(c) for c in cand):
            continue
        if not (cand[0] in surnames or cand[:2] in surnames):
            # after a verb, a rare surname (与窦|伯伯) or a given name that is no frequent word
            # (请志豪|学长): not a word with the title, not a function character
            if n > 3 or cand[0] in _NOT_FIRST or cand[0] in _BREAK or cand in _BEFORE_NAME or k == 0 \
                    or (n == 1 and cand in _ROLE_PREFIX) \
                    or not (any(simp.endswith(p, 0, k) for p in _BEFORE_NAME)
                            or (place_or_time_before(simp, k) and cand[0] not in _PLACE_NOUNS)) \
                    or _word_at(simp, k) \
                    or _opens_with_clinical(cand):
                continue
            return k
        if n == 4 and cand[1] not in surnames and cand[:2] not in surnames:
            continue       # four characters: a married name (阎王晴鸿) or a compound surname
        before = simp[k - 1] if k else ""
        opened = (not before or not _is_han(before) or before in _BREAK or before in _NOT_FIRST
                  or any(simp.endswith(p, 0, k) for p in _BEFORE_NAME) or _word_ends_at(simp, k))
        if not opened or (n >= 2 and ((is_word(cand, 50) and cand not in surnames)
                                      or (cand[0] not in surnames and _word_at(simp, k)))) \
                or _opens_with_clinical(cand):
            continue
        return k
    return -1


# jieba's tags of place words (楼下, 班上, 隔壁, 家里) and time words (昨天, 上周): a person often
# follows them, a surname never continues them into a word of its own (楼下|游 is no 下游 here)
_PLACE_TIME_TAGS = ("s", "t")


# a name never ends with a pronoun (儿子叫他|爸爸)
_PRONOUNS = frozenset("他她我你您它咱")
# a noun after a place word that continues the place (隔壁|床|阿姨, 楼上|房|东, 对面|店|老板);
# a rare surname there (班上|封|师姐, 班上|仇|药师) opens a name
_PLACE_NOUNS = frozenset("床房桌家门楼间屋室店区村班厂院栋层户座摊铺园车位排号")


def place_or_time_before(simp: str, k: int) -> bool:
    """(D1, two-way readings) Does a place or time word of two or three characters end right
    before ``k``?  Then the surname at ``k`` opens a name even when it also ends a word with the
    character before it (楼下游校长: 下游 'downstream'; 班上周课长: 上周 'last week'); the
    callers ask this only where a title or a given name follows."""
    tags = _tables()[3]
    return any(j >= 0 and all(_is_han(c) for c in simp[j:k]) and tags.get(simp[j:k]) in _PLACE_TIME_TAGS
               and _ordinary(simp[j:k]) for j in (k - 2, k - 3))


def _all_given(w: str) -> bool:
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S

    return all(c in _GIVEN_CHARS_S for c in w)


def _word_ends_at(simp: str, k: int) -> bool:
    """Does an ordinary word (a role, a place, a verb: 主管|, 病房|, 楼下|, 请教|) end right
    before ``k``, where a surname stands, and is it a likelier word than any the surname would
    end with the characters before it (病房|梁 over 房梁, 楼下|周 over 下周; not 病|房主任, 班|上周,
    急诊|病房)?"""
    if k < 2:
        return False
    if place_or_time_before(simp, k):
        return True        # 楼下|游校长, 班上|周课长, 昨天|周课长: after a place or time word, a person
    freq, clinical = _tables()[4], _clinical()
    before = max((max(freq.get(simp[j:k]) or 0, 100 if simp[j:k] in clinical else 0) for j in (k - 2, k - 3, k - 4)
                  if j >= 0 and all(_is_han(c) for c in simp[j:k]) and _ordinary(simp[j:k])), default=0)
    if not before:
        return False
    crossing = max((float("inf") if simp[j:k + 1] in clinical else freq.get(simp[j:k + 1]) or 0
                    for j in (k - 1, k - 2, k - 3) if j >= 0), default=0)
    return before > crossing


def _name_before_run(simp: str, t: int, max_len: int) -> int:
    """The Han run before ``t`` without the verbs and function characters that open it; its
    last three characters (four for a married name) are the name, unless they are an
    ordinary word, a department or an institution."""
    k = t
    while k > 0 and _is_han(simp[k - 1]) and t - k < 10:
        k -= 1
    stripped = True
    while stripped and k < t:
        stripped = False
        for p in _BEFORE_NAME:
            if simp.startswith(p, k) and t - k > len(p):
                k += len(p)
                stripped = True
                break
        if not stripped and (simp[k] in _NOT_FIRST or simp[k] in _BREAK) and t - k > 1 \
                and not _ordinary(simp[k:k + 2]):      # (女|儿是护理师: 女儿 is a word, not 女 + a name)
            k += 1
            stripped = True
    surnames = _tables()[2]
    for p in (k + 1, k + 2):   # 昨天|周课长, 今天|林医师, 楼上|吴怡|君: a time or place word ends before the surname
        if t - p >= 1 and simp[k] not in surnames and simp[p] in surnames and place_or_time_before(simp, p):
            k = p
            break
    if simp[k:k + 2] in surnames and t - k <= 4:
        pass               # compound surname + one or two given characters: 欧阳华翔
    elif t - k > max_len or (t - k == 4 and max_len >= 4 and simp[k + 1] not in surnames):
        keep = 4 if max_len >= 4 and t - k >= 4 and simp[t - 3] in surnames else 3
        k = t - keep
        while t - k > 2 and simp[k] in _NOT_FIRST:
            k += 1         # 转介至|蔺瑄|医师: the cut may leave a character that starts no name
    # a name never starts inside an ordinary word (护专毕|业后当|护理师): past it, and past what
    # cannot start a name after it
    while (k < t and k > 0 and simp[k] not in surnames and _is_han(simp[k - 1]) and _ordinary(simp[k - 1:k + 1])
           and not _ordinary(simp[k:k + 2])):
        k += 1
        while k < t and simp[k] in _NOT_FIRST:
            k += 1
    run = simp[k:t]
    if not run or run in _BEFORE_NAME or (len(run) == 1 and run in _ROLE_PREFIX) or run[-1:] in _PRONOUNS:
        return -1          # 经|主任同意, 向|护理师说明, 会同总|医师: no name between
    if len(run) >= 2 and run[0] not in surnames and run[:2] not in surnames \
            and (_ordinary(run[:2]) or _ordinary(run[:3])
                 or (verb_led(run, 0) and (k == 0 or not _is_han(simp[k - 1])))
                 or (len(run) == 3 and _ordinary(run[1:]) and not _all_given(run[1:]))):
        return -1          # 病人|于, 评估|…, 当|过公车|司机: an ordinary word or a verb opens or ends the run
    if not run or run[0] in _NOT_FIRST or run[-1] in _ORG_END or (len(run) >= 2 and _ordinary(run)) \
            or _opens_with_clinical(run) or simp[k:t + 2] in _clinical():
        return -1
    return k



@functools.cache
def _tables_followers() -> re.Pattern[str]:
    # literal alternatives only (no look-ahead, no set first): the engine skips at C speed to
    # the next place where one of their first characters stands
    return re.compile("|".join(sorted(map(re.escape, FOLLOWERS), key=len, reverse=True))
                      + r"|,[ \t]*[男女]|，[ \t]*[男女]")


# (D1, round 3) A name on a form line, its next field after a blank: 粘耀宗 女 61岁,
# 处方笺:粘耀宗　出生日期 61/3/5 (the full-width space is a blank once normalised)
# (led by the field's first character, the blank before it checked after: the engine skips to
# 男/女/出/性/生 at C speed instead of trying every blank; the name ends at the blanks before it)
FORM_FIELD_AFTER = re.compile(r"[男女出性生](?<=[ \t].)(?:(?<=[男女])(?=[ \t]*(?:[/,，0-9\n\x00]|$))"
                              r"|(?<=出)生日期|(?<=性)别[ \t]*[:：]|(?<=生)日[ \t]*[:：])")


def form_field_name_end(simplified: str, field_at: int) -> int:
    """Where a name before the form field at ``field_at`` ends: before the blanks there."""
    t = field_at
    while t > 0 and simplified[t - 1] in " \t":
        t -= 1
    return t


@functools.cache
def _clinical_regex() -> re.Pattern[str]:
    # longest first, grouped by first character (one branch per character tried, same matches)
    return re.compile(by_first_char("|".join(sorted(map(re.escape, _clinical()), key=len, reverse=True))))


def clinical_spans(simplified: str) -> list[tuple[int, int]]:
    """Where clinical terms of the word-level dictionary occur (a name never starts inside one)."""
    return [m.span() for m in _clinical_regex().finditer(simplified)]


# (round 11) the last character of a currency jieba tags a measure word (美元, 台币, 英镑): 金|美元 is
# money; 萧|千里, 王|万里 (measures of distance) are given names
_MONEY_ENDS = frozenset("元币镑圆块角")
# last characters of place names (a village, town, harbour, island ...): a dictionary word of a
# surname and two characters ending in one is a place, whatever jieba tags it (石家庄)
_PLACE_ENDS = frozenset("庄村镇乡屯堡寨湾港岛桥洲岭埔坑寮厝")


def starts_a_word(simplified: str, start: int, end: int) -> bool:
    """Is the name candidate ``simplified[start:end]`` really the start of an ordinary word?
    A clinical term covering its start, or a frequent jieba word (not a name) that starts at
    the same place and covers the candidate (陳舊|性, 高危|險 are not names).
    Decided on the 10 characters before ``start`` to the 6 after ``end`` (all the checks below
    read: a title or a word of _ACTS after ``end`` has at most 3 characters), cached: both name
    finders ask it of the same candidates."""
    lo = max(0, start - 10)
    return _starts_a_word_window(simplified[lo:end + 6], start - lo, end - lo)


@functools.lru_cache(maxsize=1 << 16)
def _starts_a_word_window(simplified: str, start: int, end: int) -> bool:
    titles = _tables()[1]
    lo = max(0, start - 10)
    near = simplified[lo:end + 1]
    if _QUOTE.search(near) and any(m.span("n") == (start - lo, end - lo) for m in QUOTED_NICKNAME.finditer(near)):
        return False           # 绰号「大头」: a quoted nickname is a name even when it is a word
    if any(m.span(1) == (start - lo, end - lo) for rx in (GIVEN_TOLD, LATIN_TOLD) for m in rx.finditer(near)):
        return False           # 名字叫建国: a given name told as such, even when it is a word
    for a, b in clinical_spans(simplified[max(0, start - 6):end + 6]):
        a += max(0, start - 6)
        b += max(0, start - 6)
        if a <= start < b and not (b > end and titles.match(simplified, end)):
            return True    # (孙|女士: the term runs into a title, so it is not the word here)
    if _acts(simplified, end) and (_noun_not_a_role(simplified[start:end])
                                   or _rare_given_adjective(simplified[start:end])):
        return False           # 病患|春光|来电: a noun as the subject of what a person does
    _, _, surnames, tags, freq = _tables()
    if simplified[start:start + 2] in surnames:
        return False           # 欧阳 is also a place word
    if end - start == 3 and ((tags.get(simplified[start + 1:end]) == "q" and simplified[end - 1] in _MONEY_ENDS)
                             or (simplified[end - 1] in _PLACE_ENDS and simplified[start:end] in tags)):
        return True            # (D1, round 7) 金|美元 (a currency), 石家庄 (a place jieba tags nr)
    if end - start == 2 and simplified[start] in "老小阿" and simplified[start + 1] in surnames \
            and simplified[start:end] not in NOT_NICKNAMES:
        return False           # 老张, 小张 (jieba: nouns) are a surname's nickname
    for n in (4, 3, 2):
        w = simplified[start:start + n]
        if len(w) == n and tags.get(w) not in (None, *_NAME_TAGS) and (freq.get(w) or 0) >= 20 \
                and start + n >= end and not (start + n > end and simplified[start] in surnames
                                              and (titles.match(simplified, end) or CLINIC.match(simplified, end))):
            return True        # (余|里长, 游|伯伯, 林|内科: a word running from a surname into a
                               # title or a specialty is not the word here; 牙医|师 is)
    return False
