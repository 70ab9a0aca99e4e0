"""E3: a period or a kind of care written another way in a later release is the same category,
so the difference of its counts is found.  The lead's probe of 6 December: 40 persons in
"2020", then 42 in 「109年」 (the ROC year), passed; so did "2020Q1" then 「109年第1季」, "2020-01"
then "Jan 2020", 醫學中心 then "Medical center", 門診 then "Outpatient" and I21 then "Acute
myocardial infarction", "metformin" then "A10BA02" or 「二甲雙胍」.  Each spelling is tried against an earlier release, far-apart counts
stay apart, and a year now links to its months (the year minus eleven months is the twelfth).
"""
from __future__ import annotations

import pytest

from egress_review.engine.linking import norm
from egress_review.engine.period_labels import rewrite
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

SPELLINGS = [
    ("year", "2020", "109年"), ("year", "2020", "民國109年"), ("year", "2021", "ROC 110"),
    ("year", "2020年", "109年度"), ("year", "FY2020", "民國109年"), ("year", "西元2019年", "108年"),
    ("quarter", "2020Q1", "109年第1季"), ("quarter", "2020 Q1", "Q1 2020"), ("quarter", "2020-Q3", "2020年第三季"),
    ("quarter", "1Q2021", "110年第一季"), ("half", "2020H1", "109年上半年"), ("half", "H2 2020", "2020下半年"),
    ("month", "2020-01", "Jan 2020"), ("month", "2020/02", "February 2020"), ("month", "109年3月", "Mar. 2020"),
    ("month", "2020-09", "Sept 2020"), ("month", "2021-12", "2021-Dec"),
    ("level", "醫學中心", "Medical center"), ("level", "區域醫院", "Regional hospitals"),
    ("level", "地區醫院", "District hospital"), ("visit", "門診", "Outpatient"), ("visit", "住院", "Inpatients"),
    ("visit", "急診", "Emergency"), ("visit", "急診", "ER"), ("dx", "I21", "Acute myocardial infarction"),
    ("dx", "I21", "急性心肌梗塞"), ("dx", "E11", "Diabetes mellitus type 2"), ("dx", "C34", "肺癌"),
    ("dx", "C50", "Breast cancer"), ("dx", "K74", "肝硬化"), ("dx", "I25", "Ischemic heart disease"),
    ("drug", "metformin", "A10BA02"), ("drug", "Metformin", "二甲雙胍"), ("drug", "Glucophage", "metformin HCl"),
    ("drug", "Aspirin", "阿斯匹靈"), ("drug", "Bokey", "B01AC06"), ("drug", "atorvastatin", "Lipitor"),
    ("drug", "Plavix", "clopidogrel"), ("drug", "Paracetamol", "Acetaminophen"), ("drug", "Panadol", "乙醯胺酚"),
    ("drug", "Forxiga", "dapagliflozin"), ("drug", "warfarin", "華法林"), ("drug", "Lantus", "insulin glargine"),
]


def _released_then(run, tmp_path, dim, old, new, new_n):
    h = one_release_history(tmp_path, "old.csv", f"{dim},n\nOTHER,500\n\"{old}\",40\n",
                            table("old.csv", {dim: G, "n": COUNT}, description="cohort"))
    return run({"t.csv": f"{dim},n\nOTHER,500\n\"{new}\",{new_n}\n"},
               [table("t.csv", {dim: G, "n": COUNT}, description="cohort")], history=h)


@pytest.mark.parametrize("dim, old, new", SPELLINGS)
@pytest.mark.parametrize("gap", [2, 5])
def test_a_respelt_category_a_few_persons_larger_blocks(run, tmp_path, dim, old, new, gap):
    res = _released_then(run, tmp_path, dim, old, new, 40 + gap)
    assert any(h.location.get("value") == gap for h in by(res, check="differencing", severity="block")), said(res)


@pytest.mark.parametrize("dim, old, new", SPELLINGS[::4])
def test_a_respelt_category_far_larger_does_not_block(run, tmp_path, dim, old, new):
    res = _released_then(run, tmp_path, dim, old, new, 95)
    assert not by(res, check="differencing", severity="block"), said(res)


def test_a_year_minus_eleven_of_its_months_gives_the_twelfth_away(run, tmp_path):
    h = one_release_history(tmp_path, "y.csv", "year,n\n109年,600\n2019,700\n",
                            table("y.csv", {"year": G, "n": COUNT}, description="cohort"))
    sizes = [54] * 10 + [57]                   # 11 months, 3 persons left for December
    months = "".join(f"2020-{m:02d},{v}\n" for m, v in zip(range(1, 12), sizes))
    total = sum(sizes)
    res = run({"m.csv": "month,n\n" + months}, [table("m.csv", {"month": G, "n": COUNT}, description="cohort")],
              history=h)
    assert any(h.location.get("value") == 600 - total for h in by(res, check="differencing", severity="block")), \
        said(res)


@pytest.mark.parametrize("label", ["12", "1899", "2101", "109", "2020-01-15", "abc", "Q5 2020", "2020H3",
                                   "13月2020", "第1季", "上半年"])
def test_what_is_no_period_is_left_as_written(label):
    from egress_review.engine.linking import fold

    assert rewrite(fold(label)) is None


@pytest.mark.parametrize("a, b", [("2020", "2021"), ("2020Q1", "2020Q2"), ("Jan 2020", "Feb 2020"),
                                  ("109年", "110年"), ("門診", "住院"), ("醫學中心", "區域醫院"), ("I21", "I25")])
def test_different_categories_stay_apart(a, b):
    assert norm(a) != norm(b)


# An earlier release that printed its counts with their shares, as papers print one variable
# ("40 (7.4%)"): its count column read as blanks, so a later plain count a few larger linked to
# nothing and passed.
SHARE_FORMS = ["{n} ({p}%)", "{n}（{p}%）", "{n} ({p})", "{n} ( {p} % )"]


@pytest.mark.parametrize("form", SHARE_FORMS)
@pytest.mark.parametrize("gap", [1, 4])
def test_counts_printed_with_their_shares_are_differenced(run, tmp_path, form, gap):
    old = "county,patients\n" + "".join(f"{c},\"{form.format(n=n, p=p)}\"\n"
                                         for c, n, p in (("Taipei", "1,500", 97.4), ("Penghu", 40, 2.6)))
    h = one_release_history(tmp_path, "old.csv", old, table("old.csv", {"county": G, "patients": COUNT},
                                                            description="diabetes"))
    res = run({"t.csv": f"county,n\nTaipei,1500\nPenghu,{40 + gap}\n"},
              [table("t.csv", {"county": G, "n": COUNT}, description="diabetes")], history=h)
    assert any(f.location.get("value") == gap for f in by(res, check="differencing", severity="block")), said(res)
