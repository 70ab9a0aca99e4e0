"""Numbers typed as a vector, matrix or map literal in a language Python's parser cannot read
(E7/E2).

A probe typed a frequency table as MATLAB/Octave/Julia ``counts = [120 3 140; 88 2 97]``, R
``deaths <- c(120, 3, 140)``, ``matrix(c(…), nrow = 2)`` or ``rbind(c(…), c(…))``, and
JavaScript ``const deaths = [120, 3, 140]``: none of these is Python, so the literal readers of
:mod:`.code_literals` never saw them and the program passed.  Here each becomes what Python's
literal of the same shape becomes:

- named like a count (``counts``, ``deaths``, ``n_pts``): a table unit whose columns carry the
  name, so the table rules read them as counts (a small one blocks);
- a grid of two or more rows of whole numbers under another name, small ones (under 10) beside
  large ones: a cross-table of counts or program constants - a reviewer decides (``(place,
  reason)`` doubts);
- a plain vector under another name (``breaks = [0 10 20]``) is program code, as in Python.

Also read: R's ``3L``, ``as.integer(c(…))``, ``assign("deaths", c(…))`` and ``c(…) -> deaths``;
MATLAB ``int32([…])``; maps written entry by entry (``deaths.North = 120;``,
``deaths["South"] <- 3``), Julia ``Dict("N" => 120, …)`` and MATLAB ``containers.Map``.
"""
from __future__ import annotations

import re

from egress_review.engine.readers.code_literals import (_SETTING, _is_count_name,
                                                        _looks_like_counts)
from egress_review.engine.readers.model import TableUnit

# R writes an integer 3L: the same number
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?L?"
_CELL = re.compile(rf"^{_NUM}$")
# name = [ … ]  /  name <- [ … ]  (MATLAB, Octave, Julia, JavaScript, Python-like); the name
# starts where a word starts (tried from inside a long word it would back off over the word)
_BRACKET = re.compile(r"(?<![\w.$])(?P<name>[A-Za-z_$][\w.$]*)\s*(?:<-|:?=)\s*"
                      r"(?:(?:u?int\d+|double|single|int|float|Int\d+|Float\d+)\s*\(\s*)?\[")
# R: name <- c(…) / matrix(c(…), …) / array(c(…), …) / rbind(c(…), c(…)) / cbind(…)
_R_CALL = re.compile(r"(?<![\w.])(?:(?P<name>[A-Za-z.][\w.]*)\s*(?:<-|=)\s*|"
                     r"assign\s*\(\s*['\"](?P<assigned>[\w.]+)['\"]\s*,\s*)"
                     r"(?:as\.integer\s*\(\s*|as\.numeric\s*\(\s*)?(?P<call>c|matrix|array|rbind|cbind)\s*\(")
# R's right assignment: c(120, 3, 140) -> deaths
_R_RIGHT = re.compile(r"(?<![\w.])c\s*\((?P<body>[^()]*)\)\s*->>?\s*(?P<name>[A-Za-z.][\w.]*)")
# one entry per statement: deaths.North = 120; deaths("North") = 120; deaths['North'] <- 120;
# deaths[["North"]] <- 120 (MATLAB struct fields, R and Python-like indexed assignment)
_ENTRY = re.compile(r"^[ \t]*(?P<name>[A-Za-z_$][\w$]*)(?:\.(?P<field>[A-Za-z_]\w*)|"
                    r"[\[(]{1,2}\s*['\"](?P<key>[^'\"\n]{1,60})['\"]\s*[\])]{1,2})"
                    rf"\s*(?:<-|=)\s*(?P<v>{_NUM})\s*;?[ \t]*(?:(?:%|#|//).*)?$", re.M)
# Julia Dict("N" => 120, …); MATLAB containers.Map({'N', …}, {120, …})
_JULIA_DICT = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w.]*)\s*=\s*Dict\s*\((?P<body>[^()]*)\)")
_MATLAB_MAP = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w.]*)\s*=\s*containers\.Map\s*\(\s*"
                         r"\{(?P<keys>[^{}]*)\}\s*,\s*\{(?P<values>[^{}]*)\}")
_MAX_BODY = 20_000          # a literal longer than this is data, read by the other checks


def _closing(text: str, start: int, open_: str, close: str) -> int:
    """The index of the bracket closing the one just before ``start``; -1 if none nearby."""
    depth = 1
    end = min(len(text), start + _MAX_BODY)
    for i in range(start, end):
        ch = text[i]
        if ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _grid(body: str) -> list[list[float]] | None:
    """A MATLAB-style body as rows of numbers: rows end at ``;`` or a line break, cells are
    split by commas or spaces; ``...`` continues a line.  None unless every cell is a number
    and every row is as long."""
    body = re.sub(r"\.\.\.[^\n]*\n", " ", body)
    body = re.sub(r"(?:%|#|//)[^\n]*", "", body)        # a comment after a row
    rows = []
    for part in re.split(r"[;\n]", body):
        cells = [c for c in re.split(r"[\s,]+", part.strip()) if c]
        if not cells:
            continue
        if not all(_CELL.match(c) for c in cells):
            return None
        rows.append([float(c.rstrip("L")) for c in cells])
    if not rows or len({len(r) for r in rows}) != 1:
        return None
    return rows


