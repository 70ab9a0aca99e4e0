"""OpenDocument spreadsheets (issue 20): a sheet hidden by its table style, and collapsed or
filtered rows and columns, are read and block as hidden content, like a workbook's; the same
content visible passes when it is safe."""
from __future__ import annotations

import io

import pytest

from tests.egress_engine.conftest import by

ENTRY = [{"path": "t.ods", "kind": "text", "description": "results"}]


def _ods(hide_sheet=False, hide_row=False, hide_col=False, style_in="automatic") -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TableProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()

    def sheet(name, rows, style=None):
        t = Table(name=name, **({"stylename": style} if style else {}))
        t.addElement(TableColumn(numbercolumnsrepeated=2,
                                 **({"visibility": "collapse"} if hide_col and name == "results" else {})))
        for k, r in enumerate(rows):
            tr = TableRow(**({"visibility": "collapse"} if hide_row and name == "results" and k == 2 else {}))
            for v in r:
                cell = TableCell(valuetype="float", value=v) if isinstance(v, int) else TableCell(valuetype="string")
                cell.addElement(P(text=str(v)))
                tr.addElement(cell)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)

    st = Style(name="taHidden", family="table")
    st.addElement(TableProperties(display="false"))
    (doc.automaticstyles if style_in == "automatic" else doc.styles).addElement(st)
    sheet("results", [["region", "n"], ["north", 120], ["south", 140]])
    if hide_sheet:
        sheet("old", [["pid", "n"], ["A123456789", 2]], style=st)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("style_in", ["automatic", "common"])
def test_hidden_sheet_blocks(run, style_in):
    r = run({"t.ods": _ods(hide_sheet=True, style_in=style_in)}, ENTRY)
    assert r.verdict == "block"
    hits = [f for f in by(r, severity="block") if f.location.get("sheet") == "old"]
    assert any("idden" in f.message_en for f in hits), [(f.message_en, f.location) for f in r.findings]


@pytest.mark.parametrize("what", ["row", "col"])
def test_collapsed_rows_and_columns_block(run, what):
    r = run({"t.ods": _ods(hide_row=what == "row", hide_col=what == "col")}, ENTRY)
    assert r.verdict == "block"
    assert any("idden" in f.message_en and f.location.get("sheet") == "results"
               for f in by(r, severity="block"))


def test_visible_safe_sheet_passes(run):
    r = run({"t.ods": _ods()}, ENTRY)
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


@pytest.mark.parametrize("part", ["Object 1/content.xml", "Pictures/100000.png", "Basic/Standard/Module1.xml",
                                  "customXml/item1.xml"])
def test_parts_no_reader_interprets_go_to_review(run, part):
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(_ods()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr(part, b"<chart><cached>3</cached></chart>")
    r = run({"t.ods": buf.getvalue()}, ENTRY)
    assert r.verdict != "pass"
    assert any(part in (f.message_en + str(f.location)) for f in r.findings)
