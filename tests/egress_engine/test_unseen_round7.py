"""Unseen outputs, round 7 (rules E1 person-level data, E2 small counts, E4 declarations): the gaps
the round-6 red team left, closed as classes, and new members found as the attacker.

Each class is generated from fixed lists (no randomness), through ``check_request`` as every
request is, with safe counterparts that must not block (or must pass):

- (a) a percent-only table with no total anywhere blocks saying what it is: shares without a
  base (not "a blank cell");
- (b) a two-line table (a header of categories over one row of counts) is decided: small blocks,
  large passes; a row under measure headers (sbp, score) still goes to a person;
- (c) person keys as the headers of count columns (a person-level table turned on its side);
- (d) vectors written another way in programs (tuples, ``np.r_``, split strings, ``rep``,
  ``torch.tensor``, ``sum``, stepped ranges);
- (e) the declaration as the attack: kind, "aggregate", "suppressed", "rounded to 10",
  "synthetic", "de-identified", "coefficients only", a declared threshold, "in thousands", a
  ``suppressed`` column without blanks - each lie named in a finding of ``declared_claims``;
- (f) a model's per-person values (residuals, leverage) in any file, whatever it is declared.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table

SMALL = "region,n\nNorth,120\nSouth,3\nEast,140\n"
LARGE = "region,n\nNorth,120\nSouth,130\nEast,140\n"


def _text(run, body: str, ext: str = "md", kind: str = "text"):
    name = f"out.{ext}"
    return run({name: body}, [{"path": name, "kind": kind, "description": "results"}])


# ---- (a) shares without a base ---------------------------------------------------------------
def _md(rows, header="%"):
    return f"| Region | {header} |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)


SHARES = {
    "md_percent": ("md", _md([("North", "55.0"), ("South", "44.4"), ("East", "0.6")])),
    "md_safe_shares": ("md", _md([("North", "55.0"), ("South", "25.0"), ("East", "20.0")])),
    "md_pct_word": ("md", _md([("North", "60.0"), ("South", "40.0")], header="pct")),
    "md_share_zh": ("md", _md([("北", "55.0%"), ("南", "45.0%")], header="百分比")),
    "md_proportion": ("md", _md([("North", "55.0"), ("South", "45.0")], header="Percent")),
    "csv_in_text": ("csv", "region,pct\nNorth,55.0\nSouth,25.0\nEast,20.0\n"),
    "txt_tab": ("txt", "region\tpercent\nNorth\t55.0\nSouth\t45.0\n"),
}


@pytest.mark.parametrize("name", list(SHARES))
def test_shares_with_no_base_block_saying_so(run, name):
    ext, body = SHARES[name]
    r = _text(run, body, ext=ext)
    assert r.verdict == "block", said(r)
    blocks = [f for f in r.findings if f.severity == "block"]
    assert any("without a base" in f.message_en for f in blocks), said(r)
    assert not any("Blank cell" in f.message_en for f in blocks), said(r)


def test_a_declared_percent_column_without_units_says_shares_need_a_base(run):
    r = run({"t.csv": "region,pct\nNorth,55.0\nSouth,45.0\n"},
            [table("t.csv", {"region": G, "pct": {"role": "statistic", "statistic": "percent"}})])
    hits = by(r, check="declaration", severity="block")
    assert hits and "without a base" in hits[0].message_en, said(r)


@pytest.mark.parametrize("body", [
    "| Region | n | % |\n|---|---|---|\n| North | 120 | 48.0 |\n| South | 130 | 52.0 |\n",
    "Region (N = 540)\n\n" + _md([("North", "55.0"), ("South", "25.0"), ("East", "20.0")]),
])
def test_shares_with_their_counts_or_total_pass(run, body):
    r = _text(run, body)
    assert r.verdict == "pass", said(r)


# ---- (b) two-line tables are decided ----------------------------------------------------------
TWO_LINE_SAFE = [
    ("csv", "txt", "North,South,East\n120,140,300\n"),
    ("md", "md", "| North | South | East |\n|---|---|---|\n| 120 | 140 | 300 |\n"),
    ("md_zh", "md", "| 北區 | 南區 | 東區 |\n|---|---|---|\n| 120 | 140 | 300 |\n"),
    ("sexes", "txt", "Male,Female\n1200,1340\n"),
    ("sexes_tab", "txt", "Male\tFemale\n1200\t1340\n"),
    ("age_bands", "txt", "0-17,18-64,65+\n120,140,300\n"),
    ("arms", "txt", "Treatment,Placebo\n140,152\n"),
    ("count_headers", "txt", "n_north,n_south,n_east\n120,140,300\n"),
    ("semicolon", "txt", "Nord;Süd;Ost\n120;140;300\n"),
    ("counties", "md", "| 臺北市 | 新北市 | 桃園市 |\n|---|---|---|\n| 120 | 140 | 300 |\n"),
    ("stages", "txt", "Stage I,Stage II,Stage III\n120,140,300\n"),
]


@pytest.mark.parametrize("name,ext,body", TWO_LINE_SAFE, ids=[c[0] for c in TWO_LINE_SAFE])
def test_a_two_line_count_table_with_large_counts_passes(run, name, ext, body):
    r = _text(run, body, ext=ext)
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("name,ext,body", TWO_LINE_SAFE, ids=[c[0] for c in TWO_LINE_SAFE])
def test_the_same_two_line_table_with_a_small_count_blocks(run, name, ext, body):
    body = body.replace("1340", "3").replace("| 140 |", "| 3 |").replace(",140,", ",3,") \
        .replace(";140;", ";3;").replace(",152", ",3")
    r = _text(run, body, ext=ext)
    assert by(r, check="threshold", severity="block"), said(r)


@pytest.mark.parametrize("body", ["sbp,dbp,hr\n120,80,72\n", "score_a,score_b\n45,70\n",
                                  "visit1,visit2\n120,135\n"])
def test_a_row_under_measure_headers_still_goes_to_a_person(run, body):
    r = _text(run, body, ext="txt")
    assert r.verdict == "review", said(r)


# ---- (c) person keys as count-column headers --------------------------------------------------
HEADER_KEYS = {
    "pseudonym": ["P000123", "P000456", "P000789"],
    "chart": ["0045123", "0088134", "0012703"],
    "hash12": ["3f2a9c1e8b7d", "a91b2c3d4e5f", "77ab12cd34ef"],
    "sha": ["9f86d081884c7d659a2feaa0c55ad015", "e3b0c44298fc1c149afbf4c8996fb924",
            "2c26b46b68ffc68ff99b453c1d304134"],
    "mrn": ["MRN004512", "MRN008813", "MRN001270"],
    "national_id": ["A123456789", "F223456781", "B187654320"],
    "numbered": ["patient_1", "patient_2", "patient_3"],
    "pt": ["pt01", "pt02", "pt03"],
    "zh": ["個案1", "個案2", "個案3"],
    "subject": ["SUBJ-0045", "SUBJ-0046", "SUBJ-0047"],
    "ip": ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
}


def _wide(heads, row="hb,120,130,140\nplt,100,110,120\n"):
    return "lab," + ",".join(heads) + "\n" + row


@pytest.mark.parametrize("kind", list(HEADER_KEYS))
def test_person_keys_as_count_headers_of_a_declared_table_block(run, kind):
    r = run({"t.csv": _wide(HEADER_KEYS[kind])}, [table("t.csv", {"lab": G}, default_role=COUNT)])
    assert by(r, check="identifier_groups", severity="block"), said(r)


@pytest.mark.parametrize("kind", list(HEADER_KEYS))
def test_person_keys_as_headers_of_a_table_in_text_block(run, kind):
    heads = HEADER_KEYS[kind]
    body = ("| lab | " + " | ".join(heads) + " |\n|---|---|---|---|\n| hb | 120 | 130 | 140 |\n"
            "| plt | 100 | 110 | 120 |\n")
    r = _text(run, body)
    assert r.verdict == "block", said(r)
    assert by(r, check="identifier_groups", severity="block") or by(r, check="identifiers", severity="block"), said(r)


def test_a_column_group_that_names_persons_blocks(run):
    r = run({"t.csv": _wide(["a", "b", "c"])},
            [table("t.csv", {"lab": G}, default_role=COUNT, column_group="patient_id")])
    assert by(r, check="identifier_groups", severity="block"), said(r)


SAFE_HEADERS = {"regions": ["North", "South", "East"], "years": ["2019", "2020", "2021"],
                "fiscal": ["FY2019", "FY2020", "FY2021"], "hospital_codes": ["H012", "H044", "H051"],
                "icd": ["E11", "I10", "C34"], "arms": ["arm_1", "arm_2", "arm_3"],
                "ages": ["0-17", "18-64", "65+"], "weeks": ["W1", "W2", "W3"],
                "quarters": ["2020Q1", "2020Q2", "2020Q3"], "icd_no_dot": ["E1165", "I2510", "J449"]}


@pytest.mark.parametrize("name", list(SAFE_HEADERS))
def test_category_headers_of_a_declared_table_pass(run, name):
    r = run({"t.csv": _wide(SAFE_HEADERS[name])}, [table("t.csv", {"lab": G}, default_role=COUNT)])
    assert r.verdict == "pass", said(r)


def test_a_column_group_of_a_category_passes(run):
    r = run({"t.csv": _wide(["a", "b", "c"])},
            [table("t.csv", {"lab": G}, default_role=COUNT, column_group="region")])
    assert r.verdict == "pass", said(r)


# ---- (d) vectors written another way ----------------------------------------------------------
VECTORS = [
    ("tuple_counts", "py", "counts = (120, 3, 140)\n"),
    ("tuple_groupby", "py", "sizes = df.groupby('region').size()\nt = (120, 3, 140)\n"),
    ("np_r", "py", "# patients per region\nx = np.r_[120, 3, 140]\n"),
    ("split_string", "py", "deaths = [int(v) for v in '120,3,140'.split(',')]\n"),
    ("split_r", "R", "deaths <- as.integer(strsplit('120 3 140', ' ')[[1]])\n"),
    ("rep", "R", "# patients by region\nx <- rep(c(120, 3, 140), 1)\n"),
    ("torch", "py", "# counts per site\nx = torch.tensor([120, 3, 140])\n"),
    ("sum", "py", "# patients per arm\ntotal = sum([120, 3, 140])\n"),
    ("stepped_range", "py", "counts = list(range(3, 300, 117))\n"),
    ("seq_by", "R", "patients <- seq(3, 237, by = 117)\n"),
]


@pytest.mark.parametrize("name,ext,body", VECTORS, ids=[c[0] for c in VECTORS])
def test_a_counting_vector_written_another_way_blocks(run, name, ext, body):
    r = _text(run, body, ext=ext, kind="code")
    assert by(r, check="number_vectors", severity="block"), said(r)


UNNAMED = [
    ("tuple", "py", "t = (120, 3, 140)\n"),
    ("r_", "py", "x = np.r_[120, 3, 140]\n"),
    ("tensor", "py", "x = torch.tensor([120, 3, 140])\n"),
    ("string", "py", "x = '120,3,140'.split(',')\n"),
    ("rep", "R", "x <- rep(c(120, 3, 140), 1)\n"),
]


@pytest.mark.parametrize("name,ext,body", UNNAMED, ids=[c[0] for c in UNNAMED])
def test_an_unexplained_vector_written_another_way_goes_to_a_person(run, name, ext, body):
    r = _text(run, body, ext=ext, kind="code")
    assert by(r, check="number_vectors", severity="review") or by(r, check="number_vectors", severity="block"), said(r)
    assert r.verdict != "pass"


CODE_SAFE = [
    ("figsize", "py", "fig, ax = plt.subplots(figsize=(12, 4))\n"),
    ("loop_range", "py", "for i in range(5, 100, 10):\n    print(i)\n"),
    ("ticks_range", "py", "ax.set_xticks(range(5, 100, 10))\n"),
    ("call_args", "py", "fig, axes = plt.subplots(2, 3)\nm = a.reshape(3, 40)\n"),
    ("large_tuple", "py", "counts = (120, 130, 140)\n"),
    ("version", "py", "assert sys.version_info >= (3, 10)\n"),
    ("prose_parenthesis", "txt", "Results (3, 140) are shown in the appendix.\n"),
]


@pytest.mark.parametrize("name,ext,body", CODE_SAFE, ids=[c[0] for c in CODE_SAFE])
def test_settings_and_large_vectors_written_another_way_are_left_alone(run, name, ext, body):
    kind = "code" if ext == "py" else "text"
    r = _text(run, body, ext=ext, kind=kind)
    assert not by(r, check="number_vectors"), said(r)


# ---- (e) the declaration as the attack --------------------------------------------------------
DESCRIPTIONS = ["aggregate counts", "frequency table", "small cells suppressed",
                "disclosure control applied", "checked with ACRO", "synthetic data",
                "simulated data", "de-identified data", "anonymised summary", "已做揭露控制", "合成資料"]


@pytest.mark.parametrize("desc", DESCRIPTIONS)
def test_a_claim_in_the_description_over_a_small_count_is_named(run, desc):
    r = run({"t.csv": SMALL}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    hits = by(r, check="declared_claims", severity="block")
    assert hits and "differ" in hits[0].message_en, said(r)


@pytest.mark.parametrize("desc", DESCRIPTIONS)
def test_the_same_claim_over_large_counts_passes(run, desc):
    r = run({"t.csv": LARGE}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    assert not by(r, check="declared_claims"), said(r)
    assert r.verdict == "pass", said(r)


def test_a_claim_in_the_purpose_is_set_against_every_file(tmp_path):
    from egress_review.engine import check_request
    from egress_review.manifest import parse_manifest
    from policies.sections.egress import EgressPolicy
    from tests.egress_engine.conftest import KEY

    (tmp_path / "t.csv").write_text(SMALL)
    m = parse_manifest({"version": 1, "case_code": "R-TEST", "purpose": "synthetic data only",
                        "files": [table("t.csv", {"region": G, "n": COUNT})]})
    r = check_request(m, tmp_path, policy=EgressPolicy(), provenance_key=KEY)
    assert by(r, check="declared_claims", severity="block"), said(r)


def test_an_aggregate_claim_over_rows_of_one_is_named(run):
    body = "id,age,n\n" + "".join(f"{i},{30 + i},1\n" for i in range(1, 8))
    r = run({"t.csv": body}, [table("t.csv", {"id": G, "age": G, "n": COUNT},
                                    description="aggregate frequency table")])
    assert any("list of persons" in f.message_en for f in by(r, check="declared_claims", severity="block")), said(r)


ROUNDING = [("rounded to 10", "region,n\nNorth,123\nSouth,131\nEast,147\n", "block"),
            ("counts rounded to the nearest 5", "region,n\nNorth,121\nSouth,130\nEast,140\n", "block"),
            ("四捨五入至10", "region,n\nNorth,123\nSouth,130\nEast,140\n", "block"),
            ("cells below 10 suppressed", "region,n\nNorth,120\nSouth,7\nEast,140\n", "review"),
            ("minimum cell size 10", "region,n\nNorth,120\nSouth,8\nEast,140\n", "review"),
            ("cells below 10 suppressed", SMALL, "block")]


@pytest.mark.parametrize("desc,body,sev", ROUNDING, ids=[f"{d}-{s}" for d, _, s in ROUNDING])
def test_a_declared_rounding_or_threshold_the_numbers_do_not_follow_is_named(run, desc, body, sev):
    r = run({"t.csv": body}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    assert by(r, check="declared_claims", severity=sev), said(r)
    assert r.verdict == sev, said(r)


@pytest.mark.parametrize("desc", ["rounded to 10", "cells below 10 suppressed", "四捨五入至10"])
def test_a_rounding_or_threshold_the_numbers_follow_raises_nothing(run, desc):
    r = run({"t.csv": LARGE}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    assert not by(r, check="declared_claims"), said(r)


THOUSANDS = [("in thousands", "n"), ("counts (000s)", "n"), ("t", "n (thousands)"), ("單位：千人", "n")]


@pytest.mark.parametrize("desc,col", THOUSANDS, ids=[c[0] for c in THOUSANDS])
def test_counts_declared_in_thousands_hiding_a_small_count_are_named(run, desc, col):
    body = f"region,{col}\nNorth,1.2\nSouth,0.003\nEast,1.4\n"
    r = run({"t.csv": body}, [table("t.csv", {"region": G, col: COUNT}, description=desc)])
    hits = by(r, check="declared_claims", severity="block")
    assert hits and "3 persons" in hits[0].message_en, said(r)


def test_a_suppressed_column_with_nothing_suppressed_is_named(run):
    r = run({"t.csv": SMALL}, [table("t.csv", {"region": G, "n": {"role": "suppressed"}})])
    assert by(r, check="declared_claims", severity="block"), said(r)


def test_a_suppressed_column_with_its_blank_is_not_named(run):
    r = run({"t.csv": "region,n\nNorth,120\nSouth,\nEast,140\nWest,200\n"},
            [table("t.csv", {"region": G, "n": {"role": "suppressed"}})])
    assert not by(r, check="declared_claims"), said(r)


KIND_LIES = [("f.png", "figure"), ("f.csv", "figure"), ("f.svg", "figure"), ("a.py", "code"),
             ("a.R", "code"), ("m.txt", "model"), ("m.json", "model")]


@pytest.mark.parametrize("path,kind", KIND_LIES, ids=[f"{p}-{k}" for p, k in KIND_LIES])
def test_a_table_declared_as_another_kind_is_named(run, path, kind):
    r = run({path: LARGE}, [{"path": path, "kind": kind, "description": "output"}])
    hits = by(r, check="declared_claims")
    assert hits and hits[0].location.get("is") == "table", said(r)
    assert r.verdict != "pass"


@pytest.mark.parametrize("path,body", [
    ("a.py", "import pandas as pd\nx = pd.read_csv('a.csv')\nprint(x.mean())\n"),
    ("a.R", "library(dplyr)\nd <- read.csv('a.csv')\nsummary(d)\n"),
    ("f.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect width="3" height="4"/></svg>'),
])
def test_real_code_and_figures_are_not_called_tables(run, path, body):
    kind = "figure" if path.endswith(".svg") else "code"
    r = run({path: body}, [{"path": path, "kind": kind, "description": "output"}])
    assert not by(r, check="declared_claims"), said(r)


# ---- (f) a model's per-person values ----------------------------------------------------------
RESIDUALS = "obs,fitted,residual,leverage\n" + "".join(
    f"{i},{3 + i / 10:.1f},{(-1) ** i * 0.1 * i:.1f},{0.05 * i:.2f}\n" for i in range(1, 7))
PER_PERSON = [
    ("model_csv", "m.csv", "model", RESIDUALS),
    ("model_txt", "m.txt", "model", RESIDUALS),
    ("text_csv", "r.txt", "text", RESIDUALS),
    ("broom_md", "r.md", "text", "| obs | .resid | .hat | .cooksd |\n|---|---|---|---|\n"
                                 "| 1 | 0.5 | 0.12 | 0.01 |\n| 2 | -0.3 | 0.08 | 0.02 |\n"
                                 "| 3 | 0.1 | 0.31 | 0.2 |\n"),
    ("zh", "r.txt", "text", "編號,預測值,殘差\n1,3.2,0.5\n2,4.1,-0.3\n3,2.9,0.1\n"),
]


@pytest.mark.parametrize("name,path,kind,body", PER_PERSON, ids=[c[0] for c in PER_PERSON])
def test_a_models_per_person_values_block_in_any_file(run, name, path, kind, body):
    r = run({path: body}, [{"path": path, "kind": kind, "description": "model coefficients only"}])
    assert by(r, check="per_person_values", severity="block"), said(r)


def test_per_person_values_in_a_declared_plain_table_block(run):
    r = run({"r.csv": "obs,resid\n1,0.5\n2,0.3\n3,0.1\n"},
            [table("r.csv", {"obs": G, "resid": {"role": "statistic", "statistic": "mean"}})])
    assert by(r, check="per_person_values", severity="block"), said(r)


def test_the_coefficients_only_claim_names_per_person_columns(run):
    r = run({"m.txt": RESIDUALS}, [{"path": "m.txt", "kind": "text", "description": "regression summary"}])
    assert any("per-person" in f.message_en for f in by(r, check="declared_claims", severity="block")), said(r)


def test_a_coefficient_table_has_no_per_person_values(run):
    body = ("| term | estimate | se | p |\n|---|---|---|---|\n| (Intercept) | 1.20 | 0.10 | <0.001 |\n"
            "| age | 0.03 | 0.01 | 0.002 |\n| Residual standard error | 1.1 | | |\n")
    r = _text(run, body)
    assert not by(r, check="per_person_values"), said(r)
    assert not by(r, check="declared_claims"), said(r)


# ---- (d) a notebook's shares over a total another cell printed --------------------------------
def _nb(cells) -> str:
    import json

    return json.dumps({"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {},
                                  "source": src, "outputs": [{"output_type": "stream", "name": "stdout",
                                                              "text": out}] if out else []}
                                 for src, out in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


SHARES_CODE = "print(df.region.value_counts(normalize=True) * 100)"
SMALL_SHARES = "region\nNorth    55.0\nSouth    44.4\nEast      0.6\nName: proportion, dtype: float64\n"
SAFE_SHARES = "region\nNorth    55.0\nSouth    25.0\nEast     20.0\nName: proportion, dtype: float64\n"
FRACTIONS = "region\nNorth    0.550\nSouth    0.444\nEast     0.006\nName: proportion, dtype: float64\n"
NOTEBOOK_TOTALS = [
    ("len_printed", [("total = len(df)\nprint(total)", "540\n"), (SHARES_CODE, SMALL_SHARES)]),
    ("n_stated", [("print('N =', len(df))", "N = 540\n"), (SHARES_CODE, SMALL_SHARES)]),
    ("shape", [("df.shape", "(540, 12)\n"), (SHARES_CODE, SMALL_SHARES)]),
    ("after_the_table", [(SHARES_CODE, SMALL_SHARES), ("len(df)", "540\n")]),
    ("fractions", [("len(df)", "540\n"),
                   ("print(df.region.value_counts(normalize=True).round(3))", FRACTIONS)]),
    ("r_nrow", [("nrow(d)", "[1] 540\n"), ("print(prop.table(table(d$region)) * 100)", SMALL_SHARES)]),
]


@pytest.mark.parametrize("name,cells", NOTEBOOK_TOTALS, ids=[c[0] for c in NOTEBOOK_TOTALS])
def test_notebook_shares_over_a_total_printed_elsewhere_give_the_count_away(run, name, cells):
    r = _text(run, _nb(cells), ext="ipynb", kind="notebook")
    assert any(f.location.get("value") in (3, 3.0, "3") or "3 unit" in f.message_en
               for f in by(r, check="threshold", severity="block")), said(r)


def test_notebook_shares_of_a_total_with_no_small_count_do_not_block(run):
    r = _text(run, _nb([("len(df)", "540\n"), (SHARES_CODE, SAFE_SHARES)]), ext="ipynb", kind="notebook")
    assert r.verdict != "block", said(r)


def test_two_different_totals_derive_nothing(run):
    cells = [("len(df)", "540\n"), ("len(sub)", "120\n"), (SHARES_CODE, SMALL_SHARES)]
    r = _text(run, _nb(cells), ext="ipynb", kind="notebook")
    assert not by(r, check="threshold"), said(r)
    assert r.verdict != "pass", said(r)


# ---- (f) a figure's own data: Plotly traces -----------------------------------------------------
def _bars(y, **layout):
    return {"data": [{"type": "bar", "x": ["North", "South", "East"][:len(y)], "y": y}], "layout": layout}


PLOTS = [
    ("title", _bars([120, 3, 140], title={"text": "Patients per region"})),
    ("title_string", _bars([120, 3, 140], title="人數 by region")),
    ("axis_title", _bars([120, 3, 140], yaxis={"title": {"text": "Count"}})),
    ("horizontal", {"data": [{"type": "bar", "y": ["N", "S"], "x": [120, 3], "orientation": "h",
                              "name": "n"}]}),
    ("pie", {"data": [{"type": "pie", "labels": ["N", "S"], "values": [120, 3], "name": "patients"}]}),
    ("heatmap_colorbar", {"data": [{"type": "heatmap", "z": [[120, 3], [140, 200]],
                                    "colorbar": {"title": {"text": "n"}}}]}),
    ("text_labels", {"data": [{"type": "bar", "x": ["N", "S"], "y": [0.9, 0.1], "text": ["120", "3"],
                               "name": "cases"}]}),
]


@pytest.mark.parametrize("name,fig", PLOTS, ids=[c[0] for c in PLOTS])
def test_a_plotly_figure_counting_a_small_cell_blocks(run, name, fig):
    import json

    r = run({"f.json": json.dumps(fig)}, [{"path": "f.json", "kind": "figure", "description": "chart"}])
    assert by(r, check="figure_traces", severity="block"), said(r)


def test_a_histogram_trace_with_its_raw_values_blocks(run):
    import json

    fig = {"data": [{"type": "histogram", "x": [34, 45, 56, 61, 29, 38, 41]}]}
    r = run({"f.json": json.dumps(fig)}, [{"path": "f.json", "kind": "figure", "description": "chart"}])
    assert by(r, check="figure_traces", severity="block", rule="E1"), said(r)


def test_a_plotly_figure_in_a_notebook_output_is_read(run):
    import json

    nb = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "fig.show()",
                     "outputs": [{"output_type": "display_data", "metadata": {},
                                  "data": {"application/vnd.plotly.v1+json": PLOTS[0][1]}}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    r = run({"a.ipynb": json.dumps(nb)}, [{"path": "a.ipynb", "kind": "notebook", "description": "nb"}])
    assert by(r, check="figure_traces", severity="block"), said(r)


@pytest.mark.parametrize("fig", [_bars([120, 130, 140], title="Patients per region"),
                                 _bars([3, 4], title="Mean HbA1c"),
                                 {"data": [{"type": "scatter", "x": [1, 2, 3], "y": [120, 3, 140]}]}])
def test_plotly_figures_with_large_counts_or_no_counting_words_add_nothing(run, fig):
    import json

    r = run({"f.json": json.dumps(fig)}, [{"path": "f.json", "kind": "figure", "description": "chart"}])
    assert not by(r, check="figure_traces"), said(r)
    assert r.verdict != "block", said(r)
