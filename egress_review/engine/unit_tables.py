"""What each column and cell of a table found inside a file means, so that it can be checked as
a declared table.

A table unit comes without a manifest.  Roles are inferred from the labels and the cells:
- label columns (words, years, age bands, a pandas index) are groups;
- a column of plain numbers is a count when its header says so (n, count, persons, 人數 …), a
  percent/mean/median/… when its header says that (resting on the table's one count column
  or the column's ``N = …``); otherwise its numbers have **no known role**;
- cells printed the way papers print them (``n (%)``, ``mean (SD)``, ``median [IQR]``,
  ``min–max`` …) are split into their counts and statistics, and a plain number in such a
  column takes its meaning from the row label (``Female, n`` …).

:func:`views` returns tables (with a manifest entry holding the inferred roles) that the table
rule modules check unchanged, each cell traced back to its place in the unit, plus the cells
whose meaning could not be told (they go to review).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from deidentify.regex_cache import compiled
from egress_review.engine import count_words
from egress_review.engine.count_forms import SMALL_MARK
from egress_review.engine.paper_cells import Cell, header_n, parse_cell
from egress_review.manifest import ColumnRole, ManifestFile

COUNT_WORDS = compiled(
    r"^(n|n_.*|.*_n|no\.?|count|counts|cnt|freq|frequency|total|sum of persons)$|"
    r"\b(n|count|counts|number of|no\. of|persons?|patients?|people|individuals|participants|"
    r"cases|subjects|deaths|events|frequency|running total|cumulative total)\b|人數|件數|人次|個案數|病人數|例數|死亡數|次數|人$|例$",
    re.I)
PERCENT_WORDS = compiled(r"%|％|percent|pct|proportion|share|prevalence|比例|百分比|佔率|盛行率", re.I)
STAT_WORDS = [
    ("mean", compiled(r"\b(mean|average|avg)\b|平均", re.I)),
    ("median", compiled(r"\bmedian\b|中位數", re.I)),
    ("std", compiled(r"\b(sd|std|stdev|standard deviation)\b|標準差", re.I)),
    ("min", compiled(r"\b(min|minimum)\b|最小", re.I)),
    ("max", compiled(r"\b(max|maximum)\b|最大", re.I)),
    ("sum", compiled(r"\b(sum|amount|cost|expenditure|points)\b|金額|費用|點數|總額", re.I)),
    ("rate", compiled(r"\brate\b|per 1,?000|per 100,?000|incidence|\bmortality\b|\bfatality\b|(?<!relative )(?<!excess )(?<!attributable )(?<!at )(?<!at-)(?<!at_)\brisk\b(?![\s_-]*(?:ratio|difference|score|factor|set))|發生率|率$", re.I)),
]
# What a count column can count besides persons: events (a person has many).  A count of them
# declared as a count of units has no persons behind it that any rule sees.
EVENT_WORDS = compiled(r"(?:^|[\s_\-(])(?:visits?|claims?|admissions?|encounters?|"
                       r"prescriptions?|episodes?|consultations?|hospitali[sz]ations?|"
                       r"discharges?|dispensings?|procedures?|records?|contacts?)(?:$|[\s_\-)])|"
                       r"人次|件數|次數|處方|申報|就診次|住院次", re.I)
PERSON_WORDS = compiled(r"(?:^|[\s_\-(])(?:n|persons?|patients?|people|individuals|"
                        r"participants|subjects|members|beneficiaries|enrollees|cases|deaths)"
                        r"(?:$|[\s_\-)])|人數|病人|患者|個案|人$", re.I)

def counts_events(label: str) -> bool:
    """The header counts events (visits, claims, 人次), not persons."""
    name = f" {label.replace('_', ' ')} "
    return bool(EVENT_WORDS.search(name)) and not PERSON_WORDS.search(name)


GROUP_WORDS = compiled(
    r"\b(year|yr|age|age ?group|sex|gender|group|category|region|area|county|city|icd|code|"
    r"level|month|quarter|date|period|type|class|stage|grade|label|key|index|variable|"
    r"characteristic)s?\b|年|月|性別|年齡|地區|縣市|類別|組別|分組|等級|代碼|變項|特徵|項目", re.I)
# Columns that describe one person: rows of them with no count are person-level data (E1).
PERSON_ATTRIBUTES = compiled(
    r"\b(sex|gender|age|birth|dob|icd|icd.?\d*|diag\w*|drug\w*|date|admission|discharge|"
    r"death|weight|height|bmi|id|pid|pseudonym|name)\b|性別|年齡|出生|生日|診斷|藥品|日期|體重|身高|姓名",
    re.I)
# A Table 1's test column ("p", "P value", 「P值」): a number from 0 to 1 there is a p-value,
# not the percent its row label ("Sex, n (%)") would make it; anything else is judged as before.
P_VALUE_HEADER = compiled(r"^(?:p|p[\s_-]*values?|p\s*值|顯著性)(?:\s*[(（][^)）]*[)）])?$", re.I)
# (a bare "1" is not taken for one: p = 1 is printed 1.00, and a count of one hides as "1")
P_VALUE = compiled(r"^(?:[<>≤≥]\s*)?(?:0?\.\d+|0|1\.0+)\s*[*†‡]*$")
_YEAR = compiled(r"^(1[89]\d\d|20\d\d)$|^(民國)?\d{2,3}年$")
# digits with a leading zero (no count or measure is printed so): a record number, a code
_KEY_DIGITS = compiled(r"^0\d{5,}$")


@dataclass
class View:
    """One checkable table: ``spec`` and ``df`` as a declared table would have them;
    ``origin[i][col]`` is the (row, column) in the unit's ``rows`` behind ``df`` cell ``(i, col)``."""
    spec: ManifestFile
    df: pd.DataFrame
    origin: list[dict[str, tuple[int, int]]]
    # columns whose findings repeat another cell's (a statistic's N is the header's count)
    quiet: frozenset[str] = frozenset()
    # the rule modules (CHECK names) that judge this view; None: all of them
    checks: frozenset[str] | None = None


