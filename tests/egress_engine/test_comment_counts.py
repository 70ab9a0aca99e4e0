"""E3: counts in the requester's comments are set against the request's tables (prose_tables).

The purpose, descriptions and file names were compared with the tables, but a comment on the
request was not: "Of the patients with diabetes, 100 were treated" written as a comment next to
a table's "Diabetes 103" left 3 persons by difference, and a comment leaves with the request
(its requester reads it outside once approved).  The requester's comments (never a reviewer's:
the workflow passes only the requester's, ``workflow.requester_comments``) are now read like
the purpose when the request is checked (``check_request(requester_comments=…)``), and a comment
written after the check is set against the counts the check kept (``CheckResult.table_counts``,
``prose_tables.comment_findings``; ``comments.add_comment`` refuses it).  Generated members:
one-way tables and crosstabs, English and Chinese comments, totals and named cells, released
tables, gaps 1 … threshold−1; comments that restate the tables, are far from them or state no
count pass.
"""
from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from egress_review.engine.context import Context
from egress_review.engine.history import ReleaseHistory
from egress_review.engine.prose_tables import comment_findings
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

M = EgressPolicy().min_units_per_cell
NAMES = {"Diabetes": ("patients with diabetes", "糖尿病患者"), "Hypertension": ("patients with hypertension", "高血壓患者"),
         "Asthma": ("asthma patients", "氣喘患者"), "Stroke": ("patients after a stroke", "中風患者")}
SAYS_EN = ["Of the {who}, {v} were treated.", "As asked: {v} {who} received the drug.",
           "Reply to reviewer: we counted {v} {who} in the follow-up."]
SAYS_ZH = ["{who}中，共{v}人接受治療。", "回覆審查意見：{who}共{v}人完成追蹤。"]


