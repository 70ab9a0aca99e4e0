"""A ninth probe of free-text de-identification (D1, round 8): notes in styles no earlier round
wrote - social-worker notes, consult replies, telephone follow-up logs, home-care visit notes,
ICU hand-overs in SBAR form, pharmacist interventions, family meetings with many participants,
long-term-care assessments with family and foreign caregivers, referral letters with letterheads -
mixing Chinese and English, with names in every slot only a person fills:
- the object of a verb of telling or handing over (交代王小明明早空腹, 轉告, 叮嚀, 委託);
- between a coverb and its verb (幫古又文翻身, 替/給/讓/請/叫/跟/和/與/同 X + verb);
- the subject of refusing, agreeing, asking or saying at a clause's start (高一凡拒絕);
- a companion (陪同莫言來, 偕同 X 到院, 由 X 陪同);
- before an honorific or a title (先生/小姐/女士/阿姨/伯/醫師/護理師/個管師);
- after a kin or role word, and in lists of people (出席：A、B、C 及 D).
Names hold rare and compound surnames (古, 伍, 莫, 歐陽, 張簡) and given characters that are
numbers or function words (高一凡, 古又文), and two-character names that are words (伍佰, 莫言).
With them: national and resident (ARC) numbers, NHI card numbers, phones in every form (+886,
09xx, (02), ext./分機/#), addresses, dates of birth (ROC and Western), ages over 89, chart and
bed numbers, e-mails and LINE IDs.  ``[[text]]`` phrases (drugs, lab values, departments,
places such as 石家莊 and 高雄, amounts such as 伍佰元, words such as 高一些 and 幫忙) must stay.
Built and scored by ``recall_suite``; seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round7 import CONTROL as CONTROL7
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "ID", "NHI", "PHONE", "EMAIL", "HANDLE", "ADDRESS", "DOB", "AGE", "RECORD", "BED")

# ordinary names, names whose given part is a number or function character, rare and compound
# surnames (written before the fixes; HELD_NAMES below were written after them)
NAMES = ["王小明", "古又文", "高一凡", "陳美玲", "林志豪", "莫文蔚", "伍家輝", "歐陽靜", "張簡志豪", "司馬中原", "卞曉雯",
         "聶永真", "尤一心", "戈登輝", "冉又青", "萬一鳴", "童三元", "江一帆", "石之瑜", "方又琳", "白一凡", "連又新",
         "黃子華", "蘇也青", "鄭一德", "葉千華", "范姜美華", "上官明", "龍一舟", "車又晴"]
WORD2 = ["伍佰", "莫言", "高峰", "金城", "萬里", "石頭", "江河", "林立", "方正", "白雪"]
HELD_NAMES = ["孔一飛", "邢又安", "包一鳴", "屈千惠", "薛之謙", "賈一平", "夏于喬", "柴又寧", "柯一正", "諸葛青", "辛曉琪",
              "駱以軍", "饒一心", "翁千晴", "邵又蘭", "秦一萍", "湯一豪", "佟大為", "甘又婷", "左一鳴"]
HELD_WORD2 = ["伍佰", "莫言", "高山", "金星", "萬全", "石磊"]
TELL = ["交代", "轉告", "叮嚀", "告知", "提醒", "委託", "拜託", "交給", "通知", "詢問", "安撫", "衛教", "致電", "聯絡"]
TELL_AFTER = ["明早空腹", "按時服藥", "明天回診", "注意跌倒", "。", "，", "帶健保卡", "記錄血壓"]
COVERB = [("幫", "翻身"), ("替", "換藥"), ("給", "看報告"), ("讓", "休息"), ("請", "簽名"), ("叫", "起床"),
          ("跟", "說明病情"), ("和", "討論"), ("與", "會談"), ("同", "前往"), ("幫", "量血壓"), ("替", "填表")]
SUBJ = ["拒絕", "同意", "詢問", "表示", "說", "答應", "要求", "拒絕抽血", "同意手術", "詢問費用", "表示理解"]
ACC = [("陪同", "來院"), ("偕同", "到院"), ("陪同", "來"), ("由", "陪同"), ("由", "陪同就醫"), ("偕同", "回診")]
HON = ["先生", "小姐", "女士", "阿姨", "伯", "醫師", "護理師", "個管師", "社工師", "藥師", "太太"]
KIN = ["長子", "次女", "案妻", "案夫", "外孫", "媳婦", "女婿", "姪子", "表哥", "乾女兒", "鄰居", "同居人", "看護"]
FOREIGN = ["Siti Aminah", "Nguyen Thi Lan", "Maria Santos", "Dewi Lestari", "Tran Van Nam", "Rosalinda Reyes"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class _Pools:
    """The identifier pools; ``held`` draws the names written after the fixes."""

    def __init__(self, held: bool | int) -> None:
        self.names = {False: NAMES, True: HELD_NAMES, 2: HELD_NAMES_2, 3: HELD_NAMES_3}[held]
        self.word2 = {False: WORD2, True: HELD_WORD2, 2: HELD_WORD2_2, 3: HELD_WORD2_3}[held]

    def _n(self, rng, two: float = 0.2) -> str:
        return rng.choice(self.word2) if rng.random() < two else rng.choice(self.names)

    def tell(self, rng):
        return [(rng.choice(TELL), False), (self._n(rng, 0.15), True), (rng.choice(TELL_AFTER), False)]

    def cov(self, rng):
        c, v = rng.choice(COVERB)
        return [(c, False), (self._n(rng, 0.15), True), (v, False)]

    def subj(self, rng):
        return [(self._n(rng, 0.15), True), (rng.choice(SUBJ), False)]

    def acc(self, rng):
        c, v = rng.choice(ACC)
        return [(c, False), (self._n(rng, 0.3), True), (v, False)]

    def hon(self, rng):
        return [(self._n(rng, 0.2), True), (rng.choice(HON), False)]

    def kin(self, rng):
        return [(rng.choice(KIN), False), (self._n(rng, 0.1), True)]

    def zh(self, rng):
        return self._n(rng, 0.0)

    def lst(self, rng):
        a, b, c = rng.sample(self.names, 3)
        return [(a, True), ("（長子）、", False), (b, True), ("（長女）、", False), (c, True)]

    def ff(self, rng):
        return rng.choice(FOREIGN)


def _id(rng):
    return taiwan_id.generate(rng, rng.choice(["national", "national", "resident_new"]))


def _arc(rng):
    return taiwan_id.generate(rng, rng.choice(["resident_old", "resident_new"]))


def _nhi(rng):
    n = "0000" + _digits(rng, 8)
    return rng.choice([n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}"])


def _phone(rng):
    m = "9" + _digits(rng, 8)
    area = rng.choice(["2", "4", "7", "3", "6"])
    local = rng.choice("2345678") + _digits(rng, 7 if area == "2" else 6)
    ext = _digits(rng, rng.choice([3, 4]))
    return rng.choice([f"+886-{m[:3]}-{m[3:6]}-{m[6:]}", f"+886 {m}", f"+886 {area} {local[:4]} {local[4:]}",
                       f"0{m[:3]}-{m[3:6]}-{m[6:]}", f"0{m}", f"(0{area}){local[:4]}-{local[4:]}",
                       f"(0{area}) {local} ext. {ext}", f"0{area}-{local[:4]}-{local[4:]}#{ext}",
                       f"0{area}-{local} 分機 {ext}", f"+886-{area}-{local}"])


def _email(rng):
    u = rng.choice(["wang.xm", "yiwen_ku", "kao1fan", "mo.yan52", "sw.chen", "pharm.lin"])
    return f"{u}@{rng.choice(['gmail.com', 'yahoo.com.tw', 'ms12.hinet.net', 'hosp.org.tw', 'outlook.com'])}"


def _line(rng):
    return rng.choice(["wang_xm88", "yiwen.ku", "kao1fan", "moyan0912", "sunny_lin", "chen.family"])


CITIES = ["臺北市信義區", "新北市三重區", "桃園市龜山區", "臺中市北屯區", "高雄市左營區", "花蓮縣吉安鄉"]
ROADS = ["松仁路", "重新路三段", "文化一路", "崇德路二段", "博愛二路", "中山路一段", "自由路"]
EN_ADDR = ["No. 7, Ln. 30, Songren Rd., Xinyi Dist., Taipei City 110", "5F, No. 21, Sec. 3, Chongxin Rd., Sanchong Dist.",
           "No. 88, Bo'ai 2nd Rd., Zuoying Dist., Kaohsiung City"]


def _addr(rng):
    return rng.choice([f"{rng.choice(CITIES)}{rng.choice(ROADS)}{rng.randint(1, 300)}號{rng.randint(2, 15)}樓",
                       f"{rng.choice(CITIES)}{rng.choice(ROADS)}{rng.randint(1, 200)}巷{rng.randint(1, 40)}號",
                       rng.choice(EN_ADDR)])


def _dob(rng):
    y, m, d = rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"民國{y - 1911}年{m}月{d}日", f"{y - 1911}/{m:02d}/{d:02d}", f"{y}-{m:02d}-{d:02d}",
                       f"{y}/{m}/{d}", f"{d:02d}/{m:02d}/{y}", f"{y}年{m}月{d}日"])


def _age(rng):
    a = str(rng.randint(90, 106))
    return rng.choice([[(a, True), ("歲", False)], [(a, True), (" y/o", False)], [(a, True), ("-year-old", False)],
                       [("高齡", False), (a, True), ("歲", False)], [(a, True), ("F", False)]])


def _chart(rng):
    return rng.choice([_digits(rng, 8), "00" + _digits(rng, 6), f"A{_digits(rng, 7)}"])


def _bed(rng):
    return rng.choice([f"{rng.randint(5, 12)}{rng.choice('ABC')}-{rng.randint(1, 30):02d}", f"ICU-{rng.randint(1, 20)}",
                       f"{rng.randint(5, 12)}{rng.choice('ABC')}{rng.randint(1, 30):02d}"])


STATIC = {"id": _id, "arc": _arc, "nhi": _nhi, "phone": _phone, "email": _email, "line": _line, "addr": _addr,
          "dob": _dob, "age": _age, "chart": _chart, "bed": _bed}

TEMPLATES = {
    "social": [
        "社工紀錄\n案主{NAME:zh}（{AGE:age}），身分證 {ID:id}，住 {ADDRESS:addr}。{NAME:kin}表示經濟困難，"
        "[[申請急難救助伍佰元]]不足；社工{NAME:tell}。{NAME:subj}。聯絡電話 {PHONE:phone}，LINE ID：{HANDLE:line}。",
        "Social work note: met with {NAME:kin} and {NAME:ff}. 本社工{NAME:cov}，{NAME:acc}。[[轉介長照 2.0]]，"
        "[[補助新台幣3000元]]。E-mail {EMAIL:email}",
    ],
    "consult": [
        "會診回覆 Consult reply\nTo: [[神經內科]] {NAME:hon}\nRe: 病人{NAME:zh}，病歷號 {RECORD:chart}，{BED:bed}床\n"
        "[[Impression: post-stroke depression]]; [[Sertraline 50mg qd]]. 已{NAME:tell}。{NAME:subj}。",
        "Reply to [[Cardiology]]: Pt {NAME:zh}, Chart No. {RECORD:chart}, DOB {DOB:dob}. [[Echo: EF 35%]]. "
        "請{NAME:hon}追蹤；{NAME:acc}。Tel {PHONE:phone}",
    ],
    "phone": [
        "電話追蹤紀錄 [[2026/12/03 14:20]]\n致電 {PHONE:phone} 由{NAME:kin}接聽，{NAME:subj}；[[血壓 138/82]]，"
        "[[Amlodipine 5mg]] 規則服用。另{NAME:tell}。下次追蹤：[[兩週後]]",
        "Telephone follow-up: called {PHONE:phone} ext. [[none]]; spoke with {NAME:hon}. {NAME:subj}。"
        "[[HbA1c 7.2%]]. 回撥請找 {NAME:zh} {PHONE:phone}",
    ],
    "homecare": [
        "居家護理訪視\n個案{NAME:zh}，{AGE:age}，住 {ADDRESS:addr}\n[[更換鼻胃管 16Fr]]，[[傷口 2x3 cm]]。"
        "主要照顧者{NAME:kin}，外籍看護 {NAME:ff}（居留證 {ID:arc}）。已{NAME:cov}，{NAME:acc}。",
        "Home visit: {NAME:zh} ({AGE:age}), NHI card {NHI:nhi}. Caregiver {NAME:ff}, ARC {ID:arc}. "
        "[[Pressure injury stage 2]]. {NAME:subj}，將{NAME:tell}。[[床頭搖高一些]]。",
    ],
    "sbar": [
        "ICU 交班 SBAR\nS: {BED:bed} {NAME:zh} {AGE:age}，[[septic shock]]\nB: [[DM, CKD]]，病歷號 {RECORD:chart}\n"
        "A: [[MAP 62, Lactate 3.1]]，[[Norepinephrine 0.1 mcg/kg/min]]\nR: 請{NAME:hon}評估；{NAME:tell}。{NAME:subj}。",
        "SBAR - S: {NAME:zh} in {BED:bed}, [[desaturation SpO2 86%]]. B: DOB {DOB:dob}. A: [[ARDS]]. "
        "R: {NAME:cov}，聯絡{NAME:kin} {PHONE:phone}",
    ],
    "pharmacist": [
        "藥師介入紀錄：病人{NAME:zh}（病歷號 {RECORD:chart}），[[Warfarin 5mg]] 與 [[Amiodarone]] 交互作用，"
        "[[INR 4.2]]；已{NAME:tell}，並{NAME:cov}。{NAME:subj}。[[建議 Warfarin 減量至 2.5mg]]",
        "Pharmacist intervention: {NAME:hon} contacted re [[Vancomycin trough 25]]; {NAME:subj}. "
        "Patient {NAME:zh}, {AGE:age}, NHI {NHI:nhi}. [[Dose adjusted to 750mg q12h]]",
    ],
    "meeting": [
        "家庭會議紀錄\n出席：{NAME:lst}、{NAME:hon}、{NAME:hon}\n討論病人{NAME:zh}之[[DNR 意願]]。{NAME:subj}，"
        "{NAME:subj}；{NAME:acc}。會後{NAME:tell}。[[下次會議 12/10]]",
        "Family meeting: present {NAME:lst}; social worker {NAME:hon}. {NAME:kin}同意[[安寧緩和]]，{NAME:subj}。"
        "聯絡人 {NAME:zh} {PHONE:phone}，e-mail {EMAIL:email}",
    ],
    "ltc": [
        "長照評估\n個案：{NAME:zh}，出生 {DOB:dob}，{AGE:age}，身分證 {ID:id}\n地址：{ADDRESS:addr}\n"
        "[[CMS 第5級]]，[[ADL 35分]]。家庭照顧者{NAME:kin}，外籍看護 {NAME:ff}（ARC {ID:arc}）。{NAME:cov}；"
        "{NAME:subj}。[[申請喘息服務]]",
        "LTC assessment: client {NAME:zh}, {AGE:age}; primary caregiver {NAME:kin} (LINE: {HANDLE:line}); "
        "{NAME:acc}. [[IADL 3/8]], [[Barthel 40]]. {NAME:hon}負責[[居家服務]]。",
    ],
    "referral": [
        "〇〇醫院 [[家庭醫學科]]\n{ADDRESS:addr}  TEL {PHONE:phone}\n轉診單\n病人：{NAME:zh}  身分證：{ID:id}  "
        "出生：{DOB:dob}\n健保卡號：{NHI:nhi}\n[[疑似 lung nodule 1.5 cm]]，請 貴院{NAME:hon}協助。轉診醫師 {NAME:hon}",
        "Referral Letter\n{ADDRESS:addr} | Tel {PHONE:phone} | {EMAIL:email}\nDear {NAME:hon}，\n"
        "Re: {NAME:zh}, {AGE:age}, Chart {RECORD:chart}. [[Progressive dyspnea, NYHA III]]. {NAME:acc}。",
    ],
}
TYPES = tuple(TEMPLATES)

# Written after the fixes, never tuned on: other words around the same slots.
HELD_OUT = {
    "social": ["社工訪談：{NAME:kin}與{NAME:cov}，{NAME:subj}，電話 {PHONE:phone}，住 {ADDRESS:addr}"],
    "consult": ["Consult reply to {NAME:hon}: {NAME:zh} ({RECORD:chart}) [[no surgical indication]]；{NAME:tell}"],
    "phone": ["電話訪問 {PHONE:phone}：{NAME:subj}；{NAME:acc}，[[血糖 180]]"],
    "homecare": ["居護：{NAME:zh} {AGE:age}，看護 {NAME:ff} ARC {ID:arc}，{NAME:cov}"],
    "sbar": ["S: {BED:bed} {NAME:zh}，[[fever 39]]；R: {NAME:tell}，{NAME:subj}"],
    "pharmacist": ["藥事照護：{NAME:hon}，病人{NAME:zh} 健保卡 {NHI:nhi}，{NAME:cov}，[[停用 NSAID]]"],
    "meeting": ["出席者：{NAME:lst}；{NAME:subj}，{NAME:acc}"],
    "ltc": ["照顧者{NAME:kin}（LINE {HANDLE:line}），個案 {NAME:zh}，出生 {DOB:dob}，{NAME:subj}"],
    "referral": ["轉診 {ADDRESS:addr} 電話 {PHONE:phone}：{NAME:zh} 身分證 {ID:id}，{NAME:hon}收"],
}

# Written after every fix above (the first held-out set, seeds 31-32, was run and closed before):
# other names, other verbs and titles around the same slots; never tuned on (held_out=2).
HELD_NAMES_2 = ["談又銘", "鄔一航", "宓千雅", "欒一豪", "鍾又芬", "喻一廷", "詹之琳", "滕又杰", "焦一寧", "巫千芳",
                "皮一德", "易之恆", "閔又萱", "裘一中", "游千惠"]
HELD_WORD2_2 = ["伍佰", "莫言", "江山", "金鐘", "高原"]
HELD_OUT_2 = {
    "social": ["案家訪視：已轉交資料給{NAME:zh}，{NAME:subj}；聯絡 {PHONE:phone}，地址 {ADDRESS:addr}"],
    "consult": ["Consultation reply - {NAME:hon}：{NAME:zh}（病歷 {RECORD:chart}）{NAME:subj}"],
    "phone": ["致電追蹤 {PHONE:phone}，{NAME:kin}接聽；{NAME:tell}；{NAME:acc}"],
    "homecare": ["居家訪視 {NAME:zh}，{AGE:age}；外籍看護 {NAME:ff}（{ID:arc}）；{NAME:cov}"],
    "sbar": ["R: {BED:bed} {NAME:zh}，{NAME:subj}；請{NAME:hon}再評估"],
    "pharmacist": ["藥師：{NAME:tell}，{NAME:subj}，健保卡號 {NHI:nhi}"],
    "meeting": ["與會者：{NAME:lst}；{NAME:hon}主持，{NAME:subj}"],
    "ltc": ["照管專員訪視 {NAME:zh}（出生 {DOB:dob}），{NAME:kin}同住，LINE：{HANDLE:line}，{NAME:acc}"],
    "referral": ["{ADDRESS:addr}／{PHONE:phone}／{EMAIL:email}\n敬致 {NAME:hon}：轉介 {NAME:zh}，身分證 {ID:id}"],
}

# Written after the second held-out set was closed; run once, never tuned on (held_out=3).
HELD_NAMES_3 = ["祝又豪", "康一蓁", "褚千瑜", "韋之廷", "樊一成", "寇又萍", "房一安", "湛千彤", "符又晨", "向一宏",
                "邱之晴", "霍一哲", "嵇又齊", "蒲千里", "婁一蘭"]
HELD_WORD2_3 = ["伍佰", "莫言", "金山", "江海", "高飛"]
HELD_OUT_3 = {
    "social": ["個案研討：社工已告訴{NAME:zh}補助流程，{NAME:kin}陪同；{NAME:subj}"],
    "consult": ["回覆照會：{NAME:hon}您好，病人 {NAME:zh}（{AGE:age}）建議轉介；{NAME:acc}"],
    "phone": ["電話關懷 {PHONE:phone}：{NAME:subj}，並{NAME:cov}"],
    "homecare": ["居家護理：{NAME:kin}照顧中；{NAME:tell}；外籍看護 {NAME:ff} 居留證 {ID:arc}"],
    "sbar": ["B: {NAME:zh}，病歷 {RECORD:chart}；A: {NAME:subj}；R: {NAME:cov}"],
    "pharmacist": ["用藥諮詢：{NAME:hon}來電，{NAME:tell}；{NAME:acc}"],
    "meeting": ["參加者：{NAME:lst}；記錄：{NAME:hon}；{NAME:subj}"],
    "ltc": ["長照需要評估 {NAME:zh} 身分證 {ID:id}，主要照顧者{NAME:kin}，{NAME:cov}"],
    "referral": ["〇〇診所 {PHONE:phone}\n致 {NAME:hon}：茲轉介 {NAME:zh}（{DOB:dob}），{NAME:acc}"],
}

# clinical words, drugs, lab values, departments, places, amounts and the words the new finder
# reads near names (none may be masked); round 7's set included
CONTROL = CONTROL7 + [
    "Warfarin 5mg", "Amiodarone 200mg qd", "INR 4.2", "Vancomycin trough 25", "Norepinephrine 0.1 mcg/kg/min",
    "Sertraline 50mg qd", "Amlodipine 5mg", "Lactate 3.1", "MAP 62", "HbA1c 7.2%", "EF 35%", "NYHA III", "CMS 第5級",
    "ADL 35分", "Barthel 40", "IADL 3/8", "家庭醫學科", "神經內科", "胸腔內科", "加護病房", "安寧病房", "復健科",
    "石家莊", "到石家莊出差", "高雄", "高雄出差", "去高雄看女兒", "住在高雄", "金門", "萬里", "白河", "伍佰元", "申請伍佰元",
    "補助伍佰元", "新台幣三千元", "陸仟元", "萬元", "高一些", "床頭搖高一些", "劑量高一些", "幫忙", "請幫忙翻身",
    "家屬幫忙", "幫忙餵食", "給予高劑量", "同時表示", "由於血壓高", "向醫師說明", "跟醫師說明", "和家屬討論",
    "與家屬會談", "請家屬簽名", "讓病人休息", "替病人換藥", "幫病人翻身", "叫病人起床", "交代病人明早空腹",
    "提醒病人按時服藥", "轉告夜班", "通知主治醫師", "詢問費用", "拒絕抽血", "同意手術", "表示理解", "高一學生",
    "由高處跌落", "被高壓電擊", "方便說明", "萬一跌倒", "高燒不退", "白班交班", "協助管灌進食", "同病房",
    "陪同就醫", "偕同家屬到院", "由家屬陪同", "由女兒陪同", "陪同來院", "叫救護車", "跟進", "和好", "一同前往",
]


def build(kind: str, template: str, rng: random.Random, pools: dict) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, pools)


def generate(rounds: int = 18, seed: int = 8, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (18 rounds: 324 notes), slots from one seeded generator;
    ``held_out`` True the first held-out set, 2 and 3 the sets written after the fixes."""
    rng = random.Random(seed)
    p = _Pools(held_out)
    pools = dict(STATIC, tell=p.tell, cov=p.cov, subj=p.subj, acc=p.acc, hon=p.hon, kin=p.kin, zh=p.zh, lst=p.lst, ff=p.ff)
    templates = {False: TEMPLATES, True: HELD_OUT, 2: HELD_OUT_2, 3: HELD_OUT_3}[held_out]
    return [build(kind, t, rng, pools) for _ in range(rounds) for kind in TYPES for t in templates[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=8, rounds=18, held_rounds=36, width=240)
