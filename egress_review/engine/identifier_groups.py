"""E1: a table grouped by values that identify persons is a table of persons.

A red-team round passed tables whose group values were person keys printed as ordinary labels
(the identifiers check reads them as text and, for some shapes, only asks a reviewer).  A count,
share or mean per IP address, per chart number, per date of birth or per second of a day is a
row per person (or per very few), whatever the count says.  Such a group column blocks when
most of its values (all but margins and "Other"/"Unknown" labels) are one of:
- an IPv4 or IPv6 address;
- a Taiwan national ID / resident certificate shape (``A123456789``, ``AB12345678``,
  ``A800000001``), check digit valid or not: a letter and nine digits is no category;
- a phone number (``0912-345-678``, ``02-2345-6789``, ``+886 912 345 678``);
- a chart, record or registration number: 6 to 12 digits with a leading zero, or a short
  prefix (MRN, PID, CHR, 病歷) and 5 or more digits - codes in that shape are no category
  list a table publishes (NHI institution codes are the institutions check's);
- an exact timestamp: a time of day to the second that is not on the hour's
  quarters (``08:31:22``), or to the minute off the quarters (``08:31``);
- a date of birth: full dates (to the day) under a header saying birth (dob, 出生, 生日), or
  full dates without such a header that span more than a year and are no regular series
  (daily or weekly counts run in steps of the same size; birth dates do not).
Every IP address, national ID, phone or chart number is a block even where the identifiers check
reviews it: in a group column it is the row's key.

The same keys as the headers of a table's value columns (a person-level table transposed: one
column per chart number, hashed key or ``patient_17``) block too (round 7): besides the kinds
above, headers that are hashed keys (8+ hex digits with both letters and digits, or a
SHA/MD5-length run), pseudonymous keys (a short prefix and 4+ digits: ``P000123``,
``SUBJ-0045``) or numbered persons (``patient_3``, ``pt01``, 「個案3」) are person keys; and a
``column_group`` that names persons (patient, subject, mrn, 病人 …) says so itself.
"""
from __future__ import annotations

import re
from datetime import date

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E1"
CHECK = "identifier_groups"
KINDS = {"table"}

_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")
_IPV6 = re.compile(r"^(?=.*:.*:)[0-9A-Fa-f:]{6,39}$")
_NATIONAL_ID = re.compile(r"^[A-Z][A-Z0-9][0-9]{8}$")
_PHONE = re.compile(r"^(?:\+?886[\s\-]?|0)(?:9\d{2}[\s\-]?\d{3}[\s\-]?\d{3}|[2-8]\d?[\s\-]?\d{3,4}[\s\-]?\d{4})$"
                    r"|^\(0\d{1,2}\)\s?\d{3,4}[\s\-]?\d{4}$")
_CHART = re.compile(r"^0\d{5,11}$|^(?:MRN|PID|CHR|CHART|REC|病歷(?:號)?)[\s\-_#:]*\d{5,}$", re.I)
_DATE = re.compile(r"^((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})$|^((?:19|20)\d\d)(\d\d)(\d\d)$")
_STAMP = re.compile(r"^(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}[T\s]+(\d{1,2}):(\d\d)(?::(\d\d)(?:\.\d+)?)?"
                    r"(?:Z|[+-]\d\d:?\d\d)?$")
_BIRTH_HEADER = re.compile(r"\b(?:dob|d\.o\.b|birth\w*|born|birthday)\b|出生|生日", re.I)
_OTHER = re.compile(r"^(?:other|others|unknown|missing|n/?a|none|其他|不詳|未知|缺漏|—|-)$", re.I)


def _stamp_exact(v: str) -> bool:
    m = _STAMP.match(v)
    if not m:
        return False
    minute, second = int(m.group(2)), m.group(3)
    if second is not None and int(second) != 0:
        return True
    return minute % 15 != 0


def _day(v: str) -> date | None:
    m = _DATE.match(v)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _births(values: list[str], header: str) -> bool:
    days = [_day(v) for v in values]
    if not days or any(d is None for d in days):
        return False
    if _BIRTH_HEADER.search(header.replace("_", " ")):
        return True
    if len(days) < 2:
        return False
    s = sorted(set(days))
    if (s[-1] - s[0]).days <= 366:
        return False
    steps = {(b - a).days for a, b in zip(s, s[1:])}
    # a regular series (daily, weekly, the 1st of each month …) is a calendar, not persons
    if len(steps) == 1 or all(d.day == s[0].day for d in s):
        return False
    return True


_KINDS = [("IP addresses", lambda v: bool(_IPV4.match(v) or _IPV6.match(v))),
          ("national ID numbers", lambda v: bool(_NATIONAL_ID.match(v.upper()))),
          ("phone numbers", lambda v: bool(_PHONE.match(v))),
          ("chart or record numbers", lambda v: bool(_CHART.match(v))),
          ("exact timestamps", _stamp_exact)]
_ZH = {"IP addresses": "IP 位址", "national ID numbers": "身分證字號", "phone numbers": "電話號碼",
       "chart or record numbers": "病歷號或紀錄號", "exact timestamps": "精確到分秒的時間",
       "dates of birth": "出生日期"}


def kind_of(values: list[str], header: str) -> str | None:
    """What person key the group values are, or None."""
    vals = [v for v in (str(x).strip() for x in values) if v and not _OTHER.match(v)]
    if not vals:
        return None
    for name, test in _KINDS:
        hits = sum(1 for v in vals if test(v))
        if hits and hits * 2 > len(vals):
            return name
    if _births(vals, header):
        return "dates of birth"
    return None


