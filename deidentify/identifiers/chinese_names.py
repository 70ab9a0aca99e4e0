"""Chinese personal names in free text (Traditional or Simplified).

Three kinds of evidence, cheapest first:
1. a common Taiwanese surname (list below) followed by one or two Han characters;
2. context: a keyword before it (病患, 家屬, 姓名:, 醫師 …) or a title after it (先生, 小姐 …);
3. jieba: its part-of-speech dictionary (the ``nr`` person-name tags ``jieba.posseg`` uses)
   and its HMM segmenter on a small window around the surname, after a per-character
   Traditional → Simplified conversion (same length, so offsets map straight back).

A surname character that starts or ends an ordinary dictionary word (高血壓, 白血球, 結石,
處方) is not a name.  The segmenter is only run for candidates that survive the dictionary
check and have no context, and each decision is cached per window of text around the
surname, which keeps jieba off the vast majority of clinical sentences.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from deidentify.identifiers.jieba_tables import jieba_cache_dir  # noqa: F401 - where jieba's cache is kept
from deidentify.identifiers.name_words import NR_COMMON_NOUNS
from deidentify.identifiers.normalise import to_simplified

# Most frequent surnames in Taiwan (household registration statistics), Traditional forms.
SINGLE_SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙"
    "顏柯翁魏孫戴范方宋鄧杜傅侯溫薛丁馬蔣唐卓藍馮姚石董紀歐程連古汪湯姜田康鄒白涂尤巫韓龔嚴袁"
    "鐘黎金阮陸倪夏童邵柳錢褚孔毛邢俞辛麥池雷易賀崔段龍文甘秦熊鮑管伍裴章凌駱包黎巴利官饒"
    "郝殷任于武桂聶覃焦牛房喬祝左景符"
    # rarer surnames of the household registers whose character rarely opens an ordinary or
    # clinical word (竇 opens 竇性心律, 粘 粘稠, 舒 舒服: those are found by context only)
    "蒲甄祁佟晏欒邰嵇卜寇滕闕佘鄔靳閔譚鄺鄢晁喻湛闞卞甯翟隋牟裘繆雍宓葛酆邸竺瞿婁閆冼柴耿刁賈芮韋"
    "昝奚羿汲隗郗鄂胥莘逄璩濮郟庾厙訾蒯逯桓尹孟費魯屈"
)
COMPOUND_SURNAMES = ("歐陽", "司馬", "上官", "諸葛", "張簡", "范姜", "司徒", "東方", "夏侯", "皇甫",
                     "公孫", "慕容", "長孫", "尉遲", "令狐", "軒轅", "宇文", "端木", "鍾離", "周黃",
                     # (round 12: 西門慶華, 呼延平 left; those that are common words, 百里, 第五, are not)
                     "西門", "呼延", "南宮", "司空", "張廖", "申屠", "拓跋", "獨孤", "赫連", "淳于", "澹臺", "公冶",
                     "濮陽", "左丘", "東郭")

# Keywords directly before a name (checked within the few characters before the surname).
CONTEXT_BEFORE = (
    "姓名", "病患", "患者", "病人", "家屬", "個案", "案主", "聯絡人", "聯繫人", "醫師", "醫生", "護理師",
    "護士", "簽名", "母親", "父親", "兒子", "女兒", "配偶", "太太", "丈夫", "妻子", "主治", "申請人",
    "被保險人", "案父", "案母", "案妻", "案夫", "陪同", "轉介", "同住", "負責人", "藥師", "檢驗師",
    "技術員", "經手人", "填表人", "紀錄者", "記錄者", "個管師", "社工", "姓氏",
)
# Titles directly after a name.
TITLES_AFTER = (
    "先生", "小姐", "女士", "太太", "醫師", "醫生", "護理師", "護士", "老師", "同學", "伯伯", "阿姨",
    "阿嬤", "阿公", "奶奶", "爺爺", "主任", "院長", "教授", "藥師", "個管師", "社工師", "老先生", "老太太",
    "媽媽", "爸爸", "姐", "哥", "弟", "妹",
)
# Characters very often first in a Taiwanese given name that also form ordinary words with
# a surname (王家, 李子, 林美).
GIVEN_FIRST = "家子美明建志俊淑雅宗冠承國惠秀玉麗春金宏偉嘉怡佳欣婷婉靜慧芳玲君瑞信世育彥柏宇哲翰宜詩思品依芷昱博德仁銘忠勝榮振耀豪"
# Characters that end a name rather than continue it.
_STOP = set(
    "的了在是和與及因於今昨來去說表示等為被把對向到從自也都就又而或但將會要有無未已再並則即所"
    "之其此該這那個位名歲年月日時分秒男女病患醫護診院科室床號樓，。、；：！？（）()「」『』 \t\n"
)

_NAME_FLAGS = {"nr", "nrfg", "nrt"}
_STOP_S = {to_simplified(c) for c in _STOP}
_TRAD_SURNAME_CHARS = set(SINGLE_SURNAMES) | set("".join(COMPOUND_SURNAMES))
_SURNAMES_S = {to_simplified(c) for c in SINGLE_SURNAMES} | {to_simplified(c) for c in COMPOUND_SURNAMES}
_SINGLE_S = frozenset(to_simplified(c) for c in SINGLE_SURNAMES)
# 長孫 is a compound surname and, far more often in a note, "the eldest grandchild"
_ELDEST_GRANDCHILD = to_simplified("長孫")
_MASK_CHARS = "Oo○〇◯●◎■□*xX"
_MASK_SET = frozenset(_MASK_CHARS)
PLAIN_MASK_RUN = r"(?<![A-Za-z0-9])[" + _MASK_CHARS + r"]{1,2}(?![A-Za-z0-9])"
# (the first mask character, then the look-behind on what stands before it: a pattern opening
# with a look-behind is tried at every position, one opening with a character set is skipped to)
_MASK_RUN = re.compile("[" + _MASK_CHARS + "](?<![A-Za-z0-9][" + _MASK_CHARS + "])[" + _MASK_CHARS
                       + r"]?(?![A-Za-z0-9])")
_GIVEN_FIRST_S = {to_simplified(c) for c in GIVEN_FIRST}
# Flags that cannot be the given-name part after a bare surname token.
_NON_GIVEN_FLAGS = {"v", "vd", "vn", "p", "u", "uj", "ul", "uz", "uv", "ug", "ud", "c", "d", "m",
                    "q", "x", "r", "f", "t", "y", "e", "o", "zg", "eng", "mq"}
# Flags of a single character that cannot end a name (particles, pronouns, numbers …).
_NON_FINAL_FLAGS = {"p", "u", "uj", "ul", "uz", "uv", "ug", "ud", "c", "d", "m", "q", "x", "r", "f", "y",
                    "e", "o", "vg", "dg", "tg", "mq"}
# Dictionary words tagged nr by jieba that are ordinary words in clinical text.
_NR_NOT_NAMES = {to_simplified(w) for w in (
    "康復", "小姐", "丁香", "吳郭魚", "高明", "文明", "金銀花", "白頭翁", "杜仲", "夏枯草", "黃連", "黃芩",
    "黃耆", "連翹", "孫子", "孫女", "蘇醒", "易怒", "陳述", "黎明", "左心室", "傅立葉", "賀爾蒙", "荷爾蒙",
    "高峰", "江湖", "金剛", "史上", "毛孔", "包皮", "施工", "雷達", "牛頓", "韓國", "歐美", "田園")} | NR_COMMON_NOUNS
# Characters common in Taiwanese given names: a given part made of them is kept even when it
# is also a dictionary word (俊美, 志明, 建國).
GIVEN_CHARS = (
    "志明怡君建宏雅婷俊傑淑芬家豪美玲宗翰佳穎冠宇欣承恩詩涵柏宜蓁子晴品妍彥廷思妤宥辰文華國惠"
    "秀玉麗春金偉嘉慧芳靜瑞信世育哲依芷昱博德仁銘忠勝榮振耀光安正立平清永成新中興政益賢順福"
    "祥雄龍鴻輝彬斌凱威誠毅軒睿宸瑋琪琳珊瑜萍芸蓉菁蘭梅鳳珍珠貞娟娥英月霞雪燕鈺真如若蕙綺薇"
    "筠嫻潔庭亭瑄萱璇儀韻語郁馨倩伶純敏蓮菊桂香琴婉姿容璋瑩鈞鑫峰浩翔皓緯達逸泰啟弘仲剛強民"
    "富貴財義坤和松源智勇群亮揚楷竣勛豐朝元聖維佑祐禎靖昌隆盛慶武"
)
_GIVEN_CHARS_S = {to_simplified(c) for c in GIVEN_CHARS}
# jieba dictionary frequency above which a two-character word is an ordinary word.
_COMMON_WORD_FREQ = 100
# Clinical words starting with a surname character that jieba's dictionary lacks.
_NOT_NAME_PREFIXES = {to_simplified(w) for w in (
    "沈積", "沈澱", "施打", "管灌", "唐氏", "薛氏", "柯氏", "巴氏", "張力", "管路", "包紮", "伍氏", "柯林",
    "康氏", "邵氏", "馬偕", "雷諾", "易栓", "白斑", "石灰", "黃斑", "紀錄", "高劑", "金屬")}
# Tags a lone surname token and the token after it may carry in an unseen name (陳|大明 nz,
# 歐陽|娜娜 nrt, 張|美麗 ns); None = not in the dictionary.
_SURNAME_TOKEN_FLAGS = {"nr", "nrfg", "nrt", "ns", "ng", "nz", None}
_GIVEN_TOKEN_FLAGS = {"nr", "nrfg", "nrt", "nz", "ns", None}


@dataclass(frozen=True)
class NameHit:
    start: int
    end: int
    score: float
    reason: str


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@functools.cache
def _tables():
    """Simplified surname regex, context/title tuples, jieba's tokenizer and word → tag table."""
    from deidentify.identifiers.jieba_tables import tables as jieba_tables

    tokenizer, word_tags = jieba_tables()     # (kept between processes in a verified cache)
    compounds = sorted({to_simplified(s) for s in COMPOUND_SURNAMES}, key=len, reverse=True)
    singles = "".join(sorted({to_simplified(c) for c in SINGLE_SURNAMES}))
    # (?:欧阳|…)|[王林…] written to open with one character set, so that the engine skips at C
    # speed to the next possible surname: a first character, then the rest of a compound surname
    # (longest first, as before) or, for a single surname, nothing more; the same matches
    firsts = "".join(sorted({c[0] for c in compounds} | set(singles)))
    surname_re = re.compile(f"[{firsts}](?:" + "".join(f"(?<={re.escape(c[0])}){re.escape(c[1:])}|" for c in compounds)
                            + f"(?<=[{singles}]))")
    before = re.compile("(?:" + "|".join(sorted({re.escape(to_simplified(w)) for w in CONTEXT_BEFORE},
                                                 key=len, reverse=True)) + r")[\s:：,，]*$")
    after = re.compile("|".join(sorted({re.escape(to_simplified(w)) for w in TITLES_AFTER},
                                      key=len, reverse=True)))
    stop = {to_simplified(c) for c in _STOP}
    return surname_re, before, after, stop, word_tags, tokenizer


