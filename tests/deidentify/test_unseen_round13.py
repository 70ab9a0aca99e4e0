"""D1, round 13: the notes of ``tests/deidentify/eval_round13.py`` (a nursing home transfer
letter, a dialysis run sheet, a home-care visit, a psychiatric interview with family quotes, a
pharmacy consult, Hakka and Hokkien romanised names, indigenous names, SE-Asian caregivers with
diacritics) scored through ``scrub_texts``, and each class this round closed tried with many
members alone:
- clinical words every name finder read as names (``name_vetoes``, applied once to all name
  findings): lab states (高血鉀, 低血鈉), transliterated drugs (孟魯司特, 華法林, 卡托普利),
  eponymous diseases (范可尼, 帕金森, 薛格連氏症), a role noun after a surname-shaped preposition
  (醫師 向家屬說明), a header word (主護  床號), 高又胖, 雷陣雨, and a relation's bracketed country
  or acronym (看護（Indonesia）, 案子（CEO）) - with the names beside them still masked.
Scored once before any fix (seed 13, 192 notes): NAME 84.1 %, LINE 41.7 %, SPACED 50.0 %,
ROMAN 91.7 %, INDIG 61.1 %, CARER 91.7 %, QUOTE/PHONE/ID/DOB/RECORD 100 %; 71 of 252 ordinary
phrases in the notes and 49 of 1755 control texts masked.
"""
from __future__ import annotations

import re

from deidentify.text.scrub import scrub_texts


def _changed(texts: list[str]) -> list[tuple[str, str]]:
    return [(t, o) for t, o in zip(texts, scrub_texts(texts)) if o != t]


def _left(texts: list[str], values: list[str]) -> list[tuple[str, str]]:
    out = []
    for t, o, v in zip(texts, scrub_texts(texts), values):
        han = any("\u4e00" <= c <= "\u9fff" for c in v)
        parts = [c for c in v if not c.isspace()] if han else v.split()
        rest = re.sub(r"\s*".join(map(re.escape, parts)), "", t, count=1)
        assert rest != t, (t, v)
        if any(p in o for p in parts if p not in rest):
            out.append((t, o))
    return out


LAB_STATES = ["高血鉀", "低血鉀", "高血鈉", "低血鈉", "高血鈣", "低血鈣", "低血鎂", "高血磷", "高血氨", "低血氧", "高尿酸"]
DRUGS = ["孟魯司特", "華法林", "卡托普利", "洛沙坦", "阿托伐他汀", "萬古黴素", "阿莫西林", "伊馬替尼", "氨氯地平",
         "奧美拉唑", "左氧氟沙星", "美托洛爾", "二甲雙胍", "低分子肝素", "利多卡因", "雷尼替丁", "達比加群"]
EPONYMS = ["范可尼貧血", "范可尼症候群", "帕金森氏症", "帕金森病", "阿茲海默症", "薛格連氏症", "休格倫氏症", "威爾森氏症",
           "貝賽特氏症", "庫欣氏症", "克隆氏症", "雷諾氏症", "史蒂文生強生症候群", "妥瑞氏症", "梅尼爾氏症", "亨丁頓舞蹈症"]
FRAMES = ["{}", "病人今日{}。", "Dx: {}", "診斷：{}、高血壓", "服用{} 10mg", "{}，持續追蹤", "病人高{}"]


def test_clinical_words_that_read_as_names_stay():
    words = LAB_STATES + DRUGS + EPONYMS
    assert _changed([f.format(w) for f in FRAMES[:6] for w in words]) == []


WORDS_IN_SLOTS = ["醫師 向家屬說明", "護理師 向家屬解釋", "主治醫師向病人說明", "主護  床號", "主護 高又胖", "病人又高又胖",
                  "今日雷陣雨", "看護（Indonesia）", "看護（Vietnam）", "案子（CEO）", "案女（MBA）", "看護(Filipino)",
                  "案妻（Atayal）", "案夫（retired）", "案女（teacher）"]


def test_ordinary_words_in_a_persons_slot_stay():
    assert _changed(WORDS_IN_SLOTS) == []


def test_names_beside_those_words_are_still_masked():
    names = ["王小明", "林美玉", "鞏志遠", "練美蘭", "司馬文", "高志明", "范美華", "孟家豪", "華文傑"]
    texts = [f"病人{n}服用孟魯司特，{w}" for n in names for w in ("高血鉀", "范可尼貧血", "帕金森氏症")]
    texts += [f"醫師 {n} 向家屬說明" for n in names] + [f"看護（{n}）" for n in names]
    assert not _left(texts, [n for n in names for _ in range(3)] + names + names)
    latin = ["Siti Rahmawati", "Nguyen Thi Hoa", "Maricel Santos"]
    assert not _left([f"看護（{n}）" for n in latin], latin)


# names of this round's spaced class: rare, Hakka and literary given names, surnames that open words
SPACED_NAMES = ["鍾秀妹", "溫阿水", "邱添丁", "傅金妹", "羅石妹", "鞏志遠", "童一方", "甘寶玉", "雷又寧", "冷若冰", "蒙家和",
                "丘春梅", "賴阿滿", "戚守仁", "邢建遠", "湯如意", "匡立遠", "殷念慈", "郝樂天", "伏千里", "滿天星", "仉素英"]


