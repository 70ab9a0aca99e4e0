"""JSON typed into a program as a string: ``json.loads('{"North": 120, "South": 3}')``,
``JSON.parse('[…]')``, R's ``jsonlite::fromJSON('…')`` (E7/E2).  The string was read as a
sentence whose numbers no check could place (a reviewer's, with nothing named); it is data, so
it is read as the JSON reader reads a .json file, its flat maps and lists headed by the name
the program gives them as Python's and JavaScript's literals are (``counts`` → a count column;
a name that says nothing: a count column when the numbers have a frequency table's shape).
"""
from __future__ import annotations

import json
import re

from egress_review.engine.readers.code_literals import (_SETTING, _count_header, _is_count_name,
                                                        _looks_like_counts, _recode)
from egress_review.engine.readers.model import Content, TableUnit

_MAX_JSON = 200_000
# the name the string's parsed value is given: counts = json.loads(, d <- jsonlite::fromJSON(,
# const d = JSON.parse(
_ASSIGNED = re.compile(r"([A-Za-z_.$][\w.$]*)\s*(?:<-|:?=)\s*(?:[\w.$]+\s*(?:::|\.)\s*)*[\w$]+\s*\(\s*$")


def _parsed(literal: str):
    """The JSON object or array a string literal holds (its quotes and prefix dropped), or None."""
    s = literal.strip()
    if len(s) > _MAX_JSON:
        return None
    a = min((i for i in (s.find("{", 0, 8), s.find("[", 0, 8)) if i >= 0), default=-1)
    b = max(s.rfind("}", len(s) - 8), s.rfind("]", len(s) - 8))
    if a < 0 or b <= a:
        return None
    body = s[a:b + 1]
    for candidate in (body, body.replace('\\"', '"').replace("\\\\", "\\")):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        return value if isinstance(value, (dict, list)) and value else None
    return None


def _flat_numbers(value) -> list[tuple[str, float]] | None:
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in pairs):
        return None
    return [(str(k), float(v)) for k, v in pairs]


def assigned_name(text: str, start: int) -> str:
    m = _ASSIGNED.search(text[max(0, start - 200):start])
    return m.group(1).split(".")[-1].strip("$") if m else ""


def json_string_units(literal: str, name: str, place: dict) -> list | None:
    """The units of the JSON a string literal holds; None when it holds none (or only a
    settings map: ``'{"lr": 0.01, "epochs": 10}'``), for the caller to read it as words."""
    from egress_review.engine.readers.structured import walk

    value = _parsed(literal)
    if value is None:
        return None
    if isinstance(value, dict) and all(_SETTING.search(str(k)) for k in value):
        return None
    pre = {**place, "part": "json string"}
    pairs = _flat_numbers(value)
    if pairs and len(pairs) >= 2 and not _SETTING.search(name):
        nums = [v for _, v in pairs]
        if not _recode(nums) and (_is_count_name(name) or _looks_like_counts(nums)):
            keyed = isinstance(value, dict)
            rows = [["category" if keyed else "position", _count_header(name)]]
            rows += [[k, f"{v:g}"] for k, v in pairs]
            return [TableUnit(rows=rows, place=pre, caption="json string")]
    out = Content("json")
    walk(value, out, key=name, place=pre)
    return out.units