# "姓名：XXX" style labels: whatever two to four Han characters follow is a name, even with a
# surname missing from the list.
LABELS = ("姓名", "病患姓名", "患者姓名", "聯絡人", "緊急聯絡人", "聯繫人", "簽名", "家屬姓名", "申請人")
_LABEL_RE = re.compile("(?:" + "|".join(sorted({re.escape(to_simplified(w)) for w in LABELS}, key=len, reverse=True))
                       + r")\s*[:：]\s*([\u4e00-\u9fff]{2,4}?)(?=[^\u4e00-\u9fff]|$|先生|小姐|女士)")


_CONTEXT_WORDS = {to_simplified(w) for w in CONTEXT_BEFORE + TITLES_AFTER}


def label_pattern() -> re.Pattern[str]:
    """Regex (on Simplified text) of ``姓名：`` style labels (for prefilters)."""
    return _LABEL_RE

def surname_pattern() -> re.Pattern[str]:
    """Regex of surnames on Simplified text (for prefilters)."""
    return _tables()[0]


# Characters either side of a surname that decide whether it starts a name (context keyword
# before, title and jieba window after); the decision is cached per window.
_WINDOW = 8


def find_names(text: str, simplified: str | None = None, *, use_jieba: bool = True) -> list[NameHit]:
    """Spans of likely personal names in ``text``; offsets refer to ``text``.

    ``simplified`` may pass ``to_simplified(text)`` when the caller already has it.
    """
    surname_re = _tables()[0]
    simp = simplified if simplified is not None else to_simplified(text)
    hits: list[NameHit] = [NameHit(m.start(1), m.end(1), 0.85, "label") for m in _LABEL_RE.finditer(simp)
                           if m.group(1) not in _CONTEXT_WORDS]
    # (a name found from a surname starts at or after the previous one's end, so ``covered``
    # answers for those; the labelled names, in order and apart, are looked up by bisection -
    # a scan of every hit per surname cost the square of a note full of names)
    label_starts = [h.start for h in hits]
    labels = list(hits)
    covered = -1
    for m in surname_re.finditer(simp):
        i, s_end = m.start(), m.end()
        if i < covered:
            continue
        k = bisect.bisect_right(label_starts, i) - 1
        if k >= 0 and i < labels[k].end:
            continue
        if m.group() == _ELDEST_GRANDCHILD and simp[s_end:s_end + 1] in _SINGLE_S:
            continue        # (round 10) 家屬長孫|周怡君: the eldest grandchild, then the name (scanned next)
        # 於 → 于, 餘 → 余, 範 → 范: a Traditional character that only becomes a surname
        # after conversion is not one.  (Most surnames are written as they are normalised.)
        written = text[i:s_end]
        if written != m.group() and any(o != c and o not in _TRAD_SURNAME_CHARS for o, c in zip(written, m.group())):
            continue
        lo = max(0, i - _WINDOW)
        found = _decide(simp[lo:s_end + _WINDOW], i - lo, s_end - lo, use_jieba)
        if found:
            start, end, score, reason = found
            hits.append(NameHit(lo + start, lo + end, score, reason))
            covered = lo + end
    # A name already part-masked by whoever wrote the note (王OO, 黄O明, 李○○, 陈**) still shows
    # the surname and often a given character: the rest goes too.
    for m in (() if _MASK_SET.isdisjoint(simp) else _MASK_RUN.finditer(simp)):
        p, end = m.span()
        b = end
        if b - p == 1 and b < len(simp) and _is_han(simp[b]) \
                and (simp[b] not in _STOP_S or simp[b] in _GIVEN_CHARS_S):
            b += 1                                   # 黄O明, 高*和
            if b < len(simp) and _is_han(simp[b]) and simp[b] not in _STOP_S and simp[b - 1] not in _STOP_S:
                b += 1                               # 吴*梅婉 (a two-character given name)
        # 王OO | 黄明O, 欧阳OO | 欧阳明O (a compound first: 上官* is no 官 name)
        for a in ((p - 2,) if simp[max(0, p - 2):p] in _SURNAMES_S else ()) + (p - 1, p - 2, p - 3):
            if a < 0 or not all(_is_han(c) for c in simp[a:p]):
                break
            surname = simp[a:a + 2] in _SURNAMES_S or (p - a < 3 and simp[a] in _SURNAMES_S)
            given_before = p - a - (2 if simp[a:a + 2] in _SURNAMES_S else 1)
            if given_before == 1:
                b = end                              # 黄明O今日: the name ends at its mask
            if surname and given_before <= 1 and (given_before == 0 or end - p == 1):
                inside = [h for h in hits if h.start <= a < h.end]
                if not inside:
                    hits.append(NameHit(a, b, 0.85, "part-masked"))
                elif inside[0].end < b:               # 孙松 found, its mask 孙松* left: the mask goes too
                    hits[hits.index(inside[0])] = NameHit(inside[0].start, b, inside[0].score, inside[0].reason)
                break
    return hits


