"""Issue 20: every format is read and its numbers checked; per format a disclosive file (it
passed before the readers existed) and a benign one, and every finding names its place."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.egress_engine import formats_fixtures as fx
from tests.egress_engine.conftest import by

SMALL = pd.DataFrame({"region": ["north", "south", "east"], "n": [3, 1200, 850]})
SAFE = pd.DataFrame({"region": ["north", "south", "east"], "n": [300, 1200, 850]})


def entry(path, kind="text"):
    return {"path": path, "kind": kind, "description": "results"}


def check(run, name, content, kind="text"):
    return run({name: content}, [entry(name, kind)])


def blocks_at(r, **where):
    """The block findings whose location has every key/value of ``where``."""
    return [f for f in r.findings if f.severity == "block"
            and all(f.location.get(k) == v for k, v in where.items())]


# ---- delimited text -----------------------------------------------------------------------

@pytest.mark.parametrize("name,sep", [("t.csv", ","), ("t.tsv", "\t"), ("t.txt.csv", ";")])
def test_delimited_text_submitted_as_text_is_read_as_a_table(run, name, sep):
    bad = check(run, name, SMALL.to_csv(index=False, sep=sep))
    assert bad.verdict == "block" and blocks_at(bad, cell="B2", value="3")
    assert check(run, "ok_" + name, SAFE.to_csv(index=False, sep=sep)).verdict == "pass"


# ---- workbooks ------------------------------------------------------------------------------

def _other_sheet(wb):
    ws = wb.create_sheet("by age")
    ws.append(["age group", "persons"])
    ws.append(["65+", 4])


def _comment(wb):
    from openpyxl.comments import Comment

    wb["results"]["B3"].comment = Comment("north: only 2 patients had the procedure", "me")


def _hidden_sheet(wb):
    ws = wb.create_sheet("old")
    ws.append(["region", "n"])
    ws.append(["north", 300])
    ws.sheet_state = "hidden"


def _hidden_row(wb):
    wb["results"].row_dimensions[2].hidden = True


def _defined_name(wb):
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["patient"] = DefinedName("patient", attr_text='"A123456789"')


def _property(wb):
    wb.properties.subject = "Three women aged 101 were excluded"


def _chart_cache(wb):
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import NumData, NumVal

    ws = wb["results"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.series[0].val.numRef.numCache = NumData(pt=[NumVal(idx=0, v=2), NumVal(idx=1, v=1200)],
                                                  ptCount=2)
    ws.add_chart(chart, "D2")


@pytest.mark.parametrize("edit,where", [
    (_other_sheet, {"sheet": "by age", "cell": "B2"}),
    (_comment, {"sheet": "results", "cell": "B3", "part": "comment"}),
    (_hidden_sheet, {"sheet": "old"}),
    (_hidden_row, {"sheet": "results"}),
    (_defined_name, {"name": "patient"}),
    (_property, {"property": "subject"}),
    (_chart_cache, {"sheet": "results", "chart": 1}),
])
@pytest.mark.parametrize("kind", ["table", "text"])
def test_every_part_of_a_workbook_is_read(run, edit, where, kind):
    e = entry("w.xlsx", kind)
    if kind == "table":
        e["columns"] = {"region": {"role": "group"}, "n": {"role": "count"}}
    r = run({"w.xlsx": fx.xlsx_bytes(SAFE, edit)}, [e])
    assert r.verdict == "block", [(f.check, f.location, f.message_en) for f in r.findings]
    hits = [f for f in r.findings if f.severity == "block"
            and all(f.location.get(k) == v for k, v in where.items())]
    assert hits, [(f.check, f.location) for f in r.findings]


@pytest.mark.parametrize("kind", ["table", "text"])
def test_a_plain_safe_workbook_passes(run, kind):
    e = entry("w.xlsx", kind)
    if kind == "table":
        e["columns"] = {"region": {"role": "group"}, "n": {"role": "count"}}
    assert run({"w.xlsx": fx.xlsx_bytes(SAFE)}, [e]).verdict == "pass"


def test_ods_sheets_are_read(run):
    assert blocks_at(check(run, "t.ods", fx.ods_bytes(SMALL)), sheet="Sheet1", cell="B2")
    assert check(run, "u.ods", fx.ods_bytes(SAFE)).verdict == "pass"


def test_a_workbook_part_no_reader_knows_goes_to_review(run):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fx.xlsx_bytes(SAFE))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/pivotCache/pivotCacheRecords1.xml", "<pivotCacheRecords/>")
    r = check(run, "p.xlsx", buf.getvalue())
    assert r.verdict == "review"
    assert any(f.location.get("part") == "xl/pivotCache/pivotCacheRecords1.xml" for f in r.findings)


# ---- columnar -------------------------------------------------------------------------------

def test_parquet_and_feather_are_read(run):
    for name, make in (("t.parquet", fx.parquet_bytes), ("t.feather", fx.feather_bytes)):
        bad = check(run, name, make(SMALL))
        assert blocks_at(bad, row=1, column="n", value="3"), name
        assert check(run, "ok" + name, make(SAFE)).verdict == "pass", name


def test_parquet_schema_metadata_is_read_as_words(run):
    r = check(run, "m.parquet", fx.parquet_bytes(SAFE, {b"note": b"2 patients removed by hand"}))
    assert blocks_at(r, part="schema metadata", key="note")


# ---- JSON and YAML --------------------------------------------------------------------------

def test_json_maps_lists_and_labelled_numbers(run):
    bad = check(run, "a.json", fx.json_map(SMALL, "region", "n"))
    assert blocks_at(bad, json_path="$.n", value="3")
    assert check(run, "b.json", fx.json_map(SAFE, "region", "n")).verdict == "pass"
    nested = json.dumps({"results": {"deaths": {"n_patients": 4}}})
    assert blocks_at(check(run, "c.json", nested), json_path="$.results.deaths.n_patients")
    records = json.dumps({"rows": SMALL.to_dict("records")})
    assert blocks_at(check(run, "d.json", records), json_path="$.rows")


def test_json_numbers_of_unknown_meaning_go_to_review(run):
    r = check(run, "e.json", json.dumps({"by_region": {"north": 3, "south": 1200}}))
    assert r.verdict == "review" and all(f.location.get("json_path") == "$.by_region" for f in r.findings)


def test_yaml_maps_are_tables(run):
    assert blocks_at(check(run, "a.yaml", "counts:\n  north: 3\n  south: 1200\n"), json_path="$.counts")
    assert check(run, "b.yaml", "n:\n  north: 300\n  south: 1200\n").verdict == "pass"


# ---- HTML and Markdown ----------------------------------------------------------------------

def test_html_tables_and_prose(run):
    assert blocks_at(check(run, "a.html", fx.html_report(SMALL)), table=1, row=1, column="n")
    prose = check(run, "b.html", fx.html_report(SAFE, "Of the 300 patients in the north, 2 died."))
    assert blocks_at(prose, part="text")
    ok = fx.html_report(SAFE, "Among 1,200 patients enrolled in 2019, 300 (25.0%) lived in the north.")
    assert check(run, "c.html", ok).verdict == "pass"


def test_html_attributes_and_comments_are_words(run):
    html = fx.html_report(SAFE) + '<img alt="3 patients" src="x.png"><!-- n = 2 -->'
    r = check(run, "d.html", html)
    assert blocks_at(r, part="img[alt]") and blocks_at(r, part="comment")


def test_markdown_tables_and_prose(run):
    bad = check(run, "a.md", "# Results\n\n" + fx.markdown_table(SMALL))
    assert blocks_at(bad, table=1, line=3, row=1, column="n")
    prose = check(run, "b.md", "# Results\n\nWe found 3 of 11 patients.\n")
    hit = blocks_at(prose, line=3)
    assert hit and hit[0].location["sentence"] == "We found 3 of 11 patients."
    ok = "# Results\n\nWe enrolled 1,200 patients in 2019.\n\n" + fx.markdown_table(SAFE)
    assert check(run, "c.md", ok).verdict == "pass"


# ---- notebooks ------------------------------------------------------------------------------

def test_notebook_display_of_a_table_both_forms(run):
    r = check(run, "a.ipynb", fx.notebook([fx.display(SMALL)]), "notebook")
    parts = {f.location["part"] for f in blocks_at(r, cell_index=0, output=0)}
    assert parts == {"text/html", "text/plain"}
    assert check(run, "b.ipynb", fx.notebook([fx.display(SAFE)]), "notebook").verdict == "pass"


def test_notebook_head_of_the_cohort_blocks(run):
    cohort = pd.DataFrame({"sex": ["M", "F", "F", "M", "F"], "age": [34, 71, 56, 45, 62],
                           "icd": ["E11", "I10", "E11", "J45", "I10"]})
    r = check(run, "h.ipynb", fx.notebook([fx.display(cohort)]), "notebook")
    assert r.verdict == "block" and any(f.rule == "E1" for f in blocks_at(r, cell_index=0, output=0))


@pytest.mark.parametrize("output,part", [
    (lambda: fx.stream("n = 4\n"), "stdout"),
    (lambda: fx.stream("Warning: 2 patients dropped for missing sex\n", "stderr"), "stderr"),
    (lambda: fx.stream(repr(SMALL.set_index("region")["n"])), "stdout"),
])
def test_notebook_printed_output_is_read(run, output, part):
    r = check(run, "s.ipynb", fx.notebook([output()]), "notebook")
    assert blocks_at(r, cell_index=0, output=0, part=part), [(f.location, f.message_en) for f in r.findings]


def test_notebook_error_traceback_markdown_and_metadata_are_read(run):
    from nbformat.v4 import new_output

    err = new_output("error", ename="ValueError", evalue="only 3 patients in stratum",
                     traceback=["ValueError: only 3 patients in stratum"])
    assert blocks_at(check(run, "e.ipynb", fx.notebook([err]), "notebook"), part="error")
    md = check(run, "m.ipynb", fx.notebook([], markdown="Only 2 of 300 patients were excluded."),
               "notebook")
    assert blocks_at(md, cell_index=0, part="source")
    meta = check(run, "c.ipynb", fx.notebook([], cell_metadata={"note": "共3人"}), "notebook")
    assert blocks_at(meta, cell_index=0, part="metadata")


def test_notebook_widget_state_is_read(run):
    state = {"widgets": {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0,
        "state": {"k1": {"model_name": "HTMLModel", "state": {"value": "<b>n = 3</b>"}},
                  "k2": {"model_name": "IntSliderModel", "state": {"value": 47}}}}}}
    r = check(run, "w.ipynb", fx.notebook([fx.display(SAFE)], metadata=state), "notebook")
    assert r.verdict == "block"
    assert any("widget-state" in f.location.get("json_path", "") for f in r.findings)


def test_notebook_output_of_unknown_type_is_not_passed(run):
    from nbformat.v4 import new_output

    odd = new_output("display_data", data={"application/vnd.custom+octet": "AAAA"})
    assert check(run, "o.ipynb", fx.notebook([odd]), "notebook").verdict == "review"


# ---- PDF and DOCX ---------------------------------------------------------------------------

def test_pdf_text_is_read(run):
    bad = check(run, "a.pdf", fx.pdf_bytes("Results. Of 300 patients enrolled, three women had a stroke."))
    assert blocks_at(bad, page=1)
    ok = check(run, "b.pdf", fx.pdf_bytes("Results. We enrolled 1,200 patients in 2019 (p = 0.03)."))
    assert ok.verdict == "pass"


def test_docx_paragraphs_tables_and_comments_are_read(run):
    assert blocks_at(check(run, "a.docx", fx.docx_bytes("Summary.", SMALL)), table=1, row=1, column="n")
    assert blocks_at(check(run, "b.docx", fx.docx_bytes("We saw 4 cases.")), paragraph=1)
    c = check(run, "c.docx", fx.docx_bytes("Summary.", SAFE, comment="north had n = 2"))
    assert blocks_at(c, part="comment")
    assert check(run, "d.docx", fx.docx_bytes("We enrolled 1,200 patients in 2019.", SAFE)).verdict == "pass"


# ---- model printouts ------------------------------------------------------------------------

def test_statsmodels_summary_with_few_observations_blocks(run):
    bad = check(run, "m.txt", fx.ols_summary(8))
    assert bad.verdict == "block" and by(bad, check="model_summary", severity="block")
    assert check(run, "ok.txt", fx.ols_summary(300)).verdict == "pass"
    levels = check(run, "c.txt", fx.ols_summary(300, categorical=True))
    assert levels.verdict == "review" and "C(sex)[T.M]" in str(levels.findings[0].location)


R_LM = """
Call:
lm(formula = y ~ x, data = d)

