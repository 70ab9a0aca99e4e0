"""The warden's record endpoint as the hub runs it (hub_config.warden_http over
hub_config.warden_record, issue 18): requests it cannot frame or may not answer are refused
before anything is decided, and records written together (group commit) are each answered
only once they are durable; a batch that fails leaves none of its records and answers each
with a refusal.  On SQLite and PostgreSQL (the ``rows`` fixture)."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from sqlalchemy import func, select, text
from tornado import web

from enclave.audit import journal
from enclave.audit.log import _lock, verify_chain
from enclave.audit.models import AuditHead, AuditRecord
from enclave.db import session_scope
from tests.services.warden_thread import ann_and_bob_warden

PURPOSE = "a purpose long enough"


@pytest.fixture
def served(rows, tmp_path):
    """ann (booked, case C1) and bob (no booking); the warden's endpoint on a unix socket in
    a thread, job tokens ``job ann`` (ann's booking) and ``job bob`` (a booking of nobody's)."""
    with ann_and_bob_warden(rows, str(tmp_path / "warden.sock")) as (w, t):
        yield w, t.sock, rows.db_url


def _raw(sock: str, data: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    """Send bytes, read the answer; and whether the server then closed the connection."""
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(timeout)
    c.connect(sock)
    try:
        c.sendall(data)
    except BrokenPipeError:
        pass
    out = b""
    while b"\r\n\r\n" not in out:
        got = c.recv(65536)
        if not got:
            break
        out += got
    head, _, rest = out.partition(b"\r\n\r\n")
    n = int([ln.split(b":")[1] for ln in head.split(b"\r\n")
             if ln.lower().startswith(b"content-length")][0])
    while len(rest) < n:
        rest += c.recv(65536)
    c.settimeout(1.0)
    try:
        closed = c.recv(1) == b""
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    c.close()
    return head.split(b"\r\n")[0] + b" " + rest, closed


def _post(body: dict, auth: str = "job ann", path: str = "/api/session-log",
          method: str = "POST") -> bytes:
    data = json.dumps(body).encode()
    return (f"{method} {path} HTTP/1.1\r\nHost: w\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode() + data


def _queries(url: str) -> int:
    with session_scope(url) as s:
        return s.execute(select(func.count()).select_from(AuditRecord)
                         .where(AuditRecord.action == "session.query")).scalar_one()


QUERY = {"event": "query", "purpose": PURPOSE, "sql": "select 1", "case": "C1"}
BODY = json.dumps(QUERY).encode()
LEN = str(len(BODY)).encode()
# (request bytes, status, the connection closed after it): framing errors close it
MALFORMED = {
    "no length": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n\r\n" + BODY,
                  411, True),
    "chunked": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + hex(len(BODY))[2:].encode() + b"\r\n"
                + BODY + b"\r\n0\r\n\r\n", 501, True),
    "length and chunked": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                           b"Content-Length: " + LEN + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                           + BODY, 501, True),
    "two lengths": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                    b"Content-Length: " + LEN + b"\r\nContent-Length: 2\r\n\r\n" + BODY,
                    400, True),
    "two credentials": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                        b"Authorization: job bob\r\nContent-Length: " + LEN + b"\r\n\r\n" + BODY,
                        400, True),
    "negative length": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                        b"Content-Length: -5\r\n\r\n" + BODY, 400, True),
    "length over the cap": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nAuthorization: job ann\r\n"
                            b"Content-Length: 99999999\r\n\r\n", 413, True),
    "head over the cap": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nX-Pad: " + b"a" * 40_000
                          + b"\r\n\r\n", 431, True),
    "not HTTP/1.x": (b"POST /api/session-log HTTP/2.0\r\nHost: w\r\nContent-Length: 2\r\n\r\n{}", 400, True),
    "no version": (b"POST /api/session-log\r\nContent-Length: 2\r\n\r\n{}", 400, True),
    "space before colon": (b"POST /api/session-log HTTP/1.1\r\nHost: w\r\nContent-Length : " + LEN
                           + b"\r\nAuthorization: job ann\r\n\r\n" + BODY, 400, True),
    "no Host (HTTP/1.1)": (b"POST /api/session-log HTTP/1.1\r\nAuthorization: job ann\r\n"
                           b"Content-Length: " + LEN + b"\r\n\r\n" + BODY, 400, True),
    "head over the cap in one read": (_post(QUERY).replace(b"Host: w", b"Host: w\r\nX-Pad: "
                                                           + b"a" * 17_000), 431, True),
    "NUL in a header value": (_post(QUERY).replace(b"Host: w", b"Host: w\x00"), 400, True),
    "no space in the request line": (b"POST/api/session-log HTTP/1.1\r\nHost: w\r\n"
                                     b"Content-Length: 2\r\n\r\n{}", 400, True),
    "plus-signed length": (_post(QUERY).replace(b"Content-Length: " + LEN,
                                                b"Content-Length: +" + LEN), 400, True),
    # well framed but not a record: answered, the connection kept
    "other path": (_post(QUERY, path="/api/session-log/../admin"), 404, False),
    "GET": (_post(QUERY, method="GET"), 405, False),
    "no credential": (_post(QUERY, auth=""), 401, False),
    "bearer": (_post(QUERY, auth="Bearer ann"), 401, False),
    "unknown job token": (_post(QUERY, auth="job carol"), 403, False),
    "hub token, hub unreachable": (_post(QUERY, auth="token abc"), 503, False),
    "no booking (job of another)": (_post(QUERY, auth="job bob"), 403, False),
    "another case": (_post({**QUERY, "case": "C2"}), 403, False),
    "not JSON": (_post(QUERY)[:-len(BODY)] + b"x" * len(BODY), 400, False),
    "JSON list": (_post(QUERY).replace(b"Content-Length: " + LEN, b"Content-Length: 2")
                  [:-len(BODY)] + b"[]", 400, False),
    "empty sql": (_post({**QUERY, "sql": " "}), 400, False),
    "short purpose": (_post({**QUERY, "purpose": "x"}), 400, False),
    "another event": (_post({**QUERY, "event": "result"}), 400, False),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_requests_not_answered_with_a_record(served, case):
    _, sock, url = served
    data, status, closes = MALFORMED[case]
    before = _queries(url)
    answer, closed = _raw(sock, data)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer
    assert b'"error"' in answer and closed == closes
    assert _queries(url) == before   # nothing recorded


def test_a_kept_connection_carries_records_each_durable(served):
    w, sock, url = served
    c = socket.socket(socket.AF_UNIX)
    c.connect(sock)
    f = c.makefile("rb")
    seqs = []
    for i in range(5):
        c.sendall(_post({**QUERY, "sql": f"select {i}"}))
        status = f.readline()
        length = 0
        while (line := f.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length"):
                length = int(line.split(b":")[1])
        out = json.loads(f.read(length))
        assert status.startswith(b"HTTP/1.1 201"), (status, out)
        seqs.append(out["seq"])
        with session_scope(url) as s:   # committed before the answer: another connection sees it
            assert s.get(AuditRecord, out["seq"]).subject == f"select {i}"
    c.close()
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    with session_scope(url) as s:
        head = s.get(AuditHead, 1)
        assert verify_chain(s) == [] and head.seq == seqs[-1]
    cp = journal.tail(journal.journal_path(head.chain_id))
    assert cp.seq == seqs[-1]


def test_the_longest_sql_in_any_script_is_recorded(served):
    """100 000 characters (the SQL cap) of CJK or emoji, JSON-escaped by the broker's client to
    6-12 bytes each, still fit a record (the body cap is not the SQL cap)."""
    w, sock, url = served
    for ch in ("\u6aa2", "\U0001f9ea"):
        sql = "select '" + ch * (100_000 - 9) + "'"
        answer, closed = _raw(sock, _post({**QUERY, "sql": sql}), timeout=60)
        assert answer.startswith(b"HTTP/1.1 201 ") and not closed, answer[:200]
        with session_scope(url) as s:
            assert s.execute(select(func.count()).select_from(AuditRecord)
                             .where(AuditRecord.subject == sql)).scalar_one() == 1


def _hold_write_lock(url: str, held: threading.Event, release: threading.Event) -> None:
    """Another writer of the audit chain holding its lock (SQLite: the database's write lock;
    PostgreSQL: the appenders' advisory lock) until ``release``."""
    with session_scope(url) as s:
        s.execute(text("SELECT 1"))   # SQLite: BEGIN IMMEDIATE
        _lock(s)
        held.set()
        release.wait(30)


def test_group_commit_answers_each_record_only_once_durable(served):
    """Records queued while the chain is locked wait, unanswered, and are then written in
    shared commits; bob's record in the same batch is refused alone."""
    w, _, url = served
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(url, held, release))
    holder.start()
    assert held.wait(10)
    rec = w.recorder
    futs = [rec.submit(rec.prepare("ann", {**QUERY, "sql": f"select {i}"}, w.runner.tokens["ann"][1]))
            for i in range(12)]
    refused = rec.submit(rec.prepare("bob", dict(QUERY), w.runner.tokens["bob"][1]))
    time.sleep(1.0)
    assert not any(f.done() for f in futs + [refused])   # nothing answered while not durable
    commits = rec.commits
    release.set()
    holder.join(30)
    out = [f.result(30) for f in futs]
    with pytest.raises(web.HTTPError) as e:
        refused.result(30)
    assert e.value.status_code == 403 and "no booked slot" in e.value.log_message
    assert rec.commits - commits <= 2 < len(futs)   # shared: the first record's, then the rest
    with session_scope(url) as s:
        got = {r.seq: r.subject for r in s.execute(select(AuditRecord)
               .where(AuditRecord.action == "session.query")).scalars()}
        assert verify_chain(s) == []
    assert {o["seq"]: f"select {i}" for i, o in enumerate(out)} == got   # bob's is not there
    head_seq = max(got)
    with session_scope(url) as s:
        cp = journal.tail(journal.journal_path(s.get(AuditHead, 1).chain_id))
    assert cp.seq == head_seq   # the last checkpoint vouches for the whole batch


