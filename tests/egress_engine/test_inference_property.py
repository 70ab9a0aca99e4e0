"""Property (issue 13, rules E2 and E3): whatever the requester declares, a table (or a pair of
tables) from which an exact cell under the threshold can be derived never passes.

Random small count tables are published with random margins (labelled with any of the
margin labels, or a total column with an innocent name), random blanks, in long or wide
layout, with honest or misleading declarations (counts declared as means, sums or grouping keys, a crosstab
declared long, blanks in a column declared a plain count); pairs of nested tables get
unrelated population names and renamed grouping columns.  An independent oracle (HiGHS LPs
over the true cells, with every published number as an equation) says whether a cell under
the threshold is derivable; the engine's verdict must then not be ``pass``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from scipy.optimize import linprog

from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from policies.sections.egress import EgressPolicy

M = 6
# Only the rules under test: zero cells and over-fine tables would block on their own.
POLICY = EgressPolicy(zero_cells_need_review=False, max_cells_per_unit=1e6)
TOTAL_NAMES = ["Total", "All", "合計", "Overall", "sum", "persons"]
RELEVANT = {"threshold", "secondary", "differencing", "structure", "symbols", "claims"}


def _small(v) -> bool:
    return 1 <= v < M


# -- the oracle ------------------------------------------------------------------------------
def _derivable_small(x: np.ndarray, shown: np.ndarray, margins: dict) -> bool:
    """Is some interior cell or margin fixed at 1..M-1 by what is published?"""
    R, C = x.shape
    if any(_small(v) for v in x[shown]):
        return True
    A, b = [], []
    for i, j in zip(*np.nonzero(shown)):
        e = np.zeros(R * C); e[i * C + j] = 1; A.append(e); b.append(x[i, j])
    if margins["row"]:
        for i in range(R):
            e = np.zeros(R * C); e[i * C:(i + 1) * C] = 1; A.append(e); b.append(x[i].sum())
    if margins["col"]:
        for j in range(C):
            e = np.zeros(R * C); e[j::C] = 1; A.append(e); b.append(x[:, j].sum())
    if margins["tot"]:
        A.append(np.ones(R * C)); b.append(x.sum())
    published = []
    if margins["row"]:
        published += list(x.sum(1))
    if margins["col"]:
        published += list(x.sum(0))
    if margins["tot"]:
        published.append(x.sum())
    if any(_small(v) for v in published):
        return True
    targets = [np.eye(R * C)[k] for k in range(R * C) if not shown.flat[k]]
    if not margins["row"]:
        targets += [np.concatenate([np.zeros(i * C), np.ones(C), np.zeros((R - i - 1) * C)])
                    for i in range(R)]
    if not margins["col"]:
        targets += [np.tile(np.eye(C)[j], R) for j in range(C)]
    for t in targets:
        lo = linprog(t, A_eq=A or None, b_eq=b or None, bounds=(0, None), method="highs")
        hi = linprog(-t, A_eq=A or None, b_eq=b or None, bounds=(0, None), method="highs")
        if lo.status == 0 and hi.status == 0 and abs(lo.fun + hi.fun) < 1e-6 and _small(lo.fun):
            return True
    return False


# -- rendering ---------------------------------------------------------------------------------
def _fmt(v, blank):
    return "" if blank else str(int(v))


def _wide(x, shown, margins, total_col, total_row, rows=("g",), cols=None):
    R, C = x.shape
    cols = cols or [f"c{j}" for j in range(C)]
    head = list(rows) + cols + ([total_col] if margins["row"] else [])
    lines = [",".join(head)]
    for i in range(R):
        cells = [_fmt(x[i, j], not shown[i, j]) for j in range(C)]
        if margins["row"]:
            cells.append(str(int(x[i].sum())))
        lines.append(",".join([f"r{i}"] + cells))
    if margins["col"]:
        cells = [str(int(v)) for v in x.sum(0)]
        if margins["row"]:
            cells.append(str(int(x.sum())) if margins["tot"] else "")
        lines.append(",".join([total_row] + cells))
    return "\n".join(lines) + "\n", head


def _long(x, shown, margins, total_row, g="g", h="h"):
    R, C = x.shape
    lines = [f"{g},{h},n"]
    for i in range(R):
        for j in range(C):
            lines.append(f"r{i},c{j},{_fmt(x[i, j], not shown[i, j])}")
    if margins["row"]:
        lines += [f"r{i},{total_row},{int(x[i].sum())}" for i in range(R)]
    if margins["col"]:
        lines += [f"{total_row},c{j},{int(x[:, j].sum())}" for j in range(C)]
    if margins["tot"]:
        lines.append(f"{total_row},{total_row},{int(x.sum())}")
    return "\n".join(lines) + "\n"


COUNT_ROLES = [{"role": "suppressed"}, {"role": "count"}, {"role": "group"},
               {"role": "statistic", "statistic": "mean", "units_column": "N"},
               {"role": "statistic", "statistic": "sum", "units_column": "N"}]


def _entry(path, columns, **kw):
    return {"path": path, "kind": "table", "description": "t", "columns": columns, **kw}


def _table_files(rng, x, shown, margins, name, g="g", h="h"):
    """One table in a random layout and declaration: (file text, manifest entry)."""
    layout = rng.choice(["wide-declared", "wide-as-long", "long"])
    total_row = str(rng.choice(TOTAL_NAMES[:5]))
    role = COUNT_ROLES[rng.integers(len(COUNT_ROLES))]
    if layout == "long":
        text = _long(x, shown, margins, total_row, g, h)
        if role.get("units_column"):        # a misleading 'units' column of big numbers
            lines = text.splitlines()
            text = "\n".join([lines[0] + ",N"] + [ln + ",900" for ln in lines[1:]]) + "\n"
            cols = {g: {"role": "group"}, h: {"role": "group"}, "n": role, "N": {"role": "count"}}
        else:
            cols = {g: {"role": "group"}, h: {"role": "group"}, "n": role}
        return text, _entry(name, cols)
    total_col = str(rng.choice(TOTAL_NAMES))
    text, head = _wide(x, shown, margins, total_col, total_row, rows=(g,))
    if layout == "wide-declared":
        return text, _entry(name, {g: {"role": "group"}}, default_role={"role": "suppressed"},
                            column_group=h)
    simple = role if not role.get("units_column") else {"role": "suppressed"}
    return text, _entry(name, {g: {"role": "group"}, **{c: simple for c in head[1:]}})


def _check(files: dict, entries: list, tmp_path) -> str:
    for n, t in files.items():
        (tmp_path / n).write_text(t, encoding="utf-8")
    m = parse_manifest({"version": 1, "case_code": "P", "purpose": "p", "files": entries})
    r = check_request(m, tmp_path, policy=POLICY, provenance_key=b"k" * 32)
    return r


def _examples(n: int):
    """The Hypothesis settings of these properties: n examples, no deadline (each runs the
    engine on files), the function-scoped tmp_path allowed."""
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _margins(rng):
    return {"row": bool(rng.random() < 0.7), "col": bool(rng.random() < 0.7),
            "tot": bool(rng.random() < 0.5)}


@_examples(40)
@given(seed=st.integers(0, 100_000), R=st.integers(2, 4), C=st.integers(2, 3))
def test_derivable_small_cell_never_passes(tmp_path, seed, R, C):
    rng = np.random.default_rng(seed)
    x = rng.integers(6, 40, size=(R, C)).astype(float)
    k = rng.integers(0, 3)
    for _ in range(k):                                   # a few small or zero true cells
        x[rng.integers(R), rng.integers(C)] = rng.integers(0, M)
    margins = _margins(rng)
    margins["tot"] = margins["tot"] and margins["row"] and margins["col"]
    shown = rng.random((R, C)) > 0.25
    shown |= ~((x >= 1) & (x < M)) & (rng.random((R, C)) > 0.1)
    text, entry = _table_files(rng, x, shown, margins, "t.csv")
    r = _check({"t.csv": text}, [entry], tmp_path)
    if _derivable_small(x, shown, margins):
        assert r.verdict != "pass", (text, entry)
        assert {f.check for f in r.findings} & RELEVANT, (text, [f.message_en for f in r.findings])


@_examples(30)
@given(seed=st.integers(0, 100_000), R=st.integers(2, 4), C=st.integers(1, 3))
def test_nested_pair_with_small_difference_never_passes(tmp_path, seed, R, C):
    rng = np.random.default_rng(seed)
    a = rng.integers(20, 60, size=(R, C)).astype(float)
    d = rng.integers(0, 12, size=(R, C)).astype(float)
    b = a - d                                            # b counts a sub-population of a
    full = np.ones((R, C), dtype=bool)
    ma, mb = _margins(rng), _margins(rng)
    ma["tot"] = ma["tot"] and ma["row"] and ma["col"]
    mb["tot"] = mb["tot"] and mb["row"] and mb["col"]
    ta, ea = _table_files(rng, a, full, ma, "a.csv")
    # the second table renames its grouping columns and takes another population name
    tb, eb = _table_files(rng, b, full, mb, "b.csv", g="grp", h="kind")
    pop = rng.choice(["same", "other", "within"])
    if pop == "other":
        ea["population"], eb["population"] = "cohort_2019", "insulin_users"
    elif pop == "within":
        ea["population"], eb["population"], eb["population_within"] = "all", "sub", "all"
    r = _check({"a.csv": ta, "b.csv": tb}, [ea, eb], tmp_path)
    # what a reader learns: every cell of a - b (the rest of the population), and the
    # margins both tables publish
    diffs = list(d.ravel())
    if ma["row"] and mb["row"]:
        diffs += list(d.sum(1))
    if ma["col"] and mb["col"]:
        diffs += list(d.sum(0))
    if C == 1 and not (ma["row"] and mb["row"]):
        diffs = list(d.ravel())
    published_small = any(_small(v) for v in np.concatenate([a.ravel(), b.ravel()]))
    # a difference is derivable cell by cell: both tables publish every interior cell
    if published_small or any(_small(v) for v in diffs):
        assert r.verdict != "pass", (ta, tb, ea, eb)