@functools.lru_cache(maxsize=1 << 17)
def _decide(simp: str, i: int, s_end: int, use_jieba: bool) -> tuple[int, int, float, str] | None:
    """Is the surname at ``simp[i:s_end]`` the start of a name? (offsets within the window)"""
    _, before_kw, titles, stop, tags, tokenizer = _tables()
    n = len(simp)
    # The surname character ends an ordinary word: 结石, 处方, 健康.
    if _inside_role_word(simp, i):
        return None         # 个|管师|陈: the surname character is part of a role word (个管师)
    if simp[i] in _NUMERAL_SURNAMES and simp[s_end:s_end + 1] in _NUMBER_NEXT:
        return None         # (round 8) 伍佰元, 陆仟, 万元: a number written in words, not 伍/陆/万 + a name
    placed = kin = _kin_before(simp, i, tags)
    if i > 0 and _is_han(simp[i - 1]) and not kin:
        if any(tags.get(simp[j:s_end], "nr") not in _NAME_FLAGS
               for j in (i - 1, i - 2) if j >= 0 and tokenizer.FREQ.get(simp[j:s_end])):
            placed = _person_after_place(simp, i, s_end, titles, tags, tokenizer)
            if not placed:
                return None
    if simp[i:i + 2] in _NOT_NAME_PREFIXES:
        return None
    if s_end - i == 1 and i > 0 and titles.match(simp, s_end) and _room_before_title(simp, i):
        return None         # (D1 false positives) 隔壁房|阿姨, 同房|先生: the room, not the surname 房
    if simp[s_end:s_end + 1] == "记" and simp[s_end:s_end + 2] != "记者":
        return None         # 王记 is a shop (name_forms masks its surname), 王记买 no name
    # (a place or time word before, a title or given name after: as good as a context word;
    # jieba would cut the word the surname ends, 楼|下游|志豪)
    verb = _verb_before(simp, i, tags)
    context = placed or before_kw.search(simp, max(0, i - 8), i) is not None
    # A surname and two common given-name characters standing alone between non-Han text
    # (郑家豪 LINE ID, 郑家豪 0912…): a name unless the three are a dictionary word (白色痰 has
    # no given-name characters).
    end = s_end + 2
    if (end <= n and (i == 0 or not _is_han(simp[i - 1])) and (end == n or not _is_han(simp[end]))
            and all(c in _GIVEN_CHARS_S for c in simp[s_end:end])
            and not tokenizer.FREQ.get(simp[i:end]) and simp[i:end] not in tags):
        return i, end, 0.85 if context else 0.7, "isolated"
    w = _word_starting(simp, i, s_end, tags)
    if w and (w in _NR_NOT_NAMES or w[:2] in _NR_NOT_NAMES or _word_tagged_name(w, s_end - i, tags, tokenizer)):
        return None
    # Title straight after the surname: 李小姐 → only the surname is the name part.
    title = titles.match(simp, s_end)
    if title and w and i + len(w) <= title.end():
        w = None            # 周先生 is a dictionary 'name': the surname, then a title
    if title and (len(title.group()) > 1 or not context) and not w:
        return i, s_end, 0.6, "surname+title"
    # A dictionary word starting at the surname.
    if w:
        tag = tags[w]
        if (tag in _NAME_FLAGS and w not in _NR_NOT_NAMES and w[:2] not in _NR_NOT_NAMES
                and not _set_phrase(w, s_end - i)
                and (len(w) >= 3 or (context and w[-1] in _GIVEN_FIRST_S))):
            end = i + len(w)
            # A two-character dictionary name is usually surname + half a given name (陳家|品).
            if (len(w) == 2 and end < n and _is_han(simp[end]) and simp[end] not in stop
                    and not titles.match(simp, end)):
                end += 1
            return i, end, 0.85, "dictionary name"
        # After 病患/家屬 … or before 先生/醫師 … a two-character word whose second character
        # is a common first given-name character is still most likely a name (王家|怡,
        # 梁家|穎先生); other words (病人黃疸, 病人周邊水腫) and longer ones (高血壓) are not.
        pair = simp[s_end:s_end + 2]
        if (len(w) == 2 and len(pair) == 2 and _rare_given_pair(pair, tokenizer)
                and not tokenizer.FREQ.get(simp[i:s_end + 2]) and _clause_goes_on(simp, s_end + 2)):
            return i, s_end + 2, 0.7, "given pair"     # 苏美|玲来访, 许国|强说: no title needed
        three = simp[i:s_end + 2]
        if ((verb or kin or _PERSON_ACT.match(simp, s_end + 2)) and len(w) == 2 and s_end - i == 1 and tag.startswith("n") and len(three) == 3 and three[2] not in stop
                and _is_han(three[2]) and three not in tags
                and (tokenizer.FREQ.get(three[1:]) or 0) < _COMMON_WORD_FREQ and three[2] in _GIVEN_CHARS_S
                and (tokenizer.FREQ.get(simp[s_end + 1:s_end + 3]) or 0) < _COMMON_WORD_FREQ   # 颜色|正常
                and _verb_or_clause_after(simp, s_end + 2, tags)):
            return i, s_end + 2, 0.85, "verb object"   # (round 7) 叮咛|范书|豪服药: a verb's object
        if len(w) != 2 or w[1] not in _GIVEN_FIRST_S:
            return None
        if not context:
            third = simp[i + 2:i + 3]
            if not (third and _is_han(third) and third not in stop and titles.match(simp, i + 3)):
                return None
            context = True
    from deidentify.identifiers.name_runs import _tables_followers

    followers = _tables_followers()
    given = 0
    while given < 2 and s_end + given < n and _is_han(simp[s_end + given]) and simp[s_end + given] not in stop \
            and not (given and followers.match(simp, s_end + given)):   # 上官菊|主诉, 欧阳华|因
        given += 1
    if given == 0:
        return None
    end = s_end + given
    title_after = titles.match(simp, end) is not None
    short_title = titles.match(simp, s_end + 1)
    if given == 2 and not title_after and short_title and len(short_title.group()) > 1:
        end, given, title_after = s_end + 1, 1, True
    # The given part must not be a common ordinary word (病人易|疲倦, 病人戴|口罩); rare
    # dictionary words are often given names (建明, 宏志, 俊雅).
    pair = simp[s_end:end]
    if (given == 2 and tags.get(pair) not in _GIVEN_TOKEN_FLAGS
            and (tokenizer.FREQ.get(pair) or 0) >= _COMMON_WORD_FREQ
            and not all(c in _GIVEN_CHARS_S for c in pair)):
        return None
    if context or title_after:
        return i, end, 0.85, "context"
    if verb and all(c in _GIVEN_CHARS_S for c in pair) and _verb_or_clause_after(simp, end, tags):
        return i, end, 0.85, "verb object"      # (round 7) 叮咛|林志明|注意, not 摄取|高钙|食物
    if (given == 2 and _PERSON_ACT.match(simp, end) and (tokenizer.FREQ.get(pair) or 0) < _COMMON_WORD_FREQ
            and any(c in _GIVEN_CHARS_S for c in pair)):
        return i, end, 0.7, "person act"        # (round 7) 已林雨涵|代签: what only a person does
    # A surname, two given-name characters jieba knows at most as a rare word (志豪, 建明, 国强,
    # 宗翰), then a word a person says or does or the end of the clause: a name, however
    # jieba cuts it (徐建明 one token, 许宗|翰说).
    if given == 2 and _rare_given_pair(pair, tokenizer) and _clause_goes_on(simp, end):
        return i, end, 0.7, "given pair"
    if not use_jieba:
        return None
    span = _jieba_name(simp, i, s_end, tags, tokenizer)
    if span:
        from deidentify.identifiers.name_runs import _tables_followers

        followers = _tables_followers()
        cut = next((p for p in range(s_end + 1, span[1]) if followers.match(simp, p)), span[1])
        span = (span[0], cut)           # 范姜菊|因胸痛: the name ends where such a word starts
    return (span[0], span[1], 0.6, "jieba nr") if span else None


