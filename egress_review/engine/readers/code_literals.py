"""Numbers typed into a program: a count written as a literal leaves with the code (E7).

``counts = {"A": 3, "B": 120}``, ``pd.DataFrame({"region": [...], "n": [3, 120]})``,
``rows = [("A", 3), ("B", 120)]``, ``n_deaths_a = 3``, ``ax.bar(x, [3, 120])`` or R's
``c(A = 3, B = 120)`` are tables and counts whatever the file is declared as.  They are turned
into the units the content check already reads: labelled maps and records become table units
(named by what they are assigned to, so the table rules infer their roles), a whole number
assigned to a name that says it counts persons becomes a labelled number.

Ordinary program numbers are left alone: settings (``n_jobs=2``, ``max_depth=3``,
``figsize=(6, 4)``), recoding maps (``{"M": 1, "F": 2}``, values 0/1 … k), indices and loop
bounds.  A map whose name says nothing is read only when it mixes counts under the threshold
that are not category codes, the shape of a frequency table; the table rules judge them.
"""
from __future__ import annotations

import ast
import re

from egress_review.engine.numerals import spelled_number
from egress_review.engine.readers import const_expr
from egress_review.engine.readers.model import TableUnit, TextUnit

# Names of program settings, not counts of persons (n_jobs, max_depth, top_n, figsize …).
_SETTING = re.compile(
    r"(?:^|_)(?:jobs|splits?|folds?|estimators?|components?|clusters?|bins?|iter|iters|iterations?|"
    r"neighbou?rs|init|workers?|threads?|cores?|cpus?|gpus?|rows?|cols?|columns?|digits|decimals|"
    r"top|head|tail|lags?|epochs?|batch(?:_size)?|layers?|trees?|features?|permutations?|"
    r"boot(?:straps?)?|reps?|repeats?|draws|chains|warmup|seed|state|depth|leaf|leaves|ticks?|"
    r"levels?|round|width|height|size|dpi|alpha|fontsize|lw|linewidth|markersize|figsize|pad|"
    r"ncols?|nrows?|precision|max|min|idx|index|step|start|stop|end|offset|version|port|timeout|"
    r"retries|verbose|verbosity|axis|ddof|skiprows|header|lines?|chars?|bytes|params?|config|"
    r"kwargs|opts|options|settings|style|rc|grid|hyper\w*|defaults?|colou?rs?|codes?|mapping|"
    r"map|recode|labels?|order|weights?|cutoffs?|thresholds?|limits?|scale|zorder|bbox)(?:_|$)",
    re.I)
# Names that say what they hold is a number of persons or events.
_COUNT_NAME = re.compile(
    r"(?:^|_)(?:n|ns|num|nums|counts?|cnts?|freqs?|frequenc(?:y|ies)|tally|tallies|totals?|"
    r"deaths?|cases?|patients?|persons?|people|subjects?|participants?|events?|admissions?|"
    r"births?|women|men|males?|females?|users?|visits?|decedents?|survivors?|controls?)(?:_|$)|"
    r"人數|例數|人次|件數|死亡數|個案數", re.I)
# Calls whose literal maps recode values, not count them.
_RECODE_CALLS = {"map", "replace", "astype", "rename", "set_index", "update", "get", "setdefault",
                 "figure", "subplots", "rc", "rcParams", "set", "update_layout", "Categorical"}
# Calls whose positional numbers are frequencies: bar heights, pie sizes, a Series' values
# (a line's or a scatter's coordinates are not: plt.plot([1, 2, 3], [4, 5, 6]) stays code).
_PLOT_CALLS = {"bar", "barh", "pie", "hist", "Series", "DataFrame", "barplot", "countplot"}


# Keyword names of dates, durations and coordinates (timedelta(days=3), xlim(left=0, right=10)).
_TIME_OR_PLACE = re.compile(
    r"^(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|microseconds?|milliseconds?|"
    r"left|right|bottom|top|x\w*|y\w*|z\w*|v(?:min|max)|lo|hi|low|high|lower|upper|a|b|k|p|q|"
    r"loc|pos|row|col|dx|dy|base|exp|mod|ge|gt|le|lt|eq|ne|id|seq|angle|rotation|degrees?|"
    r"spacing|radius|zoom|priority)$", re.I)
