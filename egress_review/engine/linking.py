"""Which count tables a reader would put side by side: linking by data, not by declaration.

Every count column of every table of the request and of the case's release history is a
*series* (a crosstab's category columns and their total together are one series).  Grouping
variables are matched across tables by name, by their set of categories, or by categories that
band the same variable otherwise (:mod:`category_sets`), so renaming a column or re-banding it
does not unlink two tables.  Two series that share a grouping variable are compared on
their common margins:
- equal wherever both are known, or nothing to compare: the same persons (linked);
- one ≤ the other everywhere: the smaller counts a sub-population (nested: the difference is
  a count of the rest);
- neither: they cannot count the same persons nor nested ones, so no cell follows exactly
  from the two together (not linked).
The declared ``population`` never removes a link; ``population_within`` adds a nesting.
A nesting found between series the requester declared to be the *same* population (e.g.
persons and visits in one table) cannot be a sub-population: what it reveals goes to review.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from egress_review.engine.category_sets import cumulative_label, nested_sets, refine
from egress_review.engine import synonyms
from egress_review.engine.tables import Table

if TYPE_CHECKING:
    from egress_review.engine.context import Context


@dataclass
class Cell:
    table: Table
    from_history: bool
    population: str
    coords: dict            # dim -> label (dims at total are absent)
    value: float | None     # None: suppressed
    row: int
    column: str


@dataclass
class Series:
    table: Table
    hist: bool
    label: str                  # "file:column" for messages
    dims: list[str]             # canonical dimension ids
    cells: list[Cell] = field(default_factory=list)

    @property
    def declared(self) -> str:
        return self.table.spec.population

    @property
    def within(self) -> str | None:
        return self.table.spec.population_within


def _raw_series(table: Table, label_sets: set[frozenset]) -> list[tuple[list[str], list[str], str | None]]:
    """(count columns, raw dims, column dimension or None) for each series of a table.

    Count columns of a long table whose names are the categories of some table's grouping
    variable are that variable spread over columns (a crosstab without its total column)."""
    counts = table.count_cols + event_counts(table)
    if not counts:
        return []
    out = []
    long_cols = counts
    if table.is_wide:
        wide = table.wide_count_cols()
        long_cols = [c for c in counts if c not in wide]
        if wide:
            out.append((wide, table.group_cols + [table.column_group], table.column_group))
    if len(long_cols) >= 2 and frozenset(norm(c) for c in long_cols) in label_sets:
        dim = f"columns of {table.path}"
        out.append((long_cols, table.group_cols + [dim], dim))
        long_cols = []
    for c in long_cols:
        out.append(([c], table.group_cols, None))
    return out


def event_counts(table: Table) -> list[str]:
    """Columns declared ``statistic: count`` (events) holding whole numbers, not yet counts: a
    difference of event counts is events of fewer persons still (round 14: declared so, an
    "All 500" against parts adding to 497 linked nothing and passed; as a count it is review)."""
    from egress_review.engine.structure import count_like

    have = set(table.count_cols)
    return [c for c in table.cols_with("statistic") if c not in have
            and table.role(c).statistic == "count" and count_like(table, c)]


_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "～": "-", "~": "-", "－": "-"})


def fold(text: str) -> str:
    """Case, spaces, dash forms and full-width forms folded away ("20–29" and "20 - 29")."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_DASHES).casefold()
    return "".join(s.split())


@functools.lru_cache(maxsize=65536)          # labels repeat down a long table
def norm(label: str) -> str:
    """A category label as a reader compares it: folded (:func:`fold`), and one name for the
    spellings of one category (「女」 = "F" = "Female", 「65歲以上」 = "65+" = "≥65", 「糖尿病」 =
    "DM" = "E11": :mod:`synonyms`), so that renaming a category does not unlink a table.

    A category less a named part ("South excluding Lanyu", 「南區（不含蘭嶼）」, 「南區，蘭嶼除外」)
    is read as the category it is cut from: against that category's earlier count the
    difference is the part (E3, round 12: it linked to nothing and the part left unchecked)."""
    s = fold(label)
    return synonyms.canonical(complement_base(s) or s)


