"""Counts typed into a program one cell at a time (E7/E2): ``df.loc['South', 'n'] = 3``,
``df.at[1, 'deaths'] = 3``, R's ``d[d$region == 'South', 'n'] <- 3`` and ``d$n[2] <- 3``,
Stata's ``replace n = 3 if region == "South"`` / ``replace n = 3 in 2``, SAS's ``if region =
'South' then n = 3;`` and ``select (region); when ('South') n = 3;``.  The SQL ``CASE`` lookup
(:mod:`.sql_case`) in the other languages' words: the numbers are a frequency table typed into
the code, and before they left with it unread.

The assignments to one column (two or more, by label or row) become a table unit: label →
number, headed by the column's name (marked a count when the numbers have a frequency
table's shape), judged by the table rules.  A setting's name, category codes (1 … k) and
a single assignment are left alone.  Every pattern reads one line (linear)."""
from __future__ import annotations

import re

from egress_review.engine.readers.code_literals import (_SETTING, _count_header, _is_count_name,
                                                        _looks_like_counts, _recode)
from egress_review.engine.readers.data_statements import _top_level_args
from egress_review.engine.readers.model import TableUnit
from egress_review.engine.readers.sql_case import _label

_NUM = r"(?P<v>-?\d+(?:\.\d+)?)L?"
# obj[row, col] = n / obj.loc[row, col] = n / obj$col[row] <- n / obj[row, "col"] <- n
_SUBSCRIPT = re.compile(r"^[ \t]*(?P<obj>[A-Za-z_.][\w.$]{0,80}?)(?:\.(?:loc|at|iloc|iat))?"
                        r"\[(?P<key>[^\]\n]{1,160})\][ \t]*(?:=|<-)[ \t]*" + _NUM + r"[ \t]*;?[ \t]*(?:#.*)?$",
                        re.M)
_STATA = re.compile(r"^[ \t]*(?:replace|gen(?:erate)?)[ \t]+(?:\w+[ \t]+)?(?P<col>[A-Za-z_]\w*)[ \t]*=[ \t]*" + _NUM +
                    r"[ \t]+(?:in[ \t]+(?P<row>\d+)|if[ \t]+(?P<cond>[^\n]{1,200}?))[ \t]*(?://.*)?$", re.M | re.I)
_SAS = re.compile(r"\b(?:if[ \t]+(?P<cond>[^;\n]{1,200}?)[ \t]+then|when[ \t]*\((?P<cond2>[^()\n]{1,200})\)|"
                  r"else|otherwise)[ \t]+(?P<col>[A-Za-z_]\w*)[ \t]*=[ \t]*" + _NUM + r"[ \t]*;", re.I)


def _key_and_column(obj: str, key: str) -> tuple[str, str] | None:
    """(row label, column) of a subscripted assignment, or None when it names no column."""
    parts = _top_level_args(key, keep_trailing=True)
    if len(parts) == 2:
        col = parts[1].strip()
        if not re.fullmatch(r"['\"][^'\"]+['\"]|\d+", col):
            return None
        return _label(parts[0]), col.strip("'\"")
    if len(parts) == 1 and "$" in obj:               # R: d$n[2] <- 3
        return _label(parts[0]), obj.rsplit("$", 1)[1]
    return None


def cell_assignments(text: str) -> list:
    columns: dict[str, list[tuple[str, str, int]]] = {}
    for m in _SUBSCRIPT.finditer(text):
        kc = _key_and_column(m.group("obj"), m.group("key"))
        if kc is not None:
            columns.setdefault(kc[1], []).append((kc[0], m.group("v"), m.start()))
    for m in _STATA.finditer(text):
        label = m.group("row") and f"row {m.group('row')}" or _label(m.group("cond"))
        columns.setdefault(m.group("col"), []).append((label, m.group("v"), m.start()))
    for m in _SAS.finditer(text):
        cond = m.group("cond") or m.group("cond2")
        label = _label(cond) if cond else "else"
        columns.setdefault(m.group("col"), []).append((label, m.group("v"), m.start()))
    units = []
    for col, cells in columns.items():
        # a row number is a position, not a category's label (read as a number of no role)
        cells = [(f"row {k}" if k.isdigit() else k, v, at) for k, v, at in cells]
        nums = [float(v) for _, v, _ in cells]
        if len(cells) < 2 or _SETTING.search(col) or _recode(nums) \
                or not (_is_count_name(col) or _looks_like_counts(nums)):
            continue
        units.append(TableUnit(rows=[["category", _count_header(col)]] + [[k, v] for k, v, _ in cells],
                               place={"line": text.count("\n", 0, cells[0][2]) + 1, "part": "literal",
                                      "literal": "cell assignments"}, caption="cell assignments"))
    return units
