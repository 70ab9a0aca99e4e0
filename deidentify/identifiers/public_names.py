"""Public persons known by a name no name pattern reads (D1, round 7).

A politician or a celebrity admitted as a patient is found like anyone else when the name is a
surname and a given name (周杰倫, 蔡英文, 郭台銘: the surname finders and jieba's ``nr`` tags).
What those cannot read is a stage or pen name (九把刀, 小S, 五月天阿信), a nickname the press
uses (柯P, 郭董) or a given name holding a character the finders take for a function word
(彭于晏: 于 is 於), or a surname and given character that make a word (韓國瑜: 韓國 is Korea).  Those are listed here - a short list of forms, not of people one could
otherwise find - and masked wherever they stand, no context word needed: the person is known
to everyone, so the name alone re-identifies.  Matched on the normalised text (Simplified,
half-width; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import to_simplified

_FORMS = (
    "五月天阿信", "五月天", "小S", "大S", "九把刀", "凤飞飞", "鳳飛飛", "豬哥亮", "彭于晏", "蔡阿嘎", "澎恰恰",
    "柯P", "郭董", "韓總", "吳董", "阿妹", "張阿妹", "賀一航", "于美人", "于冠華", "于子育", "邰智源",
    "小禎", "Selina", "Jolin", "Hebe", "JJ林俊傑", "MC HotDog", "白冰冰",
    # (a surname and a given character that make a word: 韓國 is Korea)
    "韓國瑜", "高金素梅", "金溥聰",
)
# (a form then a character that makes it a word: 五月天气 is May's weather)
PUBLIC = re.compile("(?<![A-Za-z0-9])(?:" + "|".join(sorted({re.escape(to_simplified(f)) for f in _FORMS}, key=len, reverse=True))
                    + ")(?![A-Za-z0-9气])")


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of public persons' stage names, pen names and nicknames."""
    return [m.span() for m in PUBLIC.finditer(simp)]
