"""S4: 50 concurrent requests for the last seat of a slot give exactly one booking, on SQLite
and on PostgreSQL (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from enclave.accounts.models import User
from enclave.audit import verify_chain
from enclave.bookings import service as bk
from enclave.bookings.models import Booking
from enclave.cases.errors import Refused
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.control.conftest import T0, mk_user

N = 50
SEATS = 3
TUE = dt.date(2026, 11, 24)


def _setup(url):
    """N+SEATS-1 active one-seat cases, one member each (made directly: the case rules are
    tested elsewhere; here only the race matters)."""
    with session_scope(url) as db:
        for i in range(N + SEATS - 1):
            u = mk_user(db, f"r{i:02d}")
            c = Case(code=f"C2026-{i + 1:04d}", title="race", case_type="government", status="active",
                     applicant_id=u.id, approved_at=T0, paid_at=T0, period_start=T0,
                     period_end=T0 + dt.timedelta(days=365), seats=1, extract_spec={"files": {}})
            c.members.append(CaseMember(user_id=u.id, role="pi", added_at=T0))
            db.add(c)


def test_fifty_concurrent_requests_for_the_last_seat(db_url):
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    policy = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": SEATS})})
    _setup(db_url)
    # fill all seats but one
    for i in range(SEATS - 1):
        with session_scope(db_url) as db:
            u = db.execute(select(User).where(User.username == f"r{i:02d}")).scalar_one()
            c = db.execute(select(Case).where(Case.applicant_id == u.id)).scalar_one()
            bk.book(db, policy, u, c, day=TUE, slot="morning", now=T0)
    barrier = threading.Barrier(N)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        name = f"r{SEATS - 1 + i:02d}"
        barrier.wait()
        try:
            with session_scope(db_url) as db:
                u = db.execute(select(User).where(User.username == name)).scalar_one()
                c = db.execute(select(Case).where(Case.applicant_id == u.id)).scalar_one()
                bk.book(db, policy, u, c, day=TUE, slot="morning", now=T0)
            out = "booked"
        except Refused as e:
            out = f"refused: {e.message}"
        except Exception as e:  # anything else is a failure of the test
            out = f"error: {type(e).__name__}: {e}"
        with lock:
            results.append(out)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == N
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("booked") == 1
    assert all("full" in r or "just taken" in r for r in results if r != "booked")
    with session_scope(db_url) as db:
        rows = db.execute(select(Booking.seat_no, func.count()).group_by(Booking.seat_no)).all()
        assert sorted(rows) == [(n, 1) for n in range(1, SEATS + 1)]
        assert verify_chain(db) == []
