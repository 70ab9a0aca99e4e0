"""Probe round: two counts in one text that differ by a small count (E3 differencing in prose).

"Of the 103 patients, 100 survived" states that 3 died; no number under the threshold is
written, so the per-number checks (E2) passed it.  Before the fix every leak below had the
verdict "pass"; now the text goes to a reviewer (default deny: whether one group holds the
other is for a person to read).  Setting: ``prose_difference_max_counts`` (E3).
"""
from __future__ import annotations

import json

import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by, said


def text(path):
    return {"path": path, "kind": "text", "description": "report"}


LEAKS = [
    ("r.txt", "Of the 103 patients, 100 survived.\n", 3),
    ("r.txt", "Cohort: 1,203 patients. After exclusions: 1,200 patients.\n", 3),
    ("r.tex", "We enrolled 250 participants; 246 participants completed follow-up.\n", 4),
    ("r.md", "# Results\n\nThe cohort had 88 patients. In total 87 patients were treated.\n", 1),
    ("r.txt", "There were 1,000 women in the study. 995 women were alive at one year.\n", 5),
    ("r.txt", "Screened: 412 persons.\n\nRandomised: 410 persons.\n", 2),
    ("r.md", "There were 57 cases at baseline and 55 cases at follow-up.\n", 2),
    ("r.txt", "The registry holds 2400 patients, and 2396 patients consented.\n", 4),
    ("r.tex", "A total of 64 subjects were included, of whom 60 subjects had data on smoking.\n", 4),
    ("r.txt", "Of 300 patients, 299 patients had a blood test.\n", 1),
]


@pytest.mark.parametrize("path, body, gap", LEAKS)
def test_two_counts_a_small_gap_apart_go_to_review(run, path, body, gap):
    r = run({path: body}, [text(path)])
    assert r.verdict != "pass", said(r)
    hits = [f for f in by(r, check="prose", rule="E3") if f"{gap:g} between them" in f.message_en]
    assert hits, said(r)


def test_json_report_counts_a_small_gap_apart(run):
    body = json.dumps({"summary": "Of the 540 patients screened, 537 patients were enrolled."})
    r = run({"r.json": body}, [text("r.json")])
    assert r.verdict != "pass", said(r)
    assert by(r, check="prose", rule="E3"), said(r)


@pytest.mark.parametrize("path, body", [
    ("r.txt", "Of the 1,203 patients, 640 were women.\n"),
    ("r.txt", "We enrolled 250 participants; 180 completed follow-up.\n"),
    ("r.md", "The cohort had 88 patients and the comparison group 40 patients.\n"),
    ("r.txt", "There were 1,000 women in the study.\n"),
])
def test_counts_far_apart_are_no_difference_finding(run, path, body):
    """Ordinary text (E3): no two counts within the threshold of each other, no finding."""
    r = run({path: body}, [text(path)])
    assert not [f for f in by(r, check="prose", rule="E3") if "between them" in f.message_en], said(r)


def test_switched_off_it_is_silent(run):
    """The E3 setting at 0 turns the comparison off (used to show the tests above need it)."""
    pol = EgressPolicy(prose_difference_max_counts=0)
    r = run({"r.txt": LEAKS[0][1]}, [text("r.txt")], policy=pol)
    assert not [f for f in by(r, check="prose", rule="E3") if "between them" in f.message_en]


@pytest.mark.parametrize("path, body", [
    ("r.md", "- 57 cases at baseline\n- 55 cases at follow-up\n"),
    ("r.md", "# Cohort\n\n1,203 patients were screened.\n\n# Analysis\n\n1,200 patients were analysed.\n"),
    ("r.md", "* 410 persons randomised\n* 407 persons analysed\n"),
])
def test_counts_in_separate_parts_of_one_file(run, path, body):
    """E3 across the text units of one file (list items, sections)."""
    r = run({path: body}, [text(path)])
    assert r.verdict != "pass", said(r)
    assert [f for f in by(r, check="prose", rule="E3") if "between them" in f.message_en], said(r)


@pytest.mark.parametrize("a, b", [
    ("The cohort had 103 patients.\n", "In total 100 patients survived.\n"),
    ("Screened: 412 persons.\n", "Randomised: 410 persons.\n"),
    ("We enrolled 64 subjects.\n", "Of these, 60 subjects had smoking data.\n"),
])
def test_counts_in_two_files_of_one_request(run, a, b):
    """E3 across the text files of one request."""
    r = run({"a.txt": a, "b.txt": b}, [text("a.txt"), text("b.txt")])
    assert r.verdict != "pass", said(r)
    assert [f for f in by(r, check="prose", rule="E3") if "between them" in f.message_en], said(r)
