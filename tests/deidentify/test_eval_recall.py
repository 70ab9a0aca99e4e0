"""The de-identification evaluation set, small enough for the suite (a few seconds): recall of
every identifier class ≥ 99 % (an identifier counts only when masked completely), distractors
masked ≤ 1 %, and ``scrub_texts`` masks exactly what ``find_identifiers_batch`` finds.

The full set (several seeds, thousands of notes) and the throughput against Presidio's
defaults are in ``bench/deidentify_text.py``."""
from __future__ import annotations

import pytest

from deidentify.text import find_identifiers_batch, mask, scrub_texts
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import CLASSES, NOTE_TYPES, generate
from tests.deidentify.eval.score import score

SEED = 41


@pytest.fixture(scope="module")
def eval_cases():
    return generate(45, seed=SEED) + handwritten()


@pytest.fixture(scope="module")
def result(eval_cases):
    return score(eval_cases)


def test_set_covers_every_class_and_note_type(eval_cases, result):
    assert {c.note_type for c in eval_cases} == set(NOTE_TYPES)
    for cls in CLASSES:
        assert result.total[cls] >= 20, cls
    assert sum(result.dist_total.values()) >= 300


@pytest.mark.parametrize("cls", CLASSES)
def test_recall_of_every_class(result, cls):
    misses = [m[1] for m in result.misses if m[0] == cls]
    assert result.recall(cls) >= 0.99, (result.report(), misses)


def test_distractors_are_left_alone(result):
    assert result.fp_rate() <= 0.01, (result.report(), result.false_positives)


def test_hand_written_notes_fully_masked():
    res = score(handwritten())
    found = sum(res.found.values())
    assert found / sum(res.total.values()) >= 0.95, res.misses
    assert res.fp_rate() <= 0.03, res.false_positives


def test_scrub_texts_masks_exactly_the_findings(eval_cases):
    texts = [c.text for c in eval_cases]
    assert scrub_texts(texts) == [mask(t, hits) for t, hits in zip(texts, find_identifiers_batch(texts))]
