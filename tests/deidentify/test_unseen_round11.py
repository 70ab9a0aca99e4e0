"""D1, round 11: the notes of ``tests/deidentify/eval_round11.py`` (a triage sheet, a psychiatric
interview, a pharmacist's consult, a radiology or pathology report, a PT/OT note, a long-term-care
form, a hospice family meeting, an OCR'd referral, an English-only note, a home visit with
Taiwanese in quotes) scored through ``scrub_texts`` on the shared runner, and each class this
round closed with many members alone, with what must stay beside it:
- humble names (石頭, 木頭, 鐵牛, 土豆, 番薯: ``bare_given.humble``) as the one who speaks, refuses
  or agrees (石頭說要回家 was left); the thing itself stays (石頭很硬, 石頭說明, 報告說要追蹤);
- Latin names in a Chinese person's slot (``latin_slots``: Walis Nokan 來院, 由 Siti Aminah 陪同,
  看護 Siti 說); drugs, devices, apps and places in Latin letters stay (Panadol 500mg, Taipei
  Veterans 來院, Apple Watch 說);
- dotted names of three parts (伊斯坦大·貝雅夫·正福 left 正福);
- lunar birthdays (``dates.LUNAR_BIRTH``: 農曆三月初二生); festivals' lunar dates stay;
- a Han name alone in an English sentence or after an English heading (Consult: 古一心 seen
  today, PT note: 范姜明 s/p TKR); Chinese terms there stay (Dx: 高血壓, Lab: 高尿酸 noted);
- over-masks: a set phrase jieba tags a name (龍馬精神, 金玉良言: ``chinese_names._set_phrase``),
  prose after an English heading (Plan: 全國平安 masked 全國平: an English label's value is read
  as a label's, not a person word's), nickname-shaped words (一名老翁, 給小費, 一小段), common nouns
  jieba tags as names (全家福, 老太太: ``name_words.NR_COMMON_NOUNS``), a phone's line joined to
  the next line's word (0912345678⏎CMS 等級 masked CMS: ``normalise._NEXT_WORD``).
On the code before this round (4180ed5) seed 11 here gave NAME 97.4 %, GIVEN 21.3 %, LATIN 51.3 %,
DOB 58.3 % (PHONE, ADDRESS, ID, RECORD, CONTACT 100 %), and masked 80 of 300 ordinary phrases in the
notes and 48 of 1476 control texts.  The first held-out set (seed 111) was run once after the
fixes and missed names with 又 or 之 alone in an English sentence (NAME 96.5 %); that class was
then closed and a second held-out set (held_out=2, seed 112) written and run once: NAME 98.1 %
(Han names in a cell of an English line, 池又菁 | …) and LATIN 96.8 % (Joy Villanueva: a given
name that is a word); both classes were then closed, so neither set is held out any more.  A
third set (held_out=3, seed 113), run once, gave NAME 90.7 % (姓名：蕭千里 left: 千里 read as a
measure word; 端木青, 司徒健 in an English sentence; 雲, 閻 on no surname list); after the first two
were closed, 96.2 %: it is not in the suite (the unlisted surnames and 蕭千里 in an English cell
stay open).
"""
from __future__ import annotations

import pytest

from deidentify.identifiers import bare_given, dates, latin_slots
from deidentify.identifiers.normalise import normalise_for_finders
from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round11 import CLASSES, CONTROL, TYPES, generate, measure
from tests.deidentify.recall_suite import Suite

SUITE = Suite(generate, measure, CLASSES, TYPES, CONTROL, seeds=(11, 12), min_notes=240, min_per_class=60,
              held_out=((True, 111), (2, 112)), held_rounds=12)
results = SUITE.results_fixture()
test_the_set_is_fixed_and_covers_every_class_and_style = SUITE.fixed_set_test()
test_recall_of_every_class = SUITE.class_recall_test()
test_recall_of_every_style = SUITE.style_recall_test()
test_ordinary_phrases_and_the_control_set_stay = SUITE.control_test()
test_held_out_set = SUITE.held_out_test("held_out,seed")

