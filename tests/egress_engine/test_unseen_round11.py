"""Unseen outputs, round 11 (rules E2 small counts, E7 data hidden in code and encodings): data
the checks did not read before, each member with a small-count version (3) that must be
blocked naming the cell and a safe counterpart (every count large) that must not be blocked
nor held for being unread or of no known role:

- (a) R tables built by shape calls: ``rbind(c(North=120), c(South=3))``, ``cbind``,
  ``rbind(North=c(…), South=c(…))``, ``matrix(…, dimnames=list(…))``, ``array(…)``, names given
  apart (``rownames(m) <-``, ``dimnames(m) <-``) (``readers/r_shapes``); ``list``, ``setNames``,
  ``structure`` and ``c()`` over lines were read already and are kept;
- (b) Python ``Counter(North=120, South=3)``/``OrderedDict(…)``, a grid of whole numbers whose
  row or column names the file gives elsewhere (``np.array`` beside ``rows = [...]``, a frame's
  ``index=``/``columns=``) (``code_literals._named_grid``);
- (c) R ``table()`` printouts pasted as text, two-way and one-way (``readers/r_printouts``);
- (d) SPSS syntax as a whole: comments and strings (``readers/spss_lexer``: no more "no lexer"),
  ``RECODE … INTO``, ``IF (…) n = …``, ``COMPUTE``, ``MATRIX DATA``'s N row, a ``BEGIN DATA``
  block without ``DATA LIST`` (``readers/spss_syntax``);
- (e) flat JSON/YAML maps of whole numbers under a key that does not say what they are
  ("result", "summary", "values", none) (``structured._map_header``); a key naming only the
  categories ("by_region") is still a reviewer's (test_formats);
- (f) neighbours an attacker tries next, kept as regression tests: a percentage beside its
  denominator, counts as words (three, 三, 參), Roman, full-width and Arabic-Indic digits, a
  count in the file's name, in a sheet's name (``spreadsheet._sheet_name_words``, new), in an
  SVG ``<title>``, an ``alt`` text, a data-validation list, a defined name, a notebook's
  metadata or widget state, a .docx footnote (now read, no longer held as unread), a PDF
  annotation, a total and an "all but North" count in two files or two sentences.
"""
from __future__ import annotations

import io
import json
import time

import pytest

from tests.egress_engine.conftest import make_request, said

SMALL, SAFE = 3, 93

_UNREAD = ("cannot be read", "not read", "not text", "not utf-8", "binary data", "unknown format",
           "no known role", "could not read", "not valid", "reader failed", "no lexer")


def _file(run, name, body, kind="code", desc="analysis code"):
    return run({name: body}, [{"path": name, "kind": kind, "description": desc}])


def _blocks_naming(r, value="3"):
    """Blocked, with a small-count finding naming the cell (or sentence) that holds ``value``."""
    return r.verdict == "block" and any(
        f.severity == "block" and f.check in ("threshold", "symbols", "prose", "differencing")
        and (str(f.location.get("value", "")).removesuffix(".0") == value
             or f.location.get("cell") and f"rests on {value} unit" in f.message_en
             or f.check == "prose" and f"count of {value} " in f.message_en)
        for f in r.findings)


def _cell_block(r, value="3"):
    """Blocked by the table rules on a cell holding ``value`` (read as a table, not a sentence)."""
    return r.verdict == "block" and any(
        f.severity == "block" and f.check in ("threshold", "symbols")
        and (str(f.location.get("value", "")) == value
             or f.location.get("cell") and f"rests on {value} unit" in f.message_en)
        for f in r.findings)


def _safe(r):
    """Not blocked, and nothing held for being unread or of no known meaning."""
    unread = [f for f in r.findings if any(w in f.message_en.lower() for w in _UNREAD)]
    return r.verdict != "block" and not unread