# (D1, round 8) surnames that are also number characters, and what follows them in an amount
_NUMERAL_SURNAMES = frozenset(to_simplified("伍陸萬"))
_NUMBER_NEXT = frozenset(to_simplified("一二三四五六七八九十百千萬佰仟拾壹貳參肆伍陸柒捌玖元塊圓億"))


# (D1, round 7) Single characters that take a person as their object or companion (跟陈大明说,
# 帮古又文填表, 陪/带/约/劝/请): a closed grammatical class, not a list of contexts.
_COVERBS = frozenset("跟帮让给陪带约劝请叫问找替向与和被由把对")


def _verb_before(simp: str, i: int, tags: dict[str, str]) -> bool:
    """(D1, round 7) A verb ends right before the surname (叮咛|范书豪, 交代|花雨涵, 感谢|戈嘉麟):
    the position of a verb's object, where a person's name stands as well as any noun; the run
    after must still pass every word check a context word's run passes.  The verb is any two-
    or three-character word jieba tags as a verb, or one of the coverbs (jieba's tags decide:
    a verb it tags as a noun, 交代, is no context here)."""
    if i >= 1 and simp[i - 1] in _COVERBS and (i < 2 or not _is_han(simp[i - 2]) or simp[i - 2:i] not in tags):
        return True
    for j in (i - 2, i - 3):
        if j >= 0 and tags.get(simp[j:i]) in ("v", "vn", "vd") and (j == 0 or simp[j - 1:i] not in tags):
            return True
    return False


