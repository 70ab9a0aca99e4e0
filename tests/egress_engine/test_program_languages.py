"""E7: a program's comments are read with its own language's grammar, whatever its suffix's case.

Pygments picks a lexer by file-name patterns: ``.r`` was Rebol (only ``.R`` is R), ``.m``
Objective-C, ``.stata`` nothing.  Under the wrong grammar an R ``#`` comment or a MATLAB ``%``
comment is not a comment, so words hidden there were not read as the program's words (and
Rebol's URL rule cost the square of a long word: 40 000 letters in an ``.r`` file ran over the
check's budget).  Each language the enclave accepts is tried here in lower and upper case with a
code-word payload in a comment, and with an ordinary program that must pass.
"""
from __future__ import annotations

import random

import pytest

from egress_review.engine.readers.lexers import LANGUAGES, lexer_for
from tests.egress_engine.conftest import said

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima".split()
PAYLOAD = " ".join(random.Random("program-languages").choice(WORDS) for _ in range(150))

# suffix -> (a comment line holding the text, an ordinary program around it)
PROGRAMS = {
    "py": ("# {}", "import pandas as pd\ndf = pd.read_parquet('claims.parquet')\n{}\nprint(df.shape)\n"),
    "r": ("# {}", "library(dplyr)\ndf <- read.csv('claims.csv')\n{}\nsummary(df)\n"),
    "sql": ("-- {}", "SELECT sex, count(*) AS n\nFROM claims\n{}\nGROUP BY sex;\n"),
    "sas": ("/* {} */", "data work.a;\n  set claims;\nrun;\n{}\nproc freq data=work.a; tables sex; run;\n"),
    "do": ("// {}", "use claims, clear\n{}\ntabulate sex\n"),
    "stata": ("// {}", "use claims, clear\n{}\ntabulate sex\n"),
    "m": ("% {}", "data = readtable('claims.csv');\n{}\ndisp(height(data));\n"),
    "jl": ("# {}", "using DataFrames\ndf = DataFrame(a = [1, 2])\n{}\nprintln(size(df))\n"),
    "sh": ("# {}", "set -e\n{}\necho done\n"),
    "js": ("// {}", "const rows = [];\n{}\nconsole.log(rows.length);\n"),
}
CASES = [(s, c) for s in PROGRAMS for c in ("lower", "upper")]


def _name(suffix: str, case: str) -> str:
    return "analysis." + (suffix if case == "lower" else suffix.upper())


def _program(suffix: str, words: str) -> str:
    comment, body = PROGRAMS[suffix]
    return body.format(comment.format(words))


@pytest.mark.parametrize("suffix,case", CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_the_grammar_is_the_programs_language(suffix, case):
    want = {"python": "PythonLexer", "r": "SLexer", "tsql": "TransactSqlLexer", "sas": "SASLexer",
            "stata": "StataLexer", "bash": "BashLexer", "julia": "JuliaLexer",
            "javascript": "JavascriptLexer", "matlab": "MatlabLexer"}[LANGUAGES[suffix]]
    assert type(lexer_for(_name(suffix, case))).__name__ == want


@pytest.mark.parametrize("suffix,case", CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_code_words_in_a_comment_are_read_as_the_programs_words(run, suffix, case):
    name = _name(suffix, case)
    r = run({name: _program(suffix, PAYLOAD)}, [{"path": name, "kind": "code", "description": "analysis"}])
    assert r.verdict != "pass", said(r)
    assert [f for f in r.findings if f.check == "smuggling"], said(r)


@pytest.mark.parametrize("suffix,case", CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_an_ordinary_program_with_comments_passes(run, suffix, case):
    name = _name(suffix, case)
    words = "read the claims and count persons by sex for the descriptive table"
    r = run({name: _program(suffix, words)}, [{"path": name, "kind": "code", "description": "analysis"}])
    assert not [f for f in r.findings if f.check == "smuggling"], said(r)
