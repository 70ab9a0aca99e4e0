"""Unseen outputs, round 8 (rules E1 person-level data, E2 small counts, E3 institutions and
differencing, E4 declarations): the gaps round 7 left, closed as classes, and new members found
as the attacker.  Every member is a fixed case (no randomness) through ``check_request``, with
safe counterparts that must pass (tables) or must not block (figures: every figure goes to the
committee anyway, E5):

- (a) counts at a scale ("in thousands", "(000s)", 千人, 萬人, a caption, a footnote): decided
  from the content (``scaled_counts``); rates per 1 000/100 000 with their denominator as counts;
- (b) Plotly figures without counting words, in JSON, HTML (``Plotly.newPlot``, JS literals, a
  named variable) and binary arrays: small counts and keyed or dense scatters block
  (``chart_specs``);
- (c) Vega/Vega-Lite/Altair, Bokeh, ECharts, Highcharts, Chart.js and D3 data read as tables;
  what cannot be read goes to a person with the reason;
- (d) the attacker's new members: numbers at risk falling by 1-2 (``survival``), counts as sum ÷
  mean across tables (``mean_sum_counts``), a cost declared a count (``dominance``), and the
  members already held (differencing with a changed denominator, extremes of a small group,
  rounding declared but not applied), kept here as regression cases.
"""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

SUPP = {"role": "suppressed"}


def _file(run, name: str, body: str, kind: str = "text", desc: str = "results"):
    return run({name: body}, [{"path": name, "kind": kind, "description": desc}])


def _csv(run, body: str, cols: dict, desc: str = "t", **kw):
    return run({"t.csv": body}, [table("t.csv", cols, description=desc, **kw)])


# ---- (a) counts at a scale ---------------------------------------------------------------------
SAFE_SCALED = {
    "desc_in_thousands": ("region,n\nNorth,12.4\nSouth,3.2\nEast,14.1\n", "n", "patients in thousands"),
    "header_000s": ("region,n (000s)\nNorth,12.4\nSouth,3.2\nEast,14.1\n", "n (000s)", "t"),
    "header_quote_000": ("region,n ('000)\nNorth,12.4\nSouth,3.2\nEast,14.1\n", "n ('000)", "t"),
    "header_thousands": ("region,patients (thousands)\nNorth,12.4\nSouth,0.8\nEast,14.1\n", "patients (thousands)", "t"),
    "header_qianren": ("region,人數(千人)\nNorth,12.4\nSouth,3.2\nEast,14.1\n", "人數(千人)", "t"),
    "header_wanren": ("region,人數(萬人)\nNorth,1.24\nSouth,0.32\nEast,1.41\n", "人數(萬人)", "t"),
    "desc_unit_qian": ("region,n\nNorth,12.4\nSouth,3.2\nEast,14.1\n", "n", "單位：千人"),
    "desc_millions": ("region,n\nNorth,1.24\nSouth,0.32\nEast,2.41\n", "n", "enrollees in millions"),
    "three_decimals": ("region,n\nNorth,12.412\nSouth,0.012\nEast,14.105\n", "n", "in thousands"),
}


@pytest.mark.parametrize("name", list(SAFE_SCALED))
def test_counts_at_a_declared_scale_that_are_large_pass(run, name):
    body, col, desc = SAFE_SCALED[name]
    r = _csv(run, body, {"region": G, col: COUNT}, desc=desc)
    assert r.verdict == "pass", said(r)


# (table, column, description, what the finding says the small cell can be)
SMALL_SCALED = {
    "0.003_thousand": ("region,n\nNorth,12.4\nSouth,0.003\nEast,14.1\n", "n", "in thousands", "3 persons"),
    "0.0_thousand": ("region,n\nNorth,12.4\nSouth,0.0\nEast,14.1\n", "n", "in thousands", "1 … 49 persons"),
    "0.01_thousand": ("region,n\nNorth,12.41\nSouth,0.01\nEast,14.12\n", "n", "in thousands", "5 … 14 persons"),
    "0.004_000s": ("region,n (000s)\nNorth,12.4\nSouth,0.004\nEast,14.1\n", "n (000s)", "t", "4 persons"),
    "0.0003_wan": ("region,人數(萬人)\nNorth,1.24\nSouth,0.0003\nEast,1.41\n", "人數(萬人)", "t", "3 persons"),
    "0.002_qian": ("region,n\nNorth,1.2\nSouth,0.002\nEast,1.4\n", "n", "單位：千人", "2 persons"),
    "0.000001_million": ("region,n\nNorth,1.2\nSouth,0.000001\nEast,1.4\n", "n", "in millions", "1 persons"),
}


