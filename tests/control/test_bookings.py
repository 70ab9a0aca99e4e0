"""Bookings: S2 opening days, S3 half/whole days and no-shows, S4 seats, S5 overnight, P6 priority."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.bookings import calendar as cal
from enclave.bookings import service as bk
from enclave.bookings.models import Booking, BookingHistory
from enclave.cases import service as cases
from enclave.cases.errors import Forbidden, Refused
from enclave.cases.models import Charge, Notification
from enclave.db import session_scope
from tests.control.conftest import T0, load, mk_case, mk_user

MON = dt.date(2026, 11, 23)
DAY = dt.timedelta(days=1)


def test_slots_are_half_days_in_taipei(policy):
    slots = cal.slots_on(MON, policy)
    assert [(s.name, s.starts_at.strftime("%H:%M"), s.ends_at.strftime("%H:%M")) for s in slots] == [
        ("morning", "00:30", "04:30"), ("afternoon", "05:30", "09:30")]  # 08:30-12:30, 13:30-17:30 +08
    assert cal.slot_at(T0, policy).name == "morning"
    assert cal.slot_at(T0 + dt.timedelta(hours=4), policy) is None  # lunch break 12:30-13:30


def test_booking_a_holiday_and_a_weekend_refused(people, policy):
    """S2: Saturday, Sunday, national holidays (incl. Labour Day) are closed."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        for day, why in ((dt.date(2026, 11, 28), "Saturday"), (dt.date(2026, 11, 29), "Sunday"),
                         (dt.date(2026, 12, 25), "Constitution Day"), (dt.date(2027, 4, 30), "Labor Day"),
                         (dt.date(2027, 2, 8), "Chinese New Year")):
            with pytest.raises(Refused, match=why) as e:
                bk.book(db, policy, alice, c, day=day, slot="morning", now=T0)
            assert e.value.rule == "S2"
        assert bk.book(db, policy, alice, c, day=dt.date(2026, 11, 24), slot="morning", now=T0)


def test_centre_closures_file(people, policy, enclave_home):
    """S2: extra closures from the calendar file; a bad line names file and line."""
    (enclave_home / "closures.txt").write_text("# centre closures\n2026-11-25 annual maintenance\n")
    p = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"closures_file": "closures.txt"})})
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, p, alice, admin=admin)
        with pytest.raises(Refused, match="annual maintenance"):
            bk.book(db, p, alice, c, day=dt.date(2026, 11, 25), slot="morning", now=T0)
    (enclave_home / "closures.txt").write_text("2026-11-25\n26/11/2026\n")
    with pytest.raises(cal.ClosuresFileError, match=r"closures.txt: line 2"):
        cal.closed_reason(dt.date(2026, 11, 26), p)


def test_second_seat_for_one_seat_case_refused(people, policy):
    """S4: one seat per case unless more were approved."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c = mk_case(db, policy, alice, admin=admin, members=[(bob, None)])
        bk.book(db, policy, alice, c, day=MON, slot="afternoon", now=T0)
        with pytest.raises(Refused, match="1 approved seat") as e:
            bk.book(db, policy, bob, c, day=MON, slot="afternoon", now=T0)
        assert e.value.rule == "S4"
        with pytest.raises(Refused, match="already has a seat"):
            bk.book(db, policy, alice, c, day=MON, slot="afternoon", now=T0)
        dave, erin = mk_user(db, "dave"), mk_user(db, "erin")
        two = mk_case(db, policy, dave, admin=admin, seats=2, members=[(bob, None), (erin, None)])
        bk.book(db, policy, dave, two, day=MON, slot="afternoon", now=T0)
        bk.book(db, policy, bob, two, day=MON, slot="afternoon", now=T0)  # the approved second seat
        with pytest.raises(Refused, match="2 approved seat"):
            bk.book(db, policy, erin, two, day=MON, slot="afternoon", now=T0)


def test_whole_day_and_cancel_frees_the_seat(people, policy):
    """S3: a whole day is both half-days, atomically; a cancelled booking frees its seat."""
    p = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": 1})})
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        ca = mk_case(db, p, alice, admin=admin)
        cb = mk_case(db, p, bob, admin=admin)
        tue = MON + DAY
        bk.book(db, p, bob, cb, day=tue, slot="afternoon", now=T0)
        with pytest.raises(Refused, match="full"):
            bk.book(db, p, alice, ca, day=tue, slot="day", now=T0)
        assert db.execute(select(Booking).where(Booking.user_id == alice.id)).first() is None  # nothing half-made
        b = db.execute(select(Booking).where(Booking.user_id == bob.id)).scalar_one()
        with pytest.raises(Forbidden):
            bk.cancel(db, p, alice, b, now=T0)
        bk.cancel(db, p, bob, b, now=T0)
        made = bk.book(db, p, alice, ca, day=tue, slot="day", now=T0)
        assert [x.slot_name for x in made] == ["morning", "afternoon"]
        hist = db.execute(select(BookingHistory)).scalar_one()
        assert hist.status == "cancelled" and hist.seat_no == 1
        started = bk.book(db, p, alice, ca, day=MON, slot="morning", now=T0)[0]
        with pytest.raises(Refused, match="no-show counts as used"):
            bk.cancel(db, p, alice, started, now=T0)


def test_repeated_no_shows_restrict_booking(people, policy):
    """S3: no-shows count as used; 3 within 90 days restrict booking for 30 days."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=10)
        days = [MON, MON + DAY, MON + 2 * DAY]
        for d in days:
            bk.book(db, policy, alice, c, day=d, slot="morning", now=T0)
        assert cases.half_days_used(db, c) == 3
        later = T0 + 3 * DAY
        assert bk.close_slots(db, policy, now=later) == {"attended": 0, "no_show": 3, "ended": 0}
        assert cases.half_days_used(db, c) == 3  # no-shows still count as used
        with pytest.raises(Refused, match="restricted until") as e:
            bk.book(db, policy, alice, c, day=MON + 7 * DAY, slot="morning", now=later)
        assert e.value.rule == "S3"
        free_again = T0 + 2 * DAY + 31 * DAY  # Saturday 26 Dec: the restriction has ended
        assert bk.no_show_restriction(db, policy, alice, free_again) is None
        bk.book(db, policy, alice, c, day=dt.date(2026, 12, 28), slot="morning", now=free_again)