def complement_base(s: str) -> str | None:
    """The category a folded label names less a part ("southexcludinglanyu" -> "south"), or
    None when the label names no part cut away (or nothing before the cut)."""
    if len(s) > _COMPLEMENT_MAX:
        return None
    m = _LESS_A_PART.match(s) or _PART_EXCEPTED.match(s)
    base = m.group("base").rstrip("(（,，;；、-") if m else ""
    return base or None


# on folded labels (no spaces, case folded); one lazy split point, then literals: linear
_COMPLEMENT_MAX = 120
_LESS_A_PART = re.compile(r"^(?P<base>.+?)[(（,，;；]?(?:excluding|excl\.?|except(?:for)?|without|otherthan|"
                          r"butnot|不含|不包括|不計|扣除|排除|除去)(?P<part>[^)）]+)[)）]?$")
_PART_EXCEPTED = re.compile(r"^(?P<base>.+?)[(（,，、;；](?P<part>[^(（,，、;；]+)(?:除外|以外)[)）]?$")


class _Union:
    def __init__(self):
        self.parent: dict = {}

    def find(self, a):
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def _labels(table: Table, dim: str, wide_dim: str | None, cols: list[str]) -> frozenset:
    if dim == wide_dim:
        return frozenset(norm(c) for c in cols if not table.is_total_col(c))
    return frozenset(norm(cumulative_label(dim, s)) for s in table.text(dim) if not table.is_total_label(s))


def build_series(items: list[tuple[Table, bool]]) -> list[Series]:
    """Series of every table, with grouping variables matched across tables."""
    label_sets: set[frozenset] = set()
    for t, _ in items:
        for g in t.group_cols:
            label_sets.add(_labels(t, g, None, []))
        if t.is_wide:
            label_sets.add(_labels(t, t.column_group, t.column_group, t.wide_count_cols()))
    raw = []
    for t, hist in items:
        for cols, dims, wide_dim in _raw_series(t, label_sets):
            raw.append((t, hist, cols, dims, wide_dim))
    uf = _Union()
    by_name: dict[str, tuple] = {}
    by_labels: dict[frozenset, tuple] = {}
    for k, (t, hist, cols, dims, wide_dim) in enumerate(raw):
        for d in dims:
            node = (k, d)
            uf.find(node)
            name = d.strip().casefold()
            if not (d == wide_dim and d != t.spec.column_group):   # invented names never match
                by_name.setdefault(name, node)
                uf.union(node, by_name[name])
            labs = _labels(t, d, wide_dim, cols)
            # one label links only as a band or code block of another table's variable
            if len(labs) >= 2 or (len(labs) == 1 and _is_band(next(iter(labs)))):
                by_labels.setdefault(labs, node)
                uf.union(node, by_labels[labs])
                # the same variable banded otherwise (20-29 vs 20-24/25-28; E11 vs E119)
                for other, onode in list(by_labels.items()):
                    if other != labs and nested_sets(labs, other):
                        uf.union(node, onode)
    canon: dict = {}
    out: list[Series] = []
    for k, (t, hist, cols, dims, wide_dim) in enumerate(raw):
        wide = wide_dim is not None
        cdims = []
        for d in dims:
            root = uf.find((k, d))
            canon.setdefault(root, f"{d}")
            cdims.append(canon[root])
        s = Series(t, hist, f"{t.path}:{'/'.join(cols) if not wide else 'columns'}", cdims)
        groups = t.group_cols
        dmap = dict(zip(dims, cdims))
        raw = {g: t.text(g).tolist() for g in groups}
        labels = {g: [norm(cumulative_label(g, x)) for x in raw[g]] for g in groups}
        row_coords = [{dmap[g]: labels[g][i] for g in groups if not t.is_total_label(raw[g][i])}
                      for i in range(len(t.df))]
        for c in cols:
            v = t.numeric(c)
            extra = {dmap[wide_dim]: norm(c)} if wide and not t.is_total_col(c) else {}
            for i in range(len(t.df)):
                val = None if np.isnan(v[i]) else float(v[i])
                s.cells.append(Cell(t, hist, "", {**row_coords[i], **extra}, val, i, c))
        out.append(s)
    return out


def _is_band(label: str) -> bool:
    """A range (20-29, ≥65) or a block of ICD-10 categories (I10-I15)."""
    from egress_review.engine.category_sets import code_span, interval

    is_range = interval(label) is not None and not label.replace(".", "").isdigit()
    return is_range or ("-" in label and code_span(label) is not None)


