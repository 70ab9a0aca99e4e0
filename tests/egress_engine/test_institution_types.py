"""E3: a group that is a kind of institution (Teaching hospital, 精神科醫院, Private clinics)
is no single institution and passes; a group that names one (馬偕醫院, Mackay hospital, NTU
hospital, Taipei Veterans General Hospital) still blocks.  Reported from the egress probe of
5 December: type labels were blocked as institutions.  Type words are a policy setting
(``egress.institution_type_words``)."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_table, said

TYPES = ["Teaching hospital", "Private clinics", "Public hospitals", "Psychiatric hospital", "Dental clinic",
         "Chinese medicine clinic", "Community pharmacy", "General hospital", "Rural clinic", "hospital",
         "精神科醫院", "公立教學醫院", "私立醫院", "眼科診所", "社區藥局", "專科醫院", "Other hospitals"]
NAMES = ["馬偕醫院", "台大醫院", "Mackay hospital", "NTU hospital", "Taipei Veterans General Hospital",
         "長庚紀念醫院", "Chang Gung Memorial Hospital", "仁愛診所", "Cathay General Hospital", "大安藥局"]


def _run(run, label):
    text = f"hospital_type,persons\n{label},120\nOther,300\n"
    return one_table(run, text, {"hospital_type": G, "persons": COUNT})


@pytest.mark.parametrize("label", TYPES)
def test_a_kind_of_institution_is_a_group_that_passes(run, label):
    res = _run(run, label)
    assert not by(res, check="institutions"), said(res)


@pytest.mark.parametrize("label", NAMES)
def test_a_named_institution_still_blocks(run, label):
    res = _run(run, label)
    assert by(res, check="institutions", severity="block"), said(res)