_HASH = re.compile(r"^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,64}$", re.I)
# a prefix and digits: two letters or more and 4+ digits (SUBJ-0045), one letter and 6+
# (P000123); one letter and 4-5 digits is an ICD code written without its dot (E1165)
_PSEUDO = re.compile(r"^(?:[A-Z]{2,5}[\s\-_#]?\d{4,}|[A-Z][\s\-_#]?\d{6,})$", re.I)
_NUMBERED = re.compile(r"^(?:patient|pat|pt|subject|subj|participant|person|case|record|"
                       r"individual|resident|member|病人|病患|患者|個案|受試者|案例|病歷)[\s_#\-.]*\d{1,6}$", re.I)
_HEADER_KINDS = [("hashed keys", lambda v: bool(_HASH.match(v))),
                 ("pseudonymous keys", lambda v: bool(_PSEUDO.match(v)) and not _YEARISH.match(v)),
                 ("numbered persons", lambda v: bool(_NUMBERED.match(v)))]
_YEARISH = re.compile(r"^(?:FY|CY|Y)?[\s\-_]?(?:19|20)\d\d$", re.I)
_ZH.update({"hashed keys": "雜湊鍵值", "pseudonymous keys": "假名代碼",
            "numbered persons": "編號的個人"})
PERSON_GROUP = re.compile(r"\b(?:patients?|persons?|subjects?|participants?|individuals?|"
                          r"pid|mrn|chart|record[\s_]?(?:no|number|id)|person[\s_]?id|patient[\s_]?id|"
                          r"ids?)\b|病人|病患|患者|個案|受試者|病歷|身分證", re.I)


def header_kind(headers: list[str]) -> str | None:
    """What person key the headers of a table's value columns are (two or more, most of
    them), or None."""
    vals = [v for v in (str(x).strip() for x in headers) if v and not _OTHER.match(v)
            and not _TOTAL.match(v)]
    if len(vals) < 2:
        return None
    what = kind_of(vals, "")
    if what is not None:
        return what
    for name, test in _HEADER_KINDS:
        if sum(1 for v in vals if test(v)) * 2 > len(vals):
            return name
    return None


def _report_headers(ctx, spec, headers, what, where) -> None:
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
            location={**where, "headers": [h[:4] + "…" for h in headers[:3]], "reason": "person-key headers"},
            en=f"The value columns are headed by {what} ({headers[0][:4]}…): a table with a "
               "column per person is person-level data turned on its side, whatever its cells "
               "are declared to be. Group by a category, never by a person's key.",
            zh=f"數值欄的欄名是{_ZH[what]}（{headers[0][:4]}…）：每人一欄的表格即為轉置的個人層級資料，"
               "不論其儲存格如何宣告。請改以類別分組，不得以個人識別值作為欄位。")


def check_unit(ctx: Context, spec: ManifestFile, unit, header_row: int) -> None:
    """A table found inside a file (a JSON map, a printed frame, a sheet): every column, whatever
    role its numbers were given, since a map of IP addresses to counts has no declared group."""
    from egress_review.engine.table_units import cell_place

    rows = unit.rows
    if len(rows) <= header_row + 1:
        return
    header = [str(c) for c in rows[header_row]]
    width = max(len(r) for r in rows)
    for k in range(width):
        values = [str(r[k]) for r in rows[header_row + 1:] if k < len(r) and str(r[k]).strip()]
        values = [v for v in values if not _TOTAL.match(v.strip())]
        what = kind_of(values, header[k] if k < len(header) else "")
        if what is None:
            continue
        name = header[k] if k < len(header) and header[k].strip() else f"column {k + 1}"
        _report(ctx, spec, name, values, what,
                cell_place(unit, header_row + 1, k, header[k] if k < len(header) else None))
    # the header row itself: one column per person (the first column is the rows' labels)
    heads = [h.strip() for h in header[1:] if h.strip()]
    what = header_kind(heads)
    if what is not None:
        _report_headers(ctx, spec, heads, what, dict(unit.place))


_TOTAL = re.compile(r"^(?:total|all|overall|合計|總計|小計|全體)$", re.I)


def _report(ctx, spec, col, values, what, where) -> None:
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
            location={**where, "value": values[0][:4] + "…"},
            en=f"The groups of column '{col}' are {what}: a table by them has a row per "
               "person (or per very few) whatever it counts, and singles them out. Group by "
               "a category (an age band, a region), never by a person's key.",
            zh=f"欄位「{col}」的分組值是{_ZH[what]}：依此分組的表格每列即一人（或極少數人），"
               "無論其計數為何，皆可指認個人。請改以類別（年齡組、地區）分組，不得以個人識別值分組。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if "#" in spec.path:
        return          # a view of a table found in a file: check_unit read its every column
    table = ctx.tables[spec.path]
    margins = table.total_rows()
    for col in table.group_cols:
        values = [str(v) for v, m in zip(table.text(col).tolist(), margins) if not m]
        what = kind_of(values, str(col))
        if what is None:
            continue
        _report(ctx, spec, col, values, what, {"column": col})
    heads = [str(c) for c in table.columns if c not in table.group_cols]
    what = header_kind(heads)
    if what is not None:
        _report_headers(ctx, spec, heads, what, {"columns": len(heads)})
    elif spec.column_group and PERSON_GROUP.search(spec.column_group.replace("_", " ")):
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                location={"column_group": spec.column_group, "reason": "person-key headers"},
                en=f"The columns are declared a spread of '{spec.column_group}': one column per "
                   "person is person-level data turned on its side. Group by a category, never "
                   "by a person.",
                zh=f"欄位宣告為「{spec.column_group}」的展開：每人一欄即為轉置的個人層級資料。"
                   "請改以類別分組，不得以個人作為欄位。")
