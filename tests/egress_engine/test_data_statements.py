"""E7/E2: counts typed into the data statements of every language the enclave runs.

A probe typed small counts into R ``data.frame``/``tibble``/``tribble``, SQL ``3 AS n`` and
``VALUES``, SAS ``datalines``/``cards``, Stata ``input … end``, JavaScript objects (a .js file
and an HTML page's or notebook output's Plotly/Chart.js script) and Python strings formatted
from literals ("%d patients" % 3, f"{3} patients", "{} patients".format(3)).  Each must be
refused (or, where the numbers' meaning cannot be read, sent to a reviewer); ordinary programs
in the same languages pass.
"""
from __future__ import annotations

import nbformat
import pytest

from tests.egress_engine.conftest import said

BLOCK = {
    "R data.frame": ("a.R", 'd <- data.frame(region = c("A", "B"), n = c(3, 120))\n'),
    "R tibble": ("a.R", 'd <- tibble(region = c("A", "B", "C"), patients = c(120, 2, 300))\n'),
    "R data.table": ("a.R", 'd <- data.table(sex = c("M", "F"), n = c(200, 4))\n'),
    "R tribble": ("a.R", 'd <- tibble::tribble(~region, ~n, "A", 3, "B", 120)\n'),
    "SQL AS n": ("q.sql", "SELECT 'A' AS region, 3 AS n UNION SELECT 'B', 120;\n"),
    "SQL AS n_deaths": ("q.sql", "SELECT 2 AS n_deaths;\n"),
    "SQL VALUES": ("q.sql", "INSERT INTO t (region, n) VALUES ('A', 3), ('B', 120), ('C', 200);\n"),
    "SAS datalines": ("q.sas", "data t; input region $ n; datalines;\nA 3\nB 120\nC 200\n;\nrun;\n"),
    "SAS cards": ("q.sas", "data t;\n  input sex $ n;\n  cards;\nM 200\nF 4\n;\nrun;\n"),
    "Stata input": ("q.do", "clear\ninput str1 region n\nA 3\nB 120\nC 200\nend\n"),
    "Stata input quoted": ("q.do", 'input str10 region int n\n"north" 120\n"south" 2\nend\n'),
    "Python % format": ("a.py", 'print("Region A: %d patients" % 3)\n'),
    "Python f-string": ("a.py", 'print(f"Region A: {3} patients")\n'),
    "Python .format": ("a.py", 'print("Region A: {} patients".format(3))\n'),
    "Python % tuple": ("a.py", 'print("%s: %d deaths" % ("A", 2))\n'),
}
REVIEW = {
    "JS object": ("p.js", 'var data = {"A": 3, "B": 120};\n'),
    "JS unquoted keys": ("p.js", "const counts = {north: 3, south: 120};\n"),
    "Plotly page": ("p.html", '<html><body><div id="p"></div><script>Plotly.newPlot("p", '
                              '[{"x": ["A", "B", "C"], "y": [3, 120, 200], "type": "bar"}]);'
                              '</script></body></html>'),
    "Chart.js page": ("c.html", "<script>new Chart(ctx, {type: 'bar', data: {labels: ['A', 'B'], "
                                "datasets: [{data: [3, 120]}]}});</script>"),
}


def _kind(name: str) -> str:
    return "text" if name.endswith(".html") else "code"


@pytest.mark.parametrize("case", list(BLOCK))
def test_a_small_count_in_a_data_statement_blocks(run, case):
    name, src = BLOCK[case]
    r = run({name: src}, [{"path": name, "kind": _kind(name), "description": "analysis"}])
    hits = [f for f in r.findings if f.severity == "block"]
    assert hits and any(f.location.get("line") for f in hits), said(r)


@pytest.mark.parametrize("case", list(REVIEW))
def test_script_data_is_read_never_passed(run, case):
    name, src = REVIEW[case]
    r = run({name: src}, [{"path": name, "kind": _kind(name), "description": "figure page"}])
    assert r.verdict != "pass", said(r)
    assert any(f.location.get("part") in ("literal", "script") for f in r.findings), said(r)


def test_plotly_data_in_a_notebook_output_is_read(run):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": REVIEW["Plotly page"][1]})]
    nb.cells = [cell]
    r = run({"a.ipynb": nbformat.writes(nb)},
            [{"path": "a.ipynb", "kind": "notebook", "description": "analysis"}])
    assert any(f.location.get("part") == "script" for f in r.findings), said(r)


ORDINARY = {
    "R model": ("a.R", 'd <- data.frame(x = rnorm(100), y = rnorm(100))\nfit <- lm(y ~ x, d)\n'),
    "R large frame": ("a.R", 'd <- data.frame(region = c("A", "B"), n = c(300, 120))\n'),
    "SQL query": ("q.sql", "SELECT region, COUNT(*) AS n FROM cohort GROUP BY region HAVING COUNT(*) >= 6;\n"),
    "SQL limit": ("q.sql", "SELECT * FROM t LIMIT 10;\n"),
    "SAS proc": ("q.sas", "proc freq data=cohort; tables region; run;\n"),
    "Stata regress": ("q.do", "use cohort, clear\nregress y x\n"),
    "Python formatted score": ("a.py", 'print("AUC: %.2f" % 0.85)\nprint(f"epoch {3} of {10}")\n'),
    "JS settings": ("p.js", "const layout = {width: 600, height: 400};\n"),
}


@pytest.mark.parametrize("case", list(ORDINARY))
def test_ordinary_programs_pass(run, case):
    name, src = ORDINARY[case]
    r = run({name: src}, [{"path": name, "kind": "code", "description": "analysis"}])
    assert r.verdict == "pass", said(r)
