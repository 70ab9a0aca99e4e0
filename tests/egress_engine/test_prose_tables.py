"""E3: a count in the request's text a small gap from a count of a table (differencing).

A table of the request says "Diabetes 103" and the report says "Of the patients with diabetes,
100 were treated": 3 were not.  No number under the threshold is written and the texts were
compared only among themselves, so such a request passed; the same with a table or a text
the case released earlier.  Now the text goes to a reviewer (``prose_tables``; settings
``prose_table_difference_max_cells`` and ``prose_history_difference_max_cells``, E3).  Many
members of the class are generated (one-way and two-way tables, totals with or without a total
row, a table in the report itself, English and Chinese, a released text), and so are ordinary
reports that restate their tables, state counts far from them or near a cell they do not name:
those pass.
"""
from __future__ import annotations

import random

import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

M = EgressPolicy().min_units_per_cell
CONDITIONS = {"Diabetes": "patients with diabetes", "Hypertension": "patients with hypertension",
              "Asthma": "asthma patients", "Stroke": "patients after a stroke",
              "Depression": "patients with depression", "Obesity": "patients with obesity"}
ZH = {"糖尿病": "糖尿病患者中", "高血壓": "高血壓患者中", "氣喘": "氣喘患者中", "中風": "中風患者中"}
NEAR = ["Of the {who}, {v} were treated.", "{v} {who} received insulin.",
        "Among {who}, {v} patients were followed up for a year."]


def text(path):
    return {"path": path, "kind": "text", "description": "report"}


def _table(rng, labels, total_row=False):
    values = {lab: rng.randrange(40, 900) for lab in labels}
    rows = [f"{lab},{v}" for lab, v in values.items()]
    if total_row:
        rows.append(f"Total,{sum(values.values())}")
    return "condition,n\n" + "\n".join(rows) + "\n", values


def _gap(rng):
    return rng.choice([-1, 1]) * rng.randrange(1, M)


