"""Names in slots a note's layout reserves for a person (D1, round 12).

Nursing handovers, social workers' notes, phone logs and ward tables put a person where only a
person goes, and there the name's own shape need not prove much; a probe of such notes left
rare surnames (雲, 閻, 練: on no general list, they open ordinary words), a compound surname with
one given character (司馬文) and Latin names (May Cruz, Watan Tanga) in these slots:
- a relation and the name in brackets: 案妻（林美玉）, 案子(Watan Tanga), 次女【司馬文】;
- a staff title and the name, either order: 護理師 練美蘭, RN 閻文忠, 雲秀英 MD, 司馬文 護理師,
  記錄者：…, 覆 …;
- a ward table's person column (姓名, 病人, 主護, 照顧者 … in a header line split by | or tabs):
  every cell below it that is not empty, a number or a "none" word;
- a name broken over a line (游⏎明德, 萬家⏎榮), the line starting where a name can start;
- a humble name after a kinship word that then speaks (阿公石頭說要回家) and a Taiwanese
  nickname in POJ (「A-bîng」來探病, A-hiông 說).
In the first three a Han value must still read as a name: a surname (the general list, the rare
surnames' and the few here), given characters that are given-name characters, and no common
word.  Works on the normal form (half-width, Simplified); every pattern is bounded.
"""
from __future__ import annotations

import functools
import re

from deidentify.identifiers import bare_given
from deidentify.identifiers import chinese_names as C
from deidentify.identifiers.normalise import to_simplified
from deidentify.regex_cache import compiled

_S = to_simplified
_H = r"\u4e00-\u9fff"


@functools.lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    from deidentify.identifiers import rare_surnames

    return frozenset(C._SURNAMES_S) | frozenset(rare_surnames._SURNAMES)   # (雲, 閻, 練 too)


@functools.lru_cache(maxsize=1)
def _given() -> frozenset[str]:
    from deidentify.identifiers import rare_surnames

    return frozenset(C._GIVEN_CHARS_S) | frozenset(rare_surnames._GIVEN) | frozenset(_S("寧"))


# 又, 之, 一 open many given names (雷又寧, 童一方) and are function characters elsewhere: beside a
# given-name character they may stand (高一點, 高又胖 have none)
_FUNCTION_GIVEN = frozenset("又之一")


def _not_given() -> frozenset[str]:
    from deidentify.identifiers import split_names

    # (and the last characters of a shift, ward or department before a title: 白班 護理師)
    return split_names._NOT_GIVEN | _PLACE_ENDS


_PLACE_ENDS = frozenset(_S("班院科房區組室部"))


_FUNCTION_SURNAMES = frozenset(_S("曾同向於余和及都但只才又也還沒無正常全時本原由從在給把被對將就再更最"))
_RARE_WORD = 20


def surname_len(w: str) -> int:
    """Characters of ``w``'s surname (2: compound, 1: single, 0: none) on the broad list."""
    if w[:2] in C._SURNAMES_S and len(w[:2]) == 2:
        return 2
    return 1 if w[:1] in _surnames() else 0


def reads_as_name(w: str) -> bool:
    """A surname then one or two given characters, none a function or clinical character, one
    at least a given-name character, and no common word unless every given character is one."""
    n = surname_len(w)
    given = w[n:]
    if not n or not 1 <= len(given) <= 2 or not all("\u4e00" <= c <= "\u9fff" for c in w):
        return False
    g, ng = _given(), _not_given()
    freq = C._tables()[5].FREQ
    if any(c in ng and c not in g and c not in _FUNCTION_GIVEN for c in given):
        return False
    if not any(c in g for c in given):
        # (rarer given characters, 雲一舟: neither the name nor its given part is a word)
        return len(given) == 2 and all((freq.get(x, 0) or 0) < _RARE_WORD for x in (w, given, w[:n + 1]))
    if (freq.get(w, 0) or 0) >= C._COMMON_WORD_FREQ and (len(w) == 2 or not all(c in g for c in given)):
        return False        # a common word (高中, 金山 as a word), unless three characters all a name's
    # a surname that is also a function word (曾 once, 同 with, 向 towards): its given characters
    # may not be a word (曾中風, 同住, 向左)
    return not (w[0] in _FUNCTION_SURNAMES and n == 1 and (freq.get(given, 0) or 0) >= _RARE_WORD)


