"""Lookups typed into a program in the other languages' words (E7/E2), beside SQL's CASE
(:mod:`.sql_case`): R ``switch(r, North = 120, South = 3)``, ``recode(…)``, ``case_when(region
== "South" ~ 3, …)``; nested ``ifelse``/``if_else``/``np.where``/Stata ``cond`` whose results
are numbers; ``np.select([conditions], [numbers], default=…)``; Python ``if``/``elif``/``case``
branches that each return a number.  Their numbers are a frequency table typed into the code
and left with it unread before.  Each becomes a table unit (label → number) headed by the name
the result is given, judged by the table rules; category codes and settings are left alone."""
from __future__ import annotations

import bisect
import re

from egress_review.engine.readers.code_literals import _is_count_name
from egress_review.engine.readers.data_statements import _top_level_args
from egress_review.engine.readers.sql_case import _label, _unit

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?L?$")
_NAMED = re.compile(r"^[`'\"]?([^`'\"=~]{1,60}?)[`'\"]?\s*=\s*(-?\d+(?:\.\d+)?)L?$")
_FORMULA = re.compile(r"^(.{1,200}?)~\s*(-?\d+(?:\.\d+)?)L?$", re.S)
# the name a result is given on its line: n <- …, d$n <- …, df['n'] = …, mutate(d, n = …)
_TARGET = re.compile(r"(?:\[\s*['\"]([\w.]+)['\"]\s*\]|\$([\w.]+)|([A-Za-z_.][\w.]*))\s*(?:<-|=)\s*[^=<]*$")
_MAX_CALL = 5_000
_BRANCH = re.compile(r"^[ \t]*(?:if|elif|case)\b[ \t]*(?P<cond>[^\n]{1,200}?):[ \t]*\n[ \t]+return[ \t]+"
                     r"(?P<v>-?\d+(?:\.\d+)?)[ \t]*$", re.M)
_DEF = re.compile(r"^[ \t]*def[ \t]+(\w+)", re.M)


def _target(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    m = _TARGET.search(text, start, pos) if pos - start < 400 else None
    return next((g for g in m.groups() if g), "") if m else ""


def _number(arg: str) -> str | None:
    a = arg.strip()
    return a.rstrip("L") if _NUMBER.match(a) else None


_LEVEL = re.compile(r"(?:ifelse|if_else|where|cond|iif)\s*\(([^,()\n]{1,200}),\s*(-?\d+(?:\.\d+)?)\s*,", re.I)


def _nested_if(body: str, depth: int = 0) -> list[tuple[str, str]] | None:
    """(label, number) of ifelse(cond, n, ifelse(cond, n, n)): None unless every result is a
    number or another such call."""
    if depth > 20:                  # deeper: each level's (condition, number) by one linear scan
        return [(_label(c), v) for c, v in _LEVEL.findall(body)] or None
    args = _top_level_args(body)
    if len(args) != 3:
        return None
    yes = _number(args[1])
    if yes is None:
        return None
    pairs = [(_label(args[0]), yes)]
    no = _number(args[2])
    if no is not None:
        return pairs + [("else", no)]
    inner = re.match(r"^[\w.:]*?(?:ifelse|if_else|where|cond|iif)\s*\((.*)\)\s*$", args[2].strip(), re.S | re.I)
    rest = _nested_if(inner.group(1), depth + 1) if inner else None
    return pairs + rest if rest else None


def _named_args(body: str, formula: bool) -> list[tuple[str, str]] | None:
    pairs = []
    for a in _top_level_args(body)[0 if formula else 1:]:
        m = (_FORMULA if formula else _NAMED).match(a.strip())
        if m:
            label = _label(m.group(1)) if formula else m.group(1).strip()
            pairs.append(("else" if label in ("TRUE", ".default") else label, m.group(2)))
        elif not formula and _number(a) is not None:
            pairs.append(("else", _number(a)))        # switch()'s default
        else:
            return None
    return pairs


_CALL = re.compile(r"\b(switch|recode|case_when|ifelse|if_else|where|cond|select)\s*\(")


def _calls(text: str, call: re.Pattern = _CALL):
    """(start, name, body) of each outermost call named in ``call`` whose body is at most
    _MAX_CALL long.  Parentheses are paired in one pass; a call inside one already given is
    read with it (its tail of an outer ifelse), so each character is read once: linear."""
    if not call.search(text):
        return
    closing, stack = {}, []
    for m in re.finditer(r"[()]", text):
        if m.group() == "(":
            stack.append(m.start())
        elif stack:
            closing[stack.pop()] = m.start()
    done = -1
    for m in call.finditer(text):
        end = closing.get(m.end() - 1)
        if end is None or m.start() < done or end - m.end() > _MAX_CALL:
            continue
        done = end
        yield m.start(), m.group(1), text[m.end():end]


def lookups(text: str) -> list:
    units = []

    def add(pos: int, pairs, what: str, least: int = 2):
        name = _target(text, pos)
        if pairs and len(pairs) >= least or pairs and _is_count_name(name):
            if (unit := _unit(text, pos, name, pairs, what)):
                units.append(unit)

    for pos, name, body in _calls(text):
        if name in ("switch", "recode"):
            add(pos, _named_args(body, False), name)
        elif name == "case_when":
            add(pos, _named_args(body, True), name)
        elif name == "select":                        # np.select([conds], [numbers], default=n)
            args = _top_level_args(body)
            if len(args) >= 2 and args[0].startswith("[") and args[1].startswith("["):
                conds, nums = _top_level_args(args[0][1:-1]), _top_level_args(args[1][1:-1])
                pairs = [(_label(c), _number(n)) for c, n in zip(conds, nums)]
                default = next((_number(a.split("=", 1)[1]) for a in args[2:]
                                if a.startswith("default") and "=" in a), None)
                if len(conds) == len(nums) and all(v is not None for _, v in pairs):
                    add(pos, pairs + ([("else", default)] if default else []), name)
        else:
            # one ifelse is a two-way split (np.where(mask, 255, 0)): read from three results
            # on (nested), or two under a count's name
            add(pos, _nested_if(body), name, least=3)
    defs = [(m.start(), m.group(1)) for m in _DEF.finditer(text)]
    starts = [d for d, _ in defs]
    branches: dict[str, list] = {}
    for m in _BRANCH.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        cond = m.group("cond").strip()
        branches.setdefault(defs[k][1] if k >= 0 else "", []).append(
            (m.start(), "else" if cond == "_" else _label(cond), m.group("v")))
    for fn, found in branches.items():
        if (unit := _unit(text, found[0][0], fn, [(k, v) for _, k, v in found], "branches")):
            units.append(unit)
    return units