def _leaks(n=24, seed=7):
    """(files, entries, expected gap): the text names a cell's category or states a count near
    the table's total; the gap is 1 … threshold-1 either way."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        shape = k % 6
        if shape == 4:                                   # Chinese labels and sentence
            labels = rng.sample(sorted(ZH), 3)
            csv, values = _table(rng, labels)
            lab = rng.choice(labels)
            g = _gap(rng)
            body = f"{ZH[lab]}，共{values[lab] + g}人接受治療。\n"
        elif shape in (2, 3):                            # the table's population, total row or not
            labels = rng.sample(sorted(CONDITIONS), 4)
            csv, values = _table(rng, labels, total_row=shape == 3)
            g = _gap(rng)
            body = f"A total of {sum(values.values()) + g} patients were screened.\n"
        else:
            labels = rng.sample(sorted(CONDITIONS), rng.randrange(2, 6))
            csv, values = _table(rng, labels)
            lab = rng.choice(labels)
            g = _gap(rng)
            body = rng.choice(NEAR).format(who=CONDITIONS[lab], v=values[lab] + g) + "\n"
        if shape == 1 and k % 4 == 1:                    # a crosstab by sex: a cell of it
            labels = rng.sample(sorted(CONDITIONS), 3)
            cells = {lab: (f := rng.randrange(40, 400), f + 2 * M + rng.randrange(0, 300))
                     for lab in labels}
            csv = "condition,Female,Male\n" + "".join(f"{a},{f},{m}\n" for a, (f, m) in cells.items())
            lab, sex = rng.choice(labels), rng.randrange(2)
            g = _gap(rng)
            body = f"Of the {('women', 'men')[sex]} with {lab.lower()}, {cells[lab][sex] + g} were treated.\n"
            out.append(({"t.csv": csv, "r.txt": body},
                        [table("t.csv", {"condition": G}, default_role=COUNT, column_group="sex"),
                         text("r.txt")], abs(g)))
            continue
        if shape == 1 and k % 4 == 3:                    # the crosstab's sex column named alone
            labels = rng.sample(sorted(CONDITIONS), 3)
            base = rng.randrange(40, 200)
            cells = {lab: (base + j * (3 * M + rng.randrange(0, 50)), rng.randrange(40, 900))
                     for j, lab in enumerate(labels)}
            csv = "condition,F,M\n" + "".join(f"{a},{f},{m}\n" for a, (f, m) in cells.items())
            g = _gap(rng)
            body = f"In the clinic, {cells[rng.choice(labels)][0] + g} women were treated.\n"
            out.append(({"t.csv": csv, "r.txt": body},
                        [table("t.csv", {"condition": G}, default_role=COUNT, column_group="sex"),
                         text("r.txt")], abs(g)))
            continue
        if shape == 5:                                   # the table inside the report itself
            md = "| condition | n |\n|---|---|\n" + "".join(
                f"| {a} | {b} |\n" for a, b in (r.split(",") for r in csv.splitlines()[1:]))
            out.append(({"r.md": f"# Results\n\n{md}\n{body}"}, [text("r.md")], abs(g)))
        else:
            out.append(({"t.csv": csv, "r.txt": body},
                        [table("t.csv", {"condition": G, "n": COUNT}), text("r.txt")], abs(g)))
    return out


LEAKS = _leaks()


def _findings(r):
    return by(r, check="prose_tables", rule="E3")


@pytest.mark.parametrize("files, entries, gap", LEAKS)
def test_a_text_count_a_few_from_a_table_cell_goes_to_review(run, files, entries, gap):
    r = run(files, entries)
    assert r.verdict != "pass", said(r)
    assert [f for f in _findings(r) if f.location["value"] == gap], said(r)


def _released_leaks(n=12, seed=11):
    """The table left in an earlier release; this request holds only the text."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        labels = rng.sample(sorted(CONDITIONS), rng.randrange(2, 6))
        csv, values = _table(rng, labels, total_row=k % 3 == 0)
        g = _gap(rng)
        if k % 2:
            lab = rng.choice(labels)
            body = rng.choice(NEAR).format(who=CONDITIONS[lab], v=values[lab] + g)
        else:
            body = f"A total of {sum(values.values()) + g} patients were screened."
        out.append((csv, body + "\n", abs(g)))
    return out


@pytest.mark.parametrize("old, body, gap", _released_leaks(), ids=lambda x: "")
def test_a_text_count_a_few_from_a_released_cell_goes_to_review(run, tmp_path, old, body, gap):
    h = one_release_history(tmp_path, "old.csv", old, table("old.csv", {"condition": G, "n": COUNT}))
    r = run({"r.txt": body}, [text("r.txt")], history=h)
    assert r.verdict != "pass", said(r)
    hits = [f for f in _findings(r) if f.location["value"] == gap and f.location["history"]]
    assert hits, said(r)


DESCRIBED = ["Counts by condition of the {v} patients treated.", "Diagnoses of {v} patients.",
             "Table of conditions among {v} participants enrolled in 2019."]


