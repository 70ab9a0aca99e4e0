"""One name per category however a table spells it (E3: renaming must not unlink tables).

A release that prints 「女」 where an earlier one printed "Female", "≥65" where it printed
「65歲以上」, or "DM" where it printed 「糖尿病」 publishes the same category: differencing,
linking and the comparison of texts with tables (:mod:`linking`, :mod:`differencing`,
:mod:`prose_tables`) compare labels through :func:`canonical`, so the two are one category.

The spellings are data (:data:`SYNONYMS`): a canonical name and the labels that mean it when
they are the *whole* label (「女」 is a sex; the 女 in 「婦女」 is not a label).  ``mention``
lists the spellings a sentence names the category by (:func:`mentions`): words of a text, not
table labels, so "women" but not "F", and a one-character Chinese label only for sex (有, 無,
是, 否 occur in nearly every Chinese sentence).

Ranges are written many ways (「65歲以上」, "65+", "≥65", "65 and over", "Age 65+"): a label
that is a range with whole-number bounds is named by its interval (:mod:`category_sets`),
so all of them are "≥65".  Decimal bands keep their spelling (their precision is their
meaning, see :func:`category_sets.interval`).
"""
from __future__ import annotations

import functools
import re

from egress_review.engine import area_names, drug_names, period_labels

# canonical -> (labels meaning it, as linking.norm folds them; extra words a sentence uses)
SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "female": (("female", "females", "f", "woman", "women", "girl", "girls", "女", "女性", "女生",
                "女姓", "婦女", "女性病人", "女性患者"), ("female", "females", "woman", "women", "女")),
    "male": (("male", "males", "m", "man", "men", "boy", "boys", "男", "男性", "男生",
              "男性病人", "男性患者"), ("male", "males", "man", "men", "男")),
    "yes": (("yes", "y", "有", "是", "present", "true", "positive", "陽性"), ("陽性",)),
    "no": (("no", "n", "無", "否", "沒有", "absent", "false", "negative", "陰性", "none"), ("陰性",)),
    "unknown": (("unknown", "missing", "notknown", "n/a", "未知", "不詳", "不明", "遺漏"),
                ("unknown", "missing", "未知", "不詳", "不明")),
    "urban": (("urban", "城市", "都市"), ("urban", "都市")),
    "rural": (("rural", "鄉村", "農村"), ("rural", "鄉村", "農村")),
    # diagnoses: a label naming the disease and its ICD-10 category are one category
    "e11": (("e11", "diabetes", "diabetesmellitus", "dm", "t2dm", "type2diabetes",
             "type2diabetesmellitus", "diabetesmellitustype2", "diabetesmellitus,type2", "type2dm", "糖尿病", "第二型糖尿病", "第2型糖尿病", "二型糖尿病"),
            ("diabetes", "diabetic", "dm", "t2dm", "糖尿病")),
    "e10": (("e10", "t1dm", "type1diabetes", "type1diabetesmellitus", "第一型糖尿病", "第1型糖尿病"),
            ("t1dm", "第一型糖尿病")),
    "i10": (("i10", "hypertension", "htn", "essentialhypertension", "高血壓", "本態性高血壓"),
            ("hypertension", "hypertensive", "htn", "高血壓")),
    "e78": (("e78", "hyperlipidemia", "hyperlipidaemia", "dyslipidemia", "dyslipidaemia",
             "高血脂", "高血脂症", "血脂異常"), ("hyperlipidemia", "dyslipidemia", "高血脂", "血脂異常")),
    "n18": (("n18", "ckd", "chronickidneydisease", "慢性腎臟病", "慢性腎病"),
            ("ckd", "慢性腎臟病", "慢性腎病")),
    "j44": (("j44", "copd", "慢性阻塞性肺病"), ("copd", "慢性阻塞性肺病")),
    "j45": (("j45", "asthma", "氣喘", "哮喘"), ("asthma", "氣喘", "哮喘")),
    "i50": (("i50", "heartfailure", "心衰竭", "心臟衰竭"), ("心衰竭", "心臟衰竭")),
    "stroke": (("stroke", "cva", "cerebrovascularaccident", "中風", "腦中風"),
               ("stroke", "cva", "中風", "腦中風")),
    "f32": (("f32", "depression", "majordepression", "憂鬱症", "重鬱症"), ("depression", "憂鬱症", "重鬱症")),
    "e66": (("e66", "obesity", "肥胖", "肥胖症"), ("obesity", "obese", "肥胖")),
    "dementia": (("dementia", "失智症", "失智"), ("dementia", "失智")),
    "cancer": (("cancer", "malignancy", "癌症", "惡性腫瘤"), ("cancer", "癌症", "惡性腫瘤")),
    "i48": (("i48", "atrialfibrillation", "af", "afib", "心房顫動", "心房纖維顫動"),
            ("afib", "心房顫動", "心房纖維顫動")),
    "i21": (("i21", "ami", "acutemyocardialinfarction", "myocardialinfarction", "heartattack", "急性心肌梗塞",
             "心肌梗塞"), ("ami", "急性心肌梗塞", "心肌梗塞")),
    "i25": (("i25", "ihd", "ischemicheartdisease", "ischaemicheartdisease", "chronicischemicheartdisease",
             "缺血性心臟病"), ("ihd", "缺血性心臟病")),
    "c34": (("c34", "lungcancer", "肺癌"), ("肺癌",)),
    "c50": (("c50", "breastcancer", "乳癌"), ("乳癌",)),
    "c22": (("c22", "livercancer", "hepatocellularcarcinoma", "hcc", "肝癌"), ("hcc", "肝癌")),
    "k74": (("k74", "cirrhosis", "livercirrhosis", "肝硬化"), ("cirrhosis", "肝硬化")),
    # institution levels and kinds of care (a level is a group, not one institution)
    "medicalcentre": (("醫學中心", "medicalcentre", "medicalcenter", "medicalcentres", "medicalcenters"), ("醫學中心",)),
    "regionalhospital": (("區域醫院", "regionalhospital", "regionalhospitals"), ("區域醫院",)),
    "districthospital": (("地區醫院", "districthospital", "districthospitals", "localhospital",
                          "localhospitals"), ("地區醫院",)),
    "outpatient": (("門診", "outpatient", "outpatients", "opd", "門診病人", "門診病患", "ambulatory"),
                   ("outpatient", "outpatients", "門診")),
    "inpatient": (("住院", "inpatient", "inpatients", "ipd", "hospitalised", "hospitalized", "admission",
                   "admissions", "住院病人", "住院病患"), ("inpatient", "inpatients", "住院")),
    "emergency": (("急診", "emergency", "er", "emergencydepartment", "emergencyroom", "急診病人"),
                  ("急診",)),
}

