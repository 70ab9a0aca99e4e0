"""Unseen outputs, round 9 (rules E1 aggregates only, E2 small counts, E4 declarations, E6/E7
hidden data): the attacker submits outputs no earlier test has seen, declared misleadingly or
written in another encoding, and the content must decide.  Every member is a fixed case through
``check_request`` with a safe counterpart that must pass (or, for figures and pages, must not
block: every figure goes to the committee anyway, E5):

- (a) misleading declarations: a table declared code/model/figure/text/notebook under any name;
  a regression printout with a crosstab printed around it or typed into its coefficient table
  (``readers/model_span``); a codebook of value counts; data typed into code as records of dicts,
  maps of spelled numbers, R ``list()``/``setNames()``/``structure()``, SQL ``UNION`` of literal
  SELECTs and ``INSERT`` into a created table; a rounding or a minimum cell size the description
  claims and the counts do not follow (``declared_claims``);
- (b) encodings: UTF-16/UTF-32 with a byte-order mark (a safe one was blocked as binary), JSON in
  pandas' split and columns orientations, Feather, Excel cells hidden by sheet, row, column,
  ``;;;`` or white font;
- (c) ECharts ``{name, value}`` and Highcharts ``{name, y}`` points: large counts no longer
  blocked as person-level rows, small ones still block;
- (d) new members: a ranked list of rare diagnoses with counts (``readers/label_lists``), a "Top 5"
  heading that is no count, cumulative columns headed "as of"/"at most"/"or fewer"/至今 or along an
  as_of/through/截至 grouping.
"""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tests.egress_engine import formats_fixtures as fx
from tests.egress_engine.conftest import COUNT, G, by, said, table

SMALL = "region,n\nNorth,120\nSouth,3\nEast,140\n"
SAFE = "region,n\nNorth,120\nSouth,93\nEast,140\n"


def _file(run, name, body, kind="text", desc="results"):
    return run({name: body}, [{"path": name, "kind": kind, "description": desc}])


def _csv(run, body, desc="counts by region", cols=None, name="t.csv", **kw):
    return run({name: body}, [table(name, cols or {"region": G, "n": COUNT}, description=desc, **kw)])


def _blocks_small(r):
    return r.verdict == "block" and any(f.severity == "block" and f.check in (
        "threshold", "symbols", "prose", "declared_claims", "cumulative") for f in r.findings)


# ---- (a) the declared kind never relaxes a check ---------------------------------------------
KINDS = ["code", "model", "figure", "text", "notebook"]
NAMES = ["t.csv", "t.py", "t.txt", "t.md", "t.json", "t.R", "t.sql", "t.png", "t.pt", "t.yaml"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NAMES)
def test_a_table_under_any_declared_kind_and_name_blocks_its_small_count(run, kind, name):
    r = _file(run, name, SMALL, kind)
    assert r.verdict == "block", said(r)


XT_AFTER = "\nDeaths by region\nregion  n\nNorth   120\nSouth   3\nEast    140\n"
XT_AFTER_SAFE = XT_AFTER.replace("   3\n", "   93\n")
GLM = """> summary(fit)

Call:
glm(formula = death ~ age, family = binomial, data = d)

Deviance Residuals:
    Min       1Q   Median       3Q      Max
-1.0310  -0.8569  -0.8280   1.4870   1.6120

Coefficients:
             Estimate Std. Error z value Pr(>|z|)
(Intercept) -0.933680   0.197680  -4.723 2.32e-06 ***
age          0.001003   0.003700   0.271    0.786
---
Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1

(Dispersion parameter for binomial family taken to be 1)

    Null deviance: 1466.1  on 1199  degrees of freedom
Residual deviance: 1466.0  on 1198  degrees of freedom
AIC: 1470

Number of Fisher Scoring iterations: 4
"""
STATA = """
      Source |       SS           df       MS      Number of obs   =       200
-------------+----------------------------------   F(1, 198)        =     69.75
       Model |  1619.2877         1  809.643849   Prob > F        =    0.0000
    Residual |  824.171761      198   11.608053   R-squared       =    0.6627
-------------+----------------------------------
         mpg | Coefficient  Std. err.      t    P>|t|     [95% conf. interval]
-------------+----------------------------------------------------------------
      weight |  -.0065879   .0006371   -10.34   0.000    -.0078583   -.0053175
       _cons |    41.6797   2.165547    19.25   0.000     37.36172    45.99768
------------------------------------------------------------------------------
"""


