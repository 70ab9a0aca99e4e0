"""A township, district or village named alone as where someone lives (D1, round 4).

``address.find`` needs a number or a city, ``address.find_residence_roads`` a road; notes also say
only 住秀林鄉, 案家在富世村, 返回玉里鎮老家, 戶籍地：竹山鎮, 來自仁愛鄉.  A rural township holds a few
thousand people and a village a few hundred: with the hospital's area that narrows a patient as much
as a street does.  Found after a word of living, coming from or going home (the name itself is any
two or three Han characters before 鄉/鎮/區/市/里/村); generic words with those endings (鄉下 has
none, 家鄉, 社區, 病區, 夜市, 家裡, 農村 ...) and a name opened by a pointing word (該社區) stay.

Matching runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

from deidentify.identifiers.address import CITIES
from deidentify.regex_cache import compiled

# what opens the phrase: living, household registration, coming from, going (back) to
_VERB = (r"(?:住(?!院|民|户|宿|家里)(?:在|于|家在|家于)?|居住(?:在|于)?|家住|住家(?:在|于)?|现居(?:住)?(?:在|于)?"
         r"|户籍(?:地|地址)?(?:在|于|为|是)?|原籍|祖籍|老家(?:在|于)?|娘家(?:在|于)?|来自|出身(?:于)?|出生(?:于|在)"
         r"|(?:案家|家)(?:在|于)|搬(?:到|去|回|至|来)|迁(?:到|至|回|居)|返回|回到|回(?=[\u4e00-\u9fff]{2,3}[乡镇区市里村]老家)|位于|定居(?:在|于)?"
         # (in an English note: lives in 玉里镇, from 仁爱乡, moved to 竹山镇)
         r"|(?<![A-Za-z])(?:in|at|from|to|near)(?=[ \t]))")
_LABEL = r"(?:[:：][ \t]*)?"
_NAME_CH = r"(?:(?![的了在于和与及是近对到往去从住边旁附那这个条该本此其各每同全原我他她你])[\u4e00-\u9fff])"
_ONE = _NAME_CH + r"{2,3}?[乡镇区市里村](?![里村乡镇区市])"
AREA = compiled(_VERB + r"[ \t]*" + _LABEL + r"(?P<a>" + _ONE + r"(?:[ \t]*" + _NAME_CH + r"{2,3}?[里村](?![里村]))?)")
# For the scrubber's prefilter and the finder's gate: a character set first (skipped to at C
# speed), then what every AREA match holds after its verb's first character.
GATES = (r"[住居家现户原祖老娘来出案搬迁返回位定][^\n]{2,12}?[乡镇区市里村]", r"[ \t][\u4e00-\u9fff]{2,3}[乡镇区市里村]")
GATE = compiled("|".join(GATES))
# generic words ending like a place (their last two characters)
_GENERIC = frozenset("家乡 故乡 他乡 异乡 本乡 外乡 同乡 原乡 山乡 水乡 城镇 乡镇 市镇 小镇 重镇 古镇 村镇 "
                     "社区 病区 院区 园区 学区 城区 市区 郊区 山区 灾区 地区 诊区 营区 林区 矿区 景区 厂区 港区 "
                     "城市 都市 夜市 超市 门市 上市 股市 闹市 农村 乡村 山村 渔村 眷村 邻村 外村 本村 同村 "
                     "家里 这里 那里 哪里 心里 夜里 公里 千里 邻里 乡里 屋里 城里 村里 病区里".split())
# whole phrases that read like a place but are not one (a facility, a kind of area)
_NOT_A_PLACE = frozenset("护理之家 安养院 偏乡 原住民区 风景区 工业区 商业区 住宅区 老人区".split())


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of township/district/village names after a word of living there."""
    if not GATE.search(simplified):
        return []
    out = []
    for m in AREA.finditer(simplified):
        name = m.group("a")
        if name in CITIES:
            continue        # (a county or city of its own: hundreds of thousands of people)
        if name[-2:] in _GENERIC or name[-3:] in _GENERIC or name in _NOT_A_PLACE:
            continue
        out.append(m.span("a"))
    return out


# (D1, round 6) A one-person office named by its place (大安區龍安里里長, 竹東鎮鎮長, 東河村村長): the
# place is the person.  The run of Han characters before the office word, back to a word that
# leads to it (為, 是, 的 ...; at most nine characters), masked when it ends in the office's unit.
OFFICE = compiled(r"(?<=[里村])(?:里长|村长|里干事|干事|里办公处|办公处)|(?<=[乡镇区市])(?:乡长|镇长|区长|市长|代表会主席)")
_OFFICE_STOP = set("为是在于的了和与及由到去从住任当系请帮前原本该这那其我他她你，。、；：:,;!?！？ \t\n()（）「」")


_NEAR_WORDS = frozenset("隔壁 附近 邻近 对面 旁边 邻居 隔邻".split())


def find_offices(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of the place before a one-person office word (OFFICE)."""
    out = []
    for m in OFFICE.finditer(simplified):
        end = a = m.start()
        while a > 0 and end - a < 9 and "\u4e00" <= simplified[a - 1] <= "\u9fff" and simplified[a - 1] not in _OFFICE_STOP:
            a -= 1
        name = simplified[a:end]
        if name[:2] in _NEAR_WORDS or name[0] in "本该同邻外这那某各每此":
            continue        # (隔壁村里長, 本里里長: a neighbour's or this village, no name)
        if len(name) >= 3 and name not in CITIES and name[-2:] not in _GENERIC and (not out or a >= out[-1][1]):
            out.append((a, end))
    return out


OFFICE_GATE = compiled(r"[里村乡镇区市](?:里长|村长|干事|办公处|乡长|镇长|区长|市长|代表会主席)")