# Calls whose result is a number of rows or persons: len(x), x.sum(), x.nunique(), x.shape[0].
_COUNTING_CALLS = {"len", "sum", "count", "nunique", "size"}


def _counted(node) -> str:
    """The label of what ``node`` counts when it reads as a count of something: a count-named
    variable or attribute, ``len(x)``/``x.sum()``/``x.shape[0]``, a lookup by labels
    (``df.loc["A", "n"]``); "" otherwise."""
    if isinstance(node, ast.Name):
        return node.id if _is_count_name(node.id) else ""
    if isinstance(node, ast.Attribute):
        if node.attr == "size":
            return _dotted(node.value)
        return node.attr if _is_count_name(node.attr) else ""
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id in _COUNTING_CALLS and node.args:
            return _dotted(node.args[0]) or f.id
        if isinstance(f, ast.Attribute) and f.attr in _COUNTING_CALLS:
            return _dotted(f.value) or f.attr
        return ""
    if isinstance(node, ast.Subscript):
        labels = [x for x in _subscript_parts(node.slice) if isinstance(x, str)]
        base = node.value
        if isinstance(base, ast.Attribute) and base.attr == "shape":   # shape[0]: its rows
            return (_dotted(base.value) or "table") + " rows" if _subscript_parts(node.slice) == [0] \
                else ""
        if labels:
            return " ".join(labels)
        return _counted(base)
    return ""


def _subscript_parts(node) -> list:
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    return [p.value for p in parts if isinstance(p, ast.Constant)]


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    if isinstance(node, ast.Subscript):
        return _dotted(node.value)
    return ""


def _is_count_name(name: str) -> bool:
    return bool(name) and bool(_COUNT_NAME.search(name)) and not _SETTING.search(name)


def _count_header(name: str) -> str:
    """The column header a literal's numbers get: its name, marked as a count when the name
    does not say so (whole numbers by category in a program are frequencies)."""
    return name if _is_count_name(name) else f"{name or 'value'} (n)"


def _number(node) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _number(node.operand)
        return -v if v is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, (ast.BinOp, ast.Call, ast.Name)):   # 120 - 117, len([...]), a name bound to 3
        return const_expr.value(node)
    return None


def _label(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) \
            and not isinstance(node.value, bool):
        return str(node.value)
    return None


