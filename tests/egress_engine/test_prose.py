"""Numbers in prose (issue 20 §2): a count a sentence states is checked like a cell; a number
the engine cannot place sends the file to review; years, dates, ages, codes, p-values and
intervals are not counts."""
from __future__ import annotations

import pytest

from egress_review.engine.prose import read_numbers
from tests.egress_engine.conftest import by

SMALL_COUNTS = [
    "We found 3 of 11 patients with the complication.",
    "Of the 300 patients in the cohort, 2 died within a year.",
    "n = 4",
    "N=5 in the exposed group.",
    "Adverse events: 4 (0.7 %).",
    "Adverse events occurred in 4 (0.7%) participants.",
    "Three women were excluded.",
    "only one patient had the variant",
    "A total of 5 elderly female patients were readmitted.",
    "Patients: 4",
    "The number of deaths was 2.",
    "本研究共3人發生不良事件。",
    "其中3例發生併發症，佔0.7%。",
    "追蹤期間有2名病人死亡。",
    "三名女性病人被排除。",
    "共計 5 人次就診。",
    "Deaths numbered 3 in the north.",
    "Among 1,200 patients, 0.3% had the rare outcome.",
]

BENIGN = [
    "The study ran from 2010-01-01 to 2020-12-31.",
    "Data were collected in 2019 and 2020.",
    "Patients aged 65 years or older were included.",
    "年滿65歲以上者納入分析。",
    "Diabetes was defined by ICD-10 E11.9 or ICD-9-CM 250.00.",
    "The association was significant (p = 0.03).",
    "The odds ratio was 1.52 (95% CI 1.10–2.10).",
    "HR 0.85 (0.70–1.02), p < 0.001.",
    "See Table 2 and Figure 3 [12, 14].",
    "如表1與第3章所示。",
    "Follow-up was 30 days; blood pressure below 140 mmHg.",
    "民國112年1月起至12月止。",
    "We used Python 3.11.4 and statsmodels.",
    "We enrolled 1,200 patients; 300 had diabetes.",
    "The analysis was run on 12 March 2024 at 10:30.",
]

UNKNOWN = [
    "The value was 17.",
    "There were 40 in the north.",
    "We saw 40.0% of them.",
    "Ages ranged from 18 to 95.",
    "Mean cost was 1,234.",
]


@pytest.mark.parametrize("sentence", SMALL_COUNTS)
def test_a_small_count_in_a_sentence_blocks(run, sentence):
    r = run({"r.txt": sentence}, [{"path": "r.txt", "kind": "text", "description": "d"}])
    hit = by(r, check="prose", severity="block")
    assert hit, (sentence, [(f.severity, f.message_en) for f in r.findings])
    loc = hit[0].location
    assert loc["line"] == 1 and sentence[loc["offset"]:loc["offset"] + loc["length"]].strip()
    assert loc["sentence"]


@pytest.mark.parametrize("sentence", BENIGN)
def test_years_dates_ages_codes_and_intervals_are_not_counts(run, sentence):
    r = run({"r.txt": sentence}, [{"path": "r.txt", "kind": "text", "description": "d"}])
    assert not by(r, check="prose"), [(f.location, f.message_en) for f in r.findings]


@pytest.mark.parametrize("sentence", UNKNOWN)
def test_a_number_of_unknown_meaning_goes_to_review(run, sentence):
    r = run({"r.txt": sentence}, [{"path": "r.txt", "kind": "text", "description": "d"}])
    assert r.verdict == "review"
    f = by(r, check="prose")[0]
    assert f.severity == "review" and f.location["sentence"]


def test_the_same_count_passes_when_large_enough():
    for s in ("We found 30 of 110 patients.", "本研究共30人。", "n = 40"):
        assert all(n.kind == "count" and n.value >= 6 for n in read_numbers(s)), s


def test_sentence_offsets_point_at_the_number():
    text = "First line.\nSecond: we saw 3 of 40 patients."
    nums = read_numbers(text)
    three = next(n for n in nums if n.value == 3)
    assert text[three.start:three.end] == "3"
    assert text[three.sentence[0]:three.sentence[1]].strip().startswith("Second")
