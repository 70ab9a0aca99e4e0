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


@pytest.mark.parametrize("run", ["7" * 40, "1,000" * 9, "3.5" * 12, "一二三四五六七八九十" * 4, "٣" * 33,
                                 "３" * 600],
                         ids=["digits", "thousands-groups", "decimals", "han-numerals", "arabic-indic",
                              "full-width"])
def test_a_run_longer_than_any_number_is_not_read_but_goes_to_a_person(run):
    text = f"Of the 120 patients, 3 died. The code was {run} and 4 women were treated."
    numbers = prose.read_numbers(text)
    unread = sorted((n.start, n.end) for n in numbers if n.kind == "unread")
    at = text.index(run)                      # one run, or its pieces when it is cut (600)
    assert unread[0][0] == at and unread[-1][1] == at + len(run)
    assert all(unread[i][1] == unread[i + 1][0] for i in range(len(unread) - 1))
    counts = sorted(n.value for n in numbers if n.kind == "count")
    assert counts == [3.0, 4.0, 120.0]        # the numbers around it are still read


def test_an_unread_run_is_a_finding_for_a_reviewer():
    from types import SimpleNamespace

    from egress_review.engine import prose_check
    from egress_review.engine.context import Context
    from egress_review.engine.history import ReleaseHistory
    from egress_review.engine.readers import TextUnit
    from egress_review.manifest import parse_manifest
    from policies.sections.egress import EgressPolicy

    man = parse_manifest({"version": 1, "case_code": "C1", "purpose": "a note",
                          "files": [{"path": "note.txt", "kind": "text", "description": "a note"}]})
    ctx = Context(manifest=man, root=".", policy=EgressPolicy(), history=ReleaseHistory(),
                  pseudonyms=frozenset())
    prose_check.check(ctx, SimpleNamespace(path="note.txt", kind="text"),
                      TextUnit("The key is " + "9" * 200 + ".", {"part": "text"}))
    found = [f for f in ctx.findings if "9" * 12 in f.message_en]
    assert found and all(f.severity == "review" for f in found)
    assert "200 characters" in found[0].message_en
