"""E3: a paper's Table 1 is the count tables it stacks, linked like any table (table_one.py).

A Table 1 ("Sex, n (%)" over "  Female 103 (51.5)", groups across with "Treated (N = 120)")
was read cell by cell: each count was checked, but nothing linked it to the request's other
tables or the case's earlier releases.  A table of the same counts by sex with one cell a few
larger (renamed, too: 「女」 for "Female"), or a Table 1 released after such a table, passed;
so did a variable whose categories left a few of the column's N unaccounted for (missing, or
the "no" of a yes/no row).  Generated members: layouts (CSV with indented rows, Markdown,
group columns with and without an Overall column, p-value column, a mean row), which variable
and which cell, gaps 1 … threshold−1, the other table in the request, released before, or the
Table 1 released before; ordinary requests that restate a Table 1 or differ by enough pass.
"""
from __future__ import annotations

import random

import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

M = EgressPolicy().min_units_per_cell
GROUPS = [("Treated", "Control"), ("Cases", "Controls"), ("治療組", "對照組"), ("Drug A", "Drug B", "Drug C")]
SEX = [("Female", "Male"), ("女", "男"), ("F", "M"), ("女性", "男性")]
AGE = [("18-44", "45-64", "65+"), ("18至44歲", "45至64歲", "65歲以上"), ("18–44", "45–64", "≥65")]


def _cell(n, N, pct_sign):
    return f"{n} ({100 * n / N:.1f}{'%' if pct_sign else ''})"


def table_one(rng, variables, groups, *, overall, fmt, missing=None, pvalue=False, mean_row=True):
    """``variables``: [(name, labels, counts[label][group])]; ``missing``: per variable name,
    the units each column's N holds beyond the categories (default ≥ threshold or 0)."""
    missing = missing or {}
    cols = list(groups) + (["Overall"] if overall else [])
    N = {g: 0 for g in groups}
    first = variables[0]
    for g_k, g in enumerate(groups):
        N[g] = sum(first[2][lab][g_k] for lab in first[1]) + missing.get(first[0], 0)
    N_all = sum(N.values())
    pct = rng.random() < 0.5
    head = ["Characteristic"] + [f"{c} (N={N[c] if c in N else N_all})" for c in cols] + (["p"] if pvalue else [])
    body = []
    for name, labels, counts in variables:
        if len(labels) == 1:                               # a yes/no row
            vals = list(counts[labels[0]]) + ([sum(counts[labels[0]])] if overall else [])
            body.append([f"{name}, n (%)"] + [_cell(v, N[c] if c in N else N_all, pct)
                                             for v, c in zip(vals, cols)] + (["0.21"] if pvalue else []))
            continue
        body.append([f"{name}, n (%)"] + [""] * len(cols) + (["0.04"] if pvalue else []))
        for lab in labels:
            vals = list(counts[lab]) + ([sum(counts[lab])] if overall else [])
            body.append([f"  {lab}"] + [_cell(v, N[c] if c in N else N_all, pct)
                                        for v, c in zip(vals, cols)] + ([""] if pvalue else []))
    if mean_row:     # (a mean goes to review for its contributions: not in passing members)
        body.append(["Age, mean (SD)"] + ["54.2 (12.1)"] * len(cols) + (["0.5"] if pvalue else []))
    rows = [head] + body
    if fmt == "two":       # the variable in a column of its own, its categories in the next
        rows = [["Variable", "Category"] + head[1:]]
        for r in body:
            if r[0].startswith("  "):
                first = rows[-1][1] == "" and not rows[-1][0].startswith(("Diabetes", "Hyper", "Age,"))
                if first and rows[-1][2:] == [""] * len(rows[-1][2:]):
                    rows[-1] = [rows[-1][0].replace(", n (%)", ""), r[0].strip()] + r[1:]
                else:
                    rows.append(["", r[0].strip()] + r[1:])
            else:
                rows.append([r[0], ""] + r[1:])
    if fmt == "md":
        text = "\n".join("| " + " | ".join(r) + " |" for r in rows[:1]) + "\n|" + "---|" * len(head) + "\n"
        text += "".join("| " + " | ".join(c.strip() if k else c.replace("  ", "&nbsp;&nbsp;")
                                          for k, c in enumerate(r)) + " |\n" for r in rows[1:])
        return "# Table 1\n\n" + text, N
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue(), N