def _descriptions(n=8, seed=19, gap=True):
    """A table whose own description states a count near its total (or restates it)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        csv, values = _table(rng, rng.sample(sorted(CONDITIONS), 3), total_row=rng.random() < 0.5)
        g = _gap(rng) if gap else 0
        out.append((csv, rng.choice(DESCRIBED).format(v=sum(values.values()) + g), abs(g)))
    return out


@pytest.mark.parametrize("csv, words, gap", _descriptions(), ids=lambda x: "")
def test_a_count_in_the_requests_words_a_few_from_its_table_goes_to_review(run, csv, words, gap):
    """The description leaves with the table: its counts are a text like any other."""
    r = run({"t.csv": csv}, [table("t.csv", {"condition": G, "n": COUNT}, description=words)])
    assert r.verdict != "pass", said(r)
    assert [f for f in _findings(r) if f.location["value"] == gap], said(r)


@pytest.mark.parametrize("csv, words, gap", _descriptions(seed=23, gap=False), ids=lambda x: "")
def test_a_description_restating_its_table_passes(run, csv, words, gap):
    r = run({"t.csv": csv}, [table("t.csv", {"condition": G, "n": COUNT}, description=words)])
    assert not _findings(r), said(r)
    assert r.verdict == "pass", said(r)


def _released_texts(tmp_path, body: str):
    """The case's history: one earlier release holding the text ``body`` (r0.txt)."""
    from egress_review.engine.history import ReleaseHistory
    from egress_review.manifest import parse_manifest

    old = tmp_path / "old"
    old.mkdir(parents=True)
    (old / "r0.txt").write_text(body)
    return ReleaseHistory.from_released([(parse_manifest(
        {"version": 1, "case_code": "R-TEST", "purpose": "p", "files": [text("r0.txt")]}), old)])


EARLIER = ["{v} patients were screened.", "The cohort had {v} participants.",
           "We enrolled {v} subjects in the first year."]
LATER = ["{v} patients were analysed.", "In total {v} participants completed follow-up.",
         "{v} subjects answered the questionnaire."]


def _text_pairs(n=12, seed=13, gap=True):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        v = rng.randrange(40, 3000)
        w = v + _gap(rng) if gap else rng.choice([v, v + rng.randrange(M, 400)])
        out.append((rng.choice(EARLIER).format(v=v) + "\n", rng.choice(LATER).format(v=w) + "\n",
                    abs(w - v)))
    return out


@pytest.mark.parametrize("earlier, later, gap", _text_pairs())
def test_a_text_count_a_few_from_a_released_text_count_goes_to_review(run, tmp_path, earlier,
                                                                        later, gap):
    r = run({"r.txt": later}, [text("r.txt")], history=_released_texts(tmp_path, earlier))
    assert r.verdict != "pass", said(r)
    hits = [f for f in _findings(r) if f.location["value"] == gap and f.location["history"]]
    assert hits, said(r)


@pytest.mark.parametrize("earlier, later, gap", _text_pairs(seed=17, gap=False))
def test_a_text_restating_or_far_from_a_released_text_passes(run, tmp_path, earlier, later, gap):
    r = run({"r.txt": later}, [text("r.txt")], history=_released_texts(tmp_path, earlier))
    assert not _findings(r), said(r)
    assert r.verdict == "pass", said(r)


