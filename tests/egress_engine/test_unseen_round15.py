"""Unseen outputs, round 15 (rule E3 differencing; E2 small cells): rounding against an exact
total.  Probed from outside through ``check_request``; each attack passed (or only went to a
reviewer, or blocked for a difference the rounding had made up) before:

- a release of rounded counts (``rounded_to``, "rounded to the nearest 10" or 「四捨五入至10」 in
  the description, or counts that are all multiples of 5/10 with nothing said) beside an exact
  total - an earlier exact release, another table of the same request, or an exact total row of
  the same table - pins a small cell once each rounded cell is read as the range it stands for
  (display ± base/2): a "10" that must be 5, a "0" that must be 2, a "5" that must be 3 to 5;
- an earlier *rounded* release against a new exact table, the same way;
- cells printed as ranges ("1035-1039", "5-9") against an exact total;
- "<5" marks beside their own total (two "<5" and a total 7: each is 3 or 4).

(``interval_cells`` reads each cell's range, ``interval_differencing`` solves the ranges with an
LP.)  Honest rounded tables - their ranges leave every small cell undetermined (0 still possible,
or a value at the threshold) - no longer block: declared rounded, their few-unit differences from
an earlier exact release were read as persons by ``differencing``, ``nested_pairs`` and
``total_gaps``.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

EXACT_REGIONS = "region,n\nNorth,1040\nSouth,2210\n"
CROSS_10 = "region,sex,n\nNorth,M,1040\nNorth,F,10\nSouth,M,1100\nSouth,F,1110\n"


def _cols(text: str, count: dict) -> dict:
    head = text.split("\n", 1)[0].split(",")
    return {**{h: G for h in head[:-1]}, head[-1]: count}


def _with_history(run, tmp_path, old, new, *, old_count=COUNT, new_count=COUNT, new_desc="t",
                  old_desc="t"):
    h = one_release_history(tmp_path, "old.csv", old,
                            {**table("old.csv", _cols(old, old_count)), "description": old_desc})
    return run({"t.csv": new}, [{**table("t.csv", _cols(new, new_count)), "description": new_desc}],
               history=h)


def _interval_blocks(r):
    return by(r, check="interval_differencing", severity="block")


# ---- (a) a rounded release against an earlier exact one ------------------------------------------
ROUNDED_VS_EXACT = {
    # name: (earlier exact, new rounded, count role, description, the pinned interval)
    "rounded_to 10: a 10 that is 5": (EXACT_REGIONS, CROSS_10, {"role": "count", "rounded_to": 10},
                                       "t", [5, 5]),
    "said: nearest 10": (EXACT_REGIONS, CROSS_10, COUNT,
                         "Counts by region and sex, rounded to the nearest 10", [5, 5]),
    "said: multiples of 10": (EXACT_REGIONS, CROSS_10, COUNT,
                              "All counts rounded to multiples of 10", [5, 5]),
    "said: 四捨五入至10": (EXACT_REGIONS, CROSS_10, COUNT, "各區性別人數，四捨五入至10", [5, 5]),
    "undeclared multiples of 10": (EXACT_REGIONS, CROSS_10, COUNT, "t", [5, 5]),
    "rounded_to 5: a 0 that is 2": ("region,n\nNorth,1044\nSouth,2210\n",
                                    "region,sex,n\nNorth,M,1040\nNorth,F,0\nSouth,M,1100\nSouth,F,1110\n",
                                    {"role": "count", "rounded_to": 5}, "t", [2, 2]),
    "rounded_to 5: a 5 that is 3-5": ("region,n\nNorth,1043\nSouth,2210\n",
                                      "region,sex,n\nNorth,M,1040\nNorth,F,5\nSouth,M,1100\nSouth,F,1110\n",
                                      {"role": "count", "rounded_to": 5}, "t", [3, 5]),
    "Chinese labels": ("地區,n\n北區,1040\n南區,2210\n",
                       "地區,性別,n\n北區,男,1040\n北區,女,10\n南區,男,1100\n南區,女,1110\n",
                       {"role": "count", "rounded_to": 10}, "t", [5, 5]),
    "age bands, base 10": ("age,n\n0-64,3040\n65+,1040\n",
                           "age,arm,n\n0-64,A,1500\n0-64,B,1540\n65+,A,1040\n65+,B,10\n",
                           {"role": "count", "rounded_to": 10}, "t", [5, 5]),
    "ranges printed": (EXACT_REGIONS,
                       "region,sex,n\nNorth,M,1035-1039\nNorth,F,5-9\nSouth,M,1100-1104\nSouth,F,1106-1110\n",
                       {"role": "suppressed"}, "t", [5, 5]),
    "ranges with en dash and 'to'": (EXACT_REGIONS,
                                     "region,sex,n\nNorth,M,1035–1039\nNorth,F,5 to 9\nSouth,M,1100–1104\nSouth,F,1106 to 1110\n",
                                     {"role": "suppressed"}, "t", [5, 5]),
}


@pytest.mark.parametrize("case", list(ROUNDED_VS_EXACT))
def test_a_rounded_release_against_an_earlier_exact_one_pins_a_small_cell(run, tmp_path, case):
    old, new, count, desc, pinned = ROUNDED_VS_EXACT[case]
    r = _with_history(run, tmp_path, old, new, new_count=count, new_desc=desc)
    hits = _interval_blocks(r)
    assert r.verdict == "block" and any(f.location["interval"] == pinned for f in hits), said(r)


def test_two_tables_of_one_request_rounded_and_exact(run):
    r = run({"a.csv": EXACT_REGIONS, "b.csv": CROSS_10},
            [table("a.csv", _cols(EXACT_REGIONS, COUNT)),
             table("b.csv", _cols(CROSS_10, {"role": "count", "rounded_to": 10}))])
    hits = _interval_blocks(r)
    assert any(f.location["interval"] == [5, 5] for f in hits), said(r)


@pytest.mark.parametrize("old_desc,old_count", [
    ("t", {"role": "count", "rounded_to": 10}),
    ("Counts rounded to the nearest 10", COUNT),
    ("t", COUNT),                                          # multiples of 10, nothing said
])
def test_an_earlier_rounded_release_against_a_new_exact_table(run, tmp_path, old_desc, old_count):
    r = _with_history(run, tmp_path, CROSS_10, EXACT_REGIONS, old_count=old_count,
                      old_desc=old_desc)
    hits = _interval_blocks(r)
    assert r.verdict == "block" and any(f.location["interval"] == [5, 5] for f in hits), said(r)
    assert all(f.file == "t.csv" for f in hits), said(r)


@pytest.mark.parametrize("csv,pinned", [
    ("region,n\nNorth,1040\nSouth,5\nEast,1105\nTotal,2146\n", [3, 5]),       # 2146 not a multiple of 5
    ("region,n\nNorth,1040\nSouth,0\nEast,1105\nWest,2000\nTotal,4153\n", [2, 2]),
    ("region,n\nNorth,1040\nSouth,10\nEast,1100\nTotal,2135\n", [5, 5]),     # base 10, total exact
])
def test_rounded_cells_beside_an_exact_total_row(run, csv, pinned):
    r = run({"t.csv": csv}, [table("t.csv", _cols(csv, COUNT))])
    hits = _interval_blocks(r)
    assert r.verdict == "block" and any(f.location["interval"] == pinned for f in hits), said(r)


@pytest.mark.parametrize("csv", [
    "region,n\nA,<5\nB,<5\nTotal,7\n",
    "region,n\nA,≤4\nB,≤4\nTotal,7\n",
    "region,n\nA,0-4\nB,0-4\nTotal,7\n",
    "region,n\nA,未滿5\nB,未滿5\nTotal,8\n",
    "region,n\nA,<5\nB,<5\nC,100\nTotal,108\n",
])
def test_marks_beside_their_own_total(run, csv):
    r = run({"t.csv": csv}, [table("t.csv", _cols(csv, {"role": "suppressed"}))])
    assert len(_interval_blocks(r)) == 2, said(r)


# ---- honest rounded tables ---------------------------------------------------------------------
HONEST = {
    "declared 10, a few off": ("region,n\nNorth,1043\nSouth,2208\n", "region,n\nNorth,1040\nSouth,2210\n",
                               {"role": "count", "rounded_to": 10}, "t"),
    "said nearest 10, a few off": ("region,n\nNorth,1043\nSouth,2208\n",
                                   "region,n\nNorth,1040\nSouth,2210\n", COUNT,
                                   "Counts rounded to the nearest 10"),
    "said 四捨五入至10": ("region,n\nNorth,1043\nSouth,2208\n", "region,n\nNorth,1040\nSouth,2210\n",
                        COUNT, "人數四捨五入至10"),
    "crosstab, small cell free": ("region,n\nNorth,1043\nSouth,2208\n", CROSS_10,
                                  {"role": "count", "rounded_to": 10}, "t"),
    "base 5, zero may be zero": ("region,n\nNorth,1040\nSouth,2210\n",
                                 "region,sex,n\nNorth,M,1040\nNorth,F,0\nSouth,M,1100\nSouth,F,1110\n",
                                 {"role": "count", "rounded_to": 5}, "t"),
    "base 100": ("region,n\nNorth,10432\nSouth,22081\n",
                 "region,sex,n\nNorth,M,5200\nNorth,F,5200\nSouth,M,11000\nSouth,F,11100\n",
                 {"role": "count", "rounded_to": 100}, "t"),
    "ranges, wide enough": ("region,n\nNorth,1043\nSouth,2210\n",
                            "region,sex,n\nNorth,M,1020-1029\nNorth,F,10-19\nSouth,M,1100-1109\nSouth,F,1100-1109\n",
                            {"role": "suppressed"}, "t"),
}


@pytest.mark.parametrize("case", list(HONEST))
def test_honest_rounded_tables_leave_small_cells_undetermined(run, tmp_path, case):
    old, new, count, desc = HONEST[case]
    r = _with_history(run, tmp_path, old, new, new_count=count, new_desc=desc)
    assert not _interval_blocks(r), said(r)
    crossing = [f for f in r.findings if f.check in ("differencing", "nested_pairs", "total_gaps")
                and f.severity != "pass"]
    if count is not COUNT or desc != "t":       # declared rounded: its digits are not persons
        assert not crossing, said(r)


@pytest.mark.parametrize("csv", [
    "region,n\nNorth,1040\nSouth,10\nEast,1100\nTotal,2157\n",
    "region,n\nNorth,1040\nSouth,0\nEast,1105\nTotal,2145\n",
    "region,n\nNorth,1040\nSouth,20\nEast,1100\nTotal,2160\n",
])
def test_rounded_cells_beside_a_total_that_leaves_them_free(run, csv):
    r = run({"t.csv": csv}, [table("t.csv", _cols(csv, COUNT))])
    assert not _interval_blocks(r), said(r)


def test_exact_tables_are_left_to_exact_differencing(run, tmp_path):
    r = _with_history(run, tmp_path, "region,n\nNorth,1043\nSouth,2208\n",
                      "region,sex,n\nNorth,M,1031\nNorth,F,12\nSouth,M,1100\nSouth,F,1108\n")
    assert not by(r, check="interval_differencing"), said(r)


# ---- percents over a stated N, too coarse to fix a count alone --------------------------------
PCT = {"role": "statistic", "statistic": "percent", "units_column": "N"}
SHARES = ("region,sex,pct,N\nNorth,M,31.8,3250\nNorth,F,0.2,3250\nSouth,M,33.8,3250\n"
          "South,F,34.2,3250\n")                       # 0.2 % of 3250: 4.9 … 8.1 persons
SHARE_COLS = {"region": G, "sex": G, "pct": PCT, "N": COUNT}


@pytest.mark.parametrize("old,pinned", [
    ("region,n\nNorth,1037\nSouth,2213\n", True),         # 31.8 % is 1032 … 1035: F = 5
    ("region,n\nNorth,1040\nSouth,2210\n", False),        # F 5 … 8: not surely small
    ("地區,n\nNorth,1037\nSouth,2213\n", True),           # renamed: linked by its categories
])
def test_coarse_percents_against_an_earlier_exact_total(run, tmp_path, old, pinned):
    og = old.split(",")[0]
    h = one_release_history(tmp_path, "old.csv", old, table("old.csv", {og: G, "n": COUNT}))
    r = run({"t.csv": SHARES}, [table("t.csv", SHARE_COLS)], history=h)
    assert bool(_interval_blocks(r)) is pinned, said(r)


def test_an_earlier_coarse_percent_release_against_a_new_exact_table(run, tmp_path):
    h = one_release_history(tmp_path, "old.csv", SHARES, table("old.csv", SHARE_COLS))
    new = "region,n\nNorth,1037\nSouth,2213\n"
    r = run({"t.csv": new}, [table("t.csv", {"region": G, "n": COUNT})], history=h)
    hits = _interval_blocks(r)
    assert r.verdict == "block" and any(f.location["interval"] == [5, 5] for f in hits), said(r)


def test_coarse_percents_alone_pass(run):
    r = run({"t.csv": SHARES}, [table("t.csv", SHARE_COLS)])
    assert r.verdict == "pass", said(r)