def _show(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def _recode(values: list[float]) -> bool:
    """0/1 … k or 1 … k, each once: category codes, not counts."""
    whole = sorted(int(v) for v in values if v == int(v))
    return len(whole) == len(values) and len(set(whole)) == len(whole) \
        and whole[-1] - whole[0] == len(whole) - 1 and whole[0] in (0, 1, -1)


def _looks_like_counts(values: list[float]) -> bool:
    """Two or more whole numbers ≥ 0, not category codes: a frequency table's shape (the table
    rules then judge them against the policy's threshold)."""
    whole = [v for v in values if v == int(v) and v >= 0]
    return len(whole) == len(values) >= 2 and any(v > 0 for v in whole) and not _recode(values)


_SIGNED_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _record_cell(node) -> str | None:
    if (n := _number(node)) is not None:
        return _show(n)
    return _label(node)


def _dict_records_rows(node) -> list[list[str]] | None:
    """Rows (header first) of a list of dicts with the same string keys and scalar values
    (``[{"region": "North", "n": 120}, …]``, what ``pd.DataFrame(records)`` takes)."""
    elts = node.elts
    if len(elts) < 2 or not all(isinstance(e, ast.Dict) and e.keys and None not in e.keys
                                for e in elts):
        return None
    keys = [_label(k) for k in elts[0].keys]
    if None in keys:
        return None
    rows = []
    for e in elts:
        if [_label(k) for k in e.keys] != keys:
            return None
        cells = [_record_cell(v) for v in e.values]
        if None in cells:
            return None
        rows.append(cells)
    return [[str(k) for k in keys]] + rows


class _Records:
    """Mixed into the finder: records written as dicts (its own method keeps _sequence short)."""

    def _dict_records(self, node, name: str) -> bool:
        rows = _dict_records_rows(node)
        if rows is None or _SETTING.search(name) or all(_SETTING.search(k) for k in rows[0]):
            return False
        numeric = [k for k in range(len(rows[0]))
                   if all(_SIGNED_NUMBER.fullmatch(r[k]) for r in rows[1:])]
        counted = any(_is_count_name(rows[0][k]) or _looks_like_counts([float(r[k]) for r in rows[1:]])
                      for k in numeric)
        if not numeric or not counted or len(numeric) == len(rows[0]):
            return False
        # a list of records by category with whole numbers is a table written record by
        # record: before, each dict was read alone and a small count left with the code
        self._table(node, rows[0], rows[1:], "records")
        return True


class _Finder(ast.NodeVisitor, _Records):
    def __init__(self):
        self.units: list = []
        # (place, reason): literals that may be counts or settings - a reviewer decides
        self.doubts: list[tuple[dict, str]] = []
        self.context: list[str] = []      # names the literal is assigned to / passed as
        self.calls: list[str] = []
        self.label_lists: list[list[str]] = []     # lists of strings: a grid's names, maybe
        self.grids: list[tuple] = []               # (node, name, grid) read once names are known

    def _name(self) -> str:
        return self.context[-1] if self.context else ""

    def _table(self, node, header: list[str], rows: list[list[str]], what: str) -> None:
        self.units.append(TableUnit(rows=[header] + rows,
                                    place={"line": node.lineno, "part": "literal", "literal": what},
                                    caption=what))

    def _visit_with(self, name: str, node) -> None:
        self.context.append(name)
        self.visit(node)
        self.context.pop()

    def visit_Assign(self, node):
        target = node.targets[0]
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                and len(target.elts) == len(node.value.elts):
            # deaths_north, deaths_lanyu = 120, 3: each name its number (round 13: passed)
            for t, v in zip(target.elts, node.value.elts):
                self.visit_Assign(ast.Assign(targets=[t], value=v, lineno=node.lineno))
            return
        name = target.id if isinstance(target, ast.Name) else \
            target.attr if isinstance(target, ast.Attribute) else \
            _label(target.slice) or "" if isinstance(target, ast.Subscript) else ""
        v = _number(node.value)
        # a counter set to 0 is an initialisation, not a result
        if v and _is_count_name(name) and name.lower() not in ("n", "count", "total"):
            self.units.append(TextUnit(f"{name} (n): {_show(v)}",
                                       {"line": node.lineno, "part": "literal", "labelled": True}))
        self._visit_with(name, node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None and isinstance(node.target, ast.Name):
            self.visit_Assign(ast.Assign(targets=[node.target], value=node.value,
                                         lineno=node.lineno))

    def _doubt(self, node, what: str, keys, nums) -> None:
        shown = ", ".join(f"{k}: {_show(n)}" for k, n in list(zip(keys, nums))[:4])
        self.doubts.append(({"line": node.lineno, "part": "literal"},
                            f"{what} holds whole numbers by category ({shown}): program "
                            "settings or counts of persons? A reviewer decides."))

    def _named_numbers(self, node, what: str, names: list[str], values: list) -> None:
        """Keyword arguments or defaults (f(north=3, south=120)): counts when the names are
        not settings and the numbers have a frequency table's shape."""
        nums = [_number(v) for v in values]
        pairs = [(k, n) for k, n in zip(names, nums) if k and n is not None]
        if len(pairs) < 2 or any(_SETTING.search(k) or _TIME_OR_PLACE.search(k) for k, _ in pairs):
            return
        ks, ns = [k for k, _ in pairs], [n for _, n in pairs]
        if _looks_like_counts(ns):
            self._doubt(node, what, ks, ns)

    def visit_FunctionDef(self, node):
        a = node.args
        pos = a.posonlyargs + a.args
        names = [x.arg for x in pos[len(pos) - len(a.defaults):]] + [x.arg for x in a.kwonlyargs]
        values = list(a.defaults) + [d for d in a.kw_defaults]
        self._named_numbers(node, f"the defaults of {node.name}()",
                            [n for n, v in zip(names, values) if v is not None],
                            [v for v in values if v is not None])
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Compare(self, node):
        """``assert len(cohort_a) == 3``, ``df.loc["A", "n"] == 3``: a program that checks a
        result states it."""
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            for side, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
                v = _number(other)
                label = _counted(side)
                if v is not None and v == int(v) and v >= 1 and label:
                    self.units.append(TextUnit(f"{label} (n): {_show(v)}",
                                               {"line": node.lineno, "part": "literal",
                                                "labelled": True}))
                    break
        self.generic_visit(node)

    def visit_Call(self, node):
        f = node.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if fname in _RECODE_CALLS:
            return                    # recoding and layout arguments, not counts
        if self._format_call(node, fname):
            return
        self.calls.append(fname)
        # Counter(North=120, South=3) counts by its own meaning; dict(…)/OrderedDict(…) is a map
        if fname in ("dict", "Counter", "OrderedDict") and node.keywords and not node.args:
            self._map(node, [k.arg or "" for k in node.keywords], [k.value for k in node.keywords])
        else:
            self._named_numbers(node, f"the arguments of {fname or 'a call'}()",
                                [k.arg or "" for k in node.keywords], [k.value for k in node.keywords])
            for a in node.args:
                self._visit_with(self._name() if fname in ("array", "dict") else fname, a)
            for k in node.keywords:
                self._visit_with(k.arg or "", k.value)
        self.calls.pop()

    def _words(self, node, text: str) -> None:
        """A string the program builds from literals ("%d patients" % 3, f"{3} patients"),
        read when it states a count (a score or a setting printed this way is not one)."""
        from egress_review.engine.prose import COUNT_HINT

        if COUNT_HINT.search(text):
            self.units.append(TextUnit(text, {"line": node.lineno, "part": "formatted string"}))

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str):
            args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            vals = [v.value for v in args if isinstance(v, ast.Constant)]
            if len(vals) == len(args) and any(_number(v) is not None for v in args):
                try:
                    self._words(node, node.left.value % tuple(vals))
                except (TypeError, ValueError):
                    pass
        self.generic_visit(node)

    def visit_JoinedStr(self, node):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and _number(v.value) is not None:
                parts.append(_show(_number(v.value)))
            else:
                parts.append(" … ")       # a value the program computes: not a literal
        if any(isinstance(v, ast.FormattedValue) and _number(v.value) is not None
               for v in node.values):
            self._words(node, "".join(parts))
        self.generic_visit(node)

    def _format_call(self, node, fname: str) -> bool:
        f = node.func
        if fname == "format" and isinstance(f, ast.Attribute) and isinstance(f.value, ast.Constant) \
                and isinstance(f.value.value, str) and node.args \
                and any(_number(a) is not None for a in node.args) \
                and all(isinstance(a, ast.Constant) for a in node.args):
            try:
                self._words(node, f.value.value.format(*[a.value for a in node.args]))
            except (IndexError, KeyError, ValueError):
                pass
            return True
        return False

    def visit_Dict(self, node):
        if any(k is None for k in node.keys):
            return self.generic_visit(node)
        self._map(node, [_label(k) for k in node.keys], node.values)

    def _map(self, node, keys, values) -> None:
        name = self._name()
        if any(k is None for k in keys):
            return self.generic_visit(node)
        nums = [_number(v) for v in values]
        if not _SETTING.search(name) and all(n is None for n in nums):
            # a count-named map of numbers written as strings ({"South": "3"}) is still counts;
            # so is any map of numbers spelled in words ({"South": "three"}, 「三」): no
            # setting or code is written so
            as_text = [v.value.strip() if isinstance(v, ast.Constant) and isinstance(v.value, str)
                       else "" for v in values]
            spelled = [None if _PLAIN_NUMBER.fullmatch(t) else spelled_number(t)
                       for t in as_text]
            if as_text and _is_count_name(name) and all(_PLAIN_NUMBER.fullmatch(t)
                                                        or sp is not None
                                                        for t, sp in zip(as_text, spelled)):
                nums = [float(t) if sp is None else sp for t, sp in zip(as_text, spelled)]
            elif as_text and all(sp is not None for sp in spelled):
                nums = [float(sp) for sp in spelled]
            values = [ast.Constant(value=n) for n in nums] if all(n is not None for n in nums) \
                else values
        if _SETTING.search(name):
            # a setting's name is the writer's word, not proof: a map of whole numbers by
            # category under it has a frequency table's shape all the same
            if keys and all(n is not None for n in nums) and _looks_like_counts(nums) \
                    and not all(_SETTING.search(str(k)) for k in keys):
                self._doubt(node, f"the map {name!r}", keys, nums)
            return self.generic_visit(node)
        if keys and all(n is not None for n in nums):
            if all(_SETTING.search(str(k)) for k in keys) or _recode(nums):
                return
            if _is_count_name(name) or _looks_like_counts(nums):
                self._table(node, ["category", _count_header(name)],
                            [[str(k), _show(n)] for k, n in zip(keys, nums)], "map")
            return
        # a map of equal columns (pd.DataFrame({"region": [...], "n": [...]}))
        cols = [v.elts if isinstance(v, (ast.List, ast.Tuple)) else None for v in values]
        if keys and all(c is not None for c in cols) and len({len(c) for c in cols}) == 1 \
                and len(cols[0]) >= 1 and any(all(_number(e) is not None for e in c) for c in cols):
            cells = [[(_show(n) if (n := _number(e)) is not None else _label(e) or "")
                      for e in c] for c in cols]
            self._table(node, [str(k) for k in keys], [list(r) for r in zip(*cells)], "columns")
            return
        for k, v in zip(keys, values):
            self._visit_with(str(k), v)

    def visit_List(self, node):
        self._sequence(node)

    def visit_Tuple(self, node):
        self._sequence(node)

    def _sequence(self, node) -> None:
        name = self._name()
        elts = node.elts
        nums = [_number(e) for e in elts]
        if elts and all(n is not None for n in nums):
            plotted = name in _PLOT_CALLS
            if (_is_count_name(name) or plotted and _looks_like_counts(nums)) \
                    and not _recode(nums):
                self._table(node, ["position", _count_header(name)], [[f"[{i}]", _show(n)]
                                                       for i, n in enumerate(nums)], "list")
            return
        if self._dict_records(node, name):
            return
        # records: [("A", 3), ("B", 120)]
        recs = [e.elts for e in elts if isinstance(e, (ast.List, ast.Tuple))]
        grid = [[_number(x) for x in r] for r in recs]
        if len(recs) == len(elts) >= 2 and len({len(r) for r in recs}) == 1 and len(recs[0]) >= 2 \
                and all(v is not None for r in grid for v in r):
            flat = [v for r in grid for v in r]
            if _looks_like_counts(flat) and max(flat) > 1:   # a cross-table's shape
                if _is_count_name(name):
                    # its columns carry the count name: "column 1" said nothing and the
                    # cells went to a reviewer as numbers of no known role
                    self._table(node, ["row"] + [f"{name} (column {j + 1})" for j in range(len(grid[0]))],
                                [[f"row {i + 1}"] + [_show(v) for v in r] for i, r in enumerate(grid)],
                                "matrix")
                else:
                    self.grids.append((node, name, grid))     # its names may come later
            return
        if len(elts) >= 2 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elts):
            self.label_lists.append([e.value for e in elts])
        if len(recs) == len(elts) >= 2 and len({len(r) for r in recs}) == 1 and len(recs[0]) >= 2:
            cells = [[(_show(n) if (n := _number(e)) is not None else _label(e)) for e in r]
                     for r in recs]
            if all(c is not None for r in cells for c in r):
                numeric = [all(_number(r[i]) is not None for r in recs) for i in range(len(recs[0]))]
                if any(numeric) and not all(numeric):
                    header = [_count_header(name) if num else f"category {i + 1}"
                              for i, num in enumerate(numeric)]
                    col = [float(r[numeric.index(True)]) for r in cells]
                    if _is_count_name(name) or _looks_like_counts(col):
                        self._table(node, header, cells, "records")
                    return
        for e in elts:
            self.visit(e)


