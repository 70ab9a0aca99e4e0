"""D1 free text: names a fresh probe of nursing, social-work and telephone notes found left
whole (tests/deidentify/eval/styles.py), as generated classes with ordinary sentences of the
same shapes that must come back unchanged:
1. a relative, then 是/叫/名叫 and the name (病人的孫女是岳慧，太太叫卞菁);
2. a call the note records (致電謝逸如，打給葉忠，電話聯繫何義);
3. 據 before a name and title (據郭校長說明), temple or volunteer titles (翁坤貴師兄, 林師姐);
4. rare surnames that are also verbs after a relation (兒子談娟哲, 母親畢松鴻, 案女蓋春蘭), and
   a rare surname with a title after a place word (樓下蓋先生);
5. Traditional 姪子/姪女, which normalisation keeps, introduce a name as 侄子 does.
"""
from __future__ import annotations

import pytest

from deidentify.text import scrub_texts

NAMES = ["岳慧", "卞菁", "謝逸如", "葉忠", "何義", "談娟哲", "畢松鴻", "蓋春蘭", "竇瑩琴", "樊正宥", "曾許月智",
         "敖陳雪佳", "閻邱子淑", "鄔游蓁仲", "封恩玲", "荊順", "廉雄緯", "鞠美", "林宋剛瑋", "仇思慧"]
RELATIONS = ["孫女", "太太", "女兒", "兒子", "先生", "媳婦", "孫子", "大女兒", "外甥", "看護", "鄰居", "姪子"]
TOLD = ["是", "叫", "名叫"]
CALLS = ["致電", "打給", "電話聯繫", "電話聯絡", "電聯"]
AFTER = ["，已告知回診。", "，", "，說明檢查結果。", "。"]


