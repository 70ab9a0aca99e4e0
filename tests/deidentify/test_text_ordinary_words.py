"""D1 false positives: ordinary clinical words that the name finders read as names.

The seeded probe (tests/deidentify/eval/attack_classes.py) masked 10.8-12.0% of its ordinary
sentences: education levels (學歷高中畢業, 高中生, 國中同學), a room or bed and a kinship word
(隔壁房阿伯 -> 隔壁<NAME>阿伯, 對面床的阿姨), a role's group (醫師群討論 -> 醫師<NAME>) and
dictionary words tagged as names (白雪公主, 麥當勞).  Generated over those words; names written
next to the same words (楊國中, 高中明 after a role, 房先生 alone, 社工群英) must still be masked.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts

EDU = ["高中", "國中", "高職", "國小", "大學", "專科", "五專"]
EDU_AFTER = ["畢業", "肄業", "畢業後就工作", "生運動傷害", "同學來探望", "時期曾骨折", "老師來電", "學歷", "就讀中"]
PLACES = ["隔壁房", "同房", "對面房", "隔壁床", "同病房", "對面床", "鄰床", "樓上房", "隔壁的", "對面房的"]
KIN = ["阿伯", "阿姨", "阿嬤", "阿公", "伯伯", "奶奶", "爺爺", "先生", "太太", "小姐"]
ROLES = ["醫師", "護理師", "社工", "治療師", "主治醫師", "專科護理師", "個管師", "營養師", "藥師"]
GROUP = ["群討論", "們交班", "群會診", "群評估後", "組開會", "們都很忙", "群建議", "團隊討論"]
WORDS = ["白雪公主貼紙", "在麥當勞吃早餐", "高中生運動傷害", "學歷高中畢業", "國中肄業，目前待業"]


def _ordinary():
    out = []
    for i, e in enumerate(EDU):
        for j, a in enumerate(EDU_AFTER):
            out.append(pytest.param(f"學歷：{e}{a}。" if j % 2 else f"病人{e}{a}。", id=f"edu-{i}-{j}"))
    for i, p in enumerate(PLACES):
        for j, k in enumerate(KIN):
            if (i + j) % 2 == 0:
                out.append(pytest.param(f"{p}{k}今天吵鬧。" if j % 4 < 2 else f"昨晚{p}{k}說很吵。", id=f"place-{i}-{j}"))
    for i, r in enumerate(ROLES):
        for j, g in enumerate(GROUP):
            if (i + j) % 2 == 0:
                out.append(pytest.param(f"{r}{g}。", id=f"group-{i}-{j}"))
    out += [pytest.param(w + "。", id=f"word-{i}") for i, w in enumerate(WORDS)]
    return out


@pytest.mark.parametrize("text", _ordinary())
def test_ordinary_words_stay(text):
    assert scrub_texts([text])[0] == text


NAMES = [("病患楊國中來電。", "楊國中"), ("專師高中明。", "高中明"), ("社工群英說。", "群英"),
         ("家屬房先生來電。", "房"), ("病人國中明來電。", "國中明"), ("病患王大學來電。", "王大學"),
         ("護理師林房說。", "林房"), ("病房房志明先生來電。", "房志明")]


@pytest.mark.parametrize("text,name", NAMES, ids=[n for _, n in NAMES])
def test_names_beside_those_words_are_masked(text, name):
    out = scrub_texts([text])[0]
    assert name not in out and "<NAME>" in out, out
