"""A fifteenth probe of free-text de-identification (D1, round 14): notes in layouts no earlier
round wrote - a SOAP note, a nursing handover table, a consult reply, a referral letter, a
pathology report, an HTML export of a note, a home-care roster - naming Japanese patients,
Vietnamese, Indonesian, Thai and Filipino caregivers and indigenous people:
- LINE: an identifier cut by a break a reader does not read inside a word: a line end after the
  surname (姓名：王⏎大明, 病人龔⏎振遠), CR LF, a wrapped table cell, a full-width blank, a zero-width
  character, a soft hyphen, an HTML tag or entity, a Latin name wrapped (Chen⏎Wei-Lun, Wei-⏎Lun);
- SOLO: a one-word foreign name alone in a name field or column (Name: Siti, | Siti |), opening a
  sentence (Wulan said...), an employer's name that is a rare word (雇主解元);
- NAME: Han names in the new layouts;
- JAPAN: Japanese names (佐藤花子, Sato Hanako);
- CARER: SE-Asian caregivers' full names (Maricel Dela Cruz, Nguyen Van An);
- PHONE, ID, DOB, RECORD as before.
``[[text]]`` phrases (drug brands with their transliteration Lyrica（利瑞卡）, Tan-shaped words
before A-V fistula, eponymous signs, devices) and the control set must stay.  Seeded.
"""
from __future__ import annotations

import random

from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round11 import _dob, _id, _phone, _record
from tests.deidentify.eval_round13 import CONTROL as CONTROL13
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "LINE", "SOLO", "JAPAN", "CARER", "PHONE", "ID", "DOB", "RECORD")

HAN = ["王大明", "龔振遠", "林美玉", "陳志豪", "鍾秀妹", "黃淑芬", "張簡文華", "歐陽娜娜", "蔡宗翰", "潘玉蘭", "詹文遠",
       "葉雅婷", "賴阿滿", "許家瑋", "謝佩珊", "吳俊傑", "劉怡君", "曾月嬌", "游明德", "蘇冠宇"]
LATIN_HAN = ["Chen Wei-Lun", "Lin Mei-Yu", "Huang Shu-Fen", "Chang Chih-Hao", "Wang Ta-Ming", "Tsai Tsung-Han"]
# one-word names foreign caregivers and indigenous people go by
SOLO = ["Siti", "Wulan", "Ayu", "Ratna", "Yanti", "Sri", "Dewi", "Lestari", "Nurul", "Ratree", "Malee", "Somsri",
        "Maricel", "Jocelyn", "Lorna", "Marites", "Pasang", "Biung", "Lavakaw", "Hoa", "Thuy", "Lan"]
RARE_EMPLOYERS = ["解元", "藍天", "丁香", "甘霖", "艾草", "柏林", "冷泉", "江山", "金水", "卓越"]
JAPANESE = ["佐藤花子", "山田太郎", "鈴木一郎", "田中由美", "高橋健二", "渡邊直美", "中村美穗", "小林誠",
            "Sato Hanako", "Yamada Taro", "Suzuki Ichiro", "Tanaka Yumi", "Takahashi Kenji", "Watanabe Naomi"]
CARERS = ["Maricel Dela Cruz", "Jocelyn Reyes", "Lorna Bautista", "Nguyen Van An", "Tran Thi Lan", "Siti Aminah",
          "Sri Wahyuni", "Somsak Chaiyaporn", "Malee Srisai", "Nurul Hidayah", "Pham Thi Thu", "Rosalie Mendoza"]
# the breaks of the LINE class
BREAKS_HAN = ["\n", "\r\n", "\n  ", "\u3000", "\u200b", "\u00ad", "\u2060", "<br>", "<br/>", "</span><span>", "&nbsp;",
              "</td>\n<td>", "\ufeff"]


def _han(rng):
    return rng.choice(HAN)


def _line(rng):
    if rng.random() < 0.25:
        n = rng.choice(LATIN_HAN)
        s, g = n.split(" ")
        g1, g2 = g.split("-")
        return rng.choice([[(f"{s}\n{g}", True)], [(f"{s} {g1}-\n{g2}", True)], [(f"{s}<br>{g}", True)],
                           [(f"{s}\r\n{g}", True)]])
    n = rng.choice(HAN)
    cut = 2 if n[:2] in ("張簡", "歐陽") else rng.choice([1, 2]) if len(n) == 3 else 1
    br = rng.choice(BREAKS_HAN)
    return [(f"{n[:cut]}{br}{n[cut:]}", True)]


def _solo(rng):
    return rng.choice(SOLO)


def _employer(rng):
    return rng.choice(RARE_EMPLOYERS)