# (D1, round 7) the last characters of kin words (小姑, 大舅, 表姊, 堂弟, 外甥, 乾女兒, 繼母, 岳父):
# a name after a kin word stands where the relative's name must stand
_KIN_END = frozenset(to_simplified("姑舅姨叔伯嫂婿媳甥姪侄孫哥姐姊弟妹爸媽婆妻兒父母"))


# (D1, round 7) what only a person does, for a patient or in a ward: the run before it is a name
_PERSON_ACT = re.compile("代签|代领|代办|代缴|签字|签名|签署|离院|来访|探视|探望|回电|来电|致电|拒绝|同意|答应")


def _kin_before(simp: str, i: int, tags: dict[str, str]) -> bool:
    """A kin word ends right before the surname: a dictionary word of two or three characters
    ending in a kin character (小姑|苏冠宇: not 姑苏, the city)."""
    if i < 2 or simp[i - 1] not in _KIN_END:
        return False       # (a kin character alone opens words: 儿|童牙科)
    return any(j >= 0 and tags.get(simp[j:i], "").startswith("n") for j in (i - 2, i - 3))


def _verb_or_clause_after(simp: str, end: int, tags: dict[str, str]) -> bool:
    """The object of a verb ends where the clause goes on or another word starts (服药, 注意,
    协助): a dictionary word of two or three characters not tagged as a name."""
    return _clause_goes_on(simp, end) or any(tags.get(simp[end:end + k], "nr") not in _NAME_FLAGS for k in (2, 3))