def test_a_batch_that_fails_answers_every_record_with_a_refusal(served, monkeypatch, tmp_path):
    """The chain is sealed under the enclave's master key; a warden started with another key
    cannot append (AuditKeyMismatch): every record of the batch gets 503 and none exists."""
    w, sock, url = served
    rec = w.recorder
    job = w.runner.tokens["ann"][1]
    assert rec.record("ann", dict(QUERY), job)["case"] == "C1"   # the chain exists, keyed
    before = _queries(url)
    monkeypatch.setenv("ENCLAVE_KEYS", str(tmp_path / "other-keys"))
    futs = [rec.submit(rec.prepare("ann", {**QUERY, "sql": f"select {i}"}, job))
            for i in range(6)]
    for f in futs:
        with pytest.raises(web.HTTPError) as e:
            f.result(30)
        assert e.value.status_code == 503
    answer, _ = _raw(sock, _post(QUERY))
    assert answer.startswith(b"HTTP/1.1 503 ") and b"could not be written" in answer
    assert _queries(url) == before
    monkeypatch.undo()
    assert rec.record("ann", dict(QUERY), job)["case"] == "C1"   # the writer carries on
    assert _queries(url) == before + 1


def test_a_checkpoint_that_fails_after_the_commit_still_answers(served, monkeypatch):
    """The records are committed before the checkpoint; a checkpoint that fails (not only
    with the journal's OSError, which it logs itself) must not leave brokers waiting."""
    from hub_config import warden_record

    w, sock, url = served
    job = w.runner.tokens["ann"][1]
    before = _queries(url)

    def broken(chain):
        raise RuntimeError("checkpoint failed")

    monkeypatch.setattr(warden_record, "checkpoint", broken)
    rec = w.recorder
    assert rec.submit(rec.prepare("ann", dict(QUERY), job)).result(30)["case"] == "C1"
    answer, _ = _raw(sock, _post(QUERY))
    assert answer.startswith(b"HTTP/1.1 201 ")
    assert _queries(url) == before + 2   # both records exist, both answered


