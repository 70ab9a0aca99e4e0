"""D1: a shop named after its owner's family (黃記牛肉麵, 陳記腸粉) names the family.

A probe's note said 「先生姓黃，在竹北經營黃記牛肉麵店」: the surname came back in the shop's
name.  Generated over common surnames, goods and sentence frames; the words 記 makes with
the character before it (日記, 筆記, 印記, 游記, 傳記, 登記 …) or after it (記得, 記錄, 記者 …)
stay.
"""
from __future__ import annotations

import pytest

from deidentify.text import scrub_texts

SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GOODS = ["牛肉麵", "腸粉", "豆花", "水餃", "燒臘", "麵包店", "米粉湯", "五金行", "商行", "茶行"]
FRAMES = ["病人在{shop}工作十年。", "家屬經營{shop}，每天早起。", "他常去{shop}吃午餐。"]
CASES = [(s, g, f) for s in SURNAMES for g in GOODS[:5] for f in FRAMES[:2]] + \
        [(s, g, FRAMES[2]) for s in SURNAMES[:5] for g in GOODS[5:]]


@pytest.mark.parametrize("surname,goods,frame", CASES,
                         ids=[f"{s}-{g}-{i}" for i, (s, g, _) in enumerate(CASES)])
def test_the_owners_surname_in_a_shop_name_is_masked(surname, goods, frame):
    text = frame.format(shop=f"{surname}記{goods}")
    out = scrub_texts([text])[0]
    assert f"{surname}記" not in out and "<NAME>記" in out, (text, out)


ORDINARY = ["他有寫日記的習慣。", "請記得回診。", "已完成登記。", "書記官到場。", "留下深刻的印記。",
            "喜歡讀遊記。", "正在看一本傳記。", "記者來訪。", "上課抄筆記。", "常忘記吃藥。",
            "請牢記醫囑。", "切記勿飲酒。", "在影像上標記位置。", "病歷記錄完整。", "速記員記錄會議。",
            "請記住服藥時間。"]


@pytest.mark.parametrize("text", ORDINARY, ids=[f"ordinary{i}" for i in range(len(ORDINARY))])
def test_words_made_with_ji_stay(text):
    assert scrub_texts([text])[0] == text
