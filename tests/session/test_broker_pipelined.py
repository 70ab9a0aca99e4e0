"""A read-only query starts while its audit record is written, and nothing of it leaves the
broker before the record is durable (issue 18, A3).

The broker is the real process (``python -m hub_config.broker``, encrypted extract, unix
socket, the session's ``BrokerConnection``); its warden is a test warden on a unix socket that
answers each record as the test says - 201 or a refusal, at once or after a delay, or by
dropping the connection - and notes when it answered.  The real warden's own refusals are
tested in test_query.py / test_warden_record.py: what matters here is the broker's hold."""
from __future__ import annotations

import hashlib
import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from datasets import parquet_crypto as PC
from enclave.session.query import BrokerConnection, QueryError, QueryLogError
from hub_config.spawner import unix_url
from tests.services.unix_http import answer_json, serve
from tests.session.broker_case import CASE, ENDLESS, KEY, SECRET, extract, start_broker
from tests.session.broker_case import cpu as _cpu

AUTH = "token pipelined-test"


class Warden:
    """What the next records get: ``status`` (201 or a refusal), ``delay`` seconds first, or
    ``drop`` (the connection closed without an answer)."""

    def __init__(self, sock: Path) -> None:
        self.status, self.delay, self.drop = 201, 0.0, False
        self.answered: list[tuple[float, int, dict]] = []   # (monotonic time, status, body)
        self.on_hold = None   # called while a record is held (before the answer)
        warden = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if warden.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if body.get("event") == "query" and warden.delay:
                    if warden.on_hold:
                        warden.on_hold("start")
                    time.sleep(warden.delay)
                    if warden.on_hold:
                        warden.on_hold("end")
                status = warden.status if body.get("event") == "query" else 201
                warden.answered.append((time.monotonic(), status, body))
                answer_json(self, status, {"seq": 1} if status == 201 else
                            {"error": "audit store down"})

            def log_message(self, *a):
                pass

        self.server = serve(sock, Handler)

    def set(self, status=201, delay=0.0, drop=False, on_hold=None):
        self.status, self.delay, self.drop, self.on_hold = status, delay, drop, on_hold


def _broker(tmp, data, warden_url: str, name: str):
    return start_broker(tmp, data, warden_url, name, AUTH)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipelined")
    data = tmp / "data"
    data.mkdir()
    extract(data)
    warden = Warden(tmp / "warden.sock")
    proc, url = _broker(tmp, data, unix_url(str(tmp / "warden.sock")), "broker")
    yield warden, proc, url, data, tmp
    proc.terminate()
    proc.wait(10)
    warden.server.shutdown()


@pytest.fixture
def env(setup):
    warden, proc, url, data, tmp = setup
    warden.set()
    con = BrokerConnection("testing the broker's record hold", url, AUTH)
    yield warden, proc, con, data, tmp
    warden.set()


def test_refused_record_interrupts_the_running_query(env):
    warden, proc, con, _, _ = env
    cpu = {}
    # held 3 s: on a loaded host 1.5 s gave the running query less than its 0.3 s of CPU
    warden.set(status=500, delay=3.0, on_hold=lambda when: cpu.__setitem__(when, _cpu(proc.pid)))
    with pytest.raises(QueryLogError) as e:
        con.sql(ENDLESS)
    assert str(e.value) == ("the query log refused the record (500: audit store down); "
                            "nothing was run")   # the same words as before the overlap
    assert cpu["end"] - cpu["start"] > 0.3   # it had started while the record was held
    warden.set()
    before = _cpu(proc.pid)
    time.sleep(1.0)
    assert _cpu(proc.pid) - before < 0.2     # and stopped with the refusal
    assert con.sql("SELECT count(*) FROM claims").fetchall() == [(200_000,)]


