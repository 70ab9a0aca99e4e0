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
    _num: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> list[str]:
        cols = [str(c) for c in self.df.columns]
        if self._num.get("__cols__") != cols:
            self._num["__cols__"] = cols
            self._num["__colidx__"] = {c: k for k, c in enumerate(cols)}
        return cols

    def col_index(self, col: str) -> int:
        self.columns
        return self._num["__colidx__"][col]

    def role(self, col: str) -> ColumnRole | None:
        return self.spec.role_of(col)

    def cols_with(self, *roles: str) -> list[str]:
        out = []
        for c in self.columns:
            r = self.role(c)
            if r is not None and r.role in roles:
                out.append(c)
        return out

    @property
    def group_cols(self) -> list[str]:
        return self.cols_with("group")

    @property
    def is_wide(self) -> bool:
        return self.spec.column_group is not None

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
            self._num[col] = parse_numbers(self.df[col])
        return self._num[col]

    def total_rows(self) -> np.ndarray:
        """Rows that are margins: a grouping value is one of the total labels."""
        mask = np.zeros(len(self.df), dtype=bool)
        labels = set(self.spec.total_labels)
        for g in self.group_cols:
            mask |= self.df[g].str.strip().isin(labels).to_numpy()
        return mask

    def is_total_col(self, col: str) -> bool:
        return col.strip() in set(self.spec.total_labels)


_NUM_CLEAN = re.compile(r"[,\s]")


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


def _read_xlsx(full: Path, spec: ManifestFile) -> tuple[pd.DataFrame, str, list[dict]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(full, read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise TableError(f"{spec.path}: not a readable .xlsx workbook ({e})") from None
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


def read_table(root: Path, spec: ManifestFile) -> Table:
    full = root / spec.path
    suffix = full.suffix.lower()
    if not full.is_file():
        raise TableError(f"{spec.path}: file not found under {root}")
    sheet = None
    hidden: list[dict] = []
    if suffix in (".xlsx", ".xlsm"):
        df, sheet, hidden = _read_xlsx(full, spec)
    elif suffix == ".parquet":
        try:
            df = pd.read_parquet(full)
        except Exception as e:
            raise TableError(f"{spec.path}: not a readable Parquet file ({e})") from None
        df = df.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    elif suffix == ".json":
        try:
            data = json.loads(full.read_text(encoding="utf-8"))
            df = pd.DataFrame(data, dtype=object).fillna("").astype(str)
        except (ValueError, TypeError) as e:
            raise TableError(f"{spec.path}: not a JSON list of records ({e})") from None
    else:
        raw = full.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("big5")
            except UnicodeDecodeError as e:
                raise TableError(f"{spec.path}: neither UTF-8 nor Big5 text (byte {e.start})") from None
        sep = _sniff_sep(text[:4096], suffix)
        try:
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                             na_filter=False, skipinitialspace=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise TableError(f"{spec.path}: cannot parse as delimited text ({e})") from None
    df.columns = [str(c) for c in df.columns]
    df = df.astype(str) if len(df) else df
    return Table(path=spec.path, spec=spec, df=df.reset_index(drop=True), sheet=sheet,
                 hidden=hidden)
