"""The broker's own log (the operator's, kept and shipped outside the session) never quotes what
a refused or failed query said: DuckDB's error messages carry the case's values they failed on
and the SQL around a parse error.  The researcher's answer still says why.  A real broker
process on an encrypted extract whose one row holds a marked value; its log read from its
standard error.  The warden is a stand-in answering 201 (the record is not under test here)."""
from __future__ import annotations

import os
import time

import pytest

from enclave.core.http import Client
from hub_config.spawner import unix_url
from tests.services.unix_http import Answer201, serve
from tests.session.broker_case import SECRET, extract, start_broker

AUTH = "token broker-log"
PURPOSE = "checking what the broker's log keeps"

# Each makes DuckDB's message carry the marked value, or SQL quoting it: conversions, explicit
# errors, dates, JSON, UUIDs, regular expressions (as the query's columns, or in its WHERE for
# a table); parse errors, statements refused by kind, and a UNION of another width.
FAILING = ["CAST(pid AS INTEGER)", "pid::DOUBLE", "error(pid)", "strptime(pid, '%Y-%m-%d')",
           "pid::JSON", "pid::DATE", "CAST(pid AS UUID)", "to_timestamp(pid::BIGINT)",
           f"regexp_matches(pid, '{SECRET}(')"]
WHOLE = [f"SELECT '{SECRET}' FROM WHERE", f"SELECT * FROM claims WHERE pid = '{SECRET}' UNION SELECT 1",
         f"COPY (SELECT '{SECRET}') TO '/tmp/out.csv'", f"ATTACH '{SECRET}.db'",
         f"SELECT * FROM read_csv('/{SECRET}.csv')"]
CASES = ([("/api/query", f"SELECT {e} FROM claims ORDER BY pid DESC") for e in FAILING]
         + [("/api/aggregate", f"SELECT g, id FROM claims WHERE ({e}) IS NOT NULL") for e in FAILING]
         + [(ep, sql) for sql in WHOLE for ep in ("/api/query", "/api/aggregate")])


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("broker-log")
    (tmp / "data").mkdir()
    extract(tmp / "data")
    warden = serve(tmp / "warden.sock", Answer201)
    log = tmp / "broker.log"
    os.environ["ENCLAVE_PROVENANCE_KEY"] = "ab" * 32   # tables are sealed: /api/aggregate runs
    try:
        proc, url = start_broker(tmp, tmp / "data", unix_url(str(tmp / "warden.sock")), "b",
                                 AUTH, log=log)
    finally:
        del os.environ["ENCLAVE_PROVENANCE_KEY"]
    client = Client(url, {"Authorization": AUTH}, timeout=60)
    assert client.post("/api/open", {"purpose": PURPOSE}).status_code == 200
    try:
        yield client, log
    finally:
        proc.terminate()
        proc.wait(10)
        warden.shutdown()


def _log_after(log, before: int) -> str:
    time.sleep(0.2)   # the broker writes its line after answering
    return log.read_bytes()[before:].decode("utf-8", "replace")


@pytest.mark.parametrize("endpoint,sql", CASES)
def test_a_refused_query_is_logged_without_its_message(broker, endpoint, sql):
    client, log = broker
    before = log.stat().st_size
    body = {"purpose": PURPOSE, "sql": sql}
    if endpoint == "/api/aggregate":
        body["spec"] = {"index": ["g"], "unit": "id"}
    r = client.post(endpoint, body)
    assert r.status_code in (400, 403, 413), r.text
    said = _log_after(log, before)
    assert f"{r.status_code} {endpoint}" in said          # the refusal is in the log ...
    assert SECRET not in said and "secret-pid" not in said, said   # ... not what it quoted
    assert "Original" not in said and "Error:" not in said, said


def test_the_researcher_is_still_told_why(broker):
    """The answer keeps DuckDB's message: it is the researcher's own case's data."""
    client, _ = broker
    r = client.post("/api/query", {"purpose": PURPOSE,
                                   "sql": "SELECT CAST(pid AS INTEGER) FROM claims"})
    assert r.status_code == 400 and SECRET in r.json()["error"]
