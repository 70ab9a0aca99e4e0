"""Checks that a weaker engine would pass silently: each test here fails when one rule's part
is switched off (bench/rule_switches.py, policies/rules_index.yaml)."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import by


def _t(path, columns):
    return {"path": path, "kind": "table", "description": "t", "columns": columns}


@pytest.mark.parametrize("stat", ["rate", "percent"])
def test_a_ratio_on_a_small_denominator_is_flagged_where_the_numerator_is_large(run, stat):
    """E2: a rate of 40 events over 4 persons rests on 4 persons.  The numerator alone (40) is
    over the threshold, so only the denominator check can catch it."""
    cols = {"g": {"role": "group"}, "events": {"role": "count"}, "persons": {"role": "count"},
            "r": {"role": "statistic", "statistic": stat, "units_column": "events",
                  "denominator_column": "persons"}}
    r = run({"t.csv": "g,events,persons,r\na,40,4,10.0\nb,400,200,2.0\n"}, [_t("t.csv", cols)])
    rows = {(f.location["row"], f.location["column"]) for f in by(r, check="threshold", rule="E2")}
    assert (1, "r") in rows, [(f.check, f.message_en) for f in r.findings]
    assert (2, "r") not in rows
    assert r.verdict != "pass"
