"""Booking benchmark: uncontended bookings per second, and a burst of N threads racing for
the last seat of one slot (time until every request has its answer), on SQLite and, when the
server binaries are installed, on a throw-away PostgreSQL - same run, same machine.

    python bench/control_bookings.py [--cases 60] [--burst 50]

Prints figures; asserts only correctness (exactly one winner of the burst).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from enclave.accounts.models import User, UserRole  # noqa: E402
from enclave.bookings import calendar as cal  # noqa: E402
from enclave.bookings import service as bk  # noqa: E402
from enclave.bookings.models import Booking  # noqa: E402
from enclave.cases.errors import Refused  # noqa: E402
from enclave.cases.models import Case, CaseMember  # noqa: E402
from enclave.db import session_scope, upgrade  # noqa: E402
from policies import load_policy  # noqa: E402
from policies.loader import POLICY_ROOT  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


def seed(url: str, n: int) -> None:
    with session_scope(url) as db:
        for i in range(n):
            u = User(username=f"b{i:03d}", unit="U", password_hash="x", status="active", created_at=NOW)
            u.roles.append(UserRole(role="researcher"))
            db.add(u)
            db.flush()
            c = Case(code=f"B-{i:04d}", title="bench", case_type="government", status="active", applicant_id=u.id,
                     approved_at=NOW, paid_at=NOW, period_start=NOW, period_end=NOW + dt.timedelta(days=3650),
                     seats=1, extract_spec={"files": {}})
            c.members.append(CaseMember(user_id=u.id, role="pi", added_at=NOW))
            db.add(c)


def pairs(url: str, names: list[str]):
    with session_scope(url) as db:
        out = []
        for n in names:
            u = db.execute(select(User).where(User.username == n)).scalar_one()
            c = db.execute(select(Case).where(Case.applicant_id == u.id)).scalar_one()
            out.append((u.id, c.id))
        return out


def one(url, policy, uid, cid, day, slot):
    with session_scope(url) as db:
        bk.book(db, policy, db.get(User, uid), db.get(Case, cid), day=day, slot=slot, now=NOW)


def run(url: str, n_cases: int, burst: int) -> dict:
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    upgrade(url)
    seed(url, n_cases + burst)
    who = pairs(url, [f"b{i:03d}" for i in range(n_cases + burst)])
    days = []
    d = dt.date(2026, 11, 24)
    while len(days) < 5:
        if not cal.closed_reason(d, policy):
            days.append(d)
        d += dt.timedelta(days=1)
    t0 = time.perf_counter()
    for i, (uid, cid) in enumerate(who[:n_cases]):
        one(url, policy, uid, cid, days[i % 5], "morning")
    seq_rate = n_cases / (time.perf_counter() - t0)
    tight = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": 1})})
    barrier = threading.Barrier(burst)
    wins, errors = [], []

    def attempt(uid, cid):
        barrier.wait()
        try:
            one(url, tight, uid, cid, days[0], "afternoon")
            wins.append(uid)
        except Refused:
            pass
        except Exception as e:  # report, do not hide
            errors.append(repr(e))

    threads = [threading.Thread(target=attempt, args=p) for p in who[n_cases:]]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    burst_s = time.perf_counter() - t0
    with session_scope(url) as db:
        total = db.execute(select(func.count()).select_from(Booking)).scalar_one()
    assert len(wins) == 1 and not errors, (wins, errors)
    return {"bookings_per_s": seq_rate, "burst_s": burst_s, "rows": total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--burst", type=int, default=50)
    a = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as d:
        results["sqlite"] = run(f"sqlite:///{d}/state.db", a.cases, a.burst)
    try:
        from tests.services.postgres import PostgresServer, pg_bin

        if pg_bin():
            srv = PostgresServer().start()
            try:
                results["postgresql"] = run(srv.create_database(), a.cases, a.burst)
            finally:
                srv.stop()
    except Exception as e:  # PostgreSQL is optional here
        print(f"postgresql skipped: {e}")
    base = results["sqlite"]["bookings_per_s"]
    for name, r in results.items():
        print(f"{name:<11} {r['bookings_per_s']:7.1f} bookings/s (x{r['bookings_per_s'] / base:.2f} vs sqlite), "
              f"{a.burst}-way race for the last seat answered in {r['burst_s'] * 1000:.0f} ms, 1 winner")


if __name__ == "__main__":
    main()
