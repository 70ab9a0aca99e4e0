"""E1/E2/E7, round 3: what the output IS, however it is declared or dressed.

An attacker who read ``test_declared_round2.py`` found, before this file:

- (a) a frequency table typed into program text or prose that passes as code or a document:
  MATLAB/Octave/Julia ``counts = [120 3 140; 88 2 97]``, R ``deaths <- c(120, 3, 140)``,
  ``matrix(c(…))``, a table in a Python docstring or comment aligned by spaces, framed in ASCII
  art or one space apart, a LaTeX ``tabular`` (rows on one line too, in a notebook), a
  Markdown table in a notebook's stream, a table in ``<pre>``, Stata's ``tabulate`` log: passed
  or went to a reviewer as numbers of no known role; SQL ``VALUES … AS t(cols)`` and a
  JavaScript ``const deaths = {…}`` only went to review (``readers/program_arrays.py``,
  ``printed.delimited_blocks``/``tabular_blocks``/``page_tables``, ``data_statements``);
- (b) count headers in other languages and shorthands - ``muertes``, ``effectif``, ``Anzahl``,
  「患者数」, ``환자 수``, ``số ca``, ``jumlah``, ``num_pts``, ``# of``, ``headcount``, ``Freq.``
  - read as numbers of no known role (review), not as counts (``count_words.py``);
- (c) a declared top code that took any value at or above the cap as treated (a cap of 0
  treated every maximum), a minimum at the top cap (every person of the group beyond it), a
  "rounding to 1" of whole numbers (``single_unit._treated``); persons' rows - a birth date,
  an admission and a discharge date, a weight to its decimals - behind a units column made up
  to be 10 or more on every row (``disguised_records.py``).

Every member runs through ``check_request`` (the ``run`` fixture) and has an honest twin (the
same text with large counts, or an ordinary output) that must not be blocked for it.
"""
from __future__ import annotations

import datetime

import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by, said
from tests.egress_engine.declared_round3_cases import HIDDEN, large, small

G = {"role": "group"}
C = {"role": "count"}


def entry(path, kind, description="analysis output"):
    return {"path": path, "kind": kind, "description": description}


def _threshold_blocks(r):
    return by(r, check="threshold", severity="block")


# ---- (a) tables in program text and in prose that passes as code or a document ---------------
@pytest.mark.parametrize("name", list(HIDDEN))
def test_a_table_hidden_in_program_text_or_prose_blocks(run, name):
    path, body, kind = HIDDEN[name]
    r = run({path: small(body)}, [entry(path, kind)])
    assert r.verdict == "block", said(r)
    assert _threshold_blocks(r), said(r)


@pytest.mark.parametrize("name", list(HIDDEN))
def test_the_same_text_with_large_counts_is_not_blocked_for_a_count(run, name):
    path, body, kind = HIDDEN[name]
    r = run({path: large(body)}, [entry(path, kind)])
    assert not _threshold_blocks(r), said(r)


