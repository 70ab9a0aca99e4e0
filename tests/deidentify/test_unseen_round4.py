"""D1, round 4: the five misses round 3 left (a township or village named alone, beds without a
label, OCR letter swaps in IDs, a second Latin name in a list, a phone wrapped after a bracket),
each as a class with many members, and the notes of ``tests/deidentify/eval_round4.py`` (pathology,
radiology, consult replies, palliative meetings, psychiatry, dental, Chinese medicine, long-term
care, insurance appeals, transfer notes, OCR'd forms) scored through ``scrub_texts`` with the
policy's cut-offs.

On the code before this round (7bf70ef) the generator's notes gave ADDRESS 39.8 %, RECORD 70.6 %,
ID 90.9 %, MAC 45.5 %, SERIAL 0 %, EMPLOYER 81.8 %, NAME 98.5 % (docs/data-plane.md, "Round 4").  Every class must now reach 98 %, and neither the notes' ordinary
phrases nor the control set (drugs, doses such as 1# bid, lab values, ICD codes, vital signs,
relative dates) may be touched.  Everything here is fixed (no random parametrize; the generator is
seeded).
"""
from __future__ import annotations

import random

import pytest

from deidentify.identifiers import taiwan_id
from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round4 import CLASSES, CONTROL, TYPES, generate, measure


@pytest.fixture(scope="module")
def notes():
    return generate()


@pytest.fixture(scope="module")
def result(notes):
    return measure(notes)


def test_the_set_is_fixed_and_covers_every_class_and_kind(notes, result):
    assert len(notes) >= 300
    assert {n.kind for n in notes} == set(TYPES)
    assert [n.text for n in generate()] == [n.text for n in notes]       # seeded: the same every run
    for cls in CLASSES:
        assert result.total[cls] >= 11, cls
    assert result.plain_total >= 600 and result.control_total == len(CONTROL) >= 80


@pytest.mark.parametrize("cls", CLASSES)
def test_recall_of_every_class(result, cls):
    assert result.recall(cls) >= 0.98, (result.table(), [m for m in result.misses if m[0] == cls])


@pytest.mark.parametrize("kind", TYPES)
def test_recall_of_every_kind(result, kind):
    found, total = result.by_kind[kind]
    assert found / total >= 0.98, (result.table(), [m for m in result.misses if kind in m[2]])


def test_ordinary_phrases_and_the_control_set_stay(result):
    assert not result.over, (result.table(), result.over)
    assert not result.control_over, (result.table(), result.control_over)


