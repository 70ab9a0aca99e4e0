"""Names of people from elsewhere, next to Chinese context: Japanese names (a common Japanese
surname, which Chinese reads as an ordinary word: 山田, 田中) where the note says so, and a
Latin name right after a word only a person follows (印傭 Wati, 家屬 Amy Lin).  Called by
``name_context.find`` on the normalised text (Simplified, Latin without diacritics).
"""
from __future__ import annotations

import re

from deidentify.identifiers.name_scans import JAPANESE_NAME, _JA_BEFORE, _JA_GATE, _JA_HONORIFIC


def japanese(simp: str, intro: re.Pattern[str]) -> list[tuple[int, int, float]]:
    """(start, end, 0.85) of Japanese names said to be so: 日籍/日本 just before, a context
    word (``intro``) right before, さん/様 or a romanised form in brackets after."""
    hits = []
    for m in (JAPANESE_NAME.finditer(simp) if _JA_GATE.search(simp) else ()):
        a, b = m.start(), _given_end(simp, m.end())
        if not b:
            continue
        before = intro.search(simp, max(0, a - 8), a + 1)
        said = _JA_BEFORE.search(simp, max(0, a - 12), a) or (before is not None and before.end() == a)
        latin_before = re.search(r"[A-Za-z][ \t]*[(（][ \t]*$", simp[max(0, a - 4):a])     # Yamada Taro (山田太郎)
        if said or latin_before or _JA_HONORIFIC.match(simp, b):
            hits.append((a, b, 0.85))
    return hits


def _given_end(simp: str, s_end: int) -> int:
    """End of the given name after a Japanese surname ending at ``s_end``: kana to the end of
    their run, else two Han characters, or one, or three, where a word or a non-Han character
    follows; the surname alone before さん/様."""
    from deidentify.identifiers.name_runs import _boundary      # (name_context calls this module)

    k = s_end
    while k < len(simp) and k - s_end < 6 and "\u3040" <= simp[k] <= "\u30ff" and simp[k:k + 2] != "さん":
        k += 1
    if k > s_end:
        return k
    for n in (2, 1, 3):
        e = s_end + n
        if e <= len(simp) and all("\u4e00" <= c <= "\u9fff" for c in simp[s_end:e]) and _boundary(simp, e):
            return e
    return s_end if _JA_HONORIFIC.match(simp, s_end) else 0


# (after 病人, 医师 a capitalised word may be a drug or a test: 病人 Aspirin 过敏)
_LATIN_INTROS = frozenset("""看护 外佣 印佣 菲佣 越佣 移工 外劳 帮佣 保母 保姆 外籍看护 家属 配偶 朋友 同事 室友 女友 男友
儿子 女儿 太太 先生 老公 老婆 母亲 父亲 联络人 紧急联络人 紧急联系人 照顾者 主要照顾者 陪同者 陪同人 雇主 邻居 外籍配偶
案妻 案夫 案母 案父 案子 案女
陪病 陪病者 陪伴者 陪病家属 看护工 居服员 外看""".split())     # (round 5: 陪病 Sari)
_LATIN_AFTER = re.compile(r"[A-Z][a-z]{2,}(?:[ \t]+[A-Z][a-z]{2,}){0,2}(?![A-Za-z])")


# (D1, round 3) Carers from the Philippines are often called by a first name that is an English
# word (菲律宾籍看护 Joy, 看护 Grace, 外佣 Hope): after a carer's word such a first name counts.
_CARERS = frozenset("看护 外佣 印佣 菲佣 越佣 帮佣 保母 保姆 外籍看护 移工 外劳 陪病 陪病者 看护工 外看".split())


def _latin(simp: str, i: int, carer: bool = False) -> tuple[int, int] | None:
    """A capitalised Latin name right after a context word (印佣 Wati, 家属 Amy Lin), unless
    one of its words is an ordinary English or clinical word (家属 Please, 看护 Amoxicillin is
    a drug only a list could tell: left to the Latin name finders) - after a carer's word, a
    census first name counts even when it is a word too (看护 Joy)."""
    m = _LATIN_AFTER.match(simp, i)
    if not m:
        return None
    from deidentify.identifiers.western_names import _census, ordinary_word

    firsts = _census()[0] if carer else frozenset()
    return None if any(ordinary_word(w) and w.lower() not in firsts for w in m.group().split()) else m.span()


def latin_after(simp: str, word: str, i: int) -> tuple[int, int] | None:
    """A Latin name at ``i`` right after the context word ``word``, if ``word`` is one only a
    person follows."""
    return _latin(simp, i, word in _CARERS) if word in _LATIN_INTROS else None
