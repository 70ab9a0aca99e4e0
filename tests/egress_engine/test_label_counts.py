"""E2: a count written into a table's labels or headers is checked like a cell.

"A (n=3)" as a group label, 「甲區(3人)」, or a header "Cases (n = 4)" passed beside value
columns that were all large.  Tried through the engine's entry point: declared CSV tables and
tables inside Markdown and HTML files, many ways of stating a count in a label.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table

LABELS = ["A (n=3)", "A (N = 4)", "A, n=1", "A (3 patients)", "A: 2 cases", "A (5 deaths)",
          "甲區(3人)", "甲區共3人", "甲區 4例", "甲區（2名）", "甲區 三人", "A (three patients)",
          "A (n＝3)", "Region A, 1 death"]
LARGE = ["B (n=120)", "C (200 patients)", "乙區(300人)", "B", "Age 20-29", "65歲以上", "E11.9",
         "2019", "Stage III", "第三組"]


def _csv(label):
    return f"region,n\n{label.replace(',', ';')},30\nB,120\nC,200\n"


@pytest.mark.parametrize("label", LABELS)
def test_small_count_in_a_group_label_blocks(run, label):
    r = run({"t.csv": _csv(label)}, [table("t.csv", {"region": G, "n": COUNT})])
    assert by(r, check="label_counts", severity="block"), said(r)
    assert r.verdict == "block"


@pytest.mark.parametrize("label", [x for x in LABELS if "," not in x])
def test_small_count_in_a_header_blocks(run, label):
    r = run({"t.csv": f"region,{label},B\nX,30,60\nY,120,120\n"},
            [table("t.csv", {"region": G, label: COUNT, "B": COUNT})])
    assert by(r, check="label_counts", severity="block"), said(r)


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("form", ["md", "html"])
def test_small_count_in_a_label_of_a_table_in_a_document(run, label, form):
    rows = [(label, 30), ("B", 120), ("C", 200)]
    if form == "md":
        text = "| region | n |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
    else:
        text = ("<table><tr><th>region</th><th>n</th></tr>"
                + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows) + "</table>")
    r = run({f"r.{form}": text}, [{"path": f"r.{form}", "kind": "text", "description": "summary"}])
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("label", LARGE)
def test_labels_of_large_counts_or_no_counts_pass_this_check(run, label):
    r = run({"t.csv": _csv(label)}, [table("t.csv", {"region": G, "n": COUNT})])
    assert not by(r, check="label_counts"), said(r)
