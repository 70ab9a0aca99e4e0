"""D1, round 7: the long, real-looking notes of ``tests/deidentify/eval_round7.py`` (discharge
summaries and nursing shift notes mixing Chinese and English, LINE messages and e-mails copied
in with their headers, referral letters with letterheads, OCR'd scans with full-width text,
family histories, tables of relatives, foreign workers, public persons, names written by their
sound) scored through ``scrub_texts`` with the policy's cut-offs, and each class this round
closed with many members alone.  Everything is fixed: no random parametrize, the generator is
seeded.

On the code before this round (cef8a6b) seed 7 gave NAME 96.3 %, ID 96.4 %, PHONE 95.1 % (numbers
broken over three lines), AGE 82.1 %, ORG 81.7 %, Zhuyin names 0 %, and masked 石家莊, 金美元 and
a bracketed 歿於肝癌 (12 ordinary phrases, 9 control texts).  The held-out set (seeds 21-22, never
tuned on) then gave NAME 99.5 % (a kin word no list held, 小姑; a blank between a name and 回診);
both were closed as classes, and seeds 23-24 of the held-out set, run once after that, are
asserted here as they came out.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round7 import CLASSES, CONTROL, TYPES, generate, measure
from tests.deidentify.recall_suite import Suite

# the shared tests of every round's probe (recall_suite), bound under the names rules_index cites
SUITE = Suite(generate, measure, CLASSES, TYPES, CONTROL, seeds=(7, 8), min_notes=300, min_per_class=24,
              held_out=((True, 23), (True, 24)), held_rounds=28)
results = SUITE.results_fixture()
test_the_set_is_fixed_and_covers_every_class_and_style = SUITE.fixed_set_test()
test_recall_of_every_class = SUITE.class_recall_test()
test_recall_of_every_style = SUITE.style_recall_test()
test_ordinary_phrases_and_the_control_set_stay = SUITE.control_test()
test_the_held_out_set = SUITE.held_out_test("seed")


def _masked(texts: list[str], words: list[str]) -> list[tuple[str, str]]:
    """(text, output) pairs where one of ``words`` (one per text) is still there."""
    return [(t, o) for t, o, w in zip(texts, scrub_texts(texts), words) if w in o]


NAMES = ["范書豪", "林雨涵", "高嘉麟", "石家豪", "陳大文", "蘇冠宇", "楊俊傑", "洪嘉玲", "廖國華", "許雅惠"]
# verbs, coverbs, kin words and person acts no list named before this round
VERB_BEFORE = ["叮嚀", "感謝", "提醒", "告訴", "詢問", "轉告", "安撫", "跟", "幫", "讓", "給", "陪", "帶"]
KIN_BEFORE = ["小姑", "大舅", "表姊", "堂弟", "外甥", "岳父", "乾女兒", "繼母", "姪子", "孫女"]
ACT_AFTER = ["代簽", "代領", "離院", "來訪", "探視", "回電", "答應"]


def test_a_name_after_a_verb_is_its_object():
    texts = [f"已{v}{n}服藥。" for v in VERB_BEFORE for n in NAMES[:5]]
    assert not _masked(texts, [n for v in VERB_BEFORE for n in NAMES[:5]])


def test_a_name_after_a_kin_word():
    texts = [f"{k}{n}在旁。" for k in KIN_BEFORE for n in NAMES]
    assert not _masked(texts, [n for k in KIN_BEFORE for n in NAMES])


def test_a_name_before_what_only_a_person_does():
    texts = [f"已{n}{a}。" for a in ACT_AFTER for n in NAMES]
    assert not _masked(texts, [n for a in ACT_AFTER for n in NAMES])


def test_a_blank_between_an_opening_name_and_the_patient_word():
    names = ["徐若瑄", "林志玲", "蔡依林", "陳美玲", "王建民"]
    texts = [f"{n} {w}拿藥" for n in names for w in ("回診", "住院", "表示", "今日")]
    assert not _masked(texts, [n for n in names for w in range(4)])


ZHUYIN = ["ㄔㄣˊ ㄉㄚˋ ㄇㄧㄥˊ", "ㄌㄧㄣˊ ㄇㄟˇ ㄌㄧㄥˊ", "ㄏㄨㄤˊ ㄓˋ ㄨㄟˇ", "ㄓㄤ ㄕㄨ ㄈㄣ", "ㄔㄣˊㄉㄚˋㄇㄧㄥˊ",
          "ㄨˊ ㄆㄟˋ ㄕㄢ", "ㄌㄧˇ ㄐㄧㄢˋ ㄏㄨㄥˊ", "ㄨㄤˊ ㄒㄧㄠˇ ㄇㄧㄥˊ"]


@pytest.mark.parametrize("frame", ["病人自填姓名：{}，不識字", "Chinese name {}.", "{}", "家屬（{}）來電"])
def test_names_written_wholly_in_zhuyin(frame):
    texts = [frame.format(z) for z in ZHUYIN]
    outs = scrub_texts(texts)
    assert all("ㄇ" not in o and "ㄕ" not in o and "ㄏㄨ" not in o for o in outs), outs


def test_a_bare_run_of_zhuyin_symbols_is_no_name():
    texts = ["注音 ㄅㄆㄇㄈ 練習", "學注音ㄅ", "ㄅㄆㄇ"]
    assert scrub_texts(texts) == texts


PINYIN = ["Chén Dàmíng", "chén dàmíng", "Lín Měilíng", "lín měilíng", "Chen Da-Ming", "CHEN,TA-MING",
          "LIN, MEI-LING", "Huang Zhiwei", "Dàmíng Chén", "Tsai Yi-Chun", "zhāng shūfēn", "wú pèishān"]


@pytest.mark.parametrize("frame", ["Pt {} came today.", "{} 來電。", "Name on passport {}; NKDA"])
def test_pinyin_with_or_without_tones_and_wade_giles(frame):
    texts = [frame.format(p) for p in PINYIN]
    outs = scrub_texts(texts)
    # (after "Pt" western_names also takes a lower-case word that follows: "came" goes too)
    assert all(o.startswith(frame.split("{}")[0] + "<NAME>") and not any(w in o for w in p.replace(",", " ").split())
               for p, o in zip(PINYIN, outs)), list(zip(texts, outs))


def test_clinical_words_with_one_accent_stay():
    texts = ["café au lait spots x6", "née Smith", "Ménière disease", "Guillain-Barré syndrome"]
    outs = scrub_texts(texts)
    assert outs[0] == texts[0] and outs[2] == texts[2] and outs[3] == texts[3], outs


PUBLIC = ["五月天阿信", "小S", "九把刀", "彭于晏", "韓國瑜", "豬哥亮", "周杰倫", "蔡英文", "郭台銘", "林書豪"]


@pytest.mark.parametrize("frame", ["{}今日至門診", "病人為{}，血壓 150/95", "VIP: {} admitted", "{} 回診拿藥"])
def test_public_persons_without_a_context_word(frame):
    texts = [frame.format(p) for p in PUBLIC]
    assert not _masked(texts, PUBLIC)


def test_places_and_currencies_are_no_names_and_the_names_stay_found():
    ordinary = ["石家莊出差", "到石家莊出差三天", "金美元匯率", "查詢金美元匯率", "陳家莊", "攝取高鈣食物",
                "父親陳大明（歿於肝癌）", "五月天氣很好", "哥哥高血壓", "伯伯石化廠退休", "左膝 今日疼痛", "高雄港"]
    outs = scrub_texts(ordinary)
    assert outs[:6] + outs[7:] == ordinary[:6] + ordinary[7:], outs
    assert outs[6] == "父親<NAME>（歿於肝癌）"
    names = ["家屬金美元來電", "金美玲來電", "石家豪回診", "病人陳家豪", "林家莊表示"]
    assert all("<NAME>" in o for o in scrub_texts(names)), scrub_texts(names)


def test_values_broken_over_three_lines():
    texts = ["電話 0906\n671\n723 好", "身分證 A123\n456\n789", "ID X\n2394\n36999 x"]
    outs = scrub_texts(texts)
    assert outs[0] == "電話 <PHONE> 好" and "456" not in outs[1] and "36999" not in outs[2], outs
    columns = ["12\n34\n56", "BP 120\n80\n72", "Na 135\nK 4.1\nCl 100"]
    assert scrub_texts(columns) == columns


def test_roc_compact_birth_dates_and_old_ages_before_han_text():
    texts = ["出生 1120305", "DOB 1010218", "出生日期：0850305", "DOB: 850305", "生日 112/03/05"]
    assert all("<DOB>" in o for o in scrub_texts(texts)), scrub_texts(texts)
    assert scrub_texts(["案主102-year-old獨居"]) == ["案主≥85-year-old獨居"]


def test_workplaces_schools_and_roads():
    texts = ["works at 7-11 中山門市; son", "Patient works at TSMC Fab 12; son", "He teaches at 輔仁大學. Phone",
             "任教於國立臺灣大學", "of 和平東路二段５７巷９５號, for", "〇〇診所\n和平東路二段９巷９９號  TEL"]
    outs = scrub_texts(texts)
    for w, o in zip(["中山門市", "Fab 12", "輔仁", "臺灣大學", "和平", "和平"], outs):
        assert w not in o, outs
    assert scrub_texts(["去7-11 中山門市買早餐"]) == ["去7-11 中山門市買早餐"]
