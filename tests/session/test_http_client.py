"""The enclave's one HTTP client (enclave.core.http), against real tornado
servers on unix sockets: a kept connection is reused, a connection the server closed while idle
is replaced without sending anything twice, chunked and error answers are read whole, a broken
connection is an error and never a retry; and the broker's query log (WardenLog) through it to
the real warden's server: the record is written, refusals and an unreachable log stop the query."""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import threading
import time

import pytest
from tornado import httpserver, netutil, web

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from enclave.core.http import Client, HTTPStatusError, WireError
from hub_config.broker import LogRefused, WardenLog
from hub_config.spawner import unix_url
from tests.services.warden_thread import WardenThread
from hub_config.warden import Warden
from policies import load_policy


def _serve(app: web.Application, sock: str, **server_kw):
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run():
        asyncio.set_event_loop(loop)
        server = httpserver.HTTPServer(app, **server_kw)
        server.add_socket(netutil.bind_unix_socket(sock, mode=0o600))
        loop.call_soon(ready.set)
        loop.run_forever()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert ready.wait(10)
    return loop, t


@pytest.fixture
def echo(tmp_path):
    """Counts requests; answers which connection carried each, or a chunked / error body."""
    seen: list[dict] = []
    streams = itertools.count(1)

    class Echo(web.RequestHandler):
        def check_xsrf_cookie(self):
            return

        def _conn(self) -> int:   # a number per connection (its stream), not per request
            stream = self.request.connection.stream
            if not hasattr(stream, "test_tag"):
                stream.test_tag = next(streams)
            return stream.test_tag

        async def post(self, what):
            seen.append({"conn": self._conn(),
                         "auth": self.request.headers.get("Authorization"),
                         "body": json.loads(self.request.body)})
            if what == "chunked":
                for part in ("alpha,", "beta,", "gamma"):
                    self.write(part)
                    await self.flush()   # no Content-Length: chunked transfer encoding
                return
            if what == "refuse":
                self.set_status(403)
                self.finish({"error": "not yours"})
                return
            self.finish({"n": len(seen), "conn": self._conn()})

    sock = str(tmp_path / "echo.sock")
    loop, t = _serve(web.Application([(r"/base/(\w+)", Echo)]), sock,
                     idle_connection_timeout=0.3)
    yield unix_url(sock).rstrip("/") + "/base/", seen
    loop.call_soon_threadsafe(loop.stop)
    t.join(10)


def test_kept_connection_reused_and_replaced_after_an_idle_close(echo):
    url, seen = echo
    c = Client(url, {"Authorization": "token abc"})
    a, b = c.post("/plain", {"i": 1}).json(), c.post("plain", {"i": 2}).json()
    assert a["conn"] == b["conn"]          # one connection for both
    time.sleep(0.8)                        # the server closes the idle connection
    d = c.post("plain", {"i": 3}).json()
    assert d["conn"] != a["conn"] and d["n"] == 3
    assert [s["body"]["i"] for s in seen] == [1, 2, 3]   # each request arrived once
    assert {s["auth"] for s in seen} == {"token abc"}
    c.close()


def test_chunked_and_error_answers_are_read_whole(echo):
    url, _ = echo
    with Client(url) as c:
        r = c.post("chunked", {})
        assert r.status_code == 200 and r.content == b"alpha,beta,gamma"
        r = c.post("refuse", {})
        assert r.status_code == 403 and r.json() == {"error": "not yours"}
        with pytest.raises(HTTPStatusError, match="HTTP 403: .*not yours"):
            r.raise_for_status()
        assert c.post("plain", {}).status_code == 200   # the connection is still usable