@pytest.mark.parametrize("sql, their_words", [
    ("SELECT CAST(pid AS INTEGER) AS n FROM claims", SECRET),       # an error naming a value
    ("SELECT id FROM claims", "more than 1000 rows"),                # over the result cap
    ("SELECT pid FROM claims WHERE pid LIKE 'secret%'", SECRET),     # the rows themselves
])
def test_nothing_of_the_query_before_the_record(env, sql, their_words):
    warden, _, con, _, _ = env
    # refused after the query has long finished: only the refusal reaches the session
    warden.set(status=500, delay=0.5)
    with pytest.raises(QueryLogError) as e:
        con.sql(sql)
    assert their_words not in str(e.value) and "refused the record (500" in str(e.value)
    # recorded late: the query's own answer comes, and not before the 201
    warden.set(status=201, delay=1.0)
    try:
        got = str(con.sql(sql).fetchall())
    except QueryError as err:
        got = str(err)
    arrived = time.monotonic()
    assert their_words in got
    assert warden.answered[-1][1] == 201 and arrived >= warden.answered[-1][0]


def test_a_slow_warden_holds_the_result(env):
    warden, _, con, _, _ = env
    warden.set(status=201, delay=1.0)
    sql = "SELECT g, count(*) AS n FROM claims GROUP BY g ORDER BY g"
    rows = con.sql(sql).fetchall()
    arrived = time.monotonic()
    assert rows == [(g, len(range(g, 200_000, 7))) for g in range(7)]
    stamp, status, body = warden.answered[-1]
    assert status == 201 and body["sql"] == sql and arrived >= stamp


def test_a_warden_that_drops_or_errs_refuses(env):
    warden, _, con, _, _ = env
    sql = "SELECT pid FROM claims WHERE pid LIKE 'secret%'"
    warden.set(drop=True)
    with pytest.raises(QueryLogError, match="the query log is unreachable .*nothing was run") as e:
        con.sql(sql)
    assert SECRET not in str(e.value)
    for status in (500, 403, 409, 200):   # anything but 201 is a refusal (even a 200)
        warden.set(status=status)
        with pytest.raises(QueryLogError, match=f"refused the record \\({status}") as e:
            con.sql(sql)
        assert SECRET not in str(e.value)
    warden.set()
    assert con.sql(sql).fetchall() == [(SECRET,)]


def test_a_warden_that_is_down_refuses(setup):
    _, _, _, data, tmp = setup
    proc, url = _broker(tmp, data, unix_url(str(tmp / "no-warden-here.sock")), "lonely")
    try:
        with pytest.raises(QueryLogError, match="unreachable"):   # the purpose record
            BrokerConnection("testing the broker's record hold", url, AUTH)
        from enclave.core.http import Client

        r = Client(url, {"Authorization": AUTH}).post(
            "/api/query", {"purpose": "testing the broker's record hold",
                           "sql": "SELECT pid FROM claims WHERE pid LIKE 'secret%'"})
        assert r.status_code == 503 and SECRET not in r.text
        assert "the query log is unreachable" in r.json()["error"]
    finally:
        proc.terminate()
        proc.wait(10)


