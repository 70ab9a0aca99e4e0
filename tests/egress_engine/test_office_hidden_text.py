"""E7: text a Word document holds outside the paragraphs python-docx lists is checked.

Text boxes and shapes, body-level content controls, tracked insertions, deletions and moves,
field instructions, smart tags, custom XML runs, equations, tables nested in a cell and the
glossary's building blocks all leave with the file; the reader listed none of them and a small
count or an identifier written there passed (``egress_review/engine/readers/office_text.py``
now reads every paragraph of every part).  Real python-docx documents, the real engine."""
from __future__ import annotations

import io

import pytest

from tests.egress_engine.conftest import said

SECRET = "Only 3 patients in the south had the outcome."
IDENT = "Follow-up: patient A123456789."
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _doc():
    import docx

    d = docx.Document()
    d.add_paragraph("Results. We enrolled 1,200 patients in 2019.")
    return d


def _append(d, xml: str) -> None:
    from docx.oxml import parse_xml

    d.add_paragraph("Notes:")._p.append(parse_xml(xml))


def textbox(d, s):
    _append(d, f'<w:r {W} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox>'
               f'<w:txbxContent><w:p><w:r><w:t>{s}</w:t></w:r></w:p></w:txbxContent></v:textbox>'
               f'</v:shape></w:pict></w:r>')


def drawing_textbox(d, s):
    _append(d, f'<w:r {W} xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
               f'<w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>{s}</w:t></w:r></w:p>'
               f'</w:txbxContent></wps:txbx></w:drawing></w:r>')


def content_control(d, s):
    from docx.oxml import parse_xml

    d.element.body.insert(0, parse_xml(f'<w:sdt {W}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>{s}</w:t>'
                                       f'</w:r></w:p></w:sdtContent></w:sdt>'))


def tracked_deletion(d, s):
    _append(d, f'<w:del {W} w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r>'
               f'<w:delText>{s}</w:delText></w:r></w:del>')


def tracked_insertion(d, s):
    _append(d, f'<w:ins {W} w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:t>{s}</w:t>'
               f'</w:r></w:ins>')


def moved_from(d, s):
    _append(d, f'<w:moveFrom {W} w:id="3" w:author="a"><w:r><w:t>{s}</w:t></w:r></w:moveFrom>')


def field_instruction(d, s):
    _append(d, f'<w:r {W}><w:instrText xml:space="preserve"> QUOTE "{s}" </w:instrText></w:r>')


def smart_tag(d, s):
    _append(d, f'<w:smartTag {W} w:uri="u" w:element="e"><w:r><w:t>{s}</w:t></w:r></w:smartTag>')


def custom_xml_run(d, s):
    _append(d, f'<w:customXml {W} w:element="e"><w:r><w:t>{s}</w:t></w:r></w:customXml>')


def equation(d, s):
    _append(d, f'<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
               f'<m:r><m:t>{s}</m:t></m:r></m:oMath>')


def nested_table(d, s):
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Region"
    t.cell(0, 1).add_table(rows=1, cols=1).cell(0, 0).text = s


PLACES = [textbox, drawing_textbox, content_control, tracked_deletion, tracked_insertion, moved_from,
          field_instruction, smart_tag, custom_xml_run, equation, nested_table]


def _raw(place, s) -> bytes:
    d = _doc()
    place(d, s)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _run(run, raw):
    return run({"a.docx": raw}, [{"path": "a.docx", "kind": "text", "description": "report"}])


def _blocks(r, check):
    return any(f.check == check and f.severity == "block" for f in r.findings)


@pytest.mark.parametrize("place", PLACES, ids=lambda f: f.__name__)
def test_a_small_count_hidden_in_a_word_document_blocks(run, place):
    """E7/E2"""
    r = _run(run, _raw(place, SECRET))
    assert _blocks(r, "prose"), said(r)


@pytest.mark.parametrize("place", [textbox, content_control, tracked_deletion, field_instruction, equation],
                         ids=lambda f: f.__name__)
def test_an_identifier_hidden_in_a_word_document_blocks(run, place):
    """E7"""
    r = _run(run, _raw(place, IDENT))
    assert _blocks(r, "identifiers"), said(r)


