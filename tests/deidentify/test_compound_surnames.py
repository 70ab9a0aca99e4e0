"""Compound surnames (上官, 司馬, 諸葛, 歐陽 …) found where single-surname names are (issue 14):
opening a sentence before a word that describes the patient, before 「，男」, and after a
context word without swallowing the word that follows."""
from __future__ import annotations

import pytest

from deidentify.text import find_identifiers_batch

SURNAMES = ["上官", "司馬", "諸葛", "歐陽", "司徒", "夏侯", "皇甫", "東方", "張簡", "范姜"]
GIVEN = ["菊", "薇廷", "賢桂", "子", "瑩弘"]
FRAMES = ["護理紀錄：病人意識清楚。{n}主訴頭痛三天。", "腹部超音波報告： {n}今天回診處方", "住院經過：{n}因胸痛來院。",
          "{n}，男，65歲", "交班： {n}表示疼痛改善。", "病患{n}主訴頭痛", "家屬{n}表示了解病情。"]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("surname", SURNAMES)
def test_compound_surname_names_masked_exactly(frame, surname):
    texts = [frame.format(n=surname + g) for g in GIVEN]
    for text, g, hits in zip(texts, GIVEN, find_identifiers_batch(texts)):
        name = surname + g
        a = text.index(name)
        spans = [(h.start, h.end) for h in hits if h.kind == "NAME"]
        assert any(s <= a and a + len(name) <= e for s, e in spans), (text, spans)
        # the word after the name stays readable
        assert all(e <= a + len(name) or s >= a + len(name) for s, e in spans), (text, spans)
