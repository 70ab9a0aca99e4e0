"""Output kinds with their own rules (issue 13): regression models (E1 coefficients only, E2
persons, events and residual degrees of freedom), Kaplan–Meier tables (E2), figures with their
numbers (E5 committee, E6 seal), percentile tables and rates with person-time (E2); for each,
what is disclosive blocks and what is safe passes (or, resting on claims, goes to review)."""
from __future__ import annotations

import json

import pytest

from egress_review.safe_tables.provenance import FORMAT, file_sha256, seal, sidecar_path
from tests.egress_engine.conftest import KEY, by

G = {"role": "group"}
EST = {"role": "estimate"}
COUNT = {"role": "count"}

COEF = ("term,coef,se,p\nIntercept,1.20,0.30,0.001\nage,0.04,0.01,0.002\n"
        "sex[T.M],0.31,0.12,0.010\n")
COEF_COLS = {"term": G, "coef": EST, "se": EST, "p": EST}
GOOD_MODEL = {"family": "logistic", "n_obs": 800, "df_resid": 797, "n_params": 3, "n_events": 210,
              "levels": {"sex": {"F": {"n": 410, "events": 100}, "M": {"n": 390, "events": 110}}}}


def reg(path, model=None, cols=COEF_COLS):
    e = {"path": path, "kind": "table", "description": "logistic model", "output": "regression",
         "columns": cols}
    if model is not None:
        e["model"] = model
    return e


def _seal_sidecar(root, name, extra):
    body = {"format": FORMAT, "version": 2, "table_sha256": file_sha256(root / name),
            "statistic": "model", "units": {}, **extra}
    sidecar_path(root / name).write_text(json.dumps(seal(body, KEY)))


# -- regression ----------------------------------------------------------------------------
def test_sealed_model_with_enough_persons_passes(run, tmp_path):
    (tmp_path / "m.csv").write_text(COEF)
    _seal_sidecar(tmp_path, "m.csv", {"model": GOOD_MODEL})
    r = run({}, [reg("m.csv")])
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


def test_model_facts_stated_in_the_manifest_are_checked_but_never_pass(run):
    r = run({"m.csv": COEF}, [reg("m.csv", GOOD_MODEL)])
    assert r.verdict == "review"
    assert not by(r, check="regression", severity="block")


@pytest.mark.parametrize("change, what", [
    ({"df_resid": 0, "n_obs": 3}, "saturated"),
    ({"df_resid": 5, "n_obs": 8}, "residual degrees of freedom"),
    ({"n_obs": 5, "df_resid": 2}, "observations"),
    ({"n_events": 4}, "events"),
    ({"levels": {"sex": {"F": {"n": 795, "events": 205}, "M": {"n": 5, "events": 5}}}}, "Level 'M'"),
    ({"levels": {"sex": {"F": {"n": 400, "events": 205}, "M": {"n": 400, "events": 397}}}},
     "with (or without) the outcome"),
])
def test_disclosive_models_block(run, tmp_path, change, what):
    (tmp_path / "m.csv").write_text(COEF)
    _seal_sidecar(tmp_path, "m.csv", {"model": {**GOOD_MODEL, **change}})
    r = run({}, [reg("m.csv")])
    assert r.verdict == "block"
    assert any(what in f.message_en for f in by(r, check="regression", severity="block")), \
        [f.message_en for f in r.findings]


@pytest.mark.parametrize("col", ["resid", "fitted_value", "predicted", "leverage", "cooks_d", "殘差"])
def test_per_person_columns_never_leave_with_a_model(run, col):
    text = COEF.replace("term,coef,se,p", f"term,coef,se,p,{col}").replace("\n", ",0.5\n")
    text = text.replace(f"term,coef,se,p,{col},0.5", f"term,coef,se,p,{col}")
    r = run({"m.csv": text}, [reg("m.csv", GOOD_MODEL, {**COEF_COLS, col: EST})])
    assert any(f.location.get("column") == col for f in by(r, check="regression", severity="block"))


def test_more_rows_than_parameters_are_not_coefficients(run):
    rows = COEF + "".join(f"obs{i},{i}.0,0.1,0.5\n" for i in range(20))
    r = run({"m.csv": rows}, [reg("m.csv", GOOD_MODEL)])
    assert any("parameters" in f.message_en for f in by(r, check="regression", severity="block"))


