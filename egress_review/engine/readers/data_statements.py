"""Data typed into a program's data statements: tables whatever the language (E7/E2).

Beside Python's and R's literals (:mod:`.code_literals`), a probe typed counts into the
statements each language has for inline data: R ``data.frame(region = c(…), n = c(3, 120))``
and ``tribble(~region, ~n, "A", 3, …)``; SQL ``SELECT 3 AS n`` and ``VALUES ('A', 3), …``;
SAS ``datalines;``/``cards;`` blocks; Stata ``input … end``; JavaScript object and array
literals (a .js file, an HTML page's ``<script>``: Plotly/Vega data).  Each becomes a table
unit headed by the statement's own names, so the table rules infer and judge its columns;
a number named like a count (``3 AS n_deaths``) becomes a labelled count.
"""
from __future__ import annotations

import bisect
import json
import re

from egress_review.engine.readers.code_literals import _SETTING, _is_count_name
from egress_review.engine.readers.model import TableUnit, TextUnit

_NUM = re.compile(r"^-?\d+(?:\.\d+)?$")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _table(text: str, pos: int, header: list[str], rows: list[list[str]], what: str) -> TableUnit:
    return TableUnit(rows=[header] + rows, place={"line": _line(text, pos), "part": "literal",
                                                  "literal": what}, caption=what)