def _margins(s: Series, dims: set[str], banded: dict | None = None) -> dict:
    """Known values of ``s`` at each combination of ``dims``: published, or summed from its
    finest cells when none of them is hidden.  On a variable banded differently across tables
    (``banded``: dim -> :class:`~category_sets.Refinement`) a label stands for the parts it
    covers and a margin for the parts of the series' own labels, so "20-29" of one table is
    never compared with a total of another that covers only 20-28."""
    banded = banded or {}
    own = {d: frozenset(k for c in s.cells if d in c.coords for k in banded[d].cover[c.coords[d]])
           for d in dims if d in banded}

    def key_of(coords: dict) -> frozenset:
        out = []
        for d in dims:
            if d in banded:
                out.append((d, frozenset(banded[d].cover[coords[d]]) if d in coords else own[d]))
            elif d in coords:
                out.append((d, coords[d]))
        return frozenset(out)

    direct: dict = {}
    sums: dict = {}
    full = set(s.dims)
    for c in s.cells:
        keys = set(c.coords)
        key = key_of({d: c.coords[d] for d in keys & dims})
        if keys <= dims and c.value is not None:
            direct[key] = c.value
        if keys == full:
            acc = sums.setdefault(key, [0.0, True])
            if c.value is None:
                acc[1] = False
            else:
                acc[0] += c.value
    out = {k: v for k, (v, ok) in sums.items() if ok}
    out.update(direct)
    return out


def banded_dims(series: list[Series]) -> dict:
    """Variables whose published labels overlap or nest (see :mod:`category_sets`)."""
    labels: dict[str, list[str]] = {}
    for s in series:
        for c in s.cells:
            for d, lab in c.coords.items():
                labels.setdefault(d, []).append(lab)
    out = {}
    for d, labs in labels.items():
        r = refine(list(dict.fromkeys(labs)))
        if r.nested:
            out[d] = r
    return out


def relation(a: Series, b: Series, banded: dict | None = None) -> str | None:
    """'same', 'a<b', 'b<a' or None (no link possible) for two series sharing a dimension."""
    common = set(a.dims) & set(b.dims)
    ma, mb = _margins(a, common, banded), _margins(b, common, banded)
    keys = [k for k in ma if k in mb]
    if not keys:
        return "same"
    x = np.array([ma[k] for k in keys])
    y = np.array([mb[k] for k in keys])
    if np.allclose(x, y):
        return "same"
    if np.all(x <= y + 1e-9):
        return "a<b"
    if np.all(y <= x + 1e-9):
        return "b<a"
    return None


def series_total(s: Series, *, hidden_unknown: bool = False) -> float | None:
    """The series' number of units: its published grand total (the largest, when it has several
    total rows), else the sum of its finest cells.  A hidden cell there is unknown when
    ``hidden_unknown`` (None: total_gaps compares only totals a reader has), else counted as 0
    (a size to rank containers by, never None)."""
    grand = [c.value for c in s.cells if not c.coords]
    if grand:
        known = [v for v in grand if v is not None]
        return max(known) if known else (None if hidden_unknown else 0.0)
    depth = max((len(c.coords) for c in s.cells), default=0)
    finest = [c.value for c in s.cells if len(c.coords) == depth]
    if hidden_unknown and (not finest or None in finest):
        return None
    return float(sum(v or 0 for v in finest))


@dataclass
class Component:
    series: list[Series]
    parents: dict[str, str | None]     # population node -> parent node
    soft: bool                         # some nesting is between same-declared populations


