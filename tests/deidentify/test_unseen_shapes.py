"""D1: identifier shapes from notes no finder was written against (the outside probe's classes): an
identifier wrapped over a line break, addresses printed in capitals, dates with English ordinals,
professional licence numbers (X字第…號), bed/specimen/pathology/admission numbers and the
institution's code, LINE accounts written 賴, Wade-Giles names with apostrophes.  Each class is
tried with many members, and ordinary clinical text of the same look must stay untouched."""
from __future__ import annotations

import itertools

import pytest

from deidentify.text.scrub import find_identifiers


def covered(text: str, value: str) -> bool:
    """Every non-blank character of ``value`` (inside ``text``) lies in some finding."""
    hits = [(h.start, h.end) for h in find_identifiers(text)]
    a = text.index(value)
    return all(any(s <= i < e for s, e in hits) for i in range(a, a + len(value)) if not text[i].isspace())


def _wrapped(value: str) -> list[str]:
    """``value`` broken over a line at every inner position, with the blanks a form leaves."""
    out = []
    for i in range(2, len(value) - 1):
        for brk in ("\n", " \n", "\r\n", "\n  "):
            out.append(value[:i] + brk + value[i:])
    return out


WRAPPED = ([("電話 {} 請回電", v) for v in _wrapped("0912-345-678")[::3]]
           + [("身分證字號：{}。", v) for v in _wrapped("A123456789")[::3]]
           + [("Tel: {} (home)", v) for v in _wrapped("02-2345-6789")[::4]]
           + [("病歷號 {} 入院", v) for v in _wrapped("MR-20230451")[::4]])


@pytest.mark.parametrize("template,value", WRAPPED)
def test_an_identifier_wrapped_over_a_line_is_found_whole(template, value):
    assert covered(template.format(value), value)


CAPS_ADDRESSES = [
    "NO. 7, SEC. 1, ZHONGSHAN S. RD., ZHONGZHENG DIST., TAIPEI CITY",
    "NO. 12, LANE 35, MINSHENG RD., BANQIAO DIST., NEW TAIPEI CITY",
    "5F., NO. 88, ZHONGHUA RD., EAST DIST., HSINCHU CITY",
    "NO. 3, ALLEY 2, LANE 10, SEC. 2, HEPING E. RD., DA'AN DIST., TAIPEI CITY",
    "NO. 101, SANMIN RD., SANMIN DIST., KAOHSIUNG CITY",
    "NO. 9, GUANGFU N. RD., SONGSHAN DIST., TAIPEI CITY",
]


@pytest.mark.parametrize("address", CAPS_ADDRESSES)
@pytest.mark.parametrize("template", ["ADDRESS: {}", "Home address {} (per registration)", "住址 {}"])
def test_an_address_printed_in_capitals_is_found(template, address):
    text = template.format(address)
    hits = [text[h.start:h.end] for h in find_identifiers(text)]
    road = next(p.strip() for p in address.split(",") if "RD." in p)
    assert covered(text, road), hits


@pytest.mark.parametrize("address", ["No. 5, Zhongshan S.Rd., Taipei City", "No. 8, Heping E.Rd., Da'an Dist."])
def test_a_direction_touching_the_road_word_is_still_an_address(address):
    assert covered(f"lives at {address} with her son", address.split(",")[1].strip())


ORDINAL_DATES = [f"{mon} {day}{suf}, {year}" for (mon, (day, suf), year) in itertools.islice(itertools.product(
    ["Jan", "March", "Sept", "Dec"], [(1, "st"), (2, "nd"), (3, "rd"), (4, "th"), (21, "st"), (30, "th")], [1948, 1979]),
    0, None, 2)] + [f"the {d} of {m} {y}" for d, m, y in [("21st", "May", 1948), ("3rd", "October", 1960),
                                                        ("12th", "Feb", 2001), ("1st", "June", 1937)]]


