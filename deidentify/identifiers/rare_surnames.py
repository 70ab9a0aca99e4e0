"""Names whose surname opens ordinary words, standing without a context word (D1).

曹, 岳, 萬, 車, 常, 全, 花 … are surnames of the household registers' top 200 that the general
list leaves out, and 高, 白, 金, 石, 方, 文 … are listed but open common words (高血壓, 白血球,
金額): the general finder asks whether the characters read as a word and, when they do or when
jieba cuts them apart, leaves them to context.  A probe wrote them bare (SBAR S:萬國平,
曹雅婷今天回診, 車明德血壓偏高, 家屬萬國平明早來) and 40 % went through.

Here such a surname is a name when all of these hold:
- it stands where a name can open: the text's start, after a non-Han character (punctuation,
  a blank, S:/I:), after a list word (和, 與, 及, 跟, 由), a time word (今天, 昨天 …) or a word
  that introduces a person;
- one or two given characters follow, each a common given-name character (GIVEN_CHARS);
- the surname and its given characters are no dictionary word, do not open one, and the
  surname with its first given character is no common word (全家, 高興, 文明, 常見);
- what follows closes the clause or is what a person does or has (主訴, 今天, 回診, 血壓, 說,
  來 …).
Ordinary words rarely pass all four: their second character is rarely a given-name character
(萬一, 車禍, 高血壓, 石膏) and when it is (全家, 高雄, 成功) the word is in the dictionary.
Works on the Simplified normal form, like the other Chinese finders.
"""
from __future__ import annotations

import functools
import re

from deidentify.identifiers.chinese_names import GIVEN_CHARS
from deidentify.identifiers.normalise import to_simplified

# Top-200 surnames the general list leaves out, then listed ones whose character opens common
# words; 于 (於) and 余 (餘) are left out: after conversion they are mostly function words.
UNLISTED = "曹莫萬岳車畢談宗艾華單全季商常辜成戚花時楚谷史向米齊苗竇舒粘鄞凃植原"
WORD_OPENING = "高石田白金夏龍江溫古管戴方文包易左甘牛房祝武連唐馬程康童柳池雷伍章凌官任紀湯"
# (round 12) single surnames rarer still that are ordinary words (雲 cloud, 練 practise, 閻 as in
# 閻王): 雲秀英，…, 閻文忠 M/78, | 練美蘭 were left
ORDINARY_WORD_SURNAMES = "雲閻練仇鞏冉"
_SURNAMES = "".join(sorted({to_simplified(c) for c in UNLISTED + WORD_OPENING + ORDINARY_WORD_SURNAMES}))
# ... those that are verbs take an object: 練英文, 仇富 - their given characters may not be a word
_VERB_SURNAMES = frozenset(to_simplified("練仇鞏"))


def _given_is_word(given: str) -> bool:
    from deidentify.identifiers.chinese_names import _tables

    return len(given) == 2 and (_tables()[5].FREQ.get(given, 0) or 0) >= 20
# (and a few more frequent in older women's and men's names: 素娥, 碧雲, 阿 is no given character)
_GIVEN = "".join(sorted({to_simplified(c) for c in GIVEN_CHARS + "素碧錦琇珮瓊雯卿淑芳鳳桃嬌枝雲"}))
# Where a name may open when a Han character stands before it (a list, a time, a person word).
_BEFORE = tuple(sorted({to_simplified(w) for w in (
    "和", "與", "及", "跟", "由", "請", "今天", "昨天", "今日", "昨日", "明天", "稍早", "剛剛", "上午", "下午",
    "早上", "晚上", "凌晨", "家屬", "病人", "病患", "個案", "交班", "接班", "通知", "聯絡", "告知", "床邊",
    "是", "為", "叫", "找", "幫", "讓", "給", "對", "問", "等", "中")},
    key=len, reverse=True))
# What a person does or has right after the name (besides chinese_names._clause_goes_on).
_AFTER = tuple(sorted({to_simplified(w) for w in (
    "血壓", "血糖", "體溫", "心跳", "明早", "明天", "下午", "上午", "晚上", "早上", "尚未", "仍", "有", "無",
    "的", "拒絕", "已", "今", "昨", "自述", "主訴", "表示", "說", "來", "去", "因", "於", "在", "與", "和", "及",
    "術後", "住院", "出院", "入院", "轉", "需", "要", "未", "不", "可", "病史", "生命徵象", "意識", "進食",
    "服藥", "吃", "抽血", "同意", "希望", "想", "覺得", "訴", "咳嗽", "發燒", "疼痛", "頭暈", "跌倒", "情緒",
    "討論", "確認", "說明", "溝通", "聯繫", "聯絡", "一起", "目前", "最近", "這次", "本次", "此次",
    "下週", "下次", "下個月", "精神", "會", "能", "咳嗽", "需要", "同住", "陪同", "陪病", "照顧")},
    key=len, reverse=True))
