"""Names in the short values a cleaned DICOM object keeps that ``asian_names``' romanised rules
do not read (D1, round 5): names in ideographs alone in a label, author-year citations that no
standard table cites, and a name split across two kept values.

- **Ideographs** (``cjk_names_in``): a label people type may be Chinese (胸部, 肝臟腫瘤) but a
  name alone in one (陳美玲, 山田太郎, 美玲, 志豪) passed: the scrubber needs a context the label
  does not have.  An ideograph run is a name when it opens with a Japanese surname and goes on
  (山田太郎, 佐藤健), ends with a Japanese given name (…太郎, …花子), or when it or one of jieba's
  words in it is a Chinese surname and one or two given-name characters (陳美玲, 歐陽娜娜) or two
  given-name characters alone (美玲) - unless jieba's dictionary has it as an ordinary word
  (光明, 正中, 中正 are words; 美玲 is not).
- **Citations** (``uncited_author``): an author and a year ("BPD, Shinozuka 1996") name a
  published table in the standard's code meanings; the same form around another name ("by Yamada
  1990", "FL, Okafor 1994", "Kuo et al.") carried a person out.  Only the authors the standard's
  own code meanings cite are kept in that form.
- **Split names** (``split_pairs``): "WANG" in one kept value and "MEI" in another, neither a
  name by itself to the rules; one value that is a surname alone and another that is a given
  name alone (syllables of one) in the same object take each other out.

- **Person-name syntax**: letters joined by ``^`` ("OKAFOR^CHIDI", "^MEILING") in a value that
  is not a person name.
- **Scripts** (``foreign_script``, moved from deid.py): a device value in ideographs, kana or
  hangul, a label in kana or hangul (round 3), and either with a word of three letters in a script
  neither is written in here (Cyrillic, Greek, Thai …: "Ван Сяомин", round 5).

Wrong guesses cost a label (removed whole, never altered); a name missed costs a person.
"""
from __future__ import annotations

import functools
import re

from deidentify.dicom import asian_names as an
from deidentify.dicom.profile import LABELS, TECHNICAL
from deidentify.identifiers.chinese_names import COMPOUND_SURNAMES, GIVEN_CHARS, SINGLE_SURNAMES
from deidentify.identifiers.normalise import to_simplified

# Frequent Japanese surnames in kanji (distinctive ones: no Taiwanese place or clinical word
# opens with them - 中山, 清水, 金子 are left out).
_JP_SURNAMES = frozenset("""
山田 田中 佐藤 鈴木 高橋 渡辺 渡邊 渡邉 伊藤 中村 小林 加藤 吉田 山本 山口 松本 井上 木村 斎藤 斉藤 齋藤
山崎 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 福田
太田 西村 藤井 岡本 藤原 三浦 原田 松田 竹内 小野 田村 和田 石田 森田 上田 内田 柴田 酒井 宮崎 横山
高木 安藤 宮本 大野 小島 工藤 谷口 今井 高田 丸山 増田 杉山 村田 大塚 藤本 河野 上野 野口 武田 松井
千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 菊地 杉本 古川 大西 島田 水野 桜井 櫻井 高野 渡部 吉川 山内
西田 飯田 菊池 西川 小松 北村 安田 五十嵐 川口 平田 中田 久保田 服部 岩田 土屋 川村 星野 黒田 尾崎
望月 永井 松岡 荒木 大久保 野田 大橋 松下 浅野 小池 田口 浜田 大石 吉村 池上 宮田 堀内 片山 菅野
""".split())
# Japanese given names by their usual endings, and some whole ones.
_JP_GIVEN = re.compile(r"(?:太郎|次郎|三郎|一郎|四郎|五郎|[\u4e00-\u9fff]?郎|花子|美穂|由美|恵美|真由美|直美|"
                       r"裕子|恵子|和子|幸子|洋子|京子|智子|久美子|明美|陽子|優子|翔太|健太|大輔|拓也|達也|"
                       r"健一|誠|健|翔|蓮|陽菜|結衣|美咲|さくら)$")
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]{2,}")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SURNAMES_S = frozenset(to_simplified(c) for c in SINGLE_SURNAMES)
_COMPOUNDS_S = tuple(sorted({to_simplified(s) for s in COMPOUND_SURNAMES}, key=len, reverse=True))
_GIVEN_S = frozenset(to_simplified(c) for c in GIVEN_CHARS + "小")
_EPONYM_ZH = re.compile(r"[\u4e00-\u9fff]{1,4}氏(?=[\u4e00-\u9fff])")
_COMMON_FREQ = 100      # a jieba word this frequent, not tagged a person name, is an ordinary word


@functools.cache
def _jieba():
    from deidentify.identifiers.chinese_names import _tables

    tables = _tables()
    return tables[4], tables[5]   # word → part-of-speech tag, the tokenizer


def _ordinary_word(simp: str) -> bool:
    # the tag is not asked: jieba tags 安静 and 高雅 "nr"; names are rare words (美玲 3, 俊杰 27)
    return _jieba()[1].FREQ.get(simp, 0) >= _COMMON_FREQ


