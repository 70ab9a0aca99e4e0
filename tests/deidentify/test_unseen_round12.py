"""D1, round 12: the notes of ``tests/deidentify/eval_round12.py`` (a nursing shift handover, a
discharge summary, a social worker's note, an ER triage line, a consult reply, a phone-call log,
a family meeting record, an English SOAP note with Chinese names, an OCR'd form, a ward table
pasted as text, a note typed in haste) scored through ``scrub_texts``, and each class this round
closed tried with many members alone, beside what must stay:
- a relation and the name in brackets (案妻（練美蘭）, 次女(May Cruz), 案兄【司馬文】:
  ``slot_names``); what a relation's brackets say about the person stays (案妻（已歿）, 看護（印尼籍）,
  案女(高中), 案父（曾中風）);
- a staff title before or after the name with a rare or compound surname (RN 練美蘭, 司馬文 護理師,
  Dr. 雲一舟); a title before an act or a department stays (醫師 表示, 主治醫師 查房, 心臟科醫師);
- a ward table's person column (姓名, 主護, 照顧者 … over | or tabs), a row broken over a line;
  a table of results stays;
- a name broken over a line (游⏎明德, 萬家⏎榮 after a label, 練美⏎蘭 after a found part) and
  spaced names with rare surnames (萬 家 榮, 岳 秀英, 雷  又  寧); lists broken over lines stay;
- nicknames: before a bracketed name (阿嬌（諸葛明）), a kinship word's humble name that speaks
  (阿公石頭說要回家), POJ nicknames (「A-bîng」來探病); A-fib, 阿公說 stay;
- Latin names whose given name is a word before a census surname (May Cruz 表示, Joy Dela Cruz
  照顧中) and 接聽; e-mail with blanks around @;
- older over-masks: 祝金碧輝煌 (祝 read as a surname), 王爺廟 (a word read as a name).
Scored once before any fix (seed 12): NAME 97.4 %, PAREN 78.3 %, SIGN 96.1 %, SPLIT 65.0 %,
FOREIGN 72.6 %, NICK 46.4 % (13 of its misses were the generator counting 「」 as the name),
EMAIL 72.9 %, the rest 100 %; 4 of 1632 control texts masked.  After the fixes every class was
100 % on seeds 12-14, and a held-out set of names written then (held_out=True, seed 121) was run
once: NAME 92.2 %, PAREN 96.7 %, SIGN 92.8 %, SPLIT 90.0 %, ROMAN 97.2 %, NICK 97.6 % (compound
surnames off the list, 西門/呼延; 又 and 一 in given names, 雷又寧; POJ Khóo), control 0.  Those
were then closed, so that set is not held out any more and is not in the suite.
"""
from __future__ import annotations

import re

import pytest

from deidentify.identifiers import slot_names
from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round12 import CLASSES, CONTROL, TYPES, generate, measure
from tests.deidentify.recall_suite import Suite

SUITE = Suite(generate, measure, CLASSES, TYPES, CONTROL, seeds=(12, 13), min_notes=260, min_per_class=48)
results = SUITE.results_fixture()
test_the_set_is_fixed_and_covers_every_class_and_style = SUITE.fixed_set_test()
test_recall_of_every_class = SUITE.class_recall_test()
test_recall_of_every_style = SUITE.style_recall_test()
test_ordinary_phrases_and_the_control_set_stay = SUITE.control_test()


def _left(texts: list[str], values: list[str]) -> list[tuple[str, str]]:
    """Texts whose value left any of its parts (a Latin name's words, a Han name's characters)."""
    out = []
    for t, o, v in zip(texts, scrub_texts(texts), values):
        han = any("\u4e00" <= c <= "\u9fff" for c in v)
        parts = [c for c in v if not c.isspace()] if han else v.split()
        # (the value as written, blanks or a line break inside it: what the rest of the text holds
        # of its parts does not count)
        rest = re.sub(r"\s*".join(map(re.escape, parts)), "", t, count=1)
        assert rest != t, (t, v)
        if any(p in o for p in parts if p not in rest):
            out.append((t, o))
    return out


def _changed(texts: list[str]) -> list[tuple[str, str]]:
    return [(t, o) for t, o in zip(texts, scrub_texts(texts)) if o != t]