def _left(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cases (template with {}, value) whose value is still in the scrubbed text."""
    texts = [t.format(v) for t, v in cases]
    return [(t, o) for (t, v), o in zip(cases, scrub_texts(texts)) if v.strip() in o]


# ---- 1. a township, district or village named alone --------------------------------------------
TOWNS = ["秀林鄉", "竹山鎮", "瑞穗鄉", "玉里鎮", "仁愛鄉", "北投區", "三民里", "富世村", "新城鄉", "尖石鄉", "關西鎮",
         "牡丹鄉石門村", "東河鄉", "西螺鎮", "大溪區", "佳冬鄉"]
TOWN_FRAMES = ["病人住{}，務農。", "案家住在{}，由女兒照顧。", "個案居住於{}，獨居。", "案家在{}。", "返回{}老家休養。",
               "來自{}的原住民個案。", "戶籍地：{}", "家住{}。", "搬到{}與兒子同住。", "老家在{}，每月回去。",
               "pt lives in {} with her son.", "moved from {} last year."]


@pytest.mark.parametrize("frame", TOWN_FRAMES, ids=[f"frame{i}" for i in range(len(TOWN_FRAMES))])
def test_a_township_or_village_named_alone(frame):
    assert not _left([(frame, t) for t in TOWNS])


# ---- 2. beds without a label ---------------------------------------------------------------------
BEDS = [("住 {} 床，今日轉出。", "7B-12"), ("病人 {} 夜間躁動。", "7B12"), ("轉至 {}床 觀察。", "12A-3"),
        ("{}床 血壓偏低。", "7B-12"), ("現住於 {} 床。", "ICU-3"), ("轉 {} 床。", "5A-07"), ("病人在 {}床。", "10B 12"),
        ("住 {} 床。", "12"), ("轉入{}床。", "8"), ("{}床：呼吸喘。", "12-1"), ("交班 {} 發燒。", "9C-21"),
        ("{} patient febrile.", "11A05"), ("移至{}床觀察。", "RCW-5")]


def test_a_bed_without_a_label():
    assert not _left(BEDS)


# ---- 3. OCR letter swaps inside IDs --------------------------------------------------------------
def _ocr_cases() -> list[tuple[str, str]]:
    rng = random.Random(41)
    swap = {"0": "O", "1": "I", "5": "S", "8": "B"}
    frames = ["{} 病人", "身分證字號 {} 已核對", "病人{}就診", "居留證 {}", "ID {}", "證號{}。", "{}"]
    out = []
    while len(out) < 28:
        n = taiwan_id.generate(rng, rng.choice(["national", "resident_new", "resident_old"]))
        places = [i for i in range(2, 10) if n[i] in swap]
        if not places:
            continue
        for i in places[: 1 + len(out) % 3]:
            n = n[:i] + swap[n[i]] + n[i + 1:]
        if len(out) % 5 == 4:
            n = n.replace("1", "l", 1) if "1" in n[2:] else n
        out.append((frames[len(out) % len(frames)], n))
    return out


def test_an_id_read_by_ocr_with_letters_for_digits():
    cases = _ocr_cases()
    assert all(taiwan_id.ocr_reading(v) or taiwan_id.is_valid(v) for _, v in cases)
    assert not _left(cases)


def test_a_drug_code_or_word_is_no_ocr_id():
    for word in ("BB06127100", "AC49367100", "SOB", "BIOS1234567", "ISO13485", "S0S0S0S0S0"):
        assert taiwan_id.ocr_reading(word) is None, word


# ---- 4. a second Latin name in a list, either order ----------------------------------------------
LISTS = ["family: Chen Mei-Ling, Lin Chih-Hao", "Siblings: Mei-Ling Chen, Chih-Hao Lin",
         "Daughters Ya-Ting Wang, Shu-Fen Huang, Pei-Chun Wu", "Family: Mei-Ling Chen and Chih-Hao Lin",
         "家屬 Chen Mei-Ling、Lin Chih-Hao 陪同", "Contacts - Chen Mei-Ling (daughter), Lin Chih-Hao (son-in-law)",
         "visitors: Chen Mei-Ling; Lin Chih-Hao; Wang Ya-Ting", "Family: CHEN MEI-LING, LIN CHIH-HAO",
         "CC: Dr. Lin Chih-Hao, Dr. Chen Mei-Ling", "Accompanied by son Chih-Hao Lin and wife Mei-Ling Chen.",
         "Family contacts: Kuan-Yu Hsu, Yung-Ho Tsai."]


def test_every_latin_name_of_a_list():
    for src, out in zip(LISTS, scrub_texts(LISTS)):
        for word in ("Mei", "Ling", "Chih", "Hao", "Ya-Ting", "Shu-Fen", "Pei-Chun", "Kuan", "Yung", "MEI", "CHIH"):
            assert word not in out, (src, out)
        for surname in (" Lin", " Huang", " Wu", " Tsai", " Hsu"):
            assert not out.rstrip(".").endswith(surname), (src, out)


# ---- 5. a phone wrapped onto the next line after a bracket ---------------------------------------
PHONES = ["聯絡人：女兒（\n0912-345-678）", "家屬電話 (\n02-2345-6789)", "電話（\n0912 345 678）", "手機【\n0912345678】",
          "電話：\n(02)2345-6789", "聯絡電話為\n0912-345-678", "案女電話（\n(07)623-8707）", "tel (\n0933-123-456)",
          "緊急聯絡人 王先生［\n0988123456］"]


def test_a_phone_wrapped_after_a_bracket():
    for src, out in zip(PHONES, scrub_texts(PHONES)):
        assert not any(ch.isdigit() for ch in out.split("\n", 1)[1]), (src, out)


# ---- the rest of what the generator found ---------------------------------------------------------
FOUND = [("prior exam {}.", "S25-63803"), ("外院借片原單位{}）", "19P65642"), ("compared with {}", "RA2024693648"),
         ("影像 {} 比較", "CT123403100"), ("MAC {} 當機", "78-AC-C1-22-A1-3B"), ("MAC {}", "9c:2a:71:0e:44:b1"),
         ("機器序號 S/N {}。", "SN04248550"), ("S/N {}", "A625X55240"), ("SN: {}", "PM49-528909"),
         ("接收醫院{}主治醫師。", "宋明輝"), ("{}住院醫師您好", "程家豪"), ("照專{}，", "葉素琴"), ("居督{}。", "程家豪"),
         ("會診 {} 主治醫師", "蘇建良"), ("案姊{}來訪", "蘇建良"), ("案嫂{}陪同", "田玉英"),
         ("出席者 程家豪（長子）、{}（長女）", "蘇建良"), ("家屬 程家豪(長子)、{}(媳婦)、田玉英", "蘇建良"),
         ("Works at {}.", "台灣電力公司"), ("works at {} as a clerk.", "統一企業")]


def test_what_the_round_4_notes_found():
    assert not _left(FOUND)


# Ordinary phrases next to each rule: generic places after a word of living, counts of beds, genes
# and vitamins shaped like beds, drug codes, lab values, ranks without a name, workplaces in general.
ORDINARY = ["住院病人走路不穩。", "住在家裡走路困難。", "住在該社區。", "回到病區。", "來自鄉下。", "住在市區。", "住在山區。",
            "住在護理之家。", "來自城市。", "住在台北市。", "共12床。", "3床病人。", "鄰床阿伯。", "CYP3A4 抑制劑。", "維他命B12 缺乏。",
            "HbA1c 7.4%。", "IgG4 120。", "給予5A 20mg。", "處方 AC49367100 30顆。", "Dx C34.90。", "2024-03-15 回診。",
            "BP 120/80。", "K 4.1, Na 136。", "COVID-19 陰性。", "ISO 13485 認證。", "請 病房 主治醫師 評估。",
            "由 本院 住院醫師 開立。", "主治醫師同意。", "督導同意。", "Works at Home.", "works at the hospital.",
            "works at 工廠.", "Employed by the hospital."]


def test_ordinary_phrases_beside_the_new_rules_stay():
    assert scrub_texts(ORDINARY) == ORDINARY
    # a list after a bracketed relation goes on with names only: 長女 is the relation, not a name
    assert scrub_texts(["個案 程家豪（長子）、長女陪同。"]) == ["個案 <NAME>（長子）、長女陪同。"]