@pytest.mark.parametrize("name", list(SMALL_SCALED))
def test_a_scaled_cell_that_can_be_small_blocks_saying_so(run, name):
    body, col, desc, persons = SMALL_SCALED[name]
    r = _csv(run, body, {"region": G, col: COUNT}, desc=desc)
    hits = by(r, check="scaled_counts", severity="block")
    assert hits and persons in hits[0].message_en, said(r)
    assert r.verdict == "block"


@pytest.mark.parametrize("desc,col", [("in thousands", "n"), ("t", "n (000s)"), ("t", "人數(千人)"),
                                      ("單位：萬人", "n")])
def test_whole_numbers_under_a_scale_claim_are_read_as_written(run, desc, col):
    """The lie: real counts 120, 3, 140 declared "in thousands" - nothing shows the scale."""
    r = _csv(run, f"region,{col}\nNorth,120\nSouth,3\nEast,140\n", {"region": G, col: COUNT}, desc=desc)
    hits = by(r, check="scaled_counts", severity="block")
    assert hits and "only whole numbers" in hits[0].message_en, said(r)


def test_a_small_whole_number_among_scaled_values_goes_to_a_person(run):
    r = _csv(run, "region,n\nNorth,12.4\nSouth,3\nEast,14.1\n", {"region": G, "n": COUNT},
             desc="in thousands")
    assert by(r, check="scaled_counts", severity="review") and r.verdict != "pass", said(r)


def test_a_bogus_fraction_does_not_lift_small_counts_written_with_decimals(run):
    """120.0, 3.0, 140.0 beside one 12.4 under "(000s)": 3.0 is a person only if the claim holds."""
    r = _csv(run, "region,n (000s)\nNorth,120.0\nSouth,3.0\nEast,140.0\nOther,12.4\n",
             {"region": G, "n (000s)": COUNT})
    assert r.verdict != "pass" and by(r, check="scaled_counts"), said(r)


SCALED_TEXT_SAFE = {
    "caption": "Table 1. Patients by region (in thousands)\n\n| Region | Patients |\n|---|---|\n"
               "| North | 12.4 |\n| South | 3.2 |\n| East | 14.1 |\n",
    "header": "| Region | Patients (000s) |\n|---|---|\n| North | 12.4 |\n| South | 3.2 |\n| East | 14.1 |\n",
    "footnote": "| Region | Patients |\n|---|---|\n| North | 12.4 |\n| South | 3.2 |\n| East | 14.1 |\n\n"
                "Note: figures in thousands.\n",
    "zh_caption": "表1 各區病人數（單位：千人）\n\n| 地區 | 人數 |\n|---|---|\n| 北區 | 12.4 |\n| 南區 | 3.2 |\n"
                  "| 東區 | 14.1 |\n",
    "wan_header": "| 地區 | 人數(萬人) |\n|---|---|\n| 北區 | 1.24 |\n| 南區 | 0.32 |\n| 東區 | 1.41 |\n",
}


@pytest.mark.parametrize("name", list(SCALED_TEXT_SAFE))
def test_a_text_table_at_a_stated_scale_passes(run, name):
    r = _file(run, "out.md", SCALED_TEXT_SAFE[name])
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("name", list(SCALED_TEXT_SAFE))
def test_a_text_table_at_a_stated_scale_with_a_small_cell_blocks(run, name):
    body = SCALED_TEXT_SAFE[name].replace("| 3.2 |", "| 0.003 |").replace("| 0.32 |", "| 0.0003 |")
    r = _file(run, "out.md", body)
    hits = by(r, check="scaled_counts", severity="block")
    assert hits and "3 persons" in hits[0].message_en, said(r)


