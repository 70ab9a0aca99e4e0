"""E6: the provenance seal is made outside the kernel.  The query broker (here in-process on a
real unix socket, as in test_query.py; its own sandbox is tested in tests/hub) computes a
safe_tables table of the query's result and seals it with the per-case key; the session's
environment holds no key; a seal made with any key a kernel can get fails verification; a
broker-sealed table passes exactly, and one changed in the kernel stays unsealed (review)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egress_review import safe_tables as sf
from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from egress_review.safe_tables.provenance import read_provenance
from enclave.session import connect
from hub_config.broker import CaseDatabase
from policies.sections.egress import EgressPolicy
from tests.services.broker import ListLog, broker_on_socket

AUTH = "token the-sessions-own-token"
CASE_KEY = bytes(range(32))


def _people(n=600, seed=3):
    rng = np.random.default_rng(seed)
    cost = rng.gamma(2, 100, n)
    cost[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"ID": rng.integers(0, 250, n).astype(str),
                         "sex": rng.choice(["F", "M"], n), "age": rng.choice(["a", "b", "c"], n),
                         "region": rng.choice(["n", "s"], n), "cost": cost,
                         "dead": (rng.random(n) < 0.6).astype(int)})


@pytest.fixture
def broker(tmp_path):
    data = tmp_path / "C1" / "data"
    data.mkdir(parents=True)
    _people().to_parquet(data / "opd.parquet")
    log = ListLog()
    db = CaseDatabase(data, log, max_rows=10_000, max_bytes=5_000_000, purpose_min_length=10,
                      require_encrypted=False,  # plain fixture files: sealing is tested here
                      seal_key=CASE_KEY, case_code="C1")
    with broker_on_socket(db, AUTH, tmp_path / "broker.sock") as url:
        yield url, log


def _check(root: Path, entry: dict, key=CASE_KEY):
    m = parse_manifest({"version": 1, "case_code": "C1", "purpose": "tests", "files": [entry]})
    return check_request(m, root, policy=EgressPolicy(), provenance_key=key)


def test_broker_sealed_table_passes_and_is_logged(broker, tmp_path):
    url, log = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.crosstab(index=[df.sex, df.age], columns=df.region, margins=True)
    assert t.is_sealed, t.note
    side = t.save(tmp_path / "ct.csv")
    prov = read_provenance(side)
    assert prov.sealed_by == "broker" and prov.verify(CASE_KEY) and prov.body["case"] == "C1"
    r = _check(tmp_path, t.manifest_entry("ct.csv", "persons by sex, age, region"))
    assert not [f for f in r.findings if f.check == "provenance"], [f.message_en for f in r.findings]
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]
    # the aggregation ran through the audited path with its spec (A3)
    assert any(rec[0] == "query" and isinstance(rec[3], dict) and "safe_table" in rec[3]
               for rec in log.records)


def test_table_changed_in_the_kernel_stays_unsealed_and_goes_to_review(broker, tmp_path):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    df = df[df.cost.fillna(0) < 400]                # filtered in the kernel: other data
    t = sf.pivot_table(df, values="cost", index="sex", columns="age", aggfunc="mean")
    assert not t.is_sealed and "differs" in t.note
    t.save(tmp_path / "m.csv")
    r = _check(tmp_path, t.manifest_entry("m.csv", "mean cost"))
    hit = [f for f in r.findings if f.check == "provenance"]
    assert hit and hit[0].severity == "review" and r.verdict != "pass"


def test_session_environment_has_no_key(monkeypatch, tmp_path):
    """The spawner's session environment carries no provenance key; the broker's does."""
    import hub_config.broker_launch as bl
    import hub_config.spawner as sp

    monkeypatch.setattr(bl, "provenance_key_hex", lambda case: CASE_KEY.hex())
    src = Path(sp.__file__).read_text()
    body = src.split("def get_env", 1)[1].split("\n    def ", 1)[0]
    assert "ENCLAVE_PROVENANCE_KEY" not in body.replace("# E6: no provenance key", "")
    broker_env = Path(bl.__file__).read_text().split("def start_broker", 1)[1].split("\ndef ", 1)[0]
    assert "ENCLAVE_PROVENANCE_KEY" in broker_env
    from egress_review.safe_tables.provenance import session_key

    for var in ("ENCLAVE_PROVENANCE_KEY", "ENCLAVE_PROVENANCE_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    assert session_key() is None


@settings(max_examples=40, deadline=None)
@given(key=st.binary(min_size=0, max_size=64))
def test_a_seal_forged_with_any_other_key_fails(tmp_path_factory, key):
    if key == CASE_KEY:
        return
    root = tmp_path_factory.mktemp("forge")
    t = sf.crosstab(_people(), "sex", "age", unit="ID")
    t.save(root / "ct.csv", key=key)
    r = _check(root, t.manifest_entry("ct.csv", "t"))
    assert any(f.check == "provenance" and f.severity == "block" for f in r.findings)


@pytest.mark.parametrize("edit", ["body", "units", "unsealed_flip", "drop_mac", "sha",
                                  "flip_and_drop"])
def test_tampered_broker_sidecar_never_trusted(broker, tmp_path, edit):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.crosstab(df, "sex", "age")
    assert t.is_sealed
    side = t.save(tmp_path / "ct.csv")
    d = json.loads(side.read_text())
    if edit == "body":
        d["cells"]["a"][0] = "999"
    elif edit == "units":
        d["units"]["a"] = [100] * len(d["units"]["a"])
    elif edit == "unsealed_flip":
        d["sealed_by"] = "kernel"
    elif edit == "drop_mac":
        d.pop("mac")
    elif edit == "flip_and_drop":              # pass it off as a kernel table: review at best
        d["sealed_by"] = "kernel"
        d.pop("mac")
        d["units"]["a"] = [100] * len(d["units"]["a"])
    elif edit == "sha":
        d["table_sha256"] = "0" * 64
    side.write_text(json.dumps(d))
    r = _check(tmp_path, t.manifest_entry("ct.csv", "t"))
    prov = [f for f in r.findings if f.check == "provenance"]
    assert prov and r.verdict != "pass"


def test_blanked_cells_of_a_sealed_table_stay_trusted_other_edits_block(broker, tmp_path):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.crosstab(df, "sex", "age")
    s = t.apply_suppression([{"row": 1, "column": "a"}, {"row": 2, "column": "a"}])
    assert s.is_sealed
    s.save(tmp_path / "s.csv")
    r = _check(tmp_path, s.manifest_entry("s.csv", "suppressed"))
    assert not [f for f in r.findings if f.check == "provenance"]
    text = (tmp_path / "s.csv").read_text().replace(",", ",1", 1)
    (tmp_path / "s.csv").write_text(text)
    r = _check(tmp_path, s.manifest_entry("s.csv", "suppressed"))
    assert any(f.check == "provenance" and f.severity == "block" for f in r.findings)


def test_broker_refuses_bad_specs_and_non_select(broker):
    from enclave.session import QueryError

    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    spec = {"helper": "crosstab", "index": ["sex"], "columns": [], "value": None,
            "aggfuncs": ["count"], "unit": None, "margins": True}
    for sql, sp in [("DROP TABLE opd", spec), ("SELECT * FROM opd; SELECT 1", spec),
                    ("SELECT * FROM opd", {**spec, "aggfuncs": ["max"]}),
                    ("SELECT * FROM opd", {**spec, "index": ["nope"]}),
                    ("SELECT * FROM opd", {**spec, "extra": 1})]:
        with pytest.raises(QueryError):
            con.aggregate(sql, sp)


def test_broker_fits_and_seals_a_model_the_kernel_fits_identically(broker, tmp_path):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    res = sf.ols("cost ~ C(sex) + age", df, unit="ID").fit()
    assert res.is_sealed, res.note
    res.save(tmp_path / "ols.csv")
    prov = read_provenance(tmp_path / "ols.csv.provenance.json")
    assert prov.verify(CASE_KEY) and prov.model["family"] == "ols"
    assert prov.model["levels"]["sex"]["F"]["n"] > 0
    r = _check(tmp_path, res.manifest_entry("ols.csv", "cost model"))
    assert not [f for f in r.findings if f.check == "provenance"]
    assert not [f for f in r.findings if "claim" in f.message_en], \
        [(f.check, f.message_en) for f in r.findings]


@pytest.mark.parametrize("formula", [
    "cost ~ __import__('os').system('id')", "cost ~ np.log(age)", "cost ~ I(age**2)",
    "cost ~ age + open('/etc/passwd')", "cost ~ C(sex, Treatment('M'))", "cost ~ age; x",
    "cost ~ {age}", "cost ~ age.real", "cost ~ `age`", "cost ~ age ~ sex"])
def test_broker_refuses_formulas_that_are_code(broker, formula):
    from enclave.session import QueryError

    url, log = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    before = len(log.records)
    with pytest.raises(QueryError):
        con.aggregate("SELECT * FROM opd", {"helper": "ols", "formula": formula, "unit": "ID"})
    assert len(log.records) == before          # refused before it was logged or run


def test_in_session_pre_check_verifies_the_seal_through_the_broker(broker, tmp_path, monkeypatch):
    """No key in the kernel: the pre-check asks the broker; a genuine seal verifies, an altered
    sidecar is refused, and without a broker the pre-check says it could not verify."""
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.crosstab(df, "sex", "age")
    side = t.save(tmp_path / "ct.csv")
    entry = t.manifest_entry("ct.csv", "t")
    monkeypatch.setenv("ENCLAVE_BROKER_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", AUTH.split(" ", 1)[1])
    r = _check(tmp_path, entry, key=None)
    assert not [f for f in r.findings if f.check == "provenance"]
    assert con.verify_seal(json.loads(side.read_text()))
    d = json.loads(side.read_text())
    d["units"]["a"][0] = 999
    side.write_text(json.dumps(d))
    assert not con.verify_seal(d)
    r = _check(tmp_path, entry, key=None)
    assert any(f.check == "provenance" and f.severity == "block" for f in r.findings)
    monkeypatch.delenv("ENCLAVE_BROKER_URL")
    r = _check(tmp_path, entry, key=None)
    assert any(f.check == "provenance" and f.severity == "review" for f in r.findings)


def _check_many(root: Path, entries: list[dict], key=CASE_KEY):
    m = parse_manifest({"version": 1, "case_code": "C1", "purpose": "tests", "files": entries})
    return check_request(m, root, policy=EgressPolicy(), provenance_key=key)


def test_broker_draws_and_seals_a_figure_with_its_numbers(broker, tmp_path):
    """E5: a bar chart drawn by the broker from a sealed table passes with its numbers; the
    same figure redrawn or edited in the kernel, or with its data edited, does not."""
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.value_counts(df, "age")
    assert t.is_sealed
    fig, data = t.plot(tmp_path / "ages.png")
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    entries = [t.manifest_entry("ages.csv", "persons by age band"),
               t.figure_entry("ages.png", "ages.csv", "bar chart of persons by age band")]
    r = _check_many(tmp_path, entries)
    assert not [f for f in r.findings if f.file == "ages.png" and f.severity == "block"]
    assert not r.committee, [(f.check, f.message_en) for f in r.findings if f.committee]
    # an edited figure (one byte) breaks the seal
    b = bytearray(fig.read_bytes())
    b[-20] ^= 1
    fig.write_bytes(bytes(b))
    r = _check_many(tmp_path, entries)
    assert any(f.file == "ages.png" and f.severity == "block" for f in r.findings)
    # a kernel-drawn figure (no broker) has no seal: committee
    local = sf.value_counts(_people(), "age")
    local.plot(tmp_path / "local.png")
    r = _check_many(tmp_path, [local.manifest_entry("local.csv", "t"),
                               local.figure_entry("local.png", "local.csv", "f")])
    assert r.verdict != "pass"


@pytest.mark.parametrize("sql", [
    "SELECT * FROM opd) AS x; DROP TABLE opd; SELECT * FROM (SELECT 1",
    "SELECT * FROM opd --", "SELECT * FROM opd /*", "SELECT * FROM opd); COPY opd TO '/tmp/x' (",
    "WITH x AS (SELECT 1) DELETE FROM opd", "INSERT INTO opd SELECT * FROM opd",
    "SELECT * FROM read_parquet('/etc/passwd')", "ATTACH '/tmp/x.db'"])
def test_table_queries_cannot_escape_the_select(broker, sql):
    from enclave.session import QueryError

    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    spec = {"helper": "crosstab", "index": ["sex"], "columns": [], "value": None,
            "aggfuncs": ["count"], "unit": None, "margins": True}
    with pytest.raises(QueryError):
        con.aggregate(sql, spec)
    assert len(con.sql("SELECT * FROM opd").df()) == 600      # nothing was changed


def test_broker_seals_a_kaplan_meier_table(broker, tmp_path):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    df_round = con.sql("SELECT ID, round(cost, -2) AS t, dead FROM opd").df()
    km = sf.kaplan_meier(df_round, "t", "dead", round_at_risk=5, min_at_risk=6)
    assert km.is_sealed, km.note
    km.save(tmp_path / "km.csv")
    r = _check(tmp_path, km.manifest_entry("km.csv", "survival"))
    assert not [f for f in r.findings if f.check == "provenance"]
    local = sf.kaplan_meier(df[df.sex == "F"], "cost", "dead")      # changed in the kernel
    assert not local.is_sealed
    from enclave.session import QueryError

    for bad in ({"helper": "kaplan_meier", "duration": "t); DROP TABLE opd; --", "event": "dead",
                 "round_at_risk": 5, "min_at_risk": 6},
                {"helper": "kaplan_meier", "duration": "t", "event": "dead",
                 "round_at_risk": 0, "min_at_risk": 6}):
        with pytest.raises(QueryError):
            con.aggregate("SELECT * FROM opd", bad)


@pytest.mark.parametrize("unit", [None, "ID"])
def test_broker_seals_rates_and_histograms_the_kernel_makes_identically(broker, tmp_path, unit):
    """rate() and histogram() were always unsealed (issue 21): the rate's event and the
    histogram's bins now travel in the spec, and the broker makes the same table."""
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    r = sf.rate(df, ["sex", "age"], "dead", unit=unit)
    assert r.is_sealed, r.note
    r.save(tmp_path / "rate.csv")
    res = _check(tmp_path, r.manifest_entry("rate.csv", "death percentage by sex and age"))
    assert not [f for f in res.findings if f.check == "provenance"], \
        [f.message_en for f in res.findings]
    assert res.verdict == "pass", [(f.check, f.message_en) for f in res.findings]
    h = sf.histogram(df, "cost", bins=[0, 100, 200, 400, 800, 5000], unit=unit)
    assert h.is_sealed, h.note
    assert h.table["bin"].tolist()[:2] == ["[0, 100)", "[100, 200)"]
    h.save(tmp_path / "h.csv")
    res = _check(tmp_path, h.manifest_entry("h.csv", "cost histogram"))
    assert not [f for f in res.findings if f.check == "provenance"], \
        [f.message_en for f in res.findings]
    # bins chosen from the data (np.histogram's default) are sealed too; their edges are the
    # data's extremes, which the engine judges as it does any table (never unsealed for it)
    assert sf.histogram(df, "cost", bins=5).is_sealed


