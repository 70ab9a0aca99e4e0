"""A tenth probe of free-text de-identification (D1, round 9): notes in styles no earlier round
wrote - discharge summaries with a family history, nursing shift notes naming many people,
psychiatric notes with quoted speech, rehabilitation notes, dental notes and dialogue
transcripts - with the three classes this round closes among the ones closed before:
- NAME: names opening with a surname in every slot only a person fills (交代王小明, 幫古又文翻身,
  高一凡拒絕, 陪同莫言來, 伍佰先生; round 8's finder, switched on in production this round);
- GIVEN: given names and nicknames written alone that are also words (石頭, 春花, 金水, 阿土, 美麗,
  志明, 國強) in a person's slot (由石頭陪同, 次女春花表示, 交代金水明早空腹, 志明先生);
- DOB: a birth date in brackets right after a name, no birth word (王小明（1950/03/02）,
  陳美玲(39.03.02), Lin Mei-hua (1950-03-02), 林志豪（女，39/3/2，75歲）);
- PHONE: Taiwanese numbers grouped oddly ((06)8346-578, 06-2345678#123, 0912 345 678,
  +886-(0)6-234-5678, a number and 分機 23).
``[[text]]`` phrases and the control set hold the same words in prose (石頭很硬, 春花盛開, 她很美麗),
kin and role words in the same slots (同事照顧孫子, 由看護陪同, 看護表示病人…), numbers and idioms
(萬一跌倒, 高齡九十五), dates in brackets after no name (入院（2026/12/03）), which must stay.
Built and scored by ``recall_suite``; seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round8 import CONTROL as CONTROL8
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "GIVEN", "DOB", "PHONE")

NAMES = ["王小明", "古又文", "高一凡", "陳美玲", "林志豪", "莫文蔚", "伍家輝", "歐陽靜", "張簡志豪", "卞曉雯", "尤一心",
         "冉又青", "萬一鳴", "童三元", "石之瑜", "方又琳", "黃子華", "蘇也青", "葉千華", "上官明", "車又晴", "賴淑芬",
         "許建國", "蔡佩君", "鄭雅文", "謝宗翰", "洪美惠", "邱永福"]
WORD_NAMES = ["伍佰", "莫言", "高峰", "金城", "白雪"]
GIVEN = ["石頭", "春花", "金水", "阿土", "美麗", "志明", "國強", "阿財", "秀英", "阿雄", "淑芬", "建國", "阿珠", "玉蘭"]
# written after the fixes, never tuned on (held_out=True)
HELD_NAMES = ["孔一飛", "邢又安", "包一鳴", "薛之謙", "賈一平", "柴又寧", "柯一正", "辛曉琪", "駱以軍", "饒一心", "翁千晴",
              "湯一豪", "甘又婷", "左一鳴", "羅志祥", "馮淑華", "彭國雄", "曹麗娟"]
HELD_WORD = ["伍佰", "莫言", "金山", "高飛"]
HELD_GIVEN = ["阿水", "春嬌", "金花", "阿福", "麗華", "文雄", "秋月", "阿娥", "月娥", "志強", "阿忠", "美珠", "石頭", "國強"]

# written after the first held-out set was closed; run once, never tuned on (held_out=2)
HELD_NAMES_2 = ["祝又豪", "康一蓁", "褚千瑜", "韋之廷", "寇又萍", "房一安", "符又晨", "向一宏", "游淑真", "詹國棟",
                "魏家豪", "簡嘉玲", "蕭子涵", "廖俊傑", "溫雅琪", "范姜明", "司徒美", "段一心"]
HELD_WORD_2 = ["伍佰", "江海", "金城", "高山"]
HELD_GIVEN_2 = ["阿枝", "罔市", "金枝", "阿桃", "來福", "旺財", "阿滿", "秀蘭", "阿梅", "天賜", "金龍", "阿勇", "寶珠", "阿嬌"]
TELL = ["交代", "轉告", "叮嚀", "告知", "提醒", "通知", "安撫", "衛教", "聯絡"]
TELL_AFTER = ["明早空腹", "按時服藥", "明天回診", "。", "，", "帶健保卡"]
COVERB = [("幫", "翻身"), ("替", "換藥"), ("讓", "休息"), ("請", "簽名"), ("跟", "說明病情"), ("和", "討論"), ("幫", "量血壓")]
SUBJ = ["拒絕", "同意", "表示", "答應", "要求出院", "拒絕抽血", "同意手術", "表示理解"]
ACC = [("陪同", "來院"), ("偕同", "到院"), ("由", "陪同"), ("由", "陪同就醫"), ("陪同", "來")]
HON = ["先生", "小姐", "女士", "阿姨", "伯", "太太", "護理師", "個管師"]
KIN = ["長子", "次女", "案妻", "案夫", "外孫", "媳婦", "女婿", "姪子", "表哥", "鄰居", "同居人", "長女"]
# a given name alone: the slots that say "person" on both sides, or a relation before it
G_SLOTS = [("由", "陪同"), ("由", "陪同來院"), ("陪同", "來院"), ("交代", "明早空腹"), ("請", "簽名"), ("幫", "翻身"),
           ("叮嚀", "按時服藥"), ("跟", "說明病情"), ("", "先生來電"), ("", "阿姨來探視"), ("", "伯來院")]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class _Pools:
    def __init__(self, held: bool | int) -> None:
        self.names = {False: NAMES, True: HELD_NAMES, 2: HELD_NAMES_2}[held]
        self.words = {False: WORD_NAMES, True: HELD_WORD, 2: HELD_WORD_2}[held]
        self.given = {False: GIVEN, True: HELD_GIVEN, 2: HELD_GIVEN_2}[held]

    def _n(self, rng, two: float = 0.15) -> str:
        return rng.choice(self.words) if rng.random() < two else rng.choice(self.names)

    def zh(self, rng):
        return rng.choice(self.names)

    def tell(self, rng):
        return [(rng.choice(TELL), False), (self._n(rng), True), (rng.choice(TELL_AFTER), False)]

    def cov(self, rng):
        c, v = rng.choice(COVERB)
        return [(c, False), (self._n(rng), True), (v, False)]

    def subj(self, rng):
        return [(self._n(rng), True), (rng.choice(SUBJ), False)]

    def acc(self, rng):
        c, v = rng.choice(ACC)
        return [(c, False), (self._n(rng, 0.3), True), (v, False)]

    def hon(self, rng):
        return [(self._n(rng), True), (rng.choice(HON), False)]

    def kin(self, rng):
        return [(rng.choice(KIN), False), (self._n(rng, 0.1), True)]

    def g(self, rng):
        """A given name alone in a person's slot."""
        a, b = rng.choice(G_SLOTS)
        return [(a, False), (rng.choice(self.given), True), (b, False)]

    def gkin(self, rng):
        """A given name alone after a relation, then something the person does."""
        return [(rng.choice(KIN), False), (rng.choice(self.given), True),
                (rng.choice(["表示同意", "拒絕", "來電", "陪同", "表示了解", "同意手術"]), False)]


