"""Members of the classes test_declared_round3.py tries: each body holds ⟨3⟩ and ⟨2⟩ where the
small counts go, so one text gives the disclosive output and, with large counts, its honest
twin.  (path, body, declared kind)."""
from __future__ import annotations

import json


def nb(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      ensure_ascii=False)


def md_cell(src: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": src}


def out_cell(outputs: list[dict]) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "show(t)",
            "outputs": outputs}


ALIGNED = "region   deaths\nNorth    120\nSouth    ⟨3⟩\nEast     140\n"
FRAMED = ("+--------+--------+\n| region | deaths |\n+--------+--------+\n| North  |    120 |\n"
          "| South  |      ⟨3⟩ |\n| East   |    140 |\n+--------+--------+\n")
PIPES = "| region | deaths |\n|---|---|\n| North | 120 |\n| South | ⟨3⟩ |\n| East | 140 |\n"
TABULAR = ("\\begin{tabular}{lr}\n\\hline\nRegion & Deaths \\\\\n\\hline\nNorth & 120 \\\\\n"
           "South & ⟨3⟩ \\\\\nEast & 140 \\\\\n\\hline\n\\end{tabular}\n")


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + ln + "\n" for ln in text.splitlines())


HIDDEN = {
    # a table typed into a Python docstring, a comment or a string
    "py docstring aligned": ("a.py", 'def f():\n    """Deaths by region\n\n' + _indent(ALIGNED, "    ")
                             + '    """\n    return 1\n', "code"),
    "py docstring two-word labels": ("a.py", 'def f():\n    """\n    region        deaths\n'
                                     '    New York      120\n    San Diego     ⟨3⟩\n    El Paso       140\n'
                                     '    """\n', "code"),
    "py docstring framed": ("a.py", 'def f():\n    """\n' + _indent(FRAMED, "    ") + '    """\n', "code"),
    "py docstring pipes": ("a.py", 'def f():\n    """\n' + _indent(PIPES, "    ") + '    """\n', "code"),
    "py docstring one space": ("a.py", 'def f():\n    """\n    region deaths\n    North 120\n'
                               '    South ⟨3⟩\n    East 140\n    """\n', "code"),
    "py comment aligned": ("a.py", _indent(ALIGNED, "# ") + "x = 1\n", "code"),
    "py comment markdown": ("a.py", _indent(PIPES, "# ") + "x = 1\n", "code"),
    "py string tab escapes": ("a.py", 's = "region\\tdeaths\\nNorth\\t120\\nSouth\\t⟨3⟩\\nEast\\t140"\n',
                              "code"),
    "py numpy matrix": ("a.py", "import numpy as np\ncounts = np.array([[120, ⟨3⟩, 140], [88, ⟨2⟩, 97]])\n",
                        "code"),
    "R comment aligned": ("a.R", _indent(ALIGNED, "## ") + "x <- 1\n", "code"),
    "SQL comment aligned": ("q.sql", _indent(ALIGNED, "-- ") + "SELECT 1;\n", "code"),
    # MATLAB / Octave / Julia
    "MATLAB matrix": ("a.m", "counts = [120 ⟨3⟩ 140; 88 ⟨2⟩ 97];\n", "code"),
    "MATLAB commas after a comment": ("a.m", "% deaths by region\ncounts = [120, ⟨3⟩, 140; 88, ⟨2⟩, 97];\n",
                                      "code"),
    "MATLAB continued rows": ("a.m", "cases = [120, ⟨3⟩, 140, ...\n         88, ⟨2⟩, 97];\n", "code"),
    "MATLAB struct field": ("a.m", "s.deaths = [120 ⟨3⟩ 140];\n", "code"),
    "MATLAB table()": ("t.m", "T = table({'N';'S';'E'}, [120;⟨3⟩;140], 'VariableNames', "
                              "{'region','deaths'});\n", "code"),
    "MATLAB array2table": ("t.m", "T = array2table([120 ⟨3⟩; 140 ⟨2⟩], 'VariableNames', "
                                  "{'cases_a','cases_b'});\n", "code"),
    "Octave in a .txt": ("notes.txt", "deaths = [120 ⟨3⟩ 140; 88 ⟨2⟩ 97]\n", "text"),
    "Julia matrix": ("a.jl", "counts = [120 ⟨3⟩ 140; 88 ⟨2⟩ 97]\n", "code"),
    "Julia DataFrame": ("a.jl", 'df = DataFrame(region=["N","S","E"], deaths=[120, ⟨3⟩, 140])\n', "code"),
    # R
    "R c() count-named": ("a.R", "deaths <- c(120, ⟨3⟩, 140)\n", "code"),
    "R matrix(c())": ("a.R", "deaths <- matrix(c(120, ⟨3⟩, 140, 88, ⟨2⟩, 97), nrow = 2)\n", "code"),
    "R rbind count-named": ("a.R", "n_pts <- rbind(c(120, ⟨3⟩, 140), c(88, ⟨2⟩, 97))\n", "code"),
    "R data.frame": ("a.R", "d <- data.frame(region = c('N','S','E'), deaths = c(120, ⟨3⟩, 140))\n", "code"),
    "R tribble": ("a.R", "d <- tribble(~region, ~deaths,\n 'N', 120,\n 'S', ⟨3⟩,\n 'E', 140)\n", "code"),
    "R c() in a .py": ("a.py", "deaths <- c(120, ⟨3⟩, 140)\n", "code"),
    # SQL
    "SQL INSERT": ("a.sql", "INSERT INTO t (region, deaths) VALUES ('N', 120), ('S', ⟨3⟩), ('E', 140);\n",
                   "code"),
    "SQL VALUES AS t(cols)": ("a.sql", "SELECT * FROM (VALUES ('N', 120), ('S', ⟨3⟩), ('E', 140)) "
                                       "AS t(region, deaths);\n", "code"),
    "SQL WITH t(cols) AS (VALUES)": ("a.sql", "WITH t(region, deaths) AS (VALUES ('N', 120), ('S', ⟨3⟩), "
                                              "('E', 140)) SELECT * FROM t;\n", "code"),
    # JavaScript / JSON / YAML
    "JS named object": ("a.js", "const deaths = {North: 120, South: ⟨3⟩, East: 140};\n", "code"),
    "JS named array": ("a.js", "var n_pts = [120, ⟨3⟩, 140];\n", "code"),
    "JS array of rows": ("a.js", "const rows = [{region: 'N', deaths: 120}, {region: 'S', deaths: ⟨3⟩}];\n",
                         "code"),
    "JSON named map": ("c.json", '{"deaths": {"North": 120, "South": ⟨3⟩, "East": 140}}', "text"),
    "YAML named map": ("c.yaml", "deaths:\n  North: 120\n  South: ⟨3⟩\n  East: 140\n", "text"),
    # Stata / SAS
    "Stata input": ("a.do", 'clear\ninput str5 region deaths\n"N" 120\n"S" ⟨3⟩\n"E" 140\nend\n', "code"),
    "SAS datalines": ("a.sas", "data t;\ninput region $ deaths;\ndatalines;\nN 120\nS ⟨3⟩\nE 140\n;\nrun;\n",
                      "code"),
    "Stata tabulate log": ("o.log", "     region |      Freq.     Percent        Cum.\n"
                                    "------------+-----------------------------------\n"
                                    "      North |        120       45.11       45.11\n"
                                    "      South |          ⟨3⟩        1.13       46.24\n"
                                    "       East |        140       52.63      100.00\n", "text"),
    # LaTeX
    "LaTeX in .tex": ("t.tex", TABULAR, "text"),
    "LaTeX rows on one line": ("t.tex", "\\begin{tabular}{lr} Region & Deaths \\\\ North & 120 \\\\ "
                                        "South & ⟨3⟩ \\\\ East & 140 \\end{tabular}\n", "text"),
    "LaTeX booktabs in .md": ("a.md", "Results\n\n\\begin{tabular}{lr}\n\\toprule\n\\textbf{Region} & "
                                      "\\textbf{Deaths} \\\\\n\\midrule\nNorth & 120 \\\\\nSouth & ⟨3⟩ \\\\\n"
                                      "East & 140 \\\\\n\\bottomrule\n\\end{tabular}\n", "text"),
    "LaTeX in notebook markdown": ("n.ipynb", nb([md_cell(TABULAR)]), "notebook"),
    "LaTeX notebook output": ("n.ipynb", nb([out_cell([{"output_type": "execute_result", "execution_count": 1,
                                                        "metadata": {}, "data": {"text/latex": TABULAR}}])]),
                              "notebook"),
    # Markdown and ASCII art in notebooks, logs and pages
    "Markdown in notebook markdown": ("n.ipynb", nb([md_cell(PIPES)]), "notebook"),
    "Markdown in notebook output": ("n.ipynb", nb([out_cell([{"output_type": "stream", "name": "stdout",
                                                              "text": PIPES}])]), "notebook"),
    "ASCII art in notebook output": ("n.ipynb", nb([out_cell([{"output_type": "stream", "name": "stdout",
                                                               "text": FRAMED}])]), "notebook"),
    "ASCII art in .txt": ("a.txt", FRAMED, "text"),
    "aligned .log under a log line": ("run.log", "2026-01-01 step 3\n" + ALIGNED, "text"),
    "HTML <pre>": ("p.html", "<html><body><pre>\n" + ALIGNED + "</pre></body></html>", "text"),
    "Markdown <pre>": ("p.md", "# Out\n\n<pre>\n" + FRAMED + "</pre>\n", "text"),
}


