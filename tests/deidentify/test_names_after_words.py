"""Names an outside attacker's notes slipped past the scrubber (D1), as generated classes:
1. an ordinary word or role, then a surname and a title or kin word (主管張經理, 病房林護理長說),
   and surname nicknames inside a sentence (隔壁老王來探望);
2. a name told in parts (病人名 明華，姓 劉; 名字叫志明，姓林);
3. a practice named after its doctor (謝內科診所, 陳小兒科, 張牙醫診所).
Each class is tried with many members built from word lists (fixed, so every xdist worker
collects the same tests), and ordinary sentences of the same shapes must come back unchanged."""
from __future__ import annotations

import itertools
import re

import pytest

from deidentify.text import scrub_texts

SURNAMES = list("陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐蘇莊呂江何蕭羅高潘簡朱鍾彭詹胡施沈盧梁趙顏柯翁魏孫戴范宋鄧杜"
                "傅侯溫薛丁馬蔣唐卓藍馮姚石董紀歐程連古汪湯姜田康鄒白涂尤巫韓龔嚴袁") + ["歐陽", "司馬", "上官", "張簡", "范姜"]
BEFORE = ["主管", "病房", "隔壁", "樓下", "公司", "學校", "對面", "診所", "部門", "業務部", "社區", "教會", "里辦公室",
          "藥局", "工廠", "補習班", "安親班", "村裡", "大樓", "店裡", "我們", "他們", "鄉公所", "幼兒園", "老家", "好友",
          "上司", "客戶", "管理員", "請教", "拜託", "打給", "遇到", "聯絡了", "病友", "對方", "長官", "樓上", "廠商", "車行"]
TITLES = ["經理", "主任", "老師", "先生", "太太", "小姐", "阿姨", "伯伯", "醫師", "護理師", "組長", "課長", "董事長",
          "里長", "護理長", "叔叔", "奶奶", "爺爺", "媽媽", "校長", "院長", "老闆", "師傅", "社工師", "藥師", "教授", "律師",
          "主管", "總監", "會長", "社長", "執行長", "股長", "主委", "秘書", "特助"]
AFTER = ["今天來電", "說", "表示病人穩定", "送來水果", "陪同就醫", "。", "提醒按時服藥", "也來了"]