RATES = [("rate_per_100000", "2.5", "120000"), ("incidence_per_100k", "4", "100000"),
         ("deaths per 1000", "0.2", "10000"), ("每十萬人口發生率", "3", "100000")]


@pytest.mark.parametrize("col,small,base", RATES)
def test_a_rate_per_thousands_with_its_denominator_is_checked_as_a_count(run, col, small, base):
    cols = {"region": G, col: {"role": "statistic", "statistic": "rate", "units_column": "population"},
            "population": COUNT}
    bad = _csv(run, f"region,{col},population\nNorth,250.0,120000\nSouth,{small},{base}\nEast,300.0,140000\n", cols)
    assert any("gives away a count" in f.message_en for f in by(bad, severity="block")), said(bad)
    safe = _csv(run, f"region,{col},population\nNorth,250.0,120000\nSouth,{float(small) * 20:g},{base}\n"
                     "East,300.0,140000\n", cols)
    assert safe.verdict == "pass", said(safe)


# ---- (b) Plotly without counting words -----------------------------------------------------------
def _plotly(traces, layout=None) -> str:
    return json.dumps({"data": traces, "layout": layout or {}})


def _html(script: str) -> str:
    return f"<html><body><div id='d'></div><script>{script}</script></body></html>"


def _b64(values, dtype="<i4") -> str:
    return base64.b64encode(np.array(values, dtype=dtype).tobytes()).decode()


BAR = {"type": "bar", "x": ["North", "South", "East"], "y": [120, 3, 140]}
PLOTLY_SMALL = {
    "json_bar": ("f.json", _plotly([BAR])),
    "json_hbar": ("f.json", _plotly([{"type": "bar", "orientation": "h", "y": ["N", "S", "E"], "x": [120, 4, 99]}])),
    "json_pie": ("f.json", _plotly([{"type": "pie", "labels": ["A", "B", "C"], "values": [300, 2, 150]}])),
    "json_text_labels": ("f.json", _plotly([{"type": "bar", "x": ["A", "B"], "y": [0.5, 0.4], "text": ["120", "3"]}])),
    "json_bdata": ("f.json", _plotly([{"type": "bar", "x": ["N", "S", "E"],
                                       "y": {"dtype": "i4", "bdata": _b64([120, 3, 140])}}])),
    "html_newplot": ("f.html", _html(f"Plotly.newPlot('d', {json.dumps([BAR])}, {{}});")),
    "html_unquoted": ("f.html", _html("Plotly.newPlot('d',[{type:'bar',x:['N','S','E'],y:[120,3,140],},],{});")),
    "html_variable": ("f.html", _html(f"var data = {json.dumps([BAR])};\nPlotly.react('d', data);")),
    "html_bdata": ("f.html", _html("Plotly.newPlot('d', [{type: 'bar', x: ['N','S','E'], y: {dtype: 'i2', "
                                   f"bdata: '{_b64([120, 5, 140], '<i2')}'}}}}]);")),
}


@pytest.mark.parametrize("name", list(PLOTLY_SMALL))
def test_a_plotly_small_count_without_counting_words_blocks(run, name):
    fname, body = PLOTLY_SMALL[name]
    r = _file(run, fname, body, kind="figure")
    assert by(r, check="chart_specs", severity="block"), said(r)


KEYED = {
    "text_ids": _plotly([{"type": "scatter", "mode": "markers", "x": [1.2, 3.4, 5.1, 2.2],
                          "y": [120, 130, 118, 145], "text": ["P001", "P002", "P003", "P004"]}]),
    "hovertext_ids": _plotly([{"type": "scatter", "mode": "markers", "x": [1, 2, 3], "y": [5, 6, 7],
                               "hovertext": ["SUBJ-0045", "SUBJ-0046", "SUBJ-0047"]}]),
    "customdata_ids": _plotly([{"type": "scatter", "x": [1, 2, 3, 4], "y": [5, 6, 7, 8],
                                "customdata": [["pt01"], ["pt02"], ["pt03"], ["pt04"]]}]),
    "dense_markers": _plotly([{"type": "scattergl", "mode": "markers",
                               "x": [20 + i * 2.5 for i in range(30)], "y": [1000 + 37 * i for i in range(30)]}]),
}