ORDINARY = {
    "python model code": ("train.py", 'import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n'
                          'def fit(X, y):\n    """Fit the model.\n\n    Parameters\n    ----------\n'
                          '    X : array of shape (n, p)\n    y : labels\n    """\n'
                          '    m = LogisticRegression(max_iter=200, C=1.0)\n    return m.fit(X, y)\n\n'
                          'bins = [0, 18, 45, 65, 120]\n', "code"),
    "numpy-style docstring": ("d.py", 'def f(a, b):\n    """\n    Returns\n    -------\n    out : ndarray\n'
                              '        the result\n    """\n    return a + b\n', "code"),
    "MATLAB with small constant matrices": ("s.m", "% simulate\nA = [2 1; 1 3];\nx = linspace(0, 1, 100);\n"
                                            "R = [0 -1; 1 0];\nedges = [0 18 45 65 120];\nfor k = 1:10\n"
                                            "  y(k) = k^2;\nend\n", "code"),
    "R model code": ("a.R", "library(survival)\nfit <- coxph(Surv(time, status) ~ age + sex, data = d)\n"
                     "breaks <- c(0, 18, 45, 65, 120)\nquantiles <- c(0.25, 0.5, 0.75)\nset.seed(42)\n", "code"),
    "SQL query": ("q.sql", "SELECT region, COUNT(*) AS n FROM cohort GROUP BY region HAVING COUNT(*) >= 10;\n",
                  "code"),
    "R lm summary": ("lm.txt", "Call:\nlm(formula = y ~ x, data = d)\n\nCoefficients:\n"
                     "            Estimate Std. Error t value Pr(>|t|)    \n"
                     "(Intercept)  1.23456    0.45123   2.736  0.00631 ** \n"
                     "x            0.56789    0.12345   4.600 4.23e-06 ***\n---\n"
                     "Residual standard error: 1.2 on 998 degrees of freedom\n"
                     "Multiple R-squared:  0.21,\tAdjusted R-squared:  0.20 \n"
                     "F-statistic: 21.2 on 1 and 998 DF,  p-value: 4.23e-06\n", "text"),
    "ASCII coefficient table in Markdown": ("r.md", "# Results\n\n```\n+----------+----------+-------+\n"
                                            "| term     | estimate | se    |\n+----------+----------+-------+\n"
                                            "| age      | 0.032    | 0.004 |\n| female   | -0.210   | 0.051 |\n"
                                            "| smoker   | 0.412    | 0.066 |\n+----------+----------+-------+\n```\n",
                                            "text"),
    "aligned table of large counts": ("c.txt", "region   deaths\nNorth    120\nSouth    130\nEast     140\n", "text"),
}


@pytest.mark.parametrize("name", list(ORDINARY))
def test_ordinary_code_and_documents_pass(run, name):
    path, body, kind = ORDINARY[name]
    r = run({path: body}, [entry(path, kind)])
    assert r.verdict == "pass", said(r)


def test_a_sealed_regression_table_still_passes(run, tmp_path):
    from tests.egress_engine.test_outputs import COEF, GOOD_MODEL, _seal_sidecar, reg

    (tmp_path / "m.csv").write_text(COEF)
    _seal_sidecar(tmp_path, "m.csv", {"model": GOOD_MODEL})
    r = run({}, [reg("m.csv")])
    assert r.verdict == "pass", said(r)


def test_a_figure_with_its_sealed_data_still_passes(run, tmp_path):
    from tests.egress_engine.test_outputs import _files, _seal_figure, fig

    _files(tmp_path)
    _seal_figure(tmp_path, "fig.svg", "bars.csv")
    r = run({}, [fig("fig.svg", "bars.csv"),
                 {"path": "bars.csv", "kind": "table", "description": "bars",
                  "columns": {"group": G, "n": C}}])
    assert r.verdict == "pass", said(r)


def test_an_unnamed_grid_of_small_and_large_numbers_goes_to_a_person(run):
    r = run({"a.m": "tab = [120 3 140; 88 2 97];\n"}, [entry("a.m", "code")])
    assert r.verdict == "review", said(r)
    assert any("grid of whole numbers named 'tab'" in f.message_en for f in by(r, check="content")), said(r)


# ---- (b) count headers in other languages and shorthands --------------------------------------
HEADERS = ["muertes", "casos", "pacientes", "defunciones", "fallecidos", "óbitos", "effectif",
           "décès", "nombre de cas", "Anzahl", "Fälle", "Todesfälle", "Patienten", "aantal", "casi",
           "decessi", "liczba", "hasta sayısı", "jumlah", "kasus", "số ca", "số bệnh nhân", "число",
           "количество", "人数", "件数", "患者数", "症例数", "死亡者数", "환자 수", "사망자 수", "건수",
           "จำนวน", "n_pts", "num_pts", "cnt_deaths", "# of deaths", "headcount", "freq", "Freq.",
           "tally", "N="]


@pytest.mark.parametrize("header", HEADERS)
def test_a_count_header_in_another_language_blocks_a_small_count(run, header):
    r = run({"t.txt": f"region,{header}\nA,120\nB,3\nC,140\n"}, [entry("t.txt", "text")])
    assert r.verdict == "block", said(r)
    assert any(f.location.get("column") == header for f in _threshold_blocks(r)), said(r)


