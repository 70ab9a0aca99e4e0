"""D1: Chinese names written apart or half masked by the note's writer.

Probes spaced a name's characters (王 小 明, 王．小．明, 王　小明, 司-馬-鴻-新) so that no finder,
which reads runs of Han characters, saw a name (about 18% were masked), and half-masked names
(王○明, 王Ｏ明, 孫松＊, 吳*梅婉, 上官●) kept the rest readable (about 50%).  Generated over names
(single, compound and double surnames; given characters inside and outside the common list),
separators and mask characters, in several sentences; ordinary notes with spaced characters,
X光, O型 and ○○醫院 placeholders must stay as they are.
"""
from __future__ import annotations

import pytest

from deidentify.text import find_identifiers
from deidentify.text.scrub import scrub_texts

# (surname part, given part): split_names reads the separators between them
NAMES = [("王", "小明"), ("陳", "怡君"), ("林", "志豪"), ("黃", "淑芬"), ("張", "家瑋"), ("李", "宗翰"),
         ("吳", "美玲"), ("劉", "建宏"), ("蔡", "佩珊"), ("楊", "雅婷"), ("許", "俊傑"), ("鄭", "雅雯"),
         ("謝", "明德"), ("洪", "楊昱"), ("郭", "秀英"), ("司馬", "鴻新"), ("張簡", "源玉"), ("歐陽", "志明"),
         ("范姜", "月"), ("宋", "沈思倩"), ("曾", "國強"), ("廖", "淑華"), ("賴", "冠宇"), ("周", "亭薇"),
         ("葉", "鑫楷"), ("蘇", "群博"), ("莊", "琪雪"), ("呂", "正慧"), ("江", "傑妍"), ("何", "蘭浩")]
SEPS = [" ", "　", "・", "．", "-", " - ", "  ", "·", "‧", "/"]
BEFORE = ["病患", "家屬", "聯絡人", "個案", "陪同者 ", "", "今日由"]
AFTER = ["今日入院。", "來電。", "，", "表示同意。", "", "。"]


def _split(surname: str, given: str, sep: str, whole: bool) -> str:
    if whole:   # every character apart (王 小 明, 司-馬-鴻-新)
        return sep.join(surname + given)
    return surname + sep + given      # the surname apart (王　小明, 歐陽 志明)


def _split_members():
    out = []
    for i, (s, g) in enumerate(NAMES):
        for j, sep in enumerate(SEPS):
            if (i + j) % 3:
                continue
            whole = (i + j) % 2 == 0 or len(g) == 1
            if not whole and sep.strip() in ("/",):
                continue      # 王/小明 reads as two alternatives; only the spaced-out form is tested with /
            name = _split(s, g, sep, whole)
            before, after = BEFORE[(i + j) % len(BEFORE)], AFTER[(2 * i + j) % len(AFTER)]
            out.append(pytest.param(before, name, after, id=f"{s}{g}-{j}-{'w' if whole else 's'}"))
    return out


@pytest.mark.parametrize("before,name,after", _split_members())
def test_a_name_written_apart_is_masked_whole(before, name, after):
    text = f"{before}{name}{after}"
    assert scrub_texts([text])[0] == f"{before}<NAME>{after}"
    assert [h.text for h in find_identifiers(text)] == [name]


MASKS = ["○", "Ｏ", "O", "*", "＊", "X", "x", "〇", "●", "◯", "■"]


def _masked(s: str, g: str, m: str, form: int) -> str:
    if form == 0:
        return s + m + g[1:] if len(g) > 1 else s + m             # 王○明
    if form == 1:
        return s + g[0] + m                                       # 王小○
    if form == 2:
        return s + m * 2                                          # 王○○
    return s + m + g                                              # 吳*梅婉 (the middle masked, two given after)


def _mask_members():
    out = []
    for i, (s, g) in enumerate(NAMES):
        for j, m in enumerate(MASKS):
            if (i + j) % 2:
                continue
            form = (i + 3 * j) % 4
            name = _masked(s, g, m, form)
            before, after = BEFORE[(i + j) % len(BEFORE)], AFTER[(i + 2 * j) % len(AFTER)]
            if not before:
                before = "案母"
            out.append(pytest.param(before, name, after, id=f"{s}{g}-{j}-{form}"))
    return out


@pytest.mark.parametrize("before,name,after", _mask_members())
def test_a_half_masked_name_is_masked_whole(before, name, after):
    text = f"{before}{name}{after}"
    out = scrub_texts([text])[0]
    assert out == f"{before}<NAME>{after}", out


ORDINARY = [
    "血糖偏高 需注意飲食。", "有 高 血 壓 病史。", "過去病史：高血壓 糖尿病 痛風。", "BP 高 160/90。",
    "痰液 黃 白色。", "顏色：黃 / 綠。", "黃 色 痰液。", "江 河 日 下。", "方 便 時 回 電。",
    "林口 院區 轉入。", "右側 上肢 無力。", "胸部X光正常。", "血型O型。", "於○○醫院就診。", "X光片顯示骨折。",
    "主訴 頭痛 三天。", "石 膏 固定。", "白 / 紅血球正常。", "金 - 屬 過敏。", "給予 Amoxicillin 500mg。",
    "高 / 低 風險。", "左 / 右 側。", "上 下 午各一次。", "血壓 130/80 mmHg。", "洪 水 過後。",
    "有高燒問題於 民國107年02月20日 。", "於 民國110年入院。", "於．門診追蹤。",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_spaced_text_stays(text):
    assert scrub_texts([text])[0] == text
    assert find_identifiers(text) == []