def test_unreachable_or_broken_connection_is_an_error_not_a_retry(tmp_path):
    with pytest.raises(WireError, match="FileNotFoundError|ConnectionRefused"):
        Client(unix_url(str(tmp_path / "none.sock"))).post("x", {})
    # a server that reads the request and hangs up without answering
    path = str(tmp_path / "hangup.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(4)
    got: list[bytes] = []

    def hang_up():
        for _ in range(2):
            conn, _ = srv.accept()
            got.append(conn.recv(65536))
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    with pytest.raises(WireError, match="closed the connection"):
        Client(unix_url(path)).post("api/query", {"sql": "select 1"})
    time.sleep(0.2)
    assert len(got) == 1 and got[0].startswith(b"POST /api/query HTTP/1.1\r\n")
    srv.close()


def test_header_values_cannot_inject_lines():
    with pytest.raises(ValueError, match="line break"):
        Client("http://127.0.0.1:9/", {"Authorization": "token a\r\nX-Evil: 1"})


def test_query_log_through_the_real_warden(rows, tmp_path):
    """The broker's WardenLog on a kept connection to the warden's own server: the record is in
    the audit log; another case, an unknown credential or no warden refuses (nothing runs)."""
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.case("C2", [])
    booking = rows.booking("ann", "C1", -5, 60, kind="overnight")

    class Runner:   # the overnight runner's registered job tokens (hub_config.overnight)
        tokens = {"tok-1": ("ann", booking)}

        def sweep(self):
            return None

    warden = Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused",
                    runner=Runner())
    served = WardenThread(warden, str(tmp_path / "warden.sock"), mode=0o600)
    sock = served.sock
    try:
        wlog = WardenLog(unix_url(sock), "job tok-1", "C1")
        wlog.purpose("counting visits by year")
        for i in range(3):   # on one kept connection
            wlog.query("counting visits by year", f"SELECT {i}", None)
        with session_scope(rows.db_url) as s:
            subjects = [e.subject for e in s.query(AuditRecord)
                        .filter_by(action="session.query", actor="ann").order_by(AuditRecord.seq)]
        assert subjects == ["SELECT 0", "SELECT 1", "SELECT 2"]
        with pytest.raises(LogRefused, match="403.*not C2"):
            WardenLog(unix_url(sock), "job tok-1", "C2").query("counting visits by year",
                                                              "SELECT 9", None)
        with pytest.raises(LogRefused, match="403.*unknown job token"):
            WardenLog(unix_url(sock), "job forged", "C1").query("counting visits by year",
                                                               "SELECT 9", None)
    finally:
        served.close()
    os.unlink(sock)   # no warden at all
    with pytest.raises(LogRefused, match="unreachable"):
        WardenLog(unix_url(sock), "job tok-1", "C1").query("counting visits by year",
                                                          "SELECT 9", None)


def test_a_result_of_many_batches_arrives_whole(tmp_path):
    """The broker sends a result as views of its Arrow buffers (no joined copy): a result of
    several batches, with strings and nulls, comes back equal to what DuckDB computed."""
    import duckdb

    from datasets import parquet_crypto as PC
    from enclave.session import BrokerConnection
    from hub_config.broker import CaseDatabase
    from hub_config.broker_http import serve
    from tests.session.test_query import AUTH, CASE_KEY, ListLog

    data = tmp_path / "C1" / "data"
    data.mkdir(parents=True)
    sql = ("SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE 'code-' || (i % 1000) END AS c, "
           "i * 0.5 AS x FROM range(300000) t(i)")
    want = duckdb.connect().sql(sql).to_arrow_table()
    PC.write_table(want, data / "t.parquet", PC.Scope(PC.case_scope("C1"), CASE_KEY))
    db = CaseDatabase(data, ListLog(), max_rows=1_000_000, max_bytes=100_000_000,
                      purpose_min_length=10, case_code="C1", data_key=CASE_KEY)
    sock = str(tmp_path / "broker.sock")
    server = serve(db, AUTH, [netutil.bind_unix_socket(sock, mode=0o600)])
    try:
        with BrokerConnection("the whole table, checked", unix_url(sock), AUTH, 10) as con:
            got = con.sql("SELECT * FROM t ORDER BY id").arrow()
            assert got.num_rows == 300_000 and len(got.to_batches()) > 1
            assert got.equals(want.cast(got.schema)), "rows differ after the transfer"
            assert con.sql("SELECT count(*) FROM t WHERE c IS NULL").fetchone() == (42858,)
    finally:
        server.close()


def _wmem_max() -> int:
    try:
        with open("/proc/sys/net/core/wmem_max") as f:
            return int(f.read())
    except OSError:
        return 0


def test_a_large_result_goes_out_through_a_wide_send_buffer(tmp_path, monkeypatch):
    """A result over SMALL_RESULT is sent with the socket's send buffer raised to SEND_BUFFER
    (the kernel's cap allowing): fewer sends and loop turns for the same bytes (issue 18); a
    small one leaves the connection as it was."""
    import socket

    from enclave.session import BrokerConnection
    from hub_config import broker_http as BH
    from hub_config.broker import CaseDatabase
    from tests.session.test_query import AUTH, CASE_KEY, ListLog
    from datasets import parquet_crypto as PC
    import duckdb

    widened = []
    real = BH._widen_send_buffer

    def spy(sock):
        real(sock)
        widened.append(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))

    monkeypatch.setattr(BH, "_widen_send_buffer", spy)
    data = tmp_path / "C1" / "data"
    data.mkdir(parents=True)
    want = duckdb.connect().sql("SELECT i AS id, i * 0.5 AS x FROM range(200000) t(i)") \
        .to_arrow_table()
    PC.write_table(want, data / "t.parquet", PC.Scope(PC.case_scope("C1"), CASE_KEY))
    db = CaseDatabase(data, ListLog(), max_rows=1_000_000, max_bytes=100_000_000,
                      purpose_min_length=10, case_code="C1", data_key=CASE_KEY)
    sock = str(tmp_path / "broker.sock")
    server = BH.serve(db, AUTH, [netutil.bind_unix_socket(sock, mode=0o600)])
    try:
        with BrokerConnection("the whole table, checked", unix_url(sock), AUTH, 10) as con:
            assert con.sql("SELECT count(*) FROM t").fetchone() == (200_000,)
            assert widened == [], "a small result changed the socket"
            got = con.sql("SELECT * FROM t ORDER BY id").arrow()
            assert got.equals(want.cast(got.schema))
    finally:
        server.close()
    assert len(widened) == 1
    cap = _wmem_max()
    if cap >= BH.SEND_BUFFER:   # Linux reports twice what was set
        assert widened[0] >= BH.SEND_BUFFER


