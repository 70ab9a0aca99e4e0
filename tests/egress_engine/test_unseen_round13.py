"""Unseen outputs, round 13 (rule E2 small counts, E3 differencing; E4/E6 outputs that pass when
declared misleadingly).  Probed from outside through ``check_request``:

- (a) a share of a stated group written as a fraction: "Of the 9 patients in Lanyu, a third
  died", "one-fifth were women", "1/8 died", 「五分之二」, 「三成」 (``prose.fraction_share``:
  before, only a closed list of English fractions followed by "of" was read, so these passed);
- (b) a category that is wholly a cut with nothing before it ("Excluding Lanyu", 「蘭嶼除外」,
  「不含蘭嶼」) against an earlier "All": read as a margin, everyone less the part
  (``tables.bare_cut``; before, only an inconsistency went to review);
- (c) numbers at risk under headers that did not say "number" ("at risk", "No. at risk",
  "risk set", 「在險人數」) in a text's table: each fall of 1 … k−1 is persons leaving
  (``unit_tables.COUNT_WORDS``; before, the column had no known role: review only).

- (d) counts with a trace added to each (120.0003, 3.0001, 2.9999) declared a median, SD, mean:
  the whole numbers went to a reviewer, the traced ones passed as a median or SD
  (``structure.whole_with_trace``).

- (e) a count a program writes as arithmetic on literals: ``deaths_lanyu = 120 - 117``,
  ``{"Lanyu": 123 - 120}``, ``int("3")``, ``len([...])``, ``sum([1, 1, 1])``, R ``<- 120 - 117``
  (``readers/const_expr``: evaluated, never run; before, only a bare literal was read and these
  passed).

- (f) counts in words no number pattern read: a bound ("single-digit deaths", "in single
  digits", 「個位數」, "under a dozen": now a reviewer's, as "fewer than ten deaths" is) and the
  persons left out of "all" ("Apart from three, all Lanyu patients survived", "Save for 3,
  nobody died": block) (``prose.words_for_counts``).

- (g) JSON Lines (``.jsonl``, ``.ndjson``, ``.jsonlines``): records read as a table
  (``structured.read_jsonl``; before, an unknown format whose numbers went to a reviewer).

- (h) the group size a row's dispersion statistics give away whatever units it declares: SD
  and SE (n = (SD/SE)²), SD or SE beside a 95 % confidence interval of the mean (t(n−1) is far
  from 1.96 for a small group), declared with the cohort's N as units or found in Markdown
  (``implied_n``: passed before).

- (i) over-reading closed (round 12 left it open): a grid of whole numbers named by any list
  of strings of its length was read as counts (``layers = ['conv', 'pool', 'dense']`` beside a
  kernel grid blocked); now only category names or a counting name make it a table
  (``code_literals.grid_names_count``), anything else goes to a reviewer as before.

- (j) a notebook cell ending in a counting expression (``len(…)``, ``nrow(…)``,
  ``.nunique()``, ``.sum()`` of a mask, ``.shape``) whose output is one number: that number is
  the count (``notebook.counted_output``; before, a number of no known role: review).

Every attack has a safe counterpart that must pass (or keep only the review every figure gets).
"""
from __future__ import annotations

import pytest

from egress_review.engine.history import ReleaseHistory
from egress_review.manifest import parse_manifest
from tests.egress_engine.conftest import COUNT, G, by, said, table


def _text(run, name, body, desc="summary of results"):
    return run({name: body}, [{"path": name, "kind": "text", "description": desc}])


def _history(tmp_path, releases):
    items = []
    for k, files in enumerate(releases):
        d = tmp_path / f"released{k}"
        d.mkdir()
        for name, text, _ in files:
            (d / name).write_text(text, encoding="utf-8")
        items.append((parse_manifest({"version": 1, "case_code": "R-TEST", "purpose": "p",
                                      "files": [e for _, _, e in files]}), d))
    return ReleaseHistory.from_released(items)


