"""Unseen outputs, round 4 (E3: institutions, differencing across releases): the misses of a fresh red-team round, tested as classes.

A probe (run through ``check_request`` like every request) submitted outputs no test had seen.
Three classes passed without a finding:

- an institution key under a header the patterns did not list: counts, a ranking or shares per
  ``hospital``, ``provider``, ``facility``, ``clinic``, ``prescriber``, ``hosp_pseudo``,
  ``center_id`` … whose values are codes or pseudonyms (H012, HP-7f3a, A, Site 3).  Only
  ``*_id/code/name`` headers and values that name an institution (臺大醫院, 10-digit codes) were
  caught; a stable pseudonym also links one hospital across releases.
- one institution named or coded where no grouping column is: count columns per hospital
  (``hospital_H012``, ``n_hospA``, 臺大醫院 as headers without ``column_group``), or a table about
  one hospital (its description or file name: "patients of hospital H012"); the headers block,
  the request's words go to review.
- a count up to a date released again up to a later date (``through`` 2020-06-30, then
  2020-07-31; 「截至2020年6月」; 2020-01~2020-06 then 2020-01~2020-07): a date was a category
  of its own, so the two releases were never linked and the persons of the added days passed.

Members are generated from fixed lists (no randomness); each class has safe counterparts that
must still pass (institution types and levels, attributes such as ``hospital_type``, periods
that differ by many persons, daily counts that are no cumulative series).
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

# ---- institutions under headers that say so -------------------------------------------------
KEY_HEADERS = ["hospital", "Hospital", "hosp", "hosp_pseudo", "hospital_pseudonym", "provider",
               "provider_key", "facility", "clinic", "prescriber", "prescriber_pseudo", "surgeon",
               "attending", "practice", "gp", "center_id", "centre_code", "site_id", "nursing_home",
               "醫療機構", "院區", "特約機構", "處方者"]
CODES = ["H012", "HP-7f3a", "A", "Site 3", "hospital 7", "甲", "C-04", "9f1e2d", "No. 12", "B2"]
KEY_CASES = [(f"{h}-{c}", h, c) for i, h in enumerate(KEY_HEADERS)
             for c in (CODES[i % len(CODES)], CODES[(i + 3) % len(CODES)])]


def _counts(run, header, labels, count="patients", n=(340, 300, 120)):
    rows = "".join(f"{lab},{v}\n" for lab, v in zip(labels, n))
    return run({"t.csv": f"{header},{count}\n{rows}"}, [table("t.csv", {header: G, count: COUNT})])


@pytest.mark.parametrize("hid,header,code", KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_a_code_under_an_institution_header_blocks(run, hid, header, code):
    r = _counts(run, header, [code, "Other", "Unknown"])
    hits = by(r, check="institutions", severity="block")
    assert [f.location.get("row") for f in hits] == [1], said(r)


def test_a_ranking_of_pseudonymised_hospitals_blocks(run):
    text = "rank,hospital,procedures_n\n1,H012,340\n2,H044,300\n3,H003,120\n"
    r = run({"t.csv": text}, [table("t.csv", {"rank": G, "hospital": G, "procedures_n": COUNT})])
    assert len(by(r, check="institutions", severity="block")) == 3, said(r)


def test_a_wide_table_with_hospital_pseudonyms_as_columns_blocks(run):
    text = "sex,H012,H044\nF,120,130\nM,140,150\n"
    r = run({"t.csv": text}, [table("t.csv", {"sex": G}, column_group="hospital", default_role=COUNT)])
    assert len(by(r, check="institutions", severity="block")) == 2, said(r)


@pytest.mark.parametrize("header", ["hospital", "provider", "facility"])
def test_words_that_are_no_level_or_type_go_to_review(run, header):
    r = _counts(run, header, ["North", "Riverside", "Other"])
    hits = by(r, check="institutions")
    assert [f.severity for f in hits] == ["review"], said(r)
    assert "North" in hits[0].message_en and "Riverside" in hits[0].message_en


@pytest.mark.parametrize("header", ["study_site", "trial_centre", "center", "收案中心"])
def test_a_coded_site_or_centre_goes_to_review(run, header):
    r = _counts(run, header, ["S01", "S02", "S03"])
    assert r.verdict == "review", said(r)
    assert len(by(r, check="institutions", severity="review")) == 3


SAFE = [
    ("hospital", ["醫學中心", "區域醫院", "地區醫院"]),
    ("hospital", ["Teaching hospital", "Private clinics", "Other"]),
    ("hospital", ["Public", "Private", "Unknown"]),
    ("provider", ["Yes", "No", "Unknown"]),
    ("facility", ["Psychiatric hospital", "General hospital", "Community pharmacy"]),
    ("hospital_type", ["A1", "B2", "C3"]),
    ("hospital_level", ["1", "2", "3"]),
    ("hosp_region", ["R1", "R2", "R3"]),
    ("hospital_days", ["0-3", "4-7", "8+"]),
    ("hospitalised", ["Y1", "Y2", "Y3"]),
    ("site", ["r1", "r10", "r2"]),
    ("cancer_site", ["C50", "C34", "C18"]),
    ("unit", ["U1", "U2", "U3"]),
    ("center", ["North", "South", "East"]),
]


@pytest.mark.parametrize("header,labels", SAFE, ids=[f"{h}-{'/'.join(l)}" for h, l in SAFE])
def test_levels_types_and_attributes_of_institutions_still_pass(run, header, labels):
    r = _counts(run, header, labels)
    assert not by(r, check="institutions"), said(r)
    assert r.verdict == "pass", said(r)


# ---- one institution named where no grouping column is --------------------------------------
COL_HEADERS = [("hospital_H012", "hospital_H044"), ("n_hospA", "n_hospB"), ("臺大醫院", "長庚醫院"),
               ("clinic #3", "clinic #4"), ("A醫院", "B醫院"), ("甲院", "乙院"), ("醫院A", "醫院B"),
               ("doctor_D0001", "doctor_D0002"), ("hosp2", "hosp7"), ("Mackay hospital", "NTU hospital"),
               ("provider P-17", "provider P-18"), ("pharmacy 12", "pharmacy 31")]


@pytest.mark.parametrize("a,b", COL_HEADERS, ids=[c[0] for c in COL_HEADERS])
def test_count_columns_per_named_or_coded_institution_block(run, a, b):
    r = run({"t.csv": f"sex,{a},{b}\nF,120,130\nM,140,150\n"},
            [table("t.csv", {"sex": G}, default_role=COUNT)])
    assert {f.location.get("column") for f in by(r, check="institutions", severity="block")} == {a, b}, said(r)


WORDS = [("description", "patients treated at hospital H012, by sex"),
         ("description", "visits to 馬偕醫院 by sex"), ("description", "A醫院 patients by sex"),
         ("description", "clinic #3 prescriptions by sex"), ("path", "hospital_H012.csv"),
         ("path", "out/hospA_counts.csv"), ("path", "長庚醫院_by_sex.csv")]


@pytest.mark.parametrize("where,words", WORDS, ids=[w[1] for w in WORDS])
def test_a_table_about_one_named_institution_goes_to_review(run, where, words):
    path = words if where == "path" else "t.csv"
    entry = table(path, {"sex": G, "n": COUNT})
    if where == "description":
        entry["description"] = words
    r = run({path: "sex,n\nF,120\nM,140\n"}, [entry])
    assert r.verdict != "pass", said(r)        # "#3" is also a small count to the request words
    assert by(r, check="institutions", severity="review"), said(r)


SAFE_WORDS = [("hosp_2019", "hosp_2020"), ("hospital_days", "icu_days"), ("n_hosp", "n_er"),
              ("hospital_level_1", "hospital_level_2"), ("醫學中心", "區域醫院"), ("Teaching hospital", "Other")]


@pytest.mark.parametrize("a,b", SAFE_WORDS, ids=[c[0] for c in SAFE_WORDS])
def test_count_columns_of_years_levels_and_kinds_pass(run, a, b):
    r = run({"t.csv": f"sex,{a},{b}\nF,120,130\nM,140,150\n"},
            [table("t.csv", {"sex": G}, default_role=COUNT)])
    assert not by(r, check="institutions"), said(r)


@pytest.mark.parametrize("words", ["persons by hospital level and sex", "hospitalisations in 2019 by sex",
                                   "admissions to hospitals (n = 512) by sex", "區域醫院與地區醫院的病人數"])
def test_descriptions_about_levels_pass(run, words):
    entry = table("t.csv", {"sex": G, "n": COUNT})
    entry["description"] = words
    r = run({"t.csv": "sex,n\nF,120\nM,140\n"}, [entry])
    assert not by(r, check="institutions"), said(r)


# ---- counts up to a date, released again up to a later one ----------------------------------
# (header, earlier label, later label, persons in between)
PERIODS = [
    ("through", "2020-06-30", "2020-07-31", 2),
    ("as_of", "2020-06-30", "2020-07-01", 3),
    ("as of", "2021/12/31", "2022/01/31", 4),
    ("cutoff", "2019-03", "2019-04", 1),
    ("截至", "2020年6月30日", "2020年7月31日", 5),
    ("資料截止日", "2020-06", "2020-07", 2),
    ("period", "through 2020-06-30", "through 2020-07-31", 3),
    ("period", "截至2020年6月", "截至2020年7月", 2),
    ("period", "2020-06-30以前", "2020-07-31以前", 4),
    ("period", "≤2020-06-30", "≤2020-08-31", 1),
    ("period", "2020-01~2020-06", "2020-01~2020-07", 2),
    ("period", "2020-01-01 to 2020-06-30", "2020-01-01 to 2020-07-31", 5),
    ("period", "2020/01-2020/06", "2020/01-2020/07", 3),
    ("period", "since 2020-01", "since 2019-12", 2),
    ("截至", "109年6月30日", "109年7月31日", 3),
    ("period", "民國109年1月~109年6月", "民國109年1月~109年7月", 4),
]


@pytest.mark.parametrize("header,old,new,gap", PERIODS, ids=[f"{p[0]}-{p[1]}" for p in PERIODS])
def test_a_count_up_to_a_later_date_gives_the_days_between_away(tmp_path, run, header, old, new, gap):
    cols = {header: G, "persons": COUNT}
    hist = one_release_history(tmp_path, "old.csv", f"{header},persons\n{old},300\n",
                               table("old.csv", cols))
    r = run({"new.csv": f"{header},persons\n{new},{300 + gap}\n"}, [table("new.csv", cols)],
            history=hist)
    assert r.verdict == "block", said(r)
    assert any(f"{gap} unit" in f.message_en for f in by(r, check="differencing", severity="block")), said(r)


@pytest.mark.parametrize("header,old,new,gap", PERIODS[:8], ids=[f"{p[0]}-{p[1]}" for p in PERIODS[:8]])
def test_periods_that_differ_by_many_persons_pass(tmp_path, run, header, old, new, gap):
    cols = {header: G, "persons": COUNT}
    hist = one_release_history(tmp_path, "old.csv", f"{header},persons\n{old},300\n",
                               table("old.csv", cols))
    r = run({"new.csv": f"{header},persons\n{new},{340 + gap}\n"}, [table("new.csv", cols)],
            history=hist)
    assert r.verdict == "pass", said(r)


def test_daily_counts_are_days_not_cumulative_and_pass(tmp_path, run):
    cols = {"date": G, "persons": COUNT}
    hist = one_release_history(tmp_path, "old.csv", "date,persons\n2020-06-29,300\n2020-06-30,310\n",
                               table("old.csv", cols))
    r = run({"new.csv": "date,persons\n2020-06-30,310\n2020-07-01,302\n"}, [table("new.csv", cols)],
            history=hist)
    assert r.verdict == "pass", said(r)


def test_a_month_released_after_its_days_gives_the_missing_day_away(tmp_path, run):
    cols = {"period": G, "persons": COUNT}
    days = "".join(f"2020-06-{d:02d},{100 + d}\n" for d in range(1, 30))     # June 30 missing
    hist = one_release_history(tmp_path, "old.csv", "period,persons\n" + days, table("old.csv", cols))
    total = sum(100 + d for d in range(1, 30)) + 4
    r = run({"new.csv": f"period,persons\n2020-06,{total}\n"}, [table("new.csv", cols)], history=hist)
    assert any("4 unit" in f.message_en for f in by(r, check="differencing", severity="block")), said(r)


def test_date_labels_read_as_periods():
    from egress_review.engine.category_sets import cumulative_label, date_interval

    d = date_interval
    assert d("2020-06") == (d("2020-06-01")[0], d("2020-06-30")[1])
    assert d("through2020-06-30")[1] == d("2020-06-30")[1] and d("through2020-06-30")[0] < 0
    assert d("2020-13") is None and d("2020-02-30") is None and d("20-29") is None
    assert d("109年1月~109年6月") == (d("2020-01-01")[0], d("2020-06-30")[1])      # ROC years
    assert cumulative_label("as_of", "2020-06-30") == "≤2020-06-30"
    assert cumulative_label("date", "2020-06-30") == "2020-06-30"