# names none of the earlier rounds' lists made easy: rare surnames that are words, compound
# surnames with one given character, 又/之/一 given names, Latin names
HAN = ["練美蘭", "閻文忠", "雲秀英", "司馬文", "諸葛明", "萬家榮", "岳秀英", "單淑芬", "冉玉梅", "仇秀蘭", "西門慶華",
       "呼延平", "南宮月", "雷又寧", "鞏志遠", "張廖美惠"]
LATIN = ["May Cruz", "Watan Tanga", "Agus Salim", "Joy Dela Cruz", "Nguyen Thi Lan", "Siti Nurhaliza", "Grace Reyes",
         "Pasang Tamapima", "Rowena Aquino", "Lituk Kacaw"]
RELATIONS = ["案妻", "案子", "次女", "長子", "案媳", "看護", "聯絡人：案女", "主要照顧者為案孫", "鄰居", "案兄", "阿公", "阿嬤",
             "病人"]
BRACKETS = [("（", "）"), ("(", ")"), ("【", "】"), ("（", ")"), (" (", ")")]


@pytest.mark.parametrize("rel", RELATIONS)
@pytest.mark.parametrize("brackets", BRACKETS)
def test_a_relation_then_the_name_in_brackets(rel, brackets):
    a, b = brackets
    names = HAN + LATIN
    texts = [f"{rel}{a}{n}{b}陪同就醫。" for n in names] + [f"出院後由{rel}{a}{n}{b}照顧" for n in names]
    assert not _left(texts, names + names)


RELATION_PROSE = ["案妻（已歿）表示", "案子（在美國）", "案女（護理師）", "案妻（同住）", "案夫（78歲）", "看護（印尼籍）",
                  "案女(高中)", "長子（國中）", "次女（大學生）", "案妻（失智）", "案母(臥床)", "聯絡人（見附件）", "案女（RN）",
                  "案妻(DM)", "案夫（中風）", "案父（曾中風）", "案母（高齡）", "案女（在台北工作）", "案妻（家管）",
                  "案子（無業）", "看護（同上）", "案妻（安寧）", "案孫（國小）", "長女（美國）", "阿公（78歲）", "阿嬤（失智）",
                  "病人（右側）", "病人(DNR)"]


def test_what_a_relations_brackets_say_of_the_person_stays():
    assert _changed(RELATION_PROSE) == []


TITLES_BEFORE = ["護理師 {}", "護理師：{}", "RN {}", "Dr. {}", "主治醫師：{}", "住院醫師 {}", "社工師 {}", "記錄者：{}",
                 "──社工師 {}", "營養師：{}", "交班者：{}", "覆 {}"]
TITLES_AFTER = ["{} RN", "{} 護理師", "{} MD", "{} 醫師", "{}醫師", "{} NP", "{}（社工）", "{} 簽"]


@pytest.mark.parametrize("slot", TITLES_BEFORE + TITLES_AFTER)
def test_a_staff_title_before_or_after_the_name(slot):
    texts = [f"病人穩定。{slot.format(n)}" for n in HAN] + [f"{slot.format(n)}\n" for n in HAN]
    assert not _left(texts, HAN + HAN)


TITLE_PROSE = ["護理師 說明", "醫師 表示", "RN 交班完畢", "主治醫師 查房", "記錄 完畢", "護理師 協助翻身", "醫師 建議。",
               "藥師 諮詢", "營養師 會診", "社工 訪視", "覆 會診", "MD 查房", "記錄 時間", "接班 後", "會診 醫師", "主治 醫師",
               "值班 醫師", "專科 護理師", "實習 醫師", "住院 醫師", "家庭 醫師", "居家 護理師", "心臟科醫師", "麻醉科醫師",
               "急診醫師", "總醫師", "牙科 醫師", "白班 護理師", "小夜 RN", "責任區 護理師", "護理師 同意", "藥師 常規", "護理師 全程陪同", "醫師 高一點", "社工 時間"]


def test_a_title_before_an_act_or_after_a_department_stays():
    assert _changed(TITLE_PROSE) == []