@pytest.mark.parametrize("header", HEADERS)
def test_a_count_header_in_another_language_with_large_counts_is_not_blocked(run, header):
    r = run({"t.txt": f"region,{header}\nA,120\nB,130\nC,140\n"}, [entry("t.txt", "text")])
    assert not _threshold_blocks(r), said(r)


@pytest.mark.parametrize("header", ["muertes", "Anzahl", "患者数", "환자 수", "số ca", "num_pts",
                                    "# of deaths", "Freq."])
def test_a_count_header_declared_a_mean_is_judged_as_a_count(run, header):
    cols = {"region": G, "persons": C,
            header: {"role": "statistic", "statistic": "mean", "units_column": "persons"}}
    r = run({"t.csv": f"region,persons,{header}\nA,120,120.0\nB,130,3.0\nC,140,140.0\n"},
            [{"path": "t.csv", "kind": "table", "description": "means", "columns": cols}])
    assert r.verdict == "block", said(r)
    assert any(f.location.get("column") == header
               for f in by(r, check="header_meaning", severity="block")), said(r)


@pytest.mark.parametrize("header", ["nombre", "puntuación", "Gewicht", "점수", "氏名", "score", "numéro"])
def test_words_that_are_no_count_are_not_read_as_one(run, header):
    # Spanish "nombre" is a name, 점수 a score, numéro an identifier: no count, no threshold
    r = run({"t.txt": f"region,{header}\nA,120\nB,3\nC,140\n"}, [entry("t.txt", "text")])
    assert not _threshold_blocks(r), said(r)


# ---- (c) declared treatments and a made-up units column ---------------------------------------
ALLOW = EgressPolicy(allow_extremes_with_treatment=True)


def _stat(kind, **kw):
    return {"role": "statistic", "statistic": kind, "units_column": "persons", **kw}


UNTREATED = {
    "top code of 0": ("max_age", "87", "93", _stat("max", top_coded_at=0)),
    "bottom code above every value": ("max_age", "87", "93", _stat("max", bottom_coded_at=200)),
    "minimum at the top cap": ("min_age", "90", "90", _stat("min", top_coded_at=90)),
    "maximum at the bottom cap": ("max_age", "18", "18", _stat("max", bottom_coded_at=18)),
    "whole numbers rounded to 1": ("max_age", "87", "93", _stat("max", rounded_to=1)),
    "whole numbers rounded to 0.5": ("max_age", "87", "93", _stat("max", rounded_to=0.5)),
    "tenths rounded to 0.1": ("max_cost", "87.3", "93.1", _stat("max", rounded_to=0.1)),
}


@pytest.mark.parametrize("name", list(UNTREATED))
def test_an_extreme_the_declared_treatment_does_not_cover_blocks(run, name):
    col, a, b, role = UNTREATED[name]
    r = run({"t.csv": f"region,persons,{col}\nA,120,{a}\nB,130,{b}\n"},
            [{"path": "t.csv", "kind": "table", "description": "t",
              "columns": {"region": G, "persons": C, col: role}}], policy=ALLOW)
    assert r.verdict == "block", said(r)
    assert by(r, check="single_unit", severity="block"), said(r)


@pytest.mark.parametrize("col,a,b,role", [
    ("max_age", "90", "90", _stat("max", top_coded_at=90)),
    ("min_age", "18", "18", _stat("min", bottom_coded_at=18)),
    ("max_age", "90", "100", _stat("max", rounded_to=10)),
    ("max_cost", "87.5", "93.0", _stat("max", rounded_to=0.5)),
], ids=["max at its top code", "min at its bottom code", "rounded to 10", "tenths rounded to 0.5"])
def test_an_extreme_carrying_its_treatment_passes(run, col, a, b, role):
    r = run({"t.csv": f"region,persons,{col}\nA,120,{a}\nB,130,{b}\n"},
            [{"path": "t.csv", "kind": "table", "description": "t",
              "columns": {"region": G, "persons": C, col: role}}], policy=ALLOW)
    assert r.verdict == "pass", said(r)


