"""A3: two supervisors deciding the same logged queries at once decide them once.

Before, both passed the "already decided" check and the second hit the unique index: a 500 on
PostgreSQL instead of a refusal.  Now the pending rows are locked first (the second waits, then
finds them decided) and the unique index is a backstop that also answers with a refusal.
SQLite and PostgreSQL; on PostgreSQL both deciders have read the queries before either writes.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.accounts.models import User
from enclave.core.errors import Refused
from enclave.db import session_scope
from enclave.querylog.models import QueryPending, QueryReview
from enclave.querylog.service import decide
from tests.control.conftest import T0, mk_case, mk_user


@pytest.fixture
def queries(url, policy):
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        mk_user(db, "boss2", "committee")
        pi, mia = mk_user(db, "pi"), mk_user(db, "mia")
        case = mk_case(db, policy, pi, admin=admin, members=[(mia, None)])
        seqs = [append(db, AuditEntry("session", "mia", "session.query", case_code=case.code,
                                      reason="counts by region", subject=f"SELECT {i}",
                                      detail={"booking": 1}), now=T0).seq for i in range(3)]
    return url, seqs


def _race(url, policy, seqs, decisions=("approved", "flagged")):
    both_read = threading.Barrier(2, timeout=10) if url.startswith("postgresql") else None
    out: list[str] = []

    def decider(name, decision):
        try:
            with session_scope(url) as db:
                who = db.execute(select(User).where(User.username == name)).scalar_one()
                db.execute(select(func.count()).select_from(QueryReview)).scalar_one()
                if both_read is not None:
                    both_read.wait()
                decide(db, policy, who, seqs, decision, note="looked at it", now=T0)
            out.append(f"{name} decided")
        except Refused as e:
            out.append(f"{name} refused: {e}")

    threads = [threading.Thread(target=decider, args=(n, d))
               for n, d in zip(("boss", "boss2"), decisions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


@pytest.mark.parametrize("pending", ["pending rows", "no pending rows"])
def test_two_supervisors_at_once_decide_once(queries, policy, pending):
    url, seqs = queries
    if pending == "no pending rows":   # queries logged before the pending index existed
        with session_scope(url) as db:
            db.execute(delete(QueryPending))
    out = _race(url, policy, seqs)
    assert sorted(o.split(" ", 1)[1].split(":")[0] for o in out) == ["decided", "refused"], out
    assert any("already decided" in o or "meanwhile" in o for o in out), out
    with session_scope(url) as db:
        reviews = db.execute(select(QueryReview)).scalars().all()
        assert sorted(r.audit_seq for r in reviews) == sorted(seqs)
        assert len({r.decided_by for r in reviews}) == 1          # one supervisor's decision, whole
        made = db.execute(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.action.in_(("query.approved", "query.flagged")))).scalar_one()
        assert made == len(seqs)
        assert db.execute(select(func.count()).select_from(QueryPending)).scalar_one() == 0