def _dob(rng):
    """A birth date as written in brackets after a name (the brackets are the template's)."""
    y, m, d = rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{y}/{m:02d}/{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}.{m}.{d}", f"{y - 1911}.{m:02d}.{d:02d}",
                       f"{y - 1911}/{m}/{d}", f"民國{y - 1911}年{m}月{d}日", f"{y}年{m}月{d}日", f"{d:02d}/{m:02d}/{y}"])


def _phone(rng):
    """Taiwanese numbers in the groupings forms and people write."""
    m = "9" + _digits(rng, 8)
    area = rng.choice(["2", "4", "7", "6", "5"])
    local = rng.choice("2345678") + _digits(rng, 7 if area == "2" else 6)
    ext = _digits(rng, rng.choice([2, 3, 4]))
    return rng.choice([f"(0{area}){local[:4]}-{local[4:]}", f"(0{area}) {local[:3]}-{local[3:]}",
                       f"0{area}-{local}#{ext}", f"0{area}-{local} 分機 {ext}", f"0{area}-{local[:4]}-{local[4:]}分機{ext}",
                       f"0{m[:3]} {m[3:6]} {m[6:]}", f"0{m[:3]}-{m[3:6]}-{m[6:]}", f"0{m[:3]}.{m[3:6]}.{m[6:]}",
                       f"+886-(0){area}-{local[:3]}-{local[3:]}", f"+886 (0){m[:3]} {m[3:6]} {m[6:]}",
                       f"+886-{m[:3]}-{m[3:]}", f"(0{area}){local}轉{ext}", f"0{area} {local[:4]} {local[4:]} ext {ext}"])


STATIC = {"dob": _dob, "phone": _phone}

