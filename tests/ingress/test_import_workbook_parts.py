"""Import review (D4): what a workbook holds besides its sheets' cells.

Before, an .xlsx brought in was read as tables only: a patient list in a cell comment, a page
header or footer, the document's title or author, a custom property, a defined name or a
data-validation list passed.  Now the egress engine's workbook reader reads the rest of the
package (egress_review/ingress/documents.py, ``cells_read``) and it goes through the same
checks; parts no reader knows go to a person.  Headers repeated or left blank (cells far from
the header row) crashed the table check to review; they now get names of their own and block.
"""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids, zip_of

IDS = national_ids(6, seed=83)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬", "李建國"]
LISTED = " ".join(f"{i} {n}" for i, n in zip(IDS, NAMES))
IDS_ONLY = ",".join(IDS)


def _clean():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "chapters"
    for row in (["icd10", "chapter"], ["E11", "Endocrine"], ["I10", "Circulatory"], ["J45", "Respiratory"]):
        ws.append(row)
    return wb, ws


def _bytes(wb) -> bytes:
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _comment(wb, ws):
    ws["A2"].comment = Comment(LISTED, "someone")


def _header(wb, ws):
    ws.oddHeader.center.text = IDS_ONLY


def _footer(wb, ws):
    ws.evenFooter.left.text = LISTED


def _title(wb, ws):
    wb.properties.title = IDS_ONLY


def _author_and_keywords(wb, ws):
    wb.properties.creator = "陳美玲"
    wb.properties.keywords = LISTED


def _custom_property(wb, ws):
    wb.custom_doc_props.append(StringProperty(name="cohort", value=LISTED))


def _defined_name(wb, ws):
    wb.defined_names["people"] = DefinedName("people", attr_text='"' + IDS_ONLY + '"')


def _validation_list(wb, ws):
    dv = DataValidation(type="list", formula1='"' + ",".join(IDS[:4]) + '"')
    ws.add_data_validation(dv)
    dv.add("B6")


def _far_cells(wb, ws):
    for k, i in enumerate(IDS):
        ws.cell(row=20 + k, column=6, value=i)
        ws.cell(row=20 + k, column=7, value=NAMES[k])


def _repeated_header(wb, ws):
    wb.remove(ws)
    ws = wb.create_sheet("list")
    ws.append(["ID", "ID", "chapter"])
    for i, n in zip(IDS, NAMES):
        ws.append(["x", i, n])


MEMBERS = {"cell comment": _comment, "page header": _header, "page footer": _footer,
           "document title": _title, "author and keywords": _author_and_keywords,
           "custom property": _custom_property, "defined name": _defined_name,
           "validation list": _validation_list, "cells far from the header": _far_cells,
           "repeated header": _repeated_header}


@pytest.fixture(scope="module")
def results(policy):
    items = []
    for what, put in MEMBERS.items():
        wb, ws = _clean()
        put(wb, ws)
        items.append(ImportItem(f"{what}.xlsx", "reference", _bytes(wb)))
    wb, _ = _clean()
    items.append(ImportItem("clean.xlsx", "reference", _bytes(wb)))
    b = io.BytesIO()
    with pd.ExcelWriter(b) as w:
        pd.DataFrame({"icd10": ["E11", "I10"], "n_persons": [1200, 3400]}).to_excel(w, index=False,
                                                                                   sheet_name="counts")
    items.append(ImportItem("pandas.xlsx", "reference", b.getvalue()))
    r = check_import(items, imaging=False, policy=policy.egress)
    return {f.path: f for f in r.files}


@pytest.mark.parametrize("what", sorted(MEMBERS))
def test_a_person_list_anywhere_in_a_workbook_blocks(results, what):
    f = results[f"{what}.xlsx"]
    assert f.verdict == "block", [(x.check, x.message_en[:90]) for x in f.findings]
    assert any(x.check == "identifiers" for x in f.findings)


@pytest.mark.parametrize("path", ["clean.xlsx", "pandas.xlsx"])
def test_an_ordinary_workbook_still_passes(results, path):
    f = results[path]
    assert f.verdict == "pass", [(x.check, x.message_en[:90]) for x in f.findings]


def test_a_part_no_reader_knows_goes_to_a_person(policy):
    import zipfile

    wb, _ = _clean()
    src = zipfile.ZipFile(io.BytesIO(_bytes(wb)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        z.writestr("xl/extra/notes.bin", b"\x01\x02" + "nothing readable".encode("utf-16-le"))
    r = check_import([ImportItem("extra.xlsx", "reference", out.getvalue())], imaging=False,
                     policy=policy.egress)
    assert r.verdict in ("review", "block")
    assert any("xl/extra/notes.bin" in x.message_en for x in r.findings)


def test_inside_an_archive_too(policy):
    wb, ws = _clean()
    _comment(wb, ws)
    r = check_import([ImportItem("refs.zip", "reference", zip_of({"a/chapters.xlsx": _bytes(wb)}))],
                     imaging=False, policy=policy.egress)
    assert r.verdict == "block"
