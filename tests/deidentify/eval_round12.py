"""A thirteenth probe of free-text de-identification (D1, round 12): notes in styles no earlier
round wrote - a nursing shift handover, a discharge summary, a social worker's note, an ER triage
line log, a consult reply, a phone-call log, a family meeting record, an English SOAP note with
Chinese names, an OCR'd form with broken spacing, a ward table pasted as text and a note typed in
haste (typos, full-width letters) - with the name forms those styles carry:
- NAME: Han names with common, rare and compound surnames in every slot;
- PAREN: a relation then the name in brackets (案妻（林美玉）, 案子(陳志明), 聯絡人：案女（…）);
- PARTIAL: names already partly hidden by the writer (林＊＊, 王○明, 陳O華: the surname and a
  given character still tell);
- SIGN: signatures with titles (護理師 王美玉, 王美玉 RN, Dr. 陳建宏, 記錄者：…, ──社工師 …);
- SPLIT: names split by blanks, full-width blanks or a line break (陳 建 宏, 陳⏎建宏);
- ROMAN: romanised Han names (Wade-Giles, Hanyu Pinyin, Taiwanese POJ);
- FOREIGN: caregivers' and indigenous names in Latin letters;
- NICK: nicknames (阿明, 小美) and what they lead (阿公石頭說, May Cruz 表示);
- EMAIL: addresses made of a name;
- PHONE, ID, DOB, ADDRESS, RECORD as before.
``[[text]]`` phrases and the control set are what must stay.  Built and scored by
``recall_suite``; seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round11 import CONTROL as CONTROL11, _addr, _digits, _dob, _id, _phone, _record
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "PAREN", "PARTIAL", "SIGN", "SPLIT", "ROMAN", "FOREIGN", "NICK", "EMAIL", "PHONE", "ID", "DOB",
           "ADDRESS", "RECORD")

HAN = ["尤美珍", "雷志明", "萬家榮", "單淑芬", "岳秀英", "錢佩玲", "祁雅惠", "滕文傑", "武麗華", "佘俊傑", "歐陽志豪",
       "張簡美玲", "諸葛明", "司馬文", "陳建宏", "林淑貞", "黃俊雄", "蔡佩珊", "劉冠廷", "楊雅筑", "雲秀英", "閻文忠",
       "練美蘭", "簡志強", "薛佳玲", "顏世賢", "溫淑華", "柯文龍", "莊靜宜", "游明德"]
ROMAN = ["Chen Chien-Hung", "Lin Hsiu-Chin", "Huang Chih-Wei", "Tsai Ming-Che", "Hsu Wen-Pin", "Cheng Li-Chun",
         "Kuo Ya-Ting", "Yeh Chia-Hao", "Liao Wan-Ting", "Chiang Kuo-Hua", "Zhang Shuhui", "Wu Yating",
         "Tân Bí-gio̍k", "Lîm Siù-khîm", "Ông Kim-tsu", "Tiunn A-hok"]
FOREIGN = ["Nguyen Thi Lan", "Tran Van Hung", "Siti Nurhaliza", "Rina Wati", "Maricel Santos", "Joy Dela Cruz",
           "Agus Salim", "Pham Thi Thu", "May Cruz", "Grace Reyes", "Watan Tanga", "Savi Tjakisuvung",
           "Lituk Kacaw", "Pasang Tamapima"]
NICKS = ["阿明", "小美", "阿嬌", "阿雄", "小芳", "阿輝", "阿珠", "小龍"]
TITLES_BEFORE = ["護理師 ", "護理師：", "RN ", "Dr. ", "主治醫師：", "住院醫師 ", "社工師 ", "記錄者：", "──社工師 ",
                 "藥師 ", "個管師", "營養師："]
TITLES_AFTER = [" RN", " 護理師", " MD", " 醫師", "醫師", " NP", "（社工）", " 簽"]
RELATIONS = ["案妻", "案夫", "案子", "案女", "案母", "案兄", "長子", "次女", "案孫", "看護", "聯絡人：案女", "主要照顧者為案媳"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾"
# written after this round's fixes, never tuned on (held_out=True): run once, figures in
# tests/deidentify/test_unseen_round12.py
HELD_HAN = ["冉玉梅", "鞏志遠", "仇秀蘭", "湛家齊", "晏子萱", "桂美娟", "聶偉倫", "藍玉珊", "屈志豪", "麥淑惠", "公孫策",
            "東方明珠", "西門慶華", "呼延平", "黃俊賢", "吳淑芬", "鄭家豪", "邱月娥", "廖阿滿", "羅金水", "童一方", "戴文淵",
            "甘寶玉", "包文正", "易千帆", "雷又寧", "萬春嬌", "卓冠宇", "凃明德", "粘素卿"]
HELD_ROMAN = ["Hsieh Ya-Wen", "Kao Chun-Ming", "Tseng Hui-Ling", "Chou Yi-Hsuan", "Lu Kuan-Yu", "Pan Shu-Fen",
              "Zhou Yixuan", "Xie Yawen", "Khóo Bí-lē", "Ng Tsun-bîng", "Tsiu A-tsuí", "Lâu Kim-tsuí"]
HELD_FOREIGN = ["Nguyen Van Nam", "Le Thi Hong", "Sri Rahayu", "Endah Puspita", "Lorna Mendoza", "Rowena Aquino",
                "Hope Bautista", "Faith Ramos", "Biung Istanda", "Yapit Tali", "Dadu Tanapima", "Ciwas Pawan",
                "Vo Thi Kim", "Rose Castillo"]
HELD_NICKS = ["阿財", "小玲", "阿蓮", "阿忠", "小娟", "阿旺", "阿霞", "小傑"]
_LISTS = {"han": HAN, "roman": ROMAN, "foreign": FOREIGN, "nicks": NICKS}


def _han(rng):
    return rng.choice(_LISTS['han'])


def _paren(rng):
    a, b = rng.choice([("（", "）"), ("(", ")"), ("（", ")"), ("【", "】")])
    name = rng.choice(_LISTS['han']) if rng.random() < 0.7 else rng.choice(_LISTS['foreign'])
    return [(rng.choice(RELATIONS) + a, False), (name, True), (b, False)]


def _partial(rng):
    s = rng.choice(SURNAMES)
    g = rng.choice("明華美玉志秀")
    return rng.choice([f"{s}＊＊", f"{s}○{g}", f"{s}O{g}", f"{s}*{g}", f"{s}〇〇", f"{s}Ｏ{g}", f"{s}X{g}"])


def _sign(rng):
    name = rng.choice(_LISTS['han'])
    if rng.random() < 0.55:
        return [(rng.choice(TITLES_BEFORE), False), (name, True)]
    return [(name, True), (rng.choice(TITLES_AFTER), False)]


def _split(rng):
    n = rng.choice([h for h in _LISTS['han'] if len(h) == 3])
    return rng.choice([f"{n[0]} {n[1]} {n[2]}", f"{n[0]}　{n[1:]}", f"{n[0]}\n{n[1:]}", f"{n[:2]}\n{n[2]}",
                       f"{n[0]} {n[1:]}", f"{n[0]}  {n[1]}  {n[2]}"])


def _roman(rng):
    return rng.choice(_LISTS['roman'])


def _foreign(rng):
    return rng.choice(_LISTS['foreign'])


def _nick(rng):
    nick = rng.choice(_LISTS['nicks'])
    return rng.choice([
        [(nick, True), ("（", False), (rng.choice(_LISTS['han']), True), ("）", False)],
        [("大家都叫他", False), (nick, True)],
        [("阿公", False), (rng.choice(["石頭", "鐵牛", "土豆"]), True), ("說要回家", False)],
        [(rng.choice(["May Cruz", "Joy Reyes", "Hope Santos", "Faith Garcia"]), True), (" 表示", False)],
        [("案母", False), (nick, True), ("說", False)],
        [("「", False), (rng.choice(['A-bîng', 'A-hiông', 'A-kiau', 'Sió-bí']), True), ("」來探病", False)],
    ])


def _email(rng):
    first = rng.choice(["meizhen", "chienhung", "hsiuchin", "yating", "lituk", "siti.n", "maricel"])
    last = rng.choice(["chen", "lin", "huang", "tsai", "wu", "nguyen"])
    dom = rng.choice(["gmail.com", "yahoo.com.tw", "ntuh.gov.tw", "ms1.hinet.net"])
    user = rng.choice([f"{first}.{last}", f"{last}{first}", f"{first}_{last}{_digits(rng, 2)}"])
    return rng.choice([f"{user}@{dom}", f"{user} @ {dom}", f"{user}＠{dom}", f"{user}(at){dom}"])


POOLS = {"han": _han, "paren": _paren, "partial": _partial, "sign": _sign, "split": _split, "roman": _roman,
         "foreign": _foreign, "nick": _nick, "email": _email, "phone": _phone, "id": _id, "dob": _dob,
         "addr": _addr, "rec": _record}

TEMPLATES = {
    "shift": [
        "【交班】07-15 班\n床 12A {NAME:han}，[[CHF s/p diuretics]]，{RECORD:rec}。{PAREN:paren}陪伴，"
        "夜間[[躁動]]。交班者：{SIGN:sign}；接班 {SIGN:sign}",
        "N2 交班：{NAME:han}（{DOB:dob}）[[Foley 通暢]]，家屬{NICK:nick}。{FOREIGN:foreign} 照顧中。{SIGN:sign}",
    ],
    "discharge": [
        "出院摘要\nPatient: {ROMAN:roman}  {RECORD:rec}\n{DOB:dob}\nDischarge Dx: [[Pneumonia, 糖尿病]]\n"
        "Attending: {SIGN:sign}\nFollow-up: [[心臟內科門診]] 2 weeks. 聯絡 {PHONE:phone}",
        "出院病摘：病人{NAME:han}，{ID:id}。[[住院期間給予 Ceftriaxone]]。出院後由{PAREN:paren}照顧，"
        "住 {ADDRESS:addr}。{SIGN:sign}",
    ],
    "social": [
        "社工紀錄：案主{NAME:han}，獨居。{PAREN:paren}久未聯絡，{PARTIAL:partial}（鄰居）協助送餐。"
        "[[申請中低收入戶]]。{EMAIL:email}；{SIGN:sign}",
        "社工評估：{PAREN:paren}為主要照顧者；外籍看護 {FOREIGN:foreign} 表示[[案主夜眠差]]。"
        "戶籍：{ADDRESS:addr}。{ID:id}",
    ],
    "triage": [
        "ER 檢傷 03:12 {NAME:han} M/78 [[GCS E4V5M6]] 由{PAREN:paren}陪同，{PHONE:phone}。{NICK:nick}",
        "Triage: {ROMAN:roman}, [[c/o dyspnea]], {ID:id}, EMT 送入；家屬 {FOREIGN:foreign} 在場。{RECORD:rec}",
    ],
    "consult": [
        "會診回覆\n覆 {SIGN:sign}：病人{NAME:han}（{RECORD:rec}）[[建議加上 Aspirin 100mg]]。\n{SIGN:sign}",
        "Consult reply to {SIGN:sign}: pt {NAME:han}, [[r/o PE]]. {DOB:dob}. Discussed with {SPLIT:split}. {EMAIL:email}",
    ],
    "phone": [
        "電訪紀錄\n10:05 致電{PAREN:paren}（{PHONE:phone}）未接。\n10:30 {NICK:nick}回電，[[表示藥已吃完]]。"
        "\n記錄：{SIGN:sign}",
        "電話追蹤：{NAME:han} 出院第 3 天，{FOREIGN:foreign} 接聽，[[血糖 180]]。{PARTIAL:partial}代為轉達。{PHONE:phone}",
    ],
    "family": [
        "家庭會議紀錄\n出席：{PAREN:paren}、{PAREN:paren}、{SIGN:sign}\n[[討論 DNR]]；{NICK:nick}。"
        "地址 {ADDRESS:addr}",
        "Family meeting: son {ROMAN:roman}, daughter {NAME:han}, caregiver {FOREIGN:foreign}. [[Agreed on comfort care]]. "
        "{SIGN:sign}",
    ],
    "soap": [
        "S: Pt {NAME:han} c/o [[chest tightness]] x2d, wife {SPLIT:split} says [[SOB at night]].\n"
        "O: [[BP 150/90]]\nA: [[NSTEMI r/o]]\nP: [[cath tomorrow]]. {SIGN:sign}. {EMAIL:email}",
        "SOAP\nS: {ROMAN:roman} reports [[poor appetite]]. {NICK:nick}.\nA/P: [[Megace]]; {DOB:dob}; {RECORD:rec}",
    ],
    "ocr": [
        "病 患 姓 名 ： {SPLIT:split}\n身 分 證 ： {ID:id}\n聯 絡 人 ： {PAREN:paren}\n電 話 ： {PHONE:phone}\n"
        "[[診 斷 ： 高 血 壓]]",
        "ＮＡＭＥ：{ROMAN:roman}\n出生：{DOB:dob}\n住址：{ADDRESS:addr}\n填表人：{SPLIT:split}\n{PARTIAL:partial}",
    ],
    "table": [
        "床號 | 姓名 | 診斷 | 主護\n12A | {NAME:han} | [[CHF]] | {SIGN:sign}\n12B | {SPLIT:split} | [[COPD]] | "
        "{NAME:han}\n12C | {PARTIAL:partial} | [[UTI]] | {NAME:han}",
        "No.\t病人\t照顧者\t電話\n1\t{NAME:han}\t{FOREIGN:foreign}\t{PHONE:phone}\n2\t{ROMAN:roman}\t"
        "{NICK:nick}\t{PHONE:phone}",
    ],
    "typo": [
        "病ㄖ{NAME:han}今天ｐａｉｎ score 3，[[有吃止痛藥]]。{PAREN:paren}說要ｃａｌｌ回來 {PHONE:phone}。{SIGN:sign}",
        "pt {NAME:han} 好像有點 [[confuse]]，{FOREIGN:foreign}說昨晚沒睡，{NICK:nick}。{EMAIL:email}",
    ],
}
TYPES = tuple(TEMPLATES)

# what must stay: set phrases, drugs, diseases, anatomy, the over-masks this round closes and the
# words its classes are made of, used as words
CONTROL = CONTROL11 + [
    "金碧輝煌", "祝金碧輝煌", "高又胖", "又高又胖", "雲端硬碟", "白雲飄飄", "練習走路", "復健練習", "閻王", "May 15 回診",
    "Grace period", "Joy of living", "Hope to improve", "阿公說要回家", "阿嬤表示同意", "小美人魚", "阿斯匹靈",
    "阿莫西林", "小兒科", "小龍蝦過敏", "林口長庚", "王爺廟", "陳皮", "黃連", "張力性氣胸", "李斯特菌", "白內障",
    "石頭說明", "病人家屬（案妻）表示了解", "病人（78歲）", "（見附件）", "（心臟內科）", "RN 交班", "MD 查房", "護理師交班",
    "主治醫師查房", "Dr. 查房", "等待主治醫師", "覆會診", "＊＊＊", "○○醫院", "OOO", "CHF s/p diuretics",
    "Foley 通暢", "GCS E4V5M6", "c/o dyspnea", "r/o PE", "BP 150/90", "Megace", "Ceftriaxone", "Aspirin 100mg",
    "心臟內科門診", "中低收入戶", "comfort care", "高 血 壓", "糖 尿 病",
]


def generate(rounds: int = 12, seed: int = 12, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (12 rounds: 264 notes), slots from one seeded generator;
    ``held_out``: the names written after this round's fixes."""
    rng = random.Random(seed)
    held = bool(held_out)
    _LISTS.update(han=HELD_HAN if held else HAN, roman=HELD_ROMAN if held else ROMAN,
                  foreign=HELD_FOREIGN if held else FOREIGN, nicks=HELD_NICKS if held else NICKS)
    try:
        return [recall_suite.build(kind, t, rng, CLASSES, POOLS) for _ in range(rounds) for kind in TYPES
                for t in TEMPLATES[kind]]
    finally:
        _LISTS.update(han=HAN, roman=ROMAN, foreign=FOREIGN, nicks=NICKS)


def measure(notes: list[Note]) -> Result:
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=12, rounds=12, held_rounds=12, width=260)