def _counts(rng, labels, groups, like=None):
    """Counts per label and group; ``like``: another variable's counts whose group sizes
    these partition (every variable of a Table 1 counts the same persons)."""
    if like is None:
        return {lab: [rng.randrange(30, 300) for _ in groups] for lab in labels}
    sizes = [sum(v[g] for v in like.values()) for g in range(len(groups))]
    out = {lab: [] for lab in labels}
    for g, size in enumerate(sizes):
        while True:        # every part at least 10 (an ordinary cell)
            cuts = sorted(rng.sample(range(10, size - 10), len(labels) - 1))
            if all(b - a >= 10 for a, b in zip(cuts, cuts[1:])):
                break
        for lab, a, b in zip(labels, [0] + cuts, cuts + [size]):
            out[lab].append(b - a)
    return out


def _plain(var, labels, values):
    return f"{var},n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(labels, values))


def _variables(rng, k, diabetes):
    """The k-th member's groups and its three variables (sex, age group, a yes-only diabetes
    row with counts in the ``diabetes`` range)."""
    groups = GROUPS[k % len(GROUPS)]
    sex, age = SEX[k % len(SEX)], AGE[k % len(AGE)]
    sexc = _counts(rng, sex, groups)
    return groups, [("Sex", sex, sexc), ("Age group", age, _counts(rng, age, groups, sexc)),
                    ("Diabetes", ("Yes",), {"Yes": [rng.randrange(*diabetes) for _ in groups]})]


def _leaks(n=40, seed=23):
    rng = random.Random(seed)
    out = []
    for k in range(n):
        groups, variables = _variables(rng, k, (20, 50))
        overall = k % 3 != 0
        fmt = ("md", "csv", "two", "csv")[k % 4]
        t1, N = table_one(rng, variables, groups, overall=overall, fmt=fmt, pvalue=k % 5 == 0)
        gap = 1 + k % (M - 1)
        name, labels, counts = variables[k % 2]
        # the plain table: the variable renamed and respelled, one category a few larger
        spelled = SEX[(k + 1) % len(SEX)] if name == "Sex" else AGE[(k + 1) % len(AGE)]
        hit = k % len(labels)
        if overall:            # by the whole cohort
            values = [sum(counts[lab]) + (gap if j == hit else 0) for j, lab in enumerate(labels)]
            csv = _plain(("性別", "gender", "sex")[k % 3] if name == "Sex" else "年齡", spelled, values)
            roles = {csv.split(",")[0]: G, "n": COUNT}
            kw = {}
        else:                  # by variable × group (the crosstab of the Table 1's cells)
            g = k % len(groups)
            grid = [[counts[lab][gi] + (gap if (j, gi) == (hit, g) else 0) for gi in range(len(groups))]
                    for j, lab in enumerate(labels)]
            var = "性別" if name == "Sex" else "age"
            csv = f"{var}," + ",".join(groups) + "\n" + "".join(
                f"{lab}," + ",".join(str(v) for v in row) + "\n" for lab, row in zip(spelled, grid))
            roles, kw = {var: G}, {"default_role": COUNT, "column_group": "arm"}
        where = ("request", "history", "table one released")[k % 3]
        out.append(pytest.param(t1, fmt, csv, roles, kw, gap, where,
                                id=f"{name}-{fmt}-{'overall' if overall else 'groups'}-{where}-gap{gap}-{k}"))
    return out


def _text(name):
    return {"path": name, "kind": "text", "description": "Table 1 of the paper"}


def _run(run, tmp_path, t1, fmt, csv, roles, kw, where):
    name = f"table1.{'md' if fmt == 'md' else 'csv'}"
    if where == "request":
        return run({name: t1, "t.csv": csv}, [_text(name), table("t.csv", roles, **kw)])
    if where == "history":
        h = one_release_history(tmp_path, "old.csv", csv, table("old.csv", roles, **kw))
        return run({name: t1}, [_text(name)], history=h)
    h = one_release_history(tmp_path, name, t1, _text(name))
    return run({"t.csv": csv}, [table("t.csv", roles, **kw)], history=h)


@pytest.mark.parametrize("t1, fmt, csv, roles, kw, gap, where", _leaks())
def test_a_table_a_few_from_a_table_one_blocks(run, tmp_path, t1, fmt, csv, roles, kw, gap, where):
    r = _run(run, tmp_path, t1, fmt, csv, roles, kw, where)
    hits = [f for f in by(r, check="differencing", severity="block") if f.location.get("value") == gap]
    assert hits, said(r)