# ---- (a) R shape calls, (b) Python literals ----------------------------------------------------
CODE = {
    "r_rbind_one_element": ("a.R", "t <- rbind(c(North = 120), c(South = {a}), c(East = 140))\nprint(t)\n"),
    "r_cbind_one_element": ("a.R", "t <- cbind(c(North = 120), c(South = {a}), c(East = 140))\n"),
    "r_cbind_named_numbers": ("a.R", "t <- cbind(North = 120, South = {a}, East = 140)\n"),
    "r_rbind_named_rows": ("a.R", "m <- rbind(North = c(120, 44), South = c({a}, 52))\n"),
    "r_cbind_named_columns": ("a.R", "m <- cbind(F = c(North = 120, South = {a}), M = c(44, 52))\n"),
    "r_rbind_over_lines": ("a.R", "t <- rbind(\n  c(North = 120L),\n  c(South = {a}L),\n  c(East = 140L)\n)\n"),
    "r_list": ("a.R", "counts <- list(North = 120, South = {a}, East = 140)\n"),
    "r_set_names": ("a.R", "x <- setNames(c(120, {a}, 140), c('North', 'South', 'East'))\n"),
    "r_structure": ("a.R", "x <- structure(c(120, {a}, 140), names = c('North', 'South', 'East'))\n"),
    "r_c_over_lines": ("a.R", "x <- c(\n  North = 120,\n  South = {a},\n  East = 140\n)\n"),
    "r_matrix_dimnames": ("a.R", "m <- matrix(c(120, {a}, 40, 52), nrow = 2,\n"
                                 "            dimnames = list(c('North', 'South'), c('F', 'M')))\n"),
    "r_matrix_byrow_named_dims": ("a.R", "m <- matrix(c(120, 40, {a}, 52), 2, 2, byrow = TRUE,\n"
                                         "  dimnames = list(region = c('North', 'South'), sex = c('F', 'M')))\n"),
    "r_array": ("a.R", "a <- array(c(120, {a}, 40, 52), dim = c(2, 2),\n"
                       "           dimnames = list(c('North', 'South'), c('F', 'M')))\n"),
    "r_matrix_names_apart": ("a.R", "m <- matrix(c(120, {a}, 40, 52), nrow = 2)\n"
                                    "rownames(m) <- c('North', 'South')\ncolnames(m) <- c('F', 'M')\n"),
    "r_matrix_dimnames_apart": ("a.R", "m <- matrix(c(120, {a}, 40, 52), ncol = 2)\n"
                                       "dimnames(m) <- list(c('North', 'South'), c('F', 'M'))\n"),
    "r_in_a_python_file": ("a.py", "R_CODE = 1\n# rbind in R below\n"
                                   "x = 'rbind(c(North = 120), c(South = {a}), c(East = 140))'\n"),
    "py_counter_keywords": ("a.py", "from collections import Counter\nc = Counter(North=120, South={a}, East=140)\n"),
    "py_counter_dict": ("a.py", "from collections import Counter\nc = Counter({{'North': 120, 'South': {a}, 'East': 140}})\n"),
    "py_ordered_dict": ("a.py", "from collections import OrderedDict\nc = OrderedDict(North=120, South={a}, East=140)\n"),
    "py_dict_keywords": ("a.py", "x = dict(North=120, South={a}, East=140)\n"),
    "py_series_index": ("a.py", "import pandas as pd\ns = pd.Series([120, {a}, 140], index=['North', 'South', 'East'])\n"),
    "py_np_grid_names_before": ("a.py", "import numpy as np\nrows = ['North', 'South']\ncols = ['F', 'M']\n"
                                        "m = np.array([[120, {a}], [40, 52]])\n"),
    "py_np_grid_names_after": ("a.py", "import numpy as np\nm = np.array([[120, 44], [{a}, 52], [140, 60]])\n"
                                       "labels = ['North', 'South', 'East']\n"),
    "py_frame_grid_index_columns": ("a.py", "import pandas as pd\nt = pd.DataFrame([[120, {a}], [40, 52]], "
                                            "index=['North', 'South'], columns=['F', 'M'])\n"),
}


