"""R tables built from literals by shape calls (E2/E7): ``rbind(c(North = 120), c(South = 3))``,
``cbind(North = 120, South = 3)``, ``rbind(North = c(120, 44), South = c(3, 52))``,
``matrix(c(…), nrow = 2, dimnames = list(c(…), c(…)))`` and ``array(c(…), dim = c(2, 2),
dimnames = …)``, the names of a matrix given apart (``dimnames(m) <- list(…)``,
``rownames(m) <- c(…)``, ``colnames(m) <- c(…)``).  Each one-element vector alone, or a
vector without its names, said nothing the table rules could judge: the small count left with
the code.  Each becomes a table unit (labels → numbers) whose numbers are marked as counts when
their name says so or they have a frequency table's shape; category codes and settings stay code.
"""
from __future__ import annotations

import re

from egress_review.engine.readers.code_literals import (_SETTING, _count_header, _is_count_name,
                                                        _looks_like_counts, _recode, _show)
from egress_review.engine.readers.data_statements import _top_level_args
from egress_review.engine.readers.lookups import _calls, _target
from egress_review.engine.readers.model import TableUnit

_SHAPE_CALL = re.compile(r"(?<![\w.])(rbind|cbind|matrix|array)\s*\(")
_NUM = re.compile(r"^-?\d+(?:\.\d+)?L?$")
_NAMED = re.compile(r"^[`'\"]?([^`'\"=()]{1,60}?)[`'\"]?\s*=\s*(.+)$", re.S)
_VECTOR = re.compile(r"^c\s*\((.*)\)$", re.S)
_NAMES_SET = re.compile(r"(?<![\w.])(dimnames|rownames|colnames)\s*\(\s*([A-Za-z.][\w.]*)\s*\)\s*<-\s*")
_MAX_CELLS = 10_000


def _vector(arg: str) -> list[tuple[str, str]] | None:
    """(name, number) of each element of ``c(…)`` or a lone number; "" where unnamed; None
    when an element is no number."""
    a = arg.strip()
    m = _VECTOR.match(a)
    parts = _top_level_args(m.group(1)) if m else [a]
    out = []
    for p in parts:
        named = _NAMED.match(p.strip())
        key, value = (named.group(1).strip(), named.group(2).strip()) if named else ("", p.strip())
        if not _NUM.match(value):
            return None
        out.append((key, _show(float(value.rstrip("L")))))
    return out or None


def _strings(arg: str) -> list[str] | None:
    """The labels of ``c("a", "b")`` (or one quoted label); None otherwise."""
    m = _VECTOR.match(arg.strip())
    parts = _top_level_args(m.group(1)) if m else [arg.strip()]
    labels = [p.strip().strip("`'\"") for p in parts]
    return labels if parts and all(p.strip()[:1] in "'\"`" for p in parts) else None


def _dimnames(arg: str) -> tuple[str, list[str] | None, str, list[str] | None] | None:
    """(row variable, row names, column variable, column names) of ``list(c(…), c(…))`` or
    ``list(region = c(…), sex = c(…))`` (NULL for a side without names)."""
    m = re.match(r"^list\s*\((.*)\)$", arg.strip(), re.S)
    if not m:
        return None
    sides = _top_level_args(m.group(1))
    if len(sides) != 2:
        return None
    out = []
    for s in sides:
        named = _NAMED.match(s.strip()) if not s.strip().startswith(("c(", "c (")) else None
        var, body = (named.group(1).strip(), named.group(2)) if named else ("", s)
        out += [var, None if body.strip() == "NULL" else _strings(body)]
    return tuple(out)


def _unit(text: str, pos: int, name: str, header: list[str], rows: list[list[str]], what: str):
    nums = [float(c) for r in rows for c in r[1:]]
    if len(nums) < 2 or _SETTING.search(name) or _recode(nums) \
            or not (_is_count_name(name) or _looks_like_counts(nums)):
        return None
    return TableUnit(rows=[header] + rows, place={"line": text.count("\n", 0, pos) + 1,
                                                  "part": "literal", "literal": what}, caption=what)


def _bound(args: list[str], by_row: bool, name: str):
    """header and rows of rbind/cbind of literal vectors, or None."""
    vectors = []
    for a in args:
        named = _NAMED.match(a.strip()) if not _VECTOR.match(a.strip()) else None
        if named and named.group(1).strip() in ("deparse.level", "stringsAsFactors", "make.row.names"):
            continue
        label, body = (named.group(1).strip(), named.group(2)) if named else ("", a)
        v = _vector(body)
        if v is None:
            return None
        vectors.append((label, v))
    if len(vectors) < 2 and not (vectors and len(vectors[0][1]) >= 2):
        return None
    if all(len(v) == 1 for _, v in vectors):
        # one number each: rbind(c(North = 120), c(South = 3)) is a one-column table
        rows = [[label or v[0][0] or f"[{i + 1}]", v[0][1]] for i, (label, v) in enumerate(vectors)]
        return ["category", _count_header(name)], rows
    width = {len(v) for _, v in vectors}
    if len(width) != 1:
        return None
    keys = [k or f"column {j + 1}" for j, (k, _) in enumerate(vectors[0][1])]
    labels = [label or f"[{i + 1}]" for i, (label, _) in enumerate(vectors)]
    cells = [[x for _, x in v] for _, v in vectors]
    if not by_row:        # cbind: each vector is a column, its elements the rows
        keys, labels, cells = labels, keys, [list(r) for r in zip(*cells)]
    return ["category"] + [k if _is_count_name(k) else f"{k} (n)" for k in keys], \
        [[lab] + r for lab, r in zip(labels, cells)]


