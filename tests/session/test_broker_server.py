"""The broker's own HTTP/1.1 server (hub_config.broker_http: h11 framing, a thread per
connection; issue 18): the credential on every request, framing it cannot trust refused with
the connection closed, and nothing run or recorded for any refused request.  Raw bytes on the
unix socket, as a misbehaving kernel could send them; the ordinary session's requests (kept
connection, pipelined, large result) still answered."""
from __future__ import annotations

import json
import socket
import time

import pytest
from tornado import netutil

from hub_config import broker_http as BH
from hub_config.broker import CaseDatabase
from tests.services.broker import ListLog
from tests.session.test_query import AUTH, CASE_KEY, case_dirs  # noqa: F401  (fixture)

PURPOSE = "checking the broker's own server"
QUERY = json.dumps({"purpose": PURPOSE, "sql": "SELECT count(*) FROM patients"}).encode()


@pytest.fixture
def served(case_dirs, tmp_path):  # noqa: F811
    data, _, _ = case_dirs
    log = ListLog()
    db = CaseDatabase(data, log, max_rows=1000, max_bytes=1_000_000, purpose_min_length=10,
                      case_code="C1", data_key=CASE_KEY)
    sock = str(tmp_path / "b.sock")
    server = BH.serve(db, AUTH, [netutil.bind_unix_socket(sock, mode=0o600)])
    yield sock, log
    server.close()


def _request(path=b"/api/query", body=QUERY, auth=AUTH, method=b"POST", extra=b"") -> bytes:
    head = method + b" " + path + b" HTTP/1.1\r\nHost: broker\r\n"
    if auth is not None:
        head += b"Authorization: " + (auth.encode() if isinstance(auth, str) else auth) + b"\r\n"
    head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head + extra + b"\r\n" + body


