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
import contextvars
import math
import operator
import re
from fractions import Fraction

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_MAX = 1e15               # beyond any count; keeps a crafted expression cheap
_MAX_NODES = 200
# Names bound earlier in the file (round 14: ``x = 3`` then ``deaths_lanyu = x`` passed): for
# each name its bindings as (line, value or None when not a constant), set by ``bound_names``.
_NAMES: contextvars.ContextVar[dict] = contextvars.ContextVar("const_names", default={})
# Calls that only re-type a number (round 14: ``Fraction(6, 2)``, ``np.int64(3)`` passed):
# the last part of their dotted name.
_RETYPE = {"Fraction", "Decimal", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "float16", "float32", "float64", "intc", "int_", "float_", "double",
           "floor", "ceil", "trunc", "integer", "numeric"}


def value(node: ast.AST) -> float | None:
    """The number a constant expression stands for, or None."""
    if sum(1 for _ in ast.walk(node)) > _MAX_NODES:
        return None
    try:
        v = _eval(node)
    except (ArithmeticError, ValueError, TypeError, OverflowError, RecursionError):
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
            or abs(v) > _MAX:
        return None
    return float(v)


def _lookup(node: ast.Name):
    """The value a name was last given before its line, when that was a constant."""
    here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    earlier = [(at, v) for at, v in earlier_values(_NAMES.get()).get(node.id, ()) if at < here]
    if not earlier or earlier[-1][1] is None:
        raise ValueError
    return earlier[-1][1]


def earlier_values(names: dict) -> dict:
    """The bindings of earlier names a constant may read (the one place both languages ask)."""
    return names


def _call_name(f) -> str:
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _retype(node: ast.Call):
    """Fraction(6, 2), Fraction("6/2"), Decimal("3"), np.int64(3), math.floor(3.2)."""
    args = [_eval(a) for a in node.args]
    f = _call_name(node.func)
    if f == "Fraction" and len(args) in (1, 2) and all(isinstance(a, (int, float, str)) for a in args):
        v = Fraction(*[a.strip() if isinstance(a, str) else a for a in args])
        return int(v) if v.denominator == 1 else float(v)
    if len(args) != 1 or not isinstance(args[0], (int, float, str)):
        raise ValueError
    v = float(args[0]) if isinstance(args[0], str) else args[0]
    if f in ("floor", "ceil", "trunc"):
        return {"floor": math.floor, "ceil": math.ceil, "trunc": math.trunc}[f](v)
    return int(v) if f.startswith(("int", "uint")) or f == "integer" else v


def _eval(node):
    if isinstance(node, ast.Name) and node.id != "_c":
        return _lookup(node)
    if isinstance(node, ast.Call) and not node.keywords and _call_name(node.func) in _RETYPE:
        return _retype(node)
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


def r_value(text: str, names: dict | None = None) -> float | None:
    """The number an R right-hand side of literals stands for (``120 - 117``, ``length(c('a',
    'b'))``, ``as.integer('3')``), or None; ``names`` holds numbers bound earlier (``x <- 3``)."""
    t = text.strip()
    if not t or len(t) > 200 or "[" in t or "{" in t:
        return None
    t = re.sub(r"(?<=\d)L\b", "", t).replace("%/%", "//").replace("%%", "%")
    strings = re.findall(r"'[^'\\]*'|\"[^\"\\]*\"", t)
    bare = re.sub(r"'[^'\\]*'|\"[^\"\\]*\"", "''", t)
    names = earlier_values(names or {})
    for w in _R_WORD.findall(bare):
        if w not in _R_CALLS and w not in names and not re.fullmatch(r"\d[\d.]*|\.\d+|e\d*", w, re.I):
            return None
    py = _R_WORD.sub(lambda m: _R_CALLS.get(m.group()) or
                     (repr(names[m.group()]) if m.group() in names else m.group()), bare)
    for s in strings:                      # the strings back, unchanged
        py = py.replace("''", s, 1)
    try:
        return value(ast.parse(py, mode="eval").body)
    except SyntaxError:
        return None


def bound_names(tree: ast.AST) -> dict:
    """Each name's bindings in ``tree`` in line order: the constant a plain assignment gives it
    (``x = 3``, ``a, b = 120, 3``, ``x: int = 3``; chains ``y = x - 1`` read through the earlier
    ones), None for any other binding (a loop, a call's result, ``x += 1``), so a name is a
    constant only where its last binding before the use was one."""
    names: dict[str, list] = {}
    token = _NAMES.set(names)
    try:
        stmts = sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign,
                                                                    ast.AugAssign, ast.For,
                                                                    ast.With, ast.NamedExpr))),
                       key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        for st in stmts:
            pairs = []
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                t, v = st.targets[0], st.value
                if isinstance(t, ast.Tuple) and isinstance(v, ast.Tuple) and len(t.elts) == len(v.elts):
                    pairs = list(zip(t.elts, v.elts))
                else:
                    pairs = [(t, v)]
            elif isinstance(st, (ast.AnnAssign, ast.NamedExpr)) and st.value is not None:
                pairs = [(st.target, st.value)]
            for t, v in pairs:
                if isinstance(t, ast.Name):
                    val = value(v)
                    names.setdefault(t.id, []).append(((st.lineno, st.col_offset), val))
            # every other binding of a name: unknown from here on
            done = {id(t) for t, _ in pairs}
            for n in ast.walk(st):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in done:
                    names.setdefault(n.id, []).append(((st.lineno, st.col_offset), None))
    finally:
        _NAMES.reset(token)
    return names


def with_names(names: dict):
    """Evaluate with these bindings (a context token; ``_NAMES.reset`` it afterwards)."""
    return _NAMES.set(names)


def forget_names(token) -> None:
    _NAMES.reset(token)