@pytest.mark.parametrize("member", list(CODE))
def test_code_literal_with_a_small_count_blocks_naming_its_cell(run, member):
    name, template = CODE[member]
    r = _file(run, name, template.format(a=SMALL))
    assert _cell_block(r), said(r)


@pytest.mark.parametrize("member", list(CODE))
def test_code_literal_of_large_counts_is_read_and_not_blocked(run, member):
    name, template = CODE[member]
    r = _file(run, name, template.format(a=SAFE))
    assert _safe(r) and not [f for f in r.findings if f.check == "threshold"], said(r)


STAYS_CODE = {
    "r_design_matrix": ("a.R", "X <- cbind(1, age, sex)\nfit <- lm.fit(X, y)\n"),
    "r_zero_matrix": ("a.R", "m <- matrix(0, nrow = 3, ncol = 3)\n"),
    "r_rbind_frames": ("a.R", "all <- rbind(df_a, df_b)\n"),
    "r_codes": ("a.R", "codes <- rbind(c(male = 1), c(female = 2))\n"),
    "r_unnamed_sequence": ("a.R", "m <- matrix(1:6, nrow = 2)\n"),
    "py_grid_of_codes": ("a.py", "import numpy as np\nnames = ['a', 'b']\nI = np.array([[1, 0], [0, 1]])\n"),
    "py_counter_of_words": ("a.py", "from collections import Counter\nc = Counter(words)\n"),
}


@pytest.mark.parametrize("member", list(STAYS_CODE))
def test_code_that_only_looks_shaped_stays_code(run, member):
    name, body = STAYS_CODE[member]
    r = _file(run, name, body)
    assert r.verdict == "pass" and not [f for f in r.findings if f.check == "threshold"], said(r)


def test_a_grid_without_names_is_still_held_for_a_reviewer(run):
    r = _file(run, "a.py", "import numpy as np\nm = np.array([[120, 3], [40, 52]])\n")
    assert r.verdict in ("review", "block"), said(r)


# ---- (c) R table() printouts pasted as text --------------------------------------------------
PRINTS = {
    "two_way": "       sex\nregion    F   M\n  North 120  44\n  South   {a}  52\n  East  140  60\n",
    "two_way_with_margins": "       sex\nregion    F   M Sum\n  North 120  44 164\n  South   {a}  52  {s}\n"
                            "  Sum   {f}  96 {t}\n",
    "two_way_in_a_log": "> table(d$region, d$sex)\nrun at 10:02\n\n       sex\nregion    F   M\n"
                        "  North 120  44\n  South   {a}  52\n\nDone.\n",
    "one_way_named": "region\n East North South \n  140   120     {a} \n",
    "one_way_wrapped": "region\n  Central     East    North \n      140      150      120 \n"
                       "    South     West \n        {a}      160 \n",
    "one_way_unnamed": "\n East North South \n  140   120     {a} \n",
}


@pytest.mark.parametrize("member", list(PRINTS))
def test_r_table_print_with_a_small_count_blocks(run, member):
    text = PRINTS[member].format(a=SMALL, s=SMALL + 52, f=SMALL + 120, t=SMALL + 216)
    r = _file(run, "out.txt", text, "text", "output")
    assert _cell_block(r), said(r)


@pytest.mark.parametrize("member", list(PRINTS))
def test_r_table_print_of_large_counts_passes(run, member):
    text = PRINTS[member].format(a=SAFE, s=SAFE + 52, f=SAFE + 120, t=SAFE + 216)
    r = _file(run, "out.txt", text, "text", "output")
    assert _safe(r), said(r)


def test_r_table_print_in_a_notebook_output_blocks(run):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1,
         "source": "table(d$region, d$sex)",
         "outputs": [{"output_type": "stream", "name": "stdout",
                      "text": PRINTS["two_way"].format(a=SMALL)}]}]}
    r = _file(run, "n.ipynb", json.dumps(nb), "notebook", "analysis")
    assert _cell_block(r), said(r)