def _alt(words: str) -> str:
    return "|".join(sorted({re.escape(_S(w)) for w in words.split()}, key=lambda w: (-len(w), w)))


# -- a relation, then the name in brackets ------------------------------------------------------
_RELATIONS = _alt("案妻 案夫 案子 案女 案母 案父 案兄 案弟 案姊 案姐 案妹 案孫 案孫女 案媳 案婿 長子 次子 三子 么子 長女 次女 "
                  "三女 么女 兒子 女兒 太太 先生 丈夫 妻子 配偶 媳婦 女婿 孫子 孫女 母親 父親 哥哥 姊姊 姐姐 弟弟 妹妹 "
                  "看護 外籍看護 外傭 聯絡人 照顧者 主要照顧者 監護人 代理人 鄰居 朋友 同事 室友 阿姨 舅舅 叔叔 伯伯 姑姑 "
                  "姪子 姪女 外甥 案媳婦 前妻 前夫 同居人 女友 男友 阿公 阿嬤 阿媽 阿伯 阿婆 阿叔 阿爸 阿母 爺爺 奶奶 "
                  "外公 外婆 病人 病患 患者 個案 案主 家屬")
RELATION_BRACKET = compiled("(?:" + _RELATIONS + r")[ \t]*[(\[【〔](?P<v>[^()\[\]【】〔〕\n]{2,40})[)\]】〕]")
# a Latin name: one to four capitalised words (Watan Tanga, Joy Dela Cruz, Nguyen Thi Lan)
_LATIN_VALUE = re.compile(r"[A-Z][a-z'’\-]{1,15}(?:[ \t]+[A-Z][a-z'’\-]{0,15}){0,3}")
# what a relation's brackets hold besides a name: a nationality or a place
_NOT_LATIN_NAMES = frozenset("""indonesia indonesian vietnam vietnamese philippines filipino filipina thailand thai
taiwan taiwanese japan japanese china chinese usa america american canada australia korea korean malaysia
hongkong hong kong singapore none unknown deceased""".split())


def _latin_value(v: str) -> bool:
    from deidentify.dicom.label_terms import known_word
    from deidentify.identifiers.western_names import _census

    if not _LATIN_VALUE.fullmatch(v):
        return False
    from deidentify.identifiers.latin_slots import _PLACES_AND_BODIES

    words = [w.lower() for w in v.split()]
    if any(w in _NOT_LATIN_NAMES or w in _PLACES_AND_BODIES for w in words):
        return False
    # (a clinical or English word alone in the brackets is what the relation has, not who)
    return len(words) >= 2 or words[0] in _census()[0] or not known_word(v)


def _relation_brackets(simp: str) -> list[tuple[int, int]]:
    out = []
    for m in RELATION_BRACKET.finditer(simp):
        v = m.group("v")
        lead = len(v) - len(v.lstrip())
        core = v.strip()
        a = m.start("v") + lead
        if _latin_value(core) or (2 <= len(core) <= 4 and reads_as_name(core)):
            out.append((a, a + len(core)))
    return out


# -- a staff title, then or after the name -------------------------------------------------------
_TITLES_BEFORE = _alt("收件人 收件者 寄件人 寄件者 發件人 發信人 負責人 承辦人 經辦人 申請人 見證人 立同意書人 簽收人 "
                      "護理師 護士 醫師 主治醫師 住院醫師 總醫師 專科護理師 社工師 社工 藥師 營養師 個管師 治療師 物理治療師 "
                      "職能治療師 心理師 記錄者 記錄 紀錄 交班者 交班 接班者 接班 覆 簽名 填表人 主護 Dr Dr. RN NP MD "
                      "NSP PGY R1 R2 R3 CR VS Nurse Caregiver 訪視者 訪視人員 雇主")