HEADERS = ["姓名", "病人", "主護", "照顧者", "家屬", "聯絡人", "Name", "Patient", "Nurse", "Caregiver"]


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("sep", [" | ", "\t", "|", "   ", "｜"])
def test_a_ward_tables_person_column(header, sep):
    names = HAN + LATIN
    rows = [sep.join(["Bed" if header.isascii() else "床號", header, "診斷"])] + [sep.join([f"{i:02d}A", n, "CHF"]) for i, n in enumerate(names)]
    out = scrub_texts(["\n".join(rows)])[0]
    assert not [n for n in names if any(p in out for p in (n.split() if n.isascii() else [n[:2], n[-2:]]))], out
    assert out.count("CHF") == len(names) and "診斷" in out


def test_a_row_broken_over_a_line_keeps_the_names_after_it():
    for n, m in zip(HAN, HAN[1:] + HAN[:1]):
        text = f"床號 | 姓名 | 診斷 | 主護\n12A | {n[:2]}\n{n[2:]} | COPD | {m}\n12B | 王小明 | UTI | 林美玉"
        out = scrub_texts([text])[0]
        assert m not in out and "COPD" in out and "UTI" in out, out


TABLE_PROSE = ["項目 | 結果 | 單位\nWBC | 12.3 | 10^3/uL\n血糖 | 180 | mg/dL\n高血壓 | 有 | -",
               "藥名\t劑量\t頻次\nAspirin\t100mg\tQD\nMegace\t160mg\tBID",
               "日期 | 體溫 | 血壓\n12/01 | 37.5 | 150/90",
               "檢驗項目    結果    單位\nWBC    12.3    10^3/uL\n血糖    180    mg/dL",
               "藥名  劑量  頻次\nAspirin  100mg  QD\nMegace  160mg  BID", "病人今天  很好  謝謝"]


# drugs, foods, diseases and words in the other columns of a table with a person column
TABLE_WORDS = ("黃疸 白內障 石膏 方案 常規 金針 胡椒 黃連 田七 杜仲 甘草 柴胡 葛根 白芍 當歸 陳皮 丁香 安眠藥 江西 林口 "
               "石斑魚 包紮 全身 溫水 龍膽 柳丁 華法林 楊桃 嚴重 許可 萬一 車禍 談話 艾草 單側 花生 舒服 原發 白班").split()


def test_other_columns_of_a_table_with_a_person_column_stay():
    text = "床號 | 姓名 | 診斷 | 備註\n" + "\n".join(f"{i:02d} | 王小明 | {w} | {w}" for i, w in enumerate(TABLE_WORDS))
    rows = scrub_texts([text])[0].split("\n")[1:]
    assert [w for w, r in zip(TABLE_WORDS, rows) if r.count(w) != 2] == [], rows
    assert all("王小明" not in r for r in rows)


def test_a_forms_labels_spaced_out_are_no_aligned_table():
    # (an OCR'd form's labels packed with blanks, 姓名  : 楊俊傑   身分證  :, read as a header masked the
    # next line's labels: round 7's control)
    text = "姓 名 : 楊俊傑   身 分 證 : 病人\n生 日 : 33/11/27  電 話 : 無\n診 斷 : 第 二 型 糖 尿 病  HbA1c 8.2 %"
    out = scrub_texts([text])[0]
    assert "生 日 :" in out and "診 斷 : 第 二 型 糖 尿 病" in out and "楊俊傑" not in out, out


def test_an_output_tables_group_column_under_a_person_header_stays():
    # (an aggregate table's Patient column holds groups, not people; two columns have one separator)
    tables = ["Patient | N\nInpatient | 30\nOutpatient | 20", "病人 | 人數\n住院 | 30\n門診 | 20\n男性 | 10",
              "Patient\tN\tPercent\nMale\t120\t55%\nFemale\t98\t45%"]
    assert _changed(tables) == []
    out = scrub_texts(["Name | Dx\nMay Cruz | CHF\nWatan Tanga | COPD"])[0]
    assert "Cruz" not in out and "Tanga" not in out and "CHF" in out, out


def test_a_table_without_a_person_column_stays():
    assert _changed(TABLE_PROSE) == []