def test_an_ordinary_document_gets_no_second_reading():
    """Paragraphs with breaks and tabs, headers of two lines, a table with a two-paragraph cell,
    a list: every paragraph is already a unit, none is added again."""
    import docx

    from egress_review.engine.readers.documents import read_docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Study report\tdraft"
    d.sections[0].header.add_paragraph("Second header line")
    d.add_heading("Results", 1)
    p = d.add_paragraph("We enrolled 1,200 patients")
    p.add_run().add_break()
    p.add_run("in 2019.\tMore text")
    t = d.add_table(rows=3, cols=3)
    for i in range(3):
        for j in range(3):
            t.cell(i, j).text = f"r{i}c{j}"
    t.cell(1, 1).add_paragraph("second paragraph")
    d.add_paragraph("a bullet point", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    c = read_docx(buf.getvalue(), "a.docx")
    assert [u.place for u in c.units if "part" in u.place and "paragraph" in u.place] == []
    assert c.unread == []


# ---- workbooks: text boxes and shapes on a sheet, words in a chart ---------------------------

def _workbook(edit_part: str | None = None, edit=None) -> bytes:
    import zipfile

    import openpyxl
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [("region", "n"), ("north", 120), ("south", 300)]:
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    chart.title = "Patients by region"
    chart.x_axis.title = "Region"
    ws.add_chart(chart, "D2")
    buf = io.BytesIO()
    wb.save(buf)
    if edit_part is None:
        return buf.getvalue()
    zin, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            zout.writestr(n, edit(data) if n == edit_part else data)
    return out.getvalue()


_XDR = 'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def _text_box(s: str):
    anchor = (f'<xdr:twoCellAnchor {_XDR} {_A}><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>'
              f'<xdr:row>8</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>5</xdr:col>'
              f'<xdr:colOff>0</xdr:colOff><xdr:row>12</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp>'
              f'<xdr:nvSpPr><xdr:cNvPr id="9" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
              f'<xdr:spPr/><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>{s}</a:t></a:r></a:p></xdr:txBody>'
              f'</xdr:sp><xdr:clientData/></xdr:twoCellAnchor>').encode()
    return lambda x: x.replace(b"</wsDr>", anchor + b"</wsDr>")


def _axis_title(s: str):
    return lambda x: x.replace(b"<a:t>Region</a:t>", f"<a:t>{s}</a:t>".encode())


@pytest.mark.parametrize("part, edit", [("xl/drawings/drawing1.xml", _text_box),
                                        ("xl/charts/chart1.xml", _axis_title)],
                         ids=["text box on the sheet", "chart axis title"])
def test_a_small_count_in_a_workbooks_drawing_blocks(run, part, edit):
    """E7/E2"""
    raw = _workbook(part, edit(SECRET))
    r = run({"t.xlsx": raw}, [{"path": "t.xlsx", "kind": "table", "description": "counts", "sheet": "Sheet",
                                         "columns": {"region": {"role": "group"}, "n": {"role": "count"}}}])
    assert _blocks(r, "prose"), said(r)


def test_a_workbooks_own_chart_words_are_not_read_twice():
    from egress_review.engine.readers.spreadsheet import read_xlsx

    c = read_xlsx(_workbook(), "t.xlsx")
    added = [u.text for u in c.units if "paragraph" in u.place]
    assert added == ["Region"], added     # the axis title openpyxl does not list; the title it does


# ---- OpenDocument sheets: shapes and frames outside the cells ---------------------------------

def _ods(shape_text: str | None = None) -> bytes:
    import re
    import zipfile

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"region": ["north", "south"], "n": [120, 300]}).to_excel(buf, engine="odf", index=False)
    if shape_text is None:
        return buf.getvalue()
    shape = ('<table:shapes><draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
             'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" draw:name="t" '
             f'svg:width="5cm" svg:height="2cm"><draw:text-box><text:p>{shape_text}</text:p>'
             '</draw:text-box></draw:frame></table:shapes>').encode()
    zin, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            if n == "content.xml":
                data = re.sub(rb"(<table:table [^>]*>)", lambda m: m.group(1) + shape, data, count=1)
            zout.writestr(n, data)
    return out.getvalue()


def test_a_small_count_in_a_shape_on_an_opendocument_sheet_blocks(run):
    """E7/E2"""
    r = run({"t.ods": _ods(SECRET)}, [{"path": "t.ods", "kind": "text", "description": "counts"}])
    assert _blocks(r, "prose"), said(r)


def test_an_ordinary_opendocument_sheet_gets_no_second_reading():
    from egress_review.engine.readers.spreadsheet import read_ods

    c = read_ods(_ods(), "t.ods")
    assert [u.place for u in c.units if "paragraph" in u.place] == [] and c.unread == []
