"""A5/A6: the audit log is append-only and its hash chain pinpoints tampering."""
import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from enclave.audit import AuditEntry, append, verify_chain
from enclave.db import session_scope


def fill(url, n=6):
    with session_scope(url) as s:
        for i in range(n):
            append(s, AuditEntry("test", f"user{i % 2}", "query", case_code="C1",
                                 reason="purpose", detail={"sql": f"select {i}"}))


def tamper(url, sql):
    """Bypass the append-only triggers as a privileged attacker would."""
    with session_scope(url) as s:
        dialect = s.get_bind().dialect.name
        if dialect == "sqlite":
            s.execute(text("DROP TRIGGER IF EXISTS audit_records_no_update"))
            s.execute(text("DROP TRIGGER IF EXISTS audit_records_no_delete"))
        else:
            s.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        s.execute(text(sql))


def problems_after(url, *sqls) -> list:
    """Fill the chain, tamper with it statement by statement, return what verification finds."""
    fill(url)
    for sql in sqls:
        tamper(url, sql)
    with session_scope(url) as s:
        return verify_chain(s)


def test_intact_chain_verifies(db_url):
    fill(db_url)
    with session_scope(db_url) as s:
        assert verify_chain(s) == []


def test_update_and_delete_refused_by_database(db_url):
    fill(db_url, 2)
    for sql in ("UPDATE audit_records SET actor='x' WHERE seq=1", "DELETE FROM audit_records WHERE seq=1"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope(db_url) as s:
                s.execute(text(sql))


def test_edited_record_is_pinpointed(db_url):
    problems = problems_after(db_url, "UPDATE audit_records SET actor='mallory' WHERE seq=3")
    assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]


def test_deleted_record_is_pinpointed(db_url):
    problems = problems_after(db_url, "DELETE FROM audit_records WHERE seq=4")
    assert (4, "deleted") in [(p.seq, p.kind) for p in problems]


def test_truncated_tail_is_detected(db_url):
    problems = problems_after(db_url, "DELETE FROM audit_records WHERE seq=6")
    assert [(p.seq, p.kind) for p in problems] == [(6, "truncated")]


def test_reordered_records_are_pinpointed(db_url):
    """Swap the positions of records 2 and 3 (their whole content, hashes included)."""
    problems = problems_after(
        db_url, "UPDATE audit_records SET seq = -seq WHERE seq IN (2, 3)",
        "UPDATE audit_records SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0")
    kinds = {(p.seq, p.kind) for p in problems}
    assert problems and all(k in ("edited", "reordered") for _, k in kinds)
    assert {p.seq for p in problems} <= {2, 3, 4}


def test_concurrent_appends_keep_one_chain(db_url):
    import threading

    def worker(k):
        for i in range(10):
            with session_scope(db_url) as s:
                append(s, AuditEntry("test", f"t{k}", "ping", detail={"i": i}))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(db_url) as s:
        assert verify_chain(s) == []
        assert s.execute(text("SELECT count(*) FROM audit_records")).scalar() == 50
