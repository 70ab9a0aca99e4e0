"""Issue 13: declarations that used to get disclosive tables through, one class per test.

Each test was written against the engine as it was (and failed there): the engine must infer
structure from the data, not from what the requester declares.  Rules: E2 (counts whatever
their role), E3 (margins, differencing, dominance claims), E6 (cells limit), E7 (content).
"""
from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest

from tests.egress_engine.conftest import (COUNT, G, SUPP, by, derives, one_release_history, one_table,
                                          pins,
                                          said, table)




# age × sex with its row total; the blank (a, M) is Total minus F: 3.
WIDE_WITH_TOTAL = "age,M,F,Total\na,,40,43\nb,50,60,110\nc,70,80,150\n"


# -- 1. a Total column in a long table is a margin ------------------------------------------
@pytest.mark.parametrize("total_name", ["Total", "total", "All", "合計", "Overall", "sum"])
def test_total_column_of_a_long_table_is_a_margin(run, total_name):
    text = WIDE_WITH_TOTAL.replace("Total", total_name)
    cols = {"age": G, "M": SUPP, "F": SUPP, total_name: SUPP}
    r = one_table(run, text, cols)
    assert r.verdict == "block"
    assert pins(r, 3), said(r)


@pytest.mark.parametrize("text, cols, kw", [
    # the margin column has an innocent name: it is recognised by its values (= M + F).
    pytest.param("age,M,F,persons\na,,40,43\nb,50,60,110\nc,70,80,150\n",
                 {"age": G, "M": SUPP, "F": SUPP, "persons": COUNT}, {}, id="unlabelled-sum-column"),
    # a labelled Total column is a margin even when every row has a blank
    pytest.param("age,M,F,Total\na,,40,43\nb,50,,110\nc,,80,150\n",
                 {"age": G, "M": SUPP, "F": SUPP, "Total": SUPP}, {}, id="total-column-blank-every-row"),
    # two margin rows ('Total' and 'All') make the crosstab no plain grid: the linear
    # system still recovers the blank
    pytest.param("age,M,F,Total\na,,40,43\nb,50,60,110\nTotal,53,100,153\nAll,53,100,153\n",
                 {"age": G}, {"default_role": SUPP, "column_group": "sex"}, id="crosstab-two-total-rows"),
])
def test_a_margin_however_laid_out_pins_the_blank(run, text, cols, kw):
    r = one_table(run, text, cols, **kw)
    assert r.verdict == "block"
    assert pins(r, 3), said(r)


def test_long_and_wide_declarations_get_the_same_verdict(run):
    long_ = one_table(run, WIDE_WITH_TOTAL, {"age": G, "M": SUPP, "F": SUPP, "Total": SUPP})
    wide = one_table(run, WIDE_WITH_TOTAL, {"age": G}, default_role=SUPP, column_group="sex")
    assert long_.verdict == wide.verdict == "block"


# -- 2. a count column is a count whatever role it is given --------------------------------
@pytest.mark.parametrize("role", [
    {"role": "statistic", "statistic": "mean", "units_column": "N"},
    {"role": "statistic", "statistic": "sum", "units_column": "N"},
    {"role": "statistic", "statistic": "median", "units_column": "N"},
    {"role": "statistic", "statistic": "percent", "units_column": "N", "denominator_column": "N"},
])
def test_count_column_declared_as_a_statistic_is_still_checked(run, role):
    # 'k' adds up to its Total row like a count: it is a count, 3 is under the threshold.
    text = "g,k,N\na,3,500\nb,40,600\nc,50,700\nTotal,93,1800\n"
    r = one_table(run, text, {"g": G, "k": role, "N": COUNT})
    assert r.verdict != "pass"
    assert any(f.location.get("column") == "k" and f.location.get("row") == 1 for f in r.findings), said(r)


def test_count_column_declared_as_a_group_is_still_checked(run):
    # 'k' is not needed to tell the rows apart: it is a value, not a grouping key.
    text = "region,k,N\nnorth,3,500\nsouth,40,600\neast,50,700\n"
    r = one_table(run, text, {"region": G, "k": G, "N": COUNT})
    assert r.verdict == "block"
    assert any(f.location.get("column") == "k" for f in by(r, severity="block"))


def test_integer_mean_without_margins_goes_to_review(run):
    text = "g,k,N\na,3,500\nb,40,600\nc,50,700\n"
    r = run({"t.csv": text}, [table("t.csv", {
        "g": G, "k": {"role": "statistic", "statistic": "mean", "units_column": "N"}, "N": COUNT})])
    assert r.verdict != "pass"


# -- 3. differencing links tables by their groupings, not by the declared population -------
@pytest.mark.parametrize("names", [("cohort", "other"), ("a", "b"), ("x", "y")])
def test_nested_tables_with_unrelated_population_names_are_linked(run, names):
    cols = {"sex": G, "n": COUNT}
    r = run({"all.csv": "sex,n\nM,500\nF,480\n", "sub.csv": "sex,n\nM,497\nF,470\n"},
            [table("all.csv", cols, population=names[0]), table("sub.csv", cols, population=names[1])])
    assert r.verdict == "block"
    assert derives(r, 3.0)