# Taiwanese places that open with a surname character (高雄, 林口): a word with one is a place.
_PLACES_S = tuple(to_simplified(p) for p in (
    "高雄 台北 臺北 台中 臺中 台南 臺南 桃園 新竹 嘉義 屏東 花蓮 台東 臺東 宜蘭 基隆 苗栗 彰化 南投 雲林 澎湖 金門 "
    "馬祖 林口 北投 萬華 中山 大安 信義 松山 士林 內湖 南港 文山 板橋 三重 永和 中和 新莊 淡水 汐止 龍潭 "
    "楊梅 鳳山 岡山 左營 楠梓 羅東 蘇澳 馬偕 長庚 榮總 慈濟 彰基 奇美 亞東 國泰 和信").split())


# Imaging words made of given-name characters that jieba's dictionary holds rarely or not at all.
_TERMS_S = frozenset(to_simplified(w) for w in (
    "正子 中子 質子 光子 榮民 國民 民國 中華 英文 中文 國文 德文 平面 正面 立體 正中 中正 明暗 建議 信號 "
    "正常 正確 平均 平衡 安全 和平 新生 美國 英國 德國 中國 華人").split())


def _chinese_name(simp: str) -> bool:
    """A Chinese name alone (simplified, 2-4 characters): surname + 1-2 given-name characters,
    or two given-name characters - not an ordinary dictionary word."""
    if (not 2 <= len(simp) <= 4 or _ordinary_word(simp) or simp in _TERMS_S
            or any(p in simp for p in _PLACES_S)):
        return False
    sur = next((c for c in _COMPOUNDS_S if simp.startswith(c)), simp[0] if simp[0] in _SURNAMES_S else "")
    rest = simp[len(sur):]
    if len(sur) == 2 and sur != "东方" and 1 <= len(rest) <= 2:
        return True     # a compound surname (歐陽娜娜): distinctive whatever follows
    if sur and 1 <= len(rest) <= 2 and all(c in _GIVEN_S for c in rest):
        return len(rest) == 2 or len(sur) == 2 or not _ordinary_word(rest)
    return len(simp) == 2 and all(c in _GIVEN_S for c in simp)


def _japanese_name(run: str) -> bool:
    """A Japanese surname followed by at least one more ideograph anywhere in the run (山田太郎,
    高橋由美的影像), or a run ending with a Japanese given name (…太郎, …花子)."""
    for i in range(len(run) - 2):
        if any(run[i:i + k] in _JP_SURNAMES and _HAN.match(run[i + k:i + k + 1] or " ") for k in (3, 2)):
            return True
    return len(run) >= 3 and _JP_GIVEN.search(run) is not None and run[:2] not in ("新郎",)


def cjk_names_in(text: str) -> bool:
    """Does a run of ideographs in ``text`` hold a Chinese or Japanese person name?"""
    text = str(text)
    if not _HAN.search(text):
        return False
    # an eponym's name and 氏 before the rest of a term (橋本氏甲狀腺炎, 何杰金氏淋巴瘤, 菊池氏病) is
    # the disease's, not a person's
    text = _EPONYM_ZH.sub(" ", text)
    for m in _RUN.finditer(text):
        run = m.group()
        if _japanese_name(run):
            return True
        simp = to_simplified(run)
        _, dt = _jieba()
        words = [w for w in dt.cut(simp, HMM=True) if w.strip()]
        candidates = ([simp] if len(simp) <= 4 else []) + words + [a + b for a, b in zip(words, words[1:])]
        if any(_chinese_name(c) for c in candidates) or any(_japanese_name(to_simplified(w)) for w in words):
            return True
    return False


# Authors the standard's code meanings cite with a year (fetal biometry and growth tables):
# read from pydicom's concept dictionary; the form is kept for them alone.
KNOWN_AUTHORS = frozenset("""
alexander arbuckle brenner campbell chitkara chitty daya doubilet eriksen goldstein hadlock hansmann hellman
hill hohler jeanty kurtz lessoway mayden mercer mertz merz nelson nimrod nyberg osaka rempen robinson
sabbagha shepard shinozuka tokyo trout williams yarkoni
""".split())
_CITED = re.compile(r"(?<![\w'])([A-Z][A-Za-z'\-]+)(?:\s+(?:et\.?\s*al\.?|and\s+[A-Z]\w+|&\s*[A-Z]\w+))?\s*,?\s*"
                    r"\(?((?:19|20)\d\d)\b|(?<![\w'])([A-Z][A-Za-z'\-]+)\s+et\.?\s*al\b"
                    r"|(?<![\w'])([A-Z][A-Za-z'\-]+)\s+(?:and|&)\s+([A-Z][A-Za-z'\-]+)\s*,?\s*\(?(?:19|20)\d\d\b")
