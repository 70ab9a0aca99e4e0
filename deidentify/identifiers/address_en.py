"""Taiwanese addresses written in English (3F., No. 12, Alley 5, Lane 100, Minquan Rd., Xinyi
Dist., Taipei City 110), on normalised text (half-width; same offsets).

Written smallest part first, as Chunghwa Post romanises them: floor, number, alley, lane,
section, road, village/district, city/county, postcode, country.  A chain of such parts, joined
by commas or spaces, is an address when it holds a number, lane or alley together with a road,
section, district or city, or a road together with a district or city.  The chain is one
finding, so no piece of it is left behind.
"""
from __future__ import annotations

from deidentify.regex_cache import compiled

_CITIES = ("Taipei", "New Taipei", "Taoyuan", "Taichung", "Tainan", "Kaohsiung", "Keelung", "Hsinchu", "Chiayi",
           "Miaoli", "Changhua", "Nantou", "Yunlin", "Pingtung", "Yilan", "Ilan", "Hualien", "Taitung", "Penghu",
           "Kinmen", "Lienchiang", "Matsu")
_WORD = r"[A-Z][a-z'’]+"
_NAME = _WORD + r"(?:[ \-]" + _WORD + r"){0,2}"
_N = r"[0-9]{1,5}(?:-[0-9]{1,3})?"

# (D1, round 8) a numbered road keeps its ordinal: Bo'ai 2nd Rd., Wenhua 1st Rd.
_ROAD = (_NAME + r"(?:[ \t]+[0-9]{1,2}(?:st|nd|rd|th))?(?:[ \t]+[NSEW]\.[ \t]*|[ \t]+[NSEW][ \t]+|[ \t]+(?:North|South|East|West)[ \t]+|[ \t]+)"
         r"(?:Rd\.?|Road|St\.?|Street|Blvd\.?|Boulevard|Ave\.?|Avenue|Expy\.?)(?![A-Za-z])")

PARTS = {
    "floor": r"[0-9]{1,3}(?:F\.?(?:-[0-9]{1,2})?|/F|(?:st|nd|rd|th)[ \t]*(?i:fl(?:oor|\.)?))|(?i:fl(?:oor|\.)?)[ \t]*[0-9]{1,3}"
             r"|B[0-9](?:F\.?)?(?![0-9A-Za-z])",
    "room": r"(?i:rm\.?|room)[ \t]*[0-9]{1,4}",
    "number": r"(?i:no\.?|number|#)[ \t]*" + _N,
    "alley": r"(?i:alley|aly\.?)[ \t]*[0-9]{1,4}|[0-9]{1,4}[ \t]*(?i:alley|aly\.?)",
    "lane": r"(?i:lane|ln\.?)[ \t]*[0-9]{1,4}|[0-9]{1,4}[ \t]*(?i:lane|ln\.?)",
    "section": r"(?i:sec(?:tion|\.)?)[ \t]*[0-9]{1,2}",
    # (the direction may touch the road word: Zhongshan S.Rd.)
    "road": _ROAD,
    # a house number written Western style, bare before its road (12 Baker Street)
    "house": r"[0-9]{1,5}(?:-[0-9]{1,3})?[A-Za-z]?(?=[ \t]+" + _ROAD + ")"
             # (round 5) or bare before its alley or lane: 44, Alley 6, Lane 79, …
             r"|[0-9]{1,5}(?:-[0-9]{1,3})?(?=,?[ \t]+(?i:alley|aly\.?|lane|ln\.?)[ \t]*[0-9])",
    "district": _NAME + r"[ \t]+(?:Dist\.?|District|Township|Twp\.?|Village|Vil\.?|Li)(?![A-Za-z])",
    "city": r"(?:" + "|".join(_CITIES) + r")(?:[ \t]+(?:City|County))?(?![a-z])|" + _NAME
            + r"[ \t]+(?:City|County)(?![A-Za-z])",
    "postcode": r"[0-9]{3}(?:[0-9]{2,3})?(?![0-9])",
    "country": r"Taiwan(?:[ \t]*\((?:R\.?O\.?C\.?)\))?|R\.O\.C\.?",
}
_PART = "|".join(f"(?P<{k}>{v})" for k, v in PARTS.items())
_JOIN = r"[ \t]*,?[ \t]*"
CHAIN = compiled(r"(?:" + _PART + r")(?:" + _JOIN + r"(?:" + _PART.replace("?P<", "?P<_") + r"))+")
_ONE = compiled(_PART)
# every English address holds one of these words
# Every address holds a road, district or city word (capitalised, as in the parts above) or a
# section; case-sensitive, so that a scan over a joined column stops only at capitals (every
# word opens with a capital or s, as a literal: the engine skips to those at C speed).
ANCHOR = compiled(r"(?:(?:Rd|Road|St|Street|Blvd|Boulevard|Ave|Avenue|Expy|Dist|District|Township|Twp"
                  r"|Village|Vil|Li|City|County|Sec|Section|SEC|sec|section|" + "|".join(_CITIES) + r")(?![a-z]))")