TITLE_BEFORE = compiled(r"(?<![A-Za-z])(?:" + _TITLES_BEFORE + r")[ \t]*[:：]?[ \t]*(?P<v>[" + _H + r"]{2,4})(?![" + _H + "])")
_TITLES_AFTER = _alt("護理師 醫師 RN MD NP 簽 (社工) (護理師) (個管) (營養師) (藥師) 社工師 藥師 營養師 個管師")
TITLE_AFTER = compiled(r"(?<![" + _H + r"])(?P<v>[" + _H + r"]{2,4})[ \t]*(?:" + _TITLES_AFTER + r")(?![A-Za-z])")


def _titles(simp: str) -> list[tuple[int, int]]:
    return [m.span("v") for rx in (TITLE_BEFORE, TITLE_AFTER) for m in rx.finditer(simp)
            if reads_as_name(m.group("v")) or _rarer_name(m.group("v"))]


def _rarer_name(w: str) -> bool:
    """(round 13) after a staff title: a surname (or a census surname that opens words, 滿, 冷, 伏)
    and two older, Hakka or literary given characters (藥師 滿天星, Nurse: 冷若冰; given_chars)."""
    from deidentify.identifiers.given_chars import SPACED_SURNAMES, plausible_given

    return len(w) == 3 and (surname_len(w) == 1 or w[0] in SPACED_SURNAMES) and plausible_given(w[1:]) \
        and (C._tables()[5].FREQ.get(w, 0) or 0) < C._COMMON_WORD_FREQ


# -- a ward table's person column ---------------------------------------------------------------
_PERSON_HEADERS = frozenset(_S(w).lower() for w in """姓名 病人 病患 個案 案主 主護 主責護理師 護理師 醫師 主治醫師 照顧者
主要照顧者 看護 家屬 聯絡人 緊急聯絡人 負責人 填表人 記錄者 name patient pt nurse rn caregiver carer family contact
physician doctor""".split())
_NOT_A_PERSON = frozenset(_S(w).lower() for w in "無 自己 本人 自行 不詳 同上 空 n/a na none self nil - -- — ─ ? ？".split())
_TABLE_GATE = compiled(r"[|\t]|[^ \t\n][ \t]{2,}[^ \t\n]")


_ALIGNED = re.compile(r"[ \t]{2,}")