@pytest.mark.parametrize("start", [0, 1 << 16, 64 << 20], ids=["default", "small", "larger"])
def test_the_send_buffer_is_only_ever_widened(start):
    """Raised to SEND_BUFFER, never lowered; a closed socket or none at all is left alone."""
    import socket

    from hub_config.broker_http import SEND_BUFFER, _widen_send_buffer

    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with a, b:
        if start:
            a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, start)
        before = a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        _widen_send_buffer(a)
        after = a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        assert after >= before
        if before < SEND_BUFFER and _wmem_max() >= SEND_BUFFER:
            assert after >= SEND_BUFFER
    _widen_send_buffer(a)      # closed: no error
    _widen_send_buffer(None)


@pytest.fixture
def form(tmp_path):
    """Answers what it parsed: form fields, files (name, bytes), query arguments, one header."""

    class Form(web.RequestHandler):
        def check_xsrf_cookie(self):
            return

        def _answer(self):
            self.finish({
                "args": {k: [v.decode() for v in vs] for k, vs in self.request.body_arguments.items()},
                "query": {k: [v.decode() for v in vs] for k, vs in self.request.query_arguments.items()},
                "files": [[f["filename"], f["body"].decode("utf-8", "replace"), f["content_type"]]
                          for fs in self.request.files.values() for f in fs],
                "fields": sorted(self.request.files) + sorted(self.request.body_arguments),
                "x": self.request.headers.get("X-Probe"), "method": self.request.method})

        post = get = delete = _answer

    sock = str(tmp_path / "form.sock")
    loop, t = _serve(web.Application([(r"/api/form", Form)]), sock)
    yield unix_url(sock)
    loop.call_soon_threadsafe(loop.stop)
    t.join(10)


# File names a researcher's outputs may carry, and names shaped to break out of the
# Content-Disposition quoting (a closing quote, line breaks, a second part's boundary).
NAMES = ["counts.csv", "表一 年齡分布.csv", "a b (1).xlsx", 'x"; name="manifest', "a\r\nX-Evil: 1.csv",
         "back\\slash.csv", "semi;colon.csv", "--boundary--.csv", "tab\there.csv", "é.csv"]


@pytest.mark.parametrize("name", NAMES)
def test_multipart_file_names_cannot_add_parts_or_headers(form, name):
    with Client(form, {"Authorization": "token t"}) as c:
        r = c.post("/api/form", data={"manifest": '{"files": []}'},
                   files=[("files", (name, b"age,n\n20-29,12\n", "text/csv"))])
    out = r.json()
    assert r.status_code == 200
    assert out["fields"] == ["files", "manifest"]               # no part was added
    assert out["args"] == {"manifest": ['{"files": []}']}       # the manifest is untouched
    [(got_name, body, ctype)] = out["files"]
    assert body == "age,n\n20-29,12\n" and ctype == "text/csv"
    assert "\r" not in got_name and "\n" not in got_name
    if not any(ch in name for ch in '"\\\r\n\t'):
        assert got_name == name                                   # ordinary names arrive as they are


def test_several_files_and_file_objects_arrive_whole(form, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 1024)                     # over one send buffer
    with Client(form) as c, big.open("rb") as fh:
        r = c.post("/api/form", data={"k": "v"},
                   files=[("files", ("big.bin", fh, "application/octet-stream")),
                          ("files", ("small.txt", "中文".encode(), "text/plain"))])
    names = [f[0] for f in r.json()["files"]]
    assert names == ["big.bin", "small.txt"]


def test_get_params_and_per_request_headers(form):
    with Client(form, {"Authorization": "token t"}) as c:
        r = c.get("/api/form", params={"state": "active", "q": "a b&c=d"}, headers={"X-Probe": "1"})
        assert r.json()["query"] == {"state": ["active"], "q": ["a b&c=d"]}
        assert r.json()["x"] == "1" and r.json()["method"] == "GET"
        assert c.request("DELETE", "/api/form").json()["method"] == "DELETE"
        for bad in ("1\r\nX-Evil: 2", "1\nX", "1\x00"):
            with pytest.raises(ValueError, match="line break or NUL"):
                c.get("/api/form", headers={"X-Probe": bad})
