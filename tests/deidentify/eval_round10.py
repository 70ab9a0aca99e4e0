"""An eleventh probe of free-text de-identification (D1, round 10): notes in styles no earlier
round wrote - a nursing shift handover in bullets, a social worker's note, a discharge summary
mixing English and Chinese, LINE-like messages from the family, a home-care visit note and a
telephone follow-up log - with the classes this round closes among the ones closed before:
- GIVEN: old wish-names written alone (來福, 罔市, 天賜, 招弟, 旺來, 添丁, 進財: characters that read
  as a verb, a place or a kin word) in a person's slot; a given name after a coverb of care
  (幫石頭翻身) and before a word of saying (美麗說要回家);
- PHONE: an extension told without its number (請撥分機 23, ext. 123, 內線 2301), and full numbers;
- NAME, DOB, ADDRESS, ID: names in a person's slot, birth dates after a name or a birth word,
  Taiwanese addresses, national and resident ID numbers, as earlier rounds found them.
``[[text]]`` phrases and the control set hold what this round's fixes must leave alone: a coverb
before a kin title (幫阿伯翻身), a longer kin word (由孫女婿陪同), the extension word with no digits
(請撥分機找護理站), old names' characters in prose (添丁進財, 旺來很甜, 天賜良機, 福利社), people in
general after a coverb of care (幫寶寶翻身), adverbs of saying (老實說).
Built and scored by ``recall_suite``; seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round9 import CONTROL as CONTROL9
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "GIVEN", "DOB", "PHONE", "ADDRESS", "ID")

NAMES = ["王美玉", "陳建宏", "林秀琴", "黃志偉", "張淑惠", "李國華", "吳雅婷", "蔡明哲", "許文彬", "鄭麗君", "謝佳蓉",
         "洪俊宏", "邱美華", "曾志成", "廖婉婷", "賴建志", "周怡君", "葉家豪", "歐陽慧", "高一平", "萬又新", "古一心"]
GIVEN = ["來福", "罔市", "天賜", "阿土", "招弟", "旺來", "添丁", "進財", "石頭", "美麗", "罔腰", "金水", "招治", "阿財"]
# written after this round's fixes, never tuned on (held_out=True)
HELD_NAMES = ["施又寧", "唐一帆", "馬千惠", "杜之恆", "江一豪", "朱又廷", "涂秀鳳", "姚一恩", "盧俊賢", "梁美慧",
              "龔一鳴", "殷又青", "鍾文雄", "潘玉梅", "呂明輝", "傅一晴", "侯家瑋", "沈怡萱"]
HELD_GIVEN = ["來旺", "添福", "進興", "天送", "罔舍", "旺財", "火土", "有財", "得福", "萬來", "水木", "金枝", "阿火",
              "春嬌", "石頭", "美麗"]

KIN = ["長子", "次女", "案妻", "案夫", "長孫", "外孫女", "媳婦", "女婿", "姪女", "鄰居", "同居人", "乾女兒"]
TELL = ["交代", "轉告", "叮嚀", "告知", "提醒", "通知", "衛教", "聯絡"]
TELL_AFTER = ["明早空腹", "按時服藥", "明天回診", "。", "，", "帶健保卡"]
COVERB = [("幫", "翻身"), ("替", "擦澡"), ("請", "簽名"), ("跟", "說明病情"), ("和", "討論"), ("幫", "量血壓"), ("讓", "休息")]
SUBJ = ["拒絕", "同意", "表示", "要求出院", "同意手術", "表示理解", "說要回家", "說：「不要」"]
ACC = [("陪同", "來院"), ("偕同", "到院"), ("由", "陪同"), ("由", "陪同就醫")]
HON = ["先生", "小姐", "女士", "阿姨", "伯", "太太", "居服員", "個管師"]
# a given name alone: the slots that say "person" on both sides, a relation before it, a coverb
# of care before it, a word of saying after it
G_SLOTS = [("由", "陪同"), ("由", "陪同來院"), ("陪同", "來院"), ("交代", "明早空腹"), ("請", "簽名"), ("幫", "翻身"),
           ("替", "擦澡"), ("幫", "量血壓"), ("叮嚀", "按時服藥"), ("跟", "說明病情"), ("", "先生來電"),
           ("", "阿姨來探視"), ("", "伯來院"), ("", "說要回家"), ("", "拒絕抽血"), ("案妻", "來電"), ("長孫", "表示同意")]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class _Pools:
    def __init__(self, held: bool) -> None:
        self.names = HELD_NAMES if held else NAMES
        self.given = HELD_GIVEN if held else GIVEN

    def zh(self, rng):
        return rng.choice(self.names)

    def tell(self, rng):
        return [(rng.choice(TELL), False), (self.zh(rng), True), (rng.choice(TELL_AFTER), False)]

    def cov(self, rng):
        c, v = rng.choice(COVERB)
        return [(c, False), (self.zh(rng), True), (v, False)]

    def subj(self, rng):
        return [(self.zh(rng), True), (rng.choice(SUBJ), False)]

    def acc(self, rng):
        c, v = rng.choice(ACC)
        return [(c, False), (self.zh(rng), True), (v, False)]

    def hon(self, rng):
        return [(self.zh(rng), True), (rng.choice(HON), False)]

    def kin(self, rng):
        return [(rng.choice(KIN), False), (self.zh(rng), True)]

    def g(self, rng):
        """A given name alone in a person's slot."""
        a, b = rng.choice(G_SLOTS)
        return [(a, False), (rng.choice(self.given), True), (b, False)]

    def gkin(self, rng):
        """A given name alone after a relation, then something the person does."""
        return [(rng.choice(KIN), False), (rng.choice(self.given), True),
                (rng.choice(["表示同意", "拒絕", "來電", "陪同", "表示了解", "同意手術", "說要回家"]), False)]