FRAMES = ["{}", "病人今日 {}。", "Plan: {} today."]


def _left(texts: list[str], values: list[str]) -> list[tuple[str, str]]:
    return [(t, o) for t, o, v in zip(texts, scrub_texts(texts), values) if v in o]


def _changed(texts: list[str]) -> list[tuple[str, str]]:
    return [(t, o) for t, o in zip(texts, scrub_texts(texts)) if o != t]


# -- humble names as the one who speaks or decides ------------------------------------------------
HUMBLE = ["石頭", "木頭", "鐵牛", "土豆", "番薯", "水牛", "黑狗", "芋頭", "鐵蛋", "黑豆", "地瓜", "土狗"]
HUMBLE_ACTS = ["說要回家。", "說不要打針。", "說：「我要回去」", "講要轉去。", "表示要出院。", "拒絕抽血。", "同意手術。",
               "表示了解。", "說他很累。"]


@pytest.mark.parametrize("act", HUMBLE_ACTS)
@pytest.mark.parametrize("before", ["", "病人", "家屬：", "。"])
def test_a_humble_name_that_speaks_or_decides(before, act):
    texts = [before + w + act for w in HUMBLE]
    assert not _left(texts, HUMBLE)


HUMBLE_PROSE = ["石頭很硬", "石頭說明", "腎結石頭痛", "石頭卡在輸尿管", "病人石頭卡在輸尿管", "石頭表面光滑", "木頭地板",
                "芋頭很好吃", "鐵牛車", "土豆很香", "口頭說要", "老頭說要回家", "報告說要追蹤", "枕頭說", "鏡頭說", "外頭說",
                "上頭說要查", "新聞說要下雨", "地瓜葉", "黑豆漿", "水牛城"]


@pytest.mark.parametrize("frame", FRAMES)
def test_humble_things_as_things_stay(frame):
    assert _changed([frame.format(t) for t in HUMBLE_PROSE]) == []


def test_humble_reads_both_characters():
    assert all(bare_given.humble(w) for w in ("石头", "铁牛", "番薯", "芋头"))
    assert not any(bare_given.humble(w) for w in ("口头", "老头", "枕头", "报告", "石膏", "木材"))


# -- Latin names in a Chinese person's slot -----------------------------------------------------
LATIN = ["Walis Nokan", "Yapu Tali", "Panay Kacaw", "Siti Aminah", "Maria Santos", "Dewi Lestari", "Nurul Hidayah",
         "Yuraw Watan", "Sri Wahyuni", "Putri Ayu"]
LATIN_SLOTS = ["{} 來院。", "{} 表示同意。", "{} 陪同就醫", "{}說病人昨晚未睡", "{} 來電詢問", "{} 拒絕。", "由 {} 陪同",
               "看護 {} 表示", "請 {} 簽名", "交代 {} 明早空腹", "照顧者：{}（印尼籍）", "家屬 {}，"]


@pytest.mark.parametrize("slot", LATIN_SLOTS)
def test_a_latin_name_in_a_chinese_person_slot(slot):
    texts = [slot.format(n) for n in LATIN]
    outs = scrub_texts(texts)
    left = [(t, o) for t, o, n in zip(texts, outs, LATIN) if any(w in o for w in n.split())]
    assert not left, left


ONE_WORD = ["Siti", "Walis", "Dewi", "Yapu", "Wati"]


@pytest.mark.parametrize("slot", ["由 {} 陪同", "看護 {} 說病人昨晚未睡", "請 {} 簽名", "跟 {} 說明病情"])
def test_one_latin_word_between_a_coverb_and_an_act(slot):
    assert not _left([slot.format(w) for w in ONE_WORD], ONE_WORD)