@pytest.mark.parametrize("name", list(KEYED))
def test_a_person_level_plotly_scatter_blocks(run, name):
    r = _file(run, "f.json", KEYED[name], kind="figure")
    hits = by(r, check="chart_specs", severity="block")
    assert hits and hits[0].rule == "E1", said(r)


PLOTLY_SAFE = {
    "large_bar": ("f.json", _plotly([{**BAR, "y": [120, 300, 140]}])),
    "large_bar_html": ("f.html", _html(f"Plotly.newPlot('d', {json.dumps([{**BAR, 'y': [120, 300, 140]}])});")),
    "means_bar": ("f.json", _plotly([{**BAR, "y": [3.2, 4.5, 2.1]}])),
    "line_of_25": ("f.json", _plotly([{"type": "scatter", "mode": "lines", "x": list(range(25)),
                                       "y": [100 + i for i in range(25)]}])),
    "aggregate_points": ("f.json", _plotly([{"type": "scatter", "mode": "markers", "x": ["2019", "2020", "2021"],
                                             "y": [3.1, 3.4, 3.0], "text": ["2019", "2020", "2021"]}])),
    "large_bdata": ("f.json", _plotly([{"type": "bar", "x": ["N", "S", "E"],
                                        "y": {"dtype": "i4", "bdata": _b64([120, 300, 140])}}])),
}


@pytest.mark.parametrize("name", list(PLOTLY_SAFE))
def test_an_ordinary_plotly_chart_is_not_blocked(run, name):
    fname, body = PLOTLY_SAFE[name]
    r = _file(run, fname, body, kind="figure")
    assert r.verdict != "block" and not by(r, check="chart_specs"), said(r)


# ---- (c) other chart libraries ------------------------------------------------------------------
def _vl(values, mark="bar", **extra) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": mark,
            "data": {"values": values}, **extra}


def _rows(vals):
    return [{"region": r, "v": v} for r, v in zip(["North", "South", "East"], vals)]


def _bokeh(top, encode=False) -> str:
    col = {"__ndarray__": _b64(top), "dtype": "int32", "shape": [len(top)]} if encode else top
    doc = {"a1": {"roots": {"references": [
        {"type": "ColumnDataSource", "id": "1", "attributes": {"data": {"x": ["N", "S", "E"], "top": col}}},
        {"type": "VBar", "id": "2"}]}}}
    return ("<html><script type='application/json' id='docs'>" + json.dumps(doc) + "</script>"
            "<script>Bokeh.embed.embed_items(docs_json, render_items);</script></html>")


def _nb(mime: str, spec) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": "chart", "metadata": {}, "execution_count": 1,
                                  "outputs": [{"output_type": "display_data", "metadata": {},
                                               "data": {mime: spec}}]}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _libraries(vals) -> dict:
    cats = json.dumps(["North", "South", "East"])
    return {
        "vegalite_json": ("f.json", "figure", json.dumps(_vl(_rows(vals)))),
        "vegalite_datasets": ("f.json", "figure", json.dumps(
            {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "bar",
             "datasets": {"d1": _rows(vals)}, "data": {"name": "d1"}})),
        "vega_data_list": ("f.json", "figure", json.dumps(
            {"$schema": "https://vega.github.io/schema/vega/v5.json", "data": [{"name": "t", "values": _rows(vals)}],
             "marks": [{"type": "rect", "from": {"data": "t"}}]})),
        "vega_embed_html": ("f.html", "figure", _html(f"vegaEmbed('#v', {json.dumps(_vl(_rows(vals)))});")),
        "altair_notebook": ("a.ipynb", "notebook", _nb("application/vnd.vegalite.v5+json", _vl(_rows(vals)))),
        "bokeh_lists": ("f.html", "figure", _bokeh(vals)),
        "bokeh_ndarray": ("f.html", "figure", _bokeh(vals, encode=True)),
        "echarts_json": ("f.json", "figure", json.dumps(
            {"xAxis": {"type": "category", "data": ["North", "South", "East"]}, "yAxis": {"type": "value"},
             "series": [{"type": "bar", "data": vals}]})),
        "echarts_html": ("f.html", "figure", _html(
            f"var c = echarts.init(el); c.setOption({{xAxis: {{data: {cats}}}, series: [{{type: 'bar', data: {vals}}}]}});")),
        "echarts_named_values": ("f.json", "figure", json.dumps(
            {"series": [{"type": "pie", "data": [{"name": r, "value": v} for r, v in
                                                 zip(["North", "South", "East"], vals)]}]})),
        "highcharts_html": ("f.html", "figure", _html(
            f"Highcharts.chart('c', {{chart: {{type: 'column'}}, xAxis: {{categories: {cats}}}, series: [{{name: 'x', data: {vals}}}]}});")),
        "chartjs_html": ("f.html", "figure", _html(
            f"new Chart(ctx, {{type: 'bar', data: {{labels: {cats}, datasets: [{{label: 'x', data: {vals}}}]}}}});")),
        "d3_html": ("f.html", "figure", _html(
            f"const data = {json.dumps(_rows(vals))};\nd3.select('svg').selectAll('rect').data(data);")),
    }