def test_a_rate_or_histogram_of_a_frame_changed_in_the_kernel_stays_unsealed(broker):
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    df = df[df.region == "n"]
    assert not sf.rate(df, "sex", "dead").is_sealed
    assert not sf.histogram(df, "cost", bins=[0, 100, 300]).is_sealed
    # a change that leaves the table as the broker makes it from the query (rows outside
    # every bin dropped) is the same table: sealed, truthfully
    full = con.sql("SELECT * FROM opd").df()
    assert sf.histogram(full[full.cost.fillna(0) < 300], "cost", bins=[0, 100, 300]).is_sealed


@pytest.mark.parametrize("bins", [
    {"column": "cost", "edges": [0, 0, 1], "name": "bin"},                 # not increasing
    {"column": "cost", "edges": [0, float("inf")], "name": "bin"},         # not finite
    {"column": "cost", "edges": list(range(2000)), "name": "bin"},         # too many
    {"column": "cost", "edges": [0, 1], "name": "sex"},                     # not the index name
    {"column": "cost", "edges": [0, 1], "name": "bin", "sql": "x"},         # unknown key
    {"column": "cost", "edges": "0,1", "name": "bin"},
])
def test_broker_refuses_bad_bins_and_rates(broker, bins):
    from enclave.session import QueryError

    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    spec = {"helper": "histogram", "index": ["bin"], "columns": [], "value": None,
            "aggfuncs": ["count"], "unit": None, "margins": True, "bins": bins}
    from egress_review.safe_tables.build import check_spec
    from egress_review.safe_tables.cube import HelperError

    with pytest.raises(HelperError):
        check_spec(spec)                               # what the broker runs on every spec
    # (the client itself will not encode an infinite edge as JSON)
    with pytest.raises((QueryError, ValueError)):
        con.aggregate("SELECT * FROM opd", spec)
    rate = {"helper": "rate", "index": ["sex"], "columns": [], "value": "dead",
            "aggfuncs": ["count"], "unit": None, "margins": False}
    for bad in ({**rate, "per": -1}, {**rate, "per": True}, {**rate, "value": None},
                {**rate, "columns": ["age"]}, {"helper": "crosstab", "index": ["sex"], "per": 10}):
        with pytest.raises(QueryError):
            con.aggregate("SELECT * FROM opd", bad)


def test_broker_seals_proportions_and_filled_pivots(broker, tmp_path):
    """normalize= and fill_value= travel in the spec: the broker's table is the kernel's, and
    the sealed denominators are what the check divides by."""
    url, _ = broker
    con = connect("diabetes cost by sex and age", url=url, authorization=AUTH)
    df = con.sql("SELECT * FROM opd").df()
    t = sf.crosstab(df.sex, df.age, normalize="index", margins=True, unit=df.ID)
    assert t.is_sealed, t.note
    side = t.save(tmp_path / "p.csv")
    prov = read_provenance(side)
    assert prov.verify(CASE_KEY) and set(prov.body["denominators"]) == {"a", "b", "c"}
    r = _check(tmp_path, t.manifest_entry("p.csv", "shares of age within sex"))
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]
    p = sf.pivot_table(df, values="cost", index="sex", columns="age", fill_value=0)
    assert p.is_sealed, p.note
