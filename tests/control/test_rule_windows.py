"""Rules whose windows a shortened or hard-wired setting would silently break: the S3 no-show
window and the A6 six-monthly audit cadence are checked at both ends of their windows."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.audit.sampling import service as sampling
from enclave.bookings import calendar as cal
from enclave.bookings import service as bk
from enclave.core.errors import Refused
from enclave.db import session_scope
from tests.control.conftest import T0, load, mk_case

UTC = dt.timezone.utc


def _miss(db, policy, who, case, day: dt.date, booked_at: dt.datetime) -> None:
    """Book the morning of ``day`` and let it pass unattended (a no-show)."""
    bk.book(db, policy, who, case, day=day, slot="morning", now=booked_at)
    bk.close_slots(db, policy, now=dt.datetime.combine(day, dt.time(12), UTC) + dt.timedelta(days=1))


@pytest.mark.parametrize("spread_days,restricted", [(70, True), (95, False)])
def test_no_shows_count_over_the_whole_window(people, policy, spread_days, restricted):
    """S3: three no-shows spread over 70 days restrict booking (the window is 90 days); spread
    over 95 days they do not.  A window shortened to days, or lengthened past 95, fails here."""
    assert policy.sessions.no_show_window_days == 90 and policy.sessions.no_show_limit == 3
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        def open_day(day: dt.date, step: int) -> dt.date:
            while cal.closed_reason(day, policy):
                day += dt.timedelta(days=step)
            return day

        first = open_day(dt.date(2026, 11, 24), 1)
        third = open_day(first + dt.timedelta(days=spread_days), -1)
        second = open_day(first + (third - first) / 2, 1)
        for day in (first, second, third):
            _miss(db, policy, alice, c, day, dt.datetime.combine(day, dt.time(0), UTC) - dt.timedelta(days=3))
        after = dt.datetime.combine(third, dt.time(12), UTC) + dt.timedelta(days=1)
        until = bk.no_show_restriction(db, policy, alice, after)
        if restricted:
            assert until is not None
            with pytest.raises(Refused, match="restricted until") as e:
                nxt = open_day(third + dt.timedelta(days=7), 1)
                bk.book(db, policy, alice, c, day=nxt, slot="morning", now=after)
            assert e.value.rule == "S3"
        else:
            assert until is None


def test_an_audit_sample_is_due_every_six_months(people, policy):
    """A6: due when none was ever signed, not due right after a sign-off, due again six months
    later (and not a day before)."""
    months = policy.accounts.audit_sample_interval_months
    assert months == 6
    with session_scope(people) as db:
        admin, boss = load(db, "admin", "boss")
        assert sampling.sample_due(db, policy, T0) is True
        s = sampling.create_sample(db, policy, admin, now=T0, seed=1)
        sampling.sign_off(db, policy, boss, s, note="checked", now=T0)
        assert sampling.sample_due(db, policy, T0 + dt.timedelta(days=1)) is False
        assert sampling.sample_due(db, policy, T0 + dt.timedelta(days=179)) is False
        assert sampling.sample_due(db, policy, T0 + dt.timedelta(days=183)) is True