def _person_after_place(simp: str, i: int, s_end: int, titles, tags, tokenizer) -> bool:
    """(D1, two-way readings) 楼下游志豪, 班上周课长: a place or time word ends right before the
    surname, which also ends a word with the character before it (下游, 上周); a title or two
    given-name characters that are no common word after the surname decide for the name."""
    from deidentify.identifiers.name_runs import place_or_time_before

    if not place_or_time_before(simp, i):
        return False
    if titles.match(simp, s_end):
        return True
    given = simp[s_end:s_end + 2]
    return (len(given) == 2 and all(c in _GIVEN_CHARS_S for c in given)
            and (tokenizer.FREQ.get(given) or 0) < _COMMON_WORD_FREQ)


def _given_pair_after(simp: str, token: tuple[int, int], tags, tokenizer) -> bool:
    """A two-character given name cut as its own token (刘|美玲, 许|思明, 黄|俊杰): jieba tags
    surnames such as 黄 a, 张 q, 刘 zg, 许 m, 谢 v, 何 r, 高 a as ordinary words, so the surname's
    own tag cannot decide; a name-tagged word or a rare pair of given-name characters can."""
    na, nb = token
    w = simp[na:nb]
    return nb - na == 2 and (tags.get(w) in _NAME_FLAGS and w not in _NR_NOT_NAMES or _rare_given_pair(w, tokenizer))


