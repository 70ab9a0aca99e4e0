"""The booking gate's A3 check reads the pending-query index (query_pending), not the whole
query log: it must give exactly the answer the log itself gives (the anti-join of the case's
``session.query`` records with the decisions), stay in step with every record and decision,
and be rebuilt from the log by the migration that adds it."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from alembic import command
from sqlalchemy import func, select

from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.bookings import gate
from enclave.bookings.models import Booking
from enclave.db import session_scope, upgrade
from enclave.db.engine import alembic_config
from enclave.querylog.models import QueryPending, QueryReview
from enclave.querylog.service import decide, overdue_count, overdue_count_from_log
from tests.control.conftest import T0, mk_case, mk_user


def _q(db, who, case, when):
    return append(db, AuditEntry("session", who, "session.query", case_code=case, reason="a purpose",
                                 subject="SELECT 1", detail={"booking": 1}), now=when).seq


def _user(db, name):
    return db.execute(select(gate.User).where(gate.User.username == name)).scalar_one()


@pytest.fixture
def cases(url, policy, monkeypatch):
    """Case A (PI 'pi', members 'mia', 'max'; 'mia' holds a seat for 30 days), case B ('otto')."""
    import policies

    monkeypatch.setattr(policies, "current_policy", lambda: policy)
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        pi, mia, mx, otto = (mk_user(db, n) for n in ("pi", "mia", "max", "otto"))
        a = mk_case(db, policy, pi, admin=admin, members=[(mia, None), (mx, None)])
        b = mk_case(db, policy, otto, admin=admin)
        db.add(Booking(case_id=a.id, user_id=mia.id, slot_name="morning", starts_at=T0,
                       ends_at=T0 + dt.timedelta(days=30), seat_no=1, kind="interactive",
                       status="booked", created_at=T0))
        return a.code, b.code


def _pending(db):
    return set(db.execute(select(QueryPending.audit_seq)).scalars())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gate_agrees_with_the_log_on_random_logs(url, policy, cases, seed):
    """Random logs of two cases (and records without a case): queries at random times, some at
    exactly the cutoff, some decided.  At many moments the gate's verdict and the count it
    words are those of the anti-join over the log."""
    a, b = cases
    rng = random.Random(seed)
    days = policy.accounts.query_approval_days
    assert days > 0
    nows = sorted(T0 + dt.timedelta(hours=rng.randrange(0, 24 * 29)) for _ in range(6))
    with session_scope(url) as db:
        seqs = []
        for _ in range(40):
            when = T0 + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
            if rng.random() < 0.15:   # on the boundary: logged exactly at a check's cutoff
                when = max(T0, rng.choice(nows) - dt.timedelta(days=days))
            case = rng.choice([a, a, a, b, None])
            seqs.append((_q(db, rng.choice(["mia", "max"]) if case != b else "otto", case, when), case))
        # other records of the same case are not queries
        append(db, AuditEntry("session", "mia", "session.purpose", case_code=a, reason="p"), now=T0)
        for s, case in seqs:
            if case == a and rng.random() < 0.4:
                decide(db, policy, _user(db, "pi"), [s], rng.choice(["approved", "flagged"]),
                       note="wrong table", now=T0 + dt.timedelta(days=rng.randrange(0, 25)))
    with session_scope(url) as db:
        undecided = {s for s, _ in seqs} - set(db.execute(select(QueryReview.audit_seq)).scalars())
        assert _pending(db) == undecided
        verdicts = set()
        for now in nows:
            cutoff = now - dt.timedelta(days=days)
            for code in (a, b):
                ref = db.execute(overdue_count_from_log(code, cutoff)).scalar_one()
                assert db.execute(overdue_count(code, cutoff)).scalar_one() == ref
            ref = db.execute(overdue_count_from_log(a, cutoff)).scalar_one()
            d = gate.check(db, "mia", now)
            if ref:
                assert not d.allowed
                assert d.reason == (f"case {a} has {ref} logged queries awaiting a supervisor's "
                                    f"approval for more than {days} days (A3)")
            else:
                assert d.allowed, d.reason
            verdicts.add(bool(ref))
    assert verdicts == {True, False}   # each seed reaches both verdicts


def test_a_decision_removes_only_its_pending_query(url, policy, cases):
    a, _ = cases
    with session_scope(url) as db:
        s1, s2, s3 = (_q(db, "mia", a, T0) for _ in range(3))
        assert _pending(db) == {s1, s2, s3}
        decide(db, policy, _user(db, "pi"), [s1, s3], "approved", now=T0)
        assert _pending(db) == {s2}
        decide(db, policy, _user(db, "pi"), [s2], "flagged", note="joins a forbidden file", now=T0)
        assert _pending(db) == set()


def test_a_rolled_back_transaction_leaves_both_or_neither(url, policy, cases):
    """A crash after the record (or the decision) but before the commit: the rollback takes the
    pending row with it, and a rolled-back decision leaves the query pending."""
    a, _ = cases

    class Crash(Exception):
        pass

    with pytest.raises(Crash), session_scope(url) as db:
        _q(db, "mia", a, T0)
        assert len(_pending(db)) == 1
        raise Crash
    with session_scope(url) as db:
        assert db.execute(select(func.count()).select_from(AuditRecord)
                          .where(AuditRecord.action == "session.query")).scalar_one() == 0
        assert _pending(db) == set()
        s = _q(db, "mia", a, T0)
    with pytest.raises(Crash), session_scope(url) as db:
        decide(db, policy, _user(db, "pi"), [s], "approved", now=T0)
        assert _pending(db) == set()
        raise Crash
    with session_scope(url) as db:
        assert db.execute(select(func.count()).select_from(QueryReview)).scalar_one() == 0
        assert _pending(db) == {s}
        d = gate.check(db, "mia", T0 + dt.timedelta(days=policy.accounts.query_approval_days, hours=1))
        assert not d.allowed and "1 logged queries awaiting" in d.reason


def test_the_migration_backfills_undecided_queries(url, policy, cases, monkeypatch):
    """Queries logged before the table existed: the migration marks exactly the undecided ones."""
    import enclave.audit.log as audit_log

    a, b = cases
    command.downgrade(alembic_config(url), "0600_querylog")
    with monkeypatch.context() as m, session_scope(url) as db:
        m.setattr(audit_log, "_mark_pending", lambda session, rec: None)   # as before 0601
        seqs = [_q(db, "mia", a, T0), _q(db, "max", a, T0), _q(db, "otto", b, T0),
                _q(db, "mia", None, T0)]
        db.add(QueryReview(audit_seq=seqs[1], case_code=a, querier="max", decision="approved",
                           decided_by="pi", decided_at=T0))
    upgrade(url)
    with session_scope(url) as db:
        assert _pending(db) == {seqs[0], seqs[2], seqs[3]}
        row = db.execute(select(QueryPending).where(QueryPending.audit_seq == seqs[0])).scalar_one()
        rec = db.get(AuditRecord, seqs[0])
        assert (row.case_code, row.ts) == (rec.case_code, rec.ts)
