"""The query broker and its client, on a real unix socket: views, purpose required, every
query logged before it runs, a query that cannot be logged does not run (A3), no file,
extension, attach or settings escape, result caps, and the session credential checked.

The broker's own sandbox (extract only, its own uid) is tested in tests/hub with a real
kernel; here the broker runs in-process so the DuckDB lock-down is tested on its own."""
from __future__ import annotations


import pandas as pd
import pyarrow as pa
import pytest

from datasets import parquet_crypto as PC
from enclave.session import BrokerConnection, QueryError, QueryLogError, Result, connect
from hub_config.broker import CaseDatabase
from hub_config.spawner import unix_url
from hub_config.warden import Warden
from policies import load_policy
from tests.services.broker import ListLog, broker_on_socket

AUTH = "token the-sessions-own-token"


CASE_KEY = PC.scope_kek(b"m" * 32, PC.case_scope("C1"))   # the broker's, never the session's


def _write(df: pd.DataFrame, path, case="C1", key=CASE_KEY) -> None:
    PC.write_table(pa.Table.from_pandas(df, preserve_index=False), path,
                   PC.Scope(PC.case_scope(case), key))   # encrypted at rest (O3)


@pytest.fixture
def case_dirs(tmp_path):
    data = tmp_path / "C1" / "data"
    data.mkdir(parents=True)
    _write(pd.DataFrame({"pid": ["a", "b", "c"], "age": [30, 40, 50]}), data / "patients.parquet")
    part = data / "visits"
    part.mkdir()
    _write(pd.DataFrame({"pid": ["a", "a"], "cost": [10, 20]}), part / "p0.parquet")
    other = tmp_path / "C2" / "data"
    other.mkdir(parents=True)
    _write(pd.DataFrame({"pid": ["zz-other-case-secret-pid"]}), other / "secret.parquet", "C2",
           PC.scope_kek(b"m" * 32, PC.case_scope("C2")))
    return data, other, tmp_path


@pytest.fixture
def broker(case_dirs, tmp_path):
    """A broker on a unix socket in a thread; yields (url, log, db)."""
    data, _, _ = case_dirs
    log = ListLog()
    db = CaseDatabase(data, log, max_rows=1000, max_bytes=1_000_000, purpose_min_length=10,
                      case_code="C1", data_key=CASE_KEY)
    with broker_on_socket(db, AUTH, tmp_path / "broker.sock") as url:
        yield url, log, db


def test_views_and_each_query_logged_with_purpose(broker):
    url, log, _ = broker
    con = connect("cohort sizes for aim 1", url=url, authorization=AUTH)
    assert set(con.tables()) == {"patients", "visits"}
    assert con.sql("select count(*) from patients").fetchall() == [(3,)]
    assert con.execute("select sum(cost) from visits where pid = ?", ["a"]).fetchone() == (30,)
    df = con.sql("select * from patients order by pid").df()
    assert list(df["age"]) == [30, 40, 50]
    assert isinstance(con.sql("select 1 as x").arrow(), pa.Table)
    assert log.records[0] == ("purpose", "cohort sizes for aim 1")
    assert log.records[1][2] == "select count(*) from patients"
    assert log.records[2][2:] == ("select sum(cost) from visits where pid = ?", ["a"])
    assert all(r[1] == "cohort sizes for aim 1" for r in log.records)
    # scratch tables live in the broker's memory only
    con.execute("create table young as select * from patients where age < 45")
    assert con.sql("select count(*) from young").fetchall() == [(2,)]


def test_purpose_is_required(broker):
    url, log, db = broker
    for bad in ("", "   ", "short"):
        with pytest.raises(ValueError, match="purpose"):
            connect(bad, url=url, authorization=AUTH)
    con = connect(url=url, authorization=AUTH, ask=lambda prompt: "asked purpose of the day")
    assert con.purpose == "asked purpose of the day"
    # the broker checks too: a client that skips the local check is refused
    with pytest.raises(QueryError, match="purpose"):
        BrokerConnection("short", url, AUTH, purpose_min_length=1)
    assert ("purpose", "short") not in log.records


def test_unlogged_query_does_not_run(broker):
    url, log, _ = broker
    con = connect("a purpose long enough", url=url, authorization=AUTH)
    log.fail = True
    with pytest.raises(QueryLogError, match="nothing was run"):
        con.execute("create table marker as select 42 as x")
    log.fail = False
    with pytest.raises(QueryError, match="marker"):
        con.sql("select * from marker")  # the refused statement never ran


@pytest.mark.parametrize("sql, expect", [
    ("select * from read_parquet('{other}/secret.parquet')", "Permission"),
    ("select * from read_parquet('{data}/../../C2/data/secret.parquet')", "Permission"),
    ("COPY (select * from patients) TO '{root}/out.csv'", "COPY statements are not allowed"),
    ("COPY (select * from patients) TO '{data}/out.csv'", "COPY statements are not allowed"),
    ("ATTACH '{root}/x.duckdb'", "ATTACH statements are not allowed"),
    ("INSTALL httpfs", "LOAD statements are not allowed"),
    ("LOAD httpfs", "LOAD statements are not allowed"),
    ("select * from read_csv('/etc/passwd')", "Permission"),
    ("select * from read_text('/etc/passwd')", "Permission"),
    ("select * from glob('/*')", "Permission"),
    ("SET enable_external_access=true", "SET statements are not allowed"),
    ("PRAGMA enable_profiling", "PRAGMA statements are not allowed"),
    ("EXPORT DATABASE '{root}/exp'", "EXPORT statements are not allowed"),
    ("select 1; COPY (select 1) TO '{root}/two.csv'", "COPY statements are not allowed"),
    ("create view leak as select * from read_csv('/etc/passwd')", "Permission"),
])
def test_escapes_refused(broker, case_dirs, sql, expect):
    url, log, _ = broker
    data, other, root = case_dirs
    con = connect("a purpose long enough", url=url, authorization=AUTH)
    with pytest.raises(QueryError, match=expect):
        con.sql(sql.format(other=other, data=data, root=root)).fetchall()
    assert not (root / "out.csv").exists() and not (data / "out.csv").exists()
    assert not (root / "two.csv").exists() and not (root / "exp").exists()
    # and the views still answer afterwards (nothing was unlocked)
    assert con.sql("select count(*) from patients").fetchall() == [(3,)]