def grid_names_count(name: str, rows: list | None, cols: list | None) -> bool:
    """Names found elsewhere make a grid a cross-table of counts only when the grid counts by
    its own name or half its names are categories (regions, sexes, arms, bands, periods, places):
    any strings of the right length are not enough (round 13: ``layers = ['conv', 'pool',
    'dense']`` beside a kernel grid blocked as counts)."""
    from egress_review.engine.unit_tables import _category_header

    return _is_count_name(name) or any(     # half of them: a place of its own ('Lanyu') beside one
        x and 2 * sum(_category_header(str(v)) for v in x) >= len(x) for x in (rows, cols))


def _named_grid(finder: _Finder, node, name: str, grid: list[list[float]]) -> None:
    """A grid of whole numbers whose row or column names the file gives elsewhere (``rows =
    ['North', 'South']`` beside ``np.array([[120, 3], [40, 52]])``, or ``index=``/``columns=`` of
    its frame) is a cross-table of counts; without names a reviewer decides what it is."""
    n_rows, n_cols = len(grid), len(grid[0])
    rows = next((x for x in reversed(finder.label_lists) if len(x) == n_rows), None)
    cols = next((x for x in reversed(finder.label_lists) if len(x) == n_cols and x is not rows), None)
    if (rows is not None or cols is not None) and not grid_names_count(name, rows, cols):
        rows = cols = None
    if rows is None and cols is None:
        flat = [v for r in grid for v in r]
        finder.doubts.append(({"line": node.lineno, "part": "literal"},
                              f"a {n_rows}×{n_cols} grid of whole numbers "
                              f"({', '.join(_show(v) for v in flat[:6])}…): a cross-table "
                              "of counts or program constants? A reviewer decides."))
        return
    rows = rows or [f"row {i + 1}" for i in range(n_rows)]
    cols = cols or [f"column {j + 1}" for j in range(n_cols)]
    finder._table(node, ["row"] + [f"{c} (n)" for c in cols],
                  [[r] + [_show(v) for v in vals] for r, vals in zip(rows, grid)], "matrix")