def test_suppressed_cell_recovered_from_a_table_of_another_declared_population(run):
    a = "age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n"
    b = "agegroup,n\n20-29,43\n30-39,110\n"
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"age": G, "sex": G, "n": SUPP}, population="p1"),
             table("b.csv", {"agegroup": G, "n": COUNT}, population="p2")])
    assert pins(r, 3, check="differencing")


def test_table_with_two_count_columns_is_not_inconsistent_with_itself(run):
    text = "sex,persons,visits\nM,500,1400\nF,480,1300\nTotal,980,2700\n"
    cols = {"sex": G, "persons": COUNT, "visits": COUNT}
    r = run({"t.csv": text, "u.csv": text},
            [table("t.csv", cols), table("u.csv", cols)])
    assert not [f for f in by(r, check="differencing") if "inconsistent" in f.message_en]
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


# -- 4. size limits count cells ------------------------------------------------------------
def test_cell_limit_same_for_long_and_wide(run):
    R, C = 200, 47
    rng = np.random.default_rng(1)
    x = rng.integers(50, 90, size=(R, C))
    wide = "dx," + ",".join(f"r{j}" for j in range(C)) + "\n" + "".join(
        f"d{i}," + ",".join(str(v) for v in x[i]) + "\n" for i in range(R))
    long_ = "dx,region,n\n" + "".join(f"d{i},r{j},{x[i, j]}\n" for i in range(R) for j in range(C))
    rw = run({"w.csv": wide}, [table("w.csv", {"dx": G}, default_role=COUNT, column_group="region")])
    rl = run({"l.csv": long_}, [table("l.csv", {"dx": G, "region": G, "n": COUNT})])
    size_w = [f for f in rw.findings if f.rule == "E6" and "cells" in f.message_en]
    size_l = [f for f in rl.findings if f.rule == "E6" and "cells" in f.message_en]
    assert size_w and size_l and rw.verdict == rl.verdict == "block"


# -- 5. content before extension -----------------------------------------------------------
def _zip_of(name, text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, text)
    return buf.getvalue()


def test_csv_that_is_a_zip_is_seen_as_an_archive(run):
    r = run({"t.csv": _zip_of("inner.csv", "age,n\na,3\n")}, [table("t.csv", {"age": G, "n": COUNT})])
    assert by(r, check="smuggling", severity="block")
    assert any("archive" in f.message_en for f in r.findings)


def test_csv_that_is_gzip_is_read_and_checked(run):
    r = run({"t.csv": gzip.compress(b"age,n\na,3\nb,100\n")}, [table("t.csv", {"age": G, "n": COUNT})])
    assert r.verdict == "block"
    assert any(f.check == "threshold" and f.location.get("row") == 1 for f in r.findings)


def test_csv_that_is_an_xlsx_is_read_as_a_workbook(run, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["age", "n"], ["a", 3], ["b", 100]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    r = run({"t.csv": buf.getvalue()}, [table("t.csv", {"age": G, "n": COUNT})])
    assert any(f.check == "threshold" and f.location.get("row") == 1 for f in r.findings), said(r)


def test_csv_that_is_parquet_is_read_as_parquet(run, tmp_path):
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"age": ["a", "b"], "n": [3, 100]}).to_parquet(buf)
    r = run({"t.csv": buf.getvalue()}, [table("t.csv", {"age": G, "n": COUNT})])
    assert any(f.check == "threshold" and f.location.get("row") == 1 for f in r.findings)


# -- 6. means: contributions can be given in the manifest, and only make it stricter -------
MEANS = "g,n,mean_cost\na,50,2100.0\nb,60,150.0\n"


def _means_stating(run, contributions: list[list[int]]):
    """MEANS checked with these contributions stated for its mean (largest first, then the
    cell's total, a row each)."""
    mean = {"role": "statistic", "statistic": "mean", "units_column": "n", "contributions": contributions}
    return one_table(run, MEANS, {"g": G, "n": COUNT, "mean_cost": mean})


def test_declared_contributions_that_show_dominance_block(run):
    r = _means_stating(run, [[100000, 500, 300, 105000], [400, 350, 300, 9000]])
    assert r.verdict == "block"
    assert [f.location.get("row") for f in r.findings if f.severity == "block"] == [1]


def test_declared_contributions_never_make_a_mean_pass(run):
    assert _means_stating(run, [[400, 350, 300, 105000], [400, 350, 300, 9000]]).verdict == "review"


def test_declared_contributions_must_match_the_table(run):
    assert _means_stating(run, [[400, 350, 300, 105000]]).verdict != "pass"


# -- 7. margins under any label ------------------------------------------------------------
@pytest.mark.parametrize("label", ["Total (n)", "All patients", "合計人數", "Overall, n", "Sum:", "總人數"])
def test_margin_rows_with_longer_labels_are_margins(run, label):
    r = run({"t.csv": f"age,n\na,\nb,100\nc,200\n\"{label}\",303\n"},
            [table("t.csv", {"age": G, "n": SUPP}, total_labels=[])])
    assert r.verdict == "block"
    assert pins(r, 3)


