"""Workbooks (.xlsx/.xlsm: cell values through python-calamine, every other part through
openpyxl's own part readers; .ods through odfpy): every part a reader can open.

Read: every sheet (hidden ones too, marked hidden), cell comments/notes, defined names, the
number and text caches of charts, document properties (core and custom).  Any other part of
the package that openpyxl does not interpret (threaded comments, pivot caches, custom XML,
embedded objects …) is reported unread, so the workbook goes to review.
"""
from __future__ import annotations

import io
import re
import zipfile

from egress_review.engine.readers.model import Content, ImageUnit, TableUnit, TextUnit

# Package parts whose content reaches a unit below (or that carry no data: styles, themes,
# relationships, the calculation chain, printer settings, the VML shapes of comments).
_READ_PARTS = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/.*|docProps/(core|app|custom)\.xml|xl/workbook\.xml|"
    r"xl/_rels/.*|xl/worksheets/(_rels/)?sheet\d+\.xml(\.rels)?|xl/sharedStrings\.xml|"
    r"xl/styles\.xml|xl/theme/.*|xl/comments/?comment\d*\.xml|xl/comments\d*\.xml|xl/drawings/(_rels/)?(vml|comments)?[dD]rawing\d+\.(xml|vml)(\.rels)?|"
    r"xl/charts/(_rels/)?chart\d+\.xml(\.rels)?|xl/charts/(style|colors)\d+\.xml|xl/media/.*|"
    r"xl/calcChain\.xml|xl/printerSettings/.*|xl/tables/table\d+\.xml|"
    r"xl/chartsheets/(_rels/)?sheet\d+\.xml(\.rels)?|docProps/thumbnail\.\w+)$")
# OpenDocument package parts the ODS reader interprets (or that carry no content); anything
# else - embedded objects with chart caches, pictures, scripts, custom parts - is unread
_ODS_READ_PARTS = re.compile(
    r"^(mimetype|content\.xml|styles\.xml|meta\.xml|settings\.xml|manifest\.rdf|"
    r"META-INF/manifest\.xml|Thumbnails/thumbnail\.png|Configurations2/.*)$")
_CORE_PROPS = ("title", "subject", "creator", "keywords", "description", "lastModifiedBy",
               "category", "contentStatus", "identifier", "language", "version")


def _text(v) -> str:
    return "" if v is None else str(v)


def _ref_value(values: dict[str, list[list[str]]], formula: str | None) -> str:
    """The value of a one-cell reference such as ``'results'!$B$1`` (a series title)."""
    from openpyxl.utils.cell import coordinate_to_tuple

    if not formula or "!" not in formula:
        return ""
    sheet, _, ref = formula.rpartition("!")
    try:
        r, c = coordinate_to_tuple(ref.replace("$", ""))
        return values[sheet.strip("'")][r - 1][c - 1]
    except (KeyError, ValueError, IndexError, TypeError):
        return ""


def _chart_table(chart, values) -> list[list[str]] | None:
    """The numbers a chart keeps in its own cache (shown even when the sheet is deleted)."""
    cols: list[tuple[str, list[str]]] = []
    cats: list[str] = []
    for k, s in enumerate(getattr(chart, "series", []) or []):
        title = ""
        if s.tx is not None and s.tx.strRef is not None and s.tx.strRef.strCache is not None:
            title = " ".join(_text(p.v) for p in s.tx.strRef.strCache.pt)
        elif s.tx is not None and s.tx.v is not None:
            title = _text(s.tx.v)
        elif s.tx is not None and s.tx.strRef is not None:
            title = _ref_value(values, s.tx.strRef.f)
        vals: list[str] = []
        for ref in (s.val, getattr(s, "yVal", None)):
            if ref is not None and ref.numRef is not None and ref.numRef.numCache is not None:
                vals = [_text(p.v) for p in ref.numRef.numCache.pt]
                break
            if ref is not None and ref.numLit is not None:
                vals = [_text(p.v) for p in ref.numLit.pt]
                break
        for ref in (s.cat, getattr(s, "xVal", None)):
            if ref is None:
                continue
            if ref.strRef is not None and ref.strRef.strCache is not None and not cats:
                cats = [_text(p.v) for p in ref.strRef.strCache.pt]
            elif ref.numRef is not None and ref.numRef.numCache is not None and not cats:
                cats = [_text(p.v) for p in ref.numRef.numCache.pt]
        cols.append((title or f"series {k + 1}", vals))
    if not cols or not any(v for _, v in cols):
        return None
    n = max(len(v) for _, v in cols)
    cats = cats + [""] * (n - len(cats))
    rows = [["category"] + [t for t, _ in cols]]
    for i in range(n):
        rows.append([cats[i]] + [v[i] if i < len(v) else "" for _, v in cols])
    return rows


