"""E2: a ratio of two counts or a mode, declared as another statistic, goes to a reviewer.

The red-team probe of declared statistics left these passing: ``mf_death_ratio`` = 1.5
declared a median (3 deaths to 2: neither count is shown, so no rule could check them), and
``mode_age`` declared a mean (a small group's commonest value is a person's value).  Generated
over ratio and mode headers (English and Chinese, with and without separators) and the
statistic declared; headers that only contain the letters (duration, operation, model) and
ordinary statistics must not be sent to review for it.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import by, said

G = {"role": "group"}


def _stat(kind: str) -> dict:
    return {"role": "statistic", "statistic": kind, "units_column": "persons"}


RATIOS = ["mf_death_ratio", "sex_ratio", "male_to_female_ratio", "ratio_deaths", "death ratio",
          "case-control ratio", "deaths_m:f", "性別比", "死亡比值", "男女死亡比值", "odds_ratio",
          "readmission ratio"]
MODES = ["mode_age", "modal_los", "age_mode", "most common age", "commonest_dx_count", "眾數年齡",
         "最常見年齡"]
DECLARED = ["median", "mean", "sum", "rate", "percentile"]


def _members():
    out = []
    for i, header in enumerate(RATIOS + MODES):
        for j, declared in enumerate(DECLARED):
            if (i + j) % 2:            # half the pairs keep the set small; every header and
                continue               # every declaration still occurs
            out.append(pytest.param(header, declared, id=f"{header}-{declared}"))
    return out


@pytest.mark.parametrize("header,declared", _members())
def test_a_ratio_or_mode_declared_otherwise_goes_to_review(run, header, declared):
    extra = {"percentile": 0.5} if declared == "percentile" else {}
    csv = f"region,persons,{header}\nnorth,120,1.5\nsouth,340,0.8\n"
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "t", "columns": {
        "region": G, "persons": {"role": "count"}, header: {**_stat(declared), **extra}}}])
    hits = [f for f in by(r, check="header_meaning") if f.location.get("column") == header]
    assert hits, said(r)
    assert r.verdict != "pass", said(r)


@pytest.mark.parametrize("header", ["mean_duration", "operation_cost", "model_score", "median_los",
                                    "mean_age", "moderate_share_sd", "平均住院日數", "中位數費用"])
def test_headers_that_only_contain_the_letters_are_not_sent_for_it(run, header):
    csv = f"region,persons,{header}\nnorth,120,11.5\nsouth,340,10.8\n"
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "t", "columns": {
        "region": G, "persons": {"role": "count"}, header: _stat("mean")}}])
    assert not [f for f in by(r, check="header_meaning") if "ratio or a mode" in f.message_en], said(r)
