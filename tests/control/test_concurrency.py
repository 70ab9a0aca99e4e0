"""S4: 50 concurrent requests for the last seat of a slot give exactly one booking, on SQLite
and on PostgreSQL (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

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


# ---------------------------------------------------------------- over real HTTP

@pytest.mark.parametrize("n", [50, 200])
def test_concurrent_booking_requests_over_http(enclave_home, db_url, n):
    """n researchers POST /api/bookings for the same slot at once, while n/2 more read, over
    real HTTP (uvicorn on a loopback port): no 5xx, exactly the free seats are taken, each
    seat once, and the audit chain holds (the issue's probe saw 26 of 50 answer 500)."""
    from enclave.web.app import create_app
    from tests.control import http_load_kit as K

    seats = 3
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    policy = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": seats})})
    tokens = K.seed_bookers(db_url, n)
    with K.serve(create_app(db_url, policy, clock=lambda: K.T0)) as base:
        result = K.burst(K.booking_burst(base, tokens))
    assert result.errors == [] and result.server_errors == 0, result.errors[:5]
    assert sum(result.statuses.values()) == n + n // 2
    assert result.statuses[201] == seats
    assert set(result.statuses) <= {200, 201, 409, 403, 422}, result.statuses
    with session_scope(db_url) as db:
        rows = db.execute(select(Booking.seat_no, func.count()).group_by(Booking.seat_no)).all()
        assert sorted(rows) == [(s, 1) for s in range(1, seats + 1)]
        assert verify_chain(db) == []


@pytest.mark.parametrize("n", [200])
def test_review_service_answers_concurrent_requests_over_http(enclave_home, db_url, n):
    """The egress-review service under n concurrent requests from n people (their request
    lists, who they are, a missing request, a withdrawal of it): no 5xx on either backend."""
    from egress_review.api import create_app
    from tests.control import http_load_kit as K

    tokens = K.seed_bookers(db_url, n)
    app = create_app(db_url, store_dir=enclave_home / "egress", release_dir=enclave_home / "release",
                     recover_on_start=False, mode="all")
    kinds = [("GET", "/api/requests"), ("GET", "/api/me"), ("GET", "/api/requests/999999"),
             ("POST", "/api/requests/999999/withdraw")]
    with K.serve(app) as base:
        result = K.burst([(m, base + path, t, None) for t, (m, path) in
                          zip(tokens, kinds * (n // len(kinds) + 1))])
    assert result.errors == [] and result.server_errors == 0, result.errors[:5]
    assert sum(result.statuses.values()) == n
    assert set(result.statuses) <= {200, 404, 422}, result.statuses
