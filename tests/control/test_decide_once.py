"""A8, A6: two people deciding the same thing at once decide it once - lifting a violation (two
admins) and signing off an audit sample (two supervisors).  Before, both read it undecided and
both wrote: two `violation.lifted` or two `audit_sample.signed` records, the last writer's name
kept.  Now each re-reads its row under a row lock (``enclave.cases.standing.lock_for_decision``)
and the second is refused.  SQLite and PostgreSQL; on PostgreSQL both have read the row before
either writes.
"""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.audit.sampling import service as sampling
from enclave.audit.sampling.models import AuditSample
from enclave.core.errors import Refused
from enclave.db import session_scope
from enclave.violations import service as vio
from enclave.violations.models import Violation
from tests.control.conftest import T0, mk_user


def _race(url, names, read, act):
    both_read = threading.Barrier(2, timeout=10) if url.startswith("postgresql") else None
    out: list[str] = []

    def one(name):
        try:
            with session_scope(url) as db:
                who = db.execute(select(User).where(User.username == name)).scalar_one()
                row = read(db)
                if both_read is not None:
                    both_read.wait()
                act(db, who, row)
            out.append("decided")
        except Refused as e:
            out.append(f"refused: {e}")

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(out)


def _records(url, action):
    with session_scope(url) as db:
        return db.execute(select(func.count()).select_from(AuditRecord)
                          .where(AuditRecord.action == action)).scalar_one()


def test_two_admins_lift_a_violation_once(url, policy):
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        mk_user(db, "admin2", "admin")
        alice = mk_user(db, "alice")
        vid = vio.record_violation(db, policy, admin, alice, None,
                                   kind="future_applications_refused", reason="x", now=T0).id
    out = _race(url, ("admin", "admin2"), lambda db: db.get(Violation, vid),
                lambda db, who, v: vio.lift_violation(db, who, v, now=T0))
    assert out[0] == "decided" and out[1].startswith("refused") and "already lifted" in out[1], out
    assert _records(url, "violation.lifted") == 1


def test_two_supervisors_sign_off_a_sample_once(url, policy):
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        for name in ("boss", "boss2", "alice", "bob"):
            mk_user(db, name, "committee" if name.startswith("boss") else "researcher")
        for name in ("alice", "bob"):
            for i in range(12):
                append(db, AuditEntry("session", name, "query", reason="r"),
                       now=T0 - dt.timedelta(days=60, hours=i))
        sid = sampling.create_sample(db, policy, admin, now=T0, seed=1).id
    out = _race(url, ("boss", "boss2"), lambda db: db.get(AuditSample, sid),
                lambda db, who, s: sampling.sign_off(db, policy, who, s, note="checked", now=T0))
    assert out[0] == "decided" and out[1].startswith("refused") and "already signed" in out[1], out
    assert _records(url, "audit_sample.signed") == 1