D0 = datetime.date(2020, 1, 1)


def _rows(n, f):
    return "\n".join(f(i) for i in range(n)) + "\n"


def _day(k):
    return D0 + datetime.timedelta(days=k)


RECORDS = {
    "admission date, exact age, sex": (
        "admit_date,age,sex,n_patients\n"
        + _rows(24, lambda i: f"{_day(7 * i + i % 3)},{30 + (i * 7) % 50},{'MF'[i % 2]},{10 + (i * 5) % 13}"),
        ["admit_date", "age", "sex"], "n_patients"),
    "birth date and sex": (
        "birth_date,sex,n\n" + _rows(24, lambda i: f"{_day(-9000 - 37 * i)},{'MF'[i % 2]},{10 + (i * 5) % 13}"),
        ["birth_date", "sex"], "n"),
    "admission and discharge dates": (
        "admission_date,discharge_date,n\n"
        + _rows(24, lambda i: f"{_day(5 * i)},{_day(5 * i + 2 + i % 4)},{10 + (i * 5) % 13}"),
        ["admission_date", "discharge_date"], "n"),
    "exact age, sex and weight": (
        "age,sex,weight,n\n" + _rows(24, lambda i: f"{30 + (i * 7) % 50},{'MF'[i % 2]},{55 + i * 1.3:.1f},"
                                                   f"{10 + (i * 5) % 13}"),
        ["age", "sex", "weight"], "n"),
    "a date column by its values": (
        "visit,ward,persons\n" + _rows(30, lambda i: f"{_day(3 * i)},W{i % 4},{11 + (i * 7) % 17}"),
        None, None),
    "dob under a Chinese header": (
        "出生日期,性別,人數\n" + _rows(20, lambda i: f"{_day(-12000 - 41 * i)},{'男女'[i % 2]},{12 + i % 9}"),
        ["出生日期", "性別"], "人數"),
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_persons_rows_behind_a_made_up_units_column_block(run, name):
    text, groups, units = RECORDS[name]
    header = text.split("\n")[0].split(",")
    groups = groups or header[:-1]
    units = units or header[-1]
    cols = {g: G for g in groups}
    cols[units] = C
    r = run({"t.csv": text}, [{"path": "t.csv", "kind": "table", "description": "t", "columns": cols}])
    if name == "a date column by its values":
        # one fine grouping whose values each come once: a daily series - not blocked for it
        assert not by(r, check="disguised_records"), said(r)
        return
    assert r.verdict == "block", said(r)
    assert by(r, check="disguised_records", severity="block"), said(r)


HONEST_TABLES = {
    "daily counts by region": (
        "date,region,n\n" + _rows(40, lambda i: f"{_day(i // 2)},{'NS'[i % 2]},{23 + (i * 11) % 37}"),
        {"date": G, "region": G, "n": C}),
    # (ages written "20y": a column of bare two-digit ages read as hex pairs is encoded_runs'
    # business, not this file's)
    "single years of age by sex": (
        "age,sex,n\n" + _rows(40, lambda i: f"{20 + i // 2}y,{'MF'[i % 2]},{31 + (i * 13) % 41}"),
        {"age": G, "sex": G, "n": C}),
    "months by region": (
        "month,region,n\n" + _rows(24, lambda i: f"2020-{1 + i // 2:02d},{'NS'[i % 2]},{25 + (i * 7) % 29}"),
        {"month": G, "region": G, "n": C}),
}


@pytest.mark.parametrize("name", list(HONEST_TABLES))
def test_crossed_tables_of_fine_groups_are_not_taken_for_persons(run, name):
    text, cols = HONEST_TABLES[name]
    r = run({"t.csv": text}, [{"path": "t.csv", "kind": "table", "description": "t", "columns": cols}])
    assert not by(r, check="disguised_records"), said(r)
    assert r.verdict != "block", said(r)
