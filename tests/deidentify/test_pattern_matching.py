"""No recogniser of ours gives up on a slow text.

Presidio's ``PatternRecognizer`` runs each pattern through the ``regex`` module with a timeout
and skips a pattern that times out (the finding is lost).  IDs, phones, addresses, dates of
birth, record numbers and names are found by finder functions (standard library ``re`` and
code, no timeout); the one pattern recogniser left (e-mail) matches with ``re`` and must find
exactly what Presidio's loop finds on real clinical texts and on the edge cases below."""
from __future__ import annotations

import csv

import pytest
from presidio_analyzer import PatternRecognizer
from presidio_analyzer import pattern_recognizer as presidio_patterns

from datasets.synthetic import generate
from deidentify.identifiers.normalise import to_simplified
from deidentify.text import recognizers as R
from deidentify.text import scrub_texts

EDGE_CASES = [
    "", "身分證A123456789", "A 123 456 789", "a123456789", "deadbeefa123456789cafe",
    "AC01234567 處方", "居留證號 AC01234567", "0912-345-678", "(02)2345-6789 ext 12",
    "+886 912 345 678", "0912345678901", "user.name+tag@mail.example.tw", "a@b", "@@",
    "台北市中正區重慶南路一段122號3樓", "住在中山路5巷2弄10號之1", "自由一路", "路",
    "新北市新店區建國路3段384號10樓之2 電話0935594671 身分證F231234560",
    "聯絡 wang.xm@example.com.tw 或 ＷＡＮＧ＠ＭＡＩＬ．ＣＯＭ", "a.b-c@d-e.f.gh,x@y.zz",
]


def _key(results):
    return sorted((r.entity_type, r.start, r.end, r.score) for r in results)


def _pattern_recognizers():
    return [r for r in R.recognizers() if isinstance(r, R._NormalisingPatternRecognizer)]


@pytest.fixture(scope="module")
def clinical_texts(tmp_path_factory) -> list[str]:
    """Every distinct free text of a small synthetic set (names, IDs, phones, addresses)."""
    src = tmp_path_factory.mktemp("texts")
    generate(src, 100_000, seed=3, images=0)
    texts: dict[str, None] = {}
    for path in sorted(src.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for col in ("CHIEF_COMPLAINT", "DISCHARGE_SUMMARY", "PART_ACCO_DATA", "REPORT",
                            "REPORT_TEXT"):
                    if row.get(col):
                        texts[row[col]] = None
    assert len(texts) > 300
    return list(texts)


def test_same_findings_as_presidios_loop(clinical_texts):
    corpus = clinical_texts + EDGE_CASES
    found = 0
    for rec in _pattern_recognizers():
        for text in corpus:
            ours = _key(R._NormalisingPatternRecognizer.analyze(rec, text, None))
            theirs = _key(PatternRecognizer.analyze(rec, to_simplified(text), None))
            assert ours == theirs, (rec.name, text)
            found += len(ours)
    assert found >= 4    # the corpus really holds what the patterns look for


def test_batches_of_texts_match_too(clinical_texts):
    """One long joined batch, as ``analyze_many`` sends it."""
    joined = R.SEGMENT_SEP.join(clinical_texts + EDGE_CASES)
    for rec in _pattern_recognizers():
        assert (_key(R._NormalisingPatternRecognizer.analyze(rec, joined, None))
                == _key(PatternRecognizer.analyze(rec, to_simplified(joined), None)))


def test_a_slow_text_is_still_masked(monkeypatch):
    """Presidio skips a pattern that outruns its timeout (the finding is lost); ours does not.
    The timeout is set to zero here to stand in for a text slow enough to reach it."""
    text = "病人住址：台北市中正區重慶南路一段122號3樓，電話0912345678，信箱 wang@example.com"
    monkeypatch.setattr(presidio_patterns, "REGEX_TIMEOUT_SECONDS", 0)
    email = next(r for r in _pattern_recognizers() if isinstance(r, R.OfflineEmailRecognizer))
    assert PatternRecognizer.analyze(email, to_simplified(text), None) == []   # Presidio: lost
    assert [text[h.start:h.end] for h in email.analyze(text, None)] == ["wang@example.com"]
    # every other recogniser is a finder, never Presidio's timed loop
    assert all(isinstance(r, R._NormalisingPatternRecognizer) == isinstance(r, R.OfflineEmailRecognizer)
               for r in R.recognizers())
    out = scrub_texts([text])[0]
    assert "<ADDRESS>" in out and "<PHONE>" in out and "<EMAIL>" in out