LATIN_PROSE = ["Panadol 500mg 一顆，病人表示好多了", "給予 Tramadol 後病人表示疼痛改善", "Foley 拔除後病人可自解", "由 ER 轉入",
               "請 Google 搜尋", "使用 Google Maps 導航來院", "病人用 Facebook Messenger 聯絡", "Keppra 500 mg bid，病人說頭暈",
               "Morphine 2 mg 後表示舒適", "由 Foley 引流", "Taipei Veterans 來院", "Hong Kong 來院", "由 New York 返國",
               "Apple Watch 說心跳快", "Line Pay 付款", "Chang Gung 表示", "由 Tzu Chi 轉入", "請 Uber 接送"]


def test_drugs_devices_apps_and_places_in_latin_letters_stay():
    assert _changed(LATIN_PROSE) == []


def test_the_latin_slot_scan_is_gated():
    assert latin_slots.find("no Han text here at all, Walis Nokan visited") == []
    assert latin_slots.find(normalise_for_finders("Walis Nokan 來院")) == [(0, 11)]


WORD_GIVEN_LATIN = ["Joy Villanueva", "Grace Santos", "Hope Nababan", "Faith Wanjiru", "Rose Simanjuntak"]


@pytest.mark.parametrize("slot", ["{} 陪同就醫", "交代 {} 明早空腹", "{} 表示同意", "由 {} 陪同"])
def test_a_latin_name_whose_given_name_is_a_word(slot):
    """(held-out set 2: Joy Villanueva was left) a given name that is a word before a family
    name no list holds; a word before a listed word stays (Hope Clinic, Grace Hospital)."""
    texts = [slot.format(n) for n in WORD_GIVEN_LATIN]
    outs = scrub_texts(texts)
    assert not [(t, o) for t, o, n in zip(texts, outs, WORD_GIVEN_LATIN) if n.split()[1] in o], outs
    assert _changed([slot.format(w) for w in ("Hope Clinic", "Grace Hospital", "Joy Medical")]) == []


# -- dotted names of three parts ---------------------------------------------------------------
DOTTED = ["伊斯坦大·貝雅夫·正福", "哈勇·烏送·馬賴", "Istanda·Paiyaw·Cengfu", "比令‧亞布‧達道", "巴奈・庫穗・馬躍"]


@pytest.mark.parametrize("frame", ["{}", "案主 {} 來院", "家屬 {} 陪同", "個案{}（阿美族）"])
def test_every_part_of_a_dotted_name(frame):
    # (a Latin dotted name alone, with no Han text around it, is not read: open, see the report)
    texts = [frame.format(n) for n in DOTTED if frame != "{}" or not n.replace("·", "").isascii()]
    outs = scrub_texts(texts)
    parts = [p for n in DOTTED for p in n.replace("‧", "·").replace("・", "·").split("·")]
    assert not [(t, o) for t, o in zip(texts, outs) if any(p in o for p in parts)], outs


def test_dotted_abbreviations_stay():
    assert _changed(["維生素C.D.E 補充", "Vit.B.C 服用", "Fig.3 見圖", "No.5 床"]) == []


# -- lunar birthdays --------------------------------------------------------------------------------
LUNAR = [("農曆", "三月初二", "生"), ("農曆 ", "3 月 2 日", "生日"), ("生於農曆", "三月初二", ""), ("出生：農曆", "85年3月2日", ""),
         ("農曆生日：", "八月十五", ""), ("農曆生日 ", "3/2", ""), ("生日是農曆", "臘月廿三", ""), ("陰曆", "正月初五", "出生"),
         ("生日：農曆", "閏四月十二日", ""), ("出生日期：農曆", "民國40年冬月初十", ""), ("舊曆", "十二月三十", "生")]


def test_a_lunar_birthday():
    texts = [a + d + b for a, d, b in LUNAR]
    outs = scrub_texts(texts)
    assert all(d not in o and "<DOB>" in o for (a, d, b), o in zip(LUNAR, outs)), outs