def test_a_surname_a_blank_then_the_given_name():
    texts = [f.format(n[0], n[1:]) for n in SPACED_NAMES
             for f in ("{} {} 陪同。", "低血鈉；{}\u3000{} 陪同。", "個案：{}  {}，生日", "{} {} 表示要回家", "家屬{} {}來電")]
    assert not _left(texts, [n for n in SPACED_NAMES for _ in range(5)])


SPACED_WORDS = ["高 血壓", "有 高血壓", "病人 今天", "血壓 偏高", "王 先生", "請 家屬", "石 膏", "上 午", "黃 疸", "白 天",
                "林 口", "高 又胖", "和 家人", "由 家屬", "跟 阿姨", "高 血壓 表示", "左 手 表示", "血 糖 表示", "冷 敷",
                "滿 意", "蒙 古", "冷 水 澡", "冷 熱", "丘 陵", "伏 特加", "滿 一週", "很 冷", "冷 天", "滿 月", "白 天 表示",
                "有 點 表示", "方 向", "江 湖"]


def test_words_spaced_apart_stay():
    assert _changed(SPACED_WORDS) == []


INDIG = ["Walis Nokan", "Pasang", "Yapit Tali", "Panay Mayaw", "Lavakaw", "Biung", "Tjinuai Ljaljegean", "Kolas Foting",
         "Yuraw Watan", "Lahok Kacaw"]
CARERS = ["Ayu", "Wulan", "Ratree", "Siti Rahmawati", "Malee Boonmee", "Dewi Lestari"]


def test_latin_names_by_their_latin_layout():
    texts = [f"Home visit: {n} (Atayal) lives alone." for n in INDIG] + [f"{n} (Amis) BP stable" for n in INDIG]
    texts += [f"原鄉巡迴醫療\n{n} BP 160/95\n" for n in INDIG] + [f"部落健康站：{n}（林美玉），痛風" for n in INDIG]
    assert not _left(texts, INDIG * 4)
    texts = [f"另由{n}補充病史。" for n in CARERS] + [f"陪同：{n}。" for n in CARERS] + [f"由 {n} 代領藥" for n in CARERS]
    assert not _left(texts, CARERS * 3)


LATIN_WORDS = ["Patient BP 160/95", "Left BP 120/80\nRight BP 130/80", "Diet (Hakka) style", "Ward (Atayal)", "陪同：Dr。",
               "Aspirin（阿斯匹靈）", "Panadol（普拿疼）", "Norvasc（脈優）", "Plavix（保栓通）", "Sitting BP 130/80",
               "Standing BP 110/70", "Home visit: lives (Atayal) alone", "另由 RN 補充"]


def test_latin_words_in_those_layouts_stay():
    assert _changed(LATIN_WORDS) == []


def test_the_probe_after_the_fixes():
    from tests.deidentify.eval_round13 import generate, measure

    r = measure(generate(seed=13))
    got = {c: r.found[c] / r.total[c] for c in ("SPACED", "CARER", "INDIG", "QUOTE", "PHONE", "ID", "DOB", "RECORD")}
    assert all(v >= 0.98 for c, v in got.items() if c != "INDIG") and got["INDIG"] >= 0.9, got
    assert r.control_over == [], r.control_over[:5]


def test_older_hakka_and_literary_given_names_set_apart_without_an_act():
    # (no act after them: the given characters themselves must read as a name, given_chars)
    names = ["冷若冰", "伏千里", "滿天星", "殷念慈", "邱添丁", "鞏志遠", "郝樂天", "戚守仁", "羅石妹", "傅金妹"]
    texts = [f.format(n[0], n[1:]) for n in names for f in ("交班：{}  {}。", "床 12 {} {}")]
    assert not _left(texts, [n for n in names for _ in range(2)])


HAKKA_POJ = ["Phang Siu-mui", "Yap Kim-tshôn", "Liâu A-muí", "Voon Fi-fûng", "Thong Siu-lan", "Fung Mui-kiau", "Lâu Kim-tsuí"]


def test_hakka_and_toned_romanised_names():
    texts = [f.format(n) for n in HAKKA_POJ for f in ("{} 由家屬陪同回診", "Psych interview: {}; mother says", "{} 來電")]
    assert not _left(texts, [n for n in HAKKA_POJ for _ in range(3)])
    assert _changed(["Lo X-ray done", "Yap A-line", "Lâu A-fib 控制中", "Lo A-line 拔除", "Sim X-ray 正常", "Sim card 遺失"]) == []


def test_older_and_literary_names_after_a_staff_title():
    names = ["鞏志遠", "滿天星", "湯如意", "冷若冰", "伏千里", "蒙家和", "匡立遠", "童一方", "殷念慈", "郝樂天"]
    texts = [f.format(n) for n in names for f in ("Nurse: {}  Caregiver: 無", "藥師 {}", "訪視者：{}", "護理師 {}\n")]
    assert not _left(texts, [n for n in names for _ in range(4)])
    assert _changed(["護理師 全程陪同", "醫師 高一點", "藥師 常規", "Nurse: 無", "訪視者：本人", "雇主同意", "Caregiver: 家屬",
                     "護理師 天天來", "醫師 一方面", "藥師 如意算盤", "護理師 說明"]) == []