@pytest.mark.parametrize("name", list(_libraries([120, 3, 140])))
def test_a_small_count_in_any_chart_librarys_data_blocks(run, name):
    fname, kind, body = _libraries([120, 3, 140])[name]
    r = _file(run, fname, body, kind=kind)
    hits = by(r, check="chart_specs", severity="block")
    assert hits and hits[0].location.get("value") == 3, said(r)


# ECharts' {"name", "value"} records are read by the content check as person attributes ("name"):
# a pre-existing strictness left alone here, so that member is judged only for its small count.
@pytest.mark.parametrize("name", [n for n in _libraries([120, 300, 140]) if n != "echarts_named_values"])
def test_an_ordinary_chart_of_large_counts_is_not_blocked(run, name):
    fname, kind, body = _libraries([120, 300, 140])[name]
    r = _file(run, fname, body, kind=kind)
    assert r.verdict != "block" and not by(r, check="chart_specs"), said(r)


PERSON_CHARTS = {
    "vega_points_with_ids": json.dumps(_vl([{"pid": f"P{i:03d}", "age": 40 + i, "cost": 1000 + 7 * i}
                                            for i in range(6)], mark="point",
                                           encoding={"tooltip": {"field": "pid"}})),
    "echarts_scatter_names": json.dumps({"series": [{"type": "scatter", "data": [
        {"name": f"MRN{100200 + i}", "value": [40 + i, 1000 + i]} for i in range(5)]}]}),
    "vega_dense_points": json.dumps(_vl([{"age": 20 + i, "cost": 1000 + 13 * i} for i in range(30)],
                                        mark="circle")),
}


@pytest.mark.parametrize("name", list(PERSON_CHARTS))
def test_a_person_level_chart_blocks(run, name):
    r = _file(run, "f.json", PERSON_CHARTS[name], kind="figure")
    hits = by(r, check="chart_specs", severity="block")
    assert hits and hits[0].rule == "E1", said(r)