def _members(n=30, seed=41, gap=True):
    """(csv, roles, kw, comment, gap, released): the comment names a cell or states the total."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        labels = rng.sample(sorted(NAMES), 3)
        g = (1 + k % (M - 1)) * rng.choice([-1, 1]) if gap else 0
        if k % 3 == 2:                                   # a crosstab by sex: a cell of it
            cells = {lab: (rng.randrange(60, 400), rng.randrange(60, 400)) for lab in labels}
            csv = "condition,Female,Male\n" + "".join(f"{a},{f},{m}\n" for a, (f, m) in cells.items())
            roles, kw = {"condition": G}, {"default_role": COUNT, "column_group": "sex"}
            lab, sex = rng.choice(labels), rng.randrange(2)
            v = cells[lab][sex] + g
            comment = (f"Of the {('women', 'men')[sex]} with {lab.lower()}, {v} were treated." if k % 2
                       else f"{NAMES[lab][1]}中，{('女性', '男性')[sex]}共{v}人接受治療。")
        else:
            values = {lab: rng.randrange(60, 900) for lab in labels}
            csv = "condition,n\n" + "".join(f"{a},{b}\n" for a, b in values.items())
            roles, kw = {"condition": G, "n": COUNT}, {}
            if k % 3 == 1:                               # the table's population
                comment = f"In reply: a total of {sum(values.values()) + g} patients were screened."
            else:
                lab = rng.choice(labels)
                form = rng.choice(SAYS_EN) if k % 2 else rng.choice(SAYS_ZH)
                who = NAMES[lab][0] if k % 2 else NAMES[lab][1]
                comment = form.format(who=who, v=values[lab] + g)
        out.append(pytest.param(csv, roles, kw, comment, abs(g), k % 4 == 3,
                                id=f"{k}-{'released' if k % 4 == 3 else 'request'}-gap{abs(g)}"))
    return out


def _check(run, tmp_path, csv, roles, kw, comment, released):
    if released:
        h = one_release_history(tmp_path, "old.csv", csv, table("old.csv", roles, **kw))
        return run({"r.txt": "Results are in the tables released last year.\n"},
                   [{"path": "r.txt", "kind": "text", "description": "report"}], history=h,
                   requester_comments=[comment])
    return run({"t.csv": csv}, [table("t.csv", roles, **kw)], requester_comments=[comment])


@pytest.mark.parametrize("csv, roles, kw, comment, gap, released", _members())
def test_a_comment_count_a_few_from_a_table_goes_to_review(run, tmp_path, csv, roles, kw, comment,
                                                           gap, released):
    r = _check(run, tmp_path, csv, roles, kw, comment, released)
    hits = [f for f in by(r, check="prose_tables") if f.location.get("value") == gap
            and f.location.get("request") == "comment"]
    assert hits, said(r)


@pytest.mark.parametrize("csv, roles, kw, comment, gap, released", _members(16, seed=43, gap=False))
def test_a_comment_restating_the_tables_passes(run, tmp_path, csv, roles, kw, comment, gap, released):
    r = _check(run, tmp_path, csv, roles, kw, comment, released)
    assert not by(r, check="prose_tables"), said(r)


@pytest.mark.parametrize("comment", [
    "Thank you, we merged the age bands as asked.", "The 2019 cohort is described in the protocol.",
    "We counted 5,000 more visits in the full data; the table shows persons.",
    "謝謝審查意見，已依建議合併年齡組。", "Table 2 now uses the ICD-10 codes E11 and I10.",
], ids=lambda c: c[:24])
def test_ordinary_comments_pass(run, comment):
    csv = "condition,n\nDiabetes,103\nHypertension,240\n"
    r = run({"t.csv": csv}, [table("t.csv", {"condition": G, "n": COUNT})], requester_comments=[comment])
    assert not by(r, check="prose_tables"), said(r)


def _fake_request(result, manifest: dict):
    return SimpleNamespace(manifest=json.dumps(manifest), check_result=result.to_dict())


MANIFEST = {"version": 1, "case_code": "R-TEST", "purpose": "tests",
            "files": [table("t.csv", {"condition": G, "n": COUNT})]}


@pytest.mark.parametrize("csv, roles, kw, comment, gap, released",
                         [p for p in _members(30, seed=47) if not p.values[-1]])
def test_a_comment_written_after_the_check_is_compared_with_the_kept_counts(
        run, csv, roles, kw, comment, gap, released):
    from egress_review.comments import requester_words_findings

    result = run({"t.csv": csv}, [table("t.csv", roles, **kw)])
    assert result.table_counts and json.dumps(result.to_dict())       # kept, JSON-safe
    req = _fake_request(result, {**MANIFEST, "files": [table("t.csv", roles, **kw)]})
    found = requester_words_findings(req, comment, policy=SimpleNamespace(egress=EgressPolicy()))
    hits = [f for f in found if f.check == "prose_tables" and f.location.get("value") == gap]
    assert hits, [(f.check, f.message_en) for f in found]


def test_a_comment_restating_a_cell_after_the_check_is_not_compared_away(run):
    result = run({"t.csv": "condition,n\nDiabetes,103\nHypertension,240\n"}, [MANIFEST["files"][0]])
    from egress_review.manifest import parse_manifest

    ctx = Context(manifest=parse_manifest(MANIFEST), root=".", policy=EgressPolicy(),
                  history=ReleaseHistory(), pseudonyms=frozenset())
    comment_findings(ctx, "Of the patients with diabetes, 103 were treated; 240 had hypertension.",
                     result.to_dict()["table_counts"])
    assert not [f for f in ctx.findings if f.check == "prose_tables"], said(ctx)


def test_only_the_requesters_own_comments_are_passed_to_the_check():
    from egress_review.workflow import requester_comments

    c = lambda author, body: SimpleNamespace(author_id=author, body=body)  # noqa: E731
    req = SimpleNamespace(requester_id=7, comments=[c(7, "100 were treated."), c(9, "Reviewer: 103?"),
                                                    c(7, "In the file thread: 98 patients.")])
    assert requester_comments(req) == ["100 were treated.", "In the file thread: 98 patients."]
