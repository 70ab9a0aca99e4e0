"""Reading a declared table file (CSV/TSV, XLSX, Parquet, JSON records) into cells with locations.

Every cell keeps the exact text of the file, so symbol and precision checks see what a reader
would see; numbers are parsed separately (thousands separators and a trailing '%' allowed).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from egress_review.manifest import ColumnRole, ManifestFile


class TableError(ValueError):
    """A table file cannot be read as the manifest says; the message names the file."""


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Table:
    path: str
    spec: ManifestFile
    df: pd.DataFrame                      # every cell as the text in the file
    sheet: str | None = None
    header_line: int = 1
    hidden: list[dict] = field(default_factory=list)    # xlsx hidden rows/columns/sheets
    # what the data says, whatever the manifest declares (filled by structure.infer)
    inferred_counts: list[str] = field(default_factory=list)     # columns that are counts
    inferred_column_group: str | None = None                      # long table that is a crosstab
    wide_cols: list[str] | None = None                            # its category + total columns
    inferred_total_cols: list[str] = field(default_factory=list)  # margin columns found by value
    notes: list[dict] = field(default_factory=list)               # inference findings to report
    extra_total_labels: set[str] = field(default_factory=set)     # e.g. ROLLUP's empty label
    grid_cols: set[str] = field(default_factory=set)   # count columns the secondary audit laid out
    content: str = "text"                                         # format read by content
    closing: tuple | None = None        # numpy histogram: (edge column, closing edge) of its dropped last row
    _num: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> list[str]:
        index = self.df.columns
        if self._num.get("__colsrc__") is not index:          # rebuilt only when df changes
            cols = [str(c) for c in index]
            self._num["__colsrc__"] = index
            self._num["__cols__"] = cols
            self._num["__colidx__"] = {c: k for k, c in enumerate(cols)}
            self._num.pop("__roles__", None)
        return self._num["__cols__"]

    def col_index(self, col: str) -> int:
        self.columns
        return self._num["__colidx__"][col]

    def role(self, col: str) -> ColumnRole | None:
        return self.spec.role_of(col)

    def cols_with(self, *roles: str) -> list[str]:
        """Columns with one of ``roles``; a column the data shows to be a count is a count
        whatever it was declared (and no longer a grouping key)."""
        cols = self.columns                      # first: drops the cache if df was replaced
        key = (roles, tuple(self.inferred_counts))
        cache = self._num.setdefault("__roles__", {})
        if key in cache and cache[key][0] is self.spec:
            return list(cache[key][1])
        counted = "count" in roles or "suppressed" in roles
        out = []
        for c in cols:
            r = self.role(c)
            if r is None:
                continue
            if c in self.inferred_counts:
                if counted or (r.role in roles and r.role != "group"):
                    out.append(c)
            elif r.role in roles:
                out.append(c)
        cache[key] = (self.spec, tuple(out))
        return out

    @property
    def count_cols(self) -> list[str]:
        return self.cols_with("count", "suppressed")

    @property
    def group_cols(self) -> list[str]:
        return self.cols_with("group")

    @property
    def column_group(self) -> str | None:
        return self.spec.column_group or self.inferred_column_group

    @property
    def is_wide(self) -> bool:
        return self.column_group is not None

    def wide_count_cols(self) -> list[str]:
        """The count columns that are categories (and margin) of the column variable."""
        counts = self.count_cols
        if self.wide_cols is None:
            return counts
        return [c for c in counts if c in self.wide_cols]

    def location(self, i: int, col: str | None = None) -> dict:
        i = int(i)
        loc: dict = {"row": i + 1, "line": self.header_line + i + 1}
        if col is not None:
            loc["column"] = col
            loc["cell"] = f"{col_letter(self.col_index(col))}{self.header_line + i + 1}"
        if self.sheet:
            loc["sheet"] = self.sheet
        return loc

    def text(self, col: str) -> pd.Series:
        return self.df[col]

    def numeric(self, col: str) -> np.ndarray:
        if col not in self._num:
            nums = parse_numbers(self.df[col])
            role = self.role(col)
            if role is not None and role.role == "count" and np.isnan(nums).any():
                nums = _counts_with_shares(self.df[col], nums)
            self._num[col] = nums
        return self._num[col]

    def is_total_label(self, label: str) -> bool:
        return (is_total_label(label, self.spec.total_labels)
                or (bool(self.extra_total_labels) and str(label).strip() in self.extra_total_labels))

    def total_rows(self) -> np.ndarray:
        """Rows that are margins: a grouping value is a total label (declared or built in)."""
        mask = np.zeros(len(self.df), dtype=bool)
        for g in self.group_cols:
            mask |= self.df[g].map(self.is_total_label).to_numpy(dtype=bool)
        return mask

    def is_total_col(self, col: str) -> bool:
        return col in self.inferred_total_cols or self.is_total_label(col)


# Margin labels recognised whatever the manifest's ``total_labels`` say (declarations only add).
BUILTIN_TOTAL_LABELS = frozenset(s.casefold() for s in (
    "All", "Total", "Totals", "Grand total", "Overall", "Sum", "Subtotal", "Sub-total", "All ages",
    "Both sexes", "Margin", "合計", "總計", "小計", "總和", "全部", "全體", "總數", "整體", "共計",
    "總人數", "总计", "合计"))


# ... and labels that begin like one: "Total (n)", "All patients", "合計人數".
_TOTAL_PREFIX = re.compile(r"^(?:grand\s+)?total\b|^overall\b|^all\s|^sum\s+of\b|^(?:合計|總計|小計|總和|全部|全體|總數)")


# ... and a label that is wholly a cut, with nothing before it: "Excluding Lanyu", 「蘭嶼除外」,
# 「不含蘭嶼」 is everyone less a part, a margin like "All except Lanyu" (E3, round 13: it was a
# category of its own, so against an earlier "All" only an inconsistency went to review).
# "Other than X", 「台灣以外」 and "without X" stay categories (a rest, a residence abroad, persons
# without a condition).
_BARE_CUT = re.compile(r"^(?:excluding|excl\.?|except(?:\s+for)?|all\s+but)\s+\S|"
                       r"^(?:不含|不包括|不包含|不計|扣除|排除|除去|除了)\s*\S|^[^\s,，、;；(（]{1,20}除外$")


def is_total_label(label: str, declared=()) -> bool:
    return _is_total(str(label), tuple(declared))


@lru_cache(maxsize=65536)
def _is_total(label: str, declared: tuple) -> bool:
    s = label.strip().rstrip(":：.*").strip().casefold()
    return (s in BUILTIN_TOTAL_LABELS or bool(_TOTAL_PREFIX.match(s)) or bare_cut(s)
            or any(s == str(d).strip().casefold() for d in declared))


def bare_cut(label: str) -> bool:
    """A label that names only a part cut away from everyone ("Excluding Lanyu", 「蘭嶼除外」)."""
    return bool(_BARE_CUT.match(label.strip().casefold()))


def stated_numbers(values: list) -> np.ndarray:
    """A per-row list stated in a provenance record (None: no value) as floats, NaN for None."""
    return np.asarray([np.nan if x is None else x for x in values], dtype=float)


_NUM_CLEAN = re.compile(r"[,\s]")


# A count printed with its share, as papers print one variable: "40 (7.4%)", "40（7.4）".  The
# count is the cell's number (E3: a later release's counts are set against it; before, such a
# column read as blanks and an earlier release in this form linked to nothing).
_COUNT_WITH_SHARE = re.compile(r"^\s*(\d[\d,]*)\s*[(（]\s*\d+(?:\.\d+)?\s*%?\s*[)）]\s*$")


def _counts_with_shares(s: pd.Series, nums: np.ndarray) -> np.ndarray:
    out = nums.copy()
    for i in np.flatnonzero(np.isnan(out)):
        m = _COUNT_WITH_SHARE.match(str(s.iloc[i]))
        if m:
            out[i] = float(m.group(1).replace(",", ""))
    return out


def parse_numbers(s: pd.Series) -> np.ndarray:
    """Numbers in text cells; NaN where the text is not a number (blank, symbol, words)."""
    out = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, copy=True)
    bad = np.isnan(out)
    if bad.any():
        # only cells that are not plain numbers get the slower clean-up
        t = s[bad].astype(str).str.replace(_NUM_CLEAN, "", regex=True)
        t = t.str.replace(r"%$", "", regex=True)
        out[bad] = pd.to_numeric(t, errors="coerce").to_numpy(dtype=float)
    return out


def _sniff_sep(sample: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def workbook_hidden(wb, source) -> list[dict]:
    """What a workbook (openpyxl, cached values) holds out of a reader's sight - hidden sheets,
    rows and columns - or shows other than its values (formats, formulas, comments, links:
    readers/xlsx_display.py); ``source`` its file or bytes."""
    from egress_review.engine.readers.xlsx_display import workbook_findings

    hidden: list[dict] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            hidden.append({"sheet": ws.title, "what": "sheet", "state": ws.sheet_state})
        for key, dim in ws.row_dimensions.items():
            if dim.hidden:
                hidden.append({"sheet": ws.title, "what": "row", "row": key})
        for key, dim in ws.column_dimensions.items():
            if dim.hidden:
                hidden.append({"sheet": ws.title, "what": "column", "column": key})
    return hidden + workbook_findings(wb, source)


def _read_xlsx(full: Path | io.BytesIO, spec: ManifestFile) -> tuple[pd.DataFrame, str, list[dict]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(full, read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise TableError(f"{spec.path}: not a readable .xlsx workbook ({e})") from None
    hidden = workbook_hidden(wb, full)
    if spec.sheet:
        if spec.sheet not in wb.sheetnames:
            raise TableError(f"{spec.path}: sheet {spec.sheet!r} not found (sheets: {wb.sheetnames})")
        ws = wb[spec.sheet]
    else:
        ws = wb.worksheets[0]
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    if not rows:
        raise TableError(f"{spec.path}: sheet {ws.title!r} is empty")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    df = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]], dtype=object)
    return df, ws.title, hidden


# Largest decompressed size of a gzip table read by content (a bomb is refused, not read).
MAX_INFLATED_BYTES = 200_000_000


def sniff_content(raw: bytes) -> str:
    """What a file is by its bytes, whatever its name says: xlsx, zip, parquet, gzip, or text."""
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return "zip"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if raw.startswith(b"PAR1"):
        return "parquet"
    if raw.startswith(b"ARROW1"):
        return "feather"
    if raw.startswith(b"\x1f\x8b"):
        return "gzip"
    return "text"


def _inflate(raw: bytes, path: str) -> bytes:
    import zlib

    d = zlib.decompressobj(wbits=31)
    out = d.decompress(raw, MAX_INFLATED_BYTES + 1)
    if len(out) > MAX_INFLATED_BYTES or d.unconsumed_tail:
        raise TableError(f"{path}: gzip content inflates beyond {MAX_INFLATED_BYTES} bytes")
    return out


def _read_text_table(raw: bytes, spec: ManifestFile, suffix: str) -> pd.DataFrame:
    from egress_review.engine.readers.text_decode import decode_text

    text = decode_text(raw)            # UTF-8, Big5, or UTF-16/32 by their byte-order mark
    if text is None:
        raise TableError(f"{spec.path}: neither UTF-8, Big5 nor Unicode text with a byte-order "
                         "mark") from None
    sep = _sniff_sep(text[:4096], suffix)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           na_filter=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise TableError(f"{spec.path}: cannot parse as delimited text ({e})") from None


def read_table(root: Path, spec: ManifestFile) -> Table:
    """Read a table by what its bytes are (an .csv that is a workbook is read as one), then
    infer its structure (margins, counts) from the data."""
    from egress_review.engine.structure import infer

    full = root / spec.path
    suffix = full.suffix.lower()
    if not full.is_file():
        raise TableError(f"{spec.path}: file not found under {root}")
    raw = full.read_bytes()
    content = sniff_content(raw)
    if content == "gzip":
        raw = _inflate(raw, spec.path)
        content = "gzip+" + sniff_content(raw)
    sheet = None
    hidden: list[dict] = []
    inner = content.split("+")[-1]
    if inner == "zip":
        raise TableError(f"{spec.path}: the file is an archive, not a table")
    if inner == "xlsx":
        df, sheet, hidden = _read_xlsx(io.BytesIO(raw), spec)
    elif inner == "parquet":
        try:
            df = pd.read_parquet(io.BytesIO(raw))
        except Exception as e:
            raise TableError(f"{spec.path}: not a readable Parquet file ({e})") from None
        df = df.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    elif suffix in (".xlsx", ".xlsm", ".parquet"):
        raise TableError(f"{spec.path}: the content is not a {suffix} file")
    elif inner == "feather":
        try:
            df = pd.read_feather(io.BytesIO(raw))
        except Exception as e:
            raise TableError(f"{spec.path}: not a readable Feather/Arrow file ({e})") from None
        df = df.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    elif suffix == ".json":
        from egress_review.engine.readers.structured import frame_rows

        try:
            from egress_review.engine.readers.text_decode import decode_text

            data = json.loads(decode_text(raw) or "\x00")
            rows = frame_rows(data)    # to_json's split/columns/index/table/values orientations
            df = pd.DataFrame(rows[1:], columns=rows[0], dtype=object) if rows is not None else \
                pd.DataFrame(data, dtype=object).fillna("").astype(str)
        except (ValueError, TypeError) as e:
            raise TableError(f"{spec.path}: not a JSON list of records ({e})") from None
    else:
        df = _read_text_table(raw, spec, suffix)
    df.columns = [str(c) for c in df.columns]
    df = df.astype(str) if len(df) else df
    table = Table(path=spec.path, spec=spec, df=df.reset_index(drop=True), sheet=sheet,
                  hidden=hidden, content=content)
    try:
        infer(table)
    except Exception as e:  # noqa: BLE001 - odd data: a person looks, the table is not passed
        table.notes.append({"severity": "review", "location": {},
                            "en": f"The table's structure could not be inferred ({type(e).__name__}: "
                                  f"{e}): a reviewer checks its margins and counts.",
                            "zh": f"無法推斷此表的結構（{type(e).__name__}：{e}），由審查人檢查其邊際與計數。"})
    return table
