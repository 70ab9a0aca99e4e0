"""E2: a rate of a declared base count gives its numerator away, like a percent does.

``rate`` 0.075 over 40 persons is 3 persons; only ``percent`` was multiplied back, so a share
declared as a rate passed.  Tried through the engine's entry point: shares, rates whose column
names their scale (per 1,000, ‰, per 100k, 每十萬人), with the base as units or denominator
column; a rate whose scale is not stated goes to a person when some scale makes it small.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table


def _run(run, col, values, base, how):
    rows = "".join(f"{r},{v},{n}\n" for r, v, n in zip("ABC", values, base))
    cols = {"region": G, "n": COUNT, col: {"role": "statistic", "statistic": "rate", how: "n"}}
    if how == "denominator_column":
        cols[col]["units_column"] = "n"
    return run({"t.csv": f"region,{col},n\n{rows}"}, [table("t.csv", cols)])


# (column name, rate of the small row, its base): each is 1 … 5 persons
SMALL = [
    ("rate", "0.075", 40), ("rate", "0.1", 30), ("share", "0.02", 100), ("rate", ".05", 60),
    ("rate_per_1000", "75", 40), ("per1000", "12.5", 400), ("rate_‰", "20", 200),
    ("incidence_per_100k", "250", 2000), ("rate per 100000", "400", 1000),
    ("發生率(每千人)", "50", 80), ("每十萬人口發生率", "300", 1000), ("rate_pct", "4", 100),
    ("rate (%)", "2.5", 120), ("per_10^4", "500", 80),
]


@pytest.mark.parametrize("how", ["units_column", "denominator_column"])
@pytest.mark.parametrize("col,value,base", SMALL)
def test_a_rate_that_gives_a_small_count_blocks(run, col, value, base, how):
    r = _run(run, col, [value, "0.5", "0.4"] if float(value) <= 1 else [value, "500", "400"],
             [base, 2000, 3000], how)
    assert any("gives away a count" in f.message_en and f.severity == "block"
               for f in by(r, check="structure")), said(r)


@pytest.mark.parametrize("value,base", [("7.5", 40), ("30", 100), ("250", 20)])
def test_a_rate_of_unstated_scale_goes_to_a_person(run, value, base):
    r = _run(run, "rate", [value, "50", "40"], [base, 2000, 3000], "units_column")
    assert r.verdict != "pass", said(r)
    assert any("states no scale" in f.message_en for f in by(r, check="structure")), said(r)


@pytest.mark.parametrize("col,values", [("rate", ["0.5", "0.5", "0.4"]),
                                        ("rate_per_1000", ["500", "500", "400"])])
def test_a_rate_of_large_counts_gives_nothing_away(run, col, values):
    r = _run(run, col, values, [400, 2000, 3000], "units_column")
    assert not any("gives away a count" in f.message_en or "states no scale" in f.message_en
                   for f in r.findings), said(r)
