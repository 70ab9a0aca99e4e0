"""A workbook sheet with more figures than any table may publish (E6 ``max_table_cells``) is
blocked as it is, without turning its millions of cells into text (issue 20: a 10 MB workbook
in under 3 s, bench/egress_formats.py); one under the limit is still read cell by cell, and
the limit is the policy's."""
from __future__ import annotations

import io

import openpyxl
import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by


def _book(rows: int, small_at: int | None = None, hidden: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "counts"
    ws.append(["region", "n", "persons"])
    for i in range(rows):
        ws.append([f"region {i}", 3 if i == small_at else 100 + i, 200 + i])
    if hidden:
        h = wb.create_sheet("old")
        h.append(["pid", "n"])
        h.append(["A123", 2])
        h.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ENTRY = [{"path": "w.xlsx", "kind": "text", "description": "results"}]


@pytest.mark.parametrize("rows", [2600, 5000, 20_000])
def test_oversize_sheet_blocked_as_it_is(run, rows):
    r = run({"w.xlsx": _book(rows)}, ENTRY)
    assert r.verdict == "block"
    e6 = [f for f in by(r, rule="E6", severity="block") if "not checked cell by cell" in f.message_en]
    assert e6 and e6[0].location.get("sheet") == "counts"
    assert f"({rows} rows)" in e6[0].message_en


def test_under_the_limit_read_cell_by_cell(run):
    r = run({"w.xlsx": _book(40, small_at=7)}, ENTRY)
    assert r.verdict == "block"
    assert not [f for f in r.findings if "not checked cell by cell" in f.message_en]
    assert any(f.location.get("cell") == "B9" for f in by(r, check="threshold")), \
        [(f.check, f.location) for f in r.findings]


def test_hidden_sheet_beside_an_oversize_one_still_blocks(run):
    r = run({"w.xlsx": _book(3000, hidden=True)}, ENTRY)
    assert r.verdict == "block"
    assert any(f.location.get("sheet") == "old" for f in by(r, severity="block"))


def test_the_limit_is_the_policys(run):
    pol = EgressPolicy(max_table_cells=100_000)
    r = run({"w.xlsx": _book(3000, small_at=2999)}, ENTRY, policy=pol)
    assert not [f for f in r.findings if "not checked cell by cell" in f.message_en]
    assert any(f.location.get("cell") == "B3001" for f in by(r, check="threshold")), \
        [(f.check, f.location) for f in r.findings][:10]