def components(series: list[Series]) -> list[Component]:
    """Groups of linked series, with population nodes assigned to their cells."""
    n = len(series)
    same = _Union()
    nest: list[tuple[int, int, bool]] = []       # (child, parent, soft)
    link = _Union()
    for i in range(n):
        same.find(i)
        link.find(i)
    banded = banded_dims(series)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = series[i], series[j]
            if not set(a.dims) & set(b.dims):
                continue
            # two counts of one table declared of the same persons (persons and visits) may
            # differ without a sub-population; across tables or releases the declaration is
            # the requester's word, and a small difference between them is persons (E3)
            declared_same = a.declared == b.declared and a.table is b.table
            r = relation(a, b, banded)
            if a.within == b.declared or b.within == a.declared:
                child, parent = (i, j) if a.within == b.declared else (j, i)
                if r in ("same", "a<b" if child == i else "b<a"):
                    nest.append((child, parent, False))
                    link.union(i, j)
                continue
            if r == "same":
                same.union(i, j)
                link.union(i, j)
            elif r == "a<b":
                nest.append((i, j, declared_same))
                link.union(i, j)
            elif r == "b<a":
                nest.append((j, i, declared_same))
                link.union(i, j)
    # population node per class of 'same' series; a class's parent: its smallest container
    name = {}
    for i, s in enumerate(series):
        root = same.find(i)
        name.setdefault(root, f"{s.declared} [{s.label}]")
    # A child with several containers (nested in every column of a table that is larger
    # everywhere) takes the one a reader pairs it with: the same column name first, then the
    # smallest.  A table without a total is sized by the sum of its finest cells; sized 0, the
    # first container found won and the true pair went unchecked (a three-column table whose
    # every cell was a few below another's passed).
    size, cols = {}, {}
    for i, s in enumerate(series):
        r = same.find(i)
        size[r] = max(size.get(r, 0), series_total(s))
        cols.setdefault(r, set()).add(norm(s.label.split(":", 1)[1]))
    parent: dict = {}
    soft_nodes = set()

    def better(p, q, c) -> bool:
        p_pair, q_pair = bool(cols[p] & cols[c]), bool(cols[q] & cols[c])
        return p_pair > q_pair or (p_pair == q_pair and size.get(p, 0) < size.get(q, 0))

    for child, par, soft in nest:
        c, p = same.find(child), same.find(par)
        if c == p:
            continue
        if c not in parent or better(p, parent[c], c):
            parent[c] = p
        if soft:
            soft_nodes.add(c)
    # break cycles (inconsistent nestings): drop the edge that closes one
    for c in list(parent):
        seen, q = {c}, parent.get(c)
        while q is not None:
            if q in seen:
                parent.pop(c, None)
                break
            seen.add(q)
            q = parent.get(q)
    groups: dict = {}
    for i, s in enumerate(series):
        node = name[same.find(i)]
        for cell in s.cells:
            cell.population = node
        groups.setdefault(link.find(i), []).append(i)
    out = []
    for members in groups.values():
        roots = {same.find(i) for i in members}
        parents = {name[r]: (name[parent[r]] if r in parent else None) for r in roots}
        out.append(Component([series[i] for i in members], parents,
                             soft=bool(roots & soft_nodes)))
    return out


def request_items(ctx: "Context", keep: Callable[[Table], bool]) -> list[tuple[Table, bool]]:
    """(table, from history) for the request-wide rules: the declared tables ``keep`` admits,
    the plain count tables found inside other files, then the case's released tables."""
    from egress_review.engine.unit_tables import is_long_view

    found = [(t, False) for path, (t, _) in ctx.unit_views.items() if not is_long_view(path)]
    declared = [(v, False) for t in ctx.tables.values() if keep(t) for v in _with_shares(t)]
    return declared + found + [(rt.table, True) for rt in ctx.history.tables]


def _with_shares(t: Table) -> list[Table]:
    """``t`` as linked - without a column that only repeats its percents' N - and the counts its
    percents over that N stand for (:mod:`share_counts`; E3: the same data in another unit).
    Kept on the table, so every reader links the same objects."""
    from egress_review.engine.share_counts import split

    cached = t._num.get("__linked_as__")
    if cached is None:
        repeated_n, shares = split(t)
        base = t if not repeated_n else dataclasses.replace(
            t, df=t.df.drop(columns=repeated_n), _num={},
            inferred_counts=[c for c in t.inferred_counts if c not in repeated_n])
        cached = t._num["__linked_as__"] = [base, *shares]
    return cached


class Linked:
    """The series and components of one list of tables, built on first use.  Held per request
    (:meth:`Context.linked`) so that differencing, nested_pairs and total_gaps, reading the same
    tables, build them once; ``components`` assigns population nodes to the cells, the same
    ones on every call, so one result serves all readers."""

    def __init__(self, items: list[tuple[Table, bool]]):
        self.items = list(items)

    @functools.cached_property
    def series(self) -> list[Series]:
        return build_series(self.items)

    @functools.cached_property
    def components(self) -> list[Component]:
        return components(self.series)
