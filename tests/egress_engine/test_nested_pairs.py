"""E3: a table whose every cell is a few below another table's goes to a reviewer, whatever
the column roles, group names, margins and population declarations.

Found by the property test (tests/egress_engine/test_inference_property.py): two three-column
tables, the second a sub-population of the first, passed - the population tree took each
column of the smaller table as nested in the *first* larger column it met, so the true pairs
were never subtracted.  Now the tree prefers the column of the same name (then the smallest)
and every nested pair of tables is also subtracted cell by cell (``nested_pairs``).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.egress_engine.conftest import by, said

ROLES = [{"role": "count"}, {"role": "suppressed"}]


def _csv(group, cols, x, total=None):
    lines = [",".join([group, *cols])]
    lines += [",".join([f"r{i}", *(f"{v:g}" for v in row)]) for i, row in enumerate(x)]
    if total:
        lines.append(",".join([total, *(f"{v:g}" for v in x.sum(0))]))
    return "\n".join(lines) + "\n"


def _entry(path, group, cols, role, **kw):
    return {"path": path, "kind": "table", "description": "t",
            "columns": {group: {"role": "group"}, **{c: role for c in cols}}, **kw}


CASES = list(itertools.product(
    [(3, 3, 321), (2, 2, 844), (4, 3, 7), (3, 2, 99), (2, 3, 5)],     # rows, columns, seed
    [0, 1],                                                          # role
    [("g", "grp"), ("g", "g")],                                       # group names
    [(None, "sum"), (None, None), ("Total", None)],                   # margins of a, b
    ["none", "same", "within"],                                       # population declared
))


@pytest.mark.parametrize("shape,role,groups,totals,pop", CASES)
def test_a_sub_table_a_few_below_another_never_passes(run, shape, role, groups, totals, pop):
    R, C, seed = shape
    rng = np.random.default_rng(seed)
    a = rng.integers(20, 60, size=(R, C)).astype(float)
    d = rng.integers(6, 12, size=(R, C)).astype(float)
    d[rng.integers(R), rng.integers(C)] = 3               # one cell differs by fewer than 6
    b = a - d
    cols = [f"c{j}" for j in range(C)]
    kw_a, kw_b = {}, {}
    if pop == "same":
        kw_a, kw_b = {"population": "p"}, {"population": "p"}
    elif pop == "within":
        kw_a, kw_b = {"population": "all"}, {"population": "sub", "population_within": "all"}
    res = run({"a.csv": _csv(groups[0], cols, a, totals[0]), "b.csv": _csv(groups[1], cols, b, totals[1])},
              [_entry("a.csv", groups[0], cols, ROLES[role], **kw_a),
               _entry("b.csv", groups[1], cols, ROLES[role], **kw_b)])
    assert res.verdict != "pass", said(res)
    assert by(res, rule="E3"), said(res)


@pytest.mark.parametrize("seed", range(6))
def test_tables_far_apart_crossing_or_in_other_columns_pass(run, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(40, 80, size=(3, 3)).astype(float)
    b = a - rng.integers(6, 20, size=(3, 3))               # nested, every difference large
    c = a + np.array([[2.0], [-2.0], [10.0]])              # crossing in every column: no nesting
    c[:, 1] = a[:, 0] - 3                                  # a few below another-named column: no pair
    cols = ["c0", "c1", "c2"]
    for other in (b, c):
        res = run({"a.csv": _csv("g", cols, a), "b.csv": _csv("g", cols, other)},
                  [_entry("a.csv", "g", cols, {"role": "count"}), _entry("b.csv", "g", cols, {"role": "count"})])
        assert not by(res, check="nested_pairs"), said(res)


@pytest.mark.parametrize("seed", range(6))
def test_a_one_column_table_is_compared_with_every_column(run, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(20, 60, size=(3, 3)).astype(float)
    j = int(rng.integers(3))
    b = a[:, [j]] - np.array([[7.0], [2.0], [9.0]])        # a part of column j, renamed
    res = run({"a.csv": _csv("g", ["c0", "c1", "c2"], a), "b.csv": _csv("g", ["n"], b)},
              [_entry("a.csv", "g", ["c0", "c1", "c2"], {"role": "count"}),
               _entry("b.csv", "g", ["n"], {"role": "count"})])
    assert res.verdict != "pass", said(res)
