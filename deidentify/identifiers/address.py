"""Taiwanese postal addresses in free text (normalised: half-width, Simplified; same offsets).

An address is a chain of optional parts, each of which may be followed by spaces:
postcode, city/county, district/township (区乡镇市), village (里村), neighbourhood (N邻), road
(…路/街/大道, section N段) or, in the countryside, a settlement name, lane (巷), alley (弄),
house number (N号, N-M号, N之M号), floor (N楼, NF, NF-M, B1, 地下一楼, 之M) and room (N室).
A chain counts when it holds a house number, lane, alley or neighbourhood, or a city with a district and a
road.  The whole chain is one finding, so a mask never leaves a piece of the road behind.
"""
from __future__ import annotations

import re
import re._parser as _parser
from deidentify.regex_cache import compiled

CITIES = ("台北市", "新北市", "桃园市", "台中市", "台南市", "高雄市", "基隆市", "新竹市", "嘉义市",
          "新竹县", "苗栗县", "彰化县", "南投县", "云林县", "嘉义县", "屏东县", "宜兰县", "花莲县",
          "台东县", "澎湖县", "金门县", "连江县", "桃园县", "台北县", "台中县", "台南县", "高雄县")
_NUM = r"[0-9一二三四五六七八九十百零〇两]"
_S = r"[ \t]{0,2}"
_HAN = r"[\u4e00-\u9fff]"
# A Han character that can be part of a place or road name (not a verb/particle before it).
_RN = r"(?:(?![住在于址为到往去从自的了和与及是近对转搬迁居位])[\u4e00-\u9fff])"
_CITY = r"(?:" + "|".join(CITIES) + r")"
_DISTRICT = _RN + r"{1,3}?[区乡镇市]"
_VILLAGE = _RN + r"{1,3}?[里村](?![里村])"
_NEIGH = _NUM + r"{1,3}" + _S + r"邻"
# (a section may carry a direction: 光明六路东一段)
_ROAD = _RN + r"{1,6}?(?:路|街|大道)(?:" + _S + r"[东西南北]?" + _NUM + r"{1,3}段)?|" + _RN + r"{1,4}?段"
# (numbers spoken in Chinese numerals run longer: 二百七十一巷, 一百二十七號)
_LANE = _NUM + r"{1,6}" + _S + r"巷"
_ALLEY = _NUM + r"{1,6}" + _S + r"弄"
_HOUSE = (_NUM + r"{1,6}(?:" + _S + r"[\-之]" + _S + _NUM + r"{1,3})?" + _S + r"号(?:" + _S + r"之" + _S
          + _NUM + r"{1,3})?")
_FLOOR = (r"(?:" + _NUM + r"{1,3}" + _S + r"(?:楼|f(?![a-z]))|b[0-9]{1,2}(?![0-9a-z])|地下" + _S + _NUM + r"{1,2}" + _S
          + r"楼?)(?:" + _S + r"(?:[\-之])" + _S + _NUM + r"{1,3})?")
_ROOM = _NUM + r"{1,4}" + _S + r"室"
_TAIL = (r"(?:" + _LANE + _S + r")?(?:" + _ALLEY + _S + r")?(?:" + _HOUSE + r"(?:" + _S + _FLOOR + r")?(?:" + _S
         + r"之" + _NUM + r"{1,3})?(?:" + _S + _ROOM + r")?)?")
_HEAD = (r"(?:[0-9]{3}(?:[0-9]{2,3})?" + _S + r")?(?:(?:台湾|中华民国)省?" + _S + r")?")
ADDRESS = compiled(
    _HEAD + r"(?:"
    # city/county (+ district), or a district: then villages, a road or a settlement
    + r"(?:" + _CITY + _S + r"(?:" + _HAN + r"{1,3}?[区乡镇市]" + _S + r")?|" + _DISTRICT + _S + r")"
    + r"(?:" + _HAN + r"{1,3}?[里村](?![里村])" + _S + r")?(?:" + _NEIGH + _S + r")?"
    + r"(?:(?:" + _HAN + r"{1,6}?(?:路|街|大道)(?:" + _S + r"[东西南北]?" + _NUM + r"{1,3}段)?|" + _HAN + r"{1,4}?段)" + _S
    + r"|" + _RN + r"{1,4}?(?=" + _S + _NUM + r"{1,6}" + _S + r"[号\-之]))?"
    + r"|(?:" + _VILLAGE + _S + r")(?:" + _NEIGH + _S + r")?(?:(?:" + _ROAD + r")" + _S + r")?"
    + r"|(?:" + _ROAD + r")" + _S
    + r")" + _S + _TAIL,
    re.IGNORECASE)
_HAS_CITY = compiled(_CITY)
# (a neighbourhood, N邻, is a few dozen households: as narrow as a lane)
_NUMBERED = compiled(_NUM + r"[ \t]*(?:巷|弄|号|邻)")
_HAS_DISTRICT_ROAD = compiled(r"[区乡镇市].*(?:路|街|大道|段|[里村])")

# the longest text ADDRESS can match (its width is bounded: every repeat has an upper bound)
_WIDEST = _parser.parse(ADDRESS.pattern, ADDRESS.flags).getwidth()[1]
if _WIDEST >= 1000:
    raise RuntimeError("address.ADDRESS must have a bounded width (find skips ahead by it)")

# Every character of an ADDRESS match is one of these (tests/deidentify/test_window_caches.py
# reads the pattern's characters off its parse); a match ends in a run of them.
_ALPHABET = frozenset("0123456789〇 \t-fFbB")


