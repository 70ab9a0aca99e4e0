"""Chinese names written apart (D1): 王 小 明, 王．小．明, 王　小明, 司-馬-鴻-新, 王 - 小明.

Probes spaced a name's characters (spaces, full-width spaces, dots, hyphens) so that no finder,
which reads runs of Han characters, saw a name.  Ordinary notes seldom put one separator between
single Han characters, so the shape carries the evidence; the characters still have to read as
a name:
- every character stands alone (王 小 明, 3-5 pieces with one and the same separator): the first
  (or first two: 司-馬) a listed surname, none of the rest a function or clinical character
  (有 高 血 壓);
- a surname, one separator, then one or two characters (王　小明; three after a second surname:
  宋 沈思倩): the same, at least one common given-name character, and the surname not the end of
  a word before it (偏高 需注意 is no name).
Works on the Simplified normal form (full-width separators are half-width there).
"""
from __future__ import annotations

import re

from deidentify.identifiers import chinese_names as C
from deidentify.identifiers import rare_surnames
from deidentify.identifiers.given_chars import SPACED_SURNAMES, plausible_given
from deidentify.identifiers.normalise import to_simplified
from deidentify.regex_cache import compiled

_H = r"[\u4e00-\u9fff]"
# one separator: spaces (a full-width one is a space in the normal form), or a dot/hyphen/slash
# with optional spaces either side
_SEP = r"(?:[ \t]{1,3}|[ \t]?[.・·‧•\-_/][ \t]?)"
# (round 12) and the rare surnames (萬 家 榮, 岳 秀英, 閻  文  忠: on no general list, they open
# words; spaced apart they are read as written)
_RARE_S = frozenset(to_simplified(rare_surnames.UNLISTED + rare_surnames.WORD_OPENING + rare_surnames.ORDINARY_WORD_SURNAMES))
_ALL_S = frozenset(C._SURNAMES_S) | _RARE_S | SPACED_SURNAMES
_SURNAME_FIRST = "".join(sorted({c[0] for c in _ALL_S}))
# (the general list's given characters, older ones and 寧, as slot_names reads them)
_RARE_GIVEN = frozenset(rare_surnames._GIVEN) | frozenset(to_simplified("寧"))
# a Han character that may open a name, a separator, then Han characters each after the same
# separator (\2); whether they read as a name is decided in ``find``.  Opens with a character
# set, so the engine skips to candidates at C speed.
SPACED = compiled("[" + _SURNAME_FIRST + "](?:" + _H + "(?=" + _SEP + "))?(" + _SEP + ")" + _H + "(?:"
                  + _H + "{1,2}|(?:\\1" + _H + "){1,4})?")
# characters that end or join words, never part of a given name
_NOT_GIVEN = C._STOP_S | set(to_simplified("地得着過呢吧嗎啊喔哦嗯耶很太更最都還只才又也不沒非請需應該可能做看聽吃喝"
                                          "拿放給讓使用由以於及或跟同並且若如果但卻然後前後上下左右內外高低"
                                          "血壓糖尿痛腫熱紅癢咳痰喘燒吐瀉色液體狀片粒次天週"))


def _freq(word: str) -> int:
    return C._tables()[5].FREQ.get(word, 0) or 0


def _surname_len(pieces: list[str]) -> int:
    """Characters of the surname (2: a compound, whole or split: 欧阳 小明, 司-马-鸿-新, 司 马富);
    0: the first piece is no surname."""
    joined = "".join(pieces)
    if joined[:2] in C._SURNAMES_S and len(pieces[0]) <= 2:
        return 2
    return 1 if len(pieces[0]) == 1 and joined[0] in _ALL_S else 0


def _given_ok(given: str, strict: bool) -> bool:
    """``strict`` (one separator, the weaker shape): a common given-name character is needed."""
    # (round 12: spaced apart one by one, 雷  又  寧, 又/之/一 open given names as elsewhere)
    # (round 13) 甘 寶玉, 溫 阿水, 鞏 志遠, 童 一方: a name jieba knows, 阿 and one, or older, Hakka
    # and literary given-name characters (given_chars) after a surname set apart
    if given and (C._tables()[4].get(given) in ("nr", "nrfg", "nrt") or plausible_given(given)):
        return True
    if not given or any(c in _NOT_GIVEN and c not in C._GIVEN_CHARS_S and (strict or c not in "又之一") for c in given):
        return False
    if any(c in "又之一" for c in given) and not any(c in C._GIVEN_CHARS_S or c in _RARE_GIVEN for c in given):
        return False            # (高 又 胖: no given-name character beside it)
    if not strict:
        return True     # every character spaced apart: the shape itself (王 小 宝) is the evidence
    # a common word (美国) is read as one unless every character is a given-name one
    return any(c in C._GIVEN_CHARS_S for c in given) and (
        len(given) < 2 or _freq(given) < C._COMMON_WORD_FREQ or all(c in C._GIVEN_CHARS_S for c in given))


