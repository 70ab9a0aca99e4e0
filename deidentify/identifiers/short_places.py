"""Places written short or by a landmark (D1, round 5).

- A city abbreviated to two characters before its district (北市大安區, 新北板橋, 中市北屯, 高市鳳山,
  竹縣竹北市): anywhere with the district's ending, and without it after a word of living.  Before
  a full address the abbreviation joins it (竹縣|竹北市光明六路90號).
- A district or town named bare (北投, 竹北, 板橋) after a word of living, in Chinese, English or
  Taiwanese (住北投, 娘家在竹北, lives in 板橋, tuà 新北三重): the list of such names below.
- A landmark next to a home (家住大安森林公園旁邊, 住在龍山寺附近, home near 士林夜市): a named place
  before 旁邊/附近/對面/後面/隔壁 or after near; a bare kind (醫院, 市場, 公園, 學校, 廟) stays.
Runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import to_simplified
from deidentify.regex_cache import compiled, longest_first

_HAN = r"[\u4e00-\u9fff]"
_ABBR = r"(?:新北|[北桃中南高基]市|[竹嘉]市|[竹苗彰投云嘉屏宜花东澎]县|花莲|台东|宜兰|金门|连江)"
# a city abbreviation and a district with its ending (anywhere)
ABBR_DISTRICT = compiled(r"(?P<a>" + _ABBR + _HAN + r"{1,3}?[区市镇乡])(?![区市镇乡里村])")
_BARE = sorted({to_simplified(w) for w in """
北投 士林 大安 信義 內湖 南港 文山 萬華 松山 大同 中山 板橋 三重 中和 永和 新莊 新店 土城 蘆洲 汐止 樹林 淡水 林口 三峽 鶯歌
五股 泰山 中壢 龜山 八德 平鎮 楊梅 大溪 蘆竹 竹北 竹東 頭份 苗栗 豐原 北屯 西屯 南屯 大里 太平 沙鹿 清水 大甲 員林 鹿港
埔里 斗六 虎尾 朴子 新營 永康 麻豆 佳里 鳳山 左營 楠梓 三民 苓雅 前鎮 小港 岡山 潮州 東港 羅東 吉安 馬公 金城 歸仁 仁德
""".split()}, key=longest_first)
_LIVE = (r"(?:住(?!院|民|户|宿|家里)(?:在|于)?|家住|住家(?:在|于)?|居住(?:在|于)?|(?:娘家|老家|案家|家)(?:在|于)|搬(?:到|去|回|至)"
         r"|(?<![A-Za-z])(?i:lives?[ \t]+in|living[ \t]+in|from|tua|tuā))")
BARE_AFTER_LIVING = compiled(_LIVE + r"[ \t]*(?P<a>(?:" + _ABBR + r")?(?:" + "|".join(_BARE) + r")[区市镇乡]?)(?!" + _HAN + ")"
                             r"|" + _LIVE + r"[ \t]*(?P<b>" + _ABBR + _HAN + r"{2})(?!" + _HAN + ")")
_NEAR = r"(?:旁边|旁|对面|附近|后面|隔壁|前面|楼上|楼下|巷口|一带)"
LANDMARK = compiled(r"(?:家住|家在|住在|住(?!院|民|户|宿))[ \t]*(?![里人属长庭族境务的])"
                    r"(?P<l>" + _HAN + r"{2,8}?)" + _NEAR
                    + r"|(?<![A-Za-z])(?i:home|house|lives?|living)[ \t]+(?i:near|by|next[ \t]+to)[ \t]+(?P<m>" + _HAN + r"{2,8})")
# a kind of place, alone, names nobody's home
_KINDS = compiled(r"^(?:医院|诊所|市场|菜市场|传统市场|夜市|公园|学校|小学|国小|国中|高中|大学|庙|寺庙|教会|车站|火车站|公车站|捷运站"
                  r"|超商|便利商店|超市|工厂|派出所|警察局|消防队|邮局|银行|药局|公所|区公所|图书馆|我家|他家|她家|家里|家中|这里|那里"
                  r"|女儿家|儿子家|亲戚家|朋友家|邻居家|老家|社区|大楼|巷子|路口|山上|海边|田里|河边|山路|马路|大马路|小路|溪边|河堤)$")
_PHRASE = compiled(r"[的了和与及在是有很也都]|附近|旁|对面|隔壁|后面|前面|楼[上下]|(?:山|马|小|大马)路$|^(?:路|街|巷)")
GATE = compiled(_ABBR + "|" + _NEAR)


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of abbreviated districts, bare districts after a word of living, and
    landmarks beside a home."""
    out = [m.span("a") for m in ABBR_DISTRICT.finditer(simplified)] if GATE.search(simplified) else []
    for m in BARE_AFTER_LIVING.finditer(simplified):
        out.append(m.span("a") if m.group("a") else m.span("b"))
    if GATE.search(simplified) or re.search(r"(?i:near|next[ \t]+to)", simplified):
        for m in LANDMARK.finditer(simplified):
            g = "l" if m.group("l") else "m"
            w = m.group(g)
            # (a phrase, not a place's name: 住家附近的公園旁邊, 住山路旁)
            if not _KINDS.match(w) and not _PHRASE.search(w) and not w.startswith("家"):
                out.append(m.span(g))
    return out