def _ols():
    return fx.ols_summary(300)


def _inside_coefficients(ms: str) -> str:
    """The crosstab's rows typed just before the rule that closes the coefficient table."""
    lines = ms.split("\n")
    close = max(i for i, ln in enumerate(lines) if ln.startswith("====="))
    return "\n".join(lines[:close] + ["North   120", "South     3", "East    140"] + lines[close:])


MODEL_AROUND = {
    "statsmodels_then_table": lambda: _ols() + XT_AFTER,
    "table_then_statsmodels": lambda: XT_AFTER + "\n" + _ols(),
    "r_glm_then_table": lambda: GLM + XT_AFTER,
    "table_then_r_glm": lambda: XT_AFTER + "\n" + GLM,
    "stata_then_table": lambda: STATA + XT_AFTER,
    "table_then_stata": lambda: XT_AFTER + "\n" + STATA,
}


@pytest.mark.parametrize("kind,name", [("text", "model_summary.txt"), ("model", "model.txt"),
                                       ("text", "fit.log")])
@pytest.mark.parametrize("member", list(MODEL_AROUND))
def test_a_table_printed_around_a_model_summary_is_read(run, member, kind, name):
    r = _file(run, name, MODEL_AROUND[member](), kind, "logistic model")
    assert by(r, check="threshold", severity="block"), said(r)


def test_rows_typed_into_a_coefficient_table_are_not_taken_for_coefficients(run):
    r = _file(run, "fit.txt", _inside_coefficients(_ols()), "text", "model")
    assert r.verdict != "pass", said(r)
    assert [f for f in r.findings if f.check == "content"], said(r)


@pytest.mark.parametrize("member", ["statsmodels", "r_glm", "stata"])
def test_a_model_summary_alone_or_beside_a_safe_table_is_not_held_for_counts(run, member):
    ms = {"statsmodels": _ols, "r_glm": lambda: GLM, "stata": lambda: STATA}[member]()
    alone = _file(run, "fit.log", ms, "text", "model")
    # the name recogniser (deidentify) may take Stata's "Number of obs" for a name: a review
    assert not [f for f in alone.findings if f.check != "identifiers"], said(alone)
    beside = _file(run, "fit2.log", ms + XT_AFTER_SAFE, "text", "model")
    assert not [f for f in beside.findings if f.severity == "block"], said(beside)


CODEBOOKS = {
    "markdown": ("codebook.md", "# Data dictionary\n\n| variable | value | label | frequency |\n|---|---|---|---|\n"
                                "| sex | 1 | male | 1203 |\n| sex | 2 | female | 1187 |\n| dx | E11 | diabetes | 3 |\n"),
    "csv_as_text": ("codebook.csv", "variable,value,label,freq\nsex,1,male,1203\nsex,2,female,1187\ndx,E11,diabetes,3\n"),
    "yaml": ("codebook.yaml", "dx:\n  label: diagnosis\n  values:\n    E11: {label: diabetes, n: 3}\n"
                              "    I10: {label: hypertension, n: 812}\n    J45: {label: asthma, n: 240}\n"),
    "json": ("codebook.json", json.dumps({"dx": {"values": [{"code": "E11", "label": "diabetes", "n": 3},
                                                            {"code": "I10", "label": "hypertension", "n": 812},
                                                            {"code": "J45", "label": "asthma", "n": 240}]}})),
}


@pytest.mark.parametrize("member", list(CODEBOOKS))
def test_a_codebook_holding_value_counts_blocks_its_small_count(run, member):
    name, body = CODEBOOKS[member]
    r = _file(run, name, body, "text", "data dictionary")
    assert by(r, check="threshold", severity="block"), said(r)


