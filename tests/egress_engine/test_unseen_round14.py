"""Unseen outputs, round 14 (rule E2 small counts, E6 small cells marked in words).  Probed
from outside through ``check_request``; each passed before:

- (a) group words that state a count: "a trio of deaths", "a triple death", "one set of
  triplets", "a quartet of", "a lone patient", 「兩三位病人」, 「三四名」 (``group_words``: an exact
  word is a count → block; a range of two neighbouring numbers is a bound just above its larger
  one → block when that is under the threshold, else review), and vague ones: "a handful of
  patients", "a few died", "several patients", "a small number of cases", 「數名」, 「幾位」,
  「少數病人」, 「若干名」 (a bound of ten, as "single-digit deaths": review);
- (b) counts written through names bound earlier in the same file (``x = 3`` then
  ``deaths_lanyu = x``; ``{"Lanyu": k}``; R ``x <- 3`` then ``deaths_lanyu <- x``) and through
  calls that only re-type a number (``Fraction(6, 2)``, ``Decimal("3")``, ``np.int64(3)``,
  ``math.floor(3.7)``) (``readers/const_expr``: evaluated, never run).

Every attack has a safe counterpart that must pass (or keep only a review).
"""
from __future__ import annotations

import json

import pytest

from tests.egress_engine.conftest import by, said


def _text(run, name, body, desc="summary of results"):
    return run({name: body}, [{"path": name, "kind": "text", "description": desc}])


def _code(run, name, body):
    return run({name: body}, [{"path": name, "kind": "code", "description": "analysis code"}])


# ---- (a) group words -----------------------------------------------------------------------------
EXACT = {
    "a trio of deaths": ("In Lanyu, a trio of deaths was recorded.", 3),
    "a triple death": ("In Lanyu there was a triple death.", 3),
    "set of triplets": ("In Lanyu one set of triplets was born.", 3),
    "a trio of elderly patients": ("A trio of elderly patients in Lanyu died.", 3),
    "a quartet": ("A quartet of residents of Lanyu developed sepsis.", 4),
    "quintuplets": ("In Lanyu a set of quintuplets was delivered.", 5),
    "a lone patient": ("A lone patient in Lanyu was readmitted.", 1),
    "a solitary case": ("Lanyu reported a solitary case of dengue.", 1),
    "a duo of": ("A duo of patients from Lanyu died.", 2),
    "the twins": ("In Lanyu the twins died within a week.", 2),
    "a couple died": ("In Lanyu a couple died after surgery.", 2),
    "a pair died": ("In Lanyu, a pair died.", 2),
    "三胞胎一組": ("蘭嶼三胞胎一組出生。", 3),
    "一組四胞胎": ("蘭嶼一組四胞胎早產。", 4),
}


@pytest.mark.parametrize("case", list(EXACT))
def test_an_exact_group_word_blocks_as_its_count(run, case):
    text, value = EXACT[case]
    r = _text(run, "r.txt", text + "\n")
    hits = by(r, check="prose", severity="block")
    assert r.verdict == "block" and any(f" {value} " in f.message_en for f in hits), said(r)


RANGES = ["蘭嶼有兩三位病人死亡。", "蘭嶼有三四名患者住院。", "蘭嶼一兩例死亡。", "蘭嶼有二三人死亡。",
          "蘭嶼有三五名病人再住院。", "蘭嶼四五位孕婦早產。"]