Coefficients:
            Estimate Std. Error t value Pr(>|t|)
(Intercept)  0.03181    0.10020   0.317    0.752
x            1.98131    0.10159  19.503   <2e-16 ***
---
Residual standard error: 0.9883 on {dof} degrees of freedom
Multiple R-squared:  0.7951,	Adjusted R-squared:  0.793
F-statistic: 380.4 on 1 and {dof} DF,  p-value: < 2.2e-16
"""
STATA = """
      Source |       SS           df       MS      Number of obs   =     {n:>5}
-------------+----------------------------------   F(1, {dof})        =     69.75
       Model |  1619.2877         1  809.643849   Prob > F        =    0.0000
    Residual |  824.171761      {dof}   11.608053   R-squared       =    0.6627
-------------+----------------------------------
         mpg | Coefficient  Std. err.      t    P>|t|     [95% conf. interval]
-------------+----------------------------------------------------------------
      weight |  -.0065879   .0006371   -10.34   0.000    -.0078583   -.0053175
       _cons |    41.6797   2.165547    19.25   0.000     37.36172    45.99768
------------------------------------------------------------------------------
"""


@pytest.mark.parametrize("template", [R_LM, STATA])
def test_r_and_stata_printouts_are_models(run, template):
    bad = check(run, "r.log", template.format(dof=4, n=6))
    assert by(bad, check="model_summary", severity="block")
    ok = check(run, "s.log", template.format(dof=198, n=200))
    # the name recogniser (deidentify, E7) may take Stata's "Number of obs" for a name: its
    # review is a separate matter; nothing in the model's numbers is held back
    assert not [f for f in ok.findings if f.check != "identifiers"]


# ---- what no reader can read ------------------------------------------------------------------

@pytest.mark.parametrize("name,raw", [
    ("x.xyz", b"north 3\n"), ("x.sav", b"$FL2@(#) SPSS DATA FILE"), ("x", b"3 patients"),
    ("broken.xlsx", b"PK\x03\x04garbage"), ("broken.parquet", b"PAR1garbagePAR1"),
    ("broken.ipynb", b"{not json"), ("broken.pdf", b"%PDF-1.4 garbage"), ("broken.docx", b"PK\x03\x04"),
])
def test_unreadable_or_unknown_files_are_never_passed(run, name, raw):
    r = check(run, name, raw)
    assert r.verdict != "pass"
    assert r.findings and all(f.message_en for f in r.findings)


def test_a_formula_without_a_computed_value_is_not_passed(run):
    def formula(wb):
        wb["results"]["B2"] = "=1+2"          # openpyxl stores no cached result

    r = check(run, "f.xlsx", fx.xlsx_bytes(SAFE, formula))
    # the blank count blocks (symbols), and the formula itself is named for the reviewer
    assert r.verdict == "block" and any(f.location.get("cells") == ["B2"] for f in r.findings)


def test_a_table_nested_in_another_table_is_read(run):
    inner = SMALL.to_html(index=False)
    r = check(run, "n.html", f"<table><tr><td>{inner}</td></tr></table>")
    assert blocks_at(r, table=2, row=1, column="n", value="3")


@pytest.mark.parametrize("label", ["3 patients with X", "共3人", "north (n = 2)"])
def test_a_label_that_states_a_count_is_read(run, label):
    r = check(run, "l.csv", f"group,n\n{label},40\nothers,1200\n")
    assert blocks_at(r, cell="A2"), [(f.location, f.message_en) for f in r.findings]


def _validation(wb):
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1='"A123456789,B234567890"', prompt="n = 3 in north")
    wb["results"].add_data_validation(dv)
    dv.add("A2")


def _footer(wb):
    wb["results"].oddFooter.center.text = "Only 2 patients in the north"


def _hyperlink(wb):
    wb["results"]["A2"].hyperlink = "#results!A1"
    wb["results"]["A2"].hyperlink.tooltip = "3 patients"


@pytest.mark.parametrize("edit,part", [(_validation, "dataValidation"), (_footer, "oddFooter"),
                                       (_hyperlink, "hyperlink")])
def test_words_a_sheet_keeps_outside_its_cells_are_read(run, edit, part):
    r = check(run, "v.xlsx", fx.xlsx_bytes(SAFE, edit))
    assert blocks_at(r, sheet="results", part=part), [(f.location, f.message_en) for f in r.findings]


def test_comments_in_notebook_code_are_read(run):
    from nbformat.v4 import new_code_cell, new_notebook
    import nbformat

    nb = nbformat.writes(new_notebook(cells=[new_code_cell("# north: only 3 patients\nx = 1\n")]))
    r = check(run, "c.ipynb", nb, "notebook")
    assert blocks_at(r, cell_index=0, part="comment")


def test_a_package_that_unpacks_too_far_is_not_opened(run):
    from policies.sections.egress import EgressPolicy

    pol = EgressPolicy(import_max_unpacked_bytes=10_000)
    r = run({"big.xlsx": fx.xlsx_bytes(pd.concat([SAFE] * 300))},
            [entry("big.xlsx")], policy=pol)
    assert r.verdict != "pass" and any("unpacks to" in f.message_en for f in r.findings)