def _cells(line: str, sep: str, at: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of ``line`` (at offset ``at``), blanks trimmed; ``sep`` " ":
    columns aligned with two blanks or more."""
    if sep == " ":
        body = line.strip()
        lead = len(line) - len(line.lstrip())
        out, pos = [], at + lead
        for m in _ALIGNED.finditer(body):
            out.append((pos, at + lead + m.start()))
            pos = at + lead + m.end()
        out.append((pos, at + lead + len(body)))
        return out
    out, pos = [], 0
    for part in line.split(sep):
        lead = len(part) - len(part.lstrip())
        out.append((at + pos + lead, at + pos + len(part.rstrip())))
        pos += len(part) + 1
    return out


def _table_cells(simp: str, original: str | None) -> list[tuple[int, int]]:
    if not _TABLE_GATE.search(simp):
        return []
    out: list[tuple[int, int]] = []
    lines, pos = [], 0
    # (the lines as written: the normal form reads a break between digits as a separator)
    for line in (original if original is not None and len(original) == len(simp) else simp).split("\n"):
        lines.append((simp[pos:pos + len(line)], pos))
        pos += len(line) + 1
    columns: list[int] = []
    sep, width, going_on = "", 0, False
    for line, at in lines:
        # (two columns have one separator: Name | Dx)
        s = ("|" if line.count("|") >= 1 else "\t" if line.count("\t") >= 1
             else " " if len(_ALIGNED.findall(line.strip())) >= 1 else "")
        if not s and columns and sep in "|\t" and sep in line:
            s = sep         # (a piece of a row broken over a line: 12B | 練美⏎蘭 | COPD | …)
        if not s:
            columns = []
            continue
        cells = _cells(line, s, at)
        heads = [i for i, (a, b) in enumerate(cells) if simp[a:b].lower() in _PERSON_HEADERS]
        if heads and s == " " and (":" in line or any(b - a > 12 for a, b in cells)):
            heads = []      # (a form's labels packed with blanks, 姓名  : 楊俊傑   身分證  :, are no header)
        if heads:
            columns, sep, width, going_on = heads, s, len(cells), False
            continue
        if s != sep:
            columns = []
            continue
        # (a row broken over a line by a name in it, 12B | 練美⏎蘭 | COPD | 司馬文: its first piece
        # has the columns from the left, the piece that goes on has them from the right)
        at_cols = {i - width for i in columns} if going_on else set(columns)
        going_on = len(cells) < width and not going_on
        for i in at_cols:
            if -len(cells) <= i < len(cells):
                a, b = cells[i]
                v = simp[a:b]
                if v and v.lower() not in _NOT_A_PERSON and _cell_is_person(v):
                    out.append((a, b))
    return out


def _cell_is_person(v: str) -> bool:
    """A person column's cell that names someone: Latin words that read as a name, or Han
    characters that read as one or are no word (an output table's Patient column holds groups:
    Male, Inpatient, 住院, 門診 stay)."""
    if re.fullmatch(r"[\W\d_]+", v) or "<" in v:
        return False
    if not any("\u4e00" <= c <= "\u9fff" for c in v):
        if " " not in v.strip():
            # (one word: a census name only - an output table's groups are words, Inpatient, Total)
            from deidentify.identifiers.western_names import _census

            return v.lower() in _census()[0] or (v.lower() in _census()[1] and _latin_value(v))
        return _latin_value(v) or bool(re.fullmatch(r"[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){1,3}", v)) and not \
            any(w.lower() in _NOT_LATIN_NAMES for w in v.split())
    han = re.sub(r"[^\u4e00-\u9fff]", "", v)
    freq = C._tables()[5].FREQ
    return reads_as_name(han) if 2 <= len(han) <= 4 and (freq.get(han, 0) or 0) >= _RARE_WORD else len(han) >= 2


# -- a name broken over a line ----------------------------------------------------------------------
# one to three Han characters ending a line where a name can start (after a non-Han character),
# the next line opening with one or two Han characters that end there
BROKEN = compiled(r"(?<![" + _H + r"])(?P<a>[" + _H + r"]{1,3})[ \t]*\r?\n[ \t]*(?P<b>[" + _H + r"]{1,2})(?![" + _H + "])")


def _broken(simp: str) -> list[tuple[int, int]]:
    out = []
    for m in BROKEN.finditer(simp):
        a, b = m.group("a"), m.group("b")
        if len(a) + len(b) <= 4 and reads_as_name(a + b) and surname_len(a + b) <= len(a):
            out.append((m.start("a"), m.end("b")))
    return out


def continued(simp: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A found name that ends a line and goes on at the next line's start (<NAME>⏎蘭): the name
    with the characters it goes on with."""
    out = []
    for a, b in spans:
        # (a two-character part goes on with one character whatever follows: 張淑⏎惠陪同)
        m = _GOES_ON.match(simp, b) or (_GOES_ON_ONE.match(simp, b) if b - a == 2 else None)
        if m and (b - a) + len(m.group("b")) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in simp[a:b]) \
                and reads_as_name(simp[a:b].strip() + m.group("b")):
            out.append((a, m.end("b")))
    return out


_GOES_ON = compiled(r"[ \t]*\r?\n[ \t]*(?P<b>[" + _H + r"]{1,2})(?![" + _H + "])")
_GOES_ON_ONE = compiled(r"[ \t]*\r?\n[ \t]*(?P<b>[" + _H + "])")


# -- nicknames ----------------------------------------------------------------------------------
_KIN = _alt("阿公 阿嬤 阿媽 阿伯 阿婆 阿姨 阿叔 阿爸 阿母 老伴 案父 案母 案夫 案妻 爸爸 媽媽 爺爺 奶奶 外公 外婆 阿祖")
_SAYS = _alt("說 講 表示 拒絕 同意 要 不要 想 堅持 吵著")
KIN_HUMBLE = compiled("(?:" + _KIN + r")(?P<v>[" + _H + "]{2})(?=" + _SAYS + ")")
# POJ nicknames: A- (阿) or Sió- (小) and one syllable, in quotes or before a person's act in Han
POJ_NICK = compiled(r"(?<![A-Za-z\-])(?P<v>(?:A|Ah|Sio|Sió|Á)-[a-zA-Z\u00c0-\u024f\u0300-\u036f\u1e00-\u1effⁿ]{2,8})"
                    r"(?![A-Za-z\-])(?P<q>[」”\"'’』]?)[ \t]*(?P<act>" + _alt("來 說 講 表示 陪 回電 來電 探病 探視 也") + ")?")