@pytest.mark.parametrize("date", ORDINAL_DATES)
@pytest.mark.parametrize("template", ["DOB: {}", "born on {} in Tainan", "Date of birth {}."])
def test_a_date_of_birth_with_an_english_ordinal_is_found(template, date):
    assert covered(template.format(date), date.removeprefix("the "))


LICENCES = [(prof, num) for prof in ("醫", "藥", "護", "牙醫", "中醫", "醫檢", "物治", "(北市)醫")
            for num in ("012345", "034567", "A10234")]


@pytest.mark.parametrize("prof,num", LICENCES)
def test_a_professional_licence_number_is_found(prof, num):
    for text in (f"主治醫師 {prof}字第{num}號", f"證書：{prof}字第 {num} 號，執業中"):
        assert covered(text, num), text


PLACE_NUMBERS = [
    ("床號 {}", "12B"), ("床位：{}", "7-15"), ("病床 {} 號", "A305"), ("Bed no. {}", "12B"), ("bed #{}", "305-2"),
    ("標本號 {}", "S23-004512"), ("標本編號：{}", "BX112-0091"), ("檢體條碼 {}", "88123004571"),
    ("檢驗單號 {}", "L2023110045"), ("病理號 {}", "P112-00345"), ("切片號 {}", "S-23-1187"),
    ("Specimen ID: {}", "SP-2023-88812"), ("specimen no. {}", "CY23-4471"), ("Lab No. {}", "LB556021"),
    ("Pathology #: {}", "PA-22-10931"), ("Admission no. {}", "11200345"), ("Encounter ID {}", "E0098123"),
    ("Visit number: {}", "V20231104-07"), ("醫事機構代碼 {}", "1101020018"), ("院所代號：{}", "0401180014"),
]


@pytest.mark.parametrize("template,value", PLACE_NUMBERS)
def test_bed_specimen_and_institution_numbers_are_found(template, value):
    assert covered(f"記錄：{template.format(value)}，完成。", value)


ACCOUNTS = [("賴ID: {}", "wang.ming88"), ("賴 帳號 {}", "chen_0930"), ("LINE ID: {}", "@wangming"),
            ("line id：{}", "@lin.yu_2"), ("賴ID：{}", "@mei-hua")]


@pytest.mark.parametrize("template,value", ACCOUNTS)
def test_a_messenger_account_is_found(template, value):
    assert covered(f"家屬聯絡 {template.format(value)} 晚上可", value)


WADE_GILES = ["Ch'en Wei-t'ing", "Ts'ai Ch'ing-hung", "Chang Ch'iu-yueh", "Hsu T'ing-yu", "Ch'iu Chih-ming",
              "Wei-t'ing Ch'en", "K'ang Shu-fen"]


@pytest.mark.parametrize("name", WADE_GILES)
def test_a_wade_giles_name_with_apostrophes_is_found(name):
    assert covered(f"Pt {name} seen today, stable.", name)


ORDINARY = ["Lab results: Hb 12.3, WBC 8.2\nPLT 250\n", "檢驗結果\n3\n4\n5\n", "Visit 2 of 3 completed.",
            "bed rest for 3 days", "The specimen was adequate.", "Path report pending",
            "ADMISSION DIAGNOSIS: PNEUMONIA\nPLAN: ANTIBIOTICS", "Dose 5 mg\n10 mg\n", "BP 120/80\nHR 72\n",
            "第3次 化療", "on the 3rd day of admission", "May 2023 follow-up", "Pre-op check done",
            "ECOG 1\nKPS 80", "CT-\nscan showed nodule", "ICD-10 J18.9\nE11.9", "Lane change",
            "CITY HOSPITAL ROAD TRIP", "the 2nd cycle of chemotherapy", "賴床 情形改善"]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_clinical_text_of_the_same_look_is_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


BRACKETED_NAMES = ["個案阿嬤(林王秀琴)今日返診", "個案(林王秀琴)今日返診", "病人（歐陽美惠）主訴頭暈",
                   "案母（陳美玲）陪同", "家屬(張簡志明)代為說明", "聯絡人（黃淑芬）表示"]


