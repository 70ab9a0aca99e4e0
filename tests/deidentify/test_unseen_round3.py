"""D1, round 3: notes in kinds and shapes the earlier probes never wrote (tests/deidentify/eval_round3.py:
triage, pharmacy consults, home care, hospice, SOAP/SBAR hand-overs, English referral letters,
OCR'd faxes, family histories), scored through ``scrub_texts`` with the policy's cut-offs.

Before this round the same notes gave NAME 93.0 %, ID 77.8 %, PHONE 84.6 %, ADDRESS 42.9 %, RECORD 87.5 %,
ACCOUNT 33.3 %, AGE 68.8 %, SCHOOL 33.3 %, EMPLOYER 75.0 % and masked 4 ordinary phrases (see
docs/data-plane.md, "Round 3").  Every class must now reach 99 %, no ordinary phrase of the notes may
be touched, and the ordinary phrases that sit next to each new rule stay as they are.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval_round3 import CLASSES, TYPES, generate, kept_characters, measure


@pytest.fixture(scope="module")
def notes():
    return generate()


@pytest.fixture(scope="module")
def result(notes):
    return measure(notes)


def test_the_set_is_fixed_and_covers_every_class_and_kind(notes, result):
    assert 60 <= len(notes) <= 160
    assert {n.kind for n in notes} == set(TYPES)
    assert [n.text for n in generate()] == [n.text for n in notes]       # seeded: the same every run
    for cls in CLASSES:
        assert result.total[cls] >= 4, cls
    assert result.plain_total >= 100


@pytest.mark.parametrize("cls", CLASSES)
def test_recall_of_every_class(result, cls):
    assert result.recall(cls) >= 0.99, (result.table(), [m for m in result.misses if m[0] == cls])


def test_ordinary_phrases_of_the_notes_stay(result):
    assert not result.over, (result.table(), result.over)


def test_reading_a_scrubbed_text_back():
    # a letter of a placeholder never stands for a letter it replaced (N of <NAME>, Nguyen)
    src = "看護Nguyen Thi Lan來。F/92"
    kept = kept_characters(src, "看護<NAME>來。F/≥85")
    assert [src[i] for i in range(len(src)) if kept[i]] == list("看護來。F/")
    with pytest.raises(AssertionError):
        kept_characters(src, "something else")


# The ordinary phrases that stand next to each rule of this round: a hospital stay and walking
# (住院), a village that is no place name (乡下, 家里), generic schools and workplaces, a diagnosis
# where a header puts a name, a kin word before a disease, counts of digits, a URL's sentence.
ORDINARY = [
    "住院病人走路不穩。", "住在家裡走路困難。", "住在馬路邊。", "住山路旁。", "來自鄉下。", "病人來自越南。", "位於市區。",
    "住民活動。", "在學校上課。", "在大學就讀。", "在該大學念書。", "國中畢業。", "在台大醫院就醫。",
    "任職期間曾受傷。", "任職三十年。", "任職小吃店。", "任職台北某科技公司。",
    "Dx: Septic Shock, 70F.", "Heart Failure, 80M.", "Chest Pain, 62M.", "Follow Up, 62M.",
    "Dx: Sick Sinus Syndrome, 80M.", "Right Knee (62F).", "父 高血壓。", "母 糖尿病。", "父：不詳。",
    "手機有 3 位數。", "過敏：無\n抽菸：無", "病人 男 61歲。", "診斷 肺炎 女 61歲。", "F/U 2 wks.", "M/F ratio 1.2",
    "OD/OS 0.8/0.6", "家訪：鄰居周太太常幫忙。",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_phrases_beside_the_new_rules_stay(text):
    out = scrub_texts([text])[0]
    if text == "家訪：鄰居周太太常幫忙。":       # the neighbour's surname goes, her help stays
        assert out.endswith("太常幫忙。") and "周" not in out, out
    else:
        assert out == text


# One member of each class this round closed, alone in a short text (the prefilter must let it
# through as well as the finders find it).
ALONE = [
    ("病患姓名：童玉\n珍  性別：女", "童玉\n珍"), ("病 歷 號 碼 ： 0037558", "0037558"), ("或賴：hsu-family。", "hsu-family"),
    ("加LINE好友 ah.cai1950", "ah.cai1950"), ("F/92 admitted", "92"), ("個案住在自由街附近的巷子", "自由街"),
    ("病人來自蘭嶼鄉紅頭村，", "蘭嶼鄉紅頭村"), ("原住民名 Lawa，漢名 林美花", "Lawa"),
    ("S: Sakinu Yalonglong, 62M, cough", "Sakinu Yalonglong"), ("Tjuku Ruljeljeng（排灣族）", "Tjuku Ruljeljeng"),
    ("FAX TO: Syu Jia-hao", "Syu Jia-hao"), ("健保卡後四碼 2836", "2836"), ("手機後三碼 678", "678"),
    ("兒子是高醫醫學系學生", "高醫"), ("孩子在小太陽幼兒園。", "小太陽幼兒園"), ("案子在高雄醫學大學念書", "高雄醫學大學"),
    ("任職台積電新竹廠", "台積電"), ("個案出生於民國21年3月，", "民國21年3月"), ("粘耀宗 女 61歲", "粘耀宗"),
    ("陪同者：妻 粘耀宗 0912345678。", "粘耀宗"), ("家屬提供部落格 https://meiling.blogspot.com，內容為照護日記", "https://meiling.blogspot.com"),
]


@pytest.mark.parametrize("text,value", ALONE, ids=[v for _, v in ALONE])
def test_each_closed_class_alone(text, value):
    out = scrub_texts([text])[0]
    kept = kept_characters(text, out)
    a = text.index(value)
    assert not any(kept[i] for i in range(a, a + len(value)) if not text[i].isspace()), out
    if "內容為照護日記" in text:
        assert out.endswith("，內容為照護日記"), out       # the URL ends where the sentence goes on


# Found by the second pass over the generator (age and phone shorthand, names after English words)
MORE = [
    ("92-yo woman", "92"), ("92yr male", "92"), ("(92y) s/p fall", "92"), ("Age/Sex: 92/F", "92"),
    ("0912-xxx-678", "0912-xxx-678"), ("手機 0912345xxx", "0912345xxx"), ("電話 (02)2xxx-5678", "(02)2xxx-5678"),
    ("Pt 粘耀宗, 92F, s/p PCI.", "粘耀宗"), ("Informant: Siti Aminah, caregiver.", "Siti Aminah"),
    ("S: Lawa Kusing, 62M", "Lawa Kusing"), ("病人 阿美族 名字 Lisin", "Lisin"), ("撒奇萊雅族 Kawas Nakaw", "Kawas Nakaw"),
    ("泰籍 Somsak 陪同", "Somsak"), ("外號黑輪", "黑輪"), ("長孫吳柏翰就讀台大", "台大"), ("考上成大", "成大"),
    ("看護工 Ani（印尼）手機 0978-111-222", "Ani"), ("村長 Umin 協助", "Umin"), ("病人的LINE暱稱是「小美愛貓」", "小美愛貓"),
    ("工作地點：新竹科學園區台積電十二廠", "台積電"), ("菲律賓籍看護 Joy", "Joy"), ("外佣 Hope 今天請假", "Hope"),
    ("病人之妻 Sri Rahayu 陪同", "Sri Rahayu"), ("身份證號碼最後四位是 4321", "4321"),
    ("病歷號碼\n1234567", "1234567"), ("MRN:\nA1120345 admitted", "A1120345"),
]
MORE_ORDINARY = ["smoking 40 yrs", "BP 92/60", "lot 0x12345678", "order 09xx", "Pt 病人, 62M", "Pt 意識清楚, 62M",
                 "Dx: Bleeding Ulcer, 70F", "pt 男性, 62y", "1992年", "個案為阿美族人", "案主 泰雅族", "國籍 Taiwan",
                 "戶籍 Taipei", "族群 Hakka", "名字叫不出來", "在台大醫院就醫", "長庚醫院", "念書", "看護工協助翻身",
                 "工作地點：工廠", "工作地點：家裡附近", "病歷\n2023-01-05 門診"]


@pytest.mark.parametrize("text,value", MORE, ids=[v for _, v in MORE])
def test_more_closed_members_alone(text, value):
    test_each_closed_class_alone(text, value)


@pytest.mark.parametrize("text", MORE_ORDINARY)
def test_more_ordinary_phrases_stay(text):
    assert scrub_texts([text])[0] == text


def test_a_country_in_brackets_is_no_other_name():
    out = scrub_texts(["看護 Ani（印尼）手機", "外籍看護阮氏蘭（越南）"])
    assert out == ["看護 <NAME>（印尼）手機", "外籍看護<NAME>（越南）"], out
