"""Booking seats by half or whole day (S2–S5, P6), safe under concurrent requests.

Concurrency: SQLite transactions begin IMMEDIATE (one writer at a time).  On PostgreSQL each
booking transaction takes a transaction-scoped advisory lock on its case and then on each slot
(in start order, so two requests never wait on each other in a cycle) before it counts free
seats; the UNIQUE(starts_at, seat_no) constraint is the last line of defence, caught in a
savepoint so a lost race is a clear refusal, never a double booking or a server error.

A cancelled (or displaced, revoked, purged) booking is moved to ``booking_history`` and deleted
from ``bookings``, so its seat is free again for the unique constraint.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.bookings import calendar as cal
from enclave.bookings.models import Booking, BookingHistory
from enclave.cases.errors import BadInput, Forbidden, Refused
from enclave.cases.models import Case, Charge
from enclave.cases.permissions import can_manage, is_admin, is_member
from enclave.cases.service import (audit, case_usable, check_person, half_days_used, notify,
                                   record_first_use, refresh_case)

HOLDING = ("booked", "attended", "no_show")


def _lock(db: Session, key1: int, key2: int) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": key1, "b": key2})


def _slot_key(starts_at: dt.datetime) -> int:
    return int(starts_at.timestamp() // 60) % (2 ** 31)


def no_show_restriction(db: Session, policy, user: User, now: dt.datetime) -> dt.datetime | None:
    """S3: with ``no_show_limit`` no-shows inside the window, booking is restricted until the
    last one plus ``no_show_restriction_days``.  Returns the end of the restriction or None."""
    sp = policy.sessions
    since = now - dt.timedelta(days=sp.no_show_window_days)
    shows = db.execute(select(Booking.starts_at).where(
        Booking.user_id == user.id, Booking.status == "no_show", Booking.starts_at >= since)
        .order_by(Booking.starts_at)).scalars().all()
    if len(shows) < sp.no_show_limit:
        return None
    until = shows[-1] + dt.timedelta(days=sp.no_show_restriction_days)
    return until if until > now else None


def _rank(policy, case: Case) -> int:
    order = policy.cases.priority_order
    return order.index(case.priority_class) if case.priority_class in order else len(order)


def _move_to_history(db: Session, b: Booking, status: str, by: str, reason: str | None,
                     now: dt.datetime) -> None:
    db.add(BookingHistory(booking_id=b.id, case_id=b.case_id, user_id=b.user_id, slot_name=b.slot_name,
                          starts_at=b.starts_at, ends_at=b.ends_at, seat_no=b.seat_no, kind=b.kind,
                          status=status, created_at=b.created_at, removed_at=now, removed_by=by,
                          reason=(reason or "")[:300]))
    db.delete(b)
    db.flush()


def book(db: Session, policy, actor: User, case: Case, *, day: dt.date, slot: str,
         user: User | None = None, kind: str = "interactive", now: dt.datetime) -> list[Booking]:
    """Book one seat for ``user`` (default: the actor) in the named slot, ``day`` for a whole
    day, or the overnight window (kind ``overnight``, S5).  Returns the new bookings."""
    user = user or actor
    if user.id != actor.id and not (is_admin(actor) or can_manage(actor, case)):
        raise Forbidden("Only the case officer or an admin may book for someone else.", "A1")
    if not is_member(user, case):
        raise Forbidden(f"{user.username} is not a member of {case.code}.", "A1")
    check_person(policy, user, "booking a seat")
    if kind not in ("interactive", "overnight"):
        raise BadInput("kind is 'interactive' or 'overnight'.")
    refresh_case(db, policy, case, now)
    _lock(db, 7346, case.id)
    if kind == "overnight":
        window = cal.overnight_window(day, policy)
        if window is None:
            raise Refused(f"There is no overnight window after {day.isoformat()} (closed day, or "
                          f"the work area is open round the clock).", "S5")
        slots = [cal.SlotTime("overnight", day, window[0], window[1])]
    else:
        slots = cal.resolve(day, slot, policy)
    for s in slots:
        if s.ends_at <= now:
            raise Refused(f"The slot {s.key} is over.", "S3")
        why = case_usable(case, now, at=s.starts_at)
        if why:
            raise Refused(f"Cannot book: {why}.", "P3")
    until = no_show_restriction(db, policy, user, now)
    if until is not None:
        raise Refused(f"{user.username} missed {policy.sessions.no_show_limit} booked sessions within "
                      f"{policy.sessions.no_show_window_days} days; booking is restricted until "
                      f"{until:%Y-%m-%d}.", "S3")
    if kind == "interactive" and case.half_days_approved is not None:
        used = half_days_used(db, case)
        if used + len(slots) > case.half_days_approved:
            raise Refused(f"{case.code} has used {used} of its {case.half_days_approved} approved "
                          f"half-days; buy extra working days or move unused ones (P7, P8).", "P4")
    if kind == "overnight":
        last_slot = cal.slots_on(day, policy)[-1]
        has_day = db.execute(select(func.count()).select_from(Booking).where(
            Booking.user_id == user.id, Booking.case_id == case.id, Booking.kind == "interactive",
            Booking.starts_at == last_slot.starts_at)).scalar_one()
        if policy.sessions.overnight_requires_registration and not has_day:
            raise Refused(f"An overnight run is registered from a booked session: book the "
                          f"{last_slot.name} slot of {day.isoformat()} first.", "S5")
    made = []
    with db.begin_nested():  # a whole day is booked entirely or not at all
        for s in sorted(slots, key=lambda x: x.starts_at):
            _lock(db, 7345, _slot_key(s.starts_at))
            made.append(_book_one(db, policy, actor, case, user, s, kind, now))
    if kind == "overnight":
        fee = policy.cases.fee_schedule.get("overnight_run", 0)
        db.add(Charge(case_id=case.id, item="overnight_run", quantity=1, unit_fee=fee, amount=fee,
                      note=f"overnight after {day.isoformat()}", created_at=now))
        case.fees_due += fee
    return made


def _book_one(db: Session, policy, actor: User, case: Case, user: User, s: cal.SlotTime, kind: str,
              now: dt.datetime) -> Booking:
    taken = db.execute(select(Booking).where(Booking.starts_at == s.starts_at)).scalars().all()
    if any(b.user_id == user.id for b in taken):
        raise Refused(f"{user.username} already has a seat in {s.key}.", "S4")
    mine = [b for b in taken if b.case_id == case.id]
    if len(mine) >= case.seats:
        raise Refused(f"{case.code} has {case.seats} approved seat(s) and already holds "
                      f"{len(mine)} in {s.key}; more seats must be approved and paid for.", "S4")
    used = {b.seat_no for b in taken}
    free = [n for n in range(1, policy.sessions.centre_seats + 1) if n not in used]
    seat = free[0] if free else None
    if seat is None:
        seat = _displace(db, policy, actor, case, s, taken, now)
    b = Booking(case_id=case.id, user_id=user.id, slot_name=s.name, starts_at=s.starts_at,
                ends_at=s.ends_at, seat_no=seat, kind=kind, status="booked", created_at=now)
    try:
        with db.begin_nested():
            db.add(b)
            db.flush()
    except IntegrityError:
        raise Refused(f"The last seat of {s.key} was just taken; choose another slot.", "S4") from None
    audit(db, actor.username, "booking.created", case, subject=user.username, slot=s.key,
          starts_at=s.starts_at.isoformat(), seat=seat, kind=kind)
    return b


def _displace(db: Session, policy, actor: User, case: Case, s: cal.SlotTime, taken: list[Booking],
              now: dt.datetime) -> int:
    """P6: when the slot is full, a higher-priority case takes the seat of the lowest-priority,
    most recent booking, if the slot is far enough ahead for that person to re-plan."""
    notice = dt.timedelta(hours=policy.cases.priority_bump_notice_hours)
    if s.starts_at - now < notice:
        raise Refused(f"{s.key} is full ({policy.sessions.centre_seats} seats).", "S4")
    mine = _rank(policy, case)
    cases = {c.id: c for c in db.execute(select(Case).where(
        Case.id.in_({b.case_id for b in taken}))).scalars()}
    worse = [b for b in taken if _rank(policy, cases[b.case_id]) > mine]
    if not worse:
        raise Refused(f"{s.key} is full ({policy.sessions.centre_seats} seats) and no booking in it "
                      f"has lower scheduling priority than {case.priority_class}.", "P6")
    victim = max(worse, key=lambda b: (_rank(policy, cases[b.case_id]), b.created_at, b.id))
    seat, vcase = victim.seat_no, cases[victim.case_id]
    notify(db, victim.user_id, f"Your booking {s.key} was given to a higher-priority case",
           f"Case {case.code} ({case.priority_class}) has scheduling priority over "
           f"{vcase.code} ({vcase.priority_class}) (P6). Please book another slot.")
    audit(db, actor.username, "booking.displaced", vcase, subject=str(victim.user_id), slot=s.key,
          by_case=case.code, reason="scheduling priority (P6)")
    _move_to_history(db, victim, "displaced", actor.username, f"priority of {case.code} (P6)", now)
    return seat


def cancel(db: Session, policy, actor: User, booking: Booking, *, now: dt.datetime,
           reason: str = "cancelled") -> None:
    case = db.get(Case, booking.case_id)
    if booking.user_id != actor.id and not (is_admin(actor) or can_manage(actor, case)):
        raise Forbidden("Only the booker, the case officer or an admin may cancel.", "A1")
    if booking.starts_at <= now:
        raise Refused("A session that has started cannot be cancelled; a no-show counts as used.", "S3")
    audit(db, actor.username, "booking.cancelled", case, subject=str(booking.user_id),
          slot=f"{booking.starts_at.isoformat()}", seat=booking.seat_no, reason=reason)
    _move_to_history(db, booking, "cancelled", actor.username, reason, now)


def remove_future(db: Session, *, now: dt.datetime, by: str, reason: str, status: str,
                  user_id: int | None = None, case_id: int | None = None,
                  until: dt.datetime | None = None) -> int:
    """Take away bookings that have not ended (violations, revocation, purge)."""
    # a session in progress ("attended") is taken away too: the gate then refuses it
    q = select(Booking).where(Booking.ends_at > now, Booking.status.in_(("booked", "attended")))
    if user_id is not None:
        q = q.where(Booking.user_id == user_id)
    if case_id is not None:
        q = q.where(Booking.case_id == case_id)
    if until is not None:
        q = q.where(Booking.starts_at < until)
    rows = db.execute(q).scalars().all()
    for b in rows:
        _move_to_history(db, b, status, by, reason, now)
    return len(rows)


def close_slots(db: Session, policy, *, now: dt.datetime, actor: str = "system") -> dict[str, int]:
    """S3: after a slot ends, a booking with no log-in is a no-show (it still counts as used)."""
    rows = db.execute(select(Booking).where(Booking.ends_at <= now, Booking.status == "booked")).scalars().all()
    counts = {"attended": 0, "no_show": 0, "ended": 0}
    for b in rows:
        # an overnight run has no log-in of its own: it simply ends (S5)
        b.status = "ended" if b.kind == "overnight" else ("attended" if b.first_login_at else "no_show")
        counts[b.status] += 1
        if b.status == "no_show":
            audit(db, actor, "booking.no_show", db.get(Case, b.case_id), subject=str(b.user_id),
                  starts_at=b.starts_at.isoformat())
    if rows:
        audit(db, actor, "booking.slots_closed", None, **counts)
    return counts


def current_booking(db: Session, user: User, now: dt.datetime) -> Booking | None:
    return db.execute(select(Booking).where(Booking.user_id == user.id, Booking.starts_at <= now,
                                            Booking.ends_at > now, Booking.status.in_(("booked", "attended")))
                      ).scalars().first()


def mark_login(db: Session, policy, user: User, now: dt.datetime) -> Booking | None:
    """Record the first log-in of the user's current booking (the sessions gate calls this);
    the case's first use starts its period (P3)."""
    b = current_booking(db, user, now)
    if b is None:
        return None
    if b.first_login_at is None:
        b.first_login_at, b.status = now, "attended"
        record_first_use(db, policy, db.get(Case, b.case_id), now, user.username)
        audit(db, user.username, "booking.login", db.get(Case, b.case_id), starts_at=b.starts_at.isoformat())
    return b