# (setup, statement refused, probe, what the probe shows when the statement did not run):
# statements that change the connection, or that the broker cannot prove do not, must not
# start before their record - so with the record refused they leave no trace at all
UNPROVED = [
    ([], "CREATE TEMP TABLE t_{n} AS SELECT 1 AS x",
     "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't_{n}'", 0),
    ([], "SELECT 1 AS x; CREATE TABLE t_{n} AS SELECT 1 AS x",
     "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't_{n}'", 0),
    (["CREATE TABLE t_{n} (x INTEGER)"], "INSERT INTO t_{n} VALUES (1)",
     "SELECT count(*) FROM t_{n}", 0),
    (["CREATE TABLE t_{n} AS SELECT 1 AS x"], "DROP TABLE t_{n}", "SELECT count(*) FROM t_{n}", 1),
    (["CREATE SEQUENCE s_{n}"], "SELECT nextval('s_{n}')", "SELECT nextval('s_{n}')", 1),
    (["CREATE SEQUENCE s_{n}"], "WITH c AS (SELECT nextval('s_{n}') AS v) SELECT v FROM c",
     "SELECT nextval('s_{n}')", 1),
    (["CREATE SEQUENCE s_{n}"], "SELECT * FROM (SELECT nextval('s_{n}')) AS q",
     "SELECT nextval('s_{n}')", 1),
    (["CREATE SEQUENCE s_{n}", "CREATE VIEW v_{n} AS SELECT nextval('s_{n}') AS v"],
     "SELECT * FROM v_{n}", "SELECT nextval('s_{n}')", 1),
    (["CREATE SEQUENCE s_{n}", "CREATE TEMP VIEW claims AS SELECT nextval('s_{n}') AS v"],
     "SELECT * FROM claims", "SELECT nextval('s_{n}')", 1),   # a view over the extract's name
    (["CREATE SEQUENCE s_{n}", "CREATE MACRO abs(x) AS nextval('s_{n}') + x"],
     "SELECT abs(1)", "SELECT nextval('s_{n}')", 1),          # a macro over a built-in's name
    (["CREATE SEQUENCE s_{n}"], "SELECT * FROM query('SELECT nextval(''s_{n}'')')",
     "SELECT nextval('s_{n}')", 1),
    (["CREATE SEQUENCE s_{n}"], "SELECT v FROM (VALUES (1)) t(v) WHERE nextval('s_{n}') > 0",
     "SELECT nextval('s_{n}')", 1),
]


@pytest.mark.parametrize("n", range(len(UNPROVED)))
def test_unproved_statements_wait_for_the_record(env, n):
    warden, _, con, _, _ = env
    setup_sql, sql, probe, untouched = UNPROVED[n]
    for s in setup_sql:
        con.sql(s.format(n=n))
    # refused late: a statement started early would have finished (and changed state) by then
    warden.set(status=500, delay=0.4)
    with pytest.raises(QueryLogError, match="refused the record"):
        con.sql(sql.format(n=n))
    warden.set()
    assert con.sql(probe.format(n=n)).fetchall() == [(untouched,)]
    if "TEMP VIEW claims" in " ".join(setup_sql):   # the extract's own view again
        con.sql("DROP VIEW temp.main.claims")
    if "MACRO abs" in " ".join(setup_sql):
        con.sql("DROP MACRO memory.main.abs")
    assert con.sql("SELECT abs(-2) AS a, count(*) AS n FROM claims").fetchall() == [(2, 200_000)]


def test_same_rows_as_raw_duckdb(env):
    """Queries that start early give what they gave before: compared with DuckDB in this
    process over the same encrypted extract."""
    warden, _, con, data, _ = env
    raw = duckdb.connect()
    PC.register(raw, "claims", PC.dataset([data / "claims.parquet"],
                                          PC.Scope(PC.case_scope(CASE), KEY)))
    con.sql("CREATE TABLE gs AS SELECT range AS g, 'group ' || range AS label FROM range(7)")
    raw.execute("CREATE TABLE gs AS SELECT range AS g, 'group ' || range AS label FROM range(7)")
    queries = [
        ("SELECT g, count(*) AS n, avg(x) AS mean_x, sum(id) AS s FROM claims GROUP BY g "
         "ORDER BY g", None),
        ("SELECT c.g, gs.label, max(c.x) AS m FROM claims c JOIN gs USING (g) GROUP BY ALL "
         "ORDER BY 1", None),
        ("WITH t AS (SELECT g, x FROM claims WHERE id < 500) SELECT g, row_number() OVER "
         "(PARTITION BY g ORDER BY x DESC) AS r, x FROM t QUALIFY r <= 2 ORDER BY g, r", None),
        ("SELECT id, pid FROM claims WHERE id BETWEEN ? AND ? ORDER BY id", [4319, 4323]),
        ("SELECT g FROM claims WHERE id < 10 UNION SELECT 99 ORDER BY 1", None),
        ("SELECT upper(pid) AS p, length(pid) AS l FROM claims WHERE pid LIKE 'secret%'", None),
        ("SELECT 1 AS one", None),
    ]
    for sql, params in queries:
        want = raw.execute(sql, params).fetchall() if params else raw.execute(sql).fetchall()
        assert con.sql(sql, params).fetchall() == want, sql
    recorded = [b["sql"] for _, s, b in warden.answered if s == 201 and b.get("event") == "query"]
    assert recorded[-len(queries):] == [q for q, _ in queries]   # each one recorded