CODE_DATA = {
    "py_records": ("a.py", "import pandas as pd\ndf = pd.DataFrame([{'region': 'North', 'n': 120}, "
                           "{'region': 'South', 'n': 3}, {'region': 'East', 'n': 140}])\n"),
    "py_records_deaths": ("a.py", "data = [{'area': 'North', 'deaths': 120}, {'area': 'South', 'deaths': 3}]\n"),
    "py_spelled_map": ("a.py", "by_region = {'North': 'one hundred twenty', 'South': 'three', 'East': 'one hundred forty'}\n"),
    "py_spelled_zh": ("a.py", "by_region = {'北區': '一百二十', '南區': '三', '東區': '一百四十'}\n"),
    "r_list": ("a.R", "x <- list(North = 120, South = 3, East = 140)\n"),
    "r_setnames": ("a.R", "x <- setNames(c(120, 3, 140), c('North', 'South', 'East'))\n"),
    "r_structure": ("a.R", "x <- structure(c(120L, 3L, 140L), names = c('North', 'South', 'East'))\n"),
    "r_setnames_stats": ("a.R", "x <- stats::setNames(c(120, 3, 140), c('North', 'South', 'East'))\n"),
    "sql_union": ("a.sql", "SELECT 'North' AS region, 120 AS n UNION ALL SELECT 'South', 3 "
                           "UNION ALL SELECT 'East', 140;\n"),
    "sql_union_plain": ("a.sql", "SELECT 'North' AS region, 120 AS n UNION SELECT 'South', 3;\n"),
    "sql_insert_created": ("a.sql", "CREATE TABLE t(region text, n int);\n"
                                    "INSERT INTO t VALUES ('North', 120), ('South', 3), ('East', 140);\n"),
}


@pytest.mark.parametrize("member", list(CODE_DATA))
def test_data_typed_into_code_blocks_its_small_count(run, member):
    name, body = CODE_DATA[member]
    r = _file(run, name, body, "code", "analysis code")
    assert by(r, check="threshold", severity="block"), said(r)


CODE_SAFE = {
    "py_records_large": ("a.py", "import pandas as pd\ndf = pd.DataFrame([{'region': 'North', 'n': 1200}, "
                                 "{'region': 'South', 'n': 930}])\n"),
    "py_param_grid": ("a.py", "grid = [{'penalty': 'l1', 'C': 0.5}, {'penalty': 'l2', 'C': 1.5}]\n"),
    "py_version_strings": ("a.py", "req = {'python': '3', 'numpy': '1'}\n"),
    "r_list_large": ("a.R", "x <- list(North = 1200, South = 930, East = 1400)\n"),
    "r_control_list": ("a.R", "fit <- glm(y ~ x, data = d, control = list(maxit = 100, trace = 1))\n"),
    "r_setnames_large": ("a.R", "x <- setNames(c(1200, 930, 1400), c('North', 'South', 'East'))\n"),
    "sql_union_large": ("a.sql", "SELECT 'North' AS region, 1200 AS n UNION ALL SELECT 'South', 930;\n"),
    "sql_query": ("a.sql", "SELECT region, COUNT(*) AS n FROM cohort GROUP BY region HAVING COUNT(*) >= 6;\n"),
}


@pytest.mark.parametrize("member", list(CODE_SAFE))
def test_code_without_small_data_passes(run, member):
    name, body = CODE_SAFE[member]
    r = _file(run, name, body, "code", "analysis code")
    assert r.verdict == "pass", said(r)


CLAIMS = {
    "rounded_to_nearest": ("counts rounded to nearest 10", "block"),
    "rounded_to_multiples": ("counts rounded to multiples of 5", "block"),
    "randomly_rounded_base": ("counts randomly rounded to base 3", "block"),
    "zh_rounded_to": ("人數已四捨五入到5", "block"),
    "bare_rounded": ("all counts rounded", "review"),
    "bare_rounded_random": ("counts were randomly rounded", "review"),
    "zh_bare_rounded": ("人數已四捨五入", "review"),
    "all_cells_above": ("all cells > 10", "review"),
    "every_count_over": ("every count over 10", "review"),
    "zh_cells_above": ("所有細格皆大於10", "review"),
}


