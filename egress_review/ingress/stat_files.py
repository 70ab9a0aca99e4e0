"""Statistical packages' data files brought in, read for the rows they hold (D4).

Stata (.dta), SAS (.sas7bdat, SAS transport .xpt) and SPSS (.sav) files were "unknown
binaries" to the import checks: their raw bytes were searched for national IDs and the file
went to a person with nothing said about what it held - a Stata file of persons reached a
reviewer unmarked.  What pandas reads without further packages (``read_stata``, ``read_sas``;
.sav only where ``pyreadstat`` is installed) is now handed back as a table, and the checker
puts it through the same table checks as a CSV (person-level rows, identifiers, institutions);
labels, value labels and Stata notes are handed back as text.  What cannot be read here (.sav
without pyreadstat, R's .rds/.RData, a transport library of several datasets, a damaged or
unsupported file) goes to a person with the reason: it never passes unread.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd

READABLE = {".dta": "Stata", ".sas7bdat": "SAS", ".xpt": "SAS transport", ".sav": "SPSS", ".zsav": "SPSS"}
R_SUFFIXES = {".rds": "R (.rds)", ".rdata": "R (.RData)", ".rda": "R (.rda)"}
SUFFIXES = set(READABLE) | set(R_SUFFIXES)
# R's serialisation, uncompressed (a gzip'd one is unpacked first and lands here without a suffix)
R_MAGIC = (b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n", b"RDB2\n", b"RDB3\n", b"X\n\x00\x00\x00\x02",
           b"X\n\x00\x00\x00\x03")
_XPT_MEMBER = b"HEADER RECORD*******MEMBER  HEADER RECORD"
_XPT_LIBRARY = b"HEADER RECORD*******LIBRARY HEADER RECORD"
_PRINTABLE = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f]{4,}")


@dataclass
class StatReading:
    what: str                                   # "Stata", "SAS transport"...
    frame: pd.DataFrame | None = None           # the rows, when read
    texts: list[tuple[dict, str]] = field(default_factory=list)   # labels, notes: place, text
    why_en: str = ""                            # why it was not read (then frame is None)
    why_zh: str = ""


def is_stat_file(suffix: str, data: bytes) -> bool:
    return suffix in SUFFIXES or data.startswith(R_MAGIC)


def read_stat(data: bytes, suffix: str) -> StatReading:
    """The file's rows and labels, or why they could not be read."""
    if suffix in R_SUFFIXES or data.startswith(R_MAGIC):
        what = R_SUFFIXES.get(suffix, "R")
        return StatReading(what, why_en=f"an {what} data file cannot be read here (no R reader is installed)",
                           why_zh=f"無法在此讀取 {what} 資料檔（未安裝 R 讀取器）")
    what = READABLE[suffix]
    try:
        if suffix == ".dta":
            return _stata(data)
        if suffix in (".sas7bdat", ".xpt"):
            return _sas(data, suffix)
        return _spss(data, suffix)
    except _Unreadable as e:
        return StatReading(what, why_en=e.en, why_zh=e.zh)
    except Exception as e:  # noqa: BLE001 - a damaged or unsupported file: a person reads it
        return StatReading(what, why_en=f"the {what} file cannot be read ({type(e).__name__}: {str(e)[:200]})",
                           why_zh=f"無法讀取此 {what} 檔（{type(e).__name__}：{str(e)[:200]}）")


