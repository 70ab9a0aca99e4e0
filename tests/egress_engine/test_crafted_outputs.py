"""Outputs crafted so a reader backs off badly are checked well within the check's CPU budget.

Each member is a run that once cost a reader the square of its length (or is a neighbour of
one): 20 000 lines holding one space took 95 s (the blank-line indentation rule walked every
blank run from each of its lines), 600 digits took 8 s (every number pattern tried the run from
each digit), a run of spaces before "Regression Results" took seconds per 3 000.  The check runs
as the service runs it (``workflow.run_engine``: a forked child with a CPU budget, here 10 s,
far above what each needs: the square of 40 000 is not) and must come back with findings, not
an over-budget stop.  Found since: pygments' Python lexer on lines holding only a blank
(programs are lexed with trailing blanks removed) and trailing blanks sought with a pattern.
``bench/reading_growth.py`` prints how the cost of each grows when its length doubles."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from egress_review.request_input import parse_manifest_json
from egress_review.workflow import run_engine
from policies.sections.egress import EgressPolicy

N = 40_000
CONTENT = {
    "blank lines with a space": " \n" * (N // 2), "blank lines with a tab": "\t\n" * (N // 2),
    "indented blank runs": ("    x\n" + "    \n" * 200) * (N // 806),
    "digits": "1" * N, "digits and commas": "1," * (N // 2), "thousands": ",000" * (N // 4),
    "digits and spaces": "1 " * (N // 2), "digits per line": "1\n" * (N // 2),
    "han numerals": "三" * N, "spaces": " " * N, "newlines": "\n" * N,
    "letters": "a" * N, "latin word then bracket": "a" * N + "(王)",
    "model title": " " * N + "Regression Results\nNo. Observations: 5\n",
    "stata bars": "|" * N, "pipes and digits": "1|" * (N // 2),
    "blank lines with a form feed": "\x0c\n" * (N // 2), "comment lines": "# \n" * (N // 3),
    "title after spaces on every line": (" " * 200 + "Regression Results\n") * (N // 219),
    # the scrubber's reading across line breaks (D1 round 14): blanks after a break, a tag's blanks
    "blanks after a line break": "王\n" + " " * N + "大明", "a tag opened by blanks": "王<" + " " * N + "b>大明",
}
KINDS = {"txt": "text", "py": "code", "html": "figure"}


# R and SQL programs: a named vector's name and a SELECT's "3 AS n" were tried from inside a
# long word or run of digits (20 000: 5-7 s, the square)
PROGRAMS = {"r-word-then-vector": ("a" * N + " <- c(A = 3, B = 120)", "r"), "r-digits": ("1" * N, "r"),
            "r-han-words": ("病人" * (N // 2), "r"), "sql-digits-as": ("1" * N + " AS n_deaths", "sql"),
            "sql-digits": ("1" * N, "sql")}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_a_crafted_program_is_checked_within_its_budget(tmp_path, name):
    text, suffix = PROGRAMS[name]
    _check(tmp_path, f"prog.{suffix}", "code", text)


def _check(tmp_path, path: str, kind: str, content: str):
    (tmp_path / path).write_text(content)
    manifest = parse_manifest_json(json.dumps({
        "version": 1, "case_code": "C1", "purpose": "notes on outpatient use",
        "files": [{"path": path, "kind": kind, "description": "a note"}]}))
    policy = SimpleNamespace(egress=EgressPolicy(engine_cpu_seconds=10))
    result = run_engine(manifest, tmp_path, policy=policy)       # OverBudget would raise here
    assert result.verdict in ("pass", "review", "block")
    return result


@pytest.mark.parametrize("suffix", list(KINDS))
@pytest.mark.parametrize("name", list(CONTENT))
def test_a_crafted_output_is_checked_within_its_budget(tmp_path, name, suffix):
    result = _check(tmp_path, f"out.{suffix}", KINDS[suffix], CONTENT[name])
    if name.startswith("digits") and name != "digits and spaces" and name != "digits per line":
        # a run longer than any number goes to a person, never passes unread
        assert result.verdict != "pass", [f.message_en for f in result.findings]