def given_of(pieces: list[str], n_surname: int) -> str:
    """The given characters of a name written apart (after its surname's one or two)."""
    return "".join(pieces)[n_surname:]


def _act_after(simp: str, at: int) -> bool:
    """A person's act of two or more characters (陪同, 表示, 來電) at ``at``: the run is a name and
    its verb, not a sentence spaced out character by character."""
    from deidentify.identifiers.latin_slots import _ACTS_RX

    m = _ACTS_RX.match(simp, at)
    return m is not None and m.end() - at >= 2


def _spaced_single_before(simp: str, a: int, sep: str) -> bool:
    p = a - len(sep)
    if p < 1 or simp[p:a] != sep or not re.match(_H, simp[p - 1]):
        return False
    return p < 2 or not re.match(_H, simp[p - 2])


def find(simp: str, original: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of names written with separators between their characters; ``original``
    (the text before normalising) tells 於 (→ 于) from the surname 于."""
    out = []
    for m in SPACED.finditer(simp):
        a, b, sep = m.start(), m.end(), m.group(1)
        body = simp[a:b]
        pieces = body.split(sep)
        if len(pieces) < 2 or any(not p for p in pieces):
            continue
        # the run goes on after the same separator: a spaced-out sentence or list, not one name
        if simp.startswith(sep, b) and b + len(sep) < len(simp) and re.match(_H, simp[b + len(sep)]) \
                and not (len(body.split(sep)) == 2 and _act_after(simp, b + len(sep))):
            continue            # (round 13: 甘 寶玉 陪同 - a person's act after the name goes on)
        # ... or started before it: one more spaced single character (有 高 血 压)
        if _spaced_single_before(simp, a, sep):
            continue
        n_surname = _surname_len(pieces)
        # (round 12) a name broken over a line after its surname and first given character, the
        # break read as a blank after a label (填表人：萬家⏎榮, 閻文⏎忠): the break says so
        if not n_surname and len(pieces) == 2 and len(pieces[0]) == 2 and len(pieces[1]) == 1 \
                and pieces[0][0] in _ALL_S and original is not None and "\n" in original[a:b]:
            n_surname = 1
        if not n_surname:
            continue
        # (the surname's characters only: a given 寧 becomes the surname 宁 too, round 12)
        sur = [i for i in range(a, b) if not simp[i].isspace()][:n_surname]
        if original is not None and any(original[i] != simp[i] and original[i] not in C._TRAD_SURNAME_CHARS
                                        for i in sur if simp[i] in C._SURNAMES_S):
            continue            # 於 民國: a Traditional character that is a surname only once converted
        if len(pieces) == 2:
            if len(pieces[1]) == 3 and (pieces[1][0] not in C._SURNAMES_S or _act_after(simp, b - 1)):
                b -= 1          # three characters after one separator: a double surname (宋 沈思倩) or a word after
                                # (傅 金妹來電: 金 a surname, but 來電 the act after the name)
                pieces[1] = pieces[1][:2]
            if len(pieces[0]) == 1 and a > 0 and re.match(_H, simp[a - 1]) \
                    and _freq(simp[a - 1:a + 1]) >= C._COMMON_WORD_FREQ:
                continue        # the surname character ends a word before it (偏高 需注意)
        elif any(len(p) != 1 for p in pieces):
            continue            # spaced apart, every character stands alone
        given = given_of(pieces, n_surname)
        if n_surname == 1 and pieces[0] in SPACED_SURNAMES and pieces[0] not in C._SURNAMES_S | _RARE_S \
                and not (len(pieces) == 2 and plausible_given(given)):
            continue            # (round 13: 冷 若冰 and 滿 天星 are names, 冷 水 澡 and 滿 月 words)
        if b < len(simp) and simp[b - 1] not in C._GIVEN_CHARS_S and _freq(simp[b - 1:b + 1]) >= C._COMMON_WORD_FREQ:
            continue            # the last character opens a word after it (石 膏 固定; not 廖/淑/华表示)
        # (round 12: a value broken over a line after its label, 公孫⏎策, 粘⏎素卿: the label and
        # the break are the evidence the one separator lacks)
        broken = original is not None and "\n" in original[a:b] and (
            len(given) == 1 or _freq(given) < C._COMMON_WORD_FREQ or all(c in _RARE_GIVEN for c in given))
        if 1 <= len(given) <= 3 and _given_ok(given, strict=len(pieces) == 2 and not broken):
            out.append((a, b))
    return out
