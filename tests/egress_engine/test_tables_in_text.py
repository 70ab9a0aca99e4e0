"""A table is checked as a table whatever the file is declared as (issue 13: trust nothing the
requester declares).

A count table with a cell of 2 declared as a table blocks; the same rows pasted into a .txt or
.log declared as text, printed into a notebook (``print(df.to_csv())``), with prose around them,
with any of the usual delimiters, must block too - before, such a file went to review with
"the checks cannot tell what this number counts" on every line."""
from __future__ import annotations

import itertools

import pytest

from egress_review.engine.readers.printed import delimited_blocks
from tests.egress_engine.conftest import by
from tests.egress_engine.formats_fixtures import notebook

ROWS = [("region", "sex", "n")] + [(f"r{i}", s, str(2 if (i, s) == (3, "F") else 30 + i))
                                    for i in range(6) for s in "MF"]
SAFE = [("region", "sex", "n")] + [(f"r{i}", s, str(30 + i)) for i in range(6) for s in "MF"]


def _render(rows, delimiter: str) -> str:
    if delimiter == "|":
        return "".join("| " + " | ".join(r) + " |\n" for r in rows)
    return "".join(delimiter.join(r) + "\n" for r in rows)


AROUND = [("", ""), ("Counts by region and sex, 2023.\n\n", "\nSource: NHI claims.\n"),
          ("結果如下：\n", "以上為各區人數。\n")]


@pytest.mark.parametrize("delimiter, around, name", list(itertools.product(
    [",", "\t", ";", "|"], AROUND, ["results.txt", "run.log"])))
def test_a_disclosive_table_in_a_text_file_blocks(run, delimiter, around, name):
    text = around[0] + _render(ROWS, delimiter) + around[1]
    r = run({name: text}, [{"path": name, "kind": "text", "description": "notes"}])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert by(r, check="threshold", severity="block")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_a_table_printed_in_a_notebook_blocks(run, delimiter):
    from nbformat.v4 import new_output

    out = new_output("stream", name="stdout", text=_render(ROWS, delimiter))
    r = run({"a.ipynb": notebook([out])}, [{"path": "a.ipynb", "kind": "notebook", "description": "nb"}])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert by(r, check="threshold", severity="block")


def test_a_safe_table_in_text_raises_no_threshold_finding(run):
    r = run({"t.txt": _render(SAFE, ",")}, [{"path": "t.txt", "kind": "text", "description": "notes"}])
    assert not by(r, check="threshold", severity="block")


@pytest.mark.parametrize("text", [
    "We met on Monday, Tuesday, and Friday.\nThe weather was cold, wet, and dark.\nNo numbers here, really.\n",
    "Note: 3 visits.\nOne line, two parts\n",
    "a,b\n1,2\n",                       # two lines only: not a table
    "x | y\nfoo | bar\nbaz | qux\n",    # no numeric column
])
def test_prose_with_commas_or_bars_is_not_a_table(text):
    assert delimited_blocks(text.split("\n")) == []


def test_the_table_keeps_its_place_and_the_prose_its_line_numbers():
    lines = ("Intro line\n\n" + _render(ROWS, ",") + "Closing line\n").split("\n")
    (a, b, rows), = delimited_blocks(lines)
    assert (a, b) == (2, 2 + len(ROWS)) and rows[0] == ["region", "sex", "n"] and rows[8] == ["r3", "F", "2"]


def _escaped(rows) -> str:
    return "".join(",".join(r) + "\\n" for r in rows)


@pytest.mark.parametrize("name, source", [
    ("a.py", 'import io\nimport pandas as pd\ndata = "{esc}"\ndf = pd.read_csv(io.StringIO(data))\n'),
    ("b.py", 'DATA = """\n{raw}"""\n'),
    ("c.py", "# counts used in the paper:\n{commented}\nx = 1\n"),
    ("d.R", 'tab <- read.csv(text = "{esc}")\n'),
    ("e.sql", "-- result\n{sqlcomment}\nSELECT 1;\n"),
])
def test_a_table_inside_a_program_blocks(run, name, source):
    raw = _render(ROWS, ",")
    text = source.format(esc=_escaped(ROWS), raw=raw,
                         commented="".join("# " + ln + "\n" for ln in raw.splitlines()),
                         sqlcomment="".join("-- " + ln + "\n" for ln in raw.splitlines()))
    r = run({name: text}, [{"path": name, "kind": "code", "description": "code"}])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert by(r, check="threshold", severity="block")