def _dob(rng):
    """A birth date after a birth word or in brackets after a name (the word is the template's)."""
    y, m, d = rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{y}/{m:02d}/{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y - 1911}.{m:02d}.{d:02d}",
                       f"{y - 1911}/{m}/{d}", f"民國{y - 1911}年{m}月{d}日", f"{y}年{m}月{d}日", f"{d:02d}/{m:02d}/{y}"])


def _phone(rng):
    """Full numbers, and an extension told alone (the word before it is the pool's, not the value)."""
    m = "9" + _digits(rng, 8)
    area = rng.choice(["2", "4", "7", "6", "5"])
    local = rng.choice("2345678") + _digits(rng, 7 if area == "2" else 6)
    ext = _digits(rng, rng.choice([2, 3, 4]))
    return rng.choice([f"0{m[:3]}-{m[3:6]}-{m[6:]}", f"0{m}", f"(0{area}){local[:4]}-{local[4:]}",
                       f"0{area}-{local}#{ext}", f"+886-{m[:3]}-{m[3:]}",
                       [("分機 ", False), (ext, True)], [("分機", False), (ext, True)],
                       [("轉分機：", False), (ext, True)], [("ext. ", False), (ext, True)],
                       [("內線 ", False), (ext, True)]])


CITIES = ["臺南市東區", "高雄市苓雅區", "新北市板橋區", "臺中市北屯區", "桃園市中壢區", "嘉義市西區", "屏東縣潮州鎮"]
ROADS = ["大學路", "四維三路", "文化路一段", "崇德路三段", "中正路", "民族路", "光復路"]


def _addr(rng):
    road = f"{rng.choice(CITIES)}{rng.choice(ROADS)}"
    return rng.choice([f"{road}{rng.randint(1, 300)}號{rng.randint(2, 15)}樓",
                       f"{road}{rng.randint(1, 200)}巷{rng.randint(1, 40)}號",
                       f"{road}{rng.randint(1, 200)}巷{rng.randint(1, 20)}弄{rng.randint(1, 60)}號"])


def _id(rng):
    return taiwan_id.generate(rng, rng.choice(["national", "national", "resident_new"]))


STATIC = {"dob": _dob, "phone": _phone, "addr": _addr, "id": _id}

