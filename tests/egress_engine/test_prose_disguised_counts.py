"""E2/E3/E6: small counts in sentences written so that the prose reader did not see them.

A probe wrote counts in 大寫 numerals (參位, 貳名, 肆例, 拾位), in Roman numerals (n = iv,
deaths: III), in compound English words, in other forms of a digit (③, 3️⃣, ³, ３, 倆, 仨), as
words that are a number ("both patients", "a pair of"), and as bounds ("fewer than 6 patients", 「少於6人」,
"<5") - a small cell marked in words, whose exact value the text's own total less its other
counts may give away.  Each is tried in a .txt, a Markdown paragraph, a notebook's markdown
cell and a code comment; ordinary sentences (Stage III, 參與者, 大陸, the suppression rule
in the methods, large counts) must still pass.
"""
from __future__ import annotations

import nbformat
import pytest

from tests.egress_engine.conftest import said

HIDDEN = {
    "大寫 參位": "甲區死亡參位。",
    "大寫 貳名": "甲區病人貳名。",
    "大寫 肆例": "患者肆例發生併發症。",
    "大寫 伍人": "乙區共伍人。",
    "叁": "丙區有叁名病人。",
    "简体 贰": "丁区有贰名患者。",
    "roman n = iv": "Deaths in region A (n = iv).",
    "roman N = IV": "Region A: N = IV.",
    "roman (n=III)": "Region B (n=III) was merged.",
    "roman deaths: iii": "Region C deaths: iii",
    "roman (iv patients)": "Region A (iv patients) was excluded.",
    "roman ii women": "Only ii women were over 90.",
    "bound fewer than 6": "Less than 6 cases were seen in region A.",
    "bound fewer than 5": "Fewer than 5 patients lived in the north.",
    "bound <6": "Region A had <6 patients.",
    "bound ≤5": "Deaths in the north: ≤5 persons.",
    "bound label <5": "Region A: <5",
    "bound (<6)": "Region A (<6) and region B (120).",
    "bound at most": "At most 4 patients were under 20.",
    "bound 少於6人": "甲區少於6人。",
    "bound 不足5人": "甲區不足5人。",
    "bound 未滿5例": "甲區未滿5例。",
    "bound 5人以下": "甲區5人以下。",
    "bound 不到三名": "甲區不到三名病人。",
    "difference en": "Fewer than 10 patients were in region A; of 120 patients, 117 were in region B.",
    "difference zh": "甲區少於10人，總計120人，乙區117人。",
    "difference two parts": "Of 200 patients, 150 were in B, 48 were in C and fewer than 10 were in A.",
    "circled digit": "Region A had ③ patients.",
    "keycap digit": "Region A had 3️⃣ patients.",
    "superscript": "Region A (n=³).",
    "full-width": "甲區３人。",
    "倆": "甲區倆人死亡。",
    "仨": "甲區仨人死亡。",
    "both": "Both patients in region A died.",
    "a pair of": "A pair of patients in region A had the variant.",
    "a couple of": "A couple of patients in region A were transferred.",
    "ppl": "Region A: 3 ppl.",
    "a/b patients": "Region A: 3/120 patients.",
    "count:": "Region A count: 3",
    "percent (a/b)": "In region A, 33.3% (1/3) died.",
    "a/b (percent)": "Region A: 2/40 (5.0%).",
}
ORDINARY = {
    "stage": "Stage III disease was common among 300 patients.",
    "stage IV": "Stage IV cancer was found in 400 patients.",
    "part II": "Part II describes the 250 patients of the second wave.",
    "參與者": "共有參與者120人。",
    "參加": "參加研究者共300人。",
    "大陸": "大陸人士不在研究範圍內。",
    "拾起": "研究助理拾起問卷。",
    "methods rule": "Cells with fewer than 6 patients were suppressed.",
    "methods rule zh": "依規定，少於6人之細格不予呈現。",
    "large bound": "The north had more than 200 patients.",
    "compound large": "One hundred twenty patients were enrolled; region B had one hundred seventeen patients.",
    "twenty-one": "Twenty-one patients were excluded.",
    "age under": "Patients under 20 years were excluded.",
    "p-value": "The difference was significant (p < 0.05).",
    "age label": "Age: <65 years",
    "both groups": "Both groups were compared.",
    "both sexes": "Both sexes had 300 patients.",
    "a couple of days": "They were seen a couple of days later.",
    "rate per person-years": "The rate was 3/1000 person-years.",
    "circled list": "① Data were cleaned. ② Models were fitted.",
    "in both cases": "In both cases, the estimate rose among 300 patients.",
    "percent bound": "Distractors were ≤ 1 % of 2,000 notes.",
}


def _md_notebook(text: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    return nbformat.writes(nb)


FORMS = {
    "txt": lambda t: ("notes.txt", "text", t + "\n"),
    "md": lambda t: ("notes.md", "text", "# Results\n\n" + t + "\n"),
    "notebook": lambda t: ("nb.ipynb", "notebook", _md_notebook(t)),
    "comment": lambda t: ("code.py", "code", "# " + t + "\nx = 1\n"),
}


def _check(run, form: str, text: str):
    name, kind, body = FORMS[form](text)
    return run({name: body}, [{"path": name, "kind": kind, "description": "results"}])


@pytest.mark.parametrize("text", list(HIDDEN.values()), ids=list(HIDDEN))
@pytest.mark.parametrize("form", list(FORMS))
def test_a_disguised_small_count_blocks(run, form, text):
    r = _check(run, form, text)
    blocks = [f for f in r.findings if f.severity == "block" and f.check == "prose"]
    assert blocks, said(r)
    assert all(f.location.get("sentence") for f in blocks), said(r)


@pytest.mark.parametrize("text", list(ORDINARY.values()), ids=list(ORDINARY))
@pytest.mark.parametrize("form", ["txt", "md"])
def test_an_ordinary_sentence_is_not_blocked(run, form, text):
    r = _check(run, form, text)
    assert not [f for f in r.findings if f.check == "prose" and f.severity == "block"], said(r)


def test_a_bound_above_the_threshold_goes_to_a_reviewer(run):
    r = _check(run, "txt", "Fewer than 10 patients were in region A.")
    assert r.verdict == "review", said(r)
    assert any("under 10" in f.message_en for f in r.findings)


def test_the_difference_names_the_number_it_reveals(run):
    r = _check(run, "txt", "甲區少於10人，總計120人，乙區117人。")
    f = next(f for f in r.findings if f.severity == "block" and f.check == "prose")
    assert "is 3 by difference" in f.message_en and f.location["line"] == 1, f