# ---- (d) SPSS syntax as a whole ---------------------------------------------------------------
SPSS = {
    "data_list_whole_file": "* Counts by region.\nDATA LIST LIST / region (A10) n (F3).\nBEGIN DATA\nNorth 120\n"
                            "South {a}\nEast 140\nEND DATA.\nVALUE LABELS region 'N' 'North'.\nFREQUENCIES region.\n",
    "recode_into": "RECODE region ('North'=120) ('South'={a}) ('East'=140) INTO n_patients.\nEXECUTE.\n",
    "recode_numeric_keys": "RECODE area (11=120) (12={a}) (13=140) INTO deaths.\nEXECUTE.\n",
    "if_cells": "IF (region = 'North') n_patients = 120.\nIF (region = 'South') n_patients = {a}.\n"
                "IF (region = 'East') n_patients = 140.\n",
    "if_eq_cells": "IF region EQ 'North' deaths = 120.\nIF region EQ 'South' deaths = {a}.\n",
    "matrix_data_n_row": "MATRIX DATA VARIABLES = ROWTYPE_ north south.\nBEGIN DATA\nN 120 {a}\n"
                         "CORR 1\nCORR .5 1\nEND DATA.\n",
}
SPSS_WORDS = {
    "comment_command": "* South region had {a} patients.\nFREQUENCIES region.\n",
    "comment_keyword": "COMMENT South region: {a} deaths.\nFREQUENCIES region.\n",
    "block_comment": "FREQUENCIES region. /* South n={a} */\n",
    "title": "TITLE 'South region: {a} patients'.\nFREQUENCIES region.\n",
    "value_labels": "VALUE LABELS region 1 'North (n=120)' 2 'South (n={a})'.\n",
    "variable_labels": "VARIABLE LABELS n \"Patients (South: {a} patients)\".\n",
    "compute_count": "COMPUTE n_deaths_south = {a}.\nEXECUTE.\n",
    "begin_data_without_data_list": "INPUT PROGRAM.\nEND INPUT PROGRAM.\nBEGIN DATA\nSouth had {a} patients\n"
                                    "END DATA.\n",
}


@pytest.mark.parametrize("member", list(SPSS))
def test_spss_data_with_a_small_count_blocks_naming_its_cell(run, member):
    r = _file(run, "a.sps", SPSS[member].format(a=SMALL))
    assert _cell_block(r), said(r)


@pytest.mark.parametrize("member", list(SPSS_WORDS))
def test_spss_words_with_a_small_count_block(run, member):
    r = _file(run, "a.sps", SPSS_WORDS[member].format(a=SMALL))
    assert _blocks_naming(r), said(r)


@pytest.mark.parametrize("member", list(SPSS) + list(SPSS_WORDS))
def test_spss_of_large_counts_is_read_and_passes(run, member):
    r = _file(run, "a.sps", {**SPSS, **SPSS_WORDS}[member].format(a=SAFE))
    assert _safe(r) and r.verdict == "pass", said(r)


def test_ordinary_spss_syntax_passes(run):
    body = ("* Recode age into groups.\nGET FILE='cohort.sav'.\n"
            "RECODE age (0 thru 17=1) (18 thru 64=2) (65 thru hi=3) INTO age_group.\n"
            "RECODE sex ('M'=1) ('F'=2) INTO sex_code.\n"
            "VALUE LABELS age_group 1 'Child' 2 'Adult' 3 'Older'.\n"
            "IF (age > 64) older = 1.\nCOMPUTE bmi = weight / (height * height).\n"
            "/* frequencies below */\nFREQUENCIES VARIABLES=age_group sex_code.\n")
    r = _file(run, "a.sps", body)
    assert r.verdict == "pass", said(r)


