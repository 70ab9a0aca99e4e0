"""Batched Presidio analysis (``analyze_many``) finds exactly what one call per text finds.

The batch joins texts with a separator; the attacks here try to make a neighbouring text change
a finding: an ID context word just before an old-form resident number that looks like a drug
code, a drug word next to a real one, a surname at a text's end followed by a given name at the
next text's start, digits either side of the boundary that would read as one phone number."""
from __future__ import annotations

import pytest

from deidentify.text.recognizers import SEGMENT_SEP, analyze, analyze_many
from deidentify.text.scrub import scrub_texts

TEXTS = [
    "身分證",                      # ID word, then (next text) an old-form number alone
    "AC01234567",
    "處方藥品",                    # drug word, then an old-form number with ID context
    "居留證號 AC01234567",
    "病人王",                      # a surname at the end ...
    "小明自述咳嗽",                 # ... and a given name at the next start
    "電話0912",
    "345678",
    "聯絡信箱user1@mail.example.tw",
    "CHEN",
    "TA-MING",
    "病人黃春良自述咳嗽三天，電話0935594671",
    "住址：新北市新店區建國路3段384號10樓",
    "",
    "身分證A162713830回診拿藥",
]


def _key(results):
    return sorted((r.entity_type, r.start, r.end, r.score) for r in results)


@pytest.mark.parametrize("max_chars", [1, 16, 100_000])
def test_batch_equals_one_call_per_text(max_chars):
    single = [_key(analyze(t)) for t in TEXTS]
    batched = [_key(r) for r in analyze_many(TEXTS, max_chars=max_chars)]
    assert batched == single
    # the attacks above really are findings or non-findings on their own
    assert any(e == "TW_ID" for e, *_ in single[-1])
    assert single[7] == []           # "345678" alone is not a phone number


def test_a_text_holding_the_separator_is_analysed_alone():
    odd = f"王小明{SEGMENT_SEP}0912345678"
    assert [_key(r) for r in analyze_many(["身分證", odd])] == [_key(analyze("身分證")), _key(analyze(odd))]


def test_scrub_output_unchanged_by_batching():
    out = scrub_texts(TEXTS)
    assert out[-1] == "身分證<ID>回診拿藥"
    assert "<PHONE>" in out[11] and "<NAME>" in out[11]
    assert out[7] == "345678"
    assert out == [scrub_texts([t])[0] for t in TEXTS]
