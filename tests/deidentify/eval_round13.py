"""A fourteenth probe of free-text de-identification (D1, round 13): notes in styles no earlier
round wrote - a nursing home transfer letter, a dialysis run sheet, a home-care visit note, a
psychiatric interview with family quotes, a pharmacy consult with drug names that look like
names, a note mixing Hokkien romanisation and Hakka names, and notes naming indigenous people
(Taiwanese Austronesian names) and Vietnamese, Indonesian and Thai caregivers with diacritics:
- NAME: Han names (Hakka surnames 鍾/彭/溫/邱/曾/傅/徐, rare surnames, plausible given names on no list);
- LINE: a name opening a line or broken after its surname (姓名：王⏎大明);
- SPACED: surname, blank, given name (甘 寶玉);
- ROMAN: Hokkien POJ/Tâi-lô and Hakka romanised names;
- INDIG: indigenous names (Walis Nokan, Pasang, Yapit Tali, 'Uking);
- CARER: Vietnamese, Indonesian and Thai names with diacritics (Nguyễn Thị Hoa, Somchai Srisuk);
- QUOTE: a family member quoted by name (女兒林美惠說：「…」);
- PHONE, ID, DOB, RECORD as before.
``[[text]]`` phrases (drugs, diseases, lab terms that read like names: 孟魯司特, 范可尼, 高血鉀,
帕金森氏症) and the control set must stay.  Seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round11 import _dob, _id, _phone, _record
from tests.deidentify.eval_round12 import CONTROL as CONTROL12
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "LINE", "SPACED", "ROMAN", "INDIG", "CARER", "QUOTE", "PHONE", "ID", "DOB", "RECORD")

HAN = ["鍾秀妹", "彭玉英", "溫阿水", "邱添丁", "曾月嬌", "傅金妹", "徐新妹", "羅石妹", "鞏志遠", "童一方", "甘寶玉",
       "雷又寧", "冷若冰", "蒙家和", "丘春梅", "賴阿滿", "涂鳳英", "池上雲", "戚守仁", "詹文遠", "邢建遠", "龔振遠",
       "湯如意", "匡立遠", "殷念慈", "郝樂天", "伏千里", "滿天星", "解元", "仉素英"]
ROMAN = ["Tân Tsì-bîng", "Lîm A-tsu", "Ông Bí-hun", "Tiunn Kim-hok", "Ng Siù-lân", "Tsua Bûn-tik", "Liâu A-muí",
         "Ko Tsheng-tsuân", "Phang Siu-mui", "Chung Fi-fûng", "Yap Kim-tshôn", "Khu Sìn-fa"]
INDIG = ["Walis Nokan", "Pasang", "Yapit Tali", "Masay Sulung", "Tanapima Umav", "Lahok Kacaw", "Sawmah Dongi",
         "Biung", "Panay Mayaw", "Yuraw Watan", "Kolas Foting", "Tjinuai Ljaljegean", "Uking", "Lavakaw"]
CARERS = ["Nguyễn Thị Hoa", "Trần Văn Đức", "Phạm Thị Ngọc", "Lê Thị Thúy", "Đỗ Văn Hùng", "Siti Rahmawati",
          "Dewi Lestari", "Wulan", "Somchai Srisuk", "Malee Boonmee", "Ratree", "Nur Aini", "Bùi Thị Mai", "Ayu"]
RELATIONS = ["女兒", "兒子", "太太", "媳婦", "先生", "孫女", "姪子", "案妹"]
DRUGS = ["孟魯司特", "范可尼貧血", "高血鉀", "帕金森氏症", "阿茲海默", "華法林", "史蒂文生強生症候群", "雷諾氏症",
         "貝賽特氏症", "威爾森氏症", "薛格連氏症", "低血鈉", "高血鈣", "庫欣氏症", "克隆氏症"]
_LISTS = {"han": HAN, "roman": ROMAN, "indig": INDIG, "carer": CARERS}


def _han(rng):
    return rng.choice(_LISTS['han'])


def _line(rng):
    n = rng.choice([h for h in _LISTS['han'] if len(h) == 3])
    return rng.choice([[("\n", False), (n, True), (" 今日", False)], [("姓名：", False), (f"{n[0]}\n{n[1:]}", True)],
                       [("病人", False), (f"{n[:1]}\n{n[1:]}", True), ("今日出院", False)],
                       [("\n", False), (n, True), ("　", False)]])


def _spaced(rng):
    n = rng.choice([h for h in _LISTS['han'] if len(h) == 3])
    return rng.choice([f"{n[0]} {n[1:]}", f"{n[0]}　{n[1:]}", f"{n[0]}  {n[1:]}"])


def _roman(rng):
    return rng.choice(_LISTS['roman'])


def _indig(rng):
    return rng.choice(_LISTS['indig'])


def _carer(rng):
    return rng.choice(_LISTS['carer'])


def _quote(rng):
    n = rng.choice(_LISTS['han'])
    return [(rng.choice(RELATIONS), False), (n, True), (rng.choice(["說：「", "表示：「", "哭著說「", "：「"]), False)]


POOLS = {"han": _han, "line": _line, "spaced": _spaced, "roman": _roman, "indig": _indig, "carer": _carer,
         "quote": _quote, "phone": _phone, "id": _id, "dob": _dob, "rec": _record}

TEMPLATES = {
    "transfer": [
        "轉院（護理之家）交接單\n住民：{NAME:han}  {RECORD:rec}\n{DOB:dob}\n[[診斷：帕金森氏症、高血鉀]]\n"
        "主要照顧者：{CARER:carer}\n聯絡家屬：{QUOTE:quote}要轉回來」 {PHONE:phone}",
        "致 XX 醫院：本院住民{LINE:line}[[因發燒、意識改變]]轉送貴院。{ID:id}。陪同：{CARER:carer}。",
    ],
    "dialysis": [
        "HD run sheet  {RECORD:rec}\nPt: {ROMAN:roman}  [[Dry weight 58 kg]]\nUF 2.5L, [[高血鉀 K 6.1]]\n"
        "Nurse: {NAME:han}  Caregiver: {CARER:carer}",
        "血液透析紀錄 {NAME:han} [[AVF 通暢]]，[[低血鈉]]；{SPACED:spaced} 陪同。{PHONE:phone}",
    ],
    "homecare": [
        "居家訪視\n個案：{SPACED:spaced}，{DOB:dob}\n外籍看護 {CARER:carer} 協助[[翻身拍背]]。\n"
        "{QUOTE:quote}晚上都不睡」\n訪視者：{NAME:han}",
        "Home visit: {INDIG:indig} (Atayal) lives with daughter {INDIG:indig}. [[Wound clean]]. {ID:id}",
    ],
    "psych": [
        "精神科會談\n病人{LINE:line}[[自述聽到聲音]]。{QUOTE:quote}他已經三天沒吃」。\n"
        "另由{CARER:carer}補充病史。{RECORD:rec}",
        "Psych interview: {ROMAN:roman}; mother {NAME:han} says [[he stopped meds]]. {PHONE:phone}",
    ],
    "pharmacy": [
        "藥事照會：{NAME:han} [[服用孟魯司特 10mg 與華法林]]，[[INR 3.5]]。建議[[停用范可尼相關藥物評估]]。"
        "藥師 {NAME:han}",
        "Pharmacy consult: {SPACED:spaced}, [[montelukast 孟魯司特]], [[阿茲海默 on donepezil]]. {DOB:dob}",
    ],
    "hakka": [
        "客家庄訪視：{NAME:han}（{ROMAN:roman}），[[高血壓控制不佳]]。{QUOTE:quote}阿爸毋肯食藥」",
        "{ROMAN:roman} 由 {NAME:han} 陪同回診，[[糖尿病]]。{LINE:line}",
    ],
    "indigenous": [
        "部落健康站：{INDIG:indig}（{NAME:han}），[[痛風]]；孫女 {INDIG:indig} 陪同。{ID:id}",
        "原鄉巡迴醫療\n{INDIG:indig} [[BP 160/95]]\n家屬 {INDIG:indig} 代領藥。{PHONE:phone}",
    ],
    "carer": [
        "看護 {CARER:carer} 表示[[病人夜咳]]；雇主{NAME:han}。{PHONE:phone}",
        "Caregiver {CARER:carer} from Vietnam, employer {ROMAN:roman}. [[Feeding via NG]]. {RECORD:rec}",
    ],
}
TYPES = tuple(TEMPLATES)

# what must stay: drugs and diseases that read like names, and the words this round's classes use
CONTROL = CONTROL12 + DRUGS + [
    "醫師 向家屬說明", "主護 高又胖", "看護（Indonesia）", "案子（CEO）", "看護（Vietnam）", "案女（RN）",
    "高血鉀 K 6.1", "低血鉀", "高血鈉", "范可尼症候群", "孟魯司特 10mg", "Montelukast 孟魯司特", "帕金森", "一方面",
    "又寧靜", "甘願", "童年", "遠方", "雷陣雨", "Atayal", "Amis", "Paiwan", "Vietnam", "Indonesia", "Thailand",
]


def generate(rounds: int = 12, seed: int = 13, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (12 rounds: 192 notes), slots from one seeded generator."""
    rng = random.Random(seed)
    return [recall_suite.build(kind, t, rng, CLASSES, POOLS) for _ in range(rounds) for kind in TYPES
            for t in TEMPLATES[kind]]


def measure(notes: list[Note]) -> Result:
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=13, rounds=12, held_rounds=12, width=260)
