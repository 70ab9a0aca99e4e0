"""A workbook must show what the checks read (E7): number formats that write their own text or
digits, scale, hide or choose by condition; formulas (computed on opening, read as a cached
value or nothing); text in comments, link targets, page headers/footers and custom
properties.  Each blocks, naming its sheet and cell (egress_review/engine/readers/
xlsx_display.py); formats that only lay out the number (thousands, decimals, percentages,
accounting padding, colours, dates) keep passing."""
from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.comments import Comment

from tests.egress_engine.conftest import said


def _book(change=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "counts"
    for row in (["area", "n"], ["Taipei", 1200], ["Kaohsiung", 900], ["Penghu", 300]):
        ws.append(row)
    if change:
        change(wb, ws)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _fmt(f):
    def change(wb, ws):
        ws["B4"].number_format = f
    return change


def _check(run, data: bytes, kind: str = "table"):
    entry = {"path": "t.xlsx", "kind": kind, "description": "persons by area"}
    if kind == "table":
        entry["columns"] = {"area": {"role": "group"}, "n": {"role": "count"}}
    return run({"t.xlsx": data}, [entry])


def _shown(r, what: str) -> list:
    return [f for f in r.findings if f.check == "smuggling" and f.severity == "block"
            and f.location.get("what") == what]


def _custom_property(wb, ws):
    from openpyxl.packaging.custom import StringProperty

    wb.custom_doc_props.append(StringProperty(name="cohort", value="A123456789"))


def _header(wb, ws):
    ws.oddHeader.center.text = "Penghu 3"


SHOWN_OTHERWISE = {
    "own-digits": ("format", _fmt('"3"')),
    "own-digits-all-sections": ("format", _fmt('"3";"3";"3"')),
    "escaped-digit": ("format", _fmt('\\3')),
    "own-text": ("format", _fmt('0" 人"')),
    "scaled-millions": ("format", _fmt("0,,")),
    "scaled-thousands": ("format", _fmt("#,##0,")),
    "condition": ("format", _fmt('[<1000]"3";0')),
    "condition-colour": ("format", _fmt('[Red][<=500]0.0,;#,##0')),
    "hidden-value": ("format", _fmt(";;;")),
    "formula": ("formula", lambda wb, ws: ws.__setitem__("B2", "=1000+200")),
    "formula-other-sheet": ("formula", lambda wb, ws: wb.create_sheet("x").__setitem__("A1", "=counts!B4/100")),
    "comment": ("comment", lambda wb, ws: setattr(ws["A4"], "comment", Comment("3 persons, A123456789", "me"))),
    "link": ("link", lambda wb, ws: setattr(ws["A4"], "hyperlink", "https://example.org/?n=3")),
    "page-header": ("header", _header),
    "custom-property": ("property", _custom_property),
}


@pytest.mark.parametrize("case", sorted(SHOWN_OTHERWISE))
def test_a_workbook_showing_other_than_its_values_blocks(run, case):
    what, change = SHOWN_OTHERWISE[case]
    r = _check(run, _book(change))
    assert r.verdict == "block", said(r)
    found = _shown(r, what)
    assert found, said(r)
    assert all(f.message_zh for f in found)
    if what not in ("property", "header"):
        assert found[0].location.get("cell"), found[0].location


def test_a_workbook_declared_as_a_document_is_read_the_same(run):
    r = _check(run, _book(_fmt('"3"')), kind="text")
    assert r.verdict == "block", said(r)


PLAIN = ["General", "0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "#,##0;[Red]-#,##0",
         '_(* #,##0_);_(* (#,##0);_(* "-"??_);_(@_)', "0.00E+00", "# ?/?", '"$"#,##0', "@"]


@pytest.mark.parametrize("fmt", PLAIN)
def test_formats_that_only_lay_out_the_number_pass(run, fmt):
    r = _check(run, _book(_fmt(fmt)))
    assert not [f for f in r.findings if f.check == "smuggling"], said(r)


def test_format_rules_one_by_one():
    from egress_review.engine.readers.xlsx_display import format_difference

    for fmt in PLAIN + ["yyyy-mm-dd", "hh:mm:ss", "[$-404]e/m/d", "mm/dd/yy AM/PM"]:
        assert format_difference(fmt) is None, fmt
    for fmt in ['"3"', '0"x"', "0,,", "0.0,", "[>5]0;0", ";;;", '\\A0', '0 "A123456789"', "[Blue]0;;"]:
        assert format_difference(fmt), fmt


def _ods(shown: dict, formula: str | None = None) -> bytes:
    """An OpenDocument sheet of persons by region; ``shown`` maps a stored value to the text the
    file shows for it (a viewer shows that text)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    t = Table(name="results")
    t.addElement(TableColumn(numbercolumnsrepeated=3))
    for row in (["region", "n", "share"], ["north", 1200, 0.8], ["Penghu", 300, 0.2]):
        tr = TableRow()
        for v in row:
            if isinstance(v, str):
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=v))
            else:
                pct = isinstance(v, float)
                kw = {"formula": formula} if formula and v == 300 else {}
                cell = TableCell(valuetype="percentage" if pct else "float", value=v, **kw)
                cell.addElement(P(text=shown.get(v, f"{v:.0%}" if pct else f"{v:,}")))
            tr.addElement(cell)
        t.addElement(tr)
    doc.spreadsheet.addElement(t)
    b = io.BytesIO()
    doc.save(b)
    return b.getvalue()


@pytest.mark.parametrize("shown,formula", [({300: "3"}, None), ({300: "3 persons"}, None),
                                           ({0.2: "2%"}, None), ({1200: "12"}, None), ({}, "of:=1+2")])
def test_an_opendocument_sheet_showing_other_than_its_values_blocks(run, shown, formula):
    r = run({"t.ods": _ods(shown, formula)}, [{"path": "t.ods", "kind": "text", "description": "persons by region"}])
    assert r.verdict == "block", said(r)
    assert _shown(r, "formula" if formula else "format"), said(r)


@pytest.mark.parametrize("shown", [{}, {1200: "1200"}, {0.2: "20.0%"}, {300: "300.00"}])
def test_an_opendocument_sheet_shown_as_its_values_has_no_such_finding(run, shown):
    r = run({"t.ods": _ods(shown)}, [{"path": "t.ods", "kind": "text", "description": "persons by region"}])
    assert not [f for f in r.findings if f.check == "smuggling"], said(r)