def python_literals(text: str, doubts: list | None = None) -> list:
    """Units for the counts typed into Python ``text``; [] when it does not parse (IPython
    magics, a fragment): the other checks still read it.  ``doubts`` receives (place, reason)
    of literals that may be counts or settings, for a reviewer."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        cleaned = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                            for ln in text.split("\n"))
        try:
            tree = ast.parse(cleaned)
        except (SyntaxError, ValueError):
            return []
    finder = _Finder()
    token = const_expr.with_names(const_expr.bound_names(tree))   # x = 3; deaths_lanyu = x
    try:
        finder.visit(tree)
        for node, name, grid in finder.grids:
            _named_grid(finder, node, name, grid)
    finally:
        const_expr.forget_names(token)
    if doubts is not None:
        doubts.extend(finder.doubts)
    return finder.units


# the name starts where a word starts: tried from inside a long word it backed off over the
# whole word at each place (20 000 letters: 5 s)
# (R's integers carry an L: c(A = 3L))
_R_V = r"-?\d+(?:\.\d+)?L?(?:\s*(?:[-+*/]|%/%|%%)\s*\d+(?:\.\d+)?L?)*"    # 3, 3L, 126 - 123
_R_VECTOR = re.compile(r"(?:(?<![\w.])(?P<name>[\w.]+)\s*(?:<-|=)\s*)?(?<![\w.])(?:c|list)\(\s*(?P<body>(?:[\w.`'\"]+\s*=\s*"
                       + _R_V + r"\s*,\s*)+[\w.`'\"]+\s*=\s*" + _R_V + r")\s*\)")
_R_SCALAR = re.compile(r"^\s*(?P<name>[A-Za-z][\w.]*)\s*(?:<-|=)\s*(?P<v>[^#\n]+?)\s*(?:#.*)?$", re.M)


# the same vector with its names given apart: setNames(c(120, 3), c("A", "B")),
# structure(c(120L, 3L), names = c("A", "B")) (before, only c(A = 3) was read)
_R_NUMS = r"-?\d+(?:\.\d+)?L?(?:\s*,\s*-?\d+(?:\.\d+)?L?)+"
_R_SET_NAMES = re.compile(r"(?:(?<![\w.])(?P<name>[\w.]+)\s*(?:<-|=)\s*)?(?<![\w.])(?:stats::)?"
                          r"(?:setNames|structure)\(\s*c\(\s*(?P<nums>" + _R_NUMS + r")\s*\)\s*,\s*"
                          r"(?:(?:\.Names|names|nm)\s*=\s*)?c\(\s*(?P<keys>[^()]*)\)")


_R_LIST = re.compile(r"(?<![\w.])list\(")
# option names R's fitting and plotting calls take in a list()
_R_OPTION = re.compile(r"^(?:maxit|trace|reltol|abstol|nthreads?|nrounds|eta|verbose|tol|"
                       r"epsilon|REPORT|fnscale|parscale|ndeps|B|R|nboot|k|df|mc\.cores)$")


def _r_named_vectors(text: str):
    """(match, name, keys, numbers) of each named vector in R ``text``, however the names are given."""
    for m in _R_VECTOR.finditer(text):
        pairs = [p.split("=") for p in m.group("body").split(",")]
        nums = [const_expr.r_value(v) for _, v in pairs]
        if None not in nums:
            yield m, m.group("name"), [k.strip().strip("`'\"") for k, _ in pairs], nums
    for m in _R_SET_NAMES.finditer(text):
        keys = [k.strip().strip("`'\"") for k in m.group("keys").split(",")]
        nums = [float(v.strip().rstrip("L")) for v in m.group("nums").split(",")]
        if len(keys) == len(nums):
            yield m, m.group("name"), keys, nums


def r_literals(text: str) -> list:
    """Named vectors (``c(A = 3, B = 120)``, ``list(…)``, ``setNames``/``structure``) and
    count-named numbers (``n_deaths <- 3``) in R."""
    units: list = []
    for m, name, keys, nums in _r_named_vectors(text):
        name = (name or "").replace(".", "_")
        if _R_LIST.search(m.group(0)) \
                and any(_SETTING.search(k.replace(".", "_")) or _R_OPTION.match(k) for k in keys):
            continue                  # an options list (control = list(maxit = 100, trace = 1))
        if _SETTING.search(name) or _recode(nums):
            continue
        if _is_count_name(name) or _looks_like_counts(nums):
            units.append(TableUnit(rows=[["category", _count_header(name)]] + [[k, _show(v)] for k, v in zip(keys, nums)],
                                   place={"line": text.count("\n", 0, m.start()) + 1, "part": "literal",
                                          "literal": "map"}, caption="map"))
    earlier: dict = {}                 # x <- 3 then deaths_lanyu <- x (round 14)
    for m in _R_SCALAR.finditer(text):
        name = m.group("name").replace(".", "_")
        v = const_expr.r_value(m.group("v"), earlier)
        earlier.pop(m.group("name"), None) if v is None else earlier.__setitem__(m.group("name"), v)
        if _is_count_name(name) and name.lower() not in ("n", "count", "total") and v:
            units.append(TextUnit(f"{name} (n): {_show(v)}",
                                  {"line": text.count("\n", 0, m.start()) + 1, "part": "literal",
                                   "labelled": True}))
    return units