def small(body: str) -> str:
    return body.replace("⟨3⟩", "3").replace("⟨2⟩", "2")


def large(body: str) -> str:
    return body.replace("⟨3⟩", "130").replace("⟨2⟩", "97")


# (d) more ways to write the same numbers so that a reader took them for something else
HIDDEN.update({
    "R integers 3L": ("a.R", "deaths <- c(120L, ⟨3⟩L, 140L)\n", "code"),
    "R named integers 3L": ("a.R", "deaths <- c(North = 120L, South = ⟨3⟩L, East = 140L)\n", "code"),
    "R as.integer(c())": ("a.R", "deaths <- as.integer(c(120, ⟨3⟩, 140))\n", "code"),
    "R right assignment": ("a.R", "c(120, ⟨3⟩, 140) -> deaths\n", "code"),
    "R assign()": ("a.R", "assign('deaths', c(120, ⟨3⟩, 140))\n", "code"),
    "R indexed entries": ("a.R", "deaths <- list()\ndeaths[['North']] <- 120\ndeaths[['South']] <- ⟨3⟩\n"
                                 "deaths[['East']] <- 140\n", "code"),
    "MATLAB int32([])": ("a.m", "deaths = int32([120 ⟨3⟩ 140]);\n", "code"),
    "MATLAB struct entries": ("a.m", "deaths.North = 120;\ndeaths.South = ⟨3⟩;\ndeaths.East = 140;\n", "code"),
    "MATLAB containers.Map": ("a.m", "deaths = containers.Map({'N','S','E'}, {120, ⟨3⟩, 140});\n", "code"),
    "Julia Dict": ("a.jl", 'deaths = Dict("N" => 120, "S" => ⟨3⟩, "E" => 140)\n', "code"),
    "JS new Map": ("a.js", 'const deaths = new Map([["N", 120], ["S", ⟨3⟩], ["E", 140]]);\n', "code"),
    "JS typed name": ("a.js", "const deaths: Record<string, number> = {North: 120, South: ⟨3⟩, East: 140};\n",
                      "code"),
    "Python numbers as strings": ("a.py", 'deaths = {"North": "120", "South": "⟨3⟩", "East": "140"}\n', "code"),
})