_NOT_AUTHORS = {"Table", "Tables", "Version", "Edition", "Release", "Since", "Before", "After", "Year", "In", "From",
                "Until", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Manual",
                "ICD", "Revision", "Standard", "Study", "Protocol", "Series", "Model", "Software", "Build", "Rev"}


def uncited_author(text: str) -> bool:
    """An author-year (or "et al.") form whose author the standard's code meanings do not cite."""
    for m in _CITED.finditer(str(text)):
        authors = [a for a in m.groups() if a and not a.isdigit()]
        for a in authors:
            if a.isupper() and len(a) <= 4:
                continue   # an abbreviation before a year ("BPD 1996", "ICRP 2007")
            if a not in _NOT_AUTHORS and a.lower().strip("'-") not in KNOWN_AUTHORS:
                return True
    return False


# --- a name split across two kept values ---------------------------------------------------

def _parts(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\\\0]", str(text)) if p.strip()]


def _surname_alone(part: str) -> bool:
    toks = [t for t, _, _ in an._tokens(part)]
    return len(toks) == 1 and len(toks[0]) >= 2 and (toks[0] in an._COMMON_SURNAMES or toks[0] in an._STRONG_SURNAMES)


def _given_alone(part: str) -> bool:
    """One or two given names or syllables of one, nothing else ("MEI", "Hui Min", "Lingwei")."""
    if re.search(r"[0-9]", part):
        return False
    toks = [t for t, _, _ in an._tokens(part)]
    return (1 <= len(toks) <= 2 and sum(len(t) for t in toks) >= 3
            and all(t not in _CODE_WORDS and (an._given(t) or t in an._SYLLABLES or t in an._PINYIN
                                              or an._syllables(t, an._GIVEN_SYLLABLES, 2)) for t in toks))


# Codes and words that are also syllables: never the given half of a split name.
_CODE_WORDS = {"long", "ping", "sun", "man", "fan", "pan", "tan", "ban", "wan", "ran", "hang", "bang", "gang", "sang",
               "tang", "song", "dong", "gong", "bin", "pin", "sin", "ma", "he", "men", "pen", "den", "hen", "die",
               "lie", "tie", "pie", "duo", "you", "lou", "chi", "shi", "zen", "ren", "sen", "ding", "gain", "bone"}


def split_pairs(texts: list[str]) -> set[int]:
    """Indexes of ``texts`` (the kept values of one object) that are the two halves of one name:
    a surname alone in one, a given name alone in another."""
    parts = [((i, k), p) for i, t in enumerate(texts) for k, p in enumerate(_parts(t))]
    sur = {at for at, p in parts if _surname_alone(p)}
    given = {at for at, p in parts if _given_alone(p)}
    if not any(a != b for a in sur for b in given):   # two different values, or two parts of one
        return set()
    return {i for i, _ in sur | given}


# A device's, a kernel's or a version's value is not written in ideographs, kana or hangul; a
# name may be (田中花子, 志豪 in ManufacturerModelName: the scrubber need not know the name).
# Labels people type may be Chinese (胸部) but not Japanese or Korean in a Taiwanese archive.
_IDEOGRAPHIC = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u3130-\u318f\uac00-\ud7af\uff66-\uff9f]")


# Words in a script neither a device nor a Taiwanese label is written in (Cyrillic, Greek, Hebrew,
# Arabic, Indic, Thai …): "Ван Сяомин", "ยามาดะ" passed every name rule (round 5).  Three letters
# in a row: a lone μ or α in a unit or a marker stays; a look-alike letter inside a Latin word is
# folded by asian_names.
_OTHER_SCRIPT_WORD = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff"
                                r"\u0750-\u077f\u0900-\u0dff\u0e00-\u0eff\u0f00-\u10ff\u1200-\u17ff]{3}")


def foreign_script(keyword: str, text: str) -> bool:
    """A device value or a label in a script it is not written in (the header sweep removes it)."""
    if (keyword in TECHNICAL or keyword in LABELS) and _OTHER_SCRIPT_WORD.search(text):
        return True
    if keyword in TECHNICAL:
        return bool(_IDEOGRAPHIC.search(text))
    return keyword in LABELS and bool(_KANA_HANGUL.search(text))


# A person name's syntax (PS3.5 PN: family^given^middle^prefix^suffix) in a value that is not one:
# "OKAFOR^CHIDI", "^MEILING", "ROSSI^GIULIA^^DR" - no device or code value is written that way.
_PN_SHAPE = re.compile(r"[^\W\d_]{2,}\s*\^+\s*[^\W\d_]|(?:^|[\s=\\])\^+[^\W\d_]{2,}|[^\W\d_]{2,}\^+(?:[\s=\\]|$)")


def names_in(text: str) -> bool:
    """A name in ideographs, an author-year form around an uncited name, or a person name's
    syntax."""
    return cjk_names_in(text) or uncited_author(text) or _PN_SHAPE.search(str(text)) is not None


__all__ = ["KNOWN_AUTHORS", "cjk_names_in", "foreign_script", "names_in", "split_pairs", "uncited_author"]
