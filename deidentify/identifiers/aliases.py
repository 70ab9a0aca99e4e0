"""A person's other name written in brackets beside a found one: 阮氏蘭（Nguyễn Thị Lan）,
瓦歷斯．諾幹（Walis Nokan）, 山田太郎（Yamada Taro）, Chen Mei-hua (陳美華), 王小明（小明）.

Notes give a foreign spouse's, carer's or Indigenous person's name in two scripts, or a legal
name with the name people use; the finders recognise one of the pair by its surname or its
context, and the other then follows from the brackets alone.  What stands in brackets after a
name is also often its relation (案女), its sex or its age: those words are no alias.
Runs on the normalised text (half-width, Simplified, Latin letters without diacritics).
"""
from __future__ import annotations

import re

_AFTER = re.compile(r"[ \t]*[（(][ \t]*(?P<a>[^()（）\n\x00]{1,40}?)[ \t]*[)）]")
_LATIN = re.compile(r"[A-Z][A-Za-z'’\-]*\.?(?:[ \t,]+[A-Z][A-Za-z'’\-]*\.?){0,3}")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,6}(?:[·‧•・.．][\u4e00-\u9fff]{1,6})?")
_LATIN_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z'’\-]*\.?(?:[ \t,]+[A-Z][A-Za-z'’\-]*\.?){0,3}[ \t]*$")

# Bracketed words after a name that say who the person is, not what they are called
# (Simplified, as the text is read; Latin in lower case).
_NOT_ALIAS_HAN = frozenset("""案女 案子 案妻 案夫 案母 案父 案孙 案媳 病人 病患 患者 个案 本人 家属 儿子 女儿 母亲 父亲
配偶 太太 先生 丈夫 妻子 孙子 孙女 媳妇 女婿 哥哥 姐姐 弟弟 妹妹 看护 外佣 邻居 朋友 同事 室友 监护人 联络人 照顾者
汉名 族名 本名 原名 小名 英文名 化名 中文名 昵称 暱称 别名 男性 女性 男生 女生 已殁 殁 已故 歿 签名 代签 主治 医师
护理师 社工 住院医师 主任 病人之子 病人之女 病患之子 病患之女 之子 之女 之妻 之夫 之母 之父 长子 长女 次子 次女
已婚 未婚 离婚 丧偶 同住 独居 外籍 本国籍 越南籍 印尼籍 菲律宾籍 泰国籍 日籍 美籍
印尼 越南 泰国 菲律宾 马来西亚 缅甸 柬埔寨 日本 韩国 美国 中国 大陆 香港 澳门 新加坡 台湾 印度 尼泊尔""".split())
_NOT_ALIAS_LATIN = frozenset("""patient pt daughter son wife husband mother father sister brother spouse partner
carer caregiver friend neighbour neighbor guardian contact self m f male female man woman boy girl deceased
chinese english vietnamese indonesian filipino thai japanese korean aboriginal indigenous taiwanese american
dr mr mrs ms miss md rn np pa do phd nurse doctor signed sign n/a na none unknown tbd""".split())


# (D1, round 7) what a bracket after a name says of the person (歿於肝癌, 已故, 因病): a clause
# holds a function word, a verb of dying or a disease character; a name none of them
_CLAUSE_CHARS = frozenset("的了在是于为因已无有未殁死故患病癌症炎痛伤瘤卒逝")


def _is_alias(w: str) -> bool:
    if _HAN.fullmatch(w):
        plain = not any(c in "·‧•・.．" for c in w)
        if plain and (len(w) > 4 or any(c in _CLAUSE_CHARS for c in w)):
            return False       # a Han name without a dot has two to four characters
        return (w not in _NOT_ALIAS_HAN and not w.startswith(("案", "病人", "病患", "患者"))
                and w[-1] not in "族籍人语话科院")      # 泰雅族, 越南籍, 客家人, 台语, 内科, 台大医院
    if _LATIN.fullmatch(w):
        words = [x.strip(".,").lower() for x in w.replace(",", " ").split()]
        return (not any(x in _NOT_ALIAS_LATIN for x in words)
                and (len(words) >= 2 or len(words[0]) >= 3))
    return False


def find(simp: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of aliases beside the name spans ``names``: a bracketed alias after a name, and
    a Latin name right before a bracketed found name (Walis Nokan（瓦历斯·诺干）)."""
    out: list[tuple[int, int]] = []
    for a, b in names:
        m = _AFTER.match(simp, b)
        if m and _is_alias(m.group("a")):
            out.append(m.span("a"))
        if a and simp[a - 1] in "(（" and b < len(simp) and simp[b] in ")）":
            before = _LATIN_BEFORE.search(simp, max(0, a - 60), a - 1)
            if before and _is_alias(before.group().strip()):
                out.append((before.start(), before.start() + len(before.group().rstrip())))
    return out


_LATIN_WORD = re.compile(r"[A-Za-z]")


# a name ending in a number character, written again before a unit, is an amount (伍佰|元)
_NUMBER_CHARS = frozenset("一二三四五六七八九十百千万佰仟拾壹贰叁肆伍陆柒捌玖两")
_UNIT_CHARS = frozenset("元块圆万亿角")


def occurrences(simp: str, w: str) -> list[tuple[int, int]]:
    """Every place the text writes the name ``w`` (already stripped): Han names of two
    characters or more; Latin ones of three letters or more, as whole words."""
    if len(w.replace(" ", "")) < 2:
        return []
    latin = bool(_LATIN_WORD.search(w))
    if latin and len(w) < 3:
        return []
    out: list[tuple[int, int]] = []
    at = simp.find(w)
    while at >= 0:          # (str.find: a regex compiled per name cost more than the scan)
        end = at + len(w)
        if not (latin and ((at and simp[at - 1].isascii() and simp[at - 1].isalpha())
                           or (end < len(simp) and simp[end].isascii() and simp[end].isalpha()))) \
                and not (w[-1] in _NUMBER_CHARS and simp[end:end + 1] in _UNIT_CHARS):
            out.append((at, end))       # (伍佰 the person, 伍佰元 the amount: round 8)
        at = simp.find(w, at + 1)
    return out


def repeats(simp: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every other place the text writes a found name again (Wati … Wati 的手机, 林美华 … 美华
    is not this: the same characters only): a name once found is masked wherever it stands."""
    out: list[tuple[int, int]] = []
    seen: set[str] = set()
    for a, b in names:
        w = simp[a:b].strip()
        if w in seen:
            continue
        seen.add(w)
        out += [(at, end) for at, end in occurrences(simp, w) if not (a <= at < b)]
    return out