def _show(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _unit(name: str, grid: list[list[float]], text: str, pos: int, units: list,
          doubts: list) -> None:
    flat = [v for r in grid for v in r]
    if len(flat) < 2:
        return
    label = name.split(".")[-1].lstrip("$") or name
    if _is_count_name(label.replace(".", "_")):
        if len(grid) == 1 or len(grid[0]) == 1:
            header = ["position", label]
            rows = [[f"[{i + 1}]", _show(v)] for i, v in enumerate(flat)]
        else:
            header = ["row"] + [f"{label} (column {j + 1})" for j in range(len(grid[0]))]
            rows = [[f"row {i + 1}"] + [_show(v) for v in r] for i, r in enumerate(grid)]
        units.append(TableUnit(rows=[header] + rows,
                               place={"line": _line(text, pos), "part": "literal",
                                      "literal": "array"}, caption="array"))
    elif len(grid) >= 2 and len(grid[0]) >= 2 and _looks_like_counts(flat) \
            and max(flat) >= 10 and any(0 < v < 10 for v in flat) and not _SETTING.search(label):
        # small and large whole numbers mixed: a frequency table's shape (A = [2 1; 1 3], a
        # program's constants, is not)
        doubts.append(({"line": _line(text, pos), "part": "literal"},
                       f"a {len(grid)}×{len(grid[0])} grid of whole numbers named {label!r} "
                       f"({', '.join(_show(v) for v in flat[:6])}…): a cross-table of counts or "
                       "program constants? A reviewer decides."))


def _r_vectors(body: str) -> list[list[float]] | None:
    """The rows of ``c(1, 2)`` or of ``rbind(c(1, 2), c(3, 4))`` (bodies without the call)."""
    inner = re.findall(r"\bc\s*\(([^()]*)\)", body)
    if not inner:
        return None
    rows = []
    for part in inner:
        cells = [c.strip() for c in part.split(",") if c.strip()]
        if not cells or not all(_CELL.match(c) for c in cells):
            return None
        rows.append([float(c.rstrip("L")) for c in cells])
    return rows if len({len(r) for r in rows}) == 1 else None


def program_arrays(text: str, doubts: list | None = None) -> list:
    """Table units for the count-named vector and matrix literals of ``text`` (any language);
    ``doubts`` receives (place, reason) of unnamed grids of whole numbers."""
    units: list = []
    found: list = []
    for m in _BRACKET.finditer(text):
        end = _closing(text, m.end(), "[", "]")
        if end < 0 or "[" in text[m.end():end]:
            continue
        grid = _grid(text[m.end():end])
        if grid is not None:
            _unit(m.group("name"), grid, text, m.start(), units, found)
    for m in _R_CALL.finditer(text):
        end = _closing(text, m.end(), "(", ")")
        if end < 0:
            continue
        body = text[m.end():end]
        if m.group("call") == "c":
            body = f"c({body})"
        rows = _r_vectors(body)
        if rows is None:
            continue
        if m.group("call") in ("matrix", "array"):
            rows = [[v for r in rows for v in r]]     # its shape is a setting; the numbers are the data
        if m.group("call") == "cbind":
            rows = [list(r) for r in zip(*rows)]
        _unit(m.group("name") or m.group("assigned"), rows, text, m.start(), units, found)
    for m in _R_RIGHT.finditer(text):
        rows = _r_vectors(f"c({m.group('body')})")
        if rows is not None:
            _unit(m.group("name"), rows, text, m.start(), units, found)
    _maps(text, units)
    if doubts is not None:
        doubts.extend(found)
    return units


def _map_unit(name: str, pairs: list[tuple[str, float]], text: str, pos: int, units: list) -> None:
    """A count-named map of labels to numbers: a frequency table, as Python's ``{"N": 3}``."""
    label = name.split(".")[-1]
    if len(pairs) >= 2 and _is_count_name(label):
        units.append(TableUnit(rows=[["category", label]] + [[k, _show(v)] for k, v in pairs],
                               place={"line": _line(text, pos), "part": "literal", "literal": "map"},
                               caption="map"))


def _maps(text: str, units: list) -> None:
    """Maps written entry by entry (struct fields, indexed assignments), as a Julia ``Dict`` or a
    MATLAB ``containers.Map``."""
    entries: dict[str, list] = {}
    for m in _ENTRY.finditer(text):
        entries.setdefault(m.group("name"), []).append(
            (m.group("field") or m.group("key"), float(m.group("v").rstrip("L")), m.start()))
    for name, items in entries.items():
        _map_unit(name, [(k, v) for k, v, _ in items], text, items[0][2], units)
    for m in _JULIA_DICT.finditer(text):
        pairs = re.findall(rf"['\"]([^'\"]+)['\"]\s*=>\s*({_NUM})", m.group("body"))
        if pairs and len(pairs) == len(m.group("body").split(",")):
            _map_unit(m.group("name"), [(k, float(v.rstrip("L"))) for k, v in pairs], text, m.start(), units)
    for m in _MATLAB_MAP.finditer(text):
        keys = re.findall(r"['\"]([^'\"]*)['\"]", m.group("keys"))
        values = [v.strip() for v in re.split(r"[,;]", m.group("values")) if v.strip()]
        if keys and len(keys) == len(values) and all(_CELL.match(v) for v in values):
            _map_unit(m.group("name"), [(k, float(v.rstrip("L"))) for k, v in zip(keys, values)],
                      text, m.start(), units)