def test_a_lunar_birthday_is_read_by_the_date_finder():
    for a, d, b in LUNAR:
        s = normalise_for_finders(a + d + b)
        assert any(s[x:y].strip() == normalise_for_finders(d) for x, y in dates.find(s)), (a, d, b)


@pytest.mark.parametrize("frame", FRAMES)
def test_festivals_lunar_dates_stay(frame):
    texts = ["農曆八月十五中秋節", "正月初一拜年", "農曆七月普渡", "農曆新年期間回診", "農曆年後再追蹤", "農曆五月初五端午",
             "農曆十二月三十除夕", "國曆 3 月 2 日回診"]
    assert _changed([frame.format(t) for t in texts]) == []


# -- a Han name alone in an English sentence --------------------------------------------------
EN_SLOTS = ["PT note: {} s/p TKR", "Consult: {} seen today", "OT：{}，生於台南", "Pt {} was admitted", "Referral: {}, 72M",
            "Triage 14:20 | {} | ARC No. pending", "Triage 14:20 | {} | 護照號碼 pending", "ER | {} | 住台南"]
EN_NAMES = ["古一心", "范姜明", "高一平", "張簡明", "江山明", "文心怡", "黃一心", "古一帆", "施又寧", "杜之恆", "朱又廷",
            "池又菁", "夏之華", "柳一心", "端木青", "司徒健"]


@pytest.mark.parametrize("slot", EN_SLOTS)
def test_a_han_name_in_an_english_sentence(slot):
    assert not _left([slot.format(n) for n in EN_NAMES], EN_NAMES)


@pytest.mark.parametrize("text", ["Dx: 高血壓 and DM", "Impression: 陳舊性骨折 noted", "Hx: 中風 s/p rehab",
                                  "Consult: 全身無力 x3 days", "Plan: 石膏固定 2 weeks", "Note: 黃疸 improved",
                                  "Patient has 高血壓 since 2010", "PE: 毛髮稀疏 noted", "Dx: 高尿酸 and gout",
                                  "Hx: 高燒退 after 2 days", "Tx: 冷敷 and rest", "Dx: 高血壓，DM", "Plan: 石膏固定，2w",
                                  "OT：步態訓練，", "Dx: 全身痛，", "Dx: 高又瘦", "Note: 痛又癢 today", "Plan: 高之後 f/u",
                                  "Dx | 高血壓 | DM", "ICD | 糖尿病 | E11", "Dx | 全身痛 | x", "Sx | 高燒 | 3 days"])
def test_chinese_terms_in_an_english_sentence_stay(text):
    assert _changed([text]) == []


# -- a label's value, whatever word it reads as (held-out set 3: 姓名：蕭千里 was left) ------------
def test_a_label_value_is_a_name_whatever_word_it_reads_as():
    texts = ["姓名：蕭千里", "簽名：王萬里", "聯絡人：蕭千里 0912345678", "家屬姓名：林千里", "病患姓名：古千里",
             "家族史：父蕭千里酗酒", "家屬王萬里來電", "病人 蕭千里，"]
    names = ["蕭千里", "王萬里", "蕭千里", "林千里", "古千里", "蕭千里", "王萬里", "蕭千里"]
    assert not _left(texts, names)


@pytest.mark.parametrize("frame", FRAMES)
def test_money_after_a_surname_character_stays(frame):
    assert _changed([frame.format(t) for t in ("金美元", "換了一千美元", "存了金美元", "一萬日元")]) == []


# -- over-masks this round closed -------------------------------------------------------------------
SET_PHRASES = ["龍馬精神", "金玉良言", "金碧輝煌", "溫暖如春", "金銀財寶", "溫文爾雅", "馬馬虎虎", "曾幾何時", "大展宏圖",
               "山珍海味", "富麗堂皇", "英雄豪傑", "高官厚祿", "榮華富貴", "博大精深", "顧名思義", "汪洋大海", "融會貫通"]