def test_model_without_facts_goes_to_review(run):
    r = run({"m.csv": COEF}, [reg("m.csv")])
    assert r.verdict == "review" and by(r, check="regression", severity="review")


def test_estimates_in_a_plain_table_are_refused(run):
    # 'estimate' would escape every count rule in a plain table
    r = run({"t.csv": "g,n\na,3\nb,50\n"},
            [{"path": "t.csv", "kind": "table", "description": "t", "columns": {"g": G, "n": EST}}])
    assert r.verdict == "block" and by(r, check="declaration", severity="block")


# -- Kaplan–Meier ----------------------------------------------------------------------------
KM_COLS = {"time": G, "at_risk": COUNT, "events": COUNT, "surv": EST}


def km(path, cols=KM_COLS):
    return {"path": path, "kind": "table", "description": "KM", "output": "survival",
            "columns": cols}


SAFE_KM = "time,at_risk,events,surv\n0-6,400,20,0.950\n6-12,370,30,0.873\n12-18,320,25,0.805\n"


def test_grouped_rounded_truncated_km_passes(run):
    r = run({"k.csv": SAFE_KM}, [km("k.csv")])
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


@pytest.mark.parametrize("text, what", [
    (SAFE_KM + "18-24,295,2,0.800\n", "rests on 2 event"),            # a step of 2 events
    (SAFE_KM.replace("370", "371"), "rounded"),                      # unrounded at risk
    (SAFE_KM + "18-24,5,0,0.805\n", "truncate"),                     # small tail shown
])
def test_disclosive_km_blocks(run, text, what):
    r = run({"k.csv": text}, [km("k.csv")])
    assert r.verdict == "block"
    assert any(what in f.message_en for f in by(r, check="survival", severity="block")), \
        [f.message_en for f in r.findings]


def test_events_derived_from_at_risk_and_survival_block(run):
    # no events column: a reader still gets d = n (1 - S(t)/S(t-)) = 100 * (1 - 0.99) = 1
    text = "time,at_risk,surv\n1,100,0.99\n2,90,0.88\n"
    r = run({"k.csv": text}, [km("k.csv", {"time": G, "at_risk": COUNT, "surv": EST})])
    hits = by(r, check="survival", severity="block")
    assert any("rests on 1 event" in f.message_en and f.location["row"] == 1 for f in hits)


def test_survival_curve_alone_goes_to_review(run):
    r = run({"k.csv": "time,surv\n1,0.99\n2,0.97\n"}, [km("k.csv", {"time": G, "surv": EST})])
    assert r.verdict != "pass" and by(r, check="survival", severity="review")


# -- figures with their numbers --------------------------------------------------------------
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="8"/></svg>'
BARS = "group,n\na,120\nb,340\n"


def fig(path, data=None):
    e = {"path": path, "kind": "figure", "description": "bar chart"}
    if data:
        e["data"] = data
    return e


def _seal_figure(root, name, data_name):
    body = {"format": FORMAT, "version": 2, "table_sha256": file_sha256(root / name),
            "statistic": "figure", "units": {},
            "figure": {"data": data_name, "data_sha256": file_sha256(root / data_name)}}
    sidecar_path(root / name).write_text(json.dumps(seal(body, KEY)))


def _files(tmp_path, bars=BARS):
    (tmp_path / "bars.csv").write_text(bars)
    (tmp_path / "fig.svg").write_bytes(SVG)


def test_figure_sealed_to_its_checked_numbers_needs_no_committee(run, tmp_path):
    _files(tmp_path)
    _seal_figure(tmp_path, "fig.svg", "bars.csv")
    r = run({}, [fig("fig.svg", "bars.csv"),
                 {"path": "bars.csv", "kind": "table", "description": "bars",
                  "columns": {"group": G, "n": COUNT}}])
    assert not r.committee and not by(r, check="imaging", file="fig.svg")
    assert r.files[0].verdict == "pass", [(f.check, f.message_en) for f in r.findings]


def test_figure_of_a_small_count_blocks_through_its_table(run, tmp_path):
    _files(tmp_path, "group,n\na,3\nb,340\n")
    _seal_figure(tmp_path, "fig.svg", "bars.csv")
    r = run({}, [fig("fig.svg", "bars.csv"),
                 {"path": "bars.csv", "kind": "table", "description": "bars",
                  "columns": {"group": G, "n": COUNT}}])
    assert r.verdict == "block" and by(r, check="threshold", file="bars.csv")