def _kinds(chain: str) -> set[str]:
    kinds = set()
    pos = 0
    while pos < len(chain):
        m = _ONE.match(chain, pos)
        if m:
            kinds.add(m.lastgroup)
            pos = m.end()
        else:
            pos += 1
    return kinds


# Forms print addresses in capitals (NO. 7, SEC. 1, ZHONGSHAN S. RD., TAIPEI CITY): read
# with each capitalised word title-cased (same length).
CAPS_ANCHOR = compiled(r"(?:RD|ROAD|STREET|BLVD|AVE|AVENUE|DIST|DISTRICT|TOWNSHIP|VILLAGE|CITY|COUNTY|SEC|SECTION"
                        r"|LANE|ALLEY|ALY)(?![A-Za-z])")
_CAPS_WORD = compiled(r"(?<![A-Za-z])[A-Z]{2,}(?![a-z])")


# ... or all in lower case, as typed in a hurry (no. 7, zhongshan s. rd., taipei): read with
# each lower-case word capitalised (same length), only where a road, section or lane word is.
LOWER_ANCHOR = compiled(r"(?<![A-Za-z])(?:rd|road|street|st|blvd|ave|avenue|sec|section|lane|ln|alley|aly|dist|district)"
                        r"(?![A-Za-z])")
_LOWER_WORD = compiled(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")


def find(normalised: str) -> list[tuple[int, int]]:
    found = _find(normalised)
    if CAPS_ANCHOR.search(normalised):
        titled = _CAPS_WORD.sub(lambda m: m.group().capitalize(), normalised)
        found = sorted(set(found) | set(_find(titled)))
    if LOWER_ANCHOR.search(normalised):
        titled = _LOWER_WORD.sub(lambda m: m.group().capitalize(), normalised)
        # (round 5) an order's route and dose words are no street name: 1 amp iv st
        found = sorted(set(found) | {(a, b) for a, b in _find(titled)
                                     if not _DOSING.intersection(_LOWER_WORD.findall(normalised[a:b].lower())[:-1])})
    return found


_DOSING = frozenset("amp amps iv im sc sq po pr st stat prn qd bid tid qid qn hs ac pc tab tabs cap caps vial mg ml "
                    "drip push ivp ivd inj".split())


def _find(normalised: str) -> list[tuple[int, int]]:
    if not ANCHOR.search(normalised):
        return []
    out = []
    for m in CHAIN.finditer(normalised):
        kinds = _kinds(m.group())
        numbered = kinds & {"number", "lane", "alley", "house"}
        placed = kinds & {"road", "section", "district", "city"}
        if (numbered and placed) or ("road" in kinds and kinds & {"district", "city"}):
            out.append(m.span())
    return out
