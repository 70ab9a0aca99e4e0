"""A sentence of any length is read in bounded pieces (E2): reading a span costs time growing
with the square of its length, and one 20 000-character "sentence" of Han numerals from the API
fuzzer held a worker of the review service for minutes.  Pieces are cut at a space or a mark, so
the numbers of a long run-on sentence are all still read."""
from __future__ import annotations

import pytest

from egress_review.engine import prose


@pytest.mark.parametrize("text", ["一" * 20000, "3 of " * 4000, "a" * 20000, "，" * 5000 + "一" * 9000,
                                  "病人" * 8000, "1/2 " * 5000],
                         ids=["han-numerals", "of-runs", "letters", "commas-then-numerals",
                              "han-words", "fractions"])
def test_no_piece_read_is_longer_than_the_cap(text):
    spans = prose.sentences(text)
    assert spans and all(b - a <= prose.MAX_SENTENCE for a, b in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))   # nothing skipped


@pytest.mark.parametrize("filler", ["and the cohort was followed up ", "病人持續追蹤，", "x, "],
                         ids=["english", "chinese", "commas"])
def test_every_count_of_a_long_run_on_sentence_is_still_read(filler):
    parts = [f"{filler * 7}region {i}: {3 + i % 3} patients died" for i in range(40)]
    text = ", ".join(parts) + "."
    assert len(prose.sentences(text)) > 2          # read in pieces
    counts = sorted(n.value for n in prose.read_numbers(text) if n.kind == "count")
    want = sorted(float(3 + i % 3) for i in range(40))
    assert [c for c in counts if c in (3.0, 4.0, 5.0)] == want