# ---- (e) flat JSON/YAML maps under a key that does not say "count" ------------------------------
MAPS = {
    "json_result": ("r.json", lambda a: json.dumps({"result": {"North": 120, "South": a, "East": 140}})),
    "json_summary": ("r.json", lambda a: json.dumps({"summary": {"North": 120, "South": a, "East": 140}})),
    "json_values": ("r.json", lambda a: json.dumps({"values": {"North": 120, "South": a, "East": 140}})),
    "json_top_level": ("r.json", lambda a: json.dumps({"North": 120, "South": a, "East": 140})),
    "json_numbers_as_strings": ("r.json", lambda a: json.dumps({"summary": {"North": "120", "South": str(a)}})),
    "json_nested": ("r.json", lambda a: json.dumps({"study": {"output": {"North": 120, "South": a}}})),
    "yaml_result": ("r.yaml", lambda a: f"result:\n  North: 120\n  South: {a}\n  East: 140\n"),
    "yaml_nested": ("r.yaml", lambda a: f"results:\n  output:\n    North: 120\n    South: {a}\n    East: 140\n"),
    "toml_values": ("r.toml", lambda a: f"[values]\nNorth = 120\nSouth = {a}\nEast = 140\n"),
}


@pytest.mark.parametrize("member", list(MAPS))
@pytest.mark.parametrize("kind", ["text", "code"])
def test_flat_map_with_a_small_count_blocks_naming_its_cell(run, member, kind):
    name, make = MAPS[member]
    r = _file(run, name, make(SMALL), kind, "summary")
    assert _cell_block(r), said(r)


@pytest.mark.parametrize("member", list(MAPS))
def test_flat_map_of_large_counts_is_read_and_passes(run, member):
    name, make = MAPS[member]
    r = _file(run, name, make(SAFE), "text", "summary")
    assert _safe(r), said(r)


def test_a_key_that_says_what_the_numbers_are_keeps_its_meaning():
    from egress_review.engine.readers import read_content

    for key in ("mean_age", "median_days", "pct_female", "n_patients"):
        units = read_content(json.dumps({key: {"North": 45, "South": 52, "East": 61}}).encode(), "r.json").units
        assert [u.rows[0] for u in units] == [["key", key]], key


MAPS_KEPT = {
    # codes and settings are not made counts
    "codes": json.dumps({"result": {"male": 1, "female": 2}}),
    "settings": json.dumps({"config": {"threads": 2, "retries": 3, "port": 8080}}),
}


def test_a_map_under_a_group_word_still_goes_to_a_reviewer(run):
    r = _file(run, "r.json", json.dumps({"by_region": {"North": 120, "South": SAFE}}), "text", "summary")
    assert r.verdict == "review", said(r)


@pytest.mark.parametrize("member", list(MAPS_KEPT))
def test_maps_that_are_not_counts_are_not_blocked(run, member):
    r = _file(run, "r.json", MAPS_KEPT[member], "text", "summary")
    assert r.verdict != "block" and not [f for f in r.findings if f.check == "threshold"], said(r)


# ---- (f) neighbours -----------------------------------------------------------------------------
def _digits(a: int, to: str) -> str:
    return str(a).translate(str.maketrans("0123456789", to))


TEXTS = {
    "percent_with_denominator": lambda a: f"Of n = 120 patients, South made up {a / 120 * 100:.1f}% of the cohort.\n",
    "english_words": lambda a: f"South: {'three' if a == 3 else 'ninety-three'} patients\n",
    "chinese_numerals": lambda a: f"南區有{'三' if a == 3 else '九十三'}位病人\n",
    "formal_chinese_numerals": lambda a: f"南區病人{'參' if a == 3 else '玖拾參'}人\n",
    "roman_numerals": lambda a: f"South: {'iii' if a == 3 else 'XCIII'} patients\n",
    "full_width_digits": lambda a: f"South: {_digits(a, '０１２３４５６７８９')} patients\n",
    "arabic_indic_digits": lambda a: f"South: {_digits(a, '٠١٢٣٤٥٦٧٨٩')} patients\n",
}