@dataclass
class Reading:
    views: list[View] = field(default_factory=list)
    unknown: list[tuple[int, int, str]] = field(default_factory=list)   # (row, col, why)
    records: bool = False        # rows of values with no count or statistic (person-level?)
    person_rows: list[str] = field(default_factory=list)   # attribute columns of such rows
    counting_labels: list[tuple[int, int, str]] = field(default_factory=list)  # "3 patients"


@lru_cache(maxsize=4096)
def header_role(label: str) -> str | None:
    """count, percent, a statistic name, group, or None (the label does not say)."""
    t = " ".join(label.replace("_", " ").split())
    if PERCENT_WORDS.search(t):
        return "percent"
    for name, rx in STAT_WORDS:
        if rx.search(t):
            return name
    # other languages and shorthands (muertes, Anzahl, 患者数, 환자 수, num_pts, # of)
    if COUNT_WORDS.search(t) or COUNT_WORDS.search(label) or count_words.counts(label) \
            or count_words.at_risk(label):
        return "count"
    if GROUP_WORDS.search(t):
        return "group"
    return None


def _header_row(rows: list[list[str]]) -> int:
    """Skip title lines above the header (rows with one filled cell)."""
    for i, r in enumerate(rows[:5]):
        if sum(1 for c in r if c.strip()) >= 2:
            return i
        # a one-cell row is a one-column table's header, unless wider rows follow (a title)
        if len(r) == 1 and not any(sum(1 for c in x if str(c).strip()) >= 2 for x in rows[i + 1:i + 5]):
            return i
    return 0