def test_government_case_limited_to_approved_working_days(people, policy):
    """P4: a government case books no more half-days than approved (until it buys more)."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=1)
        bk.book(db, policy, alice, c, day=MON + DAY, slot="day", now=T0)
        with pytest.raises(Refused, match="used 2 of its 2") as e:
            bk.book(db, policy, alice, c, day=MON + 2 * DAY, slot="morning", now=T0)
        assert e.value.rule == "P4"
        cases.buy_working_days(db, policy, alice, c, days=1, now=T0)
        with pytest.raises(Refused, match="used 2 of its 2"):   # bought, not yet paid (P7/P10)
            bk.book(db, policy, alice, c, day=MON + 2 * DAY, slot="morning", now=T0)
        cases.record_payment(db, policy, admin, c, amount=policy.cases.fee_schedule["extra_working_day"], now=T0)
        bk.book(db, policy, alice, c, day=MON + 2 * DAY, slot="morning", now=T0)


def test_overnight_run_needs_registration_and_fee(people, policy, demo_policy):
    """S5: overnight only by registered request (from the day's last booked slot), with a fee."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        with pytest.raises(Refused, match="book the afternoon") as e:
            bk.book(db, policy, alice, c, day=MON, slot="overnight", kind="overnight", now=T0)
        assert e.value.rule == "S5"
        bk.book(db, policy, alice, c, day=MON, slot="afternoon", now=T0)
        fees = c.fees_due
        run = bk.book(db, policy, alice, c, day=MON, slot="overnight", kind="overnight", now=T0)[0]
        assert run.kind == "overnight"
        assert cal.local_date(run.ends_at, policy) == MON + DAY  # until Tuesday 08:30
        assert c.fees_due == fees + policy.cases.fee_schedule["overnight_run"]
        assert db.execute(select(Charge).where(Charge.item == "overnight_run")).scalar_one().amount > 0
        fri = dt.date(2026, 11, 27)
        bk.book(db, policy, alice, c, day=fri, slot="afternoon", now=T0)
        weekend = bk.book(db, policy, alice, c, day=fri, slot="overnight", kind="overnight", now=T0)[0]
        assert cal.local_date(weekend.ends_at, policy) == dt.date(2026, 11, 30)  # runs to Monday
        with pytest.raises(Refused, match="round the clock"):
            bk.book(db, demo_policy, alice, c, day=MON, slot="overnight", kind="overnight", now=T0)


def test_round_the_clock_demo_policy(people, demo_policy):
    """S2 (demo): every day, all day, in 4-hour slots."""
    sun = dt.date(2026, 11, 29)
    slots = cal.slots_on(sun, demo_policy)
    assert [s.name for s in slots] == ["h00", "h04", "h08", "h12", "h16", "h20"]
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, demo_policy, alice, admin=admin)
        midnight = dt.datetime(2026, 11, 28, 17, 30, tzinfo=dt.timezone.utc)  # Sun 01:30 Taipei
        cur = cal.slot_at(midnight, demo_policy)
        assert cur.name == "h00" and cur.date == sun
        b = bk.book(db, demo_policy, alice, c, day=sun, slot="h00", now=midnight)[0]
        assert bk.current_booking(db, alice, midnight).id == b.id


