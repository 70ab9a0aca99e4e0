"""safe_tables helpers (issue: units are persons with a value, missing-value rule E2, zeros
shown, margins read back, every reason per cell, per-statistic thresholds E2/E3)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egress_review import safe_tables as sf
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import KEY, by


def _check(run, t, name="t.csv", **kw):
    return run({}, [t.manifest_entry(name, "helper table")], **kw)


def test_units_are_persons_with_a_value(tmp_path, run):
    """E2: 97 rows of which 3 have a value: the mean rests on 3, and the check blocks it."""
    df = pd.DataFrame({"g": ["a"] * 97 + ["b"] * 50, "x": [np.nan] * 94 + [1.0, 2.0, 3.0]
                       + list(np.arange(50.0))})
    t = sf.mean(df, "g", "x")
    assert t.table["n"].tolist() == [3, 50]
    t.save(tmp_path / "t.csv", key=KEY)
    r = _check(run, t)
    assert by(r, check="threshold", severity="block")[0].location["row"] == 1
    miss = by(r, check="missing", rule="E2")
    assert miss and miss[0].severity == "block" and miss[0].location["row"] == 1


@settings(max_examples=30, deadline=None)
@given(vals=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()),
                     min_size=1, max_size=40))
def test_nan_and_inf_never_crash_a_helper_or_a_sidecar(tmp_path_factory, vals):
    root = tmp_path_factory.mktemp("nan")
    df = pd.DataFrame({"g": (["a", "b"] * 40)[:len(vals)], "x": vals})
    for t in (sf.describe(df, "x", by="g"), sf.pivot_table(df, values="x", index="g",
                                                           aggfunc=["mean", "sum", "std"])):
        t.save(root / "t.csv")                      # json with allow_nan=False: no crash
        t.save(root / "s.csv", key=KEY)


def test_mean_with_policy_missing_rule_review_then_block(tmp_path, run):
    df = pd.DataFrame({"g": ["a"] * 100, "x": [np.nan] * 20 + list(np.arange(80.0))})
    t = sf.mean(df, "g", "x")
    t.save(tmp_path / "t.csv", key=KEY)
    assert by(_check(run, t), check="missing")[0].severity == "review"
    pol = EgressPolicy(missing_share_block=0.1)
    assert by(_check(run, t, policy=pol), check="missing")[0].severity == "block"
    pol = EgressPolicy(missing_share_review=0.5)          # switched off: no finding
    assert not by(_check(run, t, policy=pol), check="missing")


def test_full_cartesian_levels_zero_cells_shown_and_checked(tmp_path, run):
    df = pd.DataFrame({"a": ["x"] * 30 + ["y"] * 30, "b": ["p"] * 30 + ["q"] * 30,
                       "c": ["u", "v"] * 30})
    t = sf.crosstab(index=[df.a, df.b], columns=df.c, margins=True)
    assert len(t.table) == 5 and (t.table[["u", "v"]] == 0).any().any()   # (x,q), (y,p)
    t.save(tmp_path / "t.csv", key=KEY)
    r = _check(run, t)
    zeros = [f for f in by(r, check="threshold") if "Zero" in f.message_en]
    assert {f.location["row"] for f in zeros} == {2, 3}
    assert not [f for f in r.findings if "inconsistent" in f.message_en]


def test_describe_all_row_is_a_margin_not_inconsistent(tmp_path, run):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"sex": rng.choice(["F", "M"], 400), "x": rng.gamma(2, 10, 400)})
    for name, t in (("a.csv", sf.describe(df, "x")), ("b.csv", sf.describe(df, "x", by="sex"))):
        t.save(tmp_path / name, key=KEY)
    r = run({}, [sf.describe(df, "x").manifest_entry("a.csv", "all"),
                 sf.describe(df, "x", by="sex").manifest_entry("b.csv", "by sex")])
    assert not [f for f in r.findings if "inconsistent" in f.message_en], \
        [f.message_en for f in r.findings]
    assert r.verdict != "block", [(f.check, f.message_en) for f in r.findings]


def test_multi_level_values_aggfunc_list_read_back_without_hand_edit(tmp_path, run):
    rng = np.random.default_rng(2)
    n = 3000
    df = pd.DataFrame({"ID": rng.integers(0, 900, n).astype(str), "sex": rng.choice(["F", "M"], n),
                       "age": rng.choice(["0-19", "20-64", "65+"], n),
                       "reg": rng.choice(["n", "s"], n), "cost": rng.gamma(4, 100, n)})
    t = sf.crosstab(index=[df.sex, df.age], columns=df.reg, values=df.cost,
                    aggfunc=["mean", "std"], margins=True)
    assert {"n | n", "mean | s", "std | All"} <= set(t.table.columns)
    t.save(tmp_path / "t.csv", key=KEY)
    r = _check(run, t)
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


def test_dominance_reports_nk_and_p_percent_both(tmp_path, run):
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10,
                       "x": [1000.0, 900.0] + [1.0] * 8 + [10.0] * 10})
    t = sf.mean(df, "g", "x")
    t.save(tmp_path / "t.csv", key=KEY)
    hits = by(_check(run, t), check="dominance", rule="E3", severity="block")
    assert {f.location["rule"] for f in hits if f.location["row"] == 1} == {"nk", "p%"}


def test_std_needs_its_degrees_of_freedom(tmp_path, run):
    df = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 30, "x": np.arange(36.0)})
    t = sf.pivot_table(df, values="x", index="g", aggfunc="std")
    t.save(tmp_path / "t.csv", key=KEY)
    r = _check(run, t)
    assert [f.location["row"] for f in by(r, check="degrees_of_freedom", rule="E2")] == [1]
    assert not by(_check(run, t, policy=EgressPolicy(min_dof_dispersion=5)),
                  check="degrees_of_freedom")


def test_min_max_refused_and_value_counts_histogram(tmp_path):
    df = pd.DataFrame({"g": list("aab"), "x": [1.0, 2.0, 3.0]})
    with pytest.raises(sf.HelperError):
        sf.pivot_table(df, values="x", index="g", aggfunc="max")
    vc = sf.value_counts(df.g)
    assert vc.table["count"].tolist() == [2, 1, 3]
    h = sf.histogram(df, "x", bins=[0, 1.5, 10])
    assert h.table["count"].tolist() == [1, 2, 3]


def test_unsealed_kernel_table_goes_to_review_and_claims_only_add(tmp_path, run):
    df = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 40})
    t = sf.crosstab(df, "g", "g")
    t.save(tmp_path / "t.csv")                             # no broker: unsealed
    r = _check(run, t)
    assert by(r, check="provenance", severity="review") and r.verdict == "block"


def test_models_record_dof_levels_and_events_for_the_regression_rules(tmp_path, run):
    rng = np.random.default_rng(4)
    n = 300
    df = pd.DataFrame({"ID": np.arange(n).astype(str), "sex": rng.choice(["F", "M"], n),
                       "reg": list(rng.choice(["n", "s"], 10)) + ["rare"] * 3
                       + list(rng.choice(["n", "s"], n - 13)),
                       "age": rng.normal(50, 10, n)})
    df["dm"] = (rng.random(n) < 0.3).astype(int)
    df.loc[:5, "age"] = np.nan                       # not fitted, not counted
    res = sf.logit("dm ~ age + C(sex) + reg", df, unit="ID").fit()
    assert res.facts["n_obs"] == n - 6 and res.facts["df_resid"] == n - 6 - 5
    assert res.facts["levels"]["reg"]["rare"]["n"] == 3          # a level of 3 persons
    res.save(tmp_path / "m.csv", key=KEY)
    r = _check(run, res, "m.csv")
    assert r.verdict == "block"
    assert any(f.check == "regression" and f.location.get("level") == "rare" for f in r.findings)
    small = sf.ols("age ~ sex", df.iloc[:14]).fit()        # 6 rows dropped: dof 6 < 10
    small.save(tmp_path / "s.csv", key=KEY)
    hits = [f for f in _check(run, small, "s.csv").findings if "residual degrees" in f.message_en]
    assert hits and hits[0].rule == "E2"


def test_kaplan_meier_table_is_read_as_survival(tmp_path, run):
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"t": rng.exponential(100, 500).round(-1), "ev": rng.random(500) < 0.7})
    km = sf.kaplan_meier(df, "t", "ev", round_at_risk=5, min_at_risk=6)
    assert (km.table["at_risk"] % 5 == 0).all() and (km.table["at_risk"] >= 5).all()
    km.save(tmp_path / "km.csv", key=KEY)
    r = _check(run, km, "km.csv")
    assert not [f for f in r.findings if f.check == "declaration"]


_ORDER = {"pass": 0, "review": 1, "block": 2}


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_unsealed_claims_only_ever_add_findings(tmp_path_factory, data):
    """E6: whatever a kernel writes in an unsealed sidecar (units, missing counts,
    contributions), every finding the table gets without it is still there, and the verdict is
    never milder."""
    import json

    from egress_review.safe_tables.provenance import sidecar_path

    root = tmp_path_factory.mktemp("claims")
    n = data.draw(st.integers(10, 120))
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    df = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n), "h": rng.choice(["x", "y"], n),
                       "v": rng.gamma(1.5, 100, n)})
    t = data.draw(st.sampled_from([
        sf.crosstab(df, "g", "h"), sf.pivot_table(df, values="v", index="g", columns="h",
                                                  aggfunc=["mean", "sum"])]))
    t.save(root / "t.csv")
    side = sidecar_path(root / "t.csv")
    entry = t.manifest_entry("t.csv", "t")
    side.unlink()
    from tests.egress_engine.conftest import make_request

    bare = make_request(root, {}, [dict(entry, provenance=None)])
    t.save(root / "t.csv")
    d = json.loads(side.read_text())
    for col in d["units"]:                      # any claim the kernel likes
        d["units"][col] = [data.draw(st.integers(0, 10_000)) for _ in d["units"][col]]
    for col in d["contributions"]:
        d["contributions"][col] = [[0.0, 0.0, 0.0, 1.0] for _ in d["contributions"][col]]
    side.write_text(json.dumps(d))
    claimed = make_request(root, {}, [entry])
    assert _ORDER[claimed.verdict] >= max(_ORDER[bare.verdict], _ORDER["review"])
    key = lambda f: (f.rule, f.check, f.severity, f.location.get("row"), f.location.get("column"))
    missing = {key(f) for f in bare.findings} - {key(f) for f in claimed.findings}
    assert not missing, missing


def test_cox_model_counts_events_per_level_and_status_must_be_a_name(tmp_path, run):
    from egress_review.safe_tables.models import model_columns

    rng = np.random.default_rng(6)
    n = 200
    df = pd.DataFrame({"ID": np.arange(n).astype(str), "t": rng.exponential(10, n),
                       "d": (rng.random(n) < 0.6).astype(int),
                       "grp": ["few"] * 8 + list(rng.choice(["a", "b"], n - 8))})
    df.loc[:7, "d"] = [1, 0, 0, 0, 0, 0, 0, 0]      # the small group: 1 event
    m = sf.cox("t ~ C(grp)", df, status="d", unit="ID").fit()
    assert m.facts["family"] == "cox" and m.facts["levels"]["grp"]["few"] == {"n": 8, "events": 1}
    m.save(tmp_path / "c.csv", key=KEY)
    r = _check(run, m, "c.csv")
    assert any(f.check == "regression" and f.location.get("level") == "few" for f in r.findings)
    for bad in ("d; DROP TABLE x", "d)", "__import__('os')"):
        with pytest.raises(sf.HelperError):
            model_columns({"helper": "cox", "formula": "t ~ grp", "status": bad})