def _cell_text(v) -> str:
    """A cell as a reader sees it: whole numbers without the float's '.0'."""
    if v is None or v == "":
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _sheet_values(raw: bytes, max_figures: int | None = None
                  ) -> tuple[dict[str, list[list[str]]], dict[str, int]]:
    """Every sheet's cell values (cached results of formulas included), by sheet name, and the
    row count of each sheet holding more than ``max_figures`` numbers (only its first rows are
    turned into text: such a table is blocked as it is).

    python-calamine reads values an order of magnitude faster than openpyxl's full load, which
    matters for the 10 MB workbooks a service must check in seconds."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    out, oversize = {}, {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if max_figures is not None:
            figures = 0
            for k, r in enumerate(rows):
                figures += sum(1 for v in r if type(v) is float or type(v) is int)
                if figures > max_figures:
                    oversize[name] = len(rows)
                    rows = rows[:max(k + 1, 50)]
                    break
        # _cell_text inlined: a 10 MB sheet has ~2 million cells, and a call each doubles the cost
        out[name] = [[v if type(v) is str else "" if v is None else
                      str(int(v)) if type(v) is float and v.is_integer() else str(v) for v in r]
                     for r in rows]
    return out, oversize


def _package(raw: bytes, out: Content, read_parts: re.Pattern, package: str,
             part: str) -> zipfile.ZipFile | None:
    """The zip package of an office file, every part the checks do not read recorded as unread
    on ``out``; None (recorded) when it is not a zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as e:
        out.fail({}, f"not a readable {package} ({e})")
        return None
    for m in archive.namelist():
        if not m.endswith("/") and not read_parts.match(m):
            out.fail({"part": m}, f"{part} {m} is not read by the checks")
    return archive


def _hidden_rows_cols(archive: zipfile.ZipFile, part: str,
                      words: list[tuple[dict, str]] | None = None) -> tuple[list[int], list[str], list[str]]:
    """Rows and columns a sheet marks hidden (OOXML ``<row hidden="1">``/``<col hidden="1">``),
    and cells holding a formula with no computed value (a reader of the file sees a number the
    checks cannot), read with lxml's streaming parser.  Words a sheet keeps outside its cells
    (data-validation lists and messages, header/footer text, hyperlink texts and tooltips) are
    appended to ``words`` as (place, text)."""
    from lxml import etree

    from egress_review.engine.tables import col_letter

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rows: list[int] = []
    cols: list[str] = []
    uncomputed: list[str] = []
    data = archive.read(part)
    # the parse below only when the part can hold either (a byte search is cheap; cells are many)
    extras = any(t in data for t in (b"dataValidation", b"headerFooter", b"hyperlink"))
    if b"hidden=" not in data and b"<f" not in data and b":f>" not in data and not extras:
        return rows, cols, uncomputed
    words = words if words is not None else []
    word_tags = {f"{ns}dataValidation", f"{ns}oddHeader", f"{ns}oddFooter", f"{ns}evenHeader",
                 f"{ns}evenFooter", f"{ns}firstHeader", f"{ns}firstFooter", f"{ns}hyperlink"}
    with io.BytesIO(data) as fh:
        for _, el in etree.iterparse(fh, events=("end",),
                                     tag=(f"{ns}row", f"{ns}col", f"{ns}c", *word_tags),
                                     resolve_entities=False, no_network=True, huge_tree=True):
            if el.tag in word_tags:
                what = el.tag[len(ns):]
                texts = [v for k, v in el.attrib.items()
                         if k in ("prompt", "error", "promptTitle", "errorTitle", "display",
                                  "tooltip", "location") and v.strip()]
                texts += [t for t in el.itertext() if t.strip()]
                if texts:
                    words.append(({"part": what, "cell": el.get("sqref") or el.get("ref") or ""},
                                  "\n".join(texts)))
                continue
            if el.tag == f"{ns}c":
                v = el.find(f"{ns}v")
                if el.find(f"{ns}f") is not None and (v is None or not (v.text or "").strip()):
                    uncomputed.append(el.get("r", "?"))
            elif el.get("hidden") in ("1", "true"):
                if el.tag == f"{ns}row":
                    rows.append(int(el.get("r", "0")))
                else:
                    lo, hi = int(el.get("min", "1")), int(el.get("max", "1"))
                    cols += [col_letter(i - 1) for i in range(lo, min(hi, lo + 50) + 1)]
            el.clear()
    return rows, cols, uncomputed


