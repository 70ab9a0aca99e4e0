"""E3: a category renamed between two tables is still the same category (synonyms.py).

An attacker re-released a table with its labels spelled otherwise - 「女」 for "Female", "F"
for 「女性」, 「65歲以上」 for "65+", 「有」 for "Yes", "DM" for 「糖尿病」 - and the variable's
column renamed too ("sex" → 「性別」): nothing linked the two tables, so a cell a few persons
larger in the later one gave those persons away and passed differencing.  Labels are now
compared through one table of spellings (``synonyms.canonical``, used by ``linking.norm``).
Generated members: spellings × table shapes (one-way, crosstab with the variable spread over
columns, two-way long) × gaps 1 … threshold−1, against an earlier release and within one
request; and ordinary re-releases (same numbers renamed, far differences, totals restated)
that must not block.
"""
from __future__ import annotations

import itertools
import random

import pytest

from egress_review.engine.linking import norm
from egress_review.engine.prose_tables import _mentions
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

M = EgressPolicy().min_units_per_cell

# (variable names, spellings of its categories: each tuple one table's way of writing them)
VARIABLES = {
    "sex": (["sex", "性別", "gender", "Sex (性別)"],
            [("Female", "Male"), ("F", "M"), ("女", "男"), ("女性", "男性"), ("women", "men"),
             ("女生", "男生"), ("female", "male")]),
    "age": (["age", "年齡組", "age group", "年齡"],
            [("18-44", "45-64", "65+"), ("18至44歲", "45至64歲", "65歲以上"),
             ("18–44", "45–64", "≥65"), ("18 to 44", "45 to 64", "65 and over"),
             ("Age 18-44", "Age 45-64", "Age 65+"), ("18-44歲", "45-64歲", "65 years and over")]),
    "yesno": (["insulin", "使用胰島素", "on insulin", "胰島素"],
              [("Yes", "No"), ("有", "無"), ("是", "否"), ("Y", "N")]),
    "dx": (["condition", "疾病", "diagnosis", "診斷"],
           [("Diabetes", "Hypertension", "Asthma"), ("糖尿病", "高血壓", "氣喘"),
            ("DM", "HTN", "asthma"), ("E11", "I10", "J45")]),
}


def _two(rng, items):
    a, b = rng.sample(range(len(items)), 2)
    return items[a], items[b]


def _one_way(name, labels, values):
    return f"{name},n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(labels, values)), \
        {name: G, "n": COUNT}, {}


def _wide(name, labels, rows_name, rows, values):
    """The variable spread over columns, another (renamed too) down the rows."""
    body = "".join(f"{r}," + ",".join(str(v) for v in vs) + "\n" for r, vs in zip(rows, values))
    return f"{rows_name}," + ",".join(labels) + "\n" + body, {rows_name: G}, \
        {"default_role": COUNT, "column_group": name}


def _two_way(name, labels, rows_name, rows, values):
    body = "".join(f"{r},{lab},{v}\n" for r, vs in zip(rows, values) for lab, v in zip(labels, vs))
    return f"{rows_name},{name},n\n" + body, {rows_name: G, name: G, "n": COUNT}, {}


def _spellings(rng, kinds, k):
    """The k-th member's variable, and two names of it and two spellings of its categories."""
    kind = kinds[k % len(kinds)]
    names, spellings = VARIABLES[kind]
    return kind, _two(rng, names), _two(rng, spellings)