@pytest.mark.parametrize("text", RANGES)
def test_a_range_in_chinese_under_the_threshold_blocks(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict == "block" and by(r, check="prose", severity="block"), said(r)


VAGUE = ["A handful of patients in Lanyu died.", "In Lanyu a few died.",
         "Several patients in Lanyu died.", "A small number of cases in Lanyu were fatal.",
         "Only a few of them died in Lanyu.", "Very few women in Lanyu received insulin.",
         "A minority of patients in Lanyu were readmitted.",
         "蘭嶼有數名病人死亡。", "蘭嶼有幾位病患住院。", "蘭嶼僅少數病人死亡。", "蘭嶼有若干名個案。",
         "蘭嶼極少數患者死亡。", "蘭嶼有五六名病人死亡。"]          # 5-6: not surely under 6


@pytest.mark.parametrize("text", VAGUE)
def test_a_vague_small_number_goes_to_a_reviewer(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict != "pass" and by(r, check="prose"), said(r)


@pytest.mark.parametrize("text", [
    "A trio of authors reviewed the charts of 120 patients.",
    "A few studies in patients found this.",
    "Several limitations apply to this analysis of 500 patients.",
    "少數民族病人共120名。",
    "數據顯示120名病人。",
    "A single dose was given to 120 patients.",
    "A double dose in patients over 65 was not studied.",
    "There were 240 twins in the cohort of 1,200 births.",
    "本研究納入120名病人，其中60名為女性。",
    "本研究雙胞胎共240對。",
    "A couple of days later 120 patients were seen.",
    "A pair of scissors was used in 120 patients.",
])
def test_group_words_that_count_nothing_small_pass(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert not by(r, check="prose"), said(r)


# ---- (b) names bound earlier and re-typing calls -------------------------------------------------
PY = {
    "name": "x = 3\ndeaths_lanyu = x\n",
    "same line": "x = 3; deaths_lanyu = x\n",
    "chain": "a = 3\nb = a\ndeaths_lanyu = b\n",
    "arithmetic on names": "n_north = 120\nn_lanyu = 123\ndeaths_lanyu = n_lanyu - n_north\n",
    "name in a map": "k = 3\ncounts = {'North': 120, 'South': 140, 'Lanyu': k}\n",
    "name in records": "k = 3\nrows = [('North', 120), ('South', 140), ('Lanyu', k)]\n",
    "name in a Series": "import pandas as pd\nk = 3\ns = pd.Series({'North': 120, 'South': 140, 'Lanyu': k})\n",
    "annotated": "k: int = 3\ndeaths_lanyu = k * 1\n",
    "Fraction": "from fractions import Fraction\ndeaths_lanyu = Fraction(6, 2)\n",
    "Fraction string": "from fractions import Fraction\ndeaths_lanyu = Fraction('6/2')\n",
    "Decimal": "from decimal import Decimal\ndeaths_lanyu = Decimal('3')\n",
    "np.int64": "import numpy as np\ndeaths_lanyu = np.int64(3)\n",
    "np.int64 in a map": "import numpy as np\nk = np.int64(3)\ndeaths = {'North': 120, 'Lanyu': k}\n",
    "math.floor": "import math\ndeaths_lanyu = math.floor(3.7)\n",
    "numpy.float64": "import numpy\ncases_lanyu = numpy.float64('3')\n",
}


@pytest.mark.parametrize("case", list(PY))
def test_a_count_through_a_name_or_a_retyping_call_blocks(run, case):
    r = _code(run, "a.py", PY[case])
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("body", [
    "x <- 3\ndeaths_lanyu <- x\n",
    "base <- 117\ndeaths_lanyu <- 120 - base\n",
    "k <- 3L\nn_cases_lanyu <- as.integer(k)\n",
])
def test_an_r_count_through_an_earlier_name_blocks(run, body):
    r = _code(run, "a.R", body)
    assert r.verdict == "block", said(r)


def test_a_notebook_cell_count_through_a_name_blocks(run):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["x = 3\n", "deaths_lanyu = x\n"]}]}
    r = run({"a.ipynb": json.dumps(nb)},
            [{"path": "a.ipynb", "kind": "notebook", "description": "analysis"}])
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("body", [
    "x = 3\nx = 120\ndeaths_lanyu = x\n",                    # rebound to a large count
    "x = 3\nx += 200\ndeaths_lanyu = x\n",                   # changed by arithmetic
    "for x in range(3):\n    pass\ndeaths_lanyu = x\n",      # a loop variable
    "deaths_lanyu = x\nx = 3\n",                              # bound only after
    "n_boot = 3\nseed = 3\nmodel_depth = n_boot\n",           # settings
    "from fractions import Fraction\nratio = Fraction(1, 3)\n",
    "import numpy as np\nn_cases_lanyu = np.int64(120)\n",
])
def test_names_and_calls_that_give_no_small_count_pass(run, body):
    r = _code(run, "a.py", body)
    assert r.verdict != "block", said(r)


# ---- (c) a declaration that hides a count from differencing ---------------------------------------
# A count column declared ``statistic: count`` (a count of events) was no count to the linker:
# "All 500" against parts adding to 497 linked nothing and passed, though declared ``count`` it
# goes to a reviewer, and "All 500" against "Excluding Lanyu 497" blocks either way
# (``linking.event_counts``).
EVENTS = {"role": "statistic", "statistic": "count"}


def _pair(run, a, b, role_a, role_b):
    def e(p, role):
        return {"path": p, "kind": "table", "description": "t",
                "columns": {"region": {"role": "group"}, "n": role}}
    return run({"a.csv": a, "b.csv": b}, [e("a.csv", role_a), e("b.csv", role_b)])