# ---- (a) fractions of a stated group ------------------------------------------------------------
FRACTIONS = {
    "a third after the group": ("Of the 9 patients in Lanyu, a third died.", 3),
    "a quarter after the group": ("Of the 12 patients in Lanyu, a quarter died.", 3),
    "one-fifth": ("Among 10 patients in Lanyu, one-fifth died.", 2),
    "two fifths were": ("Of the 10 patients treated in Lanyu, two fifths were women.", 4),
    "three tenths": ("In Lanyu (10 patients), three tenths received insulin.", 3),
    "an eighth": ("Of 32 Lanyu patients, an eighth developed sepsis.", 4),
    "digits 1/8": ("Of 40 Lanyu patients, 1/8 died.", 5),
    "digits 2/9 of": ("2/9 of the 18 Lanyu patients were readmitted.", 4),
    "half alone": ("In Lanyu 8 patients were treated; half died.", 4),
    "五分之二": ("蘭嶼10名病人中，五分之二為女性。", 4),
    "十分之三": ("蘭嶼共10名病人，十分之三死亡。", 3),
    "三成": ("蘭嶼10名病人中三成死亡。", 3),
    "四成五": ("蘭嶼的 20 名病人中，四成五住院。", 9),       # 9 persons: not small, see below
}


@pytest.mark.parametrize("case", [k for k, (_, v) in FRACTIONS.items() if v < 6])
def test_a_fraction_of_a_small_group_blocks(run, case):
    text, value = FRACTIONS[case]
    r = _text(run, "r.txt", text + "\n")
    hits = by(r, check="prose", severity="block")
    assert r.verdict == "block" and any(f" is {value} " in f.message_en for f in hits), said(r)