def test_figure_without_data_goes_to_the_committee(run, tmp_path):
    _files(tmp_path)
    r = run({}, [fig("fig.svg")])
    assert r.committee and r.verdict == "review"


def test_unsealed_figure_data_still_goes_to_the_committee(run, tmp_path):
    _files(tmp_path)
    r = run({}, [fig("fig.svg", "bars.csv"),
                 {"path": "bars.csv", "kind": "table", "description": "bars",
                  "columns": {"group": G, "n": COUNT}}])
    assert r.committee and by(r, check="figure_data", severity="review")


def test_figure_changed_after_sealing_blocks(run, tmp_path):
    _files(tmp_path)
    _seal_figure(tmp_path, "fig.svg", "bars.csv")
    (tmp_path / "fig.svg").write_bytes(SVG.replace(b'height="8"', b'height="3"'))
    r = run({}, [fig("fig.svg", "bars.csv"),
                 {"path": "bars.csv", "kind": "table", "description": "bars",
                  "columns": {"group": G, "n": COUNT}}])
    assert by(r, check="figure_data", severity="block") and r.committee


def test_figure_data_missing_from_the_request_blocks(run, tmp_path):
    _files(tmp_path)
    r = run({}, [fig("fig.svg", "bars.csv")])
    assert by(r, check="figure_data", severity="block")


# -- percentile tables and rates with person-time --------------------------------------------
def test_long_quantile_table_checks_each_tail(run):
    text = "quantile,n,value\n0.5,100,120\n0.9,100,300\n0.99,100,900\n"
    cols = {"quantile": G, "n": COUNT,
            "value": {"role": "statistic", "statistic": "percentile", "units_column": "n"}}
    r = run({"q.csv": text}, [{"path": "q.csv", "kind": "table", "description": "q", "columns": cols}])
    rows = sorted(f.location["row"] for f in by(r, check="single_unit", severity="block"))
    assert rows == [3]                              # 1 % of 100 is one person beyond it


@pytest.mark.parametrize("label", ["p0", "0", "100%", "1.0"])
def test_quantile_table_hiding_min_or_max_blocks(run, label):
    text = f"percentile,n,value\np50,400,120\n{label},400,2\n"
    cols = {"percentile": G, "n": COUNT,
            "value": {"role": "statistic", "statistic": "percentile", "units_column": "n"}}
    r = run({"q.csv": text}, [{"path": "q.csv", "kind": "table", "description": "q", "columns": cols}])
    assert [f.location["row"] for f in by(r, check="single_unit", severity="block")] == [2]


RATE_COLS = {"g": G, "events": COUNT, "persons": COUNT,
             "person_years": {"role": "statistic", "statistic": "sum", "units_column": "persons"},
             "rate": {"role": "statistic", "statistic": "rate", "units_column": "events",
                      "denominator_column": "person_years"}}


@pytest.mark.parametrize("row, col", [("a,3,120,480.5,6.24", "events"),
                                      ("a,40,4,480.5,83.2", "persons")])
def test_rate_per_person_time_needs_events_and_persons(run, row, col):
    text = f"g,events,persons,person_years,rate\n{row}\nb,60,300,1200.0,50.0\n"
    r = run({"r.csv": text}, [{"path": "r.csv", "kind": "table", "description": "r",
                               "columns": RATE_COLS}])
    hits = by(r, check="threshold", severity="block")
    assert any(f.location["row"] == 1 and f.location["column"] == col for f in hits)
    assert any(f.location["row"] == 1 and f.location["column"] == "rate" for f in hits)


def test_windowed_at_risk_table_as_the_policy_allows(run):
    from policies.sections.egress import EgressPolicy

    text = "time,at_risk,events,surv\n12,397,20,0.950\n18,371,30,0.873\n24,321,25,0.805\n"
    cols = {"time": G, "at_risk": COUNT, "events": COUNT, "surv": EST}
    # rounding only (the default): 397 is not a multiple of 5
    assert by(run({"k.csv": text}, [km("k.csv", cols)]), check="survival", severity="block")
    # a 12-month window: unrounded numbers at 12 and 24 are allowed, the one at 18 is not
    r = run({"k.csv": text}, [km("k.csv", cols)],
            policy=EgressPolicy(survival_at_risk_window=12))
    rows = [f.location["row"] for f in by(r, check="survival", severity="block")]
    assert rows == [2]