_NOT_POJ = frozenset("fib flutter line lines wave waves scan mode frame sign level grade type".split())


# a nickname whose relative follows (阿明的太太, 小美的媽媽): the nickname is a person's
NICK_KIN = compiled(r"(?<![" + _H + r"])(?P<v>[阿小][" + _H + r"])(?=的(?:" + _alt(
    "太太 先生 老婆 老公 媽媽 爸爸 女兒 兒子 孫子 孫女 家人 家屬 媳婦 女婿 妻子 丈夫 看護 男友 女友") + "))")


def _nicknames(simp: str) -> list[tuple[int, int]]:
    out = [m.span("v") for m in KIN_HUMBLE.finditer(simp) if bare_given.humble(m.group("v"))]
    out += [m.span("v") for m in NICK_KIN.finditer(simp) if m.group("v")[1] in _given()]
    for m in POJ_NICK.finditer(simp):
        syl = m.group("v").split("-", 1)[1].lower()
        quoted = m.start() > 0 and simp[m.start() - 1] in "「“\"'‘『" and m.group("q")
        if syl not in _NOT_POJ and (quoted or m.group("act")):
            out.append(m.span("v"))
    return out


def before_bracketed(simp: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A nickname right before a found name in brackets (阿明（林志明）): the same person."""
    out = []
    g = _given()
    for a, _ in spans:
        if a >= 3 and simp[a - 1] in "(（[【":
            nick = simp[a - 3:a - 1]
            if ((nick[0] in "阿小" and nick[1] in g) or (nick[1] == "仔" and nick[0] in g)) \
                    and (a == 3 or not "\u4e00" <= simp[a - 4] <= "\u9fff"):
                out.append((a - 3, a - 1))
    return out


# a nickname then the name in brackets (阿嬌（諸葛明）, 阿雄（雲秀英）): both, when the bracket reads as a name
NICK_BRACKET = compiled(r"(?<![" + _H + r"])(?P<k>[阿小][" + _H + r"]仔?|[" + _H + r"]仔)[ \t]*[(\[【](?P<v>[" + _H
                        + r"]{2,4})[)\]】]")


def _nick_brackets(simp: str) -> list[tuple[int, int]]:
    out = []
    for m in NICK_BRACKET.finditer(simp):
        k = m.group("k")
        if (k[1] in _given() if k[0] in "阿小" and len(k) > 1 and k[1] != "仔" else k[0] in _given()) \
                and reads_as_name(m.group("v")):
            out += [m.span("k"), m.span("v")]
    return out


# the name an e-mail address is shown under (練美蘭 <ml@…>, "May Cruz" <may@…>): the sender's or the
# addressee's, whatever its words (an office's name there goes too: nothing tells them apart)
MAIL_DISPLAY = compiled(r"(?P<v>(?<![A-Za-z])[A-Z][A-Za-z'’\-]*(?:[ \t]+[A-Z][A-Za-z'’\-]*){0,3}|(?<![" + _H + r"])["
                        + _H + r"]{2,4})[\"”]?[ \t]*<[^<>@\s]{1,64}@")


def _mail_display(simp: str) -> list[tuple[int, int]]:
    return [m.span("v") for m in MAIL_DISPLAY.finditer(simp) if m.group("v").isascii() or reads_as_name(m.group("v"))] \
        if "@" in simp else []


GATES = (MAIL_DISPLAY, NICK_BRACKET, NICK_KIN, RELATION_BRACKET, _TABLE_GATE, TITLE_BEFORE, TITLE_AFTER, BROKEN, KIN_HUMBLE, POJ_NICK)


def find(simp: str, original: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of names in a person's slot of the note's layout; ``original``: the text as
    written (its line breaks)."""
    return sorted(set(_relation_brackets(simp) + _titles(simp) + _table_cells(simp, original) + _broken(simp)
                      + _nicknames(simp) + _nick_brackets(simp) + _mail_display(simp)))