@pytest.mark.parametrize("member", list(CLAIMS))
def test_a_claim_the_counts_do_not_follow_is_named(run, member):
    desc, severity = CLAIMS[member]
    r = _csv(run, "region,n\nNorth,120\nSouth,7\nEast,140\n", desc=desc)
    assert by(r, check="declared_claims", severity=severity), said(r)


@pytest.mark.parametrize("desc", ["all counts rounded", "counts rounded to nearest 5", "all cells > 10",
                                  "percentages rounded to one decimal", "人數已四捨五入"])
def test_a_claim_the_counts_follow_raises_nothing(run, desc):
    r = _csv(run, "region,n\nNorth,120\nSouth,15\nEast,140\n", desc=desc)
    assert not by(r, check="declared_claims"), said(r)


# ---- (b) the same table in other encodings ---------------------------------------------------
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"]


def _bom(text: str, enc: str) -> bytes:
    return (b"\xfe\xff" + text.encode("utf-16-be")) if enc == "utf-16-be" else text.encode(enc)


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("kind,name", [("table", "t.csv"), ("text", "t.csv"), ("text", "t.txt"),
                                       ("text", "t.tsv")])
def test_a_unicode_table_with_a_byte_order_mark_is_read(run, enc, kind, name):
    small, safe = SMALL, SAFE
    if name.endswith(".tsv"):
        small, safe = small.replace(",", "\t"), safe.replace(",", "\t")
    if kind == "table":
        bad, ok = _csv(run, _bom(small, enc), name=name), _csv(run, _bom(safe, enc), name="ok_" + name)
    else:
        bad, ok = _file(run, name, _bom(small, enc)), _file(run, "ok_" + name, _bom(safe, enc))
    assert by(bad, check="threshold", severity="block"), said(bad)
    # before, the safe one was blocked as "binary data" under a text name
    assert ok.verdict == "pass", said(ok)


def _frame(n):
    return pd.DataFrame({"region": ["North", "South", "East"], "n": [120, n, 140]})


ORIENTS = ["split", "columns", "records"]


@pytest.mark.parametrize("orient", ORIENTS)
@pytest.mark.parametrize("kind", ["table", "text"])
def test_json_in_pandas_orientations_is_read_as_a_table(run, orient, kind):
    bad_raw, ok_raw = _frame(3).to_json(orient=orient), _frame(93).to_json(orient=orient)
    if kind == "table":
        bad, ok = _csv(run, bad_raw, name="t.json"), _csv(run, ok_raw, name="ok.json")
    else:
        bad, ok = _file(run, "t.json", bad_raw), _file(run, "ok.json", ok_raw)
    assert by(bad, check="threshold", severity="block"), said(bad)
    assert ok.verdict == "pass", said(ok)


def test_a_feather_table_is_read_as_declared(run):
    def raw(n):
        b = io.BytesIO()
        _frame(n).to_feather(b)
        return b.getvalue()
    assert by(_csv(run, raw(3), name="t.feather"), check="threshold", severity="block")
    ok = _csv(run, raw(93), name="ok.feather")
    assert ok.verdict == "pass", said(ok)


def _workbook(hide):
    import openpyxl
    from openpyxl.styles import Font

    w = openpyxl.Workbook()
    ws = w.active
    ws.title = "counts"
    for row in [["region", "n"], ["North", 120], ["South", 93], ["East", 140]]:
        ws.append(row)
    if hide == "sheet":
        s = w.create_sheet("x")
        s.sheet_state = "hidden"
        s.append(["region", "n"])
        s.append(["West", 3])
    elif hide == "column":
        ws["C1"], ws["C2"], ws["C3"], ws["C4"] = "deaths", 40, 3, 50
        ws.column_dimensions["C"].hidden = True
    else:
        ws.append(["West", 3])
        if hide == "row":
            ws.row_dimensions[5].hidden = True
        elif hide == ";;;":
            ws["B5"].number_format = ";;;"
        elif hide == "white":
            ws["B5"].font = Font(color="FFFFFFFF")
    b = io.BytesIO()
    w.save(b)
    return b.getvalue()