@pytest.mark.parametrize("text", BRACKETED_NAMES)
def test_a_name_in_brackets_after_a_context_word_is_found(text):
    name = text[text.index("(") + 1 if "(" in text else text.index("（") + 1:]
    name = name[:name.index(")") if ")" in name else name.index("）")]
    assert covered(text, name)


LABEL_WORDS_BETWEEN = [("以LINE聯絡：{}", "@linfamily88"), ("家屬要求以LINE聯絡 {}", "@linfamily88"),
                       ("IG {} 有照片", "@chen.yu_22"), ("微信聯繫方式：{}", "wx_chen1988"),
                       ("FB私訊：{}", "mei.lin.77"), ("可傳訊息到 {}", "@wang_1990"),
                       ("檢查號 {}", "RA2023110700123"), ("影像號碼: {}", "RA2023110700123"),
                       ("檢查單號：{}", "EX-112-55012"), ("報告號 {}", "R-112-0045"),
                       ("身分證統號 {}", "L2O1234567"), ("身分證統號：{}", "A12345678O")]


@pytest.mark.parametrize("template,value", LABEL_WORDS_BETWEEN)
def test_accounts_exam_numbers_and_mistyped_ids_after_their_labels_are_found(template, value):
    assert covered(template.format(value), value)


@pytest.mark.parametrize("text", ["q8h @ 10am", "checked @bedside", "reach her @home after 5pm",
                                  "病人(左側)疼痛", "病人（高血壓）控制尚可", "家屬（兒子）陪同"])
def test_at_signs_and_brackets_in_ordinary_text_are_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


INITIALLED = [("Technologist: {}.", "Chen YH"), ("signed {} 2023/1/2", "Lin C.W."), ("{} reviewed", "Y.H. Chen"),
              ("{} MD", "C.-W. Lin"), ("per {}", "Wang Y-L"), ("Dr. {}", "Wu KH"), ("read by {}", "Huang TY"),
              ("Pt: {}", "Lee SM"), ("cc: {}, Dr. Lin", "Tsai M.H.")]


@pytest.mark.parametrize("template,value", INITIALLED)
def test_a_surname_with_initials_is_found(template, value):
    assert covered(template.format(value), value)


RELATION_ABBREVIATIONS = [("pt lives w/ dtr {}.", "Amy"), ("hsb {} at bedside", "Tom"), ("sis {} called", "Jenny"),
                          ("bro {} will visit", "Kevin"), ("dau {} signed consent", "Irene")]


@pytest.mark.parametrize("template,value", RELATION_ABBREVIATIONS)
def test_a_first_name_after_an_abbreviated_relation_is_found(template, value):
    assert covered(template.format(value), value)


SCHOOLS = [("案孫鄭宇翔就讀{}。", "大同國小三年二班"), ("個案為{}學生", "民生國小5年3班"), ("就讀{}，成績中等", "台北市立中山國中"),
           ("孩子念{}大班", "幸福幼兒園"), ("目前就讀於{}", "建國高中"), ("{}的導師來電", "仁愛國中二年忠班")]


@pytest.mark.parametrize("template,value", SCHOOLS)
def test_a_childs_school_and_class_are_found(template, value):
    assert covered(template.format(value), value)


RECORD_LABELS = [("Incident report #{} filed", "IR-2023-0914-07"), ("Order no. {}", "ORD-88123"),
                 ("Exam #: {}", "EX2023-0091"), ("Request #: {}", "RQ-2023-7781"), ("Event report {}", "EV-112-0031")]


@pytest.mark.parametrize("template,value", RECORD_LABELS)
def test_report_order_and_exam_numbers_are_found(template, value):
    assert covered(template.format(value), value)


