"""The temple, church or shrine a person belongs to (D1, round 6).

A psychiatric or social history names where the patient worships or serves (週日固定到靈糧堂聚會,
為行天宮志工, 安葬於聖家堂) and a one-person office names its place (北港朝天宮廟公): with a
neighbourhood and an age such a congregation narrows a person to a few.  The name is the run of
Han characters before the kind (宮, 寺, 廟, 堂, 教會, 精舍, 道場, 禪寺), two to ten characters,
stopping at a word that leads to it (到, 在, 於, 為, 是, 去, 往); it counts only
- after such a leading character, or before what a member or keeper does there (聚會, 禮拜,
  志工, 廟公, 住持, 牧師, 信徒, 進香, 參拜, 服事);
- and when it is no ordinary word (子宮 the uterus, 禮堂, 教堂, 天堂, 食堂, 課堂, 大禮堂,
  紀念堂 alone, 堂弟 a cousin: the kind must not open a kin word).
Works on the Simplified normal form; the walk left is bounded (ten characters).
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import to_simplified

KIND = re.compile("教会|精舍|道场|禅寺|[宫寺庙堂]")
# characters a name does not hold: a word leading to the place ends the walk left
_LEAD = set(to_simplified("到在於為是去往至由從向對把被讓請幫的了與及並也都就又而或但將要有無未已再即"))
_STOP = _LEAD | set(to_simplified("，。、；：！？ \t\n()（）「」"))
_AFTER = re.compile("|".join(sorted(map(to_simplified, (
    "聚會", "禮拜", "做禮拜", "志工", "義工", "廟公", "住持", "牧師", "信徒", "教友", "進香", "參拜", "服事", "主委",
    "委員", "聚會所", "擔任", "當", "做", "參加", "團契", "查經", "拜拜", "上香")), key=len, reverse=True)))
# words ending in a kind that name no place (and the kind opening a kin word or an organ)
_WORDS = frozenset(map(to_simplified, (
    "子宮", "迷宮", "皇宮", "王宮", "龍宮", "後宮", "冷宮", "禮堂", "大禮堂", "教堂", "天堂", "食堂", "課堂", "講堂",
    "學堂", "祠堂", "澡堂", "佛堂", "靈堂", "滿堂", "紀念堂", "殿堂", "中堂", "正堂", "廳堂", "寺廟", "廟宇", "宗廟",
    "基督教會", "天主教會", "教會", "基督教堂", "天主堂", "福音堂", "佛寺", "古寺", "古廟", "大廟", "小廟", "土地公廟",
    "媽祖廟", "城隍廟", "關帝廟", "王爺廟", "廟", "寺", "宮")))
_KIN = set(to_simplified("弟哥姐姊妹兄叔伯嫂"))


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of named places of worship in normalised (Simplified) text."""
    out: list[tuple[int, int]] = []
    for m in KIND.finditer(simp):
        end = m.end()
        if m.group() == "堂" and end < len(simp) and simp[end] in _KIN:
            continue                                # 堂弟, 堂哥: a cousin
        a = m.start()
        while a > 0 and m.start() - a < 10 and "\u4e00" <= simp[a - 1] <= "\u9fff" and simp[a - 1] not in _STOP:
            a -= 1
        name = simp[a:end]
        if m.start() - a < 2 or name in _WORDS or any(name.endswith(w) and len(name) - len(w) < 2 for w in ("子宫",)):
            continue
        if "子宫" in name or name[-2:] in _WORDS and m.start() - a < 2:
            continue
        led = a > 0 and simp[a - 1] in _LEAD
        if led or _AFTER.match(simp, end):
            if out and a < out[-1][1]:
                out[-1] = (out[-1][0], end)     # (真耶穌教會永和教會: one name)
                continue
            out.append((a, end))
    return out


def spans(text: str) -> list[tuple[int, int]]:
    """``find`` on a text as written (converted here; same offsets)."""
    return find(to_simplified(text)) if KIND.search(to_simplified(text)) else []
