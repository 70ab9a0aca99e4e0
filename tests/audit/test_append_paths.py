"""One append, two callers (issue 18): a record written by ``enclave.audit.append`` in an ORM
session and the same record written by the warden's group-commit writer are stored alike,
column by column, and as SQLAlchemy Core would store those values - on SQLite and PostgreSQL.

Both paths run the chain's statements on the DB-API cursor (``enclave.db.prepared``); these
tests hold them to what the Core statements wrote before."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import JSON, Text, cast, literal, select, text

from enclave.audit import append
from enclave.audit.log import seal, verify_chain
from enclave.audit.models import KEYED, AuditHead, AuditRecord
from enclave.bookings import gate
from enclave.db import engine_for, session_scope, utcnow
from enclave.querylog.models import QueryPending
from hub_config.warden_record import Recorder
from policies import load_policy
from tests.session.conftest import Rows

COLUMNS = ("component", "actor", "action", "case_code", "subject", "reason", "scheme")

# Bodies as brokers send them: quoting, newlines, CJK and emoji, nested and empty parameters.
BODIES = [
    {"event": "query", "purpose": "a purpose long enough", "sql": "select 1", "case": "C1"},
    {"event": "query", "purpose": "門診 quarterly counts\nline two", "case": "C1",
     "sql": "SELECT '它''s' AS \"q\", '😀' -- comment\nFROM claims WHERE x = $1",
     "params": [1, "二", None, 2.5, {"k": ["v", True]}], "client_ts": "2026-12-04T21:00:00+08:00"},
    {"event": "query", "purpose": "a purpose long enough", "sql": "select ?", "params": {},
     "client_ts": None},
    {"event": "purpose", "purpose": "今天的研究目的 (purpose) \\ backslash \"quoted\""},
    {"event": "query", "purpose": "a purpose long enough", "sql": "x" * 5000 + "表" * 3000},
]


def _stored(conn, seq: int) -> dict:
    """The record as the database holds it (detail as its stored JSON text)."""
    cols = ", ".join(COLUMNS)
    row = conn.exec_driver_sql(
        f"SELECT {cols}, CAST(detail AS TEXT) FROM audit_records WHERE seq = {int(seq)}").one()
    return dict(zip((*COLUMNS, "detail"), row))


def _as_core_stores(conn, detail: dict) -> str:
    """The JSON text SQLAlchemy Core's JSON type binds for ``detail`` on this dialect."""
    return conn.execute(select(cast(literal(detail, JSON), Text))).scalar_one()


@pytest.mark.parametrize("body", range(len(BODIES)))
def test_the_session_append_and_the_writer_store_the_same_record(db_url, body):
    body = BODIES[body]
    rows = Rows(db_url)
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", -5, 60)
    rec = Recorder(db_url, load_policy())

    # the ordinary path: the entry the writer would make, appended in an ORM session
    item = rec.prepare("ann", dict(body))
    with session_scope(db_url) as s:
        d = gate.check(s, "ann", utcnow(), load=False)
        entry = Recorder._entry(item, d)
        first = append(s, entry)
    # the writer's path: the same body, group-committed
    out = rec.record("ann", dict(body))
    assert out["seq"] == first.seq + 1

    with engine_for(db_url).connect() as conn:
        a, b = _stored(conn, first.seq), _stored(conn, out["seq"])
        assert a == b                                  # every column, as stored
        assert a["detail"] == _as_core_stores(conn, entry.detail)
        for k in COLUMNS[:-1]:
            assert a[k] == getattr(entry, k)
        assert a["scheme"] == KEYED
    with session_scope(db_url) as s:
        ra, rb = s.get(AuditRecord, first.seq), s.get(AuditRecord, out["seq"])
        for k in (*COLUMNS, "detail", "seq", "ts", "prev_hash", "hash"):   # what append returned
            assert getattr(first, k) == getattr(ra, k), k
        for k in (*COLUMNS, "detail"):
            assert getattr(ra, k) == getattr(rb, k), k
        assert ra.detail == entry.detail
        assert rb.prev_hash == ra.hash and ra.hash == seal(_keys(), ra)
        assert rb.hash == seal(_keys(), rb) and rb.ts == out["ts"]
        for r in (ra, rb):   # same timestamp form: ISO-8601 UTC with microseconds
            assert dt.datetime.fromisoformat(r.ts).utcoffset() == dt.timedelta(0)
            assert len(r.ts) == len("2026-12-04T13:00:00.000000+00:00")
        pending = s.execute(select(QueryPending.audit_seq, QueryPending.case_code,
                                   QueryPending.ts).order_by(QueryPending.audit_seq)).all()
        if body["event"] == "query":
            assert [tuple(p) for p in pending] == [(ra.seq, "C1", ra.ts), (rb.seq, "C1", rb.ts)]
        else:
            assert pending == []
        head = s.get(AuditHead, 1)
        assert (head.seq, head.hash) == (rb.seq, rb.hash)
        assert verify_chain(s) == []


def _keys():
    from enclave.audit.keys import audit_keys

    return audit_keys()


def test_a_record_rolled_back_with_its_transaction_leaves_nothing(db_url):
    """The DB-API statements run in the caller's transaction, not beside it."""
    from enclave.audit import AuditEntry

    with session_scope(db_url) as s:
        append(s, AuditEntry("test", "ann", "x.kept"))
    s = session_scope(db_url)
    with pytest.raises(RuntimeError):
        with s as db:
            append(db, AuditEntry("test", "ann", "session.query", case_code="C1", subject="q"))
            raise RuntimeError("the caller's change fails")
    with engine_for(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_records")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM query_pending")).scalar_one() == 0
        assert conn.execute(text("SELECT seq FROM audit_head")).scalar_one() == 1
    with session_scope(db_url) as s:
        assert verify_chain(s) == []


def test_a_connection_without_a_transaction_gets_one_and_its_rollback_undoes_the_append(db_url):
    """Core begins a transaction on a connection's first statement; the driver's cursor would
    not - the prepared statements begin it as Core does (SQLite: the write lock first)."""
    from enclave.audit import AuditEntry
    from enclave.audit.log import append_to, open_chain

    with engine_for(db_url).connect() as conn:
        assert not conn.in_transaction()
        chain = open_chain(conn)
        assert conn.in_transaction()
        append_to(chain, AuditEntry("test", "ann", "session.query", case_code="C1",
                                    subject="select 1"))
        conn.rollback()
    with engine_for(db_url).connect() as conn:
        for table in ("audit_records", "audit_head", "query_pending"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
