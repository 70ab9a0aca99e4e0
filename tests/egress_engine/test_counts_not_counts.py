"""E2: a count cell that is no number of units - negative or infinite - never passes.

A negative count hid a small cell behind its sign (|-3| = 3 passed the threshold, which only
looked at 1 … 5), and an infinite one was neither small nor large.  Tried through the engine's
entry point on declared tables, units columns of statistics and tables found inside text files.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table

BAD = ["-3", "-1", "-5", "-4.0", "-120", "-3e0", "inf", "-inf", "Infinity", "-Infinity"]


def _tail(v):
    return f"A,{v}\nB,120\nC,200\n"


@pytest.mark.parametrize("value", BAD)
def test_declared_count_column(run, value):
    r = run({"t.csv": "region,n\n" + _tail(value)}, [table("t.csv", {"region": G, "n": COUNT})])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)


@pytest.mark.parametrize("value", BAD)
def test_units_column_of_a_mean(run, value):
    text = f"region,mean_cost,units\nA,300.5,{value}\nB,410.2,120\nC,388.0,200\n"
    cols = {"region": G, "units": COUNT,
            "mean_cost": {"role": "statistic", "statistic": "mean", "units_column": "units"}}
    r = run({"t.csv": text}, [table("t.csv", cols)])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)


@pytest.mark.parametrize("value", ["-3", "-1", "-5", "-4.0", "-120"])
@pytest.mark.parametrize("name,head,sep", [("r.txt", "region,patients\n", ","),
                                           ("r.tsv", "region\tpatients\n", "\t")])
def test_table_inside_a_text_file(run, value, name, head, sep):
    body = _tail(value).replace(",", sep)
    r = run({name: head + body}, [{"path": name, "kind": "text", "description": "summary"}])
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("value", ["-0", "0"])
def test_zero_still_goes_to_a_person(run, value):
    r = run({"t.csv": "region,n\n" + _tail(value)}, [table("t.csv", {"region": G, "n": COUNT})])
    assert r.verdict == "review", said(r)