@pytest.mark.parametrize("member", list(TEXTS))
def test_count_spellings_with_a_small_count_block(run, member):
    r = _file(run, "o.txt", TEXTS[member](SMALL), "text", "output")
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("member", list(TEXTS))
def test_count_spellings_of_large_counts_pass(run, member):
    r = _file(run, "o.txt", TEXTS[member](SAFE), "text", "output")
    assert _safe(r), said(r)


def _xlsx(change) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Counts"
    for row in (["region", "n"], ["North", 120], ["East", 140], ["West", 150]):
        ws.append(row)
    change(wb, ws)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _validation(a):
    from openpyxl.worksheet.datavalidation import DataValidation

    def change(wb, ws):
        dv = DataValidation(type="list", formula1=f'"South: {a} patients,North: 120 patients"')
        ws.add_data_validation(dv)
        dv.add("C2")
    return _xlsx(change)


def _defined_name(a):
    from openpyxl.workbook.defined_name import DefinedName

    def change(wb, ws):
        wb.defined_names["South_deaths"] = DefinedName("South_deaths", attr_text=str(a))
    return _xlsx(change)


def _sheet_name(a):
    return _xlsx(lambda wb, ws: wb.create_sheet(f"South {a} patients"))


def _notebook(meta: dict) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1, "source": "x = 1",
         "outputs": []}]})


def _widget(a):
    state = {"m1": {"model_name": "LabelModel", "state": {"value": f"South: {a} patients"}}}
    return _notebook({"widgets": {"application/vnd.jupyter.widget-state+json": {"state": state}}})