def test_the_brokers_threads_are_named(env):
    """The broker names its request threads and the query's thread (bench/broker_query.py
    --threads splits its CPU by them; ``top -H`` shows them), and leaves its main thread's
    name - the process's name - as it was."""
    _, proc, con, _, _ = env
    assert con.sql("SELECT count(*) FROM claims").fetchall() == [(200_000,)]
    tasks = Path(f"/proc/{proc.pid}/task")
    names = {int(t.name): (t / "comm").read_text().strip() for t in tasks.iterdir()}
    assert "broker-request" in names.values()   # the event loop's worker threads
    assert "broker-query" in names.values()     # the read-only query's worker
    with open(f"/proc/{proc.pid}/comm") as f:
        assert f.read().strip() == names[proc.pid] == Path(proc.args[0]).name[:15]


# statements the broker cannot prove read-only, run once: a text once not proved is remembered
# as such (not proved again, nor the catalog listed again for it) - and must still wait
REMEMBERED = [
    ("nextval", "SELECT nextval('{s}')"),
    ("cte", "WITH c AS (SELECT nextval('{s}') AS v) SELECT v FROM c"),
    ("subquery", "SELECT * FROM (SELECT nextval('{s}')) AS q"),
    ("where", "SELECT v FROM (VALUES (1)) t(v) WHERE nextval('{s}') > 0"),
    ("query_fn", "SELECT * FROM query('SELECT nextval(''{s}'')')"),
    ("qualified", "SELECT nextval('{s}') FROM main.claims LIMIT 1"),
]


@pytest.mark.parametrize("kind, sql", REMEMBERED, ids=[k for k, _ in REMEMBERED])
def test_a_statement_once_unproved_still_waits(env, kind, sql):
    warden, _, con, _, _ = env
    seq = f"s_remembered_{kind}"
    con.sql(f"CREATE SEQUENCE {seq}")
    text = sql.format(s=seq)
    assert con.sql(text).fetchall() == [(1,)]   # recorded: it ran, after its record
    for catalog_changed in (False, True):
        if catalog_changed:   # a CREATE: the catalog and macro names are listed afresh
            con.sql(f"CREATE TABLE t_remembered_{kind} AS SELECT 1 AS x")
        warden.set(status=500, delay=0.4)   # a statement started early would have run by then
        with pytest.raises(QueryLogError, match="refused the record"):
            con.sql(text)
        warden.set()
    assert con.sql(f"SELECT nextval('{seq}')").fetchall() == [(2,)]   # neither refusal ran it


# A3/S1: a fresh broker's very first statement, of every kind, runs (its start-up once read a
# setting from the connection after it began serving and left the result half-read: the first
# statement that was not a proved read-only SELECT failed with "unfinished result")
@pytest.mark.parametrize("first", [
    "CREATE TABLE scratch AS SELECT range AS g FROM range(3)",
    "CREATE VIEW v AS SELECT g FROM claims",
    "CREATE MACRO twice(a) AS a * 2",
    "SELECT count(*) AS n FROM claims",
    "SELECT 1 AS one",
])
def test_a_fresh_brokers_first_statement_runs(setup, first):
    warden, _, _, data, tmp = setup
    warden.set()
    name = "fresh-" + hashlib.sha256(first.encode()).hexdigest()[:8]
    proc, url = _broker(tmp, data, unix_url(str(tmp / "warden.sock")), name)
    try:
        con = BrokerConnection("testing a fresh broker", url, AUTH)
        con.sql(first)
        assert con.sql("SELECT count(*) AS n FROM claims").fetchall() == [(200_000,)]
    finally:
        proc.terminate()
        proc.wait(10)