def _japan(rng):
    return rng.choice(JAPANESE)


def _carer(rng):
    return rng.choice(CARERS)


POOLS = {"han": _han, "line": _line, "solo": _solo, "employer": _employer, "japan": _japan, "carer": _carer,
         "phone": _phone, "id": _id, "dob": _dob, "rec": _record}

TEMPLATES = {
    "soap": [
        "S: 病人{LINE:line}主訴[[胸悶三天]]。\nO: [[BP 150/90]], [[Tan A-V fistula thrill (+)]]\n"
        "A: [[CAD]]\nP: [[Lyrica（利瑞卡）75mg]] hs；{RECORD:rec}",
        "S: {SOLO:solo} said the patient coughs at night.\nO: [[Murphy's sign (+)]]\nP: [[Foley 拔除]]. {PHONE:phone}",
    ],
    "handover": [
        "| 床號 | 姓名 | 診斷 |\n| 12 | {LINE:line} | [[肺炎]] |\n| 13 | {NAME:han} | [[Lyrica（利瑞卡）]] |\n{ID:id}",
        "Name\tAge\tCarer\n{SOLO:solo}\t78\t{CARER:carer}\n[[Norvasc（脈優）5mg]] {DOB:dob}",
    ],
    "consult": [
        "會診回覆：\n貴科病人{LINE:line}（{RECORD:rec}）[[Babinski sign (-)]]，建議[[Stilnox（使蒂諾斯）]]。\n"
        "會診醫師 {NAME:han}",
        "Consult reply: Pt {JAPAN:japan} ({DOB:dob}), [[Tan A-V fistula]] [[patent]]. {PHONE:phone}",
    ],
    "referral": [
        "轉診單\n病人姓名：{LINE:line}\n身分證：{ID:id}\n[[診斷：Graves' disease]]\n聯絡人：{CARER:carer} {PHONE:phone}",
        "Referral: Name: {SOLO:solo}\nEmployer: {NAME:han}\n[[Dx: Bell's palsy]] {RECORD:rec}",
    ],
    "pathology": [
        "病理報告\n病人：{NAME:han}  {RECORD:rec}\n[[Specimen: Whipple procedure]]\n報告醫師：{LINE:line}",
        "Pathology: {JAPAN:japan}, [[Gleason score 3+4]], [[Hashimoto thyroiditis]]. {DOB:dob}",
    ],
    "html": [
        "<p>病人<b>{LINE:line}</b>今日出院，[[Xarelto（拜瑞妥）]]。</p><p>{PHONE:phone}</p>",
        "<div>看護：{CARER:carer}</div><div>雇主{SOLO:employer}</div><div>{ID:id}</div>",
    ],
    "roster": [
        "居家照護排班\n週一 {SOLO:solo}\n週二 {CARER:carer}\n個案 {JAPAN:japan} [[Crestor（冠脂妥）]]\n{DOB:dob}",
        "看護 {CARER:carer}（印尼）今日陪同，個案{LINE:line}，[[Concor（康肯）]]；雇主{SOLO:employer}。{PHONE:phone}",
    ],
}
TYPES = tuple(TEMPLATES)

DRUG_PAIRS = ["Lyrica（利瑞卡）", "Xarelto（拜瑞妥）", "Crestor（冠脂妥）", "Concor（康肯）", "Stilnox（使蒂諾斯）",
              "Lipitor（立普妥）", "Eliquis（艾必克凝）", "Januvia（佳糖維）", "Nexium（耐適恩）", "Zyprexa（金普薩）",
              "Seroquel（思樂康）", "Lasix（來適泄）", "Keppra（優閒）", "Plavix（保栓通）", "Glucophage（庫魯化）"]
CONTROL = CONTROL13 + DRUG_PAIRS + [
    "Tan A-V fistula", "Tan A-V shunt", "A-V fistula", "Murphy's sign", "Babinski sign", "Bell's palsy",
    "Graves' disease", "Hashimoto thyroiditis", "Whipple procedure", "Gleason score 3+4", "Foley catheter",
    "Swan-Ganz catheter", "Port-A-Cath", "Hickman line", "利瑞卡", "拜瑞妥", "冠脂妥",
]


def generate(rounds: int = 12, seed: int = 14, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (12 rounds: 168 notes), slots from one seeded generator."""
    rng = random.Random(seed)
    return [recall_suite.build(kind, t, rng, CLASSES, POOLS) for _ in range(rounds) for kind in TYPES
            for t in TEMPLATES[kind]]


def measure(notes: list[Note]) -> Result:
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=14, rounds=12, held_rounds=12, width=260)
