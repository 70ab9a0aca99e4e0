"""D1: an exact age in the policy's open age band (85+) does not survive free-text scrubbing.

The extract's structured ages are banded with the last band open (85+); a note's 「94歲」,
"94-year-old", "94M" or 「高齡九十四」 would give the exact age back.  Generated over every age
from the band's start to 110, in Chinese (digits and numerals) and English clinical forms,
through ``scrub_texts`` (the loader's entry point); younger ages, years (94年, 民國94年),
doses, beds and follow-up times stay as written.
"""
from __future__ import annotations

import pytest

from deidentify.identifiers.ages import generalise_ages, top_age
from deidentify.text import scrub_texts

_ZH = "零一二三四五六七八九"


def _zh(n: int) -> str:
    h, t, u = n // 100, n // 10 % 10, n % 10
    out = (_ZH[h] + "百") if h else ""
    if t:
        out += _ZH[t] + "十"
    elif h and u:
        out += "零"
    return out + (_ZH[u] if u else "")


FORMS = {
    "zh-digits": lambda a: f"病人{a}歲男性，因跌倒入院。",
    "zh-numerals": lambda a: f"個案{_zh(a)}歲，獨居。",
    "zh-gaoling": lambda a: f"高齡{a}，由女兒陪同就診。",
    "zh-numerals-gaoling": lambda a: f"病人高齡{_zh(a)}，意識清楚。",
    "zh-age-label": lambda a: f"年齡：{a}　性別：女",
    "zh-full-years": lambda a: f"病人{a}足歲，疑似肺炎。",
    "en-year-old": lambda a: f"A {a}-year-old woman presented with dyspnoea.",
    "en-years-old": lambda a: f"The patient is {a} years old and lives alone.",
    "en-yo": lambda a: f"{a} y/o M with CHF, admitted for volume overload.",
    "en-yo-compact": lambda a: f"{a}yo F, fall at home.",
    "en-aged": lambda a: f"Patient aged {a} was seen in clinic.",
    "en-age-label": lambda a: f"Age: {a}  Sex: F",
    "en-shorthand": lambda a: f"{a}M with AF on warfarin.",
    "en-of-age": lambda a: f"He is {a} years of age.",
}
AGES = list(range(85, 111, 5)) + [86, 99, 101]
CASES = [(f, a) for f in FORMS for a in AGES]


@pytest.mark.parametrize("form,age", CASES, ids=[f"{f}-{a}" for f, a in CASES])
def test_an_age_in_the_open_band_is_generalised(form, age):
    text = FORMS[form](age)
    out = scrub_texts([text])[0]
    top = top_age()
    assert f"≥{top}" in out, (text, out)
    rest = out.replace(f"≥{top}", "")
    assert str(age) not in rest and _zh(age) not in rest, (text, out)


YOUNGER = [(f, a) for f in FORMS for a in (3, 45, 84)]


@pytest.mark.parametrize("form,age", YOUNGER, ids=[f"{f}-{a}" for f, a in YOUNGER])
def test_younger_ages_stay(form, age):
    text = FORMS[form](age)
    assert "≥" not in scrub_texts([text])[0]


ORDINARY = ["民國94年入院，94年出院。", "Metformin 850 mg twice daily.", "第94床病人今日出院。",
            "Follow-up over 94 years of registry data.", "85歲以上長者優先施打疫苗。",
            "Room 94M3 was cleaned.", "HbA1c 9.4%, LDL 110 mg/dL.", "血壓 150/90 mmHg，心跳 96 次/分。"]


@pytest.mark.parametrize("text", ORDINARY, ids=[f"ordinary{i}" for i in range(len(ORDINARY))])
def test_numbers_that_are_not_ages_stay(text):
    assert generalise_ages(text) == text


def test_the_top_is_the_policys_open_band():
    assert generalise_ages("病人92歲", top_age([[0, 64], [65, None]])) == "病人≥65歲"
    assert generalise_ages("病人92歲", top_age([[0, 94], [95, None]])) == "病人92歲"
