"""D1: a name right after a staff or care role, whatever words its characters make.

Probes wrote 保全高雄偉, 治療師林業明, 護理師高中明, 專科護理師高明: a surname whose first
characters also make a word (a city, an industry, a school level, an adjective), which the name
finders read as that word.  Generated over roles, such names (three and two characters) and
what follows them (a verb of what staff do, punctuation, the end); sentences where a role is
followed by what it does, not by a name, must stay as they are.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts

ROLES = ["保全", "護理師", "專科護理師", "治療師", "呼吸治療師", "個管師", "社工", "看護", "志工",
         "住院醫師", "鄰居", "同事", "清潔員", "藥師"]
NAMES = ["高雄偉", "林業明", "高中明", "高中欣", "陳列華", "黃金生", "張家豪", "王大明", "周全",
         "高明", "林森", "黃金"]
AFTER = ["協助翻身。", "陪同就醫。", "說家屬同意。", "，", "表示病人穩定。", "來電詢問。", ""]


def _members():
    out = []
    for i, role in enumerate(ROLES):
        for j, name in enumerate(NAMES):
            if (i + j) % 3:
                continue                     # a third of the pairs; every role and name occurs
            after = AFTER[(i + 2 * j) % len(AFTER)]
            if len(name) == 2 and after not in ("，", ""):
                after = "，" + after         # a two-character name is read before punctuation only
            out.append(pytest.param(role, name, after, id=f"{role}-{name}-{after[:2]}"))
    return out


@pytest.mark.parametrize("role,name,after", _members())
def test_a_name_after_a_role_is_masked(role, name, after):
    text = f"今日{role}{name}{after}"
    out = scrub_texts([text])[0]
    assert name not in out and "<NAME>" in out, out
    assert role in out, out                  # the role itself stays


ORDINARY = ["醫師於今日協助換藥。", "護理師協助翻身。", "醫師表示同意。", "護理師說明病情。", "醫師同意，",
            "護理師高度懷疑感染。", "醫師告知家屬。", "護理師給予衛教。", "社工師訪視家屬。",
            "藥師建議減量。", "志工陪同就醫。", "看護每日協助。", "保全人員巡邏。"]


@pytest.mark.parametrize("text", ORDINARY)
def test_a_role_followed_by_what_it_does_stays(text):
    assert scrub_texts([text])[0] == text
