"""D1: a named employer in a note is masked; the kind of work stays.

「病人任職於台積電」, 「案父在鴻海工作」 and "works at Foxconn" came back unchanged: a named employer
narrows a person down to a workforce and, with age, sex and area, can single them out.
Generated over employers (Chinese and English names, chains, digits) and the ways a note says
where someone works; generic workplaces (工廠, 電子廠, 餐廳, 醫院, a city, "the hospital") and
sentences about working that name no employer must stay as they are.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts

EMPLOYERS_ZH = ["台積電", "鴻海", "大立光", "國泰人壽", "統一超商", "中華電信", "長榮航空", "台塑石化",
                "聯發科", "7-11", "全聯", "王品集團", "好市多", "台電", "宏碁", "新光三越"]
EMPLOYERS_EN = ["Foxconn", "TSMC", "MediaTek", "Acer", "China Airlines", "Evergreen Marine",
                "Uni-President", "Formosa Plastics"]
ZH_FORMS = ["病人任職於{e}，擔任工程師。", "案父在{e}上班，常加班。", "案母在{e}工作十年。",
            "病人於{e}擔任作業員。", "個案服務於{e}。", "病人受僱於{e}，輪三班。", "先生在{e}當店長。",
            "兒子在{e}打工。", "雇主：{e}"]
EN_FORMS = ["Patient works at {e} as a line worker.", "He is employed by {e}.",
            "Process engineer at {e}, night shifts.", "Employer: {e}", "Wife working for {e}."]


def _members():
    out = []
    for i, e in enumerate(EMPLOYERS_ZH):
        for j, form in enumerate(ZH_FORMS):
            if (i + j) % 2 == 0:           # half of the pairs keeps the set small, every form used
                out.append(pytest.param(form.format(e=e), e, id=f"zh-{i}-{j}"))
    for i, e in enumerate(EMPLOYERS_EN):
        for j, form in enumerate(EN_FORMS):
            out.append(pytest.param(form.format(e=e), e, id=f"en-{i}-{j}"))
    return out


@pytest.mark.parametrize("text,employer", _members())
def test_a_named_employer_is_masked(text, employer):
    out = scrub_texts([text])[0]
    # masked as the employer, or as a name where the name finder already took it (雇主：台積電)
    assert employer not in out and ("<EMPLOYER>" in out or "<NAME>" in out), out


ORDINARY = ["病人在工廠上班。", "病人在電子廠上班。", "病人在餐廳工作。", "病人在家工作。",
            "病人在本院工作十年。", "他在台北上班。", "病人於醫院擔任護理師。", "病人在夜市擺攤。",
            "在科學園區上班。", "兒子在某科技公司上班。", "女兒在美國工作。", "病人在上班時跌倒。",
            "病人在工作中受傷。", "病人在家當家管。", "他在當地當志工。", "病人目前在做事。",
            "She works at the hospital.", "Works at home.", "He works at a factory.",
            "Patient used to work at a restaurant."]


@pytest.mark.parametrize("text", ORDINARY)
def test_work_without_a_named_employer_stays(text):
    assert scrub_texts([text])[0] == text