@pytest.mark.parametrize("label", ["Everyone", "Cohort", "n", "人數"])
def test_unlabelled_possible_total_row_goes_to_review(run, label):
    r = run({"t.csv": f"age,n\na,\nb,100\nc,200\n{label},303\n"},
            [table("t.csv", {"age": G, "n": SUPP})])
    assert r.verdict != "pass"
    assert any(f.location.get("row") == 4 for f in by(r, check="structure"))


# -- 8. margins and counts the data gives away in other forms -----------------------------
@pytest.mark.parametrize("mark", ["", ".", "(all)"])
def test_rollup_rows_with_empty_labels_are_margins(run, mark):
    # SQL ROLLUP writes NULL (an empty cell) for "all"; the blank (a, M) is 43 - 40 = 3
    text = (f"age,sex,n\na,M,\na,F,40\nb,M,50\nb,F,60\na,{mark},43\nb,{mark},110\n"
            f"{mark},M,53\n{mark},F,100\n")
    r = one_table(run, text, {"age": G, "sex": G, "n": SUPP})
    assert r.verdict == "block"
    assert pins(r, 3), said(r)


@pytest.mark.parametrize("pct, n, other", [("0.3", 1000, "50.0"), ("3.0", 100, "50.0"),
                                           ("2.5", 200, "50.0"), ("33.3", 9, "50.0"),
                                           ("0.03", 100, "0.5")])      # a share, not a percent
def test_percent_of_a_count_gives_the_count_away(run, pct, n, other):
    # declared with the big count as its 'units': the percent still gives the small count
    name = "share" if float(other) <= 1 else "pct"
    text = f"g,N,{name}\na,{n},{pct}\nb,900,{other}\n"
    cols = {"g": G, "N": COUNT,
            name: {"role": "statistic", "statistic": "percent", "units_column": "N"}}
    r = one_table(run, text, cols)
    assert any(f.location.get("row") == 1 and f.location.get("column") == name
               for f in by(r, check="structure", severity="block")), said(r)


def test_percent_of_a_big_count_passes(run):
    text = "g,N,pct\na,1000,12.3\nb,900,50.0\n"
    cols = {"g": G, "N": COUNT,
            "pct": {"role": "statistic", "statistic": "percent", "units_column": "N"}}
    r = one_table(run, text, cols)
    assert not by(r, check="structure")


def test_history_table_of_another_declared_population_is_linked(tmp_path, run):
    hist = one_release_history(
        tmp_path, "b.csv", "age_band,persons\n20-29,43\n30-39,110\n",
        table("b.csv", {"age_band": G, "persons": COUNT}, population="last_year"))
    a = "age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n"
    r = run({"a.csv": a}, [table("a.csv", {"age": G, "sex": G, "n": SUPP}, population="this_year")],
            history=hist)
    assert pins(r, 3, check="differencing")


def test_unlabelled_possible_total_column_goes_to_review(run):
    text = "age,M,F,persons\na,,40,43\nb,50,,110\nc,,80,150\n"
    r = one_table(run, text, {"age": G, "M": SUPP, "F": SUPP, "persons": SUPP})
    assert r.verdict != "pass"
    assert any(f.location.get("column") == "persons" for f in by(r, check="structure"))


def test_crosstab_of_counts_declared_as_means_is_counts(run):
    mean = {"role": "statistic", "statistic": "mean", "units_column": "N"}
    text = "age,M,F,Total,N\na,3,40,43,900\nb,50,60,110,900\n"
    r = run({"t.csv": text}, [table("t.csv", {"age": G, "M": mean, "F": mean, "Total": mean,
                                               "N": COUNT})])
    assert any(f.location.get("column") == "M" and f.location.get("row") == 1
               for f in by(r, check="threshold", severity="block"))


@pytest.mark.parametrize("labels", [("20–29", "30–39"), ("20 - 29", "30 - 39"), ("２０-２９", "３０-３９")])
def test_categories_written_differently_still_link(run, labels):
    a = "age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n"
    b = f"agegroup,n\n{labels[0]},43\n{labels[1]},110\n"
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"age": G, "sex": G, "n": SUPP}), table("b.csv", {"agegroup": G, "n": COUNT})])
    assert pins(r, 3, check="differencing")


def test_blank_in_a_table_inside_a_document_is_audited(run):
    # a Markdown report's table: the blank is its total minus the others
    md = ("# Results\n\n| age | n |\n|---|---|\n| a |  |\n| b | 100 |\n| c | 200 |\n"
          "| Total | 303 |\n")
    r = run({"report.md": md}, [{"path": "report.md", "kind": "text", "description": "report"}])
    assert r.verdict == "block"
    hits = [f for f in by(r, check="secondary", file="report.md") if f.location.get("interval")]
    assert hits and hits[0].location["interval"] == [3, 3], [(f.check, f.location) for f in r.findings]