@pytest.mark.parametrize("text", ["Lin CT showed nodule", "Ho DM control poor", "Chest CT: Lin CT", "U.S. Army",
                                  "國小畢業，務農", "教育程度：高中", "大學畢業後從事資訊業", "他念書念到大學",
                                  "讀大學時發病", "report no significant change", "the report: no acute findings",
                                  "Event report filed", "Request no. 5", "sis and bro are well"])
def test_scans_schooling_and_report_words_in_ordinary_text_are_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


def scrubbed(text: str, value: str) -> bool:
    """The column path (scrub_texts, with its prefilter) masks ``value`` too."""
    from deidentify.text.scrub import scrub_texts
    return value not in scrub_texts([text])[0]


THIRD_PROBE = [
    ("My mom {}'s ID is on file", "Lin Mei-Yun"), ("{}’s chart reviewed", "Chang Shu-Fen"),
    ("處方醫師：內科 {} ；", "游士賢"), ("會診 心臟內科　{}", "陳建志"), ("眼科 {} 醫師", "王小明"),
    ("住在「{}」", "竹北市光明六路東一段 9 號"), ("地址：{}", "台中市西屯區台灣大道三段 99 號"),
    ("this is {} (patient's daughter).", "Grace"), ("{} (son) called", "Tom"),
    ("{} (daughter of patient) signed", "Amy Chen"), ("Discussed with {} (wife)", "May"),
    ("phlebotomist {}.", "Ong B"), ("drawn by {}.", "Ong B"), ("dietitian {} visited", "Karen Wu"),
    ("原住民族名 {} 為其姪子", "Kuliw Tali"), ("族名 {}", "Sayun Temu"),
]


@pytest.mark.parametrize("template,value", THIRD_PROBE)
def test_third_probe_shapes_are_found_on_both_paths(template, value):
    text = template.format(value)
    assert covered(text, value) and scrubbed(text, value)


@pytest.mark.parametrize("text", ["Called (son) at 5pm", "Informed (daughter) of results", "My (son) is sick",
                                  "轉 胸腔內科 追蹤", "門診 家醫科 回診", "骨科 開刀 順利", "往東一段距離"])
def test_third_probe_ordinary_text_is_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


STRUCTURED = [
    # a table whose header names the column: the value whatever its shape (林大同 is also a place)
    ("姓名,身分證,電話\n陳小華,B123456780,0987654321\n林大同,C223344556,02-2345-6789", ["林大同", "陳小華", "C223344556"]),
    ("Name,Age,Sex\n林大同,72,M\n王小明,65,F", ["林大同", "王小明"]),
    ("| Name | DOB | Dx |\n|---|---|---|\n| 林大同 | 1950-02-03 | DM |\n| 高山青 | 1948-11-30 | HTN |",
     ["林大同", "1950-02-03", "高山青", "1948-11-30"]),
    ("病人\t生日\t診斷\n何美麗\t1961/4/5\tCOPD", ["1961/4/5"]),
    ("姓名；出生日期；電話\n吳大海；60.03.02；2771-2171", ["吳大海", "60.03.02", "2771-2171"]),
    # records: JSON, dicts
    ('{"name": "黃志明", "idno": "E123456780", "birthday": "1970-01-15", "addr": "高雄市前鎮區中山二路2號"}',
     ["黃志明", "1970-01-15", "高雄市前鎮區中山二路2號"]),
    ("{'patient': '林大同', 'dob': '1950-02-03', 'phone': '2771 2171'}", ["林大同", "1950-02-03", "2771 2171"]),
    ("record = {姓名: '林大同', 生日: 1950/02/03}", ["林大同", "1950/02/03"]),
    ("DOB: 03/15/1988 | Sex: F", ["03/15/1988"]),
    # HL7 v2 segments
    ("PID|1||A123456789^^^NTUH^NI||WANG^HSIAO-MING^^^^^L||19650312|M|||No. 5 Heping E. Rd.^^Taipei^^106||(02)2736-1661",
     ["A123456789^^^NTUH^NI", "WANG^HSIAO-MING^^^^^L", "19650312", "No. 5 Heping E. Rd.^^Taipei^^106", "(02)2736-1661"]),
    ("MSH|^~\\&|HIS|NTUH\rPID|1||8812345||LIN^TA-TUNG||19500203|M\rNK1|1|LIN^MEI^^|DTR|||0911222333",
     ["8812345", "LIN^TA-TUNG", "19500203", "LIN^MEI^^", "0911222333"]),
]