def test_priority_when_contested(people, policy):
    """P6: a full slot far enough ahead: an administrative case displaces the lowest-priority,
    latest booking; the displaced person is notified; inside the notice window nobody moves."""
    p = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": 2})})
    with session_scope(people) as db:
        admin, alice, bob, carol = load(db, "admin", "alice", "bob", "carol")
        ind_a = mk_case(db, p, alice, admin=admin, priority_class="independent")
        agency = mk_case(db, p, bob, admin=admin, priority_class="agency_commissioned")
        adm = mk_case(db, p, carol, admin=admin, case_type="government", working_days=10,
                      priority_class="administrative")
        thu = MON + 3 * DAY
        bk.book(db, p, alice, ind_a, day=thu, slot="morning", now=T0)
        bk.book(db, p, bob, agency, day=thu, slot="morning", now=T0)
        erin = mk_user(db, "erin")
        ind_e = mk_case(db, p, erin, admin=admin, priority_class="independent")
        with pytest.raises(Refused, match="lower scheduling priority") as e:
            bk.book(db, p, erin, ind_e, day=thu, slot="morning", now=T0)
        assert e.value.rule == "P6"
        got = bk.book(db, p, carol, adm, day=thu, slot="morning", now=T0)[0]
        holders = {b.user_id for b in db.execute(select(Booking).where(Booking.starts_at == got.starts_at)).scalars()}
        assert holders == {bob.id, carol.id}  # alice (independent) lost her seat
        note = db.execute(select(Notification).where(Notification.user_id == alice.id)).scalar_one()
        assert "higher-priority" in note.subject
        assert db.execute(select(BookingHistory.status)).scalars().all() == ["displaced"]
        # the next morning is inside the 48-hour notice: full means full
        tue = MON + DAY
        bk.book(db, p, alice, ind_a, day=tue, slot="morning", now=T0)
        bk.book(db, p, bob, agency, day=tue, slot="morning", now=T0)
        with pytest.raises(Refused, match="full"):
            bk.book(db, p, carol, adm, day=tue, slot="morning", now=T0)


def test_only_active_paid_in_period_cases_book(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        unpaid = mk_case(db, policy, alice, admin=admin, pay=False)
        with pytest.raises(Refused, match="approved"):
            bk.book(db, policy, alice, unpaid, day=MON, slot="afternoon", now=T0)
        c = mk_case(db, policy, bob, admin=admin)
        end_day = cal.local_date(c.period_end, policy) + 7 * DAY
        with pytest.raises(Refused, match="period ends"):
            bk.book(db, policy, bob, c, day=end_day, slot="morning", now=T0)
        with pytest.raises(Forbidden, match="not a member"):
            bk.book(db, policy, alice, c, day=MON, slot="afternoon", now=T0)
        c.status = "suspended"
        with pytest.raises(Refused, match="suspended"):
            bk.book(db, policy, bob, c, day=MON, slot="afternoon", now=T0)


def test_ics_export(people, policy):
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        made = bk.book(db, policy, alice, c, day=MON + DAY, slot="day", now=T0)
        body = bk.to_ics(made, {c.id: c}, now=T0)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20261124T003000Z" in body and "DTEND:20261124T093000Z" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_mark_login_starts_the_period(people, policy):
    """P3: the first log-in of a booked session is the case's first use."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        bk.book(db, policy, alice, c, day=MON, slot="morning", now=T0)
        assert bk.mark_login(db, policy, alice, T0 + dt.timedelta(minutes=5)) is not None
        assert c.first_use_at == T0 + dt.timedelta(minutes=5)
        assert c.period_end == cases.add_months(c.first_use_at, 12)
        assert bk.close_slots(db, policy, now=T0 + DAY) == {"attended": 0, "no_show": 0, "ended": 0}


def test_first_login_recorded_by_the_sessions_gate_starts_the_period(people, policy):
    """P3 with the hub's gate (enclave.bookings.gate.mark_attended): the case picks up the
    first log-in when it is next looked at, and the gate lets the fresh case in."""
    from enclave.bookings import gate

    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        b = bk.book(db, policy, alice, c, day=MON, slot="morning", now=T0)[0]
        decision = gate.check(db, "alice", T0 + dt.timedelta(minutes=1))
        assert decision.allowed, decision.reason
        gate.mark_attended(db, b, T0 + dt.timedelta(minutes=1))
        cases.refresh_case(db, policy, c, T0 + dt.timedelta(minutes=2))
        assert c.first_use_at == T0 + dt.timedelta(minutes=1)
        assert c.period_end == cases.add_months(T0 + dt.timedelta(minutes=1), 12)
        # a violation in the middle of the session takes the seat away: the gate refuses
        from enclave.violations.service import record_violation

        record_violation(db, policy, admin, alice, c, kind="asked_to_leave", reason="phone", now=T0 + dt.timedelta(minutes=3))
        assert not gate.check(db, "alice", T0 + dt.timedelta(minutes=4)).allowed