@pytest.mark.parametrize("kind", ["table", "text", "figure"])
@pytest.mark.parametrize("hide", ["sheet", "row", "column", ";;;", "white"])
def test_a_workbook_hiding_a_small_count_blocks(run, hide, kind):
    raw = _workbook(hide)
    r = _csv(run, raw, name="t.xlsx", sheet="counts") if kind == "table" else _file(run, "t.xlsx", raw, kind)
    assert r.verdict == "block", said(r)


def test_a_plain_workbook_of_large_counts_passes(run):
    import openpyxl

    w = openpyxl.Workbook()
    ws = w.active
    ws.title = "counts"
    for row in [["region", "n"], ["North", 120], ["South", 93], ["East", 140]]:
        ws.append(row)
    b = io.BytesIO()
    w.save(b)
    assert _csv(run, b.getvalue(), name="t.xlsx", sheet="counts").verdict == "pass"


# ---- (c) chart data points {name, value} / {name, y} -----------------------------------------
def _echarts_html(vals):
    data = ", ".join(f"{{name: '{n}', value: {v}}}" for n, v in zip(("North", "South", "East"), vals))
    return ("<html><body><div id='c'></div><script>var chart = echarts.init(document.getElementById('c'));\n"
            f"chart.setOption({{series: [{{type: 'pie', data: [{data}]}}]}});</script></body></html>")


def _echarts_json(vals):
    return json.dumps({"series": [{"type": "bar", "data": [
        {"name": n, "value": v, "itemStyle": {"color": "#5470c6"}} for n, v in zip(("North", "South", "East"), vals)]}]})


def _highcharts_html(vals):
    data = ", ".join(f"{{name: '{n}', y: {v}}}" for n, v in zip(("North", "South", "East"), vals))
    return ("<html><body><div id='c'></div><script>\n"
            f"Highcharts.chart('c', {{series: [{{type: 'pie', data: [{data}]}}]}});</script></body></html>")


def _highcharts_json(vals):
    return json.dumps({"chart": {"type": "column"}, "series": [{"name": "regions", "data": [
        {"name": n, "y": v, "sliced": False} for n, v in zip(("North", "South", "East"), vals)]}]})


CHARTS = {"echarts_html": (_echarts_html, "c.html"), "echarts_json": (_echarts_json, "c.json"),
          "highcharts_html": (_highcharts_html, "c.html"), "highcharts_json": (_highcharts_json, "c.json")}


@pytest.mark.parametrize("kind", ["figure", "text"])
@pytest.mark.parametrize("member", list(CHARTS))
def test_chart_points_of_large_counts_are_not_blocked_as_person_rows(run, member, kind):
    make, name = CHARTS[member]
    r = _file(run, name, make((1200, 930, 1400)), kind, "chart")
    assert r.verdict != "block", said(r)
    assert not [f for f in r.findings if f.check == "content" and "person" in f.message_en], said(r)


@pytest.mark.parametrize("kind", ["figure", "text"])
@pytest.mark.parametrize("member", list(CHARTS))
def test_chart_points_with_a_small_count_block(run, member, kind):
    make, name = CHARTS[member]
    r = _file(run, name, make((1200, 3, 1400)), kind, "chart")
    assert by(r, check="threshold", severity="block"), said(r)


# ---- (d) new members -------------------------------------------------------------------------
LISTS = {
    "md_numbered_brackets": ("t.md", "## Top 5 rare diagnoses\n\n1. Marfan syndrome ({a})\n2. Fabry disease ({b})\n"
                                     "3. Gaucher disease ({c})\n"),
    "md_bullets_colon": ("t.md", "Most common rare diagnoses:\n- Marfan syndrome: {a}\n- Fabry disease: {b}\n"
                                 "- Gaucher disease: {c}\n"),
    "txt_dash": ("t.txt", "Top diagnoses among the cohort\n1. Marfan syndrome - {a}\n2. Fabry disease - {b}\n"
                          "3. Gaucher disease - {c}\n"),
    "txt_times": ("t.txt", "Top diagnoses\nMarfan syndrome x{a}\nFabry disease x{b}\nGaucher disease x{c}\n"),
    "txt_n_equals": ("t.txt", "Number of patients by rare disease\n* Marfan syndrome (n={a})\n"
                              "* Fabry disease (n={b})\n* Gaucher disease (n={c})\n"),
    "zh_fullwidth_colon": ("t.md", "前5大罕見疾病\n- 馬凡氏症候群：{a}\n- 法布瑞氏症：{b}\n- 高雪氏症：{c}\n"),
}


