"""D1 free text: classes an outside probe found, each tried on generated members (fixed lists,
fixed ids) with ordinary sentences of the same shapes that must come back unchanged.

1. Two-way readings: a place or time word, then a surname that also ends a word with the
   character before it, then a title or given name (樓下游校長 - 下游 'downstream'; 班上周課長 -
   上周 'last week'; 昨天周課長).  The title or given name after it decides for the name.
2. Surnames jieba tags as ordinary words (黃 a, 張 q, 劉 zg, 許 m, 謝 v, 何 r, 高 a …) before a
   given name it knows (劉|美玲, 許|思明, 陳|志豪 n) with no context word: a name.
3. Over-masking: what a relative or a role does right after the word (同事來探望, 太太同住,
   社工訪視, 護理師交班, 太太家管, 轉介長照, 坐輪椅來診, 當過公車司機) is no name.
"""
from __future__ import annotations

import itertools

import pytest

from deidentify.text import scrub_texts
from tests.deidentify.eval.styles import ORDINARY

PLACES = ["樓下", "樓上", "班上", "隔壁", "家裡", "昨天", "今天", "院裡", "山上", "車上", "明天", "前天", "店裡", "村裡",
          "早上", "晚上"]
# surnames that end a word with the character before them (下游, 上游, 上周, 下周, 天周, 上林 …) and others
SURNAMES = list("游周林陳黃張李王吳劉蔡楊許鄭謝洪郭曾廖賴徐葉蘇莊呂江何蕭羅高潘簡朱鍾彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋")
TITLES = ["校長", "課長", "先生", "小姐", "醫師", "阿姨", "老師", "經理", "伯伯", "主任"]
GIVEN = ["志豪", "美玲", "淑芬", "建宏", "雅婷", "俊傑", "建明", "思明", "宗翰", "怡君", "詩涵", "承恩", "國強", "麗華"]
AFTER = ["來訪", "說", "來電", "表示病人穩定", "陪同就醫", "也來了", "。"]


def _masked(text: str, name: str, at: int, out: str) -> bool:
    """The name at ``at`` is masked completely: the output keeps the text before it and no
    character of it."""
    return out.startswith(text[:at] + "<NAME>") and name not in out


def _cases(place: str) -> list[tuple[str, str]]:
    k = PLACES.index(place)
    out = []
    for i, s in enumerate(SURNAMES):
        tail = TITLES[(i + k) % len(TITLES)] if i % 2 else GIVEN[(i + k) % len(GIVEN)]
        name = s if i % 2 else s + tail
        out.append((f"{place}{s}{tail}{AFTER[(i + k) % len(AFTER)]}", name))
    return out


@pytest.mark.parametrize("place", PLACES, ids=[f"place{i}" for i in range(len(PLACES))])
def test_a_person_after_a_place_or_time_word(place):
    cases = _cases(place)
    out = scrub_texts([t for t, _ in cases])
    missed = [(t, o) for (t, n), o in zip(cases, out) if not _masked(t, n, len(place), o)]
    assert len(missed) <= 2, missed


@pytest.mark.parametrize("text,name", [
    ("樓下游校長來訪", "游"), ("班上周課長打電話來", "周"), ("昨天周課長來", "周"), ("樓下游小姐說", "游"),
    ("班上周先生來電", "周"), ("樓下游志豪來訪", "游志豪"), ("班上周美玲說", "周美玲"), ("今天林醫師看診", "林"),
    ("樓上游經理表示", "游"), ("隔壁周阿姨也來了", "周"), ("案父畢呂菁明今日來電", "畢呂菁明"),
    ("值班醫師應明佳，", "應明佳"),
], ids=[f"twoway{i}" for i in range(12)])
def test_known_two_way_readings(text, name):
    out = scrub_texts([text])[0]
    assert _masked(text, name, text.index(name), out), out


# two given-name tokens jieba knows, after surnames jieba tags as ordinary words
TAGGED = list("黃張劉許謝曾蘇何羅高簡游余孫戴方")
FRAMES = ["{n}來電詢問報告", "今天{n}來訪", "{n}表示要出院", "據{n}說", "和{n}一起來", "{n}陪同就醫"]


@pytest.mark.parametrize("surname", TAGGED, ids=[f"tagged{i}" for i in range(len(TAGGED))])
def test_surnames_jieba_tags_as_words(surname):
    k = TAGGED.index(surname)
    cases = [(FRAMES[(j + k) % len(FRAMES)].format(n=surname + g), surname + g) for j, g in enumerate(GIVEN)]
    out = scrub_texts([t for t, _ in cases])
    missed = [(t, o) for (t, n), o in zip(cases, out) if n in o or "<NAME>" not in o]
    assert len(missed) <= 1, missed


ROLES = ["同事", "朋友", "社工", "太太", "舅舅", "表哥", "護理師", "轉介", "鄰居", "女兒", "兒子", "看護", "媳婦", "姑姑",
         "病人", "家屬", "個案"]
DOINGS = ["來探望", "來過", "住附近", "同住", "訪視", "家訪", "交班", "陪同", "幫忙", "協助", "送餐", "打電話來",
          "去買菜", "回家了", "坐車來", "帶水果來", "來幫忙", "跑來", "上班", "下班後來", "做資源回收", "開計程車",
          "賣菜", "照顧孫子", "買便當", "借錢", "來付錢", "家管", "務農", "長照", "接班", "探視"]


@pytest.mark.parametrize("role", ROLES, ids=[f"role{i}" for i in range(len(ROLES))])
def test_what_a_person_does_is_no_name(role):
    texts = [role + d for d in DOINGS]
    assert scrub_texts(texts) == texts


def test_ordinary_clinical_and_social_sentences_unchanged():
    texts = ORDINARY + ["坐輪椅來診", "以前當過公車司機", "上周主任來", "病房主任查房", "英文老師", "主任醫師查房",
                        "任何醫師都可以", "下游廠商", "上周回診", "志工在外地工作", "案主在外地工作",
                        "朋友來高雄玩", "兒子來王家", "鄰居送高麗菜來", "買高麗菜", "太太去黃昏市場", "同事去林口開會"]
    out = scrub_texts(texts)
    changed = [(t, o) for t, o in zip(texts, out) if t != o and not (t == "常去王記買早餐" and o == "常去<NAME>記買早餐")]
    assert not changed, changed


@pytest.mark.parametrize("role", ["同事", "太太", "舅舅", "社工", "護理師", "鄰居"], ids=[f"named{i}" for i in range(6)])
def test_a_name_after_the_same_roles_is_still_masked(role):
    names = ["陳志明", "林美玲", "王建國", "黃淑芬", "張家豪", "蔡雅婷", "滕美", "阿明"]
    texts = [f"{role}{n}{d}" for n, d in zip(names, itertools.cycle(["來探望", "同住", "訪視", "交班", "說"]))]
    out = scrub_texts(texts)
    assert all(n not in o and "<NAME>" in o for n, o in zip(names, out)), list(zip(texts, out))