@pytest.mark.parametrize("text,values", STRUCTURED)
def test_values_a_header_key_or_hl7_field_names_are_found_on_both_paths(text, values):
    for v in values:
        assert covered(text, v) and scrubbed(text, v), v


@pytest.mark.parametrize("text", [
    "Patient, a 72-year-old man,\nwas admitted, treated, and discharged.",
    "Patient: stable, afebrile", "Contact: phone the daughter tomorrow",
    "Plan: CBC, BMP, lytes\nfollow up, in 2 weeks, ok", "診斷 ICD-10: N39.0。現住院中",
    "Ceftriaxone 10 mg QD, Omeprazole 40 mg IV Q12H", "Age,Sex,Dx\n72,M,DM\n65,F,HTN"])
def test_prose_and_tables_without_identifier_columns_are_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


SPELT_OUT = [("家屬電話：{}", "零九一二三四五六七八"), ("手機{}", "〇九三三一二三四五六"), ("市話 {}", "〇二二七七一二一七一"),
             ("手機 {}", "0 9 1 2 3 4 5 6 7 8"), ("cell: {}", "09 12 34 56 78"),
             ("mail: {}", "chen.mh at gmail dot com"), ("email {}", "chen.mh(at)gmail.com"),
             ("email: {}", "chen.mh [at] gmail [dot] com"), ("信箱 {}", "meihua 小老鼠 yahoo.com.tw"),
             ("寫信到 {}", "wang at ntu.edu.tw"), ("e-mail {}", "lin_88 at hinet.net"),
             ("她叫{}，今年七十歲", "美華"), ("本名{}，藝名小鳳", "林秀鳳")]


@pytest.mark.parametrize("template,value", SPELT_OUT)
def test_numbers_and_addresses_spelt_out_are_found_on_both_paths(template, value):
    text = template.format(value)
    assert covered(text, value) and scrubbed(text, value)


@pytest.mark.parametrize("text", ["meet at home dot", "seen at clinic. Next at 3pm.com", "arrived at 7 dot 30",
                                  "一二三四五六七八九十", "零件〇〇一二三四五", "第一二三四五六七八期"])
def test_spelt_out_look_alikes_are_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []


SIXTH_PROBE = [("lives at {}", "no. 7, zhongshan s. rd., taipei"), ("addr {}", "no. 12, lane 35, minsheng rd., banqiao dist."),
               ("主治醫師：Dr. Huang ({})", "黃"), ("{} (陳) called", "Chen"), ("Lin Mei-hua（{}）", "林美華"),
               ("Dr. Wang ({}) on call", "王"), ("住院中由{}姓看護照顧", "陳"), ("一名{}姓男子", "王"),
               ("由{}姓家屬陪同", "歐陽")]


@pytest.mark.parametrize("template,value", SIXTH_PROBE)
def test_sixth_probe_shapes_are_found_on_both_paths(template, value):
    text = template.format(value)
    assert covered(text, value) and scrubbed(text, value)


@pytest.mark.parametrize("text", ["take the road to recovery", "st. john's wort 300 mg", "ave 3 readings",
                                  "lane 5 of the pool", "follow up in 2 weeks, sec. 3 of the form", "left (左)",
                                  "high (高) risk", "CT (胸部)", "同姓", "百家姓"])
def test_sixth_probe_look_alikes_are_left(text):
    assert [text[h.start:h.end] for h in find_identifiers(text)] == []
