"""Given-name characters no older list held (D1, round 13).

The general list (``chinese_names.GIVEN_CHARS``) is of today's common given names; a name of an
older or a Hakka family (羅石妹, 傅金妹, 溫阿水, 邱添丁), a literary one (鞏志遠, 殷念慈, 郝樂天,
伏千里, 冷若冰) or one built on a set word (甘寶玉, 湯如意) uses characters it lacks.  Read only
where the layout already says "a name may stand here" (a surname written apart from its given
name, a name broken over a line): there these characters count as given-name ones.
"""
from __future__ import annotations

from deidentify.identifiers.normalise import to_simplified

EXTRA = frozenset(to_simplified(c) for c in (
    "遠妹娣招添丁嬌罔市足樣款枝葉柑桃梨水土石木火寶如意冰守念慈樂天千里星素雲海山川河江湖"
    "仁義禮信孝悌廉恥忠勤儉讓和家元立方一又寧若凡夫士良善美好佳蘭菊竹松柏"))

# surnames of the census on no list (they open common words: 冷敷, 滿意, 蒙古): read only where a
# surname is written apart from its given name (冷 若冰, 滿 天星)
SPACED_SURNAMES = frozenset(to_simplified(c) for c in "冷蒙丘匡伏滿仉宓盛訾闕")


def plausible_given(given: str) -> bool:
    """Two characters that may make a given name: 阿 and one (阿水, 阿滿), or every character
    on the general or this list."""
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S

    if len(given) != 2:
        return False            # (one character is too little: 白 天, 滿 意 are words spaced apart)
    if len(given) == 2 and given[0] == "阿":
        return True
    return all(c in _GIVEN_CHARS_S or c in EXTRA for c in given)
