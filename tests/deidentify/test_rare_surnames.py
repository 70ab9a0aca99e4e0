"""D1: bare names whose surname opens ordinary words or is left out of the general list
(曹雅婷今天回診, SBAR S:萬國平, 車明德血壓偏高) — deidentify/identifiers/rare_surnames.py.

Before it 38-40 % of such names went through (generator seeds 1-3).  Real code paths only:
scrub_texts with the deployment's cut-offs; the notes come from the seeded generator
tests/deidentify/rare_surname_notes.py (deterministic)."""
from __future__ import annotations

import pytest

from deidentify.identifiers import rare_surnames
from deidentify.identifiers.normalise import to_simplified
from deidentify.text.scrub import scrub_texts
from tests.deidentify import rare_surname_notes as notes


def _missed(items: list[tuple[str, str]]) -> list[str]:
    out = scrub_texts([t for t, _ in items])
    # a name counts as masked when neither it nor its given part is left
    return [o for (t, n), o in zip(items, out) if n in o or n[1:] in o]


@pytest.mark.parametrize("seed,held_out", [(1, False), (2, False), (11, True), (12, True)])
def test_recall_on_generated_notes(seed, held_out):
    items = notes.names(seed, 600, held_out=held_out)
    missed = _missed(items)
    assert len(missed) / len(items) <= 0.02, missed[:20]


def test_control_set_nothing_masked():
    ctl = notes.control()
    assert len(ctl) >= 500
    out = scrub_texts(ctl)
    assert [(a, b) for a, b in zip(ctl, out) if a != b] == []


# every surname of both classes with a two- and a one-character given name, in frames of
# each kind (sentence start, after a comma, a list, hand-over shorthand, after a time word)
_FRAMES = ("{n}今天回診，血壓穩定。", "S:{n} fall at home", "病況穩定，{n}明早出院。", "出院：{n}、林美玲",
           "昨天{n}來電詢問報告。", "交班 {n} NPO")


@pytest.mark.parametrize("surname", list(notes.UNLISTED + notes.WORD_OPENING))
def test_each_surname_found_bare(surname):
    items = [(f.format(n=surname + g), surname + g) for f in _FRAMES for g in ("雅婷", "志明")]
    items += [(f.format(n=surname + "淑芬"), surname + "淑芬") for f in _FRAMES[:2]]
    assert _missed(items) == []


_ORDINARY = ("萬一", "車禍", "高血壓", "白血球", "金額", "方便", "文件", "石膏", "花費", "常常", "全身", "左側", "包紮",
             "田野", "易怒", "向來", "夏天", "龍眼", "江湖", "溫度", "古早", "管路", "戴口罩", "艾草", "米飯",
             "全家", "高雄", "成功", "常見", "白天", "高興", "金門", "文明", "時間", "單純", "全國", "華美", "萬安")
_ORDINARY_FRAMES = ("{w}需注意。", "病人{w}，續觀察。", "今天{w}，無不適。", "S:{w} O:stable", "{w}今天好轉。")


@pytest.mark.parametrize("word", _ORDINARY)
def test_ordinary_word_stays(word):
    texts = [f.format(w=word) for f in _ORDINARY_FRAMES]
    assert scrub_texts(texts) == texts


@pytest.mark.parametrize("text,name", [
    ("曹雅婷今天回診", "曹雅婷"), ("岳志明主訴胸悶", "岳志明"), ("車明德血壓偏高", "車明德"), ("SBAR S:萬國平", "萬國平"),
    ("家屬萬國平明早來", "萬國平"), ("萬國平，男，70歲", "萬國平"), ("今天來的是曹雅婷。", "曹雅婷"),
    ("等岳志明回來再說", "岳志明"), ("住院中車明德今天回診", "車明德"), ("艾美玲、常國華今日出院", "艾美玲"), ("和全美雲討論用藥", "全美雲"),
])
def test_finder_spans(text, name):
    simp = to_simplified(text)
    a = text.index(name)
    assert (a, a + len(name)) in rare_surnames.find(simp)


@pytest.mark.parametrize("text", [
    "全家今天來探望", "全家明天來", "全國平均值", "高興地說", "常和家人聊天", "成功和家人", "萬一跌倒", "車禍後全身痠痛",
    "高雄榮總轉入", "文明病衛教", "白天嗜睡", "時常頭暈", "病人常美食", "住高雄明天走", "是高雄來的", "為全家人著想",
    "中文明顯進步", "是成功的手術", "讓全家安心",
])
def test_finder_leaves_words(text):
    assert rare_surnames.find(to_simplified(text)) == []
