"""D1: the employer a note names is masked; the kind of work stays.

「病人任職於台積電」, 「案父在鴻海工作」, "works at Foxconn": a named employer narrows a person
down to a workforce (and a small one to a few people), and together with age, sex and area it
can single the person out.  What the work is (工廠, 電子廠, 餐廳, 醫院, a city) is clinical
context and stays: a span after a word of employment is masked only when something in it is not
a generic word for a workplace.
"""
from __future__ import annotations

import re

TAG = "<EMPLOYER>"

# Words for a workplace that name no employer (kinds, places, "a", "some"): a span made only of
# them stays.  Longest first, so 百貨公司 is one word.
_GENERIC = sorted(set("""
工廠 廠 廠房 公司 企業 行號 餐廳 餐館 飯店 旅館 麵店 小吃店 小吃攤 攤位 店 店家 商店 便利商店 超商 超市 量販店 市場
傳統市場 夜市 工地 家 家裡 家中 自家 老家 醫院 本院 該院 診所 學校 公家機關 機關 政府 公所 銀行 科技 電子 半導體 傳產
貿易 建設 營造 物流 貨運 運輸 工程 保險 百貨 百貨公司 作業 農場 農田 田裡 果園 漁港 港口 漁船 船上 工業區 科學園區 園區
附近 當地 外地 北部 中部 南部 東部 台北 臺北 新北 桃園 台中 臺中 台南 臺南 高雄 新竹 基隆 大陸 中國 國外 日本 美國 海外
一家 某 某家 小 大 私人 親戚 朋友 鐵工 紡織 塑膠 食品 加工 汽車 機車 修車 車行 美容 美髮 理髮 補習班 安親班 幼兒園 托嬰
保全 清潔 夜班 大夜 白班 部門 單位 辦公室 現場 倉庫 門市 總公司 分公司 工作室 事務所 診間 病房 社區 大樓 外商 國營 民營
公立 私立 長照 機構 養護 安養 護理之家 教會 寺廟 軍中 部隊 台灣 臺灣 本地 的 間 裡 內 中 上
""".split()), key=len, reverse=True)
_GENERIC_RX = re.compile("|".join(map(re.escape, _GENERIC)))

_SPAN = r"(?P<e>(?:(?![在於到去])[\u4e00-\u9fffA-Za-z0-9&\-．.·]){2,14}?)"
_ZH_PATTERNS = [
    # 任職於台積電, 服務於國泰人壽, 受僱於…, 就職於…
    re.compile(rf"(?:任職於|任職在|服務於|受僱於|受雇於|就職於|就業於|上班於|工作於|在職於|受聘於)\s*{_SPAN}"
               r"(?=[，。、；,;：:\s（(]|擔任|當|做|任|從事|工作|上班|$)"),
    # 在鴻海工作, 於大立光擔任作業員, 在7-11打工
    re.compile(rf"(?<![\u4e00-\u9fff]{{2}}[的])(?:在|於|到|去){_SPAN}"
               r"(?=上班|工作|任職|服務|打工|兼職|擔任|當|做事|上夜班|上大夜)"),
]
_EN_PATTERNS = [
    re.compile(r"\b(?:works?|working|worked|employed|employee|job|engineer|operator|clerk|manager|"
               r"driver|worker)\s+(?:at|for|by|with)\s+(?P<e>(?:[A-Z][\w&.\-]*|\d[\w\-]*)"
               r"(?:\s+(?:[A-Z][\w&.\-]*|&|of))*)"),
    re.compile(r"\b(?:employer|company|workplace)\s*[:：]\s*(?P<e>[^\n,;]{2,40}?)(?=\s*(?:[,;\n]|$))", re.I),
    re.compile(r"(?:雇主|任職公司|服務單位|工作單位|公司名稱)\s*[:：]\s*(?P<e>[^\n，。,;；]{2,20})"),
]
_EN_GENERIC = re.compile(r"^(?:a|an|the|home|local|some|his|her|their|our|this|that|night|day|"
                         r"hospital|clinic|school|factory|company|restaurant|store|shop|bank|farm|"
                         r"construction|site|office|[A-Z][a-z]+ (?:City|County))$", re.I)
_GATE = re.compile(r"任職|服務於|受[僱雇]|就職|就業於|上班|工作|打工|兼職|擔任|當|做事|夜班|大夜|受聘|"
                   r"(?i:work|employ|job|engineer|operator|clerk|manager|driver|worker|company)|雇主|單位|公司")


def _named(span: str) -> bool:
    """Something in the span is not a generic word for a workplace."""
    rest = _GENERIC_RX.sub("", span)
    return bool(re.sub(r"[\s\-．.·&]", "", rest))


def employer_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each named employer after a word of employment, in order, not
    overlapping."""
    if not text or not _GATE.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for rx in _ZH_PATTERNS:
        for m in rx.finditer(text):
            e = m.group("e")
            if "<" in e or not _named(e):
                continue
            spans.append(m.span("e"))
    for rx in _EN_PATTERNS:
        for m in rx.finditer(text):
            e = m.group("e").strip()
            if not e or "<" in e or _EN_GENERIC.match(e) or (rx is not _EN_PATTERNS[0] and not _named(e)
                                                              and re.search(r"[\u4e00-\u9fff]", e)):
                continue
            spans.append((m.start("e"), m.start("e") + len(e)))
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def mask_employers(text: str) -> str:
    """``text`` with named employers written ``<EMPLOYER>``."""
    out, last = [], 0
    for a, b in employer_spans(text):
        out += [text[last:a], TAG]
        last = b
    return "".join(out) + text[last:]