class _Unreadable(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def _stata(data: bytes) -> StatReading:
    out = StatReading("Stata")
    try:   # value labels applied: a sex or diagnosis column reads as it is meant
        with pd.io.stata.StataReader(io.BytesIO(data)) as r:
            out.frame = r.read()
            _stata_labels(r, out)
    except ValueError:   # labels that cannot be applied (not unique): the codes, labels as text
        with pd.io.stata.StataReader(io.BytesIO(data)) as r:
            out.frame = r.read(convert_categoricals=False)
            _stata_labels(r, out)
    notes = _stata_notes(data)
    if notes:
        out.texts.append(({"part": "notes (characteristics)"}, notes))
    return out


def _stata_labels(r, out: StatReading) -> None:
    if r.data_label:
        out.texts.append(({"part": "dataset label"}, str(r.data_label)))
    labels = "\n".join(f"{k}: {v}" for k, v in r.variable_labels().items() if v)
    if labels:
        out.texts.append(({"part": "variable labels"}, labels))
    for name, mapping in r.value_labels().items():
        if mapping:
            out.texts.append(({"part": "value labels", "label_set": name},
                              "\n".join(f"{k}: {v}" for k, v in mapping.items())))


def _stata_notes(data: bytes) -> str:
    """Stata 117+ keeps notes and characteristics in a tagged section pandas skips."""
    start, end = data.find(b"<characteristics>"), data.find(b"</characteristics>")
    if start < 0 or end <= start:
        return ""
    body = data[start + len(b"<characteristics>"):end].decode("utf-8", "replace")
    return "\n".join(m.group() for m in _PRINTABLE.finditer(body) if m.group() not in ("<ch>", "</ch>"))


def _sas(data: bytes, suffix: str) -> StatReading:
    what = READABLE[suffix]
    if suffix == ".xpt":
        if not data.startswith(_XPT_LIBRARY):
            # CPORT files (PROC CPORT) and XPORT v8 are not what pandas reads
            raise _Unreadable(f"the file is not a SAS transport (XPORT v5) library; CPORT and v8 transport "
                              f"files cannot be read here",
                              "此檔非 SAS XPORT v5 傳輸檔；無法在此讀取 CPORT 或 v8 傳輸檔")
        members = data.count(_XPT_MEMBER)
        if members > 1:   # pandas reads the first dataset only: the others would pass unread
            raise _Unreadable(f"the transport library holds {members} datasets; only one per file can be read "
                              f"here", f"此傳輸檔含 {members} 個資料集，此處每檔只能讀取一個")
    fmt = "xport" if suffix == ".xpt" else "sas7bdat"
    frame = pd.read_sas(io.BytesIO(data), format=fmt, encoding=None)
    frame = frame.apply(_decoded) if len(frame.columns) else frame
    return StatReading(what, frame=frame)


def _decoded(col: pd.Series) -> pd.Series:
    """SAS stores text as bytes in the session's encoding: UTF-8, else Big5 (cp950), else Latin-1."""
    if col.dtype != object:
        return col

    def one(v):
        if not isinstance(v, bytes):
            return v
        for enc in ("utf-8", "cp950"):
            try:
                return v.decode(enc).rstrip()
            except UnicodeDecodeError:
                continue
        return v.decode("latin-1").rstrip()

    return col.map(one)


def _spss(data: bytes, suffix: str) -> StatReading:
    try:
        import pyreadstat
    except ImportError:
        raise _Unreadable("an SPSS file cannot be read here (pyreadstat is not installed)",
                          "無法在此讀取 SPSS 檔（未安裝 pyreadstat）") from None
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ingress-sav-") as d:   # pyreadstat reads paths only
        path = os.path.join(d, "f" + suffix)
        with open(path, "wb") as f:
            f.write(data)
        frame, meta = pyreadstat.read_sav(path, apply_value_formats=True)
    out = StatReading("SPSS", frame=frame)
    labels = "\n".join(f"{k}: {v}" for k, v in (meta.column_names_to_labels or {}).items() if v)
    if labels:
        out.texts.append(({"part": "variable labels"}, labels))
    if meta.file_label:
        out.texts.append(({"part": "dataset label"}, str(meta.file_label)))
    return out


def as_csv(frame: pd.DataFrame) -> bytes:
    """The rows as the CSV the table checks read (dates in ISO form, missing values empty, whole
    numbers without ".0": SAS keeps every number as a double, and an age of 30.0 is an age)."""
    frame = frame.copy()
    for c in frame.columns:
        col = frame[c]
        if col.dtype.kind == "f":
            vals = col.dropna()
            if len(vals) and (vals == vals.round()).all() and vals.abs().max() < 2 ** 53:
                frame[c] = col.astype("Int64")
    return frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")