# what stands right after a name as the subject of a clause: a verb of saying or coming, a
# particle, a list word (王国强也来了, 许宗翰说, 徐建明。)
_AFTER_SUBJECT = re.compile("[说讲也来去陪和与跟及都就又在已会要打送带问请帮到回把被对向给一今昨刚才常还再先曾每联解签评访表协]")


def _clause_goes_on(simp: str, end: int) -> bool:
    from deidentify.identifiers.name_runs import _acts, _tables_followers

    return (end >= len(simp) or not _is_han(simp[end]) or _AFTER_SUBJECT.match(simp, end) is not None
            or _acts(simp, end) or _tables_followers().match(simp, end) is not None)


@functools.cache
def _role_words() -> dict[str, tuple[tuple[str, int], ...]]:
    """Surname character → (role word, its offset there) for every role or title word of three
    or more characters holding it after its first character (个管师: 管 at 1)."""
    from deidentify.identifiers.name_words import INTRODUCERS, TITLES

    out: dict[str, list[tuple[str, int]]] = {}
    for w in set(INTRODUCERS + TITLES):
        if len(w) >= 3:
            for p in range(1, len(w)):
                if w[p] in _SURNAMES_S:
                    out.setdefault(w[p], []).append((w, p))
    return {c: tuple(v) for c, v in out.items()}


def _inside_role_word(simp: str, i: int) -> bool:
    """Does a role or title word of three or more characters (个管师, 社工师, 护理长) cover ``i``
    with a character before it?  The surname there opens no name."""
    return any(p <= i and simp.startswith(w, i - p) for w, p in _role_words().get(simp[i], ()))


def _room_before_title(simp: str, i: int) -> bool:
    from deidentify.identifiers.name_runs import _PLACE_NOUNS, _place_ends_at

    return simp[i] in _PLACE_NOUNS and _place_ends_at(simp, i)


def _word_tagged_name(w: str, n_surname: int, tags: dict[str, str], tokenizer) -> bool:
    """(D1 false positives) A dictionary word jieba tags as a name that is no person's name:
    its surname opens a common ordinary word and the rest holds no given-name character
    (高中|毕业, 高中|生, 白雪|公主; 黄金|龙 stays), or a transliteration (nrt) without one
    (麦当劳)."""
    if tags.get(w) == "nrt":
        return not any(c in _GIVEN_CHARS_S for c in w[n_surname:])
    head, tail = w[:n_surname + 1], w[n_surname + 1:]
    return (bool(tail) and not any(c in _GIVEN_CHARS_S for c in tail)
            and (tokenizer.FREQ.get(head) or 0) >= _COMMON_WORD_FREQ)


def _rare_given_pair(w: str, tokenizer) -> bool:
    """Two given-name characters that jieba knows only as a rare word (志豪, 建明, 思明)."""
    return (len(w) == 2 and all(c in _GIVEN_CHARS_S for c in w)
            and (tokenizer.FREQ.get(w) or 0) < _COMMON_WORD_FREQ)


def _word_starting(simp: str, i: int, s_end: int, tags: dict[str, str]) -> str | None:
    """Longest dictionary word (2–4 chars) starting at ``i`` and longer than the surname."""
    for length in (4, 3, 2):
        w = simp[i:i + length]
        if len(w) == length and length > s_end - i and w in tags:
            return w
    return None