def _footnote(a):
    import zipfile

    import docx

    d = docx.Document()
    d.add_paragraph("Results by region are in the table.")
    b = io.BytesIO()
    d.save(b)
    src, out = zipfile.ZipFile(io.BytesIO(b.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        z.writestr("word/footnotes.xml", f'<?xml version="1.0"?><w:footnotes {ns}><w:footnote w:id="1">'
                                         f'<w:p><w:r><w:t>South region: {a} patients died.</w:t></w:r></w:p>'
                                         '</w:footnote></w:footnotes>')
    return out.getvalue()


def _pdf_annotation(a):
    from pypdf import PdfWriter
    from pypdf.annotations import Text

    w = PdfWriter()
    w.add_blank_page(300, 300)
    w.add_annotation(0, Text(text=f"South: {a} patients", rect=(50, 50, 100, 100)))
    b = io.BytesIO()
    w.write(b)
    return b.getvalue()


PLACES = {
    "file_name": (lambda a: f"South_{a}_patients.csv", lambda a: "region,n\nNorth,120\nEast,140\n"),
    "svg_title": (lambda a: "c.svg", lambda a: f'<svg xmlns="http://www.w3.org/2000/svg"><title>South: {a} '
                                               'patients</title><rect width="10" height="10"/></svg>'),
    "html_alt": (lambda a: "p.html", lambda a: f'<html><body><img src="x.png" alt="South: {a} patients">'
                                               '</body></html>'),
    "xlsx_validation_list": (lambda a: "w.xlsx", _validation),
    "xlsx_defined_name": (lambda a: "w.xlsx", _defined_name),
    "xlsx_sheet_name": (lambda a: "w.xlsx", _sheet_name),
    "notebook_metadata": (lambda a: "n.ipynb", lambda a: _notebook({"counts": {"North": 120, "South": a}})),
    "notebook_widget_state": (lambda a: "n.ipynb", _widget),
    "docx_footnote": (lambda a: "d.docx", _footnote),
    "pdf_annotation": (lambda a: "d.pdf", _pdf_annotation),
}


@pytest.mark.parametrize("member", list(PLACES))
def test_count_in_an_odd_place_with_a_small_count_blocks(run, member):
    name, body = PLACES[member]
    r = _file(run, name(SMALL), body(SMALL), "text", "output")
    assert r.verdict == "block" and any(f.severity == "block" and "3" in f.message_en + str(f.location)
                                        for f in r.findings), said(r)


@pytest.mark.parametrize("member", ["file_name", "xlsx_validation_list", "xlsx_defined_name",
                                    "xlsx_sheet_name", "notebook_metadata", "notebook_widget_state",
                                    "docx_footnote", "pdf_annotation"])
def test_count_in_an_odd_place_of_large_counts_passes(run, member):
    name, body = PLACES[member]
    r = _file(run, name(SAFE), body(SAFE), "text", "output")
    assert _safe(r) and r.verdict == "pass", said(r)


@pytest.mark.parametrize("member", ["svg_title", "html_alt"])
def test_pictures_of_large_counts_go_to_the_committee_not_for_being_unread(run, member):
    name, body = PLACES[member]
    r = _file(run, name(SAFE), body(SAFE), "text", "output")
    assert _safe(r), said(r)


def test_a_table_in_a_footnote_is_held_not_passed(run):
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(_footnote(SAFE))), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/footnotes.xml":
                data = data.replace(b"<w:p>", b"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p>"
                                              b"</w:tc></w:tr></w:tbl><w:p>", 1)
            z.writestr(item, data)
    r = _file(run, "d.docx", out.getvalue(), "text", "output")
    assert r.verdict != "pass" and any("footnotes.xml holds a table" in f.message_en for f in r.findings), said(r)


def _two_tables(a):
    return ({"a.csv": f"group,n\nAll regions,{a + 290}\n", "b.csv": "group,n\nAll but North,290\n"},
            [{"path": p, "kind": "table", "description": "t",
              "columns": {"group": {"role": "group"}, "n": {"role": "count"}}} for p in ("a.csv", "b.csv")])


def test_a_total_and_all_but_one_in_two_files_block_the_difference(run):
    r = run(*_two_tables(SMALL))
    assert _blocks_naming(r), said(r)


def test_a_total_and_all_but_one_in_two_files_of_large_counts_pass(run):
    r = run(*_two_tables(SAFE))
    assert r.verdict == "pass", said(r)


def test_a_total_and_all_but_one_in_two_sentences_are_held(run):
    small = _file(run, "a.txt", f"The cohort had {SMALL + 290} patients. Excluding the North region, "
                               "290 patients remained.\n", "text", "output")
    assert small.verdict != "pass" and any(f"the {SMALL} between them" in f.message_en
                                           for f in small.findings), said(small)
    safe = _file(run, "b.txt", f"The cohort had {SAFE + 290} patients. Excluding the North region, "
                              "290 patients remained.\n", "text", "output")
    assert safe.verdict == "pass", said(safe)


# ---- CPU budget ---------------------------------------------------------------------------------
N = 40_000
CRAFTED = {
    "spss_open_block_comments": ("a.sps", "/*" * (N // 2)),
    "spss_stars": ("a.sps", "*\n" * (N // 2)),
    "spss_quotes": ("a.sps", "'" * N),
    "spss_recodes": ("a.sps", "RECODE x\n" * (N // 9)),
    "spss_begin_data": ("a.sps", "BEGIN DATA\n" * (N // 11)),
    "spss_ifs": ("a.sps", "IF (x = 'a') n = 3\n" * (N // 19)),
    "r_rbind_open": ("a.R", "rbind(" * (N // 6)),
    "r_rbind_wide": ("a.R", "t <- rbind(" + ", ".join(f"c(r{i} = {i + 10})" for i in range(N // 12)) + ")\n"),
    "r_matrix_names_apart": ("a.R", "rownames(m) <- c('a')\n" * (N // 22)),
    "r_print_var_lines": ("o.txt", "  x\n" * (N // 4)),
    "r_print_levels": ("o.txt", "region\n" + "a b\n1 2\n" * (N // 8)),
}


@pytest.mark.parametrize("member", list(CRAFTED))
def test_crafted_input_is_checked_within_its_budget(tmp_path, member):
    name, body = CRAFTED[member]
    t = time.process_time()
    r = make_request(tmp_path, {name: body}, [{"path": name, "kind": "text", "description": "x"}])
    assert time.process_time() - t < 10, member
    assert r.verdict in ("pass", "review", "block")
