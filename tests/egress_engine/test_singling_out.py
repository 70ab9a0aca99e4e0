"""E3: prose that ranks or singles out one institution, person or place goes to review.

The red-team probe (session of 6 December) passed texts with no small number that still pick
out one institution: "the hospital in Taitung ranked first", "the only hospital in Penghu",
"mortality was highest in 台東", 「唯一的醫學中心」, 「該院排名第一」, 「最多的一家」.  Generated
members (fixed seed, fixed ids) in every text format must go to review with the sentence
marked; ordinary results sentences (plural groups, methods, common diagnoses) must still pass.
Switch: ``egress.prose_singling_out`` (E3).
"""
from __future__ import annotations

import json
import random

import pytest

from egress_review.engine.singling_out import singled_out
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by, said

_RNG = random.Random(20261206)
_INST_EN = ["hospital", "clinic", "medical centre", "medical center", "pharmacy", "dialysis centre",
            "facility", "provider", "nursing home", "Hospital B", "regional hospital"]
_PLACE_EN = ["Taitung", "Penghu", "Kinmen", "Lienchiang", "Hualien", "Lanyu", "Green Island",
             "Chiayi County", "Yilan", "Nantou"]
_RANK_EN = ["ranked first", "ranked top", "ranked last", "had the highest mortality",
            "had the lowest survival", "had the largest share of admissions", "was the leading prescriber",
            "had the most readmissions", "had the fewest discharges", "was ranked No. 1",
            "had the worst outcomes", "was the top-ranked site"]
_EN_TEMPLATES = [
    "The {inst} in {place} {rank} among all institutions in the study.",
    "Among institutions in {place}, one {inst} {rank}.",
    "The only {inst} in {place} provided every transplant in the cohort.",
    "A single {inst} in {place} {rank}.",
    "This {inst} {rank} in the whole country.",
    "In {place}, the sole {inst} treated all patients with the condition.",
    "Mortality was highest in {place} among all counties.",
    "{place} had the lowest screening uptake of any county.",
    "The oldest patient was treated at a {inst} in {place}.",
    "Only one {inst} in {place} offered the procedure.",
    "The {inst} with the most prescriptions was in {place}.",
    "It was the only one in {place}.",
]
_INST_ZH = ["醫院", "醫學中心", "區域醫院", "診所", "藥局", "護理之家", "透析中心", "地區醫院"]
_PLACE_ZH = ["台東", "臺東縣", "澎湖", "金門", "連江", "花蓮", "蘭嶼", "綠島", "南投", "嘉義縣"]
_RANK_ZH = ["排名第一", "死亡率最高", "存活率最低", "住院人次最多", "費用最高", "居首", "名列第一",
            "再住院率為全國之冠"]
_ZH_TEMPLATES = [
    "{place}唯一的{inst}收治本研究所有個案。",
    "在所有院所中，該院{rank}。",
    "{place}的{inst}{rank}。",
    "本研究中，最多的一家{inst}位於{place}。",
    "{place}{rank}。",
    "其中一家{inst}{rank}。",
    "{place}僅有一家{inst}提供此項服務。",
    "該名病人為最年長者，於{place}就醫。",
    "某醫院{rank}。",
    "以{place}的{inst}{rank}。",
]


def _members():
    out = []
    for i in range(48):
        t = _EN_TEMPLATES[i % len(_EN_TEMPLATES)]
        out.append((f"en-{i:02d}", t.format(inst=_RNG.choice(_INST_EN), place=_RNG.choice(_PLACE_EN),
                                            rank=_RNG.choice(_RANK_EN))))
    for i in range(40):
        t = _ZH_TEMPLATES[i % len(_ZH_TEMPLATES)]
        out.append((f"zh-{i:02d}", t.format(inst=_RNG.choice(_INST_ZH), place=_RNG.choice(_PLACE_ZH),
                                            rank=_RNG.choice(_RANK_ZH))))
    return out


MEMBERS = _members()

