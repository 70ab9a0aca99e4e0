"""E7: data hidden in text by an encoder free to choose its alphabet and its carrier.

A probe carried data out in what the blob checks did not look for: letters of one case only
(base-26, base-32, consonant alphabets), code words ("alpha bravo …"), whitespace at line ends,
zero-width and other invisible characters, look-alike letters, many small literals, and counts
kept in a program under a setting's name, as keyword arguments, defaults or in the checks a
program makes (``assert len(cohort) == 3``).  Each class is tried here with many alphabets and
carriers (a text file, Markdown, a program's comment and string, a notebook, a table's labels)
through the engine's entry point; ordinary documents, printouts and programs must still pass.
The generated payloads come from fixed seeds, so every worker collects the same tests.
"""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import nbformat
import pytest

from egress_review.engine import covert_text as CT
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import said

ROOT = Path(__file__).resolve().parents[2]


def _rng(tag: str) -> random.Random:
    return random.Random(f"covert-{tag}")


ALPHABETS = {
    "lower26": string.ascii_lowercase,
    "upper26": string.ascii_uppercase,
    "base32": string.ascii_uppercase + "234567",
    "base36-lower": string.ascii_lowercase + string.digits,
    "base36-upper": string.ascii_uppercase + string.digits,
    "consonants": "bcdfghjklmnpqrstvwxz",
    "crockford": "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    "lower-and-dash": string.ascii_lowercase + "-",
}


def _payload(alphabet: str, n: int, tag: str, sep: str = "", every: int = 0) -> str:
    r = _rng(tag)
    s = "".join(r.choice(alphabet) for _ in range(n))
    if every:
        s = sep.join(s[i:i + every] for i in range(0, len(s), every))
    return s


def _notebook_markdown(text: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell("x = 1")]
    return nbformat.writes(nb)


def _notebook_code(src: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src)]
    return nbformat.writes(nb)


# carrier name -> (file name, kind, how the payload is put in)
CARRIERS = {
    "text": ("notes.txt", "text", lambda p: f"Results of the analysis.\n{p}\nEnd of notes.\n"),
    "markdown": ("report.md", "text", lambda p: f"# Report\n\nSee below.\n\n{p}\n"),
    "py-string": ("a.py", "code", lambda p: f"import pandas as pd\nKEY = '{p}'\n"),
    "py-comment": ("a.py", "code", lambda p: f"# {p}\nimport pandas as pd\n"),
    "r-comment": ("a.R", "code", lambda p: f"library(dplyr)\n# {p}\n"),
    "notebook": ("a.ipynb", "notebook", lambda p: _notebook_markdown(f"Notes: {p}")),
    "table-label": ("t.csv", "table", lambda p: f"region,n\n{p},120\nsouth,130\n"),
}


def _check(run, carrier: str, payload: str):
    name, kind, wrap = CARRIERS[carrier]
    entry = {"path": name, "kind": kind, "description": "analysis output"}
    if kind == "table":
        entry["columns"] = {"region": {"role": "group"}, "n": {"role": "count"}}
    return run({name: wrap(payload)}, [entry])


def _smuggling(r, severity=None):
    return [f for f in r.findings if f.check == "smuggling"
            and (severity is None or f.severity == severity)]


# --- encoded runs in an alphabet the base64/hex checks do not cover -------------------------

ENCODED = [(a, c, sep) for a in ALPHABETS for c in ("text", "py-string", "py-comment", "notebook")
           for sep in ("", "-")]


@pytest.mark.parametrize("alphabet,carrier,sep", ENCODED,
                         ids=[f"{a}-{c}-{'sep' if s else 'run'}" for a, c, s in ENCODED])
def test_encoded_runs_are_refused(run, alphabet, carrier, sep):
    payload = _payload(ALPHABETS[alphabet], 120, f"{alphabet}{carrier}", sep, 8 if sep else 0)
    r = _check(run, carrier, payload)
    assert r.verdict == "block" and _smuggling(r, "block"), said(r)


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_encoded_table_labels_are_refused(run, alphabet):
    payload = _payload(ALPHABETS[alphabet], 60, f"label{alphabet}")
    r = _check(run, "table-label", payload)
    assert r.verdict == "block" and _smuggling(r, "block"), said(r)


SYLLABLES = ["ba", "ko", "mi", "ru", "te", "so", "na", "li", "pe", "du", "fa", "gu", "ze", "wo",
             "ja", "ne"]