@pytest.mark.parametrize("member", list(LISTS))
def test_a_ranked_list_of_rare_diagnoses_blocks_its_small_counts(run, member):
    name, body = LISTS[member]
    r = _file(run, name, body.format(a=3, b=2, c=4))
    assert by(r, check="threshold", severity="block") or by(r, check="prose", severity="block"), said(r)


@pytest.mark.parametrize("member", list(LISTS))
def test_the_same_list_of_large_counts_is_not_blocked(run, member):
    name, body = LISTS[member]
    r = _file(run, name, body.format(a="1,203", b=930, c=640))
    assert r.verdict != "block", said(r)


@pytest.mark.parametrize("body", ["Steps\n1. Load data: 1\n2. Clean: 2\n3. Fit: 3\n",
                                  "Versions used\n- pandas 2\n- numpy 1\n- python 3\n"])
def test_lists_with_no_counting_heading_are_not_read_as_counts(run, body):
    r = _file(run, "t.md", body)
    assert not by(r, check="threshold"), said(r)


@pytest.mark.parametrize("text", ["## Top 5 diagnoses\n\nDiabetes was the most common.\n",
                                  "The five most common diagnoses are shown in Table 2.\n",
                                  "前5大診斷如表2。\n", "Top 3 hospitals by volume are not named.\n"])
def test_the_length_of_a_ranked_list_is_no_count(run, text):
    r = _file(run, "t.md", text)
    assert not [f for f in r.findings if f.severity == "block"], said(r)


CUMULATIVE = {
    "as_of_header": ("month,enrolled_as_of\n2020-01,120\n2020-02,124\n2020-03,260\n", "month", "enrolled_as_of"),
    "as_of_group": ("as_of,enrolled\n2020-01-31,120\n2020-02-29,124\n2020-03-31,260\n", "as_of", "enrolled"),
    "through_group": ("through,patients\n2019,120\n2020,122\n2021,260\n", "through", "patients"),
    "at_most": ("age,n_at_most\n30,120\n40,124\n50,260\n", "age", "n_at_most"),
    "or_fewer": ("visits,patients_with_3_or_fewer\n1,120\n2,121\n3,250\n", "visits", "patients_with_3_or_fewer"),
    "zh_so_far": ("月份,至今人數\n1月,120\n2月,123\n3月,260\n", "月份", "至今人數"),
    "zh_cutoff_group": ("截至月份,人數\n1月,120\n2月,123\n3月,260\n", "截至月份", "人數"),
}


@pytest.mark.parametrize("member", list(CUMULATIVE))
def test_a_cumulative_column_said_another_way_blocks_its_small_step(run, member):
    body, g, c = CUMULATIVE[member]
    r = _csv(run, body, cols={g: G, c: COUNT})
    assert by(r, check="cumulative", severity="block"), said(r)


@pytest.mark.parametrize("member", list(CUMULATIVE))
def test_the_same_cumulative_column_in_large_steps_passes(run, member):
    body, g, c = CUMULATIVE[member]
    lines = body.strip().split("\n")
    first = lines[1].rsplit(",", 1)
    # steps of 60 and more: no small count by difference
    body = "\n".join([lines[0], lines[1], f"{lines[2].rsplit(',', 1)[0]},{int(first[1]) + 60}",
                      lines[3]]) + "\n"
    r = _csv(run, body, cols={g: G, c: COUNT})
    assert r.verdict == "pass", said(r)


def test_an_ever_smoker_count_by_region_is_no_running_total(run):
    r = _csv(run, "region,ever_smokers\nNorth,120\nSouth,123\nEast,260\n",
             cols={"region": G, "ever_smokers": COUNT})
    assert r.verdict == "pass", said(r)
