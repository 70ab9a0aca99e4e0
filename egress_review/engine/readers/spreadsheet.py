"""Workbooks (.xlsx/.xlsm through openpyxl, .ods through odfpy): every part a reader can open.

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
_CORE_PROPS = ("title", "subject", "creator", "keywords", "description", "lastModifiedBy",
               "category", "contentStatus", "identifier", "language", "version")


def _text(v) -> str:
    return "" if v is None else str(v)


def _ref_value(wb, formula: str | None) -> str:
    """The value of a one-cell reference such as ``'results'!$B$1`` (a series title)."""
    if not formula or "!" not in formula:
        return ""
    sheet, _, ref = formula.rpartition("!")
    try:
        return _text(wb[sheet.strip("'")][ref.replace("$", "")].value)
    except (KeyError, ValueError, AttributeError, TypeError):
        return ""


def _chart_table(chart, wb) -> list[list[str]] | None:
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
            title = _ref_value(wb, s.tx.strRef.f)
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


def read_xlsx(raw: bytes, name: str, *, skip_sheet: str | None = None) -> Content:
    """``skip_sheet``: a sheet already checked as the declared table (not read twice)."""
    import openpyxl

    out = Content("xlsx")
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile as e:
        out.fail({}, f"not a readable workbook package ({e})")
        return out
    for m in members:
        if not m.endswith("/") and not _READ_PARTS.match(m):
            out.fail({"part": m}, f"workbook part {m} is not read by the checks")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        out.fail({}, f"not a readable .xlsx workbook ({type(e).__name__}: {e})")
        return out
    has_comments = any(m.startswith("xl/comments") for m in members)
    for ws in list(wb.worksheets) + list(getattr(wb, "chartsheets", [])):
        sheet = ws.title
        hidden_rows = [k for k, d in getattr(ws, "row_dimensions", {}).items() if d.hidden]
        hidden_cols = [k for k, d in getattr(ws, "column_dimensions", {}).items() if d.hidden]
        hidden = ws.sheet_state != "visible" or bool(hidden_rows) or bool(hidden_cols)
        if hasattr(ws, "iter_rows") and sheet != skip_sheet:
            rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
            if any(any(c.strip() for c in r) for r in rows):
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                place = {"sheet": sheet}
                if hidden:
                    place["hidden"] = ({"sheet": ws.sheet_state} if ws.sheet_state != "visible" else {}) | (
                        {"rows": hidden_rows[:20]} if hidden_rows else {}) | (
                        {"columns": hidden_cols[:20]} if hidden_cols else {})
                out.add(TableUnit(rows=rows, place=place, hidden=hidden, a1_origin=(0, 0)))
        elif sheet == skip_sheet and hidden:
            pass  # the declared table's own hidden parts are reported by the table checks
        if has_comments and hasattr(ws, "_cells"):
            for cell in ws._cells.values():
                c = cell.comment
                if c is not None and c.text:
                    out.add(TextUnit(c.text, {"sheet": sheet, "cell": cell.coordinate,
                                              "part": "comment"}))
        for dn_name, dn in getattr(ws, "defined_names", {}).items():
            out.add(TextUnit(f"{dn_name} = {dn.attr_text}", {"sheet": sheet, "name": dn_name,
                                                              "part": "defined name"}))
        for k, chart in enumerate(getattr(ws, "_charts", [])):
            rows = _chart_table(chart, wb)
            if rows:
                out.add(TableUnit(rows=rows, place={"sheet": sheet, "chart": k + 1,
                                                    "part": "chart cache"}))
            title = getattr(getattr(chart, "title", None), "tx", None)
            if title is not None and getattr(title, "rich", None) is not None:
                words = " ".join(r.t for p in title.rich.p for r in (p.r or []) if r.t)
                if words:
                    out.add(TextUnit(words, {"sheet": sheet, "chart": k + 1, "part": "chart title"}))
        for k, _im in enumerate(getattr(ws, "_images", [])):
            out.add(ImageUnit("image", "", {"sheet": sheet, "image": k + 1}))
        for k, _p in enumerate(getattr(ws, "_pivots", [])):
            out.fail({"sheet": sheet, "pivot": k + 1},
                     "a pivot table keeps its source rows in a cache the checks do not read")
    for dn_name, dn in wb.defined_names.items():
        out.add(TextUnit(f"{dn_name} = {dn.attr_text}", {"name": dn_name, "part": "defined name"}))
    props = wb.properties
    for key in _CORE_PROPS:
        v = getattr(props, key, None)
        if v and not (key in ("creator", "lastModifiedBy") and v == "openpyxl"):
            out.add(TextUnit(str(v), {"property": key, "part": "document property"}))
    for prop in getattr(wb, "custom_doc_props", None) or []:
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
    from odf.office import Annotation
    from odf.table import NamedRange, Table, TableColumn, TableRow

    out = Content("ods")
    try:
        doc = load(io.BytesIO(raw))
        sheets = pd.read_excel(io.BytesIO(raw), engine="odf", sheet_name=None, header=None,
                               dtype=str, keep_default_na=False)
    except Exception as e:
        out.fail({}, f"not a readable .ods spreadsheet ({type(e).__name__}: {e})")
        return out
    hidden_sheets: dict[str, bool] = {}
    for t in doc.spreadsheet.getElementsByType(Table):
        collapsed = any(r.getAttrNS(TABLENS, "visibility") in ("collapse", "filter")
                        for r in t.getElementsByType(TableRow)) or any(
            c.getAttrNS(TABLENS, "visibility") in ("collapse", "filter")
            for c in t.getElementsByType(TableColumn))
        hidden_sheets[t.getAttrNS(TABLENS, "name")] = collapsed
    for sheet, df in sheets.items():
        rows = [[str(v) for v in r] for r in df.itertuples(index=False)]
        if rows:
            hid = hidden_sheets.get(sheet, False)
            place = {"sheet": sheet} | ({"hidden": {"rows_or_columns": True}} if hid else {})
            out.add(TableUnit(rows=rows, place=place, hidden=hid, a1_origin=(0, 0)))
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
    return out