def slot_overview(db: Session, policy, start: dt.date, days: int, user: User | None = None) -> list[dict]:
    """Per day: closed reason, or each slot with free seats and the user's own booking."""
    end = start + dt.timedelta(days=days + 1)
    zone = cal.tz(policy)
    lo = dt.datetime.combine(start, dt.time(0), zone).astimezone(dt.timezone.utc)
    hi = dt.datetime.combine(end, dt.time(0), zone).astimezone(dt.timezone.utc)
    rows = db.execute(select(Booking).where(Booking.starts_at >= lo, Booking.starts_at < hi)).scalars().all()
    by_start: dict[dt.datetime, list[Booking]] = {}
    for b in rows:
        by_start.setdefault(b.starts_at, []).append(b)
    out = []
    for day in cal.week_days(start, days):
        why = cal.closed_reason(day, policy)
        slots = []
        for s in ([] if why else cal.slots_on(day, policy)):
            bs = by_start.get(s.starts_at, [])
            own = next((b for b in bs if user is not None and b.user_id == user.id), None)
            slots.append({"name": s.name, "key": s.key, "starts_at": s.starts_at, "ends_at": s.ends_at,
                          "free": policy.sessions.centre_seats - len(bs),
                          "seats": policy.sessions.centre_seats,
                          "mine": own.id if own else None})
        out.append({"date": day, "closed": why, "slots": slots})
    return out


# the calendar file is its own module (enclave.bookings.calendar_file); kept importable here
from enclave.bookings.calendar_file import to_ics  # noqa: E402,F401