BROKEN = ["Discussed with 游\n明德.", "wife 武\n麗華 says", "聯絡人 練\n美蘭", "Discussed with 尤美\n珍.", "填表人：萬家\n榮",
          "病患姓名：閻文\n忠\n身分證：", "wife 岳 秀英 says", "Discussed with 萬 家 榮.", "填表人：單 淑 芬\n",
          "wife 萬　家榮 says", "Discussed with 閻  文  忠.", "wife 雷  又  寧 says", "Discussed with 諸葛\n明.",
          "填表人：公孫\n策\n", "填表人：粘\n素卿", "聯絡人：單\n淑芬\n電話："]
BROKEN_VALUES = ["游明德", "武麗華", "練美蘭", "尤美珍", "萬家榮", "閻文忠", "岳秀英", "萬家榮", "單淑芬", "萬家榮", "閻文忠",
                 "雷又寧", "諸葛明", "公孫策", "粘素卿", "單淑芬"]


def test_a_name_broken_over_a_line_or_spaced_apart():
    assert not _left(BROKEN, BROKEN_VALUES)


GOES_ON = ["家屬王美\n玉。", "案妻林秀\n琴，", "病人陳建\n宏 s/p TKR", "由女兒張淑\n惠陪同", "交代黃志\n偉，明早空腹",
           "家屬練美\n蘭來電", "聯絡人 閻文\n忠"]
GOES_ON_VALUES = ["王美玉", "林秀琴", "陳建宏", "張淑惠", "黃志偉", "練美蘭", "閻文忠"]


def test_a_found_name_going_on_after_a_line_break():
    assert not _left(GOES_ON, GOES_ON_VALUES)


LIST_PROSE = ["診斷：\n高血壓\n糖尿病", "過敏：無\n抽菸：無", "主訴\n頭痛", "Plan\n石膏\n固定", "家族史\n父 高血壓",
              "高 又 胖", "護理計畫\n1.翻身\n2.拍背", "出院帶藥：\n止痛藥\n胃藥", "診 斷 ： 高 血 壓",
              "備註：高\n風險", "備註：高\n血壓", "主訴：頭\n痛", "過敏：無\n抽菸：無"]


def test_lists_broken_over_lines_stay():
    assert _changed(LIST_PROSE) == []


def test_a_nickname_before_a_bracketed_name():
    nicks = ["阿明", "小美", "阿嬌", "阿雄", "小芳", "阿輝", "阿忠", "小玲", "阿明仔", "阿珠仔", "明仔"]
    texts = [f"10:30 {k}（{n}）回電。" for k in nicks for n in HAN[:8]]
    values = [k for k in nicks for _ in HAN[:8]]
    assert not _left(texts, values)
    assert not _left(texts, [n for _ in nicks for n in HAN[:8]])


def test_a_nickname_whose_relative_follows():
    nicks = ["阿明", "小美", "阿嬌", "阿雄", "小芳", "阿輝", "阿忠", "小玲"]
    kin = ["的太太來電", "的媽媽表示", "的女兒陪同", "的先生說"]
    assert not _left([n + k for n in nicks for k in kin], [n for n in nicks for _ in kin])
    assert _changed(["阿姨的太太", "小孩的媽媽", "小兒的家屬", "阿公的女兒", "小時的先生"]) == []


@pytest.mark.parametrize("kin", ["阿公", "阿嬤", "阿伯", "案母", "爸爸", "老伴"])
def test_a_kinship_words_humble_name_that_speaks(kin):
    humble = ["石頭", "鐵牛", "土豆", "番薯", "黑狗", "水牛"]
    texts = [f"{kin}{h}{act}" for h in humble for act in ("說要回家。", "表示要出院", "拒絕抽血")]
    assert not _left(texts, [h for h in humble for _ in range(3)])


POJ = ["A-bîng", "A-hiông", "A-kiau", "Sió-bí", "A-tsuí", "Á-hok", "Ah-sing"]


@pytest.mark.parametrize("frame", ["「{}」來探病", "“{}”說要回家", "{} 來電", "家屬 「{}」 也來了"])
def test_poj_nicknames(frame):
    assert not _left([frame.format(p) for p in POJ], POJ)


NICK_PROSE = ["A-fib 控制中", "A-line 拔除", "「A-line」已拔", "阿公說要回家", "阿嬤表示同意", "石頭很硬", "阿公石頭卡在輸尿管",
              "A-V fistula 通暢", "A-a gradient 增加"]