def _gaps(n=20, seed=31):
    """A variable whose categories leave 1 … threshold−1 of a column's N (missing, or the
    complement of a yes/no row)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        groups = GROUPS[k % len(GROUPS)]
        sex, age = SEX[k % len(SEX)], AGE[k % len(AGE)]
        gap = 1 + k % (M - 1)
        sexc = _counts(rng, sex, groups)
        if k % 2:                  # the yes/no row's "no" in the first group is small
            yes = {"Yes": [sum(sexc[lab][gi] for lab in sex) - (gap if gi == 0 else rng.randrange(40, 90))
                           for gi in range(len(groups))]}
            variables = [("Sex", sex, sexc), ("Hypertension", ("Yes",), yes)]
            missing = {}
        else:                      # the first variable's categories leave a few of N
            variables = [("Sex", sex, sexc), ("Age group", age, _counts(rng, age, groups, sexc))]
            missing = {"Sex": gap}
        fmt = ("md", "csv", "two")[k % 3]
        t1, N = table_one(rng, variables, groups, overall=k % 4 != 0, fmt=fmt, missing=missing)
        out.append(pytest.param(t1, fmt, gap, id=f"{'yes_no' if k % 2 else 'missing'}-{fmt}-gap{gap}-{k}"))
    return out


@pytest.mark.parametrize("t1, fmt, gap", _gaps())
def test_a_column_n_a_few_beyond_its_categories_blocks(run, t1, fmt, gap):
    name = f"table1.{'md' if fmt == 'md' else 'csv'}"
    r = run({name: t1}, [_text(name)])
    hits = [f for f in by(r, check="margin_gaps", severity="block") if f.location.get("value") == gap]
    assert hits, said(r)


def _ordinary(n=20, seed=37):
    """A Table 1 and a table restating it (respelled) or far from it, its N's and missing ≥ threshold."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        groups, variables = _variables(rng, k, (10, 25))
        missing = {"Sex": 0 if k % 2 else M + rng.randrange(0, 20)}
        fmt = "csv" if k % 3 else "md"
        t1, N = table_one(rng, variables, groups, overall=True, fmt=fmt, missing=missing,
                          mean_row=False, pvalue=k % 2 == 0)
        name, labels, counts = variables[k % 2]
        spelled = SEX[(k + 1) % len(SEX)] if name == "Sex" else AGE[(k + 1) % len(AGE)]
        far = k % 3 == 0
        # far: every cell, and the total from every column's N, at least the threshold away
        values = [sum(counts[lab]) + (M + missing["Sex"] + rng.randrange(0, 30) if far else 0)
                  for lab in labels]
        csv = _plain("gender" if name == "Sex" else "age group", spelled, values)
        out.append(pytest.param(t1, fmt, csv, ("request", "history", "table one released")[k % 3],
                                id=f"{name}-{fmt}-{'far' if far else 'restated'}-{k}"))
    return out


@pytest.mark.parametrize("t1, fmt, csv, where", _ordinary())
def test_a_table_one_with_tables_restating_it_passes(run, tmp_path, t1, fmt, csv, where):
    roles = {csv.split(",")[0]: G, "n": COUNT}
    r = _run(run, tmp_path, t1, fmt, csv, roles, {}, where)
    assert r.verdict == "pass", said(r)


P_TABLE = """Characteristic,Treated (N=300),Control (N=162),p
"Sex, n (%)",,,{sex}
  Female,209 (69.7),45 (27.8),
  Male,91 (30.3),117 (72.2),
"Diabetes, n (%)",10 (3.3),19 (11.7),{dm}
"""


@pytest.mark.parametrize("sex, dm", [("0.04", "0.21"), ("<0.001", "0.5"), ("0.03*", "1.00"), (".2", "0")])
def test_a_p_value_column_is_not_a_column_of_percents(run, sex, dm):
    """The p beside "Sex, n (%)" was read as a percent of an unknown N: blocked as a blank count."""
    r = run({"t1.csv": P_TABLE.format(sex=sex, dm=dm)}, [_text("t1.csv")])
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("sex, dm", [("3", "0.21"), ("0.04", "12"), ("2 (0.7)", "0.5"), ("1", "0.21"), ("0.04", "1")])
def test_a_number_that_is_no_p_value_in_the_p_column_is_still_judged(run, sex, dm):
    r = run({"t1.csv": P_TABLE.format(sex=sex, dm=dm)}, [_text("t1.csv")])
    assert r.verdict != "pass", said(r)