def _tables_after_texts(n=10, seed=29, gap=True):
    """A released text states the cohort's size; this request's table counts a few more or
    fewer (or the same, or far more)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        csv, values = _table(rng, rng.sample(sorted(CONDITIONS), 3), total_row=rng.random() < 0.5)
        total = sum(values.values())
        v = total + (_gap(rng) if gap else rng.choice([0, rng.randrange(M, 500)]))
        out.append((rng.choice(EARLIER).format(v=v) + "\n", csv, abs(v - total)))
    return out


@pytest.mark.parametrize("earlier, csv, gap", _tables_after_texts(), ids=lambda x: "")
def test_a_table_a_few_from_a_count_of_a_released_text_goes_to_review(run, tmp_path, earlier,
                                                                        csv, gap):
    r = run({"t.csv": csv}, [table("t.csv", {"condition": G, "n": COUNT})],
            history=_released_texts(tmp_path, earlier))
    assert r.verdict != "pass", said(r)
    assert [f for f in _findings(r) if f.location["value"] == gap and f.location["history"]], said(r)


@pytest.mark.parametrize("earlier, csv, gap", _tables_after_texts(seed=31, gap=False), ids=lambda x: "")
def test_a_table_equal_to_or_far_from_a_released_count_passes(run, tmp_path, earlier, csv, gap):
    r = run({"t.csv": csv}, [table("t.csv", {"condition": G, "n": COUNT})],
            history=_released_texts(tmp_path, earlier))
    assert not _findings(r), said(r)
    assert r.verdict == "pass", said(r)


def _ordinary(n=30, seed=3):
    """Reports that restate their table, state counts at least the threshold from every cell
    and total, or a count near a cell whose category they never name."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        labels = rng.sample(sorted(CONDITIONS), 4)
        csv, values = _table(rng, labels, total_row=k % 2 == 0)
        total = sum(values.values())
        named = rng.choice(labels)
        unnamed = rng.choice([lab for lab in labels if lab != named])
        others = [v for lab, v in values.items() if lab != unnamed] + [total]
        near = {v + d for v in [*others, values[unnamed]] for d in range(-M + 1, M)}
        far = next(v for v in range(rng.randrange(60, 900), 10**6) if v not in near)
        close = values[unnamed] + _gap(rng)
        said_counts: list[int] = []
        sentences = []
        # counts of one text a few apart are the within-text check's finding: kept apart here
        for v, sentence in [(total, "A total of {} patients were included."),
                            (values[named], "{} %s were seen in clinic." % CONDITIONS[named]),
                            (far, "Of these, {} patients attended a follow-up visit."),
                            (close, "Blood tests were taken from {} patients.")]:
            if v == close and any(abs(v - o) < M for o in others):
                continue
            if all(v == o or abs(v - o) >= M for o in said_counts):
                said_counts.append(v)
                sentences.append(sentence.format(v))
        out.append((csv, " ".join(sentences) + "\n"))
    return out


@pytest.mark.parametrize("csv, body", _ordinary(), ids=lambda x: "")
def test_ordinary_reports_next_to_their_table_pass(run, csv, body):
    r = run({"t.csv": csv, "r.txt": body},
            [table("t.csv", {"condition": G, "n": COUNT}), text("r.txt")])
    assert not _findings(r), said(r)
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("csv, body", _ordinary(n=10, seed=5), ids=lambda x: "")
def test_ordinary_reports_next_to_a_released_table_pass(run, tmp_path, csv, body):
    h = one_release_history(tmp_path, "old.csv", csv, table("old.csv", {"condition": G, "n": COUNT}))
    r = run({"r.txt": body}, [text("r.txt")], history=h)
    assert not _findings(r), said(r)
    assert r.verdict == "pass", said(r)


def test_a_short_code_or_letter_is_not_a_named_category(run):
    """A category "A" or "1" occurs in nearly every text: only the table's total is compared."""
    r = run({"t.csv": "group,n\nA,103\nB,250\n1,90\n", "r.txt": "A total of 350 patients had a test.\n"},
            [table("t.csv", {"group": G, "n": COUNT}), text("r.txt")])
    assert not _findings(r), said(r)


def test_switched_off_it_is_silent(run, tmp_path):
    """Both E3 settings at 0 turn the comparisons off (the tests above need them)."""
    pol = EgressPolicy(prose_table_difference_max_cells=0, prose_history_difference_max_cells=0)
    files, entries, _ = LEAKS[0]
    assert not _findings(run(files, entries, policy=pol))
    old, body, _ = _released_leaks()[0]
    h = one_release_history(tmp_path, "old.csv", old, table("old.csv", {"condition": G, "n": COUNT}))
    assert not _findings(run({"r.txt": body}, [text("r.txt")], history=h, policy=pol))
    earlier, later, _ = _text_pairs()[0]
    h = _released_texts(tmp_path / "texts", earlier)
    assert not _findings(run({"r.txt": later}, [text("r.txt")], history=h, policy=pol))


def test_more_cells_than_the_setting_go_to_review(run):
    """Over ``prose_table_difference_max_cells`` the comparison is not made: a reviewer does it."""
    files, entries, _ = LEAKS[0]
    r = run(files, entries, policy=EgressPolicy(prose_table_difference_max_cells=1))
    assert [f for f in _findings(r) if "more than are compared" in f.message_en], said(r)
