"""E1: person-level rows declared as a summary table.

A probe published one row per person as "mean cost by group": grouped by exact age, birth
year, visit date or postcode beside other attributes, with a units column that claims the
same number (6, 10, 25 …) on every row, or with group combinations repeated row after row.
The declaration is not believed: the table's own shape decides.  Ordinary aggregates - a
full age × sex crosstab, an age pyramid, deciles, banded groups with varying counts, a ROLLUP
layout whose labels are printed once per block - keep passing this check.
"""
from __future__ import annotations

import random

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table

FINE = {
    "age": lambda r: r.randint(20, 95),
    "birth_year": lambda r: r.randint(1925, 2005),
    "visit_date": lambda r: f"2023-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "zip_code": lambda r: r.randint(100, 983),
    "出生年": lambda r: r.randint(1925, 2005),
    "bmi": lambda r: round(r.uniform(16, 40), 1),
}
OTHER = {
    "sex": lambda r: r.choice("MF"),
    "city": lambda r: r.choice(["Taipei", "Tainan", "Hualien", "Taichung"]),
    "icd": lambda r: r.choice(["E11", "I10", "J45", "C50"]),
}


def _person_rows(fine: str, other: str, n_rows: int, claimed: int, seed: int) -> str:
    r = random.Random(seed)
    lines = [f"{other},{fine},mean_cost,persons"]
    for _ in range(n_rows):
        lines.append(f"{OTHER[other](r)},{FINE[fine](r)},{round(r.uniform(100, 9000), 1)},{claimed}")
    return "\n".join(lines) + "\n"


def _cols(fine: str, other: str) -> dict:
    return {other: G, fine: G, "persons": COUNT,
            "mean_cost": {"role": "statistic", "statistic": "mean", "units_column": "persons"}}


@pytest.mark.parametrize("claimed", [6, 10, 25])
@pytest.mark.parametrize("other", list(OTHER))
@pytest.mark.parametrize("fine", list(FINE))
def test_person_rows_with_a_claimed_count_block(run, fine, other, claimed):
    csv = _person_rows(fine, other, 60, claimed, seed=hash((fine, other, claimed)) % 1000)
    r = run({"t.csv": csv}, [table("t.csv", _cols(fine, other))])
    hits = by(r, check="microdata", severity="block")
    assert hits and hits[0].location.get("column"), said(r)


@pytest.mark.parametrize("n_rows", [12, 40, 200])
def test_rows_repeating_their_groups_block(run, n_rows):
    r_ = random.Random(n_rows)
    body = "".join(f"{r_.choice('MF')},{r_.choice(['20-39', '40-59', '60+'])},"
                   f"{round(r_.uniform(100, 9000), 1)},{r_.randint(6, 90)}\n" for _ in range(n_rows))
    r = run({"t.csv": "sex,age_band,mean_cost,persons\n" + body},
            [table("t.csv", {"sex": G, "age_band": G, "persons": COUNT,
                             "mean_cost": {"role": "statistic", "statistic": "mean",
                                           "units_column": "persons"}})])
    assert by(r, check="microdata", severity="block"), said(r)


def test_a_constant_claimed_count_alone_goes_to_a_reviewer(run):
    body = "".join(f"{s},{b},{1000 + 7 * i},10\n"
                   for i, (s, b) in enumerate((s, b) for s in "MF" for b in
                                              ["0-9", "10-19", "20-29", "30-39", "40-49", "50-59"]))
    r = run({"t.csv": "sex,age_band,mean_cost,persons\n" + body},
            [table("t.csv", {"sex": G, "age_band": G, "persons": COUNT,
                             "mean_cost": {"role": "statistic", "statistic": "mean",
                                           "units_column": "persons"}})])
    hits = by(r, check="microdata")
    assert hits and all(f.severity == "review" for f in hits), said(r)


def _ordinary(run, csv: str, cols: dict):
    r = run({"t.csv": csv}, [table("t.csv", cols)])
    assert not by(r, check="microdata"), said(r)


def test_a_full_age_by_sex_crosstab_is_not_microdata(run):
    body = "".join(f"{a},{s},{20 + (a * 7 + ord(s)) % 50}\n" for a in range(20, 90) for s in "MF")
    _ordinary(run, "age,sex,persons\n" + body, {"age": G, "sex": G, "persons": COUNT})


def test_an_age_pyramid_is_not_microdata(run):
    body = "".join(f"{a},{30 + a % 17}\n" for a in range(0, 100))
    _ordinary(run, "age,persons\n" + body, {"age": G, "persons": COUNT})


def test_deciles_with_equal_counts_are_not_microdata(run):
    body = "".join(f"D{d},{1000 + 150 * d},120\n" for d in range(1, 11))
    _ordinary(run, "decile,mean_income,persons\n" + body,
              {"decile": G, "persons": COUNT,
               "mean_income": {"role": "statistic", "statistic": "mean", "units_column": "persons"}})


def test_banded_groups_with_varying_counts_are_not_microdata(run):
    body = "".join(f"{s},{b},{c},{1000 + i},{10 + i * 3}\n" for i, (s, b, c) in enumerate(
        (s, b, c) for s in "MF" for b in ["20-39", "40-59", "60+"] for c in ["north", "south"]))
    _ordinary(run, "sex,age_band,region,mean_cost,persons\n" + body,
              {"sex": G, "age_band": G, "region": G, "persons": COUNT,
               "mean_cost": {"role": "statistic", "statistic": "mean", "units_column": "persons"}})


def test_labels_printed_once_per_block_are_not_repeats(run):
    rows = []
    for s in "MF":
        for k, b in enumerate(["20-29", "30-39", "40-49", "50-59", "60-69", "70+"]):
            rows.append(f"{s if k == 0 else ''},{b},{40 + k * 3 + (s == 'F')}")
    _ordinary(run, "sex,age_band,persons\n" + "\n".join(rows) + "\n",
              {"sex": G, "age_band": G, "persons": COUNT})
