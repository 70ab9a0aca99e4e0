"""E2/E7: a small count with characters a reader does not see in or beside it.

A zero-width space, joiner, word joiner, soft hyphen, direction mark, combining mark or
variation selector typed into a number, or between a number and its noun, used to cut the
count from its noun: the prose check then saw "3" and "patients" apart and sent the sentence to
review instead of blocking it (``egress_review/engine/prose.py:fold`` now takes such
characters out of the word, as ``deidentify/identifiers/lookalike.py`` reads them).  Each
member goes through the real engine as a text output; a large count with the same characters
is not blocked by the count rules."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import said

UNSEEN = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "zero-width non-joiner": "\u200c",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "byte-order mark": "\ufeff",
    "combining low line": "\u0332",
    "variation selector": "\ufe0f",
    "Hangul filler": "\u3164",
}
SENTENCES = {
    "after the count": "In the north region only 3{u} patients had the outcome, against 120 in the south.\n",
    "before the count": "In the north region only {u}3 patients had the outcome, against 120 in the south.\n",
    "inside the noun": "In the north region only 3 pat{u}ients had the outcome, against 120 in the south.\n",
    "Chinese": "北區僅3{u}人發生此結果，南區則有120人。\n",
}


def _blocked(r) -> bool:
    return any(f.check == "prose" and f.severity == "block" for f in r.findings)


@pytest.mark.parametrize("where", sorted(SENTENCES))
@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_a_small_count_with_unseen_characters_blocks(run, name, where):
    """E2"""
    body = SENTENCES[where].format(u=UNSEEN[name])
    r = run({"r.txt": body.encode()}, [{"path": "r.txt", "kind": "text", "description": "summary"}])
    assert _blocked(r), said(r)


@pytest.mark.parametrize("name", ["zero-width space", "soft hyphen", "combining low line"])
def test_digits_split_by_unseen_characters_are_one_number(run, name):
    """1<u>2 reads as 12 (not a 1 and a 2, each small): a count a reader takes for 12."""
    u = UNSEEN[name]
    body = f"Of 480 patients, 1{u}20 had the outcome and 3{u}60 did not.\n"
    r = run({"r.txt": body.encode()}, [{"path": "r.txt", "kind": "text", "description": "summary"}])
    assert not _blocked(r), said(r)
