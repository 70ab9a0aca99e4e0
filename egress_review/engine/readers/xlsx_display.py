"""What a workbook shows that is not the value the checks read (E7).

The engine reads each cell's stored value.  A spreadsheet program shows something else when:

* the cell's number format writes literal text or scales, hides or picks by condition - a
  stored 300 with the format ``"3"`` (or ``0,,``, ``[<1000]"3";0``, ``;;;``) is read as 300
  and shown as 3;
* the cell holds a formula - the checks read its cached value, which a file written by a
  library does not have (read as empty) and the program computes on opening;
* text sits where no cell value is: cell comments, hyperlink targets, page headers and
  footers, custom document properties.

Each is reported with its sheet and cell; the smuggling check blocks them (a table for
release holds values, shown as they are).  Formats that only pad, colour, group thousands,
place decimals or show dates and percentages are kept.
"""
from __future__ import annotations

import re

# (what, English, Chinese) of each finding kind
MESSAGES = {
    "format": ("A cell's number format shows something other than its value ({detail}): the checks "
               "read the value, a reader sees the format.",
               "儲存格的數值格式顯示的內容與其值不同（{detail}）：檢查讀取的是值，讀者看到的是格式。"),
    "formula": ("A cell holds a formula ({detail}): a spreadsheet computes it on opening, the checks "
                "read only a stored result. Release values, not formulas.",
                "儲存格含公式（{detail}）：試算表開啟時會計算，檢查只讀取已儲存的結果。請以數值提交。"),
    "comment": ("A cell comment holds text the table checks do not read ({detail}).",
                "儲存格註解含有表格檢查不讀取的文字（{detail}）。"),
    "link": ("A cell links to {detail}: a link target can carry data.",
             "儲存格連結至 {detail}：連結目標可夾帶資料。"),
    "header": ("The sheet's page header or footer holds text ({detail}).",
               "工作表的頁首或頁尾含有文字（{detail}）。"),
    "property": ("The workbook carries custom document properties ({detail}).",
                 "活頁簿含有自訂文件屬性（{detail}）。"),
}

_QUOTED = re.compile(r'"[^"]*"')
# what a number format may hold and still show the value as it is
_PLAIN_TOKENS = re.compile(
    r"\[(?:Red|Black|Blue|Green|White|Yellow|Cyan|Magenta|Color\d{1,2}|\$[^\]]*)\]"   # colours, currency
    r"|_.|\*.|\\[ ()\-+/$]"                                 # padding, fill, escaped punctuation
    r"|[0#?.,%Ee+\-/() :$]|AM/PM|A/P|General|[ymdhs]+|@", re.IGNORECASE)


def format_difference(fmt: str) -> str | None:
    """Why cells in number format ``fmt`` are shown as other than their value, or None."""
    if not fmt or fmt == "General":
        return None
    sections = fmt.split(";")
    if len(sections) >= 2 and any(not s.strip() for s in sections[:3]):
        return f"{fmt!r} hides the value (an empty section)"
    for sec in sections:
        if re.search(r"\[[<>=]", sec):
            return f"{fmt!r} chooses what to show by a condition"
        text = [q.strip('"') for q in _QUOTED.findall(sec)] + re.findall(r"\\(.)", sec)
        if any(re.search(r"[0-9A-Za-z\u3400-\u9fff]", t) for t in text):
            return f"{fmt!r} writes text or digits of its own"
        rest = _QUOTED.sub("", sec)
        if re.search(r"[0#?](?:,)+(?![0#?])", rest):
            return f"{fmt!r} scales the value by thousands"
        if _PLAIN_TOKENS.sub("", rest).strip():
            return f"{fmt!r} holds parts that are not a number layout"
    return None