def _members(n=48, seed=5):
    """(old csv, old roles, old kw, new csv, new roles, new kw, gap, where, id)."""
    rng = random.Random(seed)
    out = []
    kinds = sorted(VARIABLES)
    for k in range(n):
        kind, (n_old, n_new), (s_old, s_new) = _spellings(rng, kinds, k)
        gap = 1 + k % (M - 1)
        shape = (k // len(kinds)) % 3
        where = "history" if k % 2 == 0 else "request"
        if shape == 0:
            vals = [rng.randrange(60, 900) for _ in s_old]
            grown = list(vals)
            grown[k % len(vals)] += gap
            old = _one_way(n_old, s_old, vals)
            new = _one_way(n_new, s_new, grown)
        else:
            other = "sex" if kind != "sex" else "age"
            onames, ospell = VARIABLES[other]
            (r_old, r_new), (o_old, o_new) = _two(rng, onames), _two(rng, ospell)
            vals = [[rng.randrange(60, 500) for _ in s_old] for _ in o_old]
            grown = [list(v) for v in vals]
            grown[k % len(o_old)][k % len(s_old)] += gap
            make = _wide if shape == 1 else _two_way
            old = make(n_old, s_old, r_old, o_old, vals)
            new = make(n_new, s_new, r_new, o_new, grown)
        ident = f"{kind}-{('one_way', 'wide', 'two_way')[shape]}-{'/'.join(s_old)}->{'/'.join(s_new)}-gap{gap}-{where}"
        out.append(pytest.param(*old, *new, gap, where, id=ident))
    return out


def _run(run, tmp_path, old, old_roles, old_kw, new, new_roles, new_kw, where):
    if where == "history":
        h = one_release_history(tmp_path, "old.csv", old, table("old.csv", old_roles, **old_kw))
        return run({"t.csv": new}, [table("t.csv", new_roles, **new_kw)], history=h)
    return run({"a.csv": old, "t.csv": new},
               [table("a.csv", old_roles, **old_kw), table("t.csv", new_roles, **new_kw)])


@pytest.mark.parametrize("old, old_roles, old_kw, new, new_roles, new_kw, gap, where", _members())
def test_a_renamed_category_a_few_larger_blocks(run, tmp_path, old, old_roles, old_kw, new,
                                                new_roles, new_kw, gap, where):
    r = _run(run, tmp_path, old, old_roles, old_kw, new, new_roles, new_kw, where)
    hits = [f for f in by(r, check="differencing", severity="block") if f.location.get("value") == gap]
    assert hits, said(r)


def _ordinary(n=24, seed=9):
    """The same numbers renamed, or every cell equal or far (≥ threshold) from the other's."""
    rng = random.Random(seed)
    out = []
    kinds = sorted(VARIABLES)
    for k in range(n):
        kind, (n_old, n_new), (s_old, s_new) = _spellings(rng, kinds, k)
        vals = [rng.randrange(60, 900) for _ in s_old]
        mode = ("restated", "far", "total")[(k // len(kinds)) % 3]
        new_vals = list(vals)
        if mode == "far":
            new_vals = [v + M + rng.randrange(0, 40) for v in vals]
        old = _one_way(n_old, s_old, vals)
        new = _one_way(n_new, s_new, new_vals)
        if mode == "total":       # the later table restates the earlier with its total
            new = (new[0] + f"Total,{sum(vals)}\n", new[1], new[2])
        out.append(pytest.param(*old, *new, id=f"{kind}-{mode}-{'/'.join(s_old)}->{'/'.join(s_new)}"))
    return out


@pytest.mark.parametrize("old, old_roles, old_kw, new, new_roles, new_kw", _ordinary())
def test_a_renamed_table_restating_or_far_from_the_earlier_one_does_not_block(
        run, tmp_path, old, old_roles, old_kw, new, new_roles, new_kw):
    r = _run(run, tmp_path, old, old_roles, old_kw, new, new_roles, new_kw, "history")
    assert not by(r, severity="block"), said(r)
    assert not by(r, check="differencing"), said(r)


@pytest.mark.parametrize("kind", sorted(VARIABLES))
def test_every_spelling_of_a_category_is_one_label(kind):
    _, spellings = VARIABLES[kind]
    for k in range(len(spellings[0])):
        assert len({norm(s[k]) for s in spellings}) == 1, [s[k] for s in spellings]
    # the categories of one variable stay apart
    assert len({norm(x) for x in spellings[0]}) == len(spellings[0])


@pytest.mark.parametrize("label", ["2019", "20-29", "E11.9", "18.5-24.9", "北區", "I10-I15", "A+B",
                                   "Teaching hospital", "3"])
def test_other_labels_keep_their_meaning(label):
    """Not every label is a synonym: years, codes below a category, decimal bands, places."""
    assert norm(label) == norm(norm(label))
    assert norm(label) not in {"female", "male", "yes", "no", "e11", "≥65"}


@pytest.mark.parametrize("sentence, label, named", [
    ("65歲以上的女性患者中，共103人接受治療。", "≥65", True),
    ("65歲以上的女性患者中，共103人接受治療。", "female", True),
    ("65歲以上的女性患者中，共103人接受治療。", "male", False),
    ("Of the women aged 65 and over, 100 had DM.", "e11", True),
    ("Of the women aged 65 and over, 100 had DM.", "<65", False),
    ("女 103 人", "female", True),
    ("男 103 人", "female", False),
    ("糖尿病患者 100 人", "e11", True),
    ("有 100 人接受治療", "yes", False),          # 有 is in nearly every Chinese sentence
], ids=lambda x: str(x)[:20])
def test_a_sentence_names_a_category_by_any_of_its_spellings(sentence, label, named):
    assert _mentions(sentence)(label) is named


# a text naming a renamed category, a few from the table's cell (prose_tables through synonyms)
PROSE = [(labels, lab_k, sentence, gap)
         for (labels, lab_k, sentence), gap in zip(itertools.cycle([
             (("F", "M"), 0, "{v}名女性患者接受治療。"),
             (("女", "男"), 0, "Of the women, {v} were treated."),
             (("<65", "65+"), 1, "65歲以上者共{v}人接受治療。"),
             (("未滿65歲", "65歲以上"), 1, "Of those aged 65 and over, {v} were treated."),
             (("E11", "I10"), 0, "糖尿病患者中，共{v}人接受治療。"),
             (("DM", "HTN"), 1, "Of the patients with hypertension, {v} were treated."),
         ]), [g for g in range(1, M) for _ in range(2)])]


@pytest.mark.parametrize("labels, lab_k, sentence, gap", PROSE, ids=lambda x: str(x)[:12])
def test_a_text_naming_a_renamed_category_a_few_from_its_cell_goes_to_review(
        run, labels, lab_k, sentence, gap):
    vals = (180, 240)
    csv = "grp,n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(labels, vals))
    r = run({"t.csv": csv, "r.txt": sentence.format(v=vals[lab_k] - gap) + "\n"},
            [table("t.csv", {"grp": G, "n": COUNT}),
             {"path": "r.txt", "kind": "text", "description": "report"}])
    hits = [f for f in by(r, check="prose_tables") if f.location["value"] == gap]
    assert hits, said(r)


@pytest.mark.parametrize("old, new, gap", [
    ("condition,n\n糖尿病+高血壓,310\nAsthma,500\n", "疾病,n\nDiabetes,307\nAsthma,500\n", 3),
    ("sex,n\n女/男,310\nunknown,50\n", "gender,n\nFemale,307\n不詳,50\n", 3),
    ("dx,n\nDM、HTN,220\n氣喘,90\n", "診斷,n\nE11,219\nJ45,90\n", 1),
    ("age,n\n65歲以上、未滿65歲,410\nunknown,80\n", "年齡組,n\n<65,405\nmissing,80\n", 5),
], ids=["zh union, en part", "slash union of sexes", "codes", "age bands"])
def test_a_union_of_renamed_categories_is_differenced(run, tmp_path, old, new, gap):
    """「糖尿病+高血壓」 then "Diabetes": the union's parts are categories as named elsewhere."""
    h = one_release_history(tmp_path, "old.csv", old, table("old.csv", {old.split(",")[0]: G, "n": COUNT}))
    r = run({"t.csv": new}, [table("t.csv", {new.split(",")[0]: G, "n": COUNT})], history=h)
    assert [f for f in by(r, check="differencing", severity="block") if f.location.get("value") == gap], said(r)
