"""E2/E3: a declared table whose headers say what its declaration hides.

A probe declared a percentage or share column as a mean (the percent check, which recovers
p × N, never ran), an extreme (max_age, oldest, p100, range, 最大) as a mean, sum or median,
a percentile as a mean, published a standard deviation of 0 (every person of the group has
the mean's value) and wrote a bound into a group label ("A (<6)").  Each is tried in many
spellings through the engine's entry point; honest declarations and ordinary headers pass.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table


def _stat(kind, **kw):
    return {"role": "statistic", "statistic": kind, "units_column": "persons", **kw}


def _run(run, header, values, declared, persons=(120, 200, 300)):
    csv = f"region,{header},persons\n" + "".join(
        f"{r},{v},{n}\n" for r, v, n in zip("ABC", values, persons))
    return run({"t.csv": csv}, [table("t.csv", {"region": G, header: _stat(declared),
                                                "persons": COUNT})])


# a share of 120 persons that is 3 persons, headed as a percentage, declared as something else
PERCENT_HEADERS = ["share", "pct_dm", "percent_dm", "dm_%", "proportion_dm", "prevalence",
                   "dm_share", "比例", "百分比", "盛行率"]
PERCENT_DECLARED = ["mean", "sum", "median"]


@pytest.mark.parametrize("declared", PERCENT_DECLARED)
@pytest.mark.parametrize("header", PERCENT_HEADERS)
def test_a_percentage_declared_as_another_statistic_gives_its_count_away(run, header, declared):
    values = (0.025, 0.5, 0.3) if header in ("share", "dm_share", "proportion_dm", "比例") \
        else (2.5, 50, 30)
    r = _run(run, header, values, declared)
    hits = by(r, check="header_meaning", severity="block")
    assert hits and "count of 3" in hits[0].message_en, said(r)
    assert hits[0].location.get("row") is not None or hits[0].location.get("cell"), hits[0].location


EXTREME_HEADERS = ["max_age", "min_cost", "maximum", "Minimum age", "oldest", "youngest_age",
                   "highest_cost", "lowest", "age_range", "p100_cost", "p0", "100th", "最大年齡",
                   "最小費用", "最高", "最年長", "全距"]


@pytest.mark.parametrize("declared", ["mean", "sum", "median"])
@pytest.mark.parametrize("header", EXTREME_HEADERS)
def test_an_extreme_declared_as_another_statistic_blocks(run, header, declared):
    r = _run(run, header, (98, 97, 99), declared)
    assert by(r, check="header_meaning", severity="block"), said(r)
    assert r.verdict == "block"


@pytest.mark.parametrize("header", ["p50_cost", "median_cost", "q3", "p90 days", "中位數"])
def test_a_percentile_declared_as_a_mean_needs_the_percentile_units(run, header):
    r = _run(run, header, (98, 97, 99), "mean", persons=(8, 200, 300))
    assert by(r, check="header_meaning", severity="block"), said(r)


@pytest.mark.parametrize("header,declared", [("sd_cost", "std"), ("cost_sd", "mean"),
                                             ("標準差", "std"), ("variance", "mean")])
def test_a_zero_dispersion_goes_to_a_reviewer(run, header, declared):
    r = _run(run, header, (0, 50.2, 31.4), declared)
    assert by(r, check="header_meaning", severity="review"), said(r)


@pytest.mark.parametrize("label", ["A (<6)", "A (≤5)", "A (n<5)", "甲區(少於6人)", "甲區(不足5人)",
                                   "A: fewer than 6 patients"])
def test_a_bound_written_into_a_group_label_blocks(run, label):
    csv = f"region,persons\n\"{label}\",120\nB,200\nC,300\n"
    r = run({"t.csv": csv}, [table("t.csv", {"region": G, "persons": COUNT})])
    assert by(r, check="label_counts", severity="block"), said(r)


HONEST = [
    ("mean_cost", (1234.5, 2200.1, 1800.7), "mean"),
    ("cost", (1234.5, 2200.1, 1800.7), "sum"),
    ("pct_dm", (12.5, 50, 30), "percent"),
    ("median_cost", (1200, 2200, 1800), "median"),
    ("sd_cost", (10.5, 50.2, 31.4), "std"),
    ("mean_age", (61.2, 58.3, 60.1), "mean"),
    ("average_stay_days", (4.5, 6.1, 5.2), "mean"),
    ("first_visit_cost", (1234.5, 2200.1, 1800.7), "mean"),
    ("topic_score", (3.5, 4.1, 2.2), "mean"),
]


@pytest.mark.parametrize("header,values,declared", HONEST, ids=[h for h, _, _ in HONEST])
def test_an_honest_declaration_is_not_flagged(run, header, values, declared):
    kw = {"denominator_column": "persons"} if declared == "percent" else {}
    csv = f"region,{header},persons\n" + "".join(
        f"{r},{v},{n}\n" for r, v, n in zip("ABC", values, (120, 200, 300)))
    r = run({"t.csv": csv}, [table("t.csv", {"region": G, header: _stat(declared, **kw),
                                             "persons": COUNT})])
    assert not by(r, check="header_meaning"), said(r)


@pytest.mark.parametrize("label", ["A (n=120)", "Aged <65", "BMI <18.5", "<20 years", "甲區"])
def test_ordinary_group_labels_pass(run, label):
    csv = f"region,persons\n\"{label}\",120\nB,200\nC,300\n"
    r = run({"t.csv": csv}, [table("t.csv", {"region": G, "persons": COUNT})])
    assert not by(r, check="label_counts"), said(r)


COUNT_HEADERS = ["n", "events", "deaths", "patients", "人數", "count", "n_cases"]
_MODEL = {"family": "ols", "n_obs": 1000, "df_resid": 990, "n_params": 10}


@pytest.mark.parametrize("header", COUNT_HEADERS)
@pytest.mark.parametrize("as_", ["estimate", "mean"])
def test_a_count_declared_as_an_estimate_or_statistic_blocks(run, header, as_):
    csv = f"term,coef,se,{header}\nregion A,0.31,0.12,3\nregion B,0.12,0.10,120\n"
    if as_ == "estimate":
        cols = {"term": G, "coef": {"role": "estimate"}, "se": {"role": "estimate"},
                header: {"role": "estimate"}}
        kw = {"output": "regression", "model": _MODEL}
    else:
        csv = f"region,mean_cost,{header},persons\nA,30.5,3,120\nB,40.2,120,200\n"
        cols = {"region": G, "mean_cost": _stat("mean"), header: _stat("mean"), "persons": COUNT}
        kw = {}
    r = run({"t.csv": csv}, [table("t.csv", cols, **kw)])
    hits = by(r, check="header_meaning", severity="block")
    assert hits and hits[0].location.get("column") == header, said(r)


def test_a_model_table_with_large_counts_is_not_flagged(run):
    csv = "term,coef,se,n,mean_n_visits\nregion A,0.31,0.12,300,2.5\nregion B,0.12,0.10,120,3.1\n"
    cols = {"term": G, "coef": {"role": "estimate"}, "se": {"role": "estimate"},
            "n": {"role": "estimate"}, "mean_n_visits": {"role": "estimate"}}
    r = run({"t.csv": csv}, [table("t.csv", cols, output="regression", model=_MODEL)])
    assert not by(r, check="header_meaning"), said(r)
