"""D1: the classes outside attackers found missed in free text on 5-6 December, each over many
generated members (fixed lists, fixed ids), and the ordinary sentences of the same notes that
must stay untouched.  The probe that measures them: ``tests/deidentify/eval/attack_classes.py``.

- employers named bare, with a word about work near them (在台積上班, 鴻海員工, in 7-11 打工,
  TSMC engineer, 退休前在中鋼做了三十年) - a shop visited stays (去7-11買早餐);
- addresses with numbers spoken in Chinese numerals (二百七十一巷十五弄一百二十七號);
- LINE IDs asked for or told without a colon (加LINE chen_mary88, 賴 wang.dawei).
"""
from __future__ import annotations

import itertools

import pytest

from deidentify.identifiers import employers
from deidentify.text.scrub import scrub_texts
from tests.deidentify.eval import attack_classes as A
from tests.deidentify.eval.score import score

# ---- employers named bare ---------------------------------------------------------------------

_EMP_ZH = ["台積", "台積電", "鴻海", "富士康", "聯電", "聯發科", "中華電信", "中鋼", "中油", "台塑", "長榮", "華航",
           "友達", "廣達", "仁寶", "華碩", "宏碁", "大立光", "日月光", "台達電", "英業達", "緯創", "和碩", "國泰人壽",
           "台電", "中華郵政", "全聯", "家樂福", "麥當勞", "星巴克", "華邦電", "瑞昱", "正新", "裕隆"]
_EMP_LATIN = ["7-11", "7-Eleven", "TSMC", "Foxconn", "MediaTek", "ASUS", "Acer", "UMC", "Pegatron", "Quanta",
              "Realtek", "Costco", "Starbucks", "EVA Air"]
_ZH_CTX = ["病人在{e}上班。", "{e}員工，輪三班。", "先生是{e}工程師。", "in {e} 打工。", "退休前在{e}做了三十年。",
           "案女{e}作業員。", "兒子在{e}當店長。", "先生是{e}的主管。", "太太{e}離職後在家。", "works at {e}。"]
_EN_CTX = ["Pt is a {e} engineer.", "Works at {e}, night shift.", "retired {e} staff", "{e} employee, 45M.",
           "in {e} 打工。", "Wife: {e} cashier."]


def _employer_members():
    out = []
    for i, (e, form) in enumerate(itertools.product(_EMP_ZH, _ZH_CTX)):
        if i % 3 == 0:                      # a third of the pairs, every name and form used
            out.append(pytest.param(form.format(e=e), e, id=f"zh-{i}"))
    for i, (e, form) in enumerate(itertools.product(_EMP_LATIN, _EN_CTX)):
        if i % 2 == 0:
            out.append(pytest.param(form.format(e=e), e, id=f"latin-{i}"))
    return out


@pytest.mark.parametrize("text,employer", _employer_members())
def test_a_bare_employer_near_work_is_masked(text, employer):
    out = scrub_texts([text])[0]
    assert employer not in out and "<EMPLOYER>" in out, out


_SHOPS_VISITED = ["去7-11買早餐。", "在麥當勞吃早餐。", "喝星巴克咖啡。", "到全聯買菜。", "去家樂福買尿布。",
                  "在Costco買了保健食品。", "bought coffee at Starbucks.", "統一發票已開立。", "南亞洲旅遊史。",
                  "搭高鐵來院。", "國泰醫院轉入。", "長庚醫院門診追蹤。", "中油加油站附近車禍。",
                  "Acer laptop used for telehealth."]


@pytest.mark.parametrize("text", _SHOPS_VISITED, ids=[f"shop-{i}" for i in range(len(_SHOPS_VISITED))])
def test_a_known_name_without_work_stays(text):
    assert "<EMPLOYER>" not in scrub_texts([text])[0]


def test_the_known_employer_list_is_what_masks_them():
    # (switch check) without the list the bare forms are not found
    assert employers._known_spans("聯電員工。") == [(0, 2)]
    assert employers._known_spans("TSMC engineer") == [(0, 4)]


# ---- addresses in Chinese numerals ------------------------------------------------------------

_ROADS = ["自由路三段", "和平東路二段", "中山北路一段", "民生路", "復興南路一段", "成功路", "中華路"]
_LANES = ["二百七十一巷十五弄一百二十七號", "一百七十三巷三十弄七十一號", "二百二十七巷六弄七十七號",
          "一〇一巷四三號", "一百零二巷八弄五十六號三樓", "二百八十九巷三弄九號六樓", "一百二十四巷八十四號",
          "三百巷二十弄一百五十號十四樓"]


@pytest.mark.parametrize("text,address", [
    pytest.param(f"{lead}{city}{r}{lane}。", f"{city}{r}{lane}", id=f"cn-{i}")
    for i, (lead, city, r, lane) in enumerate(
        (lead, city, r, lane) for lead, city in [("住", "台北市大安區"), ("戶籍地：", "高雄市苓雅區"), ("住址：", "")]
        for r in _ROADS for lane in _LANES) if i % 4 == 0])
def test_an_address_in_chinese_numerals_is_masked_whole(text, address):
    out = scrub_texts([text])[0]
    assert "<ADDRESS>" in out and not any(part in out for part in ("巷", "弄", "號")), out


# ---- LINE IDs without a colon -----------------------------------------------------------------

_HANDLES = ["chen_mary88", "abc1234", "wang.dawei", "lin-0912", "meimei_77", "tw.amy", "a0912xxx"]
_LINE_CTX = ["加LINE {h}。", "加賴 {h}", "賴 {h}。", "加我的LINE {h}", "LINE是{h}。", "加她微信 {h}"]


@pytest.mark.parametrize("text,handle", [pytest.param(f.format(h=h), h, id=f"line-{i}-{j}")
                                         for i, h in enumerate(_HANDLES) for j, f in enumerate(_LINE_CTX)
                                         if not (f.startswith("賴 ") and "." not in h and "_" not in h
                                                 and not any(c.isdigit() for c in h))])
def test_a_line_id_asked_for_or_told_is_masked(text, handle):
    out = scrub_texts([text])[0]
    assert handle not in out and "<ACCOUNT>" in out, out


_NOT_HANDLES = ["加入LINE群組。", "賴先生來電。", "賴 小姐表示。", "加LINE好友後傳衛教單張。", "賴 醫師查房。"]


@pytest.mark.parametrize("text", _NOT_HANDLES, ids=[f"noline-{i}" for i in range(len(_NOT_HANDLES))])
def test_line_words_without_a_handle_are_no_account(text):
    assert "<ACCOUNT>" not in scrub_texts([text])[0]


# ---- the probe, class by class ----------------------------------------------------------------

_FLOORS = {"employer_bare": 0.95, "address_chinese_num": 0.95, "line_id": 0.95, "id_spaced": 1.0,
           "phone_spaced": 1.0, "roc_dob": 1.0, "email": 1.0, "fullwidth_latin": 0.99}


@pytest.mark.parametrize("seed", [11, 12], ids=["seed-11", "seed-12"])
def test_probe_recall_per_form(seed):
    sc = score(A.generate(25, seed), A.masked_spans_scrub)
    for form, floor in _FLOORS.items():
        got = sc.form_found[form] / sc.form_total[form]
        assert got >= floor, (form, got, [m for m in sc.misses][:5])