@functools.lru_cache(maxsize=1 << 16)
def _segment(window: str) -> tuple[tuple[int, int], ...]:
    """jieba's segmentation of a short window as (start, end) offsets; cached because a
    clinical column repeats the same phrases even when whole texts differ.  jieba cuts each run
    of its word characters (``jieba.re_han_default``) and each run between them on its own, so
    the window's cut is its runs' cuts in turn, and each run's cut is cached as well: a window
    around a name not seen before shares its other runs (。近期曾至南部旅游。) with earlier ones."""
    import jieba

    out, pos = [], 0
    for run in jieba.re_han_default.split(window):
        for n in _segment_run(run) if run else ():
            out.append((pos, pos + n))
            pos += n
    return tuple(out)


@functools.lru_cache(maxsize=1 << 16)
def _segment_run(run: str) -> tuple[int, ...]:
    # (a run of jieba's word characters: the same cut, without jieba's generators; jieba_cut
    # imports jieba, which text without Han characters never loads)
    from deidentify.identifiers import jieba_cut

    if jieba_cut.is_one_block(run):
        return jieba_cut.cut_lengths(_tables()[5], run)
    return tuple(len(word) for word in _tables()[5].lcut(run))


def _set_phrase(word: str, surname_len: int) -> bool:
    """(round 11) A dictionary word of four characters or more that jieba tags a name but whose
    opening is no compound surname is a set phrase (龍馬精神, 金玉良言, 大展宏圖, 溫文爾雅): a
    Taiwanese name has four characters only after a compound surname, or with a wife's two
    surnames (高金素梅), which the dictionary does not hold and the other readings still find."""
    return len(word) >= 4 and surname_len == 1


def _jieba_name(simp: str, i: int, s_end: int, tags: dict[str, str], tokenizer) -> tuple[int, int] | None:
    """Decide a context-free candidate with jieba's segmentation of a small window.

    jieba's HMM joins unseen names into one token (吳淑珍, 黃雅婷) or leaves the surname alone
    before a given name it knows as a word (陳|大明, 歐陽|娜娜).  The tags come from jieba's
    part-of-speech dictionary (the table ``jieba.posseg`` uses); posseg's own Viterbi pass
    costs ~1.7 ms per call here against ~20 µs for the plain segmenter.
    """
    lo = max(0, i - 4)
    hi = min(len(simp), s_end + 6)
    tokens = [(lo + a, lo + b) for a, b in _segment(simp[lo:hi])]
    for k, (a, b) in enumerate(tokens):
        if b <= i:
            continue
        if a != i:
            return None  # the surname character sits inside a word (偏高, 施打)
        word = simp[a:b]
        if b > s_end:
            tag = tags.get(word)
            if word in _NR_NOT_NAMES or word[:2] in _NR_NOT_NAMES:
                return None
            # An unseen three-character word starting with a surname is a name, unless its
            # tail is an ordinary word (左|心室, 易|疲倦, 戴|口罩).
            if tag is None and b - s_end == 2 and all(_is_han(c) for c in word):
                tail = tags.get(word[-2:])
                if tail is None or tail in _NAME_FLAGS:
                    return a, b
                return None
            # The HMM often cuts an unseen name as surname+1 | 1 (赖明|诗, 陈家|品): accept when
            # the lone character after it is a Han character that can end a name.
            if (b - s_end == 1 and (tag is None or tag in _NAME_FLAGS) and k + 1 < len(tokens)
                    and tokens[k + 1][1] - tokens[k + 1][0] == 1):
                nxt = simp[tokens[k + 1][0]]
                from deidentify.identifiers.name_runs import _tables_followers

                if _tables_followers().match(simp, b):
                    return a, b          # 司马菊|因胸痛: a word describing the patient follows
                if _is_han(nxt) and nxt not in _STOP_S and tags.get(nxt) not in _NON_FINAL_FLAGS:
                    return a, b + 1
            if tag in _NAME_FLAGS and b - a >= 2 and not _set_phrase(word, s_end - a):
                return a, b
            return None
        if k + 1 < len(tokens) and (tags.get(word) in _SURNAME_TOKEN_FLAGS or _given_pair_after(simp, tokens[k + 1], tags, tokenizer)):
            na, nb = tokens[k + 1]
            given = simp[na:nb]
            # (a rare dictionary word of given-name characters is a given name: 陈|志豪 n, 林|建明 v)
            if 1 <= nb - na <= 2 and all(_is_han(c) for c in given) and (
                    tags.get(given) in _GIVEN_TOKEN_FLAGS or _rare_given_pair(given, tokenizer)):
                from deidentify.identifiers.name_runs import _tables_followers

                if nb - na == 2 and _tables_followers().match(simp, na + 1):
                    return a, na + 1     # 司马|菊因|胸痛: the given name ends before 因
                return a, nb
        return None
    return None
