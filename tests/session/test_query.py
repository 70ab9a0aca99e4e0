"""The in-session DuckDB connection: views, read-only, purpose required, every query logged
before it runs, and a query that cannot be logged does not run (A3)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from enclave.session import CaseConnection, QueryLogError, connect


class ListLog:
    def __init__(self, fail: bool = False) -> None:
        self.records: list[tuple] = []
        self.fail = fail

    def purpose(self, purpose):
        self.records.append(("purpose", purpose))

    def query(self, purpose, sql, params):
        if self.fail:
            raise QueryLogError("log down")
        self.records.append(("query", purpose, sql, params))


@pytest.fixture
def case_dirs(tmp_path):
    data = tmp_path / "C1" / "data"
    data.mkdir(parents=True)
    pd.DataFrame({"pid": ["a", "b", "c"], "age": [30, 40, 50]}).to_parquet(data / "patients.parquet")
    part = data / "visits"
    part.mkdir()
    pd.DataFrame({"pid": ["a", "a"], "cost": [10, 20]}).to_parquet(part / "p0.parquet")
    other = tmp_path / "C2" / "data"
    other.mkdir(parents=True)
    pd.DataFrame({"pid": ["zz"]}).to_parquet(other / "secret.parquet")
    ws = tmp_path / "C1" / "workspace"
    ws.mkdir()
    return data, other, ws


def test_views_and_each_query_logged_with_purpose(case_dirs):
    data, _, ws = case_dirs
    log = ListLog()
    con = CaseConnection("cohort sizes for aim 1", data, log, 10, ws)
    assert set(con.tables) == {"patients", "visits"}
    assert con.sql("select count(*) from patients").fetchall() == [(3,)]
    assert con.execute("select sum(cost) from visits where pid = ?", ["a"]).fetchone() == (30,)
    assert log.records[0] == ("purpose", "cohort sizes for aim 1")
    assert log.records[1][2] == "select count(*) from patients"
    assert log.records[2][2:] == ("select sum(cost) from visits where pid = ?", ["a"])
    assert all(r[1] == "cohort sizes for aim 1" for r in log.records)


def test_purpose_is_required(case_dirs):
    data, _, _ = case_dirs
    for bad in ("", "   ", "short"):
        with pytest.raises(ValueError, match="purpose"):
            CaseConnection(bad, data, ListLog(), 10)
    assert connect(log=ListLog(), data_dir=data,
                   ask=lambda prompt: "asked purpose of the day").purpose == "asked purpose of the day"


def test_unlogged_query_does_not_run(case_dirs, tmp_path):
    data, _, ws = case_dirs
    con = CaseConnection("a purpose long enough", data, ListLog(fail=True), 10, ws)
    with pytest.raises(QueryLogError):
        con.execute(f"COPY (select 1) TO '{ws}/marker.csv'")
    assert not (ws / "marker.csv").exists()


def test_other_files_settings_and_extensions_refused(case_dirs):
    data, other, ws = case_dirs
    con = CaseConnection("a purpose long enough", data, ListLog(), 10, ws)
    for sql in (f"select * from read_parquet('{other}/secret.parquet')",
                "SET enable_external_access=true", "INSTALL httpfs",
                f"ATTACH '{other}/x.duckdb'",
                "select * from read_csv('/etc/passwd')"):
        with pytest.raises(duckdb.Error):
            con.sql(sql).fetchall()
    # the workspace is writable for the researcher's own results
    con.execute(f"COPY (select count(*) n from patients) TO '{ws}/n.csv'")
    assert (ws / "n.csv").read_text().strip().splitlines()[-1] == "3"


def test_outside_a_session_connect_refuses(monkeypatch, case_dirs):
    monkeypatch.delenv("ENCLAVE_WARDEN_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    with pytest.raises(QueryLogError, match="not inside an enclave session"):
        connect("a purpose long enough", data_dir=case_dirs[0])