def test_result_caps(broker):
    url, _, db = broker
    con = connect("a purpose long enough", url=url, authorization=AUTH)
    with pytest.raises(QueryError, match="more than 1000 rows"):
        con.sql("select * from range(5000)")
    assert len(con.sql("select * from range(1000)")) == 1000
    with pytest.raises(QueryError, match="larger than"):
        con.sql("select repeat('x', 10000) as s from range(200)")


@pytest.mark.parametrize("auth", ["token someone-elses-token", "job forged", "", "token the-sessions-own-tokenX"])
def test_other_or_forged_credential_refused(broker, auth):
    url, log, _ = broker
    before = list(log.records)
    with pytest.raises(QueryError, match="credential refused|403"):
        BrokerConnection("a purpose long enough", url, auth or "x")
    assert log.records == before  # nothing logged, nothing run


def test_outside_a_session_connect_refuses(monkeypatch):
    monkeypatch.delenv("ENCLAVE_BROKER_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    monkeypatch.delenv("ENCLAVE_JOB_TOKEN", raising=False)
    with pytest.raises(QueryLogError, match="not inside an enclave session"):
        connect("a purpose long enough")


def test_unreachable_broker_is_a_log_error(tmp_path):
    with pytest.raises(QueryLogError, match="unreachable"):
        connect("a purpose long enough", url=unix_url(str(tmp_path / "none.sock")),
                authorization=AUTH)


def test_result_object():
    r = Result(pa.table({"a": [1, 2], "b": ["x", "y"]}))
    assert r.columns == ["a", "b"] and len(r) == 2
    assert r.fetchone() == (1, "x") and r.fetchall() == [(2, "y")] and r.fetchone() is None


def test_warden_refuses_a_record_for_another_case(rows):
    from tornado import web

    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.case("C2", [])
    rows.booking("ann", "C1", -5, 60)
    w = Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused")
    body = {"event": "query", "purpose": "a purpose long enough", "sql": "select 1"}
    assert w.record("ann", {**body, "case": "C1"})["case"] == "C1"
    with pytest.raises(web.HTTPError) as e:
        w.record("ann", {**body, "case": "C2"})
    assert e.value.status_code == 403


def test_data_dictionary_in_the_session(broker, case_dirs):
    """#16: the case's data dictionary is browsable from the kernel - described columns where
    the extract builder wrote dictionary.json, the columns and types otherwise; nothing logged."""
    import json as _json

    url, log, _ = broker
    data, _, _ = case_dirs
    conn = BrokerConnection("look up the data dictionary", url, AUTH)
    before = list(log.records)
    d = conn.dictionary()
    assert set(d["table"]) == {"patients", "visits"}
    assert set(d[d["table"] == "patients"]["column"]) == {"pid", "age"}
    assert log.records == before  # metadata only: nothing run, nothing logged
    (data / "dictionary.json").write_text(_json.dumps({"patients": [
        {"column": "pid", "type": "VARCHAR", "action": "recode",
         "description": "person; keyed pseudonym"},
        {"column": "age", "type": "BIGINT", "action": "keep", "description": "age in years"}]}))
    d = conn.dictionary("patients")
    assert list(d["description"]) == ["person; keyed pseudonym", "age in years"]
    (data / "dictionary.json").unlink()


def test_encrypted_extract_is_answered_over_the_socket_and_plain_is_refused(broker, case_dirs,
                                                                           tmp_path):
    """O3: the fixture's extract is encrypted with the case key; the broker (which alone holds
    it) answers over its socket; the bytes hold no value; a plain file or a file of another
    case is refused by name (default deny)."""
    url, _log, _db = broker
    data, other, _ = case_dirs
    assert all(PC.is_encrypted(p) for p in data.rglob("*.parquet"))
    assert b"zz-other-case-secret-pid" not in (other / "secret.parquet").read_bytes()
    c = connect("check the encrypted extract", url=url, authorization=AUTH)
    assert c.sql("SELECT sum(age) AS s FROM patients").fetchall() == [(120,)]
    assert c.sql("SELECT sum(cost) AS s FROM visits WHERE pid = 'a'").fetchall() == [(30,)]
    plain = tmp_path / "plain"
    plain.mkdir()
    pd.DataFrame({"pid": ["a"]}).to_parquet(plain / "t.parquet")
    with pytest.raises(PC.PlainFileRefused, match=r"plain/t\.parquet is not encrypted"):
        CaseDatabase(plain, ListLog(), max_rows=10, max_bytes=10_000, purpose_min_length=10,
                     case_code="C1", data_key=CASE_KEY)
    with pytest.raises(PC.WrongKeyError, match=r"C2/data/secret\.parquet"):
        CaseDatabase(other, ListLog(), max_rows=10, max_bytes=10_000, purpose_min_length=10,
                     case_code="C1", data_key=CASE_KEY)
    with pytest.raises(PC.ParquetCryptoError, match="no key was given"):
        CaseDatabase(data, ListLog(), max_rows=10, max_bytes=10_000, purpose_min_length=10,
                     case_code="C1")