def _sheet_name_words(out: Content, sheet: str) -> None:
    """A sheet's name leaves with the workbook: one that states a count ("South 3 patients",
    「南區3人」, "n=3") is read as a sentence; "Sheet1", "Table 2" or "2019" are not."""
    from egress_review.engine.prose import COUNT_HINT
    from egress_review.engine.readers.code import _SHORT_COUNT

    if COUNT_HINT.search(sheet) or _SHORT_COUNT.search(sheet):
        out.add(TextUnit(sheet, {"sheet": sheet, "part": "sheet name"}))


def read_xlsx(raw: bytes, name: str, *, skip_sheet: str | None = None,
              max_figures: int | None = None) -> Content:
    """``skip_sheet``: a sheet already checked as the declared table (not read twice);
    ``max_figures``: the most numbers a table may publish (E6), beyond which a sheet is not
    turned into text cell by cell."""
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.packaging.custom import CustomPropertyList
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.drawings import find_images
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.functions import fromstring

    out = Content("xlsx")
    archive = _package(raw, out, _READ_PARTS, "workbook package", "workbook part")
    if archive is None:
        return out
    members = archive.namelist()
    try:
        parser = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
        parser.parse()
        sheets = [(sh.name, sh.state or "visible", rel.target) for sh, rel in parser.find_sheets()]
        values, oversize = _sheet_values(raw, max_figures)
    except Exception as e:  # any broken part: the workbook goes to review
        out.fail({}, f"not a readable .xlsx workbook ({type(e).__name__}: {e})")
        return out
    for sheet, state, part in sheets:
        _sheet_name_words(out, sheet)
        rels = get_dependents(archive, get_rels_path(part)) if get_rels_path(part) in members else None
        chartsheet = "chartsheet" in part
        sheet_words: list[tuple[dict, str]] = []
        # a sheet too large to leave is blocked as it is: its XML is not parsed again
        hidden_rows, hidden_cols, uncomputed = ([], [], []) if chartsheet or sheet in oversize \
            else _hidden_rows_cols(archive, part, sheet_words)
        for place, words in sheet_words:
            out.add(TextUnit(words, {"sheet": sheet, **place}))
        if uncomputed:
            out.fail({"sheet": sheet, "cells": uncomputed[:20]},
                     f"{len(uncomputed)} formula cell(s) without a computed value: what a reader "
                     "of the workbook sees there is unknown to the checks")
        hidden = state != "visible" or bool(hidden_rows) or bool(hidden_cols)
        rows = values.get(sheet, [])
        if sheet != skip_sheet and any(any(c.strip() for c in r) for r in rows):
            width = max(len(r) for r in rows)
            rows = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
            place = {"sheet": sheet}
            if hidden:
                place["hidden"] = ({"sheet": state} if state != "visible" else {}) | (
                    {"rows": hidden_rows[:20]} if hidden_rows else {}) | (
                    {"columns": hidden_cols[:20]} if hidden_cols else {})
            out.add(TableUnit(rows=rows, place=place, hidden=hidden, a1_origin=(0, 0),
                              oversize_rows=oversize.get(sheet, 0)))
        if rels is None:
            continue
        for r in rels.find("http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"):
            for ref, c in CommentSheet.from_tree(fromstring(archive.read(r.target))).comments:
                if c.text:
                    out.add(TextUnit(c.text, {"sheet": sheet, "cell": ref, "part": "comment"}))
        k = 0
        for r in rels.find("http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"):
            charts, images = find_images(archive, r.target)
            for chart in charts:
                k += 1
                table = _chart_table(chart, values)
                if table:
                    out.add(TableUnit(rows=table, place={"sheet": sheet, "chart": k,
                                                         "part": "chart cache"}))
                title = getattr(getattr(chart, "title", None), "tx", None)
                if title is not None and getattr(title, "rich", None) is not None:
                    words = " ".join(x.t for p in title.rich.p for x in (p.r or []) if x.t)
                    if words:
                        out.add(TextUnit(words, {"sheet": sheet, "chart": k, "part": "chart title"}))
            for i, _im in enumerate(images):
                out.add(ImageUnit("image", "", {"sheet": sheet, "image": i + 1}))
    from egress_review.engine.readers.office_text import XLSX_PARTS, read_unlisted

    read_unlisted(out, raw, members, XLSX_PARTS)     # text boxes and shapes on the sheets
    for dn in parser.defined_names.definedName:     # workbook- and sheet-scoped alike
        place = {"name": dn.name, "part": "defined name"}
        if dn.localSheetId is not None and int(dn.localSheetId) < len(sheets):
            place["sheet"] = sheets[int(dn.localSheetId)][0]
        out.add(TextUnit(f"{dn.name} = {dn.attr_text}", place))
    if "docProps/core.xml" in members:
        props = DocumentProperties.from_tree(fromstring(archive.read("docProps/core.xml")))
        for key in _CORE_PROPS:
            v = getattr(props, key, None)
            if v and not (key in ("creator", "lastModifiedBy") and v == "openpyxl"):
                out.add(TextUnit(str(v), {"property": key, "part": "document property"}))
    if "docProps/custom.xml" in members:
        for prop in CustomPropertyList.from_tree(fromstring(archive.read("docProps/custom.xml"))):
            out.add(TextUnit(f"{prop.name}: {prop.value}", {"property": prop.name,
                                                             "part": "custom property"}))
    return out