# the scan (and the scrubber's prefilter): a surname, one or two given characters, then a
# non-Han character, the end or any Han character (the rest is decided in find)
SCAN = re.compile(f"[{_SURNAMES}][{_GIVEN}]")
_NAME_TAGS = ("nr", "nrfg", "nrt")
# jieba's dictionary holds many names and small places as rare words (江建国 5, 康平 5, 季平 3):
# below this frequency a word is no evidence against a name
_RARE = 20
_FREQ_COMMON = 100      # as chinese_names._COMMON_WORD_FREQ
# a surname and its first given character that are a word this frequent read as the word even
# before a third given character (全国平均); rarer ones are names there (万国 155|平, 高雅 309|婷)
_PAIR_COMMON = 2000


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@functools.cache
def _after_rx() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _AFTER)))


# what only a person does right after a name (a word of two characters must meet one of these)
_PERSON_AFTER = tuple(sorted({to_simplified(w) for w in (
    "陪同", "來電", "表示", "說", "主訴", "自述", "同住", "想", "家屬", "精神", "拒絕", "同意", "詢問", "回診",
    "覺得", "今天回診", "討論", "的太太", "的先生", "的女兒", "的兒子")}, key=len, reverse=True))
_PAIR_TAGS = ("nr", "nrfg", "nrt", "ns", "n", "nz")


@functools.cache
def _person_rx() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _PERSON_AFTER)))


def _opens(simp: str, i: int) -> bool:
    if i == 0 or not _is_han(simp[i - 1]):
        return True
    return any(simp.startswith(w, i - len(w)) for w in _BEFORE)


def _closes(simp: str, end: int, given: int) -> bool:
    from deidentify.identifiers.chinese_names import _clause_goes_on, _tables

    if (end >= len(simp) or not _is_han(simp[end]) or _after_rx().match(simp, end) is not None
            or _clause_goes_on(simp, end)):
        return True
    if given < 2:
        return False        # (常和|家人: one given character needs one of the words above)
    # after two given characters, a common word opening right there (精神佳, 下周, 需要, 咳嗽),
    # the last given character making no word with it (成功|率 stays a word)
    tags, freq = _tables()[4], _tables()[5].FREQ
    nxt = simp[end:end + 2]
    return (len(nxt) == 2 and (freq.get(nxt) or 0) >= _FREQ_COMMON and tags.get(nxt) not in _NAME_TAGS
            and not freq.get(simp[end - 1:end + 1]))


def _word_like(simp: str, i: int, end: int) -> bool:
    """Do the characters read as an ordinary word here?  (a dictionary word at the surname
    covering the first given character, a word opening there that runs past the name, or a
    clinical term covering the surname)"""
    from deidentify.identifiers.chinese_names import _tables
    from deidentify.identifiers.name_runs import starts_a_word

    tags, freq = _tables()[4], _tables()[5].FREQ
    if (freq.get(simp[i:i + 2]) or 0) >= _PAIR_COMMON:
        return True         # 全国, 高兴, 文明, 常见
    if end - i == 2 and simp[i:i + 2] in freq:
        # a two-character name that is a word (全家, 高达 3): only a rare one (马杰 nr, 江平 ns)
        # that a person's act follows (由马杰陪同, 江平精神佳; 高达。 stays)
        return (freq[simp[i:i + 2]] >= _RARE or tags.get(simp[i:i + 2]) not in _PAIR_TAGS
                or _person_rx().match(simp, end) is None)
    for n in (4, 3):        # 金华街 is a word; jieba knows 江建国 (5, ns), 成志明 (nr) as names
        w = simp[i:i + n]
        if len(w) == n and n >= end - i and (freq.get(w) or 0) >= 300:
            return True     # (a frequent word whatever its tag: 石家庄 nr 440 is a city)
        if len(w) == n and n >= end - i and (freq.get(w) or 0) >= _RARE and tags.get(w) not in _NAME_TAGS:
            return True
    if end - i == 3 and (freq.get(simp[i + 1:i + 4]) or 0) >= _FREQ_COMMON and i + 4 <= len(simp) \
            and not all(c in _GIVEN for c in simp[i + 1:i + 3]):
        return True         # the given part with what follows is a word
    return starts_a_word(simp, i, end)


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of bare names with a word-opening or unlisted surname in Simplified text."""
    out: list[tuple[int, int]] = []
    last = -1
    for m in SCAN.finditer(simp):
        i = m.start()
        if i < last or not _opens(simp, i):
            continue
        # two given characters first, then one
        for end in (i + 3, i + 2):
            if end > len(simp) or not all(c in _GIVEN for c in simp[i + 1:end]):
                continue
            if _closes(simp, end, end - i - 1) and not _word_like(simp, i, end) \
                    and not (simp[i] in _VERB_SURNAMES and _given_is_word(simp[i + 1:end])):
                out.append((i, end))
                last = end
                break
    return out