TEMPLATES = {
    "discharge": [
        "出院病摘 Discharge summary\n病人{NAME:zh}（{DOB:dob}），[[Dx: NSTEMI, s/p PCI]]。家族史：父{NAME:zh}（{DOB:dob}）"
        "[[糖尿病]]，母親已歿；{NAME:kin}（{DOB:dob}）[[高血壓]]。出院時{NAME:tell}，{NAME:acc}。聯絡 {PHONE:phone}。",
        "Family history: father {NAME:zh} ({DOB:dob}) [[CAD]]; 家屬{GIVEN:gkin}。[[同事照顧孫子]]。"
        "出院衛教由{NAME:hon}說明，{GIVEN:g}。電話 {PHONE:phone}",
    ],
    "shift": [
        "白班交班 {NAME:hon}→夜班{NAME:hon}：[[病人萬一跌倒要立即通知護理站]]。{NAME:cov}，{GIVEN:g}，"
        "{NAME:kin}留 {PHONE:phone}。[[看護表示病人昨晚嗆咳]]。",
        "[[交班：翻身 q2h]]，{NAME:tell}；{GIVEN:gkin}。{NAME:subj}。[[由看護陪同散步]]，回撥 {PHONE:phone}",
    ],
    "psych": [
        "精神科紀錄：病人{NAME:zh}（{DOB:dob}）說：「我不想活了」。[[心像被壓住]]是他的比喻。{GIVEN:g}，"
        "「{NAME:subj}」，{NAME:acc}。[[每到春天的時候]]最難過。危機專線 {PHONE:phone}。",
        "MSE: [[affect blunted]]. 病人說：「{GIVEN:g}，她很累」。{NAME:kin}：「{NAME:subj}」。[[她很累]]。"
        "Case manager {NAME:hon} {PHONE:phone}",
    ],
    "rehab": [
        "復健紀錄：{NAME:zh}（{DOB:dob}）[[左側偏癱]]，{NAME:acc}。治療師{NAME:cov}；{GIVEN:g}。"
        "[[鄰床阿伯]]也在做[[站立訓練]]。預約 {PHONE:phone}",
        "PT note: {NAME:tell}，[[Barthel 40]]。{GIVEN:gkin}，{NAME:hon}協助。家屬手機 {PHONE:phone}。",
    ],
    "dental": [
        "牙科紀錄：病人{NAME:zh}（{DOB:dob}），[[#36 根管治療]]。{NAME:acc}，{NAME:tell}。{GIVEN:g}。"
        "[[建議使用牙線]]。診所電話 {PHONE:phone}",
        "Dental: [[tooth 11 fracture]]; {NAME:subj}。{GIVEN:gkin}。Contact {PHONE:phone}",
    ],
    "dialogue": [
        "逐字稿\n醫師：{NAME:zh}（{DOB:dob}）今天誰陪你來？\n病人：{GIVEN:g}。\n醫師：好，{NAME:tell}。\n"
        "家屬：「{NAME:subj}」。[[萬一發燒怎麼辦]]？\n醫師：打 {PHONE:phone}。",
        "A: 請問{NAME:hon}在嗎？\nB: {GIVEN:g}。\nA: 我是{NAME:hon}，電話 {PHONE:phone}，{NAME:cov}。\n"
        "B: [[研究計畫書：糖尿病患者之心血管事件]]",
    ],
}
TYPES = tuple(TEMPLATES)

# the words of this round's classes in prose, kin and role words in the same slots, numbers and
# idioms, dates in brackets after no name; round 8's set included
CONTROL = CONTROL8 + [
    "石頭很硬", "腎結石頭痛", "春花盛開", "春花秋月", "她很美麗", "美麗的風景", "金水溝", "國強民富",
    "同事照顧孫子", "看護照顧孫子", "幫孫子洗澡", "由看護陪同", "由家屬陪同", "由司機陪同", "跟同學說",
    "讓同事知道", "交代注意事項", "告知病情", "通知家屬", "協助雷射治療", "由主治醫師說明", "跟主治說明病情",
    "同病房伯伯咳嗽", "太太家訪", "女兒念書", "社工和家屬聯繫家屬", "家屬陳述病人昨晚跌倒", "志工陪伴聊天",
    "看護表示病人夜眠差", "病人萬一跌倒", "萬一發燒請回診", "鄰床阿伯", "幫傷口換藥",
    "糖尿病患者之心血管事件", "病人華美，續觀察", "請復健科評估", "跟阿嬤說", "入院（2026/12/03）",
    "手術日期（2025/11/02）", "Follow-up (2026-01-05)", "紀錄時間（2026/12/03 14:20）", "分機", "請撥分機找護理站",
    "BP 120/80", "HR 88 (sinus)", "q2h", "站立訓練 (30 min)",
]


def build(kind: str, template: str, rng: random.Random, pools: dict) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, pools)


def generate(rounds: int = 18, seed: int = 9, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (18 rounds: 216 notes), slots from one seeded generator;
    ``held_out`` True the names written after the fixes, 2 those written after the first
    held-out set was closed."""
    rng = random.Random(seed)
    p = _Pools(held_out)
    pools = dict(STATIC, tell=p.tell, cov=p.cov, subj=p.subj, acc=p.acc, hon=p.hon, kin=p.kin, zh=p.zh, g=p.g,
                 gkin=p.gkin)
    return [build(kind, t, rng, pools) for _ in range(rounds) for kind in TYPES for t in TEMPLATES[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=9, rounds=18, held_rounds=18, width=260)