@pytest.mark.parametrize("frame", FRAMES + ["Impression: {}。", "祝福{}"])
def test_set_phrases_jieba_tags_as_names_stay(frame):
    assert _changed([frame.format(t) for t in SET_PHRASES]) == []


def test_four_character_names_are_still_names():
    texts = ["高金素梅來電", "病人高金素梅", "家屬張陳秀英陪同", "林黃美玉女士", "范姜美華來院", "歐陽靜雯表示"]
    names = ["高金素梅", "高金素梅", "張陳秀英", "林黃美玉", "范姜美華", "歐陽靜雯"]
    outs = scrub_texts(texts)
    assert not [(t, o) for t, o, n in zip(texts, outs, names) if any(c in o for c in n)], outs


HEADED_PROSE = ["全國平安", "全家平安", "江山如畫", "萬事如意", "高枕無憂", "全家福", "平安健康", "吉祥如意"]


@pytest.mark.parametrize("heading", ["Plan: ", "Impression: ", "Note: ", "A/P: ", "Wish: "])
def test_prose_after_an_english_heading_stays(heading):
    assert _changed([heading + t for t in HEADED_PROSE]) == []


def test_a_name_after_an_english_heading_is_still_one():
    texts = ["Well-child visit: 高明德, born at 馬偕", "Plan: 全國平主訴頭痛", "Home visit: 車又晴 (高齡92歲)",
             "Informant: 王強表示", "Note: 文心怡 seen"]
    names = ["高明德", "全國平", "車又晴", "王強", "文心怡"]
    assert not _left(texts, names)


NICKNAME_SHAPED = ["一名老翁", "一名老翁跌倒", "這位老翁", "給小費", "省小錢", "一小段", "一小段時間", "全家福照片",
                   "老太太跌倒", "小姑娘很乖", "補充維生素", "青少年", "小學生", "望遠鏡"]


@pytest.mark.parametrize("frame", FRAMES + ["今天{}來"])
def test_nickname_shaped_words_and_nouns_tagged_as_names_stay(frame):
    assert _changed([frame.format(t) for t in NICKNAME_SHAPED]) == []


def test_nicknames_are_still_names():
    texts = ["老王來探望", "小陳幫忙", "阿林陪同", "老李說", "老周來電", "小林拿藥", "老王（王金土）來院"]
    outs = scrub_texts(texts)
    assert all(o.startswith("<NAME>") for o in outs), outs


@pytest.mark.parametrize("number", ["0912-345-678", "04-6463158", "+886 912 345 678", "(02)2345-6789"])
@pytest.mark.parametrize("word", ["CMS 等級：5", "ADL 60 分", "Plan: 追蹤", "Barthel 85 分", "MRN 見上"])
def test_a_number_line_does_not_swallow_the_next_line_word(number, word):
    out = scrub_texts([f"聯絡電話：{number}\n{word}"])[0]
    assert out == f"聯絡電話：<PHONE>\n{word}", out


@pytest.mark.parametrize("text,name", [("病患姓名：曾 志\n成  性別：男", "曾志成"), ("姓名：曾 志\n成", "曾志成"),
                                       ("姓名：林\n美 玲  性別：女", "林美玲"), ("姓名：童玉\n珍  性別：女", "童玉珍"),
                                       ("聯絡人：陳 建\n宏", "陳建宏")])
def test_an_ocr_spaced_name_broken_over_a_line_after_its_label(text, name):
    out = scrub_texts([text])[0]
    assert not any(c in out for c in name), out


def test_values_broken_over_lines_that_are_two_fields_stay_apart():
    assert _changed(["過敏：無\n抽菸：無", "診斷：高 血\n壓", "備註：無\n追蹤：門診"]) == []


@pytest.mark.parametrize("text", ["身分證：A12345\n6789", "電話：0912-345-\n678", "病歷號碼 12345\n67", "病歷號：MR-2023\n0451"])
def test_a_number_broken_over_lines_is_still_one(text):
    out = scrub_texts([text])[0]
    assert not any(c.isdigit() for c in out), out