def test_things_shaped_like_nicknames_stay():
    assert _changed(NICK_PROSE) == []


def test_a_latin_name_with_a_word_for_given_name_or_a_new_act():
    names = ["May Cruz", "Joy Reyes", "Hope Santos", "Faith Garcia", "Grace Mendoza", "Joy Dela Cruz"]
    texts = [f"{n}{act}" for n in names for act in (" 表示同意", "說昨晚沒睡", " 照顧中", " 接聽")]
    texts += [f"{n} 接聽" for n in LATIN]
    assert not _left(texts, [n for n in names for _ in range(4)] + LATIN)
    assert _changed(["Grace period 已過", "May 15 回診", "Hope to improve", "Joy of living", "Panadol 照顧中無效"]) == []


@pytest.mark.parametrize("slot", ["家屬 {} 表示", "看護 {} 說", "由 {} 陪同", "請 {} 簽名", "案女 {} 來電"])
def test_one_word_given_name_between_a_person_word_and_an_act(slot):
    words = ["May", "Grace", "Hope", "Faith", "Joy", "Rose", "April"]
    assert not _left([slot.format(w) for w in words], words)
    assert _changed(["May 表示", "Grace period 表示", "由 May 開始", "今天 May 來院", "Hope 表示有希望"]) == []


def test_e_mail_with_blanks_around_the_at():
    users = ["meizhen.chen", "chienhung_lin92", "wuyating", "siti.n.lin"]
    texts = [f"聯絡 {u}{at}{d}" for u in users for at in (" @ ", " @", "@ ", " ＠ ")
             for d in ("gmail.com", "ms1.hinet.net", "yahoo.com.tw")]
    outs = scrub_texts(texts)
    assert all(u not in o for t, o in zip(texts, outs) for u in users if u in t), outs
    assert _changed(["meet @ 3pm", "BP @ rest 120/80", "每天 @ 08:00 服藥"]) == []


def test_the_name_an_e_mail_address_is_shown_under():
    names = HAN[:8] + LATIN[:6]
    texts = [f"{n} <user{i}@gmail.com>" for i, n in enumerate(names)] + [f'"{n}" <u{i}@ntuh.gov.tw>' for i, n in enumerate(names)]
    texts += [f"寄件者: {n} <u{i}@ms1.hinet.net> 主旨：回診" for i, n in enumerate(names)]
    assert not _left(texts, names * 3)
    assert not _left([f"收件人：{n}" for n in HAN], HAN)
    assert scrub_texts(["請寄到 <abc@gmail.com>"])[0] == "請寄到 <<EMAIL>>"


def test_older_over_masks_stay_unmasked():
    assert _changed(["祝金碧輝煌", "祝金碧輝煌。", "Plan: 王爺廟 today.", "王爺廟拜拜", "西門町逛街", "百里香", "司空見慣"]) == []
    # ... and a wish to a person still masks the person
    assert "王小明" not in scrub_texts(["祝王小明生日快樂"])[0]


RARE_AS_WORDS = ["病人練習走路很好", "練習走路", "復健：練習站立", "練功，練字", "鞏固期化療", "鞏固治療中", "仇視家人", "仇恨",
                 "雲林來的", "雲端資料", "白雲", "閻王", "冉冉上升", "病人今天練習 10 分鐘", "Plan: 練習深呼吸", "練英文",
                 "病人在家練英文。", "每天練書法", "鞏膜黃", "雲霧狀", "練成", "雲南白藥"]


def test_rare_surnames_that_are_words_stay_words():
    assert _changed(RARE_AS_WORDS) == []
    names = ["練美蘭", "閻文忠", "雲秀英", "練志強", "冉玉梅", "仇秀蘭"]
    texts = [f"{n}{act}" for n in names for act in ("來電", "表示同意", "，CHF", " M/78")]
    assert not _left(texts, [n for n in names for _ in range(4)])


def test_reads_as_name_in_a_slot():
    assert all(slot_names.reads_as_name(w) for w in ("练美兰", "阎文忠", "云秀英", "司马文", "雷又宁", "云一舟"))
    assert not any(slot_names.reads_as_name(w) for w in ("高中", "曾中风", "同住", "高一点", "安宁", "查房"))