def _missed(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = scrub_texts([t for t, _ in cases])
    return [(t, o) for (t, secret), o in zip(cases, out) if secret in o or "<NAME>" not in o]


def _title_cases(title: str) -> list[tuple[str, str]]:
    k = TITLES.index(title)
    return [(f"{w}{SURNAMES[(i * 7 + k) % len(SURNAMES)]}{title}{AFTER[(i + k) % len(AFTER)]}",
             SURNAMES[(i * 7 + k) % len(SURNAMES)]) for i, w in enumerate(BEFORE)]


@pytest.mark.parametrize("title", TITLES)
def test_surname_and_title_after_an_ordinary_word(title):
    cases = _title_cases(title)
    missed = _missed(cases)
    # (a few readings are truly two-way: 樓下|游校長 or 樓|下游…, 班上|周課長 or 班|上周…)
    assert len(missed) <= 1, missed


def test_surname_title_class_overall():
    cases = [c for t in TITLES for c in _title_cases(t)]
    assert len(cases) == len(TITLES) * len(BEFORE)
    assert len(_missed(cases)) <= 0.01 * len(cases), _missed(cases)[:20]


NICK_BEFORE = ["隔壁", "同事", "鄰居", "請", "找", "和", "主管", "樓下", "工地", "公司的", "，", "朋友", "今天", "病友"]
NICK_AFTER = ["來探望", "說", "今天來電", "陪同就醫", "帶來水果", "幫忙推輪椅", "。", "也來了"]


@pytest.mark.parametrize("prefix", ["老", "小", "阿"])
def test_surname_nicknames_inside_a_sentence(prefix):
    names = [s for s in SURNAMES if len(s) == 1 and prefix + s not in ("小黃", "小白", "小石", "小康", "小丁", "小田",
                                                                          "老石", "老古", "小許", "小方")]
    cases = [(f"{w}{prefix}{s}{NICK_AFTER[i % len(NICK_AFTER)]}", prefix + s)
             for i, (w, s) in enumerate(zip(itertools.cycle(NICK_BEFORE), names))]
    assert len(cases) >= 60
    missed = _missed(cases)
    assert len(missed) <= 0.02 * len(cases), missed


@pytest.mark.parametrize("rank", ["董", "總"])
def test_surname_with_a_one_character_rank(rank):
    cases = [(f"{w}{s}{rank}{AFTER[i % len(AFTER)]}", s)
             for i, (w, s) in enumerate(zip(itertools.cycle(["請", "和", "，", "公司的", "向", "主管", "跟"]),
                                            [x for x in SURNAMES if len(x) == 1 and x != "古"]))]
    missed = _missed(cases)
    assert len(missed) <= 0.03 * len(cases), missed


GIVEN = ["明華", "志明", "佳穎", "淑芬", "家豪", "怡君", "冠宇", "雅婷", "俊傑", "美玲", "宗翰", "詩涵", "承恩", "偉",
         "傑", "芳", "婷", "宏", "欣怡", "柏宇", "建國", "志強"]
SPLIT_FRAMES = [
    "病人名 {g}，姓 {s}。", "姓{s}，名{g}。", "名字叫{g}，姓{s}。", "案主姓{s}，名字是{g}，今日來院。",
    "其女兒姓{s}名叫{g}。", "聯絡人姓 {s}，名 {g}", "他說他姓{s}，名字叫做{g}。", "患者名{g}，姓氏：{s}",
    "個案名為{g}，姓{s}", "兒子名 {g}，姓{s}的", "姓：{s}　名：{g}", "名：{g}　姓：{s}", "病人的名是{g}，姓是{s}",
    "先生姓{s}，名字叫{g}。", "first name {g}, last name {s}", "Surname: {s}, Given name: {g}",
]


@pytest.mark.parametrize("frame", SPLIT_FRAMES)
def test_name_told_in_parts(frame):
    cases = []
    for i, g in enumerate(GIVEN):
        s = SURNAMES[(i * 5 + SPLIT_FRAMES.index(frame)) % len(SURNAMES)]
        cases.append(frame.format(s=s, g=g))
    out = scrub_texts(cases)
    for i, (t, o) in enumerate(zip(cases, out)):
        s = SURNAMES[(i * 5 + SPLIT_FRAMES.index(frame)) % len(SURNAMES)]
        assert GIVEN[i] not in o, (t, o)
        assert not re.search("(?:姓氏?|name)[ :：是]*" + s, o), (t, o)       # the surname told alone is gone too


@pytest.mark.parametrize("text, secret", [
    ("林姓男子今天來院", "林"), ("由陳姓家屬陪同", "陳"), ("其女兒名叫佳穎", "佳穎"), ("他姓歐陽，單名一個菲", "菲"),
    ("小女兒名字是小涵", "小涵"), ("病人自稱姓 劉", "劉"),
])
def test_told_in_parts_single_cases(text, secret):
    out = scrub_texts([text])[0]
    assert secret not in out, out


SPECIALTIES = ["內科", "外科", "小兒科", "兒科", "耳鼻喉科", "婦產科", "婦科", "眼科", "皮膚科", "牙科", "牙醫", "骨科",
               "泌尿科", "家醫科", "復健科", "身心科", "精神科", "中醫", "胃腸科", "內兒科", "小兒專科", "內外科", "婦幼",
               "綜合"]
PRACTICES = ["診所", "聯合診所", "醫院", "", "診所"]
CLINIC_FRAMES = ["曾於{c}就診", "轉介至{c}，", "在附近的{c}拿藥", "{c}轉來", "先到{c}看過。", "去{c}開藥"]


@pytest.mark.parametrize("specialty", SPECIALTIES)
def test_practice_named_after_its_doctor(specialty):
    cases = []
    for i, s in enumerate(SURNAMES[:40]):
        practice = PRACTICES[i % len(PRACTICES)] or ("" if specialty not in ("中醫", "婦幼", "綜合") else "診所")
        clinic = f"{s}{specialty}{practice}"
        cases.append((CLINIC_FRAMES[i % len(CLINIC_FRAMES)].format(c=clinic), s + specialty))
    missed = _missed(cases)
    assert len(missed) <= 1, missed


@pytest.mark.parametrize("text", [
    "王建文內科診所", "林宗翰小兒科診所", "歐陽明眼科診所", "陳志宏耳鼻喉科",
])
def test_practice_with_the_doctors_full_name(text):
    out = scrub_texts([text])[0]
    assert out.startswith("<NAME>") and text[1] not in out, out


# Sentences of the same shapes with no name in them: nothing is masked.
ORDINARY = [
    "主任醫師查房", "經理", "病房護理長說病人穩定", "急診病房主任查房", "國文老師說他上課專心", "開刀房護理長協助",
    "班上同學來探望", "補習班老師來電", "公司經理來電關心", "加護病房主任說明病情", "學校老師表示孩子適應良好",
    "院方主任出面說明", "病房主任查房", "藥房藥師說明用法", "醫院院長致意", "社區里長來訪", "工廠廠長來電",
    "上週主任查房時說明", "隔壁床阿姨很熱心", "樓下管理員幫忙叫車", "主管說明工作調整", "同病房伯伯咳嗽",
    "病人的主治醫師今天休假", "由值班醫師處理", "請主任醫師會診", "護理長巡房", "教會牧師來探視", "鄰長來訪",
    "老師說要多休息", "老人家行動不便", "小朋友發燒", "老毛病又犯了", "小王子是他喜歡的書", "小黃瓜切片",
    "老闆很照顧他", "病人自述工作是經理", "職業：護理師", "傷口有小孔滲液", "乳房小葉增生",
    "數值小於5", "從小就怕打針", "老房子漏水", "數值小於參考值", "小叶增生",
    # bare specialties are clinical text
    "轉介至內科門診", "眼科門診追蹤", "心臟內科主任查房", "家醫科醫師開藥", "復健科治療師評估", "婦產科醫師診視",
    "兒童牙科", "心臟血管外科", "綜合醫院", "婦幼醫院", "病人綜合評估", "乳房外科門診", "新陳代謝科", "台中醫院", "國中醫務室", "曾至小兒科急診",
    "至骨科門診", "會診皮膚科", "胸腔內科", "一般外科", "神經內科", "兒童精神科", "整形外科", "大腸直腸外科",
    # 姓 and 名 in ordinary use
    "姓名欄空白", "病人姓名不詳", "姓名：（未填）", "報名了復健課程", "一名男性", "排名第一", "簽名確認",
    "老百姓的生活", "名單已更新", "病人名下無財產", "知名度高",
    # roles before a title
    "牙醫師", "中醫師", "獸醫師", "國文老師", "英文老師說", "體育老師", "家庭醫師", "居家護理師", "產房護理師", "藥局藥師",
    "臨床藥師", "副院長", "高中校長", "部門經理", "銀行經理", "專案經理", "教務主任", "護理部主任", "醫務主任",
    "公司董事長", "門市店長", "清潔阿姨", "打掃阿姨", "警衛伯伯", "計程車司機", "大樓管理員", "急診室主任說明",
    "門診護理師衛教", "下午護理師量血壓", "護理師量體溫", "護理師衛教飲食",
    # ranks in ordinary use
    "主管說明工作調整", "單位主管來電", "向主管報告", "主管機關", "秘書處", "秘書長表示", "古董收藏", "匯總報告",
    "總是咳嗽", "總膽固醇偏高", "血清總蛋白", "董事會決議",
]


def test_ordinary_sentences_are_left_alone():
    out = scrub_texts(ORDINARY)
    changed = [(t, o) for t, o in zip(ORDINARY, out) if t != o]
    assert not changed, changed