_TO_CANON = {s: canon for canon, (spellings, _) in SYNONYMS.items() for s in spellings}
_AGE_WORD = re.compile(r"^(?:aged|age|年齡|年龄)[:：]?(?=[\d<>≥≤=]|未滿|under|below)")


@functools.lru_cache(maxsize=65536)
def canonical(label: str) -> str:
    """``label`` (already folded by :func:`linking.norm`) as one name per category."""
    # 澎湖縣 = 澎湖 = Penghu County; metformin = 二甲雙胍 = Glucophage = A10BA02
    hit = _TO_CANON.get(label) or area_names.canonical(label) or drug_names.canonical(label)
    if hit is not None:
        return hit
    from egress_review.engine.category_sets import _name, interval

    period = period_labels.rewrite(label)        # 109年 = 2020 = 2020-01~2020-12, Jan 2020
    if period is not None:
        iv = interval(period)
        if iv is not None:
            return _name(*iv)
    s = _AGE_WORD.sub("", label)
    if not s or s.isdigit() or "." in s:
        return label                 # a plain number, or a decimal band (kept as written)
    iv = interval(s)
    return label if iv is None else _name(*iv)


def spellings(canon: str) -> tuple[str, ...]:
    """What a sentence may name ``canon`` by: its mention words, else the name itself."""
    entry = SYNONYMS.get(canon)
    return entry[1] if entry else area_names.spellings(canon)
