"""Counts typed into SQL as a lookup: ``CASE region WHEN 'North' THEN 120 WHEN 'South' THEN 3
END AS n``, ``CASE WHEN region = 'South' THEN 3 … END``, Oracle's ``DECODE(region, 'North',
120, 'South', 3)`` (E7/E2).  The query reads no data for them: the numbers are a frequency
table typed into the code, and before they left with it unread (a .sql file passed).

Each lookup whose results are all numbers becomes a table unit (label → number) headed like
the other literals: its alias when the alias says it counts, else "<alias> (n)" when the
numbers have a frequency table's shape.  Category codes (``THEN 1 … THEN 4``, ``THEN 1 ELSE
0`` inside a SUM) and lookups to words or columns are recodes, not counts, and are left alone.
"""
from __future__ import annotations

import bisect
import re

from egress_review.engine.readers.code_literals import (_SETTING, _count_header, _is_count_name,
                                                        _looks_like_counts, _recode)
from egress_review.engine.readers.model import TableUnit
from egress_review.engine.readers.data_statements import _top_level_args

_CASE = re.compile(r"\bCASE\b", re.I)
_END = re.compile(r"\bEND\b", re.I)
_WHEN = re.compile(r"\bWHEN\b", re.I)
_THEN = re.compile(r"\bTHEN\b", re.I)
_ELSE = re.compile(r"\bELSE\b", re.I)
_NUMBER = re.compile(r"^['\"]?(-?\d+(?:\.\d+)?)['\"]?$")
_ALIAS = re.compile(r"\s*\)?\s*(?:AS\s+)?[\"`\[]?([A-Za-z_]\w*)[\"`\]]?", re.I)
_NOT_ALIAS = frozenset({"from", "where", "group", "order", "having", "union", "when", "then",
                        "else", "end", "and", "or", "limit", "into", "on", "join", "left",
                        "right", "inner", "outer", "full", "cross", "select", "window", "over"})
_LITERAL = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"|(-?\d+(?:\.\d+)?)\s*$")
_DECODE = re.compile(r"\bDECODE\s*\(", re.I)
_MAX_BODY = 20_000           # a longer CASE is not read as a lookup (the other checks read it)


def _label(condition: str) -> str:
    """What a WHEN names: its literal (``region = 'South'`` → South), else the condition."""
    m = None
    for m in _LITERAL.finditer(condition):
        pass
    if m is not None:
        return next(g for g in m.groups() if g is not None)
    return " ".join(condition.split())


def _alias(text: str, end: int) -> str:
    m = _ALIAS.match(text, end, min(len(text), end + 200))
    name = m.group(1) if m else ""
    return "" if name.lower() in _NOT_ALIAS else name


def _unit(text: str, pos: int, name: str, pairs: list[tuple[str, str]], what: str) -> TableUnit | None:
    nums = [float(v) for _, v in pairs]
    if len(pairs) < 2 or _SETTING.search(name) or _recode(nums) or \
            not (_is_count_name(name) or _looks_like_counts(nums)):
        return None
    return TableUnit(rows=[["category", _count_header(name)]] + [[k, v] for k, v in pairs],
                     place={"line": text.count("\n", 0, pos) + 1, "part": "literal",
                            "literal": what}, caption=what)


def _case_pairs(body: str) -> list[tuple[str, str]] | None:
    """(label, number) of each WHEN … THEN n (and ELSE n) of one CASE body; None when a result
    is not a number (a recode to words or columns)."""
    else_value = None
    parts = _ELSE.split(body, maxsplit=1)
    if len(parts) == 2:
        m = _NUMBER.match(parts[1].strip())
        if m is None:
            return None
        else_value = m.group(1)
    whens = _WHEN.split(parts[0])
    subject = whens[0].strip()           # CASE region WHEN 'North' …: the simple form
    pairs = []
    for arm in whens[1:]:
        cond_then = _THEN.split(arm, maxsplit=1)
        if len(cond_then) != 2 or (m := _NUMBER.match(cond_then[1].strip())) is None:
            return None
        cond = cond_then[0].strip()
        pairs.append((_label(cond) if not subject else cond.strip("'\"`"), m.group(1)))
    if else_value is not None:
        pairs.append(("else", else_value))
    return pairs


def _next(positions: list[int], after: int) -> int | None:
    i = bisect.bisect_left(positions, after)
    return positions[i] if i < len(positions) else None


def case_lookups(text: str) -> list:
    """Table units of the CASE and DECODE lookups to numbers in ``text``.  Keywords are found
    once each and paired by position (linear: a file of CASEs with no END costs one pass)."""
    units = []
    cases = [m.start() for m in _CASE.finditer(text)]
    ends = {m.start(): m.end() for m in _END.finditer(text)}
    end_starts = sorted(ends)
    for pos in cases:
        end = _next(end_starts, pos + 4)
        if end is None or end - pos > _MAX_BODY:
            continue
        inner = _next(cases, pos + 4)
        if inner is not None and inner < end:
            continue                     # a nested CASE: the inner lookup is read on its own
        pairs = _case_pairs(text[pos + 4:end])
        if pairs and (unit := _unit(text, pos, _alias(text, ends[end]), pairs, "case")):
            units.append(unit)
    closes = [i for i, ch in enumerate(text) if ch == ")"] if "DECODE" in text.upper() else []
    for m in _DECODE.finditer(text):
        close = _next(closes, m.end())
        if close is None or close - m.end() > _MAX_BODY or "(" in text[m.end():close]:
            continue
        args = _top_level_args(text[m.end():close])
        if len(args) < 5:
            continue
        core = args[1:] if len(args) % 2 == 1 else args[1:-1]
        keys, results = core[0::2], core[1::2]
        if len(args) % 2 == 0:
            keys, results = keys + ["else"], results + [args[-1]]
        if not all(_NUMBER.match(r) for r in results):
            continue
        pairs = [(k.strip("'\""), _NUMBER.match(r).group(1)) for k, r in zip(keys, results)]
        if (unit := _unit(text, m.start(), _alias(text, close + 1), pairs, "decode")):
            units.append(unit)
    return units
