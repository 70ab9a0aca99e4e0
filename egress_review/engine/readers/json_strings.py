"""JSON typed into a program as a string: ``json.loads('{"North": 120, "South": 3}')``,
``JSON.parse('[…]')``, R's ``jsonlite::fromJSON('…')``; YAML or TOML given to their
loaders (``yaml.safe_load(…)``, ``yaml::yaml.load``, ``tomllib.loads``) (E7/E2).  The string was read as a
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


# a YAML or TOML loader given a string: yaml.safe_load("""…"""), yaml::yaml.load('…'),
# tomllib.loads('…')
_LOADER = re.compile(r"(?:\b(yaml)\s*(?:\.|::)\s*(?:safe_|full_|unsafe_)?load(?:_all)?|"
                     r"\b(toml)(?:lib)?\s*\.\s*loads|\bparse_(toml))\s*\(\s*(?:(?:text|string|s)\s*=\s*)?$")
_QUOTES = ('"' * 3, "'" * 3, '"', "'")


def _loaded(literal: str, before: str):
    """The value a YAML or TOML loader called on the string literal makes of it, or None."""
    m = _LOADER.search(before[-120:])
    if not m or len(literal) > _MAX_JSON:
        return None
    body = literal.strip().lstrip("rRbBuUfF")
    for q in _QUOTES:
        if body.startswith(q) and body.endswith(q) and len(body) >= 2 * len(q):
            body = body[len(q):-len(q)]
            break
    body = body.replace("\\n", "\n")
    try:
        if m.group(2) or m.group(3):
            import tomllib

            value = tomllib.loads(body)
        else:
            import yaml

            value = yaml.safe_load(body)
    except Exception:  # noqa: BLE001 - not YAML/TOML after all: read as words
        return None
    return value if isinstance(value, (dict, list)) and value else None


def json_string_units(literal: str, name: str, place: dict, before: str = "") -> list | None:
    """The units of the JSON (or, given to a YAML/TOML loader, the YAML/TOML) a string literal
    holds; None when it holds none (or only a settings map: ``'{"lr": 0.01, "epochs": 10}'``),
    for the caller to read it as words."""
    from egress_review.engine.readers.structured import walk

    value = _parsed(literal) if ("{" in literal[:8] or "[" in literal[:8]) else None
    if value is None and before:
        value = _loaded(literal, before)
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