# Characters _RN keeps out of a road's start (a verb or particle before it) that open common road
# names (自由路, 自強路, 和平東路, 安和路 is inside), and what stands before a road there.
_ROAD_OPENERS = frozenset("自和")
# (round 7: or 是/於/在/為, or no Han character before it - a line's start, "of 和平東路" - where 和 joins nothing)
_AFTER_LABEL = compiled(r"(?:住|居|址|地|是|于|在|为|[:：]|^|[^\u4e00-\u9fff \t])[ \t]*$")


def _run_start(text: str, at: int, lo: int) -> int:
    """Start of the run of address characters (Han characters and _ALPHABET) ending at ``at``,
    not before ``lo``."""
    while at > lo and ("\u4e00" <= text[at - 1] <= "\u9fff" or text[at - 1] in _ALPHABET):
        at -= 1
    return at


# Every address holds one of these (a road, lane, number, village, district or city ending).
_ANCHOR = compiled(r"[路街段巷弄号邻村里区乡镇市县]")


# (D1, round 3) Where someone lives, told without a number: 住在大同路那边, 个案住在中正路附近的巷子,
# 居住于台中市西屯区福科路, 搬到光明街.  After a word of living somewhere a named road is the person's
# street, which with the area of the hospital narrows them to a few hundred households; the
# road's name needs two characters, so 住在马路边 and 住山路旁 (a road, not a name) stay.
# (opens with a character set, the verb read after it: the engine skips to 住/居/搬 at C speed)
_NAME_CH = r"(?:(?![的了在于和与及是近对到往去从住边旁附那这个条])[\u4e00-\u9fff])"
_AREA = (r"(?:" + _CITY + _S + r")?(?:" + _NAME_CH + r"{1,3}?[区乡镇市]" + _S + r")?(?:" + _NAME_CH + r"{1,3}?[里村]"
         + _S + r")?")
RESIDENCE_ROAD = compiled(
    r"[住居搬来位现](?:(?<=住)(?!院|民|户|宿)(?:在|于|家在|家)?|(?<=居)住(?:在|于)?|(?<=搬)(?:到|去|至|来)"
    r"|(?<=来)自|(?<=位)于|(?<=现)(?:居|住)(?:在|于)?)" + _S
    + r"(?P<a>" + _AREA + _NAME_CH + r"{2,6}?(?:路|街|大道)(?:" + _S + r"[东西南北]?" + _NUM + r"{1,3}段)?"
    # ... or a village with its township (来自兰屿乡红头村, 案家位于雾台乡好茶村): a few hundred households
    + r"|(?:" + _CITY + _S + r")?" + _NAME_CH + r"{1,3}?[区乡镇市]" + _S + _NAME_CH + r"{1,3}?[里村](?![里村]))"
    # (what follows a street, not a verb: 住在家里走路困难 holds no road)
    r"(?=附近|那|这|一带|旁|边|口|上|巷|底|尾|周|的|对面|后|前|[0-9一二三四五六七八九十 \t,.;:!?()\n。，、；：]|$)")
_GENERIC_ROADS = frozenset("大马路 小马路 山路 公路 道路 小路 大路 铁路 产业道路 柏油路 石子路 老街 大街 小街 商店街 步行街 "
                           "夜市街 乡间小路 高速公路 快速道路".split())


def find_residence_roads(simplified: str) -> list[tuple[int, int]]:
    """Roads named after a word of living somewhere, without a number (RESIDENCE_ROAD)."""
    if not any(w in simplified for w in ("住", "搬", "来自", "位于", "现居")) \
            or not any(w in simplified for w in ("路", "街", "大道", "村", "里")):
        return []
    out = []
    for m in RESIDENCE_ROAD.finditer(simplified):
        road = re.sub(r"[ \t]*[东西南北]?" + _NUM + r"{1,3}段$", "", m.group("a"))
        if road not in _GENERIC_ROADS and road[-3:] not in _GENERIC_ROADS and road[-2:] not in _GENERIC_ROADS:
            out.append(m.span("a"))
    return out


def find(simplified: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if not _ANCHOR.search(simplified):
        return out
    pos = 0
    while True:
        # A kept address holds a numbered part or a city, starting inside it: no kept address
        # starts more than _WIDEST before the next one, so the scan begins there (or stops).
        # ADDRESS opens with optional parts and is tried at every character; this skips most.
        nums, city = _NUMBERED.search(simplified, pos), _HAS_CITY.search(simplified, pos)
        if nums is None and city is None:
            break
        anchor = min(x.start() for x in (nums, city) if x is not None)
        # ... and every character between its start and the anchor is an address character
        pos = _run_start(simplified, anchor, max(pos, anchor - _WIDEST))
        if (m := ADDRESS.search(simplified, pos)) is None:
            break
        a, b = m.span()
        while b > a and simplified[b - 1] in " \t":
            b -= 1
        if a >= 1 and simplified[a - 1] in _ROAD_OPENERS and _AFTER_LABEL.search(simplified, max(0, a - 4), a - 1) \
                and not _HAS_CITY.match(simplified, a):
            a -= 1          # (住|自由路, 住址：|和平東路: the road's first character is no verb there)
        text = simplified[a:b]
        if len(text) >= 4 and (_NUMBERED.search(text) or (_HAS_CITY.search(text) and _HAS_DISTRICT_ROAD.search(text))):
            out.append((a, b))
            pos = max(b, a + 1)
        else:
            # a rejected candidate must not swallow the start of a real address behind it
            # (户籍|桃园市… read as a "district" 籍桃园市): try again one character on
            pos = a + 1
    return out