def _filled(args: list[str], what: str) -> tuple[list[float], int, int, bool, tuple | None] | None:
    """(numbers, rows, columns, by row, dimnames) of matrix(…)/array(…) of literal numbers."""
    data, nrow, ncol, byrow, dims = None, None, None, False, None
    for k, a in enumerate(args):
        named = _NAMED.match(a.strip()) if not _VECTOR.match(a.strip()) else None
        key, body = (named.group(1).strip(), named.group(2).strip()) if named else ("", a.strip())
        if key in ("", "data") and data is None and k == 0 or key == "data":
            data = _vector(body)
        elif key == "nrow" or key == "" and k == 1 and what == "matrix":
            nrow = int(body) if body.isdigit() else None
        elif key == "ncol" or key == "" and k == 2 and what == "matrix":
            ncol = int(body) if body.isdigit() else None
        elif key == "byrow":
            byrow = body in ("TRUE", "T")
        elif key == "dim" or key == "" and k == 1 and what == "array":
            d = _vector(body)
            if d and len(d) == 2:
                nrow, ncol = int(float(d[0][1])), int(float(d[1][1]))
        elif key == "dimnames":
            dims = _dimnames(body)
    if not data or len(data) > _MAX_CELLS:
        return None
    n = len(data)
    if dims and nrow is None and dims[1]:
        nrow = len(dims[1])
    if dims and ncol is None and dims[3]:
        ncol = len(dims[3])
    nrow = nrow or (n // ncol if ncol else None)
    ncol = ncol or (n // nrow if nrow else None)
    if not nrow or not ncol or nrow * ncol != n:
        return None
    return [float(x) for _, x in data], nrow, ncol, byrow, dims


def _grid_table(nums, nrow, ncol, byrow, dims, name):
    at = (lambda i, j: nums[i * ncol + j]) if byrow else (lambda i, j: nums[j * nrow + i])
    rvar, rnames, cvar, cnames = dims or ("", None, "", None)
    rnames = rnames if rnames and len(rnames) == nrow else [f"row {i + 1}" for i in range(nrow)]
    cnames = cnames if cnames and len(cnames) == ncol else [f"column {j + 1}" for j in range(ncol)]
    head = [rvar or "row"] + [c if _is_count_name(name) and not cvar else f"{cvar + ' ' if cvar else ''}{c} (n)"
                              for c in cnames]
    return head, [[rnames[i]] + [_show(at(i, j)) for j in range(ncol)] for i in range(nrow)]


def _names_given_apart(text: str) -> dict[str, tuple]:
    """name -> dimnames set after the matrix was made (dimnames(m) <- list(…), rownames(m) <- …)."""
    given: dict[str, list] = {}
    for m in _NAMES_SET.finditer(text):
        end = m.end()
        body = text[end:text.find("\n", end) if "\n" in text[end:] else len(text)].strip().rstrip(";")
        cur = given.setdefault(m.group(2), ["", None, "", None])
        if m.group(1) == "dimnames" and (d := _dimnames(body)):
            given[m.group(2)] = list(d)
        elif m.group(1) == "rownames":
            cur[1] = _strings(body)
        else:
            cur[3] = _strings(body)
    return {k: tuple(v) for k, v in given.items()}


def r_shapes(text: str) -> list:
    if not _SHAPE_CALL.search(text):
        return []
    units, apart = [], None
    for pos, call, body in _calls(text, _SHAPE_CALL):
        name = _target(text, pos).replace(".", "_")
        args = _top_level_args(body)
        if call in ("rbind", "cbind"):
            shaped = _bound(args, call == "rbind", name)
            if shaped and (unit := _unit(text, pos, name, shaped[0], shaped[1], call)):
                units.append(unit)
            continue
        filled = _filled(args, call)
        if filled is None:
            continue
        nums, nrow, ncol, byrow, dims = filled
        if dims is None:
            apart = _names_given_apart(text) if apart is None else apart
            dims = apart.get(_target(text, pos))
        if dims is None and (nrow == 1 or ncol == 1):
            continue          # a vector without names: program_arrays reads it
        head, rows = _grid_table(nums, nrow, ncol, byrow, dims, name)
        if dims is None and not _is_count_name(name):
            continue          # an unnamed grid: program_arrays holds it for a reviewer
        if (unit := _unit(text, pos, name, head, rows, call)):
            units.append(unit)
    return units
