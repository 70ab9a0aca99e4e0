"""E7 findings name every identifier class in both languages (issue 14): dates of birth,
medical record numbers and NHI card numbers found in an output block with their own words."""
from __future__ import annotations

import pytest

from egress_review.engine.identifiers import _KIND_EN, _KIND_ZH
from tests.egress_engine.conftest import by


@pytest.mark.parametrize("text, zh, en", [
    ("病患出生日期：1985.11.17，追蹤中。\n", "出生日期", "date of birth"),
    ("病歷號：B2322203 已轉介。\n", "病歷號碼", "medical record number"),
    ("健保卡號：000006176986。\n", "健保卡號", "NHI card number"),
])
def test_each_class_named_in_both_languages(run, text, zh, en):
    r = run({"notes.txt": text}, [{"path": "notes.txt", "kind": "text", "description": "notes"}])
    hits = by(r, check="identifiers", severity="block")
    assert hits, [(f.check, f.message_en) for f in r.findings]
    assert any(zh in f.message_zh and en in f.message_en for f in hits), \
        [(f.message_zh, f.message_en) for f in hits]


def test_every_recogniser_class_has_labels():
    from deidentify.text.recognizers import ENTITY_KIND

    for kind in set(ENTITY_KIND.values()) | {"TERM"}:
        assert kind in _KIND_ZH and kind in _KIND_EN, kind