def _exchange(sock_path: str, data: bytes, answers: int = 1) -> tuple[list[tuple[int, bytes]], bool]:
    """Send ``data``; read ``answers`` responses: ([(status, body)], connection closed after)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(sock_path)
    out: list = []
    with s:
        try:
            s.sendall(data)
            return _read(s, b"", out, answers)
        except (ConnectionResetError, BrokenPipeError):   # closed before it read it all
            return out, True


def _read(s, buf, out, answers):
    while len(out) < answers:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return out, True
            buf += chunk
        head, _, buf = buf.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int([ln.split(b":", 1)[1] for ln in head.split(b"\r\n")
                      if ln.lower().startswith(b"content-length:")][0])
        while len(buf) < length:
            chunk = s.recv(65536)
            if not chunk:
                return out, True
            buf += chunk
        out.append((status, buf[:length]))
        buf = buf[length:]
    s.settimeout(0.5)
    try:
        closed = s.recv(1) == b""
    except socket.timeout:
        closed = False
    return out, closed


ENDPOINTS = [b"/api/open", b"/api/query", b"/api/aggregate", b"/api/verify-seal",
             b"/api/dictionary"]
BAD_AUTH = [None, "", "token another-sessions-token", AUTH[:-1], AUTH + "x", AUTH.upper(),
            AUTH.replace("token ", "Bearer "), " " + AUTH + "  x", "token"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.decode())
@pytest.mark.parametrize("auth", BAD_AUTH, ids=[f"auth{i}" for i in range(len(BAD_AUTH))])
def test_another_credential_is_refused_and_nothing_runs(served, endpoint, auth):
    sock, log = served
    body = json.dumps({"purpose": PURPOSE, "sql": "SELECT count(*) FROM patients",
                       "spec": {}, "sidecar": {}}).encode()
    [(status, answer)], _ = _exchange(sock, _request(endpoint, body, auth))
    assert status == 403 and b"credential refused" in answer
    assert log.records == []


@pytest.mark.parametrize("order", ["good-first", "bad-first", "both-good"])
def test_a_repeated_credential_is_refused_and_the_connection_closed(served, order):
    sock, log = served
    first, second = {"good-first": (AUTH, "token x"), "bad-first": ("token x", AUTH),
                     "both-good": (AUTH, AUTH)}[order]
    data = _request(auth=first, extra=b"Authorization: " + second.encode() + b"\r\n")
    [(status, _)], closed = _exchange(sock, data)
    assert status == 400 and closed
    assert log.records == []


# request heads a broker's session never sends, which h11 or the server must refuse
MALFORMED = [
    b"POST /api/query HTTP/1.1\r\nAuthorization: " + AUTH.encode() + b"\r\nContent-Length: 5\r\n"
    b"Content-Length: 6\r\n\r\n{}{}{}",                                     # two lengths
    b"POST /api/query HTTP/1.1\r\nHost: b\r\nBad Header\r\n\r\n",          # no colon
    b"GARBAGE\r\n\r\n",                                                     # no request line
    b"POST /api/query HTTP/1.1\r\nHost: b\r\nContent-Length: -1\r\n\r\n",  # negative length
    b"POST /api/query HTTP/1.1\r\nHost: b\r\nContent-Length: 1x\r\n\r\n",  # not a number
    b"POST /api/query HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: gzip\r\n\r\n",  # unframeable
    b"POST /api/query HTTP/2.0\r\nHost: b\r\nContent-Length: 0\r\n\r\n",    # another version
    b"POST /api/query HTTP/1.1\r\nHost: b\r\nX: " + b"a" * (BH.MAX_HEAD + 10) + b"\r\n\r\n",
]


@pytest.mark.parametrize("data", MALFORMED, ids=[f"m{i}" for i in range(len(MALFORMED))])
def test_malformed_framing_is_refused_and_the_connection_closed(served, data):
    sock, log = served
    out, closed = _exchange(sock, data)
    assert closed
    assert all(status >= 400 for status, _ in out)
    assert log.records == []


def test_a_body_over_the_cap_is_refused_before_anything_runs(served):
    sock, log = served
    body = json.dumps({"purpose": PURPOSE, "sql": "SELECT 1 -- " + "x" * BH.MAX_BODY}).encode()
    out, closed = _exchange(sock, _request(body=body))
    assert closed and out and out[0][0] == 413
    assert log.records == []


@pytest.mark.parametrize("body,status", [(b"not json", 400), (b"[1, 2]", 400), (b'"x"', 400),
                                         (b"{", 400)], ids=["text", "array", "string", "cut"])
def test_a_body_that_is_not_a_json_object_is_refused(served, body, status):
    sock, log = served
    [(got, answer)], closed = _exchange(sock, _request(body=body))
    assert got == status and b"JSON" in answer and not closed   # the framing was sound: kept
    assert log.records == []


def test_other_paths_and_methods_are_refused(served):
    sock, log = served
    out, _ = _exchange(sock, _request(path=b"/api/nothing") + _request(method=b"PUT")
                       + _request(path=b"/api/query?x=1"), answers=3)
    assert [s for s, _ in out] == [404, 405, 200]
    assert len([r for r in log.records if r[0] == "query"]) == 1


def test_pipelined_requests_on_a_kept_connection_are_answered_in_order(served):
    sock, log = served
    opens = json.dumps({"purpose": PURPOSE}).encode()
    data = _request(b"/api/open", opens) + _request() + _request(b"/api/dictionary", b"{}") \
        + _request()
    out, closed = _exchange(sock, data, answers=4)
    assert [s for s, _ in out] == [200, 200, 200, 200] and not closed
    assert json.loads(out[0][1]) == {"tables": ["patients", "visits"]}
    assert "patients" in json.loads(out[2][1])["tables"]
    assert [r[0] for r in log.records] == ["purpose", "query", "query"]


def test_an_unexpected_failure_is_a_500_without_its_text(served, monkeypatch, caplog):
    sock, log = served

    value = "zz-" + "value-from-the-case"   # built, so no source line quotes it

    def boom(db, body):
        raise RuntimeError(value)

    monkeypatch.setitem(BH.ROUTES, b"/api/dictionary", boom)
    [(status, answer)], closed = _exchange(sock, _request(b"/api/dictionary", b"{}"))
    assert status == 500 and b"zz-value" not in answer and not closed
    assert "RuntimeError" in caplog.text and "zz-value" not in caplog.text


def test_connections_over_the_cap_are_closed_at_once(served, monkeypatch):
    sock, _ = served
    monkeypatch.setattr(BH, "MAX_CONNECTIONS", 3)
    held = []
    for _ in range(3):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        held.append(s)
    time.sleep(0.3)
    try:
        out, closed = _exchange(sock, _request())
        assert out == [] and closed
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    [(status, _)], _ = _exchange(sock, _request())   # room again once they have gone
    assert status == 200