def read_ods(raw: bytes, name: str) -> Content:
    """OpenDocument spreadsheets: sheets through pandas' odf reader, annotations, named
    ranges and metadata through odfpy; hidden (collapsed) rows and columns are marked."""
    import pandas as pd
    from odf import teletype
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.namespaces import STYLENS
    from odf.office import Annotation
    from odf.style import Style, TableProperties
    from odf.table import NamedRange, Table, TableColumn, TableRow

    out = Content("ods")
    if _package(raw, out, _ODS_READ_PARTS, ".ods package", "spreadsheet part") is None:
        return out
    try:
        doc = load(io.BytesIO(raw))
        sheets = pd.read_excel(io.BytesIO(raw), engine="odf", sheet_name=None, header=None,
                               dtype=str, keep_default_na=False)
    except Exception as e:
        out.fail({}, f"not a readable .ods spreadsheet ({type(e).__name__}: {e})")
        return out
    # a sheet is hidden by its table style (<style:table-properties table:display="false">)
    undisplayed = {st.getAttrNS(STYLENS, "name")
                   for st in doc.automaticstyles.getElementsByType(Style) + doc.styles.getElementsByType(Style)
                   for tp in st.getElementsByType(TableProperties)
                   if str(tp.getAttrNS(TABLENS, "display")).lower() == "false"}
    hidden_sheets: dict[str, dict] = {}
    for sheet in sheets:
        _sheet_name_words(out, str(sheet))
    for t in doc.spreadsheet.getElementsByType(Table):
        how = {}
        if t.getAttrNS(TABLENS, "style-name") in undisplayed:
            how["sheet"] = "hidden"
        if any(r.getAttrNS(TABLENS, "visibility") in ("collapse", "filter")
               for r in t.getElementsByType(TableRow)) or any(
                c.getAttrNS(TABLENS, "visibility") in ("collapse", "filter")
                for c in t.getElementsByType(TableColumn)):
            how["rows_or_columns"] = True
        hidden_sheets[t.getAttrNS(TABLENS, "name")] = how
    for sheet, df in sheets.items():
        rows = [[str(v) for v in r] for r in df.itertuples(index=False)]
        if rows:
            how = hidden_sheets.get(sheet, {})
            place = {"sheet": sheet} | ({"hidden": how} if how else {})
            out.add(TableUnit(rows=rows, place=place, hidden=bool(how), a1_origin=(0, 0)))
    for k, a in enumerate(doc.spreadsheet.getElementsByType(Annotation)):
        words = teletype.extractText(a)
        if words.strip():
            out.add(TextUnit(words, {"comment": k + 1, "part": "annotation"}))
    for nr in doc.spreadsheet.getElementsByType(NamedRange):
        out.add(TextUnit(f"{nr.getAttrNS(TABLENS, 'name')} = "
                         f"{nr.getAttrNS(TABLENS, 'cell-range-address')}",
                         {"name": nr.getAttrNS(TABLENS, "name"), "part": "named range"}))
    for el in doc.meta.childNodes:
        words = teletype.extractText(el)
        tag = el.qname[1] if hasattr(el, "qname") else "meta"
        if words.strip() and tag not in ("generator", "creation-date", "date", "editing-cycles",
                                         "editing-duration", "document-statistic"):
            out.add(TextUnit(words, {"property": tag, "part": "document property"}))
    from egress_review.engine.readers.office_text import ODS_PARTS, read_unlisted

    read_unlisted(out, raw, zipfile.ZipFile(io.BytesIO(raw)).namelist(), ODS_PARTS)
    return out