@pytest.mark.parametrize("text", [
    "Of the 120 patients in Lanyu, a third died.",                # 40 persons
    "蘭嶼的 20 名病人中，四成五住院。",                              # 9 persons
    "Of the 60 patients, one-fifth were women.",
    "A third dose was given to 120 patients.",                    # an ordinal, no share
    "On 1/8, 120 patients were seen.",                            # a date, no share
    "Treatment was completed (完成) by 120 patients; 成人 140 名。",
])
def test_fractions_of_large_groups_and_look_alikes_do_not_block(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert not by(r, check="prose", severity="block"), said(r)


# ---- (b) a cut with nothing before it against an earlier total -----------------------------------
BARE_CUTS = [("region", "All", "Excluding Lanyu"), ("region", "Total", "Except Lanyu"),
             ("region", "Overall", "excl. Lanyu"), ("region", "All", "All but Lanyu"),
             ("region", "All", "Except for Lanyu"),
             ("地區", "全部", "蘭嶼除外"), ("地區", "合計", "不含蘭嶼"), ("地區", "總計", "扣除蘭嶼"),
             ("地區", "全部", "除了蘭嶼"), ("地區", "全體", "不包括蘭嶼"), ("地區", "全部", "排除蘭嶼")]


@pytest.mark.parametrize("head,total,cut", BARE_CUTS)
@pytest.mark.parametrize("order", ["total first", "cut first"])
def test_a_bare_cut_against_the_total_blocks(tmp_path, run, head, total, cut, order):
    old, new = (f"{head},n\n{total},500\n", f"{head},n\n{cut},497\n")
    if order == "cut first":
        old, new = f"{head},n\n{cut},497\n", f"{head},n\n{total},500\n"
    h = _history(tmp_path, [[("old.csv", old, table("old.csv", {head: G, "n": COUNT}))]])
    r = run({"t.csv": new}, [table("t.csv", {head: G, "n": COUNT})], history=h)
    assert r.verdict == "block" and any(
        f.location.get("value") == 3 for f in by(r, check="differencing", severity="block")), said(r)


@pytest.mark.parametrize("old,new", [
    ("region,n\nAll,500\n", "region,n\nExcluding Lanyu,470\n"),                      # far apart
    (None, "region,n\nNorth,200\nSouth,270\nExcluding Lanyu,470\n"),                  # its parts
    ("地區,n\n全部,500\n", "地區,n\n台北,300\n台灣以外,200\n"),   # abroad is a category, no cut
    ("place,n\nHospital,300\nHome,150\n", "place,n\nHospital,300\nHome,150\nOther than hospital or home,50\n"),
])
def test_bare_cuts_that_reveal_nothing_pass(tmp_path, run, old, new):
    head = new.split(",")[0]
    kw = {}
    if old:
        kw["history"] = _history(tmp_path, [[("old.csv", old, table("old.csv", {head: G, "n": COUNT}))]])
    r = run({"t.csv": new}, [table("t.csv", {head: G, "n": COUNT})], **kw)
    assert r.verdict == "pass", said(r)


# ---- (c) numbers at risk under other headers -----------------------------------------------------
@pytest.mark.parametrize("header", ["at risk", "No. at risk", "risk set", "At-risk", "在險人數",
                                    "在險"])
def test_numbers_at_risk_under_any_header_block_a_small_fall(run, header):
    md = f"| time | {header} |\n|---|---|\n| 0 | 120 |\n| 30 | 117 |\n| 60 | 90 |\n"
    r = _text(run, "km.md", md)
    assert r.verdict == "block" and by(r, check="survival", severity="block"), said(r)


@pytest.mark.parametrize("header", ["at risk", "在險人數"])
def test_numbers_at_risk_falling_in_large_steps_are_no_survival_block(run, header):
    md = f"| time | {header} |\n|---|---|\n| 0 | 120 |\n| 30 | 100 |\n| 60 | 90 |\n"
    r = _text(run, "km.md", md)
    assert not by(r, check="survival"), said(r)


# ---- (d) counts with a trace added ---------------------------------------------------------------
TRACED = {"plus": ("120.0003", "3.0001", "140.0002"), "minus": ("119.9998", "2.9999", "140.0002"),
          "tiny": ("120.0000001", "3.0000002", "140"), "mixed": ("120", "3.0009", "139.998")}


@pytest.mark.parametrize("stat", ["median", "std", "mean"])
@pytest.mark.parametrize("case", list(TRACED))
def test_counts_with_a_trace_declared_a_statistic_do_not_pass(run, stat, case):
    a, b, c = TRACED[case]
    r = run({"t.csv": f"region,n,value\nA,500,{a}\nB,500,{b}\nC,400,{c}\n"},
            [table("t.csv", {"region": G, "n": COUNT,
                             "value": {"role": "statistic", "statistic": stat, "units_column": "n"}})])
    hits = [f for f in by(r, check="structure") if "trace" in f.message_en]
    assert r.verdict != "pass" and hits and hits[0].location.get("row") is not None, said(r)


@pytest.mark.parametrize("stat,values", [
    ("median", ("54.5", "61.0", "58.25")), ("std", ("12.31", "9.87", "11.02")),
    ("mean", ("54.0004", "61.2", "58.25")),          # one value near a whole number is chance
])
def test_real_statistics_are_no_traced_counts(run, stat, values):
    a, b, c = values
    r = run({"t.csv": f"region,n,value\nA,500,{a}\nB,500,{b}\nC,400,{c}\n"},
            [table("t.csv", {"region": G, "n": COUNT,
                             "value": {"role": "statistic", "statistic": stat, "units_column": "n"}})])
    assert not [f for f in by(r, check="structure") if "trace" in f.message_en], said(r)
    if stat != "mean":                                # a mean goes to dominance review anyway
        assert r.verdict == "pass", said(r)


# ---- (e) counts written as arithmetic in programs ------------------------------------------------
ARITHMETIC = {
    "a.py": ["deaths_lanyu = 120 - 117\n", "n_deaths_lanyu = 1 * 3\n", "cases_lanyu = int('3')\n",
             "n_deaths_lanyu = len(['a', 'b', 'c'])\n", "deaths_lanyu = sum([1, 1, 1])\n",
             "deaths_lanyu = (240 - 234) // 2\n", "deaths_lanyu = round(3.2)\n",
             "deaths_lanyu = 0x3 + 0\n", "counts = {'North': 120, 'South': 140, 'Lanyu': 123 - 120}\n",
             "deaths = [120, 140, 126 - 123]\nregions = ['North', 'South', 'Lanyu']\n",
             "n_cases_lanyu: int = 6 - 3\n", "deaths_lanyu = abs(117 - 120)\n",
             "deaths_north, deaths_lanyu = 120, 3\n", "deaths = {'North': 120, 'Lanyu': True + True + True}\n",
             "deaths_lanyu = ord('\\x03')\n"],
    "a.R": ["deaths_lanyu <- 120 - 117\n", "n_cases <- (120L - 117L)\n", "deaths_lanyu = 6 / 2\n",
            "deaths_lanyu <- as.integer('3')\n", "deaths_lanyu <- length(c('a', 'b', 'c'))\n",
            "deaths_lanyu <- sum(c(1, 1, 1))\n", "deaths <- c(North = 120, Lanyu = 126 - 123)\n",
            "deaths_lanyu <- 126 %/% 42\n"],
}


@pytest.mark.parametrize("name,src", [(n, s) for n, srcs in ARITHMETIC.items() for s in srcs])
def test_counts_written_as_arithmetic_block(run, name, src):
    r = run({name: src}, [{"path": name, "kind": "code", "description": "analysis code"}])
    assert r.verdict == "block" and any(
        f.severity == "block" and f.check in ("prose", "threshold") for f in r.findings), said(r)


@pytest.mark.parametrize("name,src", [
    ("a.py", "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(6 * 2, 4))\n"),
    ("a.py", "n_jobs = 2 * 4\n"), ("a.py", "deaths_lanyu = 60 + 60\n"),
    ("a.py", "n_deaths = len(df)\n"), ("a.py", "n_patients = 10 ** 3\n"),
    ("a.py", "x = 2 ** 1000000\ny = 9 ** 9 ** 9\n"),         # evaluated cheaply or not at all
    ("a.py", "n_cases = '3' * 3\n"), ("a.R", "deaths_lanyu <- 60 + 60\n"),
    ("a.R", "alpha <- 1 - 0.95\n"), ("a.R", "deaths_lanyu <- system('echo 3')\n"),
    ("a.R", "n_deaths <- nrow(df) - 117\n"), ("a.py", "n_deaths, n_alive = len(a), len(b)\n"),
])
def test_arithmetic_that_is_no_small_count_passes(run, name, src):
    r = run({name: src}, [{"path": name, "kind": "code", "description": "analysis code"}])
    assert r.verdict == "pass", said(r)


# ---- (f) counts in words: bounds and the persons left out of "all" -------------------------------
@pytest.mark.parametrize("text", [
    "Deaths in Lanyu were in single digits.", "Lanyu had single-digit deaths.",
    "蘭嶼死亡人數為個位數。", "Lanyu had under a dozen deaths.", "Lanyu had fewer than a dozen deaths.",
])
def test_a_bound_in_words_goes_to_a_reviewer(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict != "pass" and any("under 1" in f.message_en for f in by(r, check="prose")), said(r)


@pytest.mark.parametrize("text,value", [
    ("Apart from three, all Lanyu patients survived.", 3), ("Save for 3, nobody died.", 3),
    ("Aside from two, all of the Lanyu patients were women.", 2),
    ("Barring four, every patient in Lanyu was discharged.", 4),
    ("Except for one, everyone died.", 1), ("Other than 2, no one survived.", 2),
])
def test_the_persons_left_out_of_all_block(run, text, value):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict == "block" and any(f"count of {value} " in f.message_en
                                        for f in by(r, check="prose", severity="block")), said(r)


@pytest.mark.parametrize("text", [
    "Except for two, all models converged.", "Apart from 2020, all years had 120 patients.",
    "Other than one, every hospital reported data.", "Apart from 12, all patients survived.",
    "The study enrolled 120 patients in a single centre.",
])
def test_left_out_look_alikes_pass(run, text):
    r = _text(run, "r.txt", text + "\n")
    assert r.verdict == "pass", said(r)


# ---- (g) JSON Lines ------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["jsonl", "ndjson", "jsonlines"])
@pytest.mark.parametrize("small", [True, False])
def test_json_lines_records_are_a_table(run, ext, small):
    body = '{"region": "A", "n": 120}\n{"region": "B", "n": %d}\n\n{"region": "C", "n": 140}\n' \
        % (3 if small else 93)
    r = _text(run, f"t.{ext}", body)
    if small:
        assert r.verdict == "block" and any(f.location.get("value") in (3, 3.0, "3")
                                            for f in by(r, check="threshold", severity="block")), said(r)
    else:
        assert r.verdict == "pass", said(r)


def test_json_lines_person_records_and_broken_lines_do_not_pass(run):
    persons = "".join('{"pid": "P%04d", "age": %d, "sex": "F"}\n' % (i, 30 + i) for i in range(10))
    assert _text(run, "p.jsonl", persons).verdict == "block"
    r = _text(run, "b.jsonl", '{"region": "A", "n": 120}\nnot json\n')
    assert r.verdict != "pass" and any("JSON Lines" in f.message_en for f in r.findings), said(r)


# ---- (h) the group size dispersion statistics give away ------------------------------------------
def _st(stat, units="n_total"):
    return {"role": "statistic", "statistic": stat, "units_column": units}


IMPLIED = {   # (header after n_total, the small group's row, the columns' statistics)
    "sd and se": ("median,sd_sbp,se_sbp", "141.0,8.0,4.62", ("median", "std", "std")),
    "sd and se two decimals": ("median,SD,SE", "141.0,8.00,3.58", ("median", "std", "std")),
    "sd and ci": ("median,sd,ci_lo,ci_hi", "141.0,8.0,121.1,160.9", ("median", "std", "median", "median")),
    "se and ci": ("median,se,lcl,ucl", "141.0,4.62,121.1,160.9", ("median", "std", "median", "median")),
    "sd and 95% CI": ("median,std dev,95% CI lower,95% CI upper", "141.0,8.0,121.1,160.9",
                      ("median", "std", "median", "median")),
    "標準差與標準誤": ("中位數,標準差,標準誤", "141.0,8.0,4.62", ("median", "std", "std")),
}


@pytest.mark.parametrize("case", list(IMPLIED))
def test_dispersion_that_gives_a_small_group_blocks(run, case):
    head, row, stats = IMPLIED[case]
    cols = head.split(",")
    text = f"region,n_total,{head}\nNorth,500,130.2,12.0,{'0.54' if len(cols) == 3 else '129.1,131.3'}\n" \
           f"Lanyu,500,{row}\n"
    if len(cols) == 4 and "se" in cols[1].casefold().split():
        text = text.replace("North,500,130.2,12.0,", "North,500,130.2,0.54,")
    r = run({"t.csv": text}, [table("t.csv", {"region": G, "n_total": COUNT,
                                             **{c: _st(s) for c, s in zip(cols, stats)}})])
    hits = by(r, check="implied_n", severity="block")
    assert r.verdict == "block" and hits and hits[0].location.get("row") == 2, said(r)


@pytest.mark.parametrize("body", [
    "| region | mean | SD | SE |\n|---|---|---|---|\n| North | 130.2 | 12.0 | 0.54 |\n| Lanyu | 141.0 | 8.0 | 4.62 |\n",
    "region   mean    SD     SE\nNorth    130.2   12.0   0.54\nLanyu    141.0   8.0    4.62\nSouth    128.0   11.0   0.55\n",
])
def test_dispersion_in_a_text_table_blocks(run, body):
    r = _text(run, "r.md" if body.startswith("|") else "r.txt", body)
    assert r.verdict == "block" and by(r, check="implied_n", severity="block"), said(r)


def test_an_interval_not_said_to_be_a_confidence_interval_goes_to_review(run):
    r = run({"t.csv": "region,n_total,median,se,lower,upper\nNorth,500,130.2,0.54,129.1,131.3\n"
                      "Lanyu,500,141.0,4.62,121.1,160.9\n"},
            [table("t.csv", {"region": G, "n_total": COUNT, "median": _st("median"), "se": _st("std"),
                             "lower": _st("median"), "upper": _st("median")})])
    assert r.verdict != "pass" and by(r, check="implied_n", severity="review"), said(r)


@pytest.mark.parametrize("text", [
    "region,n,median,sd,se\nNorth,500,130.2,12.0,0.54\nSouth,400,141.0,8.0,0.40\n",
    "region,n,median,sd,ci_lo,ci_hi\nNorth,500,130.2,12.0,129.1,131.3\nSouth,42,141.0,8.0,138.5,143.5\n",
    # a reference range (the values' 2.5th-97.5th percentiles) or quartiles beside an SD/SE
    "region,n,median,sd,p2.5,p97.5\nNorth,500,130.2,12.0,106.7,153.7\nSouth,42,141.0,8.0,125.3,156.7\n",
    "region,n,median,se,lower quartile,upper quartile\nNorth,500,130.2,0.54,122.0,138.0\nSouth,41,141.0,1.23,135.5,146.5\n",
])
def test_dispersion_of_large_groups_and_percentiles_is_no_small_group(run, text):
    head = text.split("\n")[0].split(",")
    roles = {"region": G, "n": COUNT, "median": _st("median", "n")}
    roles.update({c: _st("std", "n") for c in head if c in ("sd", "se")})
    roles.update({c: _st("median", "n") for c in head[4:] if c not in ("sd", "se")})
    r = run({"t.csv": text}, [table("t.csv", roles)])
    assert not by(r, check="implied_n"), said(r)


# ---- (i) grids named by strings that are no categories -------------------------------------------
@pytest.mark.parametrize("src", [
    "import numpy as np\nlayers = ['conv', 'pool', 'dense']\nkernel = np.array([[3, 3, 1], [64, 128, 256]])\n",
    "import numpy as np\ncolors = ['red', 'green']\nweights = np.array([[1, 2], [30, 40]])\n",
    "import numpy as np\nm = np.array([[1, 0, 2], [12, 40, 3]])\nfonts = ['serif', 'sans', 'mono']\n",
])
def test_a_settings_grid_beside_strings_is_not_blocked_as_counts(run, src):
    r = run({"a.py": src}, [{"path": "a.py", "kind": "code", "description": "analysis code"}])
    assert r.verdict == "review" and not by(r, severity="block"), said(r)


@pytest.mark.parametrize("src", [
    "import numpy as np\nregions = ['North', 'Lanyu']\nm = np.array([[120, 3], [140, 40]])\n",
    "import numpy as np\nsex = ['F', 'M']\nm = np.array([[120, 3], [140, 40]])\n",
    "import numpy as np\nbands = ['0-19', '20-64', '65+']\nm = np.array([[120, 44], [3, 52], [140, 60]])\n",
    "import numpy as np\nwards = ['w1', 'w2']\ndeaths = np.array([[120, 3], [140, 40]])\n",
])
def test_a_grid_named_by_categories_or_counting_blocks(run, src):
    r = run({"a.py": src}, [{"path": "a.py", "kind": "code", "description": "analysis code"}])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)


# ---- (j) a notebook's bare output under counting code ----------------------------------------
def _nb(code, output, stream=False):
    import json

    out = ({"output_type": "stream", "name": "stdout", "text": output + "\n"} if stream else
           {"output_type": "execute_result", "data": {"text/plain": output}, "metadata": {},
            "execution_count": 1})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "source": code, "metadata": {}, "execution_count": 1,
         "outputs": [out], "id": "c1"}]})