POISON = "select 'refused at commit'"
# A record the database refuses only when its transaction commits (a deferred constraint):
# every record written before it in the same transaction is then rolled back with it.
FAIL_AT_COMMIT = {
    "sqlite": [
        "CREATE TABLE t_parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t_child (pid INTEGER REFERENCES t_parent (id) "
        "DEFERRABLE INITIALLY DEFERRED)",
        f"CREATE TRIGGER t_poison AFTER INSERT ON audit_records WHEN NEW.subject = "
        f"'{POISON.replace(chr(39), chr(39) * 2)}' BEGIN INSERT INTO t_child VALUES (42); END"],
    "postgresql": [
        f"CREATE FUNCTION t_poison() RETURNS trigger AS $$ BEGIN IF NEW.subject = "
        f"'{POISON.replace(chr(39), chr(39) * 2)}' THEN RAISE EXCEPTION 'refused at commit'; "
        f"END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE CONSTRAINT TRIGGER t_poison AFTER INSERT ON audit_records DEFERRABLE "
        "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION t_poison()"],
}


def test_no_record_is_answered_before_its_commit(served):
    """Records queued together share a transaction; the last one makes its COMMIT fail.  Each
    record that shares it was appended (and would be 'recorded' to a writer answering at
    append) but does not exist: every one is refused, and a 201 is given exactly for the
    records that exist."""
    w, _, url = served
    with session_scope(url) as s:
        for stmt in FAIL_AT_COMMIT[s.get_bind().dialect.name]:
            s.execute(text(stmt))
    rec, job = w.recorder, w.runner.tokens["ann"][1]
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(url, held, release))
    holder.start()
    assert held.wait(10)
    sqls = [f"select {i}" for i in range(8)] + [POISON]
    futs = [rec.submit(rec.prepare("ann", {**QUERY, "sql": q}, job)) for q in sqls]
    time.sleep(0.5)
    release.set()
    holder.join(30)
    answered = {}
    for q, f in zip(sqls, futs):
        try:
            answered[q] = f.result(30)["seq"]
        except web.HTTPError as e:
            assert e.status_code == 503
            answered[q] = None
    assert answered[POISON] is None
    refused = [q for q, seq in answered.items() if seq is None]
    assert len(refused) >= len(sqls) - 1   # at most the first had a batch of its own
    with session_scope(url) as s:
        got = {r.subject: r.seq for r in s.execute(select(AuditRecord)
               .where(AuditRecord.action == "session.query")).scalars()}
        assert verify_chain(s) == []
    assert got == {q: seq for q, seq in answered.items() if seq is not None}
    assert rec.record("ann", dict(QUERY), job)["case"] == "C1"   # the next batch goes through