@pytest.mark.parametrize("carrier", ["text", "py-string", "notebook"])
def test_a_pronounceable_run_longer_than_any_word_goes_to_a_reviewer(run, carrier):
    r0 = _rng(f"syll{carrier}")
    payload = "".join(r0.choice(SYLLABLES) for _ in range(60))    # 120 letters, one "word"
    r = _check(run, carrier, payload)
    assert r.verdict != "pass" and _smuggling(r), said(r)


# --- invisible characters ---------------------------------------------------------------------

INVISIBLE = {"zwsp": "\u200b", "zwnj": "\u200c", "zwj": "\u200d", "word-joiner": "\u2060",
             "bom-inside": "\ufeff", "soft-hyphen": "\u00ad", "lrm": "\u200e", "rlo": "\u202e",
             "mongolian-vs": "\u180e", "variation-sel": "\ufe01", "tag-a": "\U000e0041",
             "hangul-filler": "\u3164", "braille-blank": "\u2800", "invisible-times": "\u2062"}
INV_CASES = [(k, c) for k in INVISIBLE for c in ("text", "py-comment", "notebook", "table-label")]


@pytest.mark.parametrize("char,carrier", INV_CASES, ids=[f"{k}-{c}" for k, c in INV_CASES])
def test_invisible_characters_carry_nothing_out(run, char, carrier):
    one = _check(run, carrier, f"north{INVISIBLE[char]}area")
    assert one.verdict != "pass" and _smuggling(one), said(one)
    r0 = _rng(char + carrier)
    bits = "".join(r0.choice(("", INVISIBLE[char])) + ch for ch in "northernregionsouthernregion"
                   * 2)
    many = _check(run, carrier, bits + INVISIBLE[char] * 16)
    assert many.verdict == "block" and _smuggling(many, "block"), said(many)


@pytest.mark.parametrize("text", ["⚠️ Counts under 10 are suppressed.", "Step 3️⃣: pool the years.",
                                  "Family 👨\u200d👩\u200d👧 households", "\ufeffRegion report\n"],
                         ids=["emoji-selector", "keycap", "emoji-sequence", "leading-bom"])
def test_what_a_reader_sees_is_not_invisible(text):
    assert CT.invisible_characters(text) == []


# --- whitespace at line ends --------------------------------------------------------------------

@pytest.mark.parametrize("alphabet", [" \t", " ", "\t", " \u3000"], ids=["mixed", "spaces", "tabs",
                                                                         "ideographic"])
def test_whitespace_at_line_ends_goes_to_a_reviewer(run, alphabet):
    r0 = _rng(f"ws{alphabet!r}")
    lines = [f"Line {i} of the methods section describes the cohort."
             + "".join(r0.choice(alphabet) for _ in range(r0.randint(1, 7))) for i in range(40)]
    r = run({"m.txt": "\n".join(lines) + "\n"}, [{"path": "m.txt", "kind": "text",
                                                   "description": "methods"}])
    assert r.verdict != "pass" and _smuggling(r), said(r)


def test_fixed_width_printouts_markdown_breaks_and_indented_blank_lines_pass():
    from tests.egress_engine.formats_fixtures import ols_summary

    md = "".join(f"Paragraph line {i}  \n" for i in range(30))
    code = "def f(x):\n    y = x + 1\n    \n    return y\n\n\nclass A:\n        \n    pass\n"
    for text in (ols_summary(300), md, code):
        assert CT.trailing_whitespace(text)[0] <= EgressPolicy().covert_trailing_space_max, text


# --- look-alike letters -------------------------------------------------------------------------

HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і"}


@pytest.mark.parametrize("carrier", ["text", "notebook", "py-comment"])
def test_look_alike_letters_go_to_a_reviewer(run, carrier):
    r0 = _rng(f"homo{carrier}")
    prose = ("the cohort was drawn from the insurance claims of people aged forty and over and "
             "followed for five years for a first admission ")
    out = "".join(HOMOGLYPHS[ch] if ch in HOMOGLYPHS and r0.random() < 0.3 else ch for ch in prose)
    r = _check(run, carrier, out)
    assert r.verdict != "pass" and _smuggling(r), said(r)


# --- code words ----------------------------------------------------------------------------------

