"""E2: a share written as a decimal beside its group's size in a sentence.

A probe wrote "Among the 120 northern patients, mean mortality 0.025 (SD 0.157)": a mean with a
large count in its sentence passed, yet 0.025 × 120 is 3 deaths and the SD says the same.
Generated over group sizes, small counts, the small side (the event or the rest), the words
that make the decimal a share (English and Chinese), and the statistic carrying it (a share, a
mean of an event, an SD of it).  Estimates, p-values, intervals and means of measurements in
the same sentences must not block.
"""
from __future__ import annotations

import math

import pytest

from tests.egress_engine.conftest import said

M = 6
GROUPS = [120, 250, 480]
SMALL = [1, 2, 3, 5]


def _text(run, sentence: str):
    return run({"r.txt": sentence + "\n"}, [{"path": "r.txt", "kind": "text",
                                             "description": "results"}])


def _share_findings(r, severity):
    return [f for f in r.findings if f.check == "prose" and f.severity == severity
            and "group of" in f.message_en]


def _dec(p: float, n: int) -> str:
    return f"{p:.{max(3, math.ceil(math.log10(n)) + 1)}f}"


def _sd(p: float, n: int) -> str:
    return f"{math.sqrt(p * (1 - p) * n / (n - 1)):.5f}"


SHARE_SENTENCES = [
    ("share-en", "Among the {n} northern patients, the mortality was {p}."),
    ("proportion", "In the north (n={n}) the proportion who died was {p}."),
    ("rate", "In the north (n = {n}), the readmission rate was {p}."),
    ("risk", "Of {n} exposed patients the risk of stroke was {p}."),
    ("mean-event", "Among {n} northern patients, the mean of the death indicator was {p}."),
    ("mean-mortality", "Among the {n} northern patients, mean mortality {p}."),
    ("zh-share", "北區{n}名病人的死亡比例為{p}。"),
    ("zh-mean", "北區病人（n={n}）平均死亡{p}。"),
    ("zh-rate", "北區{n}名病人之再入院率為{p}。"),
]


def _share_members():
    out = []
    for tag, sentence in SHARE_SENTENCES:
        for n in GROUPS:
            for k in SMALL:
                for side in ("few", "rest"):
                    p = k / n if side == "few" else (n - k) / n
                    out.append(pytest.param(sentence.format(n=n, p=_dec(p, n)), k,
                                            id=f"{tag}-{n}-{k}-{side}"))
    return out


@pytest.mark.parametrize("sentence,k", _share_members())
def test_a_decimal_share_of_the_sentences_group_blocks(run, sentence, k):
    r = _text(run, sentence)
    found = _share_findings(r, "block")
    assert found and r.verdict == "block", said(r)
    assert any(f"group of {k}" in f.message_en for f in found), said(r)


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
@pytest.mark.parametrize("form", ["after-mean", "alone"])
def test_the_sd_of_a_yes_no_variable_blocks(run, n, k, form):
    p = k / n
    sentence = (f"Among the {n} patients, mean age 64.2 and death indicator SD {_sd(p, n)}."
                if form == "alone" else
                f"Among the {n} patients, the death indicator had mean 0.5 (SD {_sd(p, n)}).")
    r = _text(run, sentence)
    assert _share_findings(r, "block"), said(r)


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
def test_a_bare_mean_that_could_be_a_share_goes_to_the_reviewer_with_the_group(run, n, k):
    r = _text(run, f"Among the {n} northern patients, the mean score was {_dec(k / n, n)}.")
    found = _share_findings(r, "review")
    assert found and r.verdict in ("review", "block"), said(r)
    assert any(f"group of {k}" in f.message_en for f in found), said(r)


ORDINARY = [
    "Among 120 patients, the hazard ratio was 0.45 (95% CI 0.30-0.68), p = 0.03.",
    "In 120 patients, p=0.025 for the difference.",
    "The odds ratio among the 120 patients was 0.03 (0.01 to 0.09).",
    "Among the 250 patients, the mean eGFR ratio was 0.83 (SD 0.12).",
    "Among 300 patients, the mortality was 0.25.",
    "Among 1200 patients, mortality was 0.1.",
    "Among the 120 patients, the mean dose was 0.5 mg.",
    "Among 120 men, the mean weight change was 0.025 kg.",
    "Among the 120 patients, beta = 0.025 (SE 0.010).",
    "120名病人中，勝算比為0.03（95%信賴區間0.01-0.09）。",
    "A total of 480 patients were analysed; Cohen's kappa 0.03.",
    "Among the 480 patients the AUC was 0.81 and the correlation r = 0.02.",
    "北區480名病人的死亡比例為0.25。",
]


@pytest.mark.parametrize("sentence", ORDINARY, ids=range(len(ORDINARY)))
def test_estimates_tests_and_large_shares_do_not_block_as_shares(run, sentence):
    r = _text(run, sentence)
    assert not _share_findings(r, "block"), said(r)
    assert r.verdict != "block", said(r)
