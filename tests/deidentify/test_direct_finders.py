"""The scrubber calls our finders directly (``deidentify.text.finders``), not through Presidio's
engine (issue 14): the findings, their order and the masked spans must be exactly what the
Presidio ``AnalyzerEngine`` with the same recognisers gives, and each finder's gate (a cheap test
that lets a text skip the finder) must never hide a finding."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deidentify.identifiers import address, dates
from deidentify.identifiers import phone as tw_phone
from deidentify.identifiers.normalise import to_simplified
from deidentify.text import finders, recognizers
from deidentify.text.scrub import ScrubOptions, _hits, _kept, _resolve, mask, scrub_texts
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate

ROOT = Path(__file__).resolve().parents[2]
EDGE = ["", "身分證", "AC01234567", "居留證號 AC01234567", "病人王", "電話0912", "345678", "CHEN TA-MING",
        "新北市新店區建國路3段384號10樓之2 電話0935594671 身分證F231234560 wang@example.com",
        "民國七十二年五月十日生，70年次，DOB 1983/05/10，born in 1983", "3F., No. 12, Alley 5, Lane 100, Minquan Rd., "
        "Xinyi Dist., Taipei City 110", "報告自 10.20.30.44 上傳 https://pacs.example.org/view?pid=998877 fe80::1:2:3",
        "瓦歷斯·諾幹 Walis•Nokan 13床甄美琪 Name: chen mei ling Nguyen Thi Lan"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [c.text for c in generate(40, 99) + generate(40, 4242) + handwritten()] + EDGE


def _engine(t: str) -> list[tuple[str, int, int, float]]:
    return [(r.entity_type, r.start, r.end, r.score) for r in recognizers.analyze(t)]


def test_same_findings_in_the_same_order_as_presidios_engine(texts):
    for t in texts:
        assert finders.analyse(to_simplified(t), t) == _engine(t), t


@pytest.mark.parametrize("cut", [(0.5, 0.5), (0.7, 0.85), (0.9, 0.6)])
def test_merged_spans_equal_the_resolved_engine_findings(texts, cut):
    opts = ScrubOptions(*cut)
    for t in texts:
        hits = [(h.kind, h.start, h.end, h.score) for h in _resolve(_kept(_hits(t, _engine(t)), opts), t)]
        assert finders.find(to_simplified(t), t, *cut) == hits, t


def test_finder_by_finder_over_a_batch_equals_each_text_alone(texts):
    """The scrubber runs each finder over a whole batch before the next (``raw_batch``, for the
    CPU's caches): every text must get exactly the findings, in the order, it gets alone, in
    any batch order and size; a finder whose state carried from one text to the next (a cache
    keyed too loosely, a window crossing texts) would show here."""
    import random

    pairs = [(to_simplified(t), t) for t in texts]
    alone = [finders.raw_batch([p])[0] for p in pairs]
    assert sum(map(bool, alone)) > len(pairs) // 2          # the batch really holds findings
    rng = random.Random(14)
    for _ in range(4):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        lo = 0
        while lo < len(order):
            part = order[lo:lo + rng.choice((1, 2, 7, 60, 400))]
            assert finders.raw_batch([pairs[k] for k in part]) == [alone[k] for k in part]
            assert finders.find_batch([pairs[k] for k in part], 0.7, 0.85) == [
                finders.find(*pairs[k], 0.7, 0.85) for k in part]
            lo += len(part)


def test_gates_never_hide_a_finding(texts):
    """Every text where a gated finder finds something passes that finder's gate."""
    found = {"phone": 0, "address": 0, "dob": 0}
    for t in texts:
        simp = to_simplified(t)
        if tw_phone.find(simp):
            found["phone"] += 1
            assert finders._PHONE_GATE.search(simp), t
        if address.find(simp):
            found["address"] += 1
            assert address._NUMBERED.search(simp) or address._HAS_CITY.search(simp), t
        if dates.find(simp):
            found["dob"] += 1
            assert "生" in simp or finders._DOB_GATE.search(simp), t
    assert min(found.values()) >= 20     # the corpus really exercises each finder


def test_a_gate_keeps_the_finder_off_texts_that_cannot_hold_its_class(monkeypatch):
    def boom(_):
        raise AssertionError("finder ran on a text its gate rules out")

    monkeypatch.setattr(dates, "find", boom)
    monkeypatch.setattr(tw_phone, "find", boom)
    assert finders.dob_spans("血壓 120/80，下次回診 2024/03/15", "") == []
    assert finders.phone_spans("血壓 120/80，體重 65 kg", "") == []


def test_scrubbing_never_loads_presidio():
    """The engine (and spaCy under it) stays out of the scrubbing process: its import alone took
    seconds of each load's start."""
    probe = ("import sys\nfrom deidentify.text import scrub_texts, find_identifiers\n"
             "out = scrub_texts(['病患陳大明 A123456789 電話0912-345-678 Dr. John Smith'])\n"
             "find_identifiers('王小明 0912345678')\n"
             "print(out[0]); print('presidio_analyzer' in sys.modules, 'spacy' in sys.modules)\n")
    res = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    masked, loaded = res.stdout.strip().splitlines()
    assert "<ID>" in masked and "<PHONE>" in masked and "<NAME>" in masked
    assert loaded == "False False"


def test_scrub_texts_masks_what_the_engine_finds(texts):
    opts = ScrubOptions(0.5, 0.5)
    expected = [mask(t, _resolve(_kept(_hits(t, _engine(t)), opts), t)) for t in texts]
    assert scrub_texts(texts, options=opts) == expected