CODEBOOKS = {
    "nato": "alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
            "november oscar papa".split(),
    "colours": "red blue green yellow purple orange black white grey brown pink cyan magenta "
               "olive navy teal".split(),
    "animals": "cat dog horse cow sheep goat duck goose mouse rat lion tiger bear wolf fox deer"
               .split(),
    "syllables": [a + b for a in "bkmrtsnl" for b in "aeiou"][:32],
    "medical": "aspirin insulin metformin statin warfarin heparin morphine codeine ibuprofen "
               "naproxen digoxin lithium".split(),
}
WORD_CASES = [(b, c) for b in CODEBOOKS for c in ("text", "markdown", "py-string", "py-comment",
                                                    "notebook")]


@pytest.mark.parametrize("book,carrier", WORD_CASES, ids=[f"{b}-{c}" for b, c in WORD_CASES])
def test_code_words_do_not_read_as_language(run, book, carrier):
    r0 = _rng(book + carrier)
    payload = " ".join(r0.choice(CODEBOOKS[book]) for _ in range(150))
    r = _check(run, carrier, payload)
    assert r.verdict != "pass" and _smuggling(r), said(r)


ORDINARY_TEXTS = {
    "methods": "We drew a cohort of adults aged forty and over from the insurance claims of "
               "2015 to 2020. Each person was followed from the first visit with a diagnosis of "
               "type 2 diabetes until death, withdrawal from the insurance or the end of 2020. "
               "The outcome was a first admission for heart failure. We fitted a Cox model with "
               "age, sex and the number of visits in the year before entry as covariates, and we "
               "report hazard ratios with their confidence intervals. Cells with fewer than ten "
               "persons were suppressed and the remaining counts were rounded to the nearest five. "
               "The analysis was done in Python with pandas and statsmodels in the research "
               "environment, and only the aggregate tables below leave it.",
    "chinese": "本研究以健保資料庫二〇一五至二〇二〇年門診申報資料，選取四十歲以上第二型糖尿病病人，"
               "追蹤至死亡、退保或二〇二〇年底。主要結果為首次因心衰竭住院。以 Cox 模型估計風險比，"
               "校正年齡、性別及前一年就診次數。少於十人之細格已隱藏，其餘人數取至最接近的五。",
    "references": "1. Smith J, Chen L. Diabetes and heart failure in Taiwan. J Epidemiol. 2020;30:1-9.\n"
                  "2. Lin Y, Wang H. Claims data for research: validation of diagnosis codes. "
                  "Pharmacoepidemiol Drug Saf. 2019;28:123-130.\n"
                  "3. Hsieh CY, Su CC, Shao SC, et al. Taiwan's National Health Insurance Research "
                  "Database: past and future. Clin Epidemiol. 2019;11:349-358.\n"
                  "4. Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34:187-220.\n"
                  "5. Austin PC. An introduction to propensity score methods for reducing the "
                  "effects of confounding in observational studies. Multivariate Behav Res. "
                  "2011;46:399-424.\n"
                  "6. Hernan MA, Robins JM. Using big data to emulate a target trial when a "
                  "randomized trial is not available. Am J Epidemiol. 2016;183:758-764.\n"
                  "7. Benchimol EI, Smeeth L, Guttmann A, et al. The REporting of studies Conducted "
                  "using Observational Routinely-collected health Data (RECORD) statement. PLoS "
                  "Med. 2015;12:e1001885.\n",
}


@pytest.mark.parametrize("name", sorted(ORDINARY_TEXTS))
@pytest.mark.parametrize("carrier", ["text", "markdown", "notebook"])
def test_ordinary_documents_pass(run, name, carrier):
    r = _check(run, carrier, ORDINARY_TEXTS[name])
    assert not _smuggling(r), said(r)


def test_the_projects_own_documents_and_programs_read_as_ordinary_text():
    """The docs of this project (Markdown, English and Chinese) and its programs are an ordinary
    corpus of a few hundred files: nothing of them is refused as encoded."""
    pol = EgressPolicy()
    blocked, reviewed = [], []
    files = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
    files += sorted(p for d in ("egress_review", "enclave", "deidentify", "datasets")
                    for p in (ROOT / d).rglob("*.py"))
    assert len(files) > 200
    for p in files:
        text = p.read_text(encoding="utf-8")
        for sev, loc, en, _ in CT.findings(text, pol, prose=p.suffix == ".md"):
            (blocked if sev == "block" else reviewed).append((str(p.relative_to(ROOT)), loc, en))
    assert not blocked, blocked
    assert len(reviewed) <= 3, reviewed


# --- many small literals --------------------------------------------------------------------------

