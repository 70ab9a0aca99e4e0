"""The booking gate (S2, S3, S5, P3, P10) on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from enclave.bookings import gate
from enclave.bookings.models import Booking
from enclave.db import session_scope


def _check(rows, name, minutes=0, **kw):
    with session_scope(rows.db_url) as s:
        return gate.check(s, name, rows.now + dt.timedelta(minutes=minutes), **kw)


def test_inside_booked_slot_of_active_case_is_allowed(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    bid = rows.booking("ann", "C1", -10, 230)
    d = _check(rows, "ann")
    assert d.allowed and d.booking.id == bid
    with session_scope(rows.db_url) as s:
        assert gate.active_booking(s, "ann", rows.now).id == bid


def test_before_and_after_the_slot_refused(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", 30, 270)
    for minutes in (0, 29, 270, 300):
        d = _check(rows, "ann", minutes)
        assert d.allowed == (30 <= minutes < 270)
    assert "no booked slot" in _check(rows, "ann").reason


def test_case_states_refused_with_reason(rows):
    for name, kw, expect in [
        ("s1", {"status": "suspended"}, "suspended"),
        ("s2", {"status": "void"}, "void"),
        ("s3", {"paid": False}, "fees are not paid"),
        ("s4", {"end_days": -1}, "period ended"),
        ("s5", {"start_days": 2}, "period starts"),
    ]:
        rows.user(name)
        rows.case(f"K-{name}", [name], **kw)
        rows.booking(name, f"K-{name}", -5, 60)
        d = _check(rows, name)
        assert not d.allowed and expect in d.reason, (name, d.reason)


def test_member_removed_or_not_member_or_account_suspended(rows):
    rows.user("ann")
    rows.user("bob")
    rows.user("cat", status="suspended")
    rows.case("C1", ["ann", "cat"], removed=("ann",))
    rows.booking("ann", "C1", -5, 60)
    rows.booking("bob", "C1", -5, 60)  # a booking row for someone who is not a member
    rows.booking("cat", "C1", -5, 60)
    assert "not a member" in _check(rows, "ann").reason
    assert "not a member" in _check(rows, "bob").reason
    assert "suspended" in _check(rows, "cat").reason
    assert "no enclave account" in _check(rows, "nobody").reason


def test_cancelled_or_ended_booking_does_not_open(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", -5, 60, status="cancelled")
    rows.booking("ann", "C1", -5, 60, status="ended")
    assert not _check(rows, "ann").allowed


def test_overnight_booking_gives_no_interactive_access(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", -5, 600, kind="overnight", created_hours_before=48)
    d = _check(rows, "ann")
    assert not d.allowed and "overnight" in d.reason and "S5" in d.reason
    with session_scope(rows.db_url) as s:
        assert gate.overnight_booking(s, "ann", rows.now, dt.timedelta(hours=24)) is not None
        # registered only 1 h ahead while the policy asks for 24 h: not a registered run
        assert gate.overnight_booking(s, "ann", rows.now, dt.timedelta(hours=49)) is None


def test_late_registered_overnight_refused(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", -5, 600, kind="overnight", created_hours_before=1)
    d = _check(rows, "ann", kind="overnight", overnight_lead=dt.timedelta(hours=24))
    assert not d.allowed and "not registered" in d.reason


def test_attended_no_show_and_ended_transitions(rows):
    rows.user("ann")
    rows.user("bob")
    rows.case("C1", ["ann", "bob"])
    b1 = rows.booking("ann", "C1", -120, -1)   # ended, never logged in
    b2 = rows.booking("bob", "C1", -120, 10)   # current
    with session_scope(rows.db_url) as s:
        b = s.get(Booking, b2)
        assert gate.mark_attended(s, b, rows.now) is True
        assert gate.mark_attended(s, b, rows.now + dt.timedelta(minutes=1)) is False
        assert b.status == "attended" and b.first_login_at == rows.now
    with session_scope(rows.db_url) as s:
        assert [b.id for b in gate.unattended_ended(s, rows.now)] == [b1]
        assert gate.ended_attended(s, rows.now, dt.timedelta(0)) == []
        later = rows.now + dt.timedelta(minutes=10)
        assert [b.id for b in gate.ended_attended(s, later, dt.timedelta(0))] == [b2]
        assert gate.ended_attended(s, later, dt.timedelta(seconds=30)) == []