def workbook_findings(wb, source) -> list[dict]:
    """Every place of the workbook ``wb`` (openpyxl, loaded with cached values; ``source`` its
    file or bytes, for the formulas that loading hides) where it shows what its values do not
    say."""
    titles = {f"sheet{i}": ws.title for i, ws in enumerate(wb.worksheets, start=1)}
    out: list[dict] = [{**f, "sheet": titles.get(f["sheet"], f["sheet"])} for f in _formulas(source)]
    try:
        custom = [p.name for p in wb.custom_doc_props.props]
    except AttributeError:
        custom = []
    if custom:
        out.append({"what": "property", "detail": ", ".join(custom[:5])})
    for ws in wb.worksheets:
        for part in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
            hf = getattr(ws, part, None)
            texts = [getattr(getattr(hf, side, None), "text", None) for side in ("left", "center", "right")]
            if any(texts):
                out.append({"sheet": ws.title, "what": "header", "detail": part})
        for row in ws.iter_rows():
            for c in row:
                where = {"sheet": ws.title, "cell": c.coordinate}
                if c.value is not None and (why := format_difference(c.number_format)):
                    out.append({**where, "what": "format", "detail": why})
                if c.comment is not None and c.comment.text.strip():
                    out.append({**where, "what": "comment", "detail": c.comment.text.strip()[:20] + "…"})
                if c.hyperlink is not None and (c.hyperlink.target or c.hyperlink.location):
                    out.append({**where, "what": "link",
                                "detail": (c.hyperlink.target or c.hyperlink.location)[:40]})
    return out


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
_FORMULA = re.compile(rb"<f[ >/]")


def _formulas(source) -> list[dict]:
    """Cells with a formula, from the sheets' XML (``data_only`` loading shows only the cached
    result, and nothing where none was stored)."""
    import io
    import zipfile

    out: list[dict] = []
    data = source.getvalue() if isinstance(source, io.BytesIO) else open(source, "rb").read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            xml = z.read(name)
            for m in _FORMULA.finditer(xml):
                refs = list(_CELL_REF.finditer(xml, max(0, m.start() - 400), m.start()))
                cell = refs[-1].group(1).decode() if refs else "?"
                out.append({"sheet": name.rsplit("/", 1)[-1][:-4], "cell": cell, "what": "formula",
                            "detail": f"cell {cell}"})
                if len(out) >= 50:
                    return out
    return out


_NUMBER_TEXT = re.compile(r"^[-+(]?[0-9][0-9,]*(?:\.([0-9]+))?\)?$")


def _shown_as_value(text: str, value: float, percent: bool) -> bool:
    """Does the displayed ``text`` of a number cell read as its ``value`` (grouping, currency,
    percent sign and the shown decimals allowed)?"""
    t = re.sub(r"[\s$€¥£]|NT\$|%", "", text)
    m = _NUMBER_TEXT.match(t)
    if not m:
        return False
    shown = float(t.strip("()+").replace(",", "")) * (-1 if t.startswith(("-", "(")) else 1)
    v = value * 100 if percent else value
    return round(v, len(m.group(1) or "")) == shown


def ods_findings(raw: bytes) -> list[dict]:
    """The same for an OpenDocument spreadsheet: a number cell whose stored text (what a viewer
    shows) is not its value, and formulas."""
    import io

    from odf import teletype
    from odf.namespaces import OFFICENS, TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    out: list[dict] = []
    doc = load(io.BytesIO(raw))
    for t in doc.spreadsheet.getElementsByType(Table):
        sheet = t.getAttrNS(TABLENS, "name")
        for r, row in enumerate(t.getElementsByType(TableRow), start=1):
            for c, cell in enumerate(row.getElementsByType(TableCell), start=1):
                where = {"sheet": sheet, "cell": f"R{r}C{c}"}
                formula = cell.getAttrNS(TABLENS, "formula")
                if formula:
                    out.append({**where, "what": "formula", "detail": str(formula)[:40]})
                kind = cell.getAttrNS(OFFICENS, "value-type")
                value = cell.getAttrNS(OFFICENS, "value")
                if kind in ("float", "percentage", "currency") and value is not None:
                    text = teletype.extractText(cell).strip()
                    try:
                        same = _shown_as_value(text, float(value), kind == "percentage")
                    except ValueError:
                        same = False
                    if not same:
                        out.append({**where, "what": "format",
                                    "detail": f"stored {value}, shown {text[:20]!r}"})
                if len(out) >= 50:
                    return out
    return out