@pytest.mark.parametrize("as_", ["py", "notebook"])
@pytest.mark.parametrize("shape", ["lists", "tuples", "sets"])
def test_data_split_over_many_small_literals_goes_to_a_reviewer(run, as_, shape):
    r0 = _rng(shape + as_)
    o, c = {"lists": "[]", "tuples": "()", "sets": "{}"}[shape]
    src = "".join(f"v{i} = {o}{', '.join(str(r0.randint(0, 255)) for _ in range(12))}{c}\n"
                  for i in range(25))
    if as_ == "py":
        r = run({"a.py": src}, [{"path": "a.py", "kind": "code", "description": "code"}])
    else:
        r = run({"a.ipynb": _notebook_code(src)},
                [{"path": "a.ipynb", "kind": "notebook", "description": "code"}])
    assert r.verdict != "pass" and _smuggling(r), said(r)


# --- counts kept in a program under other names ---------------------------------------------------

HIDDEN_COUNTS = {
    "map named config": "config = {'north': 3, 'south': 120, 'east': 47}\n",
    "map named params": "params = {'甲區': 3, '乙區': 120}\n",
    "map named labels": "labels = {'north': 4, 'south': 130}\n",
    "map named thresholds": "thresholds = {'male': 2, 'female': 140}\n",
    "map named rows": "rows = {'N': 3, 'S': 120}\n",
    "keyword arguments": "report(north=3, south=120, east=47)\n",
    "keyword arguments 2": "summarise(cases_north=4, cases_south=99)\n",
    "defaults": "def table(north=3, south=120):\n    return north, south\n",
    "keyword-only defaults": "def table(*, male=2, female=140):\n    return male\n",
    "assert on a lookup": "assert df.loc['north', 'n'] == 3\n",
    "assert on len": "assert len(cohort_north) == 3\n",
    "assert on sum": "assert deaths.sum() == 4\n",
    "assert on shape": "assert north_df.shape[0] == 2\n",
    "compare count name": "if deaths_north != 4:\n    raise ValueError('changed')\n",
    "reversed compare": "assert 3 == len(cohort_north)\n",
    "numpy grid": "import numpy as np\nx = np.array([[3, 120], [47, 2]])\n",
    "grid of lists": "m = [[3, 120, 9], [47, 2, 88]]\n",
    "count-named grid": "counts = [[3, 120], [47, 2]]\n",
}


@pytest.mark.parametrize("src", list(HIDDEN_COUNTS.values()), ids=list(HIDDEN_COUNTS))
@pytest.mark.parametrize("as_", ["py", "notebook"])
def test_counts_kept_under_other_names_do_not_pass(run, src, as_):
    if as_ == "py":
        r = run({"a.py": src}, [{"path": "a.py", "kind": "code", "description": "code"}])
    else:
        r = run({"a.ipynb": _notebook_code(src)},
                [{"path": "a.ipynb", "kind": "notebook", "description": "code"}])
    assert r.verdict != "pass", said(r)


ORDINARY_CODE = {
    "model settings": "params = {'max_depth': 3, 'n_estimators': 200}\n"
                      "clf = RandomForestClassifier(n_jobs=2, random_state=42, **params)\n",
    "time deltas": "from datetime import timedelta, datetime\nd = timedelta(days=3, hours=4)\n"
                   "t = datetime(year=2020, month=1, day=1)\n",
    "axis limits": "ax.set_xlim(left=0, right=10)\nax.set_ylim(bottom=0, top=5)\n",
    "recode": "df['sex'] = df['sex'].map({'M': 1, 'F': 2})\nlevels = {'none': 0, 'mild': 1}\n",
    "asserts on structure": "assert df.shape[1] == 3\nassert list(df.columns) == ['a', 'b']\n"
                            "assert n_missing == 0\n",
    "loop": "for i in range(3):\n    print(i)\n",
    "defaults that are settings": "def fit(x, n_splits=5, max_iter=200, seed=42):\n    pass\n",
    "plot": "plt.plot([1, 2, 3], [4, 5, 6])\nfig, ax = plt.subplots(1, 2, figsize=(6, 4))\n",
    "rc": "plt.rcParams.update({'font.size': 9, 'axes.titlesize': 10})\n",
    "pydantic bounds": "age: int = Field(ge=0, le=120)\n",
}


@pytest.mark.parametrize("src", list(ORDINARY_CODE.values()), ids=list(ORDINARY_CODE))
def test_ordinary_code_passes(run, src):
    r = run({"a.py": src}, [{"path": "a.py", "kind": "code", "description": "code"}])
    assert r.verdict == "pass", said(r)