@pytest.mark.parametrize("which", ["first", "second", "both"])
@pytest.mark.parametrize("a,b", [
    ("region,n\nAll,500\n", "region,n\nNorth,250\nSouth,247\n"),
    ("region,n\nTotal,320\n", "region,n\nNorth,120\nSouth,140\nEast,57\n"),
    ("region,n\n全部,500\n", "region,n\n北區,250\n南區,248\n"),
])
def test_parts_short_of_a_total_declared_as_event_counts_do_not_pass(run, a, b, which):
    ra = EVENTS if which in ("first", "both") else {"role": "count"}
    rb = EVENTS if which in ("second", "both") else {"role": "count"}
    r = _pair(run, a, b, ra, rb)
    assert r.verdict != "pass" and by(r, check="differencing"), said(r)


@pytest.mark.parametrize("which", ["first", "second", "both"])
def test_a_cut_against_a_total_declared_as_event_counts_blocks(run, which):
    ra = EVENTS if which in ("first", "both") else {"role": "count"}
    rb = EVENTS if which in ("second", "both") else {"role": "count"}
    r = _pair(run, "region,n\nAll,500\n", "region,n\nExcluding Lanyu,497\n", ra, rb)
    assert r.verdict == "block" and any(
        f.location.get("value") == 3 for f in by(r, check="differencing", severity="block")), said(r)


def test_event_counts_far_apart_pass(run):
    r = _pair(run, "region,n\nAll,500\n", "region,n\nExcluding Lanyu,470\n", EVENTS, EVENTS)
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("csv", ["region,n\nA,50\nB,60\nTotal,113\n", "region,n\nA,120\nB,140\n合計,262\n"])
def test_a_margin_gap_declared_as_event_counts_blocks(run, csv):
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "t",
                              "columns": {"region": {"role": "group"}, "n": EVENTS}}])
    assert r.verdict == "block" and by(r, check="margin_gaps", severity="block"), said(r)


@pytest.mark.parametrize("which", ["first", "second", "both"])
def test_a_total_gap_declared_as_event_counts_goes_to_review(run, which):
    ra = EVENTS if which in ("first", "both") else {"role": "count"}
    rb = EVENTS if which in ("second", "both") else {"role": "count"}

    def e(p, g, role):
        return {"path": p, "kind": "table", "description": "t",
                "columns": {g: {"role": "group"}, "n": role}}
    r = run({"a.csv": "sex,n\nTotal,183\n", "b.csv": "region,n\nA,60\nB,60\nC,60\n"},
            [e("a.csv", "sex", ra), e("b.csv", "region", rb)])
    assert by(r, check="total_gaps"), said(r)


@pytest.mark.parametrize("which", ["first", "second", "both"])
def test_a_nested_pair_declared_as_event_counts_is_found(run, which):
    ra = EVENTS if which in ("first", "both") else {"role": "count"}
    rb = EVENTS if which in ("second", "both") else {"role": "count"}
    r = _pair(run, "region,n\nA,60\nB,70\nC,80\n", "region,n\nA,57\nB,70\nC,80\n", ra, rb)
    assert by(r, check="nested_pairs"), said(r)


# ---- (d) odds beside a group's size ---------------------------------------------------------------
# Odds o are the share o / (1 + o); "a to b" is a / (a + b) (``odds_words``: before, the number
# went to a reviewer as one of no known meaning).
@pytest.mark.parametrize("text", [
    "Among the 120 patients in Lanyu, the odds of death were 0.026.",
    "In Lanyu (n = 120) the odds of dying were 1 to 39.",
    "In Lanyu (N=120), odds of death 0.0256.",
    "Among 120 patients in Lanyu the odds against survival were 39 to 1.",
    "Of the 200 Lanyu residents, the odds of hospitalisation were 0.01.",
    "蘭嶼120名病人的死亡勝算為0.026。",
    "蘭嶼共200名病人，住院勝算0.0152。",
])
def test_odds_of_a_stated_group_giving_a_small_count_block(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict == "block" and by(r, check="prose", severity="block"), said(r)


@pytest.mark.parametrize("text", [
    "Among 120 patients, the odds of death were 0.5.",                  # 40 persons
    "Among 120 patients, the odds ratio of death was 0.026.",          # an effect
    "Among 120 patients, the odds of death were 2.1 times higher in men.",
    "Of 500 patients the log odds were 0.03.",
    "蘭嶼120名病人的死亡勝算比為0.026。",
])
def test_odds_that_give_no_small_count_do_not_block(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert not by(r, check="prose", severity="block"), said(r)
