"""Taiwan's counties and cities however a table spells them (E3: a renamed area must not
unlink two releases).

A release that prints "Penghu County" where an earlier one printed 「澎湖縣」, 「台北市」 where it
printed 「臺北市」, or "Quemoy" for 「金門」 counts the same persons: :mod:`synonyms` gives each
spelling listed here one name, so differencing and linking compare them.  Found by the lead's
probe of 6 December: Penghu's 40 then 42 persons under the English and the Chinese name passed.

Each area: its Chinese name with and without the suffix (市/縣, both 臺 and 台), its English
name with and without "City"/"County", and the other romanisations in use.  Names that mean two
areas (新竹, 嘉義, Hsinchu, Chiayi: a city and a county) are listed only with their suffix.
"""
from __future__ import annotations

# key: (Chinese names, English names); a Chinese name is given with its suffix, both forms made
_AREAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "taipei": (("臺北市",), ("taipei", "taipei city", "taibei", "taipei municipality")),
    "newtaipei": (("新北市",), ("new taipei", "new taipei city", "xinbei", "xinbei city")),
    "taoyuan": (("桃園市",), ("taoyuan", "taoyuan city")),
    "taichung": (("臺中市",), ("taichung", "taichung city", "taizhong")),
    "tainan": (("臺南市",), ("tainan", "tainan city")),
    "kaohsiung": (("高雄市",), ("kaohsiung", "kaohsiung city", "gaoxiong")),
    "keelung": (("基隆市",), ("keelung", "keelung city", "jilong")),
    "hsinchucity": (("新竹市",), ("hsinchu city", "xinzhu city")),
    "hsinchucounty": (("新竹縣",), ("hsinchu county", "xinzhu county")),
    "miaoli": (("苗栗縣",), ("miaoli", "miaoli county")),
    "changhua": (("彰化縣",), ("changhua", "changhua county", "zhanghua")),
    "nantou": (("南投縣",), ("nantou", "nantou county")),
    "yunlin": (("雲林縣",), ("yunlin", "yunlin county")),
    "chiayicity": (("嘉義市",), ("chiayi city", "jiayi city")),
    "chiayicounty": (("嘉義縣",), ("chiayi county", "jiayi county")),
    "pingtung": (("屏東縣",), ("pingtung", "pingtung county", "pingdong")),
    "yilan": (("宜蘭縣",), ("yilan", "yilan county", "ilan", "ilan county")),
    "hualien": (("花蓮縣",), ("hualien", "hualien county", "hualian")),
    "taitung": (("臺東縣",), ("taitung", "taitung county", "taidong")),
    "penghu": (("澎湖縣",), ("penghu", "penghu county", "pescadores", "penghu islands")),
    "kinmen": (("金門縣",), ("kinmen", "kinmen county", "jinmen", "quemoy")),
    "lienchiang": (("連江縣", "馬祖"), ("lienchiang", "lienchiang county", "matsu", "matsu islands",
                                    "lianjiang")),
}
_SHARED_SHORT = {"新竹", "嘉義"}      # a city and a county: only with the suffix


def _chinese(name: str) -> set[str]:
    forms = {name, name.replace("臺", "台")}
    if name[-1] in "市縣" and name[:-1] not in _SHARED_SHORT:
        forms |= {f[:-1] for f in forms}
    return forms


def _entries() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Entries in :data:`synonyms.SYNONYMS`' shape: labels folded as ``linking.fold`` folds them
    (case and spaces away); the Chinese names and the one-word English ones are what a
    sentence names the area by (prose_tables matches English mention words whole)."""
    out = {}
    for zh, en in _AREAS.values():
        han = sorted(set().union(*(_chinese(n) for n in zh)))
        latin = sorted({e.replace(" ", "") for e in en})
        # one name: the Chinese one with its suffix and 臺, as written in the folded labels, so
        # a district under it (臺北市大安區) still reads as a part of it
        out[zh[0]] = (tuple(han + latin), tuple(han + sorted(e for e in en if " " not in e and len(e) > 4)))
    return out


_ENTRIES = _entries()
_TO_NAME = {label: name for name, (labels, _) in _ENTRIES.items() for label in labels}


def canonical(label: str) -> str | None:
    """The area's one name for ``label`` (folded as ``linking.fold`` folds it), or None."""
    return _TO_NAME.get(label)


def spellings(name: str) -> tuple[str, ...]:
    """What a sentence may name the area ``name`` by."""
    entry = _ENTRIES.get(name)
    return entry[1] if entry else ()