def _float(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float("nan")


class ParsedColumn:
    """One column's cells: plain numbers parsed at once (numpy), every other cell by
    :func:`parse_cell` with its context (a 10 MB workbook has a million cells)."""

    def __init__(self, texts: list[str], context_of) -> None:
        import numpy as np

        self.texts = texts
        if len(texts) < 500:        # a display's few rows: plain Python is faster than pandas
            self.filled = np.array([t != "" for t in texts], dtype=bool)
            self.num = np.array([_float(t) for t in texts], dtype=float)
        else:
            ser = pd.Series(texts, dtype=object)
            self.filled = ser.ne("").to_numpy()
            self.num = pd.to_numeric(ser.str.replace(",", "", regex=False),
                                     errors="coerce").to_numpy(dtype=float)
        self.plain = ~np.isnan(self.num) & self.filled
        self.other: dict[int, Cell | None] = {}
        seen: dict[tuple[str, str], Cell | None] = {}      # labels repeat down a column
        for j in np.flatnonzero(self.filled & ~self.plain):
            key = (texts[j], context_of(j))
            if key not in seen:
                seen[key] = parse_cell(*key)
            self.other[int(j)] = seen[key]

    def reparse(self, context_of) -> None:
        self.other = {j: parse_cell(self.texts[j], context_of(j)) for j in self.other}

    def cell(self, j: int) -> Cell | None:
        if self.plain[j]:
            return Cell("number", [("number", float(self.num[j]))])
        return self.other.get(j)

    @property
    def has_words(self) -> bool:
        return any(c is None for c in self.other.values())

    @property
    def all_plain(self) -> bool:
        """Every filled cell a bare number (no percent sign, no paper form)."""
        return not self.other

    @property
    def all_numbers_or_marks(self) -> bool:
        return all(c is not None and c.form == "number" or c is None and SMALL_MARK.match(self.texts[j].strip())
                   for j, c in self.other.items())

    @property
    def all_numbers(self) -> bool:
        return all(c is not None and c.form == "number" for c in self.other.values())


def _marked_numbers(col: ParsedColumn) -> bool:
    """Numbers with small-cell marks among them ("<5", "1-5", "*"): a count column whose small
    cells were marked, not labels (the symbols check blocks the marks)."""
    words = [col.texts[j] for j, c in col.other.items() if c is None]
    return bool(col.plain.any()) and all(SMALL_MARK.match(w.strip()) for w in words)


def _is_label_column(header: str, col: ParsedColumn, k: int) -> bool:
    filled = [t for t, f in zip(col.texts, col.filled) if f]
    if not filled:
        return True
    if col.has_words and not _marked_numbers(col):
        return True                                   # words: labels
    if all(_YEAR.match(t) for t in filled):
        return True
    if all(_KEY_DIGITS.match(t) for t in filled):
        return True                                   # 0045123: a chart number's digits, a key
    if k == 0 and not header.strip() and filled == [str(i) for i in range(len(filled))]:
        return True                                   # a pandas RangeIndex
    # "age group" over 18–64, 65–74: labels; "age" over 34, 56, 71: numbers (maybe a person's)
    return header_role(header) == "group" and not col.all_numbers


def _unique(name: str, taken: set[str]) -> str:
    base, k = name or "column", 2
    while name in taken or not name:
        name = f"{base} ({k})"
        k += 1
    taken.add(name)
    return name


def read_table_unit(rows: list[list[str]], path: str, caption: str = "", around: str = "") -> Reading:
    """``around``: the lines just above and below the table in its file (a title, a note),
    read only for the total a percent-only table rests on."""
    out = Reading()
    if not rows:
        return out
    h = _header_row(rows)
    header = [str(c).strip() for c in rows[h]]
    body_idx = [i for i in range(h + 1, len(rows)) if any(str(c).strip() for c in rows[i])]
    if not body_idx:
        # a header alone: its numbers are labels unless they state counts ("N = 3")
        return out
    width = max(len(header), max(len(rows[i]) for i in body_idx))
    header += [""] * (width - len(header))
    cells = [[(rows[i][k] if k < len(rows[i]) else "").strip() for i in body_idx] for k in range(width)]
    table_n = header_n(caption) if caption else None
    # a percent-only table's total, printed where a reader finds it: the title rows above the
    # header, a total row's label ("Total (n=540)"), a note row ("N = 540"), the caption
    pct_n = table_n if table_n is not None else stated_total(rows[:h], [rows[i] for i in body_idx])
    if pct_n is None and around:
        pct_n = header_n(around)
    label_cols = []
    parsed_cols: dict[int, ParsedColumn] = {}
    for k in range(width):
        col = ParsedColumn(cells[k], lambda j, h=header[k]: h)
        if _is_label_column(header[k], col, k):
            label_cols.append(k)
        else:
            parsed_cols[k] = col
    row_labels = [" ".join(cells[c][j] for c in label_cols) for j in range(len(body_idx))]
    from egress_review.engine.prose import COUNT_HINT

    for k in label_cols:             # a label can state a count ("3 patients", 「共3人」)
        for j, text in enumerate(cells[k]):
            if text and COUNT_HINT.search(text):
                out.counting_labels.append((body_idx[j], k, text))
    for k, col in parsed_cols.items():      # the row's label tells mean (SD) from n (%)
        col.reparse(lambda j, h=header[k]: f"{row_labels[j]} {h}")
    # plain-number columns with a role from their header: one wide view, as declared tables are
    taken: set[str] = set()
    names = {k: _unique(header[k], taken) for k in range(width)}
    wide_roles: dict[str, ColumnRole] = {}
    counts = [k for k, col in parsed_cols.items()
              if header_role(header[k]) == "count" and col.all_numbers]
    long_cells: dict[str, list[tuple[int, int, str, float, float | None]]] = {}
    row_roles: dict[int, str | None] = {}
    for k, col in parsed_cols.items():
        role = header_role(header[k])
        col_n = header_n(header[k]) or table_n
        plain = col.all_plain
        if col_n is None and role == "percent":
            col_n = pct_n
        if role == "percent" and plain and col_n:
            derived = _derived_counts(path, header[k], cells[k], col_n,
                                      [cells[c] for c in label_cols], body_idx, k)
            if derived is not None:
                out.views.append(derived)
        if (plain or _marked_numbers(col) and col.all_numbers_or_marks) and role == "count":
            wide_roles[names[k]] = ColumnRole(role="count")
            continue
        if plain and role in ("percent", "mean", "median", "std", "sum", "rate") and len(counts) == 1:
            stat = "percent" if role == "percent" else role
            wide_roles[names[k]] = ColumnRole(role="statistic", statistic=stat,
                                              units_column=names[counts[0]])
            continue
        if plain and role in ("min", "max"):
            wide_roles[names[k]] = ColumnRole(role="statistic", statistic=role,
                                              units_column=names[counts[0]] if len(counts) == 1 else None)
            continue
        # cell by cell: the cell's own form, else the row's label, says what it is
        tests = bool(P_VALUE_HEADER.match(header[k].strip()))
        for j, text in enumerate(cells[k]):
            if not text or (tests and P_VALUE.match(text)):
                continue          # a p-value (0 … 1, "<0.001") counts nobody, whatever its row
            p = col.cell(j)
            r = body_idx[j]
            label = row_labels[j]
            if p is None:
                out.unknown.append((r, k, f"text {text[:30]!r} among numbers"))
                continue
            parts = p.parts
            if p.form == "number":
                what = parts[0][0]
                if j not in row_roles:        # once per row, whatever the number of columns
                    row_roles[j] = header_role(label) if label else None
                row_role = row_roles[j]
                if what == "number":
                    what = {None: None, "group": None}.get(row_role, row_role) or (
                        role if role not in (None, "group") else None)
                if what is None:
                    out.unknown.append((r, k, f"the number {text} has no known role"))
                    continue
                parts = [(what, parts[0][1])]
            for stat, value in parts:
                if stat == "denominator":
                    stat = "count"
                # a statistic rests on the column's N; a percent beside its count on that count
                # when the denominator is not printed
                n_for = next((v for s_, v in p.parts if s_ == "count"), None)
                units = col_n if (col_n is not None or stat != "percent") else n_for
                long_cells.setdefault(stat, []).append((r, k, f"{label} | {header[k]}".strip(" |"),
                                                        value, units))
    one_row = _one_row_counts(header, cells, parsed_cols, label_cols, body_idx, path, names)
    if one_row is not None:
        out.views.append(one_row)
        if all(_category_header(header[k]) for k in parsed_cols):
            # headers that are one variable's categories (regions, sexes, years, age bands,
            # arms): the row is a count table laid across, not a person's record, and the
            # threshold decides it (a small count blocks, large ones pass)
            row = body_idx[0]
            out.unknown = [u for u in out.unknown if not (u[0] == row and u[1] in parsed_cols)]
    if wide_roles:
        keep = [names[k] for k in label_cols] + list(wide_roles)
        cols = {names[k]: ColumnRole(role="group") for k in label_cols} | wide_roles
        df = pd.DataFrame({names[k]: [c for c in cells[k]] for k in range(width)
                           if names[k] in keep}, dtype=object)
        origin = [{names[k]: (body_idx[j], k) for k in range(width) if names[k] in keep}
                  for j in range(len(body_idx))]
        out.views.append(View(_spec(path, cols), df[keep], origin))
    elif not parsed_cols and label_cols:
        numeric_labels = any(any(re.search(r"\d", c) for c in cells[k]) for k in label_cols)
        out.records = numeric_labels and len(label_cols) >= 2
    if not wide_roles and not long_cells and (out.unknown or out.records):
        out.person_rows = [header[k] for k in range(width)
                           if PERSON_ATTRIBUTES.search(header[k].replace("_", " "))]
    for k in range(width):
        n = header_n(header[k])
        if n is not None:          # "Female (N = 3)" prints a count
            long_cells.setdefault("count", []).append((h, k, header[k], n, None))
    for stat, items in long_cells.items():
        out.views.append(_long_view(path, stat, items))
    return out


def _one_row_counts(header, cells, parsed_cols, label_cols, body_idx, path, names) -> "View | None":
    """A header of categories over one row of whole numbers ("North | South | East" over
    "120 | 140 | 3"): the shape of a one-way count table laid across.  Its numbers are judged
    as counts by the threshold (a small one blocks); they keep their "no known role" review,
    since one row could as well be one person's record, unless every header is a category
    (:func:`_category_header`: then the threshold decides).  Not when a header names a statistic or
    a person's attribute (age, BMI): that row is a record or a summary, judged as before."""
    if len(body_idx) != 1 or label_cols or len(parsed_cols) < 2:
        return None
    for k, col in parsed_cols.items():
        v = col.num[0]
        if not col.all_plain or v != v or v < 0 or v != int(v) or "." in cells[k][0]:
            return None
        role = header_role(header[k])
        if role not in (None, "group", "count") or not header[k].strip() \
                or PERSON_ATTRIBUTES.search(header[k].replace("_", " ")):
            return None
    ks = sorted(parsed_cols)
    df = pd.DataFrame({"category": [header[k] for k in ks],
                       "count": [cells[k][0].replace(",", "") for k in ks]}, dtype=object)
    origin = [{"category": (body_idx[0] - 1, k), "count": (body_idx[0], k)} for k in ks]
    spec = _spec(f"{path}#across", {"category": ColumnRole(role="group"),
                                    "count": ColumnRole(role="count")})
    return View(spec, df, origin, checks=frozenset({"threshold"}))


_CATEGORY_WORD = compiled(
    r"^(?:north|south|east|west|central|northern|southern|eastern|western|urban|rural|"
    r"north[\s-]?(?:east|west)|south[\s-]?(?:east|west)|nord|süd|sud|ost|west|"
    r"male|female|males|females|men|women|boys|girls|m|f|"
    r"yes|no|treated|untreated|treatment|control|controls|placebo|intervention|usual care|standard care|exposed|unexposed|cases?|"
    r"(?:arm|group|cohort|stage|grade|tier|level|wave|phase|site)[\s_-]?(?:[a-z]|\d{1,2}|[ivx]{1,4})|"
    r"mild|moderate|severe|low|medium|high|other|others|unknown|missing|none|"
    r"q[1-4]|h[12]|(?:19|20)\d\d[\s-]?q[1-4])$|"
    r"^(?:北|南|東|西|中|東北|東南|西北|西南|北部|南部|東部|中部|西部|離島|都市|鄉村|男|女|男性|女性|"
    r"是|否|治療組|對照組|安慰劑組|其他|不詳|未知|輕度|中度|重度|[甲乙丙丁]組|第?[一二三四1-4]期)$|"
    r"^[\u4e00-\u9fff]{1,4}(?:區|縣|市|鄉|鎮)$", re.I)


def _category_header(h: str) -> bool:
    """A header that is a category of one variable: a region, sex, arm, period, age band, or
    a count header ("n_north", 人數); a measure (sbp, score) or attribute is none."""
    from egress_review.engine.area_names import canonical
    from egress_review.engine.category_sets import date_interval, interval

    t = " ".join(h.replace("_", " ").split())
    if not t:
        return False
    return (header_role(h) == "count" or bool(_CATEGORY_WORD.match(t)) or interval(t) is not None
            or date_interval(t) is not None or _YEAR.match(t) is not None or canonical(t) is not None)


_TOTAL_WORD = compiled(r"^\s*(?:total|overall|all|sum|grand total|合計|總計|總數|全體|整體|共計|總人數)\b|"
                       r"^\s*(?:合計|總計|總數|全體|整體|共計|總人數)", re.I)


def stated_total(title_rows: list[list[str]], body_rows: list[list[str]]) -> float | None:
    """The N a table states for its whole: in a title row ("Region (N = 540)", 「共540人」), a
    total row's label ("Total (n=540)", 「合計（N=540）」) or a note row ("n=540") of one cell."""
    for r in title_rows:
        n = header_n(" ".join(str(c) for c in r))
        if n is not None:
            return n
    for r in body_rows:
        filled = [str(c).strip() for c in r if str(c).strip()]
        if not filled:
            continue
        if len(filled) == 1 or _TOTAL_WORD.search(filled[0]):
            n = header_n(filled[0])
            if n is not None:
                return n
    return None


def _derived_counts(path: str, header: str, texts: list[str], n: float, labels: list[list[str]],
                    body_idx: list[int], k: int) -> "View | None":
    """A percent column over a stated total N read as the counts it stands for (share × N), a
    plain count table the request-wide checks link and difference and the threshold judges.
    Only when every count is fixed by the printed precision (half the last digit × N < 0.5 of a
    person); a coarser percent pins no count and stays a percent."""
    vals, places = [], 0
    for t in texts:
        if not t:
            vals.append(None)
            continue
        v = _float(t)
        if v != v:
            return None
        places = max(places, len(t.split(".", 1)[1]) if "." in t else 0)
        vals.append(v)
    if 0.5 * 10.0 ** -places / 100 * n >= 0.5 or not labels:
        return None
    lab = [" ".join(col[j] for col in labels).strip() for j in range(len(texts))]
    lab = ["Total" if _TOTAL_WORD.search(x) and header_n(x) is not None else x for x in lab]
    name = f"{header} × N" if header else "count"
    keep = [j for j, v in enumerate(vals) if v is not None and lab[j]]
    if not keep:
        return None
    df = pd.DataFrame({"category": [lab[j] for j in keep],
                       name: [f"{round(vals[j] * n / 100):g}" for j in keep]}, dtype=object)
    origin = [{"category": (body_idx[j], 0), name: (body_idx[j], k)} for j in keep]
    spec = _spec(f"{path}#shares{k}", {"category": ColumnRole(role="group"),
                                        name: ColumnRole(role="count")})
    return View(spec, df, origin, checks=frozenset({"threshold"}))


def _spec(path: str, cols: dict[str, ColumnRole]) -> ManifestFile:
    return ManifestFile(path=path, kind="table", description="read from the file's content",
                        columns=cols)


_STAT_OF = {"count": None, "percent": "percent", "mean": "mean", "std": "std", "median": "median",
            "q1": "percentile", "q3": "percentile", "min": "min", "max": "max", "sum": "sum",
            "rate": "rate"}


def is_long_view(path: str) -> bool:
    """A view of cells read one by one (``<unit>#count``, ``#mean`` …), not a plain table."""
    return path.rsplit("#", 1)[-1] in _STAT_OF


def _long_view(path: str, stat: str, items) -> View:
    """Cells of one kind as a long table: label, value and (for statistics) the units."""
    label, value, units = "cell", stat, "N"
    rows = {label: [], value: [], units: []}
    origin = []
    for r, k, lab, v, n in items:
        rows[label].append(lab)
        rows[value].append(f"{v:g}")
        rows[units].append("" if n is None else f"{n:g}")
        origin.append({label: (r, k), value: (r, k), units: (r, k)})
    if stat == "count":
        cols = {label: ColumnRole(role="group"), value: ColumnRole(role="count")}
        df = pd.DataFrame({label: rows[label], value: rows[value]}, dtype=object)
        for o in origin:
            o.pop(units)
    else:
        st = _STAT_OF.get(stat) or "mean"
        pct = {"q1": 0.25, "q3": 0.75}.get(stat)
        known = all(rows[units])
        cols = {label: ColumnRole(role="group"),
                value: ColumnRole(role="statistic", statistic=st, percentile=pct,
                                  units_column=units if known else None),
                units: ColumnRole(role="count")}
        df = pd.DataFrame(rows, dtype=object)
    return View(_spec(f"{path}#{stat}", cols), df, origin, quiet=frozenset({units}))
