"""E7/E2: counts typed into a program leave with it, whatever the file is declared as.

A probe hid small counts in code the checks read only for comments and sentences: a dict
literal (``counts = {"A": 3}``), a DataFrame built from literals, records, a count-named
number, R's named vectors, a plot's bar heights, and the short labels of a plot (an
annotation "n=3", tick labels, a legend).  Each is tried through the engine's entry point as a
.py/.R file and inside a notebook's code cell; ordinary analysis code (settings, recoding maps,
ticks, loop bounds, large counts) must still pass.
"""
from __future__ import annotations

import nbformat
import pytest

from tests.egress_engine.conftest import said

SMALL_PY = {
    "dict literal": 'counts = {"A": 3, "B": 120, "C": 200}\n',
    "dict literal, Chinese keys": 'n_by_region = {"甲區": 4, "乙區": 150}\n',
    "dict() keywords": 'deaths = dict(north=3, south=120)\n',
    "nested in a call": 'print({"A": 2, "B": 300})\n',
    "unnamed map of counts": 'x = {"north": 3, "south": 120, "east": 88}\n',
    "dict of columns": 'df = pd.DataFrame({"region": ["A", "B"], "n": [3, 120]})\n',
    "dict of columns, persons": 'data = {"sex": ["M", "F"], "patients": [240, 5]}\n',
    "records": 'rows = [("A", 3), ("B", 120)]\n',
    "records as lists": 'table = [["north", 120], ["south", 2], ["east", 95]]\n',
    "count-named list": 'n_by_region = [3, 120, 200]\n',
    "count-named tuple": 'deaths = (120, 4, 88)\n',
    "count-named scalar": 'n_deaths_region_a = 3\n',
    "person-named scalar": 'patients_in_north = 2\n',
    "annotated scalar": 'cases_a: int = 4\n',
    "attribute": 'self.n_deaths = 3\n',
    "subscript": 'summary["deaths"] = 3\n',
    "bar heights": 'import matplotlib.pyplot as plt\nplt.bar(["A", "B"], [3, 120])\n',
    "barh": 'ax.barh(["A", "B", "C"], [120, 5, 77])\n',
    "pie": 'plt.pie([120, 2], labels=["alive", "dead"])\n',
    "series": 'pd.Series([3, 120, 200], index=["A", "B", "C"], name="n")\n',
    "annotation n=3": 'plt.annotate("n=3", (1, 2))\n',
    "tick labels": 'ax.set_xticklabels(["A (n=3)", "B (n=120)"])\n',
    "legend": 'ax.legend(["Cases: 3", "Controls: 120"])\n',
    "title": 'plt.title("Deaths in region A (3 patients)")\n',
    "text in Chinese": 'ax.text(1, 2, "甲區3人")\n',
    "f-string literal part": 'ax.set_title(f"region A: n = 4 ({label})")\n',
    "ipython magic around it": '%matplotlib inline\ncounts = {"A": 3, "B": 120}\n',
}
SMALL_R = {
    "named vector": 'counts <- c(A = 3, B = 120, C = 200)\n',
    "named vector, =": 'deaths = c(north=2, south=130)\n',
    "unnamed vector assignment": 'x <- c(north = 3, south = 120, east = 88)\n',
    "count-named scalar": 'n_deaths <- 3\n',
    "dotted name": 'n.cases.a <- 4\n',
    "label": 'text(1, 2, "n = 3")\n',
}
ORDINARY_PY = {
    "model settings": 'params = {"max_depth": 3, "n_estimators": 200}\n'
                      'clf = RandomForestClassifier(n_jobs=2, random_state=42, **params)\n',
    "cross-validation": 'n_splits = 5\nkf = KFold(n_splits=5)\nn_components = 3\n',
    "figure layout": 'fig, ax = plt.subplots(1, 2, figsize=(6, 4))\nax.set_xticks([1, 2, 3])\n',
    "recoding map": 'df["sex"] = df["sex"].map({"M": 1, "F": 2})\n',
    "recoding dict": 'codes = {"none": 0, "mild": 1, "severe": 2}\n',
    "bins": 'bins = pd.cut(df.age, bins=[0, 18, 65, 120])\nages = [0, 18, 65, 120]\n',
    "indexing": 'x = df.iloc[:, [0, 1, 2]]\nfor i in range(3):\n    print(df.head(5))\n',
    "large counts": 'counts = {"A": 300, "B": 120, "C": 200}\nn_deaths = 40\n',
    "title without counts": 'plt.title("Incidence by year")\nax.annotate("peak", (2019, 5))\n',
    "loop counter": 'n = 0\ncount = 0\nfor r in rows:\n    n += 1\n',
    "counters and constants": 'total_errors = 0\nn_deaths = 0\n_COMMON_WORD_FREQ = 100\n'
                              'MIN_CASES = 20\n',
    "style": 'plt.rcParams.update({"font.size": 9})\nplt.plot(x, y, lw=2, alpha=0.5)\n',
    "line coordinates": 'plt.plot([1, 2, 3], [4, 5, 6])\nax.scatter([2, 3], [5, 4])\n'
                        'plt.plot([0, 1], [0, 1], "k--")\n',
    "large records": 'rows = [("A", 300), ("B", 120)]\n',
}
ORDINARY_R = {
    "model": 'fit <- glm(y ~ x, family = binomial, data = d)\nset.seed(42)\nn_boot <- 1000\n',
    "large vector": 'counts <- c(A = 300, B = 120)\n',
    "recode": 'levels <- c(none = 0, mild = 1, severe = 2)\n',
}


def _notebook(source: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


def _check(run, name: str, text: str):
    kind = "notebook" if name.endswith(".ipynb") else "code"
    return run({name: text}, [{"path": name, "kind": kind, "description": "the analysis code"}])


@pytest.mark.parametrize("src", list(SMALL_PY.values()), ids=list(SMALL_PY))
@pytest.mark.parametrize("as_", ["py", "notebook"])
def test_a_small_count_typed_in_python_blocks(run, src, as_):
    r = _check(run, "a.py", src) if as_ == "py" else _check(run, "a.ipynb", _notebook(src))
    blocks = [f for f in r.findings if f.severity == "block"]
    assert r.verdict == "block" and blocks, said(r)
    # the refusal says where: the line of the program (of the cell for a notebook)
    assert any(f.location.get("line") for f in blocks), said(r)


@pytest.mark.parametrize("src", list(SMALL_R.values()), ids=list(SMALL_R))
def test_a_small_count_typed_in_r_blocks(run, src):
    r = _check(run, "a.R", src)
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("src", list(ORDINARY_PY.values()), ids=list(ORDINARY_PY))
@pytest.mark.parametrize("as_", ["py", "notebook"])
def test_ordinary_python_passes(run, src, as_):
    r = _check(run, "a.py", src) if as_ == "py" else _check(run, "a.ipynb", _notebook(src))
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("src", list(ORDINARY_R.values()), ids=list(ORDINARY_R))
def test_ordinary_r_passes(run, src):
    assert _check(run, "a.R", src).verdict == "pass"


def test_the_refusal_names_the_line_and_the_cell(run):
    src = "import pandas as pd\n\n\ncounts = {'A': 3, 'B': 120}\n"
    r = _check(run, "a.py", src)
    f = next(f for f in r.findings if f.severity == "block")
    assert f.location["line"] == 4 and f.location["part"] == "literal", f.location
    assert f.file == "a.py"