def _check(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = scrub_texts([t for t, _ in cases])
    return [(t, o) for (t, n), o in zip(cases, out) if n in o or "<NAME>" not in o]


@pytest.mark.parametrize("relation", RELATIONS, ids=[f"rel{i}" for i in range(len(RELATIONS))])
def test_a_relative_told_by_name(relation):
    k = RELATIONS.index(relation)
    cases = [(f"病人的{relation}{TOLD[(j + k) % 3]}{n}{AFTER[(j + k) % len(AFTER)]}", n) for j, n in enumerate(NAMES)]
    missed = _check(cases)
    assert len(missed) <= 1, missed


@pytest.mark.parametrize("call", CALLS, ids=[f"call{i}" for i in range(len(CALLS))])
def test_a_person_called(call):
    k = CALLS.index(call)
    cases = [(f"{call}{n}{AFTER[(j + k) % len(AFTER)]}", n) for j, n in enumerate(NAMES)]
    missed = _check(cases)
    assert len(missed) <= 1, missed


SURNAMES = list("郭鄭陳林黃張李王吳劉蔡楊許謝洪邱曾廖賴徐")
TITLES = ["校長", "組長", "師兄", "師姐", "經理", "阿伯", "老師"]


@pytest.mark.parametrize("lead", ["據", "經", "請", "樓下", "隔壁"], ids=["ju", "jing", "qing", "downstairs", "nextdoor"])
def test_surname_and_title_after_a_lead_word(lead):
    cases = [(f"{lead}{s}{TITLES[j % len(TITLES)]}說明。", s) for j, s in enumerate(SURNAMES)]
    out = scrub_texts([t for t, _ in cases])
    missed = [(t, o) for (t, s), o in zip(cases, out) if not o.startswith(lead + "<NAME>")]
    assert len(missed) <= 1, missed


@pytest.mark.parametrize("text,name", [
    ("由兒子談娟哲來訪。", "談娟哲"), ("由母親畢松鴻簽署同意書。", "畢松鴻"), ("今日案女蓋春蘭簽署同意書。", "蓋春蘭"),
    ("今日姪子竇瑩琴陪同。", "竇瑩琴"), ("姪子樊正宥代領藥。", "樊正宥"), ("樓下蓋先生來訪。", "蓋"),
    ("經翁坤貴師兄來電。", "翁坤貴"), ("隔壁竇醫師協助。", "竇"), ("姪女應美玲陪同", "應美玲"),
], ids=[f"rare{i}" for i in range(9)])
def test_rare_surnames_that_are_also_words(text, name):
    out = scrub_texts([text])[0]
    assert name not in out and "<NAME>" in out, out


ORDINARY = ["致電關心病人狀況", "打給家屬說明", "電話聯繫家屬", "電聯個管師", "電話聯絡社工", "致電確認回診時間",
            "太太是家管", "女兒是護理師", "兒子是工程師", "先生是退休教師", "孫女是大學生", "女兒叫救護車",
            "兒子是獨子", "太太是外籍配偶", "看護是印尼籍", "鄰居是好心人", "隔壁床阿姨很熱心",
            "據家屬表示", "據病人說", "據護理師觀察", "經醫師評估", "樓下大廳等候", "姪子來訪", "姪女陪同",
            "病人的兒子叫他爸爸", "女兒叫她多休息", "太太叫他戒菸"]


def test_ordinary_sentences_of_the_same_shapes_unchanged():
    out = scrub_texts(ORDINARY)
    assert [(t, o) for t, o in zip(ORDINARY, out) if t != o] == []


ROMAN = ["Wu", "Tsai", "Chou", "Chu", "Yeh", "Kao", "Lee", "Liu", "Cheng", "Tseng", "Chuang", "Pan", "Hu", "Yang"]


@pytest.mark.parametrize("k", range(7), ids=[f"dear{i}" for i in range(7)])
def test_letters_greeting_several_doctors(k):
    """"Dear Dr. Wu, Dear Dr. Tsai,": the second greeting was read as the first name's given
    name (Wu, Dear) and its surname left."""
    a, b = ROMAN[2 * k], ROMAN[2 * k + 1]
    text = f"Dear Dr. {a}, Dear Dr. {b}, 轉介病人一名。"
    out = scrub_texts([text])[0]
    assert out == "Dear Dr. <NAME>, Dear Dr. <NAME>, 轉介病人一名。", out


GIVEN_HE = ["玲和", "朝和", "家和", "佳和", "真和", "芬和", "義和", "平和"]
AFTER_HE = ["來訪", "解釋病情", "表示了解", "陪同", "醫師說明", "簽署同意書", "來電", "協助"]


@pytest.mark.parametrize("lead", ["今日鄰居", "社工", "由女兒", "個管師"], ids=["neighbour", "social", "daughter", "cm"])
def test_given_names_ending_in_he(lead):
    """和 ends many given names (盧玲和, 曾朝和): before a word that is no name it is the name's."""
    cases = [(f"{lead}{s}{g}{AFTER_HE[j]}", s + g) for j, (s, g) in enumerate(zip("盧曾方范劉蕭林陳", GIVEN_HE))]
    out = scrub_texts([t for t, _ in cases])
    missed = [(t, o) for (t, n), o in zip(cases, out) if n in o or n[-1] + AFTER_HE[0] in o or not o.startswith(lead + "<NAME>")
              or o[len(lead) + 6:len(lead) + 7] == "和"]
    assert not missed, missed


RARE_NAMES = ["藺瑄", "藺翰", "仇芳", "荊福", "鞠蓁庭", "廉政", "蓋玉", "封恩玲", "談毅", "竇霞"]


@pytest.mark.parametrize("frame", ["轉介至{n}醫師。", "會診{n}醫師說明。", "由先生{n}陪同。", "照會{n}醫師。"],
                         ids=["referred", "consult", "husband", "liaison"])
def test_rare_surnames_after_referral_and_husband(frame):
    """A rare surname after 轉介至/會診 before 醫師 (the cut of the run left 至 at its start), and
    after 由先生 ('accompanied by her husband')."""
    cases = [(frame.format(n=n), n) for n in RARE_NAMES]
    missed = _check(cases)
    assert len(missed) <= 1, missed


def test_referrals_and_husbands_without_names_unchanged():
    texts = ["轉介至復健科", "轉介至林口長庚", "會診感染科醫師", "轉介至心臟內科醫師", "由先生陪同", "由先生開車載來",
             "轉介至家醫科醫師", "會診精神科醫師評估"]
    assert scrub_texts(texts) == texts


@pytest.mark.parametrize("k", range(7), ids=[f"drpt{i}" for i in range(7)])
def test_a_doctor_then_a_patient_after_a_comma(k):
    """"Dr. Yeh, Pt Lin visited.": the context word inside the run (Pt, Dr) ends the first name
    and opens the next; both were left."""
    a, b = ROMAN[2 * k], ROMAN[2 * k + 1]
    text = f"Dear Dr. {a}, Pt {b} Mei-ling visited."
    out = scrub_texts([text])[0]
    assert out == "Dear Dr. <NAME>, Pt <NAME> visited.", out


@pytest.mark.parametrize("role,verb", [("社工", "聯繫家屬"), ("主治醫師", "解釋病情"), ("個管師", "評估"),
                                       ("護理師", "簽名"), ("社工師", "訪視"), ("值班醫師", "表示")],
                         ids=[f"staff{i}" for i in range(6)])
def test_staff_with_rare_surnames_before_what_they_do(role, verb):
    """社工畢瑩聯繫家屬, 主治醫師郎斌和解釋病情: a rare surname (a verb too, or unlisted) and a
    given name, then the staff member's act."""
    names = ["畢瑩", "郎斌和", "談芳", "封恩", "應美", "仇思慧", "蓋玉", "粘鈺"]
    cases = [(f"{role}{n}{verb}。", n) for n in names]
    missed = _check(cases)
    assert len(missed) <= 1, missed
    same = [f"{role}和家屬{verb}", f"{role}{verb}", f"{role}與病人{verb}"]
    assert scrub_texts(same) == same


RARE_SURNAMES = list("封仇蓋竇談畢鞠敖荊廉藺粘")


@pytest.mark.parametrize("place", ["班上", "樓下", "隔壁", "昨天", "村裡"], ids=[f"rareplace{i}" for i in range(5)])
def test_rare_surname_and_title_after_a_place_word(place):
    """班上封師姐, 班上仇藥師: rare surnames that jieba tags as nouns or measure words, after a
    place or time word and before a title."""
    titles = ["師姐", "藥師", "先生", "老師", "阿伯", "醫師"]
    cases = [(f"{place}{s}{titles[j % len(titles)]}說明。", s) for j, s in enumerate(RARE_SURNAMES)]
    out = scrub_texts([t for t, _ in cases])
    missed = [(t, o) for (t, s), o in zip(cases, out) if not o.startswith(place + "<NAME>")]
    assert len(missed) <= 1, missed


def test_a_place_noun_after_a_place_word_stays():
    texts = ["隔壁床阿姨很熱心", "對面店老闆", "隔壁桌阿伯", "隔壁班老師", "隔壁村里長", "樓下管理員", "樓上鄰居說"]
    assert scrub_texts(texts) == texts
