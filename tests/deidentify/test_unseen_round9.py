"""D1, round 9: the notes of ``tests/deidentify/eval_round9.py`` (discharge summaries with a family
history, nursing shift notes, psychiatric notes with quoted speech, rehabilitation and dental
notes, dialogue transcripts) scored through ``scrub_texts`` on the shared runner, and each class
this round closed with many members alone:
- names in a person's slot (``person_slots``), now on in production, and the ordinary texts it
  over-masked in round 8 as classes (kin and role nouns in the slot, number words, a patient
  word before the patient's state, a word running on into the candidate, departments, verbs);
- given names alone that are also words (石頭, 春花, 金水 …: ``bare_given``) in a person's slot,
  and the same words in prose;
- a birth date in brackets right after a name, with no birth word (``dates.bracketed_after``);
- Taiwanese phone numbers grouped oddly.
Everything is fixed: no random parametrize, the generator is seeded.

On the code before this round (c0401a8, person_slots off) seed 9 gave NAME 69.1 %, GIVEN 39.8 %,
DOB 0 %, PHONE 100 %; with person_slots merely switched on NAME 97.9 %, GIVEN 43.5 %, and 72 of
396 ordinary phrases in the notes and 30 of 1188 control texts masked (52 older tests failed).
The held-out set (names and given names written after the fixes) was run once after them.
"""
from __future__ import annotations

import pytest

from deidentify.identifiers import person_slots
from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round9 import CLASSES, CONTROL, TYPES, generate, measure
from tests.deidentify.recall_suite import Suite

SUITE = Suite(generate, measure, CLASSES, TYPES, CONTROL, seeds=(9, 10), min_notes=200, min_per_class=140,
              held_out=((True, 91),), held_rounds=18)
results = SUITE.results_fixture()
test_the_set_is_fixed_and_covers_every_class_and_style = SUITE.fixed_set_test()
test_recall_of_every_class = SUITE.class_recall_test()
test_recall_of_every_style = SUITE.style_recall_test()
test_ordinary_phrases_and_the_control_set_stay = SUITE.control_test()
test_held_out_set = SUITE.held_out_test("seed")


def _left(texts: list[str], values: list[str]) -> list[tuple[str, str]]:
    return [(t, o) for t, o, v in zip(texts, scrub_texts(texts), values) if v in o]


def test_person_slots_is_on_in_production():
    assert person_slots.ENABLED is True


# -- names in a person's slot: found with the finder as shipped ------------------------------
NAMES = ["王小明", "古又文", "高一凡", "莫文蔚", "萬一鳴", "石之瑜", "冉又青", "歐陽靜", "張簡志豪", "卞曉雯", "童三元",
         "佟大為", "孔一飛", "邢又安", "賈一平"]
SLOTS = [("交代", "明早空腹。"), ("幫", "翻身。"), ("", "拒絕抽血。"), ("陪同", "來院。"), ("由", "陪同就醫。"),
         ("請問", "伯在嗎？"), ("夜班", "小姐：交班"), ("媳婦", "留 0912345678"), ("父", "（1950/03/02）糖尿病")]


def test_names_in_a_person_slot_as_shipped():
    texts = [f"{a}{n}{b}" for a, b in SLOTS for n in NAMES]
    assert not _left(texts, [n for a, b in SLOTS for n in NAMES])


# -- the classes person_slots over-masked in round 8: never a name ----------------------------
ORDINARY = [
    # kin and role nouns in the slot
    "同事照顧孫子", "看護照顧孫子", "幫孫子洗澡", "由孫子陪同", "陪同孫女來", "照顧孫子", "由看護陪同", "由家屬陪同",
    "由司機陪同", "交代家屬明早空腹", "請個管師協助", "跟同學說", "讓同事知道", "和家人討論", "與院方討論",
    # number words and numbers running on
    "病人萬一跌倒要立即通知護理站。", "家屬萬一跌倒表示", "告知萬一發燒", "萬一發燒請回診。", "病人萬一跌倒",
    # a patient word before the patient's state; SOAP's S:
    "看護表示病人夜眠差", "看護表示病人昨晚嗆咳", "病人華美，續觀察。", "S:華美 O:stable", "S:萬一跌倒 O:stable",
    # a word running on into the candidate; a suffix never opens a name
    "研究計畫書：第二型糖尿病患者之心血管事件風險", "長者之心理需求",
    # departments, kin titles, the verb after a request
    "請復健科評估", "跟阿嬤說", "社工訪視：阿伯已返家。", "請撥分機找護理站", "轉介打電話來", "鄰床阿伯",
    # a given-name-like word that is an activity, a procedure, a place, a title's head
    "太太家訪", "病人務農，太太家管", "志工陪伴聊天", "女兒念書", "協助雷射治療", "同病房伯伯咳嗽", "由主治醫師說明",
    "跟主治說明病情", "家屬陳述病人昨晚跌倒", "社工和家屬聯繫家屬", "病房護理長說病人穩定", "公司經理來電關心",
    "幫傷口換藥", "替傷口換藥", "病人康復出院",
]