UNREADABLE = {
    "vega_url": ("f.json", json.dumps({"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                                       "mark": "bar", "data": {"url": "counts.csv"}}), "loaded from"),
    "plotly_complex_bdata": ("f.json", _plotly([{"type": "bar", "x": ["N"], "y": {"dtype": "c16", "bdata": _b64([1, 2])}}]),
                             "encoded array"),
    "plotly_bad_base64": ("f.json", _plotly([{"type": "bar", "x": ["N"], "y": {"dtype": "i4", "bdata": "@@@"}}]),
                          "does not decode"),
    "bokeh_compressed": ("f.html", _bokeh([1]).replace('"top": [1]', '"top": {"__ndarray__": "eJw=", "dtype": "int32", '
                                                       '"compression": "zlib"}'), "compressed"),
    "plotly_fetched": ("f.html", _html("fetch('d.json').then(r => r.json()).then(d => Plotly.newPlot('d', d.traces));"),
                       "not a literal"),
    "plotly_computed": ("f.html", _html("Plotly.newPlot('d', makeTraces(rows));"), "computed"),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_chart_data_that_cannot_be_read_goes_to_a_person_with_the_reason(run, name):
    fname, body, why = UNREADABLE[name]
    r = _file(run, fname, body, kind="figure")
    hits = by(r, check="chart_specs", severity="review")
    assert hits and why in hits[0].message_en and r.verdict != "pass", said(r)


def test_chart_data_in_a_text_kind_file_is_judged_too(run):
    """Declared "text" (not a figure), a page still carries its chart's data."""
    r = _file(run, "report.html", _html(f"Plotly.newPlot('d', {json.dumps([BAR])});"), kind="text")
    assert by(r, check="chart_specs", severity="block"), said(r)


# ---- (d) the attacker's new members -------------------------------------------------------------
AT_RISK = {
    "declared_column": ("t.csv", "time,number_at_risk\n0,120\n30,119\n60,117\n90,116\n"),
    "declared_n_risk": ("t.csv", "month,n.risk\n0,140\n3,138\n6,130\n"),
    "declared_zh": ("t.csv", "月,風險人數\n0,140\n3,139\n6,130\n"),
    "md_column": ("out.md", "| Time | Number at risk |\n|---|---|\n| 0 | 120 |\n| 30 | 119 |\n| 60 | 117 |\n"
                            "| 90 | 116 |\n"),
    "md_row": ("out.md", "| | 0 | 30 | 60 | 90 |\n|---|---|---|---|---|\n| Number at risk | 120 | 119 | 117 | 116 |\n"),
}


def _at_risk_run(run, name, body):
    fname = AT_RISK[name][0]
    if fname.endswith(".csv"):
        head = body.splitlines()[0].split(",")
        return _csv(run, body, {head[0]: G, head[1]: COUNT})
    return _file(run, fname, body)


@pytest.mark.parametrize("name", list(AT_RISK))
def test_numbers_at_risk_falling_by_one_or_two_block(run, name):
    r = _at_risk_run(run, name, AT_RISK[name][1])
    hits = by(r, check="survival", severity="block")
    assert hits and "fall by" in hits[0].message_en, said(r)


@pytest.mark.parametrize("name", ["declared_column", "declared_n_risk", "declared_zh"])
def test_numbers_at_risk_falling_in_large_steps_pass(run, name):
    body = AT_RISK[name][1]
    head, *rows = body.splitlines()
    rows = [f"{r.split(',')[0]},{200 - 20 * i}" for i, r in enumerate(rows)]
    r = _at_risk_run(run, name, "\n".join([head, *rows]) + "\n")
    assert r.verdict == "pass", said(r)


MEAN = {"role": "statistic", "statistic": "mean", "units_column": "n"}
SUM = {"role": "statistic", "statistic": "sum", "units_column": "n"}
MEANS = "region,mean_cost,n\nNorth,1000.0,120\nSouth,1500.0,130\nEast,2000.0,{n}\nWest,1800.0,150\n"
SUMS = "region,total_cost,n\nNorth,120000,120\nSouth,195000,130\nEast,{s},{n}\nWest,270000,150\n"


@pytest.mark.parametrize("n_shown,total,role,desc,expect", [
    ("", 6000, SUPP, "t", "3 (fewer than 6)"),                 # suppressed n: 6000 / 2000 = 3
    ("10", 6000, COUNT, "counts rounded to 10", "3 (fewer than 6)"),
    ("", 24000, SUPP, "t", "12, which the tables publish blank"),
])
def test_a_count_recovered_as_sum_over_mean_across_tables_blocks(run, n_shown, total, role, desc, expect):
    r = run({"a.csv": MEANS.format(n=n_shown), "b.csv": SUMS.format(s=total, n=n_shown)},
            [table("a.csv", {"region": G, "mean_cost": MEAN, "n": role}, description=desc),
             table("b.csv", {"region": G, "total_cost": SUM, "n": role}, description=desc)])
    hits = by(r, check="mean_sum_counts", severity="block")
    assert hits and expect in hits[0].message_en, said(r)


def test_a_count_recovered_from_an_earlier_releases_mean_blocks(run, tmp_path):
    hist = one_release_history(tmp_path, "old.csv", MEANS.format(n=""),
                               table("old.csv", {"region": G, "mean_cost": MEAN, "n": SUPP}))
    r = run({"b.csv": SUMS.format(s=6000, n="")},
            [table("b.csv", {"region": G, "total_cost": SUM, "n": SUPP})], history=hist)
    assert by(r, check="mean_sum_counts", severity="block"), said(r)


def test_sum_over_mean_in_one_table_with_its_count_hidden_blocks(run):
    body = "region,mean_days,total_days,n\nNorth,5.0,600,120\nEast,4.5,18,\nWest,6.0,900,150\n"
    r = _csv(run, body, {"region": G, "mean_days": MEAN, "total_days": SUM, "n": SUPP})
    hits = by(r, check="mean_sum_counts", severity="block")
    assert hits and hits[0].location["value"] == 4, said(r)


def test_means_and_sums_of_groups_whose_counts_are_shown_raise_nothing(run):
    r = run({"a.csv": MEANS.format(n="200"), "b.csv": SUMS.format(s=400000, n="200")},
            [table("a.csv", {"region": G, "mean_cost": MEAN, "n": COUNT}),
             table("b.csv", {"region": G, "total_cost": SUM, "n": COUNT})])
    assert not by(r, check="mean_sum_counts"), said(r)


def test_a_mean_and_a_sum_of_different_measures_are_not_paired(run):
    r = run({"a.csv": "region,mean_age,n\nNorth,50.0,120\nEast,40.0,\n",
             "b.csv": "region,total_cost,n\nNorth,120000,120\nEast,120,\n"},
            [table("a.csv", {"region": G, "mean_age": MEAN, "n": SUPP}),
             table("b.csv", {"region": G, "total_cost": SUM, "n": SUPP})])
    assert not by(r, check="mean_sum_counts"), said(r)


@pytest.mark.parametrize("col", ["total_cost", "bed_days", "醫療費用", "amount_paid", "LOS"])
def test_an_amount_declared_a_count_goes_to_dominance_review(run, col):
    r = _csv(run, f"hospital_level,{col}\nMedical center,9800000\nRegional,120000\nDistrict,80000\n",
             {"hospital_level": G, col: COUNT})
    hits = by(r, check="dominance", severity="review")
    assert hits and "declared a count" in hits[0].message_en and r.verdict != "pass", said(r)


@pytest.mark.parametrize("col", ["n", "patients", "deaths within 30 days", "人數", "cases"])
def test_real_counts_are_not_amounts(run, col):
    r = _csv(run, f"region,{col}\nNorth,120\nSouth,130\nEast,140\n", {"region": G, col: COUNT})
    assert r.verdict == "pass", said(r)


# members already held: kept so that a later change cannot lose them
def test_one_more_person_than_an_earlier_release_blocks(run, tmp_path):
    cols = {"region": G, "n": COUNT}
    hist = one_release_history(tmp_path, "old.csv", "region,n\nNorth,120\nSouth,130\nEast,140\n",
                               table("old.csv", cols))
    r = run({"t.csv": "region,n\nNorth,121\nSouth,130\nEast,140\n"}, [table("t.csv", cols)], history=hist)
    assert by(r, check="differencing", severity="block"), said(r)


def test_one_hospital_excluded_from_an_earlier_total_blocks(run, tmp_path):
    cols = {"group": G, "n": COUNT}
    hist = one_release_history(tmp_path, "old.csv", "group,n\nAll hospitals,390\n", table("old.csv", cols))
    r = run({"t.csv": "group,n\nAll hospitals except H01,388\n"}, [table("t.csv", cols)], history=hist)
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("stat,col", [("min", "min_age"), ("max", "max_age"), ("median", "median_age"),
                                      ("percentile", "p95_age")])
def test_an_extreme_or_percentile_of_a_small_group_blocks(run, stat, col):
    role = {"role": "statistic", "statistic": stat, "units_column": "n"}
    if stat == "percentile":
        role["percentile"] = 0.95
    r = _csv(run, f"group,n,{col}\nA,120,90\nB,4,71\n", {"group": G, "n": COUNT, col: role})
    assert r.verdict == "block", said(r)


def test_rounding_declared_but_not_applied_blocks(run):
    r = _csv(run, "region,n\nNorth,120\nSouth,133\nEast,140\n", {"region": G, "n": COUNT},
             desc="counts rounded to 10")
    assert by(r, check="declared_claims", severity="block"), said(r)
