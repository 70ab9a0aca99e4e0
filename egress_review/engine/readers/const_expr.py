"""A number a program writes as arithmetic on literals (E2, round 13).

``deaths_lanyu = 120 - 117``, ``{"Lanyu": 123 - 120}``, ``int("3")``, ``len(["a", "b", "c"])``,
``sum([1, 1, 1])``, R ``deaths_lanyu <- 120 - 117`` passed: the literal readers took only a
bare number, so a count built this way had no value any check saw.  The expression is
evaluated here - never run: only numbers, strings and lists written in the file, the four
operations, ``//``, ``%``, small powers and a few pure built-ins - and the count is judged like a
literal one.  Anything else (a name, another call) is no constant: ``None``.
"""
from __future__ import annotations

import ast
import math
import operator
import re

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_MAX = 1e15               # beyond any count; keeps a crafted expression cheap
_MAX_NODES = 200


def value(node: ast.AST) -> float | None:
    """The number a constant expression stands for, or None."""
    if sum(1 for _ in ast.walk(node)) > _MAX_NODES:
        return None
    try:
        v = _eval(node)
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
            or abs(v) > _MAX:
        return None
    return float(v)


def _eval(node):
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return int(node.value)          # True + True + True is 3
        if isinstance(node.value, (int, float, str)):
            return node.value
        raise ValueError
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _num(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            a, b = _num(node.left), _num(node.right)
            if abs(b) > 64 or abs(a) > 1e6:
                raise ValueError
            return _bounded(a ** b)
        op = _OPS.get(type(node.op))
        if op is None:
            raise ValueError
        return _bounded(op(_num(node.left), _num(node.right)))
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [_eval(e) for e in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_c" \
            and not node.keywords:
        return [_eval(a) for a in node.args]          # R's c(…), see r_value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords \
            and len(node.args) == 1:
        arg = _eval(node.args[0])
        f = node.func.id
        if f == "ord" and isinstance(arg, str) and len(arg) == 1:
            return ord(arg)
        if f in ("int", "float") and isinstance(arg, (int, float, str)):
            return int(str(arg).strip()) if f == "int" and isinstance(arg, str) else \
                (int(arg) if f == "int" else float(arg))
        if f in ("round", "abs") and isinstance(arg, (int, float)):
            return round(arg) if f == "round" else abs(arg)
        if f == "len" and isinstance(arg, (list, str)):
            return len(arg)
        if f == "sum" and isinstance(arg, list) and all(_is_num(x) for x in arg):
            return sum(arg)
    raise ValueError


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num(node):
    v = _eval(node)
    if not _is_num(v):
        raise ValueError
    return v


def _bounded(v):
    if abs(v) > _MAX:
        raise OverflowError
    return v


# R: numbers, + - * / %/% %%, c(…), as.integer/as.numeric, length, sum, round, abs - written
# as the Python the evaluator reads (nothing else is accepted)
_R_CALLS = {"as.integer": "int", "as.numeric": "float", "as.double": "float", "length": "len",
            "sum": "sum", "round": "round", "abs": "abs", "c": "_c"}
_R_WORD = re.compile(r"[A-Za-z_.][\w.]*")


def r_value(text: str) -> float | None:
    """The number an R right-hand side of literals stands for (``120 - 117``, ``length(c('a',
    'b'))``, ``as.integer('3')``), or None."""
    t = text.strip()
    if not t or len(t) > 200 or "[" in t or "{" in t:
        return None
    t = re.sub(r"(?<=\d)L\b", "", t).replace("%/%", "//").replace("%%", "%")
    strings = re.findall(r"'[^'\\]*'|\"[^\"\\]*\"", t)
    bare = re.sub(r"'[^'\\]*'|\"[^\"\\]*\"", "''", t)
    for w in _R_WORD.findall(bare):
        if w not in _R_CALLS and not re.fullmatch(r"\d[\d.]*|\.\d+|e\d*", w, re.I):
            return None
    py = _R_WORD.sub(lambda m: _R_CALLS.get(m.group(), m.group()), bare)
    for s in strings:                      # the strings back, unchanged
        py = py.replace("''", s, 1)
    try:
        return value(ast.parse(py, mode="eval").body)
    except SyntaxError:
        return None