ORDINARY = [
    "Mortality was higher among men than women (n = 1,200).",
    "The most common diagnosis was diabetes.",
    "Hospitals in the north had lower readmission rates than those in the south.",
    "Patients aged 65 and over had the highest costs.",
    "Only patients with repeated visits were included.",
    "Only hospitals with inpatient beds were included in the analysis.",
    "The largest group were women in their forties.",
    "Hospital admissions were highest in winter.",
    "In-hospital mortality was lowest among younger patients.",
    "The hospital level was coded as medical centre, regional or district hospital.",
    "Most patients lived in urban areas.",
    "Diabetes ranked first among comorbidities.",
    "The most frequent procedure was cataract surgery.",
    "Costs per patient were highest for dialysis.",
    "Length of stay was longest for stroke patients.",
    "The highest quintile of income had the lowest mortality.",
    "We used data from the National Health Insurance Research Database.",
    "Hospital characteristics are shown in Table 2.",
    "Regional hospitals accounted for most admissions.",
    "The patient population was mostly female.",
    "Sensitivity analyses excluded patients with sparse claims.",
    "Each patient contributed a record per year.",
    "Results were similar in the largest age group.",
    "Northern regions had the lowest incidence.",
    "Costs were highest in the final year of follow-up.",
    "The leading cause of death was cancer.",
    "Medical centres had longer stays than district hospitals.",
    "Clinics prescribed most antibiotics in the cohort.",
    "各年齡層中，65歲以上者費用最高。",
    "醫療費用以男性較高。",
    "本研究納入所有醫院之住院資料。",
    "各層級醫院中，醫學中心之平均住院日最長。",
    "死亡率隨年齡增加而上升。",
    "多數病人為女性。",
    "最常見的診斷為糖尿病。",
    "65歲以上組別之盛行率最高。",
    "糖尿病為最常見之共病。",
    "各區域之存活率相近。",
    "女性的就醫次數較男性多。",
    "北區與南區的住院率無顯著差異。",
]


def _text(run, text, name="r.txt", kind="text", **kw):
    return run({name: text}, [{"path": name, "kind": kind, "description": "summary of results"}], **kw)


@pytest.mark.parametrize("mid,sentence", MEMBERS, ids=[m[0] for m in MEMBERS])
def test_a_sentence_singling_out_goes_to_review(run, mid, sentence):
    r = _text(run, f"Results of the study.\n{sentence}\nFurther details follow.\n")
    hits = by(r, check="singling_out", rule="E3", severity="review")
    assert hits and r.verdict != "pass", said(r)
    assert hits[0].location["line"] == 2 and sentence[:20] in hits[0].location["sentence"]


@pytest.mark.parametrize("k,sentence", list(enumerate(ORDINARY)), ids=[f"ord-{i:02d}" for i in range(len(ORDINARY))])
def test_an_ordinary_results_sentence_still_passes(run, k, sentence):
    r = _text(run, sentence)
    assert r.verdict == "pass", said(r)


_FORMATS = {
    "md": ("r.md", "text", "# Results\n\n{s}\n"),
    "html": ("r.html", "text", "<html><body><p>{s}</p></body></html>"),
    "notebook": ("r.ipynb", "notebook", None),
    "purpose": (None, None, None),
}


@pytest.mark.parametrize("fmt", list(_FORMATS), ids=list(_FORMATS))
@pytest.mark.parametrize("mid,sentence", MEMBERS[::11], ids=[m[0] for m in MEMBERS[::11]])
def test_singling_out_is_read_in_every_text_format(run, fmt, mid, sentence):
    name, kind, shape = _FORMATS[fmt]
    if fmt == "notebook":
        nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": sentence}],
              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        r = _text(run, json.dumps(nb), name, kind)
    elif fmt == "purpose":
        r = run({"r.txt": "Results are in the tables."},
                [{"path": "r.txt", "kind": "text", "description": sentence}])
    else:
        r = _text(run, shape.format(s=sentence), name, kind)
    assert any(f.check.endswith("singling_out") for f in r.findings), said(r)


def test_the_setting_switches_it_off(run):
    r = _text(run, "The only hospital in Penghu had the highest mortality.",
              policy=EgressPolicy(prose_singling_out=False))
    assert not by(r, check="singling_out")


@pytest.mark.parametrize("sentence,expected", [
    ("It was the only one in Lanyu.", True),
    ("The only one providing dialysis was in the east.", True),
    ("A single dose was given.", False),
    ("Only one remained eligible after exclusions of the 1,200.", False),
    ("Sensitivity analyses excluded patients with only one claim.", False),
    ("Each patient contributed one record per year.", False),
], ids=["pronoun-place", "pronoun-service", "single-dose", "only-one-count", "one-claim", "one-record"])
def test_the_pronoun_one(sentence, expected):
    assert bool(singled_out(sentence)) is expected
