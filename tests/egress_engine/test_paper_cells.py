"""Cells as papers print them (issue 20 §3): parsed into counts and statistics and checked as
such; a safe Table 1 passes, an unsafe one does not."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egress_review.engine.paper_cells import header_n, parse_cell
from tests.egress_engine.conftest import by


@pytest.mark.parametrize("text,context,form,parts", [
    ("12 (34.5%)", "", "n (%)", [("count", 12), ("percent", 34.5)]),
    ("12 (34.5)", "Diabetes, n (%)", "n (%)", [("count", 12), ("percent", 34.5)]),
    ("1,234 (12.0 %)", "", "n (%)", [("count", 1234), ("percent", 12.0)]),
    ("12（3.4％）", "", "n (%)", [("count", 12), ("percent", 3.4)]),
    ("3/11 (27.3%)", "", "n/N (%)", [("count", 3), ("denominator", 11), ("percent", 27.3)]),
    ("54.2 (12.1)", "Age, mean (SD)", "mean (SD)", [("mean", 54.2), ("std", 12.1)]),
    ("50 (3)", "Age, mean (SD)", "mean (SD)", [("mean", 50), ("std", 3)]),
    ("54.2 ± 12.1", "", "mean ± SD", [("mean", 54.2), ("std", 12.1)]),
    ("54.2 +/- 12.1", "", "mean ± SD", [("mean", 54.2), ("std", 12.1)]),
    ("62 [55–70]", "", "median [IQR]", [("median", 62), ("q1", 55), ("q3", 70)]),
    ("62 (55, 70)", "median (IQR)", "median [IQR]", [("median", 62), ("q1", 55), ("q3", 70)]),
    ("62 (40–90)", "Age, median (range)", "median (min–max)", [("median", 62), ("min", 40), ("max", 90)]),
    ("62 (40~90)", "年齡，中位數（最小值－最大值）", "median (min–max)", [("median", 62), ("min", 40), ("max", 90)]),
    ("18–95", "", "range", [("min", 18), ("max", 95)]),
    ("18 to 95", "", "range", [("min", 18), ("max", 95)]),
    ("45.2%", "", "number", [("percent", 45.2)]),
    ("300", "", "number", [("number", 300)]),
])
def test_paper_cells_parse(text, context, form, parts):
    c = parse_cell(text, context)
    assert c is not None and c.form == form
    assert [(s, pytest.approx(v)) for s, v in parts] == c.parts


@pytest.mark.parametrize("text", ["Male", "2019-01", "<5", "n/a", "—", ""])
def test_words_and_symbols_are_not_numbers(text):
    assert parse_cell(text) is None


@pytest.mark.parametrize("text,n", [("Male (N = 120)", 120), ("Overall, n=1,200", 1200),
                                    ("女性（共3人）", 3), ("Female\nN=45", 45), ("Male", None)])
def test_header_n(text, n):
    assert header_n(text) == n


TABLE1 = '''Characteristic,Overall (N=300),Male (N=140),Female (N=160)
"Diabetes, n (%)",90 (30.0),40 (28.6),50 (31.3)
"Age group, n (%)",,,
18–64,200 (66.7),95 (67.9),105 (65.6)
≥65,100 (33.3),45 (32.1),55 (34.4)
"Follow-up years, median [IQR]",3.2 [1.5–5.0],3.1 [1.4–4.9],3.3 [1.6–5.1]
'''


def _check(run, text, name="table1.csv"):
    return run({name: text}, [{"path": name, "kind": "text", "description": "Table 1"}])


def test_a_safe_table_one_passes(run):
    r = _check(run, TABLE1)
    assert r.verdict == "pass", [(f.check, f.location, f.message_en) for f in r.findings]


def test_table_one_in_html_and_markdown_passes_too(run):
    import io

    import pandas as pd

    df = pd.read_csv(io.StringIO(TABLE1), dtype=str, keep_default_na=False)
    html = f"<html><body>{df.to_html(index=False)}</body></html>"
    assert _check(run, html, "t1.html").verdict == "pass"


@pytest.mark.parametrize("change,where", [
    (("50 (31.3)", "3 (1.9)"), "D2"),                       # a small n (%)
    (("Female (N=160)", "Female (N=5)"), "D1"),             # a small column N
    (("105 (65.6)", "0 (0.0)"), None),                      # a zero cell: review
])
def test_an_unsafe_table_one_is_not_passed(run, change, where):
    r = _check(run, TABLE1.replace(*change))
    assert r.verdict != "pass"
    if where:
        assert any(f.location.get("cell") == where and f.severity == "block" for f in r.findings)


def test_ranges_are_a_minimum_and_a_maximum(run):
    r = _check(run, TABLE1 + '"Age, range",18–95,18–95,19–93\n')
    hits = by(r, check="single_unit", severity="block")
    assert {f.location["value"] for f in hits} >= {"18", "95", "19", "93"}


def test_means_without_contributions_go_to_review(run):
    r = _check(run, TABLE1 + '"Age, mean (SD)",54.2 (12.1),55.0 (11.8),53.5 (12.3)\n')
    assert r.verdict == "review" and by(r, check="dominance")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(6, 5000), st.sampled_from(["{n} ({p:.1f})", "{n} ({p:.1f}%)",
                                                                    "{n}（{p:.1f}％）", "{n}/{d} ({p:.1f}%)"]))
def test_any_small_n_in_any_paper_form_is_caught(n, d, form):
    text = form.format(n=n, d=d, p=100 * n / d)
    c = parse_cell(text, "Diabetes, n (%)")
    assert c is not None and ("count", n) in [(s, int(v)) for s, v in c.parts]
