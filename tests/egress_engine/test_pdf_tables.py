"""Tables in a PDF (issue 20) are read as tables by pdfplumber and get a CSV's checks: a cell
under the threshold blocks at its page, table and cell; a safe table passes; the page's other
words are still read; a table printed without rules is prose and never passes unchecked."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import by

ENTRY = [{"path": "r.pdf", "kind": "text", "description": "results"}]


def _pdf(rows, title="Table 2. Outpatients by region, 2020", ruled=True, note="") -> bytes:
    from fpdf import FPDF

    p = FPDF()
    p.add_page()
    p.set_font("helvetica", size=11)
    p.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    if ruled:
        with p.table() as t:
            for r in rows:
                row = t.row()
                for c in r:
                    row.cell(str(c))
    else:
        for r in rows:
            p.multi_cell(0, 8, "    ".join(str(c) for c in r), new_x="LMARGIN", new_y="NEXT")
    if note:
        p.multi_cell(0, 8, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(p.output())


SMALL = [
    [["region", "n"], ["north", 120], ["south", 3], ["east", 88]],
    [["region", "persons"], ["north", 120], ["south", 140], ["east", 2]],
    [["sex", "count"], ["M", 150], ["F", 4]],
    [["region", "n", "%"], ["north", 120, "45.0"], ["south", 1, "0.4"]],
]
SAFE = [
    [["region", "n"], ["north", 120], ["south", 140], ["east", 88]],
    [["sex", "count"], ["M", 150], ["F", 160]],
    [["region", "n", "%"], ["north", 120, "46.2"], ["south", 140, "53.8"]],
]


@pytest.mark.parametrize("rows", SMALL)
def test_small_cell_in_a_pdf_table_blocks_at_its_place(run, rows):
    r = run({"r.pdf": _pdf(rows)}, ENTRY)
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    hits = by(r, check="threshold", severity="block")
    assert hits and hits[0].location.get("page") == 1 and hits[0].location.get("table") == 1, \
        [(f.check, f.location) for f in r.findings]


@pytest.mark.parametrize("rows", SAFE)
def test_safe_pdf_table_passes(run, rows):
    r = run({"r.pdf": _pdf(rows)}, ENTRY)
    assert r.verdict == "pass", [(f.check, f.message_en, f.location) for f in r.findings]


def test_words_beside_the_table_are_read(run):
    r = run({"r.pdf": _pdf(SAFE[0], note="Among them, 3 patients had the rare condition.")}, ENTRY)
    assert r.verdict != "pass"
    assert any(f.location.get("page") == 1 for f in r.findings)


@pytest.mark.parametrize("rows", SMALL[:2])
def test_unruled_table_is_prose_and_never_passes(run, rows):
    r = run({"r.pdf": _pdf(rows, ruled=False)}, ENTRY)
    assert r.verdict != "pass"
