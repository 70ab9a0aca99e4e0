"""Clinical notes of every type with planted identifiers and distractors (fixed seed).

``generate(n_per_type, seed)`` returns ``Case`` objects: the text, the identifier spans (class,
start, end) that must be masked completely, and the distractor spans (kind, start, end) that
must not be touched.  Note types: outpatient, discharge, nursing, radiology, referral, lab
comment, mixed Chinese/English.  Each note draws its sentences at random from many templates.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from deidentify.identifiers import taiwan_id
from tests.deidentify.eval import forms as F
from tests.deidentify.eval import names as N

CLASSES = ("ID", "PHONE", "EMAIL", "ADDRESS", "NAME", "DOB", "MRN", "NHI_CARD")
NOTE_TYPES = ("outpatient", "discharge", "nursing", "radiology", "referral", "lab", "mixed")


@dataclass
class Case:
    note_type: str
    text: str = ""
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    distractors: list[tuple[str, int, int]] = field(default_factory=list)
    form: list[str] = field(default_factory=list)    # the form of each span, for per-form reports

    def add(self, s: str) -> "Case":
        self.text += s
        return self

    def pii(self, cls: str, s: str, form: str = "") -> "Case":
        self.spans.append((cls, len(self.text), len(self.text) + len(s)))
        self.form.append(form or cls)
        self.text += s
        return self

    def dist(self, kind: str, s: str) -> "Case":
        self.distractors.append((kind, len(self.text), len(self.text) + len(s)))
        self.text += s
        return self


# ---- distractors -----------------------------------------------------------------------------

ICD = ["E11.9", "I10", "J18.9", "Z79.4", "S72.001A", "N18.3", "K21.9", "M17.11", "C34.90", "J44.1", "E78.5",
       "I25.10", "F32.9", "R07.9", "G47.33", "N39.0", "L03.115", "B02.9", "E11.65", "I48.91"]
ORDER = ["09001C", "08011C", "32001C", "09015C", "18001C", "33070B", "47041C", "09005C", "06013C", "12015C"]
LAB = ["HbA1c 7.2%", "WBC 12000/uL", "Cr 1.2 mg/dL", "K 3.5 mmol/L", "Hb 10.8 g/dL", "PLT 235 k/uL",
       "eGFR 45", "LDL 132 mg/dL", "CRP 5.6 mg/dL", "Na 138", "ALT 45 U/L", "BUN 23", "TSH 2.34", "INR 1.12",
       "血糖 186 mg/dL", "白血球 12500", "血紅素 9.8", "尿蛋白 2+", "PSA 4.1 ng/mL", "BNP 1256 pg/mL"]
DOSE = ["500mg TID", "10 mg QD", "0.5 mg HS", "1# BID", "20 U SC QD", "5 mg/kg", "1000 mL/day", "2 tabs PRN",
        "75 mg QD", "40 mg IV Q12H", "250 mL N/S", "0.9% NaCl 500 mL"]
DRUG = ["Metformin", "Amlodipine", "Aspirin", "Clopidogrel", "Atorvastatin", "Insulin glargine", "脈優", "冠脂妥",
        "普拿疼", "Augmentin", "Ceftriaxone", "Furosemide", "Warfarin", "Losartan", "Omeprazole", "Levofloxacin"]
DEPT = ["心臟內科", "家醫科", "急診部", "新陳代謝科", "胸腔內科", "神經內科", "一般外科", "骨科", "腎臟科", "小兒科",
        "婦產科", "精神科", "放射科", "復健科", "感染科", "血液腫瘤科"]
HOSPITAL = ["臺大醫院", "林口長庚", "高雄榮總", "馬偕紀念醫院", "台中榮總", "成大醫院", "奇美醫院", "亞東醫院",
            "花蓮慈濟", "北醫附醫", "中國醫藥大學附設醫院", "彰化基督教醫院"]
PLACE = ["台北", "高雄市", "花蓮", "台南", "中部", "東部", "新竹", "國外", "南部", "宜蘭"]
CLINICAL = ["高血壓", "方案", "白血球", "石膏", "黃疸", "陳舊性", "張力", "周邊", "高燒", "白內障", "黃斑部", "周圍",
            "高血脂", "方式", "白天", "何時", "許多", "曾經", "施打", "管路", "包紮", "溫度", "康復", "馬上", "程度",
            "連續", "金屬", "紀錄", "雷射", "易怒", "葉酸", "蘇醒", "簡單", "游泳", "沈重", "顏面", "孫子", "戴口罩",
            "方法", "唐氏症", "藍色", "石灰", "段落", "甘油", "凌晨", "包括", "利尿劑", "任何", "焦慮", "牛奶", "房間",
            "左側", "符合", "江湖", "林立", "吳郭魚", "劉海", "王者", "李斯特菌", "陳述", "高危險", "方便", "白色",
            "石頭", "江水", "黃色", "明顯", "安排", "平常", "文件", "華法林", "成人", "常規", "於是", "余下", "范圍"]


def _drug_code_passing_checksum(rng: random.Random) -> str:
    """An NHI drug-code-shaped string (AC/BC/NC + 8 digits) that also passes the old resident
    certificate checksum."""
    while True:
        code = rng.choice("ABNK") + "C" + f"{rng.randint(10000, 99999)}{rng.choice(['100', '209', '212', '221', '151', '110'])}"
        if taiwan_id.is_valid(code):
            return code


def visit_date(rng: random.Random) -> str:
    y = rng.randint(2018, 2025)
    return F.write_date(rng, y, rng.randint(1, 12), rng.randint(1, 28))


def distractor(rng: random.Random, c: Case) -> None:
    kind = rng.choice(["ICD", "ORDER", "LAB", "DOSE", "DRUG", "DEPT", "HOSPITAL", "PLACE", "VISIT_DATE", "CLINICAL",
                       "CLINICAL", "CLINICAL", "DRUG_CODE", "DRUG_CODE_BARE"])
    if kind == "ICD":
        c.add("診斷 ICD-10: ").dist(kind, rng.choice(ICD)).add("。")
    elif kind == "ORDER":
        c.add("醫令 ").dist(kind, rng.choice(ORDER)).add(" 已執行。")
    elif kind == "LAB":
        c.add("檢驗 ").dist(kind, rng.choice(LAB)).add("，")
    elif kind == "DOSE":
        c.add(rng.choice(DRUG) + " ").dist(kind, rng.choice(DOSE)).add("。")
    elif kind == "DRUG":
        c.add("改用 ").dist(kind, rng.choice(DRUG)).add(" 治療。")
    elif kind == "DEPT":
        c.add(rng.choice(["會診", "轉介", "轉介至", "病人轉", "家屬要求轉"])).dist(kind, rng.choice(DEPT)).add("。")
    elif kind == "HOSPITAL":
        c.add(rng.choice(["曾於", "轉介", "病患轉至", "家屬"])).dist(kind, rng.choice(HOSPITAL)).add(
            rng.choice(["就醫。", "。", "治療，"]))
    elif kind == "PLACE":
        c.add("近期曾至").dist(kind, rng.choice(PLACE)).add("旅遊。")
    elif kind == "VISIT_DATE":
        c.add(rng.choice(["回診日期 ", "入院日 ", "檢查日期：", "於 ", "Visit date: "])).dist(kind, visit_date(rng)).add(" 。")
    elif kind == "CLINICAL":
        w = rng.choice(CLINICAL)
        c.add(rng.choice(["病人", "評估", "注意", "表示", "，", "。", "持續", "有"])).dist(kind, w).add(
            rng.choice(["，", "情形。", "問題", "控制中。", "，追蹤。"]))
    elif kind == "DRUG_CODE":
        c.add(rng.choice(["藥品代碼 ", "處方 ", "健保碼 ", "Rx "])).dist(kind, _drug_code_passing_checksum(rng)).add(
            f" {rng.choice(DRUG)} {rng.choice(DOSE)}。")
    else:   # a drug code with no drug word near it
        c.add(rng.choice(["追加 ", "改為 ", "開立 ", ""])).dist(kind, _drug_code_passing_checksum(rng)).add(
            rng.choice([" x 28。", " 共 30 顆", "。", " ×7天"]))


# ---- notes -----------------------------------------------------------------------------------

_OPENERS = {
    "outpatient": ["S: 主訴咳嗽三天，無發燒。", "S: 胸悶兩週。O: BP 150/90。", "門診紀錄：糖尿病追蹤。", "主訴：頭暈、噁心。"],
    "discharge": ["出院摘要\n入院診斷：社區型肺炎。", "出院病歷摘要：", "住院經過：入院後給予抗生素治療，", "Discharge summary:"],
    "nursing": ["護理紀錄：病人意識清楚，", "交班：生命徵象穩定，", "夜班護理紀錄：", "護理評估：跌倒高危險，"],
    "radiology": ["CT chest without contrast:", "胸部X光：", "MRI brain: no acute infarct.", "腹部超音波報告："],
    "referral": ["轉診單\n轉出院所：", "敬啟者：茲轉介病人", "Referral letter:", "轉診摘要："],
    "lab": ["檢驗備註：", "Lab comment: specimen hemolysed,", "檢體重新採檢，", "報告說明："],
    "mixed": ["Pt c/o chest pain x2d，", "S/O: 病人 s/p PCI，", "A/P: DM control fair，", "Hx: HTN, DM，"],
}
_FILLERS = ["病況穩定。", "持續觀察。", "建議追蹤。", "No acute distress. ", "衛教已完成。", "家屬了解病情。",
            "予以藥物治療後改善。", "plan: f/u 2 weeks. ", "心肺音正常。", "未見明顯異常。"]
_CLASS_WEIGHTS = {"ID": 3, "PHONE": 3, "EMAIL": 1, "ADDRESS": 3, "NAME": 7, "DOB": 2, "MRN": 2, "NHI_CARD": 1,
                  "ID_OLD_DRUG": 1}


def note(rng: random.Random, note_type: str) -> Case:
    from tests.deidentify.eval.sentences import SENTENCES

    c = Case(note_type)
    c.add(rng.choice(_OPENERS[note_type]))
    keys = list(_CLASS_WEIGHTS)
    weights = [_CLASS_WEIGHTS[k] for k in keys]
    for _ in range(rng.randint(3, 7)):
        r = rng.random()
        if r < 0.45:
            SENTENCES[rng.choices(keys, weights)[0]](rng, c)
        elif r < 0.85:
            distractor(rng, c)
        else:
            c.add(rng.choice(_FILLERS))
    return c


def generate(n_per_type: int = 100, seed: int = 20260314) -> list[Case]:
    rng = random.Random(seed)
    return [note(rng, t) for t in NOTE_TYPES for _ in range(n_per_type)]