COUNTED = [("len(df[df.region == 'Lanyu'])", "3", False), ("(df.region == 'Lanyu').sum()", "np.int64(3)", False),
           ("lanyu.pid.nunique()", "3", False), ("df[df.region == 'Lanyu'].shape", "(3, 12)", False),
           ("nrow(subset(df, region == 'Lanyu'))", "[1] 3", False),
           ("print(len(lanyu))", "3", True), ("x = df.query('region == \"Lanyu\"')\nx.shape[0]", "3", False),
           ("lanyu['pid'].count()", "3", False), ("length(unique(lanyu$pid))", "[1] 3", False)]


@pytest.mark.parametrize("code,output,stream", COUNTED)
def test_a_notebooks_count_under_counting_code_blocks(run, code, output, stream):
    r = run({"n.ipynb": _nb(code, output, stream)},
            [{"path": "n.ipynb", "kind": "notebook", "description": "analysis"}])
    assert r.verdict == "block" and by(r, check="prose", severity="block"), said(r)


@pytest.mark.parametrize("code,output", [
    ("len(df[df.region == 'Lanyu'])", "93"), ("df.shape", "(540, 12)"),
    ("df.age.mean()", "3.2"), ("model.n_features_in_", "3"),
])
def test_large_counts_and_other_outputs_are_not_blocked_as_counts(run, code, output):
    r = run({"n.ipynb": _nb(code, output)}, [{"path": "n.ipynb", "kind": "notebook", "description": "analysis"}])
    assert not by(r, severity="block"), said(r)
