"""The booking gate's A3 check as a case's query log grows (issue 18).

Every log-in, spawn and per-query record asks the gate (``enclave.bookings.gate.check``), and
the gate asks whether the case has a query left undecided past
``accounts.query_approval_days``.  "before" is that question as it was asked until migration
0601: a count over the anti-join of the case's ``session.query`` audit records with the
decisions (``querylog.service.overdue_count_from_log``, still the definition the tests compare
with).  "after" is the shipped gate: EXISTS over ``query_pending`` by its (case_code, ts) index.
Both run the gate's whole SELECT in the same process on the same SQLite state database, which
holds 0, 10 000 and 100 000 query records of the case over the last 60 days: those older than
the window decided (a QueryReview row), the newer ones pending, so the gate lets the session
through, as it does for a case whose supervisor keeps up.

CPU is this process's (``time.process_time``); each pair times ``--reps`` checks of each
side, alternating which runs first; printed: median ms per check and the median of the pairs'
CPU ratios before / after.

    python bench/gate_a3.py [--pairs 8] [--reps 40] [--json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["ENCLAVE_HOME"] = tempfile.mkdtemp(prefix="gate-a3-bench-")
os.environ.pop("ENCLAVE_DB_URL", None)

SIZES = (0, 10_000, 100_000)


def _setup(url: str, policy, now: dt.datetime):
    from enclave.bookings.models import Booking
    from enclave.db import session_scope
    from tests.control.conftest import mk_case, mk_user

    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        pi, mia = mk_user(db, "pi"), mk_user(db, "mia")
        case = mk_case(db, policy, pi, admin=admin, now=now - dt.timedelta(days=61),
                       members=[(mia, None)])
        db.add(Booking(case_id=case.id, user_id=mia.id, slot_name="morning",
                       starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=3),
                       seat_no=1, kind="interactive", status="booked", created_at=now))
        return case.code


def _grow(url: str, code: str, now: dt.datetime, days: int, n: int) -> None:
    """Add query records of the case up to ``n`` in all, written straight into the tables (what
    is measured is reading them; the chain's triggers are dropped in this throwaway database)."""
    from sqlalchemy import func, insert, select

    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope
    from enclave.querylog.models import QueryPending, QueryReview

    from enclave.db.engine import engine_for

    with engine_for(url).begin() as c:   # this throwaway database only: rows off the chain
        for (name,) in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                         "AND tbl_name = 'audit_records'").all():
            c.exec_driver_sql(f'DROP TRIGGER "{name}"')
    with session_scope(url) as db:
        have = db.execute(select(func.count()).select_from(AuditRecord)
                          .where(AuditRecord.action == "session.query")).scalar_one()
        top = db.execute(select(func.max(AuditRecord.seq))).scalar_one() or 0
        recs, reviews, pending = [], [], []
        cutoff = now - dt.timedelta(days=days)
        for i in range(n - have):
            seq = top + 1 + i
            t = now - dt.timedelta(seconds=(i * 7919) % (60 * 86400))
            ts = t.isoformat(timespec="microseconds")
            recs.append(dict(seq=seq, ts=ts, component="session", actor="mia",
                             action="session.query", case_code=code, subject=f"SELECT {i}",
                             reason="bench", detail={}, prev_hash="0" * 64,
                             hash=f"{seq:064x}", scheme="hmac1"))
            if t < cutoff:
                reviews.append(dict(audit_seq=seq, case_code=code, querier="mia",
                                    decision="approved", decided_by="pi", decided_at=now))
            else:
                pending.append(dict(audit_seq=seq, case_code=code, ts=ts))
        for table, rows in ((AuditRecord, recs), (QueryReview, reviews), (QueryPending, pending)):
            if rows:
                db.execute(insert(table.__table__), rows)
    with engine_for(url).begin() as c:
        c.exec_driver_sql("ANALYZE")


def _before_query():
    """The gate's SELECT with A3 asked as before 0601 (the anti-join over the log)."""
    from enclave.bookings import gate
    from enclave.querylog import service

    shipped = service.any_overdue
    service.any_overdue = lambda code, cutoff: (
        service.overdue_count_from_log(code, cutoff).scalar_subquery())
    try:
        return gate._facts_query(True)
    finally:
        service.any_overdue = shipped


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import policies
    from enclave.bookings import gate
    from enclave.db import session_scope, upgrade
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    policy = load_policy(POLICY_ROOT / "nhi_centre")
    # the A3 part of the gate alone: the accreditation columns (P11) are the same in both shapes
    policy = policy.model_copy(update={"accounts": policy.accounts.model_copy(
        update={"accreditation_required": []})})
    policies.current_policy = lambda: policy
    days = policy.accounts.query_approval_days
    now = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.timezone.utc)   # a Thursday morning slot
    url = f"sqlite:///{os.environ['ENCLAVE_HOME']}/state.db"
    upgrade(url)
    code = _setup(url, policy, now)
    shapes = {"before": _before_query(), "after": gate._facts_query(True)}

    def run(shape: str) -> float:
        gate._FACTS[(True, ())] = shapes[shape]
        with session_scope(url) as db:
            t = time.process_time()
            for _ in range(args.reps):
                d = gate.check(db, "mia", now, load=False)
            spent = time.process_time() - t
        assert d.allowed, d.reason
        return spent / args.reps

    out = []
    for n in SIZES:
        _grow(url, code, now, days, n)
        run("before"), run("after")   # warm both
        per = {"before": [], "after": []}
        ratios = []
        for p in range(args.pairs):
            order = ("before", "after") if p % 2 == 0 else ("after", "before")
            got = {s: run(s) for s in order}
            for s in got:
                per[s].append(got[s])
            ratios.append(got["before"] / max(got["after"], 1e-9))
        out.append({"case_records": n,
                    "before_ms": round(statistics.median(per["before"]) * 1e3, 3),
                    "after_ms": round(statistics.median(per["after"]) * 1e3, 3),
                    "cpu_ratio_before_over_after": round(statistics.median(ratios), 2)})
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{'case records':>13} {'before ms':>10} {'after ms':>9} {'before/after CPU':>17}")
        for r in out:
            print(f"{r['case_records']:>13} {r['before_ms']:>10} {r['after_ms']:>9} "
                  f"{r['cpu_ratio_before_over_after']:>16}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