TEMPLATES = {
    "handover": [
        "【交班 07:30】\n• 床號 12，{NAME:zh}（{DOB:dob}），[[Dx: pneumonia]]\n• {NAME:cov}，{GIVEN:g}\n"
        "• [[幫阿伯翻身 q2h]]，{NAME:kin} 留 {PHONE:phone}\n• 身分證 {ID:id}\n• [[有事請撥分機找護理站]]",
        "- S: {NAME:subj}\n- B: {GIVEN:gkin}，[[由孫女婿陪同散步]]\n- A: [[幫寶寶翻身後血氧 98%]]\n"
        "- R: {NAME:tell}；住址 {ADDRESS:addr}；回撥 {PHONE:phone}",
    ],
    "social": [
        "社工紀錄：案主{NAME:zh}，出生日期 {DOB:dob}，身分證字號 {ID:id}，戶籍地 {ADDRESS:addr}。{GIVEN:g}。"
        "[[經濟狀況：低收入戶]]，[[申請長照 2.0 喘息服務]]。{NAME:acc}。聯絡 {PHONE:phone}",
        "家訪：{GIVEN:gkin}；{NAME:hon}協助申請補助。[[案家招財進寶的春聯還貼在門口]]。{NAME:subj}。"
        "地址 {ADDRESS:addr}，電話 {PHONE:phone}",
    ],
    "mixed": [
        "Discharge Summary\nPatient: {NAME:zh} (DOB {DOB:dob}), ID {ID:id}\n[[s/p CABG x3]]，{NAME:acc}。"
        "{GIVEN:g}。Follow-up at OPD, 請撥 {PHONE:phone}。Address: {ADDRESS:addr}",
        "Hospital course: [[uneventful]]. 家屬{NAME:kin}表示了解；{GIVEN:gkin}。Contact {NAME:hon} {PHONE:phone}。"
        "[[老實說她恢復得很好]]",
    ],
    "line": [
        "[20:15] {NAME:zh}：阿爸今天有吃藥嗎\n[20:16] 護理站：{GIVEN:g}，[[已讀]]\n[20:17] {NAME:subj}\n"
        "[20:18] 護理站：有事打 {PHONE:phone} [[(貼圖)]]",
        "[09:02] 家屬群組\n{NAME:hon}：{GIVEN:g}\n{NAME:kin}：[[鳳梨很甜，帶去給阿嬤]]\n護理站：{NAME:tell}，"
        "[[這週末吃湯圓]] 地址寄到 {ADDRESS:addr}",
    ],
    "homecare": [
        "居家護理訪視：個案{NAME:zh}（{DOB:dob}）住 {ADDRESS:addr}。{NAME:cov}；{GIVEN:g}。[[管路通暢]]，"
        "[[幫孩子洗澡的浴室太滑]]。{NAME:hon}留 {PHONE:phone}",
        "訪視紀錄：{GIVEN:gkin}。{NAME:tell}，[[萬事如意]]是她的口頭禪。身分證 {ID:id}。[[下次訪視請快來院拿耗材]]"
        "，聯絡 {PHONE:phone}",
    ],
    "phone_log": [
        "電訪紀錄 12/03：致電{NAME:zh}（生日 {DOB:dob}），{GIVEN:g}。[[福利社營業時間]]已告知。{NAME:acc}。"
        "回電請撥 {PHONE:phone}",
        "電訪：{NAME:subj}；{GIVEN:gkin}，[[由來已久的膝痛]]。身分證字號 {ID:id}，通訊地址 {ADDRESS:addr}。"
        "[[美國說要漲藥價]]？{NAME:hon} {PHONE:phone}",
    ],
}
TYPES = tuple(TEMPLATES)

# this round's over-masks and the words of its classes in prose; round 9's set included
CONTROL = CONTROL9 + [
    "幫阿伯翻身", "今天幫阿伯翻身", "請阿姨簽名", "跟伯伯說", "替阿嬤擦澡", "由孫女婿陪同", "由外孫女陪同", "由兒媳陪同",
    "請撥分機找護理站", "分機故障", "分機在 2 樓", "總機轉分機", "next 23", "text 23 pages", "添丁進財", "旺來很甜",
    "天賜良機", "來福槍", "請再來", "請快來院", "由來已久", "進財務室", "福利社", "天生麗質", "招生簡章",
    "新生兒科", "水土不服", "幫寶寶翻身", "幫孩子洗澡", "幫病人翻身", "幫長輩翻身", "幫傷口換藥", "跟有好的",
    "老實說她很好", "簡單說就是", "聽說他要來", "美國說要漲價", "台灣說要", "讓再發生", "請有發燒者回診",
]


def build(kind: str, template: str, rng: random.Random, pools: dict) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, pools)


def generate(rounds: int = 16, seed: int = 10, held_out: bool = False) -> list[Note]:
    """Every template ``rounds`` times (16 rounds: 192 notes), slots from one seeded generator;
    ``held_out`` the names written after this round's fixes."""
    rng = random.Random(seed)
    p = _Pools(bool(held_out))
    pools = dict(STATIC, tell=p.tell, cov=p.cov, subj=p.subj, acc=p.acc, hon=p.hon, kin=p.kin, zh=p.zh, g=p.g,
                 gkin=p.gkin)
    return [build(kind, t, rng, pools) for _ in range(rounds) for kind in TYPES for t in TEMPLATES[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=10, rounds=16, held_rounds=16, width=260)