def _top_level_args(body: str, keep_trailing: bool = False) -> list[str]:
    """Split a call's arguments at the commas outside brackets and quotes (``keep_trailing``: an
    empty last one too, as a subscript's ``d['North',]`` writes it)."""
    out, depth, cur, quote = [], 0, [], None
    for ch in body:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if keep_trailing or "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def _call_bodies(text: str, names: str):
    for m in re.finditer(rf"\b(?:{names})\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield m.start(), text[m.end():i - 1]


def _value(tok: str) -> str:
    return tok.strip().strip("\"'`")


def r_frames(text: str) -> list:
    units = []
    for pos, body in _call_bodies(text, r"data\.frame|tibble|data\.table|DataFrame"):
        cols = {}
        for arg in _top_level_args(body):
            m = re.match(r"^`?([\w.]+)`?\s*=\s*c\((.*)\)$", arg, re.S)
            if m:
                cols[m.group(1)] = [_value(v) for v in _top_level_args(m.group(2))]
        if len(cols) >= 1 and len({len(v) for v in cols.values()}) == 1 \
                and any(all(_NUM.match(x) for x in v) for v in cols.values()):
            units.append(_table(text, pos, list(cols), [list(r) for r in zip(*cols.values())],
                                "data frame"))
    for pos, body in _call_bodies(text, r"tribble"):
        args = _top_level_args(body)
        names = [a.lstrip("~").strip() for a in args if a.startswith("~")]
        values = [_value(a) for a in args if not a.startswith("~")]
        if names and values and len(values) % len(names) == 0:
            rows = [values[i:i + len(names)] for i in range(0, len(values), len(names))]
            units.append(_table(text, pos, names, rows, "tribble"))
    return units


# VALUES with its rows; SAS's PROC SQL repeats the keyword: values('A', 1) values('B', 3)
_SQL_VALUES = re.compile(r"\bVALUES\s*((?:\([^()]*\)\s*,?\s*(?:VALUES\s*)?)+)", re.I)
_COLS_BEFORE = re.compile(r"\(([^()]*)\)\s*(?:AS\s*\(\s*)?$", re.I)
_INSERT_TARGET = re.compile(r"INSERT\s+INTO\s+[\"`\[]?([\w.]+)[\"`\]]?\s*(?:\([^()]*\))?\s*$", re.I)


def sql_values(text: str) -> list:
    units: list = []
    # a number from its first digit only (tried from inside a run of digits: the square of it)
    for m in re.finditer(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s+AS\s+[\"`\[]?(\w+)", text, re.I):
        if _is_count_name(m.group(2)) or m.group(2).lower() in ("n", "count", "total"):
            units.append(TextUnit(f"{m.group(2)} (n): {m.group(1)}",
                                  {"line": _line(text, m.start()), "part": "literal",
                                   "labelled": True}))
    # one-row INSERTs into the same table, one after another, are its rows together
    inserts: dict[tuple, tuple[int, list]] = {}
    for m in _SQL_VALUES.finditer(text):
        rows = [[_value(v) for v in _top_level_args(r)] for r in re.findall(r"\(([^()]*)\)", m.group(1))]
        if len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
            continue
        before = text[max(0, m.start() - 400):m.start()]
        cols = _COLS_BEFORE.search(before) or _alias_after(text, m.end())
        created = None if cols else _created_columns(text, m.start() + 6)
        header = [c.strip().strip('"`[]') for c in cols.group(1).split(",")] if cols else \
            created if created and len(created) == len(rows[0]) else _unnamed_header(rows)
        if len(header) != len(rows[0]):
            continue
        target = _INSERT_TARGET.search(before)
        if len(rows) == 1 and target:
            at, kept = inserts.setdefault((target.group(1).lower(), tuple(header)), (m.start(), []))
            kept.extend(rows)
        elif len(rows) >= 2:
            units.append(_table(text, m.start(), header, rows, "values"))
    for (_, header), (at, rows) in inserts.items():
        if len(rows) >= 2 or any(_is_count_name(h) for h in header):
            units.append(_table(text, at, list(header), rows, "values"))
    from egress_review.engine.readers.sql_case import case_lookups

    return units + _sql_unions(text) + case_lookups(text)


# a table typed as SELECTs of literals joined by UNION: SELECT 'A' AS region, 120 AS n UNION ALL
# SELECT 'B', 3 … (before, only the first row's "120 AS n" was read, the rest left with the code)
_SQL_LIT = r"(?:'[^'\n]*'|-?\d+(?:\.\d+)?)"
_SQL_ITEM = _SQL_LIT + r"(?:\s+AS\s+[\"`\[]?\w+[\"`\]]?)?"
_SQL_ROW = r"SELECT\s+" + _SQL_ITEM + r"(?:\s*,\s*" + _SQL_ITEM + r")*"
_SQL_UNION = re.compile(_SQL_ROW + r"(?:\s+UNION(?:\s+ALL)?\s+" + _SQL_ROW + r")+", re.I)
_SQL_ROW_RE = re.compile(_SQL_ROW, re.I)
_SQL_ITEM_RE = re.compile(r"(" + _SQL_LIT + r")(?:\s+AS\s+[\"`\[]?(\w+)[\"`\]]?)?", re.I)
# CREATE TABLE t (region text, n int): the columns an INSERT INTO t VALUES … without a list fills
_SQL_CREATE = re.compile(r"CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                         r"[\"`\[]?(\w+)[\"`\]]?\s*\(([^;]*?)\)\s*;", re.I)
_SQL_INSERT = re.compile(r"INSERT\s+INTO\s+[\"`\[]?(\w+)[\"`\]]?\s+VALUES\s*$", re.I)


def _unnamed_header(rows: list[list[str]]) -> list[str]:
    """Headers for literal rows given no column names: "column i", and "column i (n)" for a
    column of whole numbers ≥ 0 beside a column of labels (a frequency table's shape; before,
    its numbers went to a reviewer as of no known role, small or not)."""
    from egress_review.engine.readers.code_literals import _looks_like_counts

    cols = list(zip(*rows))
    numeric = [all(_NUM.match(c) for c in col) for col in cols]
    labelled = not all(numeric)
    return [f"column {i + 1} (n)" if num and labelled and _looks_like_counts([float(c) for c in col])
            else f"column {i + 1}" for i, (num, col) in enumerate(zip(numeric, cols))]


def _sql_unions(text: str) -> list:
    units = []
    for m in _SQL_UNION.finditer(text):
        rows, names = [], []
        for r in _SQL_ROW_RE.finditer(m.group(0)):
            items = _SQL_ITEM_RE.findall(r.group(0)[6:])
            rows.append([_value(v) for v, _ in items])
            names = names or [a for _, a in items]
        if len(rows) >= 2 and len({len(r) for r in rows}) == 1 and len(rows[0]) >= 2:
            header = names if all(names) else _unnamed_header(rows)
            units.append(_table(text, m.start(), header, rows, "union"))
    return units


def _created_columns(text: str, upto: int) -> list[str] | None:
    """The columns of the table an ``INSERT INTO t VALUES`` ending at ``upto`` fills."""
    ins = _SQL_INSERT.search(text[max(0, upto - 200):upto])
    if not ins:
        return None
    for c in _SQL_CREATE.finditer(text[:upto]):
        if c.group(1).lower() == ins.group(1).lower():
            return [d.strip().split()[0].strip('"`[]') for d in _top_level_args(c.group(2))
                    if d.strip() and not d.strip().upper().startswith(("PRIMARY", "CONSTRAINT",
                                                                       "FOREIGN", "UNIQUE"))]
    return None


def _alias_after(text: str, end: int):
    """The column names a derived table gives its VALUES after them: ``(VALUES …) AS t(region,
    deaths)`` (without them its columns went to a reviewer as numbers of no known role)."""
    return re.match(r"\s*\)?\s*(?:AS\s+)?[\w\"`\[\]]+\s*\(([^()]*)\)", text[end:end + 400], re.I)


_SAS_INFILE = re.compile(r"\binfile\s+(?:datalines|cards)4?\b([^;]*);", re.I)
_SAS_DLM = re.compile(r"\b(?:dlm|delimiter)\s*=\s*(['\"])(.*?)\1(x?)", re.I)


def _sas_rows(text: str, variables: str, block: str, names: list[str], at: int) -> list[list[str]] | None:
    """The records of one SAS datalines block: split on the ``infile datalines`` delimiter
    (``dsd``: commas, ``dlm=','``, ``dlm='09'x``) or on blanks; with ``@@`` on the input
    statement, several records to a line (before, both left the block unread with the code)."""
    lines = [ln for ln in block.splitlines() if ln.strip()]
    if not names or not lines:
        return None
    infile = _SAS_INFILE.search(text, max(0, at - 400), at)
    delim = None
    if infile:
        d = _SAS_DLM.search(infile.group(1))
        if d:
            delim = bytes.fromhex(d.group(2)).decode("latin-1") if d.group(3) and \
                re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", d.group(2)) else d.group(2)
        elif re.search(r"\bdsd\b", infile.group(1), re.I):
            delim = ","
    if delim:
        rows = [[_value(c) for c in re.split("|".join(map(re.escape, delim)), ln)] for ln in lines]
    else:
        rows = [ln.split() for ln in lines]
    if all(len(r) == len(names) for r in rows):
        return rows
    if "@@" in variables:
        cells = [c for r in rows for c in r]
        if len(cells) % len(names) == 0:
            return [cells[i:i + len(names)] for i in range(0, len(cells), len(names))]
    return None


_STATA_TYPES = re.compile(r"^(?:str\d*|strL|byte|int|long|float|double)$", re.I)


_SAS_INPUT = re.compile(r"\binput\s+([^;\n]*);", re.I)
_SAS_DATALINES = re.compile(r"\b(?:datalines|cards)4?\s*;[ \t]*\n", re.I)
_SAS_END = re.compile(r"\n\s*;+")
_STATA_INPUT = re.compile(r"^[ \t]*input\s+([^\n]*)\n", re.I | re.M)
_STATA_END = re.compile(r"\n[ \t]*end\b", re.I)


def _after(positions: list[int], pos: int) -> int | None:
    k = bisect.bisect_left(positions, pos)
    return positions[k] if k < len(positions) else None


def inline_data(text: str) -> list:
    """SAS datalines/cards and Stata input … end blocks.  Each statement is found once and
    paired with the next terminator by position (a lazy match to the end from every "input"
    cost the square of a file of them); a block ends at the next one at the latest (disjoint)."""
    units = []
    inputs = list(_SAS_INPUT.finditer(text))
    starts = [m.start() for m in inputs]
    ends = [m.start() for m in _SAS_END.finditer(text)]
    datalines = list(_SAS_DATALINES.finditer(text))
    for n, d in enumerate(datalines):
        k = bisect.bisect_left(starts, d.start()) - 1
        end = _after(ends, d.end() - 1)
        if k < 0 or end is None:
            continue
        if n + 1 < len(datalines):       # a block runs at most to the next one (disjoint: linear)
            end = min(end, datalines[n + 1].start())
        variables, block = inputs[k].group(1), text[d.end():end]
        names = [v for v in variables.replace("$", " ").split() if re.match(r"^[A-Za-z_]\w*$", v)]
        rows = _sas_rows(text, variables, block, names, inputs[k].start())
        if names and rows:
            units.append(_table(text, d.end(), names, rows, "datalines"))
        elif block.strip():
            # lines no input statement here shapes: read as text, never left with the code
            units.append(TextUnit(block, {"line": _line(text, d.end()), "part": "datalines"},
                                  file_lines=True))
    stata_ends = [m.start() for m in _STATA_END.finditer(text)]
    stata = list(_STATA_INPUT.finditer(text))
    for n, m in enumerate(stata):
        end = _after(stata_ends, m.end() - 1)
        if end is None:
            continue
        if n + 1 < len(stata):
            end = min(end, stata[n + 1].start())
        names = [v for v in m.group(1).split() if not _STATA_TYPES.match(v)]
        rows = [re.findall(r'"[^"]*"|\S+', ln) for ln in text[m.end():end].splitlines() if ln.strip()]
        rows = [[_value(c) for c in r] for r in rows]
        if names and rows and all(len(r) == len(names) for r in rows):
            units.append(_table(text, m.end(), names, rows, "input"))
    return units


_SPSS_LIST = re.compile(r"\bDATA\s+LIST\b", re.I)
_SPSS_BEGIN = re.compile(r"\bBEGIN\s+DATA\b[ \t.]*\n", re.I)
_SPSS_END = re.compile(r"\n[ \t]*END\s+DATA\b", re.I)
_SPSS_WORDS = frozenset({"free", "list", "fixed", "records", "file", "inline", "notable", "table",
                         "skip", "end", "encoding"})


def spss_data(text: str) -> list:
    """SPSS ``DATA LIST … / region (A10) n.`` with ``BEGIN DATA … END DATA``: the inline rows
    headed by the variables the DATA LIST names (FREE and LIST split on blanks or the delimiter
    given; a FIXED list split on blanks)."""
    units = []
    lists = [m.start() for m in _SPSS_LIST.finditer(text)]
    ends = [m.start() for m in _SPSS_END.finditer(text)]
    for b in _SPSS_BEGIN.finditer(text):
        k = bisect.bisect_left(lists, b.start()) - 1
        end = _after(ends, b.end() - 1)
        if k < 0 or end is None or b.start() - lists[k] > 2000:
            continue
        spec = text[lists[k] + 9:b.start()].strip().rstrip(".")
        delim = re.search(r"\(\s*(['\"])(.+?)\1\s*\)", spec.split("/", 1)[0])
        names = [w for w in re.sub(r"\([^)]*\)|\b\d+\s*-\s*\d+\b", " ", spec.split("/", 1)[-1]).split()
                 if re.fullmatch(r"[A-Za-z@#$][\w.@#$]*", w) and w.lower() not in _SPSS_WORDS]
        splitter = rf"[{re.escape(delim.group(2))}\s]+" if delim else r"[,\s]+"
        rows = [[_value(c) for c in re.split(splitter, ln.strip()) if c]
                for ln in text[b.end():end].splitlines() if ln.strip()]
        if names and rows and all(len(r) == len(names) for r in rows):
            units.append(_table(text, b.end(), names, rows, "begin data"))
        elif rows:
            units.append(TextUnit(text[b.end():end], {"line": _line(text, b.end()), "part": "begin data"},
                                  file_lines=True))
    return units


_JS_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")


def js_literals(text: str, max_objects: int = 200) -> list:
    """JavaScript object/array literals holding numbers, read as JSON (keys quoted first)."""
    from egress_review.engine.readers.structured import read_json

    units: list = []
    src = _JS_KEY.sub(r'\1"\2":', text).replace("'", '"')
    decoder = json.JSONDecoder()
    i, found = 0, 0
    while found < max_objects:
        j = min((k for k in (src.find("{", i), src.find("[", i)) if k >= 0), default=-1)
        if j < 0:
            break
        try:
            value, end = decoder.raw_decode(src, j)
        except ValueError:
            i = j + 1
            continue
        i = end
        if isinstance(value, dict) and value and all(_SETTING.search(str(k)) for k in value):
            continue                  # a layout or options object (width, height, margin …)
        named = _named_literal(src, j, value)
        if named is not None:
            found += 1
            units.append(named)
            continue
        if isinstance(value, (dict, list)) and re.search(r"\d", json.dumps(value)):
            found += 1
            content = read_json(json.dumps(value, ensure_ascii=False).encode(), "literal.json")
            for u in content.units:
                if isinstance(u, (TableUnit, TextUnit)):
                    u.place = {**u.place, "line": _line(src, j), "part": "literal"}
                    units.append(u)
    return units


# the name a literal is given: const deaths = …, deaths: …, deaths: Record<string, number> = …,
# deaths = new Map(…)
_JS_NAME = re.compile(r"(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*(?::\s*[\w$<>,\s\[\]|]+?\s*)?[:=]\s*"
                      r"(?:new\s+Map\s*\(\s*|Object\.freeze\s*\(\s*)?$")


def _named_literal(src: str, j: int, value) -> TableUnit | None:
    """A flat map or list of numbers assigned to a name (``const deaths = {North: 120, South:
    3}``), headed by that name as Python's literal of the same shape is: read as JSON its
    column was "value", a number of no known role."""
    from egress_review.engine.readers.code_literals import _count_header, _looks_like_counts, _recode

    m = _JS_NAME.search(src[max(0, j - 200):j])
    name = m.group(1).strip('"') if m else ""
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and value and all(isinstance(e, list) and len(e) == 2
                                                   and isinstance(e[0], str) for e in value):
        pairs = [(e[0], e[1]) for e in value]          # new Map([["North", 120], …])
    elif isinstance(value, list):
        pairs = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    nums = [v for _, v in pairs]
    if len(nums) < 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in nums) \
            or _SETTING.search(name) or _recode([float(v) for v in nums]):
        return None
    if not (_is_count_name(name) or not pairs[0][0].startswith("[")
            and _looks_like_counts([float(v) for v in nums])):
        return None
    keyed = isinstance(value, dict) or not pairs[0][0].startswith("[")
    rows = [[str(k), f"{v:g}"] for k, v in pairs]
    return _table(src, j, ["category" if keyed else "position", _count_header(name)],
                  rows, "object" if keyed else "array")


def _matlab_column(arg: str) -> list[str] | None:
    """A MATLAB column typed in a call: ``[120; 3; 140]`` or ``{'N'; 'S'}`` (None otherwise)."""
    arg = arg.strip()
    if len(arg) < 2 or arg[0] + arg[-1] not in ("[]", "{}"):
        return None
    cells = [_value(c) for c in re.split(r"[;,\s]+", arg[1:-1].replace("...", " ")) if c.strip()]
    if arg[0] == "[" and not all(_NUM.match(c) for c in cells):
        return None
    return cells


def matlab_tables(text: str) -> list:
    """MATLAB ``table(…, 'VariableNames', {…})`` and ``array2table([…], 'VariableNames', {…})``:
    columns typed into the call, headed by the names given (the numbers were unnamed brackets)."""
    units = []
    for pos, body in _call_bodies(text, r"table|array2table|cell2table"):
        args = _top_level_args(body)
        at = next((k for k, a in enumerate(args) if _value(a).lower() == "variablenames"), None)
        if at is None or at + 1 >= len(args):
            continue
        names = [_value(n) for n in re.findall(r"['\"][^'\"]*['\"]", args[at + 1])]
        data = args[:at]
        if len(data) == 1 and data[0].strip().startswith("["):       # array2table([…; …])
            rows = [[c for c in re.split(r"[,\s]+", r.strip()) if c]
                    for r in data[0].strip()[1:-1].split(";") if r.strip()]
            if names and rows and all(len(r) == len(names) and all(_NUM.match(c) for c in r)
                                      for r in rows):
                units.append(_table(text, pos, names, rows, "table"))
            continue
        cols = [_matlab_column(a) for a in data]
        if names and len(cols) == len(names) and all(c is not None for c in cols) \
                and len({len(c) for c in cols}) == 1 and cols[0]:
            units.append(_table(text, pos, names, [list(r) for r in zip(*cols)], "table"))
    return units


def data_statements(text: str, suffix: str) -> list:
    """The data statements of a program in the language its ``suffix`` names."""
    if suffix == "r":
        return r_frames(text)
    if suffix == "sql":
        return sql_values(text)
    if suffix in ("sas", "do", "ado", "stata"):
        return inline_data(text)
    if suffix == "sps":
        from egress_review.engine.readers.spss_syntax import spss_commands

        return spss_data(text) + spss_commands(text)
    if suffix == "js":
        return js_literals(text)
    if suffix in ("m", "matlab"):
        return matlab_tables(text)
    return []
