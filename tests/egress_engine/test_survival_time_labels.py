"""E2: a survival or cumulative-incidence curve whose times are labels is read as a curve.

The probe published a Kaplan-Meier curve in a plain table whose time axis was a column of
labels ("0-30 days", "Month 3", 「第2年」, "[30, 60)"), its curve declared a median beside the
numbers at risk: with no numeric time column it went only to review, though every step's
events follow from the numbers at risk as they do over a numeric time.  Labels that are all
times (a number with a unit of time, or an interval), mostly rising in row order, are now the
time axis: a step of 1 … survival_min_events_per_step−1 events blocks.  Labels that are not
times (regions) stay in row order for a reviewer.  Generated members with fixed ids.
"""
from __future__ import annotations

import random

import pytest

from tests.egress_engine.conftest import by, said

G = {"role": "group"}
C = {"role": "count"}
_RNG = random.Random(206)
_STYLES = [lambda a, b: f"{a}-{b} days", lambda a, b: f"[{a}, {b})", lambda a, b: f"Month {a // 30 + 1}",
           lambda a, b: f"第{a // 30 + 1}年", lambda a, b: f"{a}~{b}天", lambda a, b: f"week {a // 7}",
           lambda a, b: f"{a} to {b} days", lambda a, b: f"Year {a // 30 + 1}"]
_CURVES = [("surv", "median", "survival"), ("km_estimate", "rate", "survival"),
           ("cum_incidence", "median", "incidence"), ("存活率", "std", "survival")]


def _curve(small: bool, k: int):
    n = [_RNG.randint(150, 400)]
    s = [1.0]
    rows = []
    steps = _RNG.randint(3, 6)
    bad = _RNG.randrange(steps) if small else -1
    for j in range(steps):
        events = _RNG.randint(1, 5) if j == bad else _RNG.randint(8, 20)
        s.append(s[-1] * (1 - events / n[-1]))
        rows.append((j * 30, j * 30 + 30, n[-1], s[-1]))
        n.append(n[-1] - events - _RNG.randint(0, 10))
    return rows


def _table(rows, style, head, kind):
    lines = [f"interval,at_risk,{head}"]
    for a, b, r, sv in rows:
        v = sv if kind == "survival" else 1 - sv
        label = style(a, b)
        label = f'"{label}"' if "," in label else label
        lines.append(f"{label},{r},{v:.6f}")
    return "\n".join(lines) + "\n"


SMALL = [(f"small-{i:02d}", i, _curve(True, i)) for i in range(24)]
LARGE = [(f"large-{i:02d}", i, _curve(False, i)) for i in range(16)]


def _run(run, i, rows):
    head, declared, kind = _CURVES[i % len(_CURVES)]
    text = _table(rows, _STYLES[i % len(_STYLES)], head, kind)
    return run({"t.csv": text}, [{"path": "t.csv", "kind": "table", "description": "follow-up",
                                  "columns": {"interval": G, "at_risk": C,
                                              head: {"role": "statistic", "statistic": declared,
                                                     "units_column": "at_risk"}}}])


@pytest.mark.parametrize("cid,i,rows", SMALL, ids=[c[0] for c in SMALL])
def test_a_curve_over_time_labels_blocks_on_a_small_step(run, cid, i, rows):
    r = _run(run, i, rows)
    assert by(r, check="survival", severity="block"), said(r)


@pytest.mark.parametrize("cid,i,rows", LARGE, ids=[c[0] for c in LARGE])
def test_a_curve_of_large_steps_over_time_labels_passes(run, cid, i, rows):
    r = _run(run, i, rows)
    assert r.verdict == "pass", said(r)


def test_labels_that_are_not_times_stay_with_the_reviewer(run):
    text = "region,at_risk,surv\nNorth,120,0.99\nSouth,118,0.98\nEast,100,0.97\n"
    r = run({"t.csv": text}, [{"path": "t.csv", "kind": "table", "description": "d",
                               "columns": {"region": G, "at_risk": C,
                                           "surv": {"role": "statistic", "statistic": "median",
                                                    "units_column": "at_risk"}}}])
    assert by(r, check="survival", severity="review") and not by(r, check="survival", severity="block")