@pytest.mark.parametrize("frame", ["{}", "病人今日 {}。", "Plan: {} today."])
def test_what_person_slots_over_masked_stays(frame):
    texts = [frame.format(t) for t in ORDINARY]
    assert [(t, o) for t, o in zip(texts, scrub_texts(texts)) if o != t] == []


# -- given names alone that are also words ----------------------------------------------------
WORD_NAMES = ["石頭", "春花", "金水", "阿土", "美麗", "志明", "國強", "阿財", "秀英", "建國", "玉蘭", "阿水", "春嬌", "金花"]
# (石頭 is the hardest: jieba knows it as a frequent noun and the earlier finders keep it as an
# ordinary word; it is found where both sides say "person")
G_SLOTS = [("由", "陪同來院。"), ("陪同", "來院。"), ("請", "簽名。"), ("交代", "明早空腹。"), ("叮嚀", "按時服藥。"),
           ("次女", "表示同意。"), ("案妻", "拒絕。"), ("", "先生來電。"), ("", "阿姨來探視。"), ("病人：", "伯來院。")]


@pytest.mark.parametrize("before,after", G_SLOTS)
def test_a_given_name_alone_in_a_person_slot(before, after):
    texts = [f"{before}{w}{after}" for w in WORD_NAMES]
    assert not _left(texts, WORD_NAMES)


PROSE = ["石頭很硬。", "腎結石頭痛。", "春花盛開。", "春花秋月。", "她很美麗。", "美麗的風景。", "金水溝旁。", "國強民富。",
         "病人說石頭很重。", "窗外春花盛開，病人心情好。", "護理師說她很美麗。", "建國中學畢業。", "志明路上車多。"]


def test_the_same_words_in_prose_stay():
    assert [(t, o) for t, o in zip(PROSE, scrub_texts(PROSE)) if o != t] == []


# -- a birth date in brackets after a name ----------------------------------------------------
DATES = ["1950/03/02", "1950-03-02", "1950.3.2", "39.03.02", "39/3/2", "民國39年3月2日", "1950年3月2日", "02/03/1950",
         "0390302", "39/3/2生"]
BEFORE_DATE = ["病人王小明", "案母李春花", "長子王大明", "家屬陳美玲", "Pt Chen Mei-ling", "Mr. John Smith", "次女春花"]


@pytest.mark.parametrize("bracket", ["（{}）", "({})", " ({})", "（女，{}，75歲）", "(F, {})"])
def test_a_birth_date_in_brackets_after_a_name(bracket):
    texts = [f"{b}{bracket.format(d)}入院" for b in BEFORE_DATE for d in DATES]
    values = [d.rstrip("生") for b in BEFORE_DATE for d in DATES]
    assert not _left(texts, values)


def test_dates_in_brackets_after_no_name_or_with_a_time_stay():
    texts = ["入院（2026/12/03）", "手術日期（2025/11/02）", "Follow-up (2026-01-05)", "紀錄者：林美玲（2026/12/03 14:20）",
             "PCI (2025-10-01) done", "上次回診(114/11/02)正常"]
    outs = scrub_texts(texts)
    assert "2026/12/03 14:20" in outs[3], outs
    assert [o for t, o in zip(texts, outs) if o != t and t != texts[3]] == []


# -- phones grouped oddly ---------------------------------------------------------------------
PHONES = ["(06)8346-578", "(06) 834-6578", "06-2345678#123", "06-2345678 分機 23", "02-2345-6789分機23",
          "(02)2345-6789 轉 5566", "0912 345 678", "0912-345-678", "0912.345.678", "09 1234 5678",
          "+886-(0)6-234-5678", "+886 (0)912 345 678", "+886-912-345678", "(886)2-2345-6789", "(049)2345678",
          "(0836)22345", "(089) 31-2345", "TEL: 04 2234 5678", "(07) 3123-456 ext 12", "0912345678，市話(04)22345678"]


@pytest.mark.parametrize("before", ["電話", "聯絡 ", "回撥 ", "家屬手機："])
def test_phones_grouped_oddly(before):
    texts = [before + p for p in PHONES]
    outs = scrub_texts(texts)
    left = [(t, o) for t, o in zip(texts, outs) if any(ch.isdigit() for ch in o.replace("<PHONE>", ""))]
    assert not left, left


def test_the_second_held_out_set_as_it_stands():
    """Written after the first held-out set was closed and run once: names, birth dates and
    phones 100 %, given names alone 91.7 % - old given names whose characters read as a verb or a
    place (來福, 罔市) or a frequent word (天賜) are missed (docs/data-plane.md says so); nothing
    ordinary masked."""
    r = measure(generate(seed=92, held_out=2))
    assert r.recall("GIVEN") >= 0.9, r.table()
    assert all(r.recall(c) == 1.0 for c in CLASSES if c != "GIVEN"), r.table()
    assert not r.over and not r.control_over
