"""The booking gate: may this account use the work area right now, and for which case?

One query answers login, spawn, token refresh and the warden's slot-end sweep alike, so a
session exists only while ``active_booking`` returns a row (S2, S3, S5, P3, P10).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.bookings.models import Booking
from enclave.cases.models import Case, CaseMember

# A case whose sessions may run (P3 period, P10 fees are checked separately).
OPEN_CASE_STATUSES = ("active", "approved")
# Booking states that still hold the seat.
LIVE_BOOKING_STATUSES = ("booked", "attended")


@dataclass(frozen=True)
class GateDecision:
    """Outcome of a gate check: the booking to use, or why there is none (shown to the user)."""

    booking: Booking | None
    reason: str

    @property
    def allowed(self) -> bool:
        return self.booking is not None


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(dt.timezone.utc)


def case_refusal(case: Case, now: dt.datetime) -> str | None:
    """Why this case cannot be used at ``now`` (None: it can)."""
    now = _aware(now)
    if case.status == "suspended":
        return f"case {case.code} is suspended"
    if case.status not in OPEN_CASE_STATUSES:
        return f"case {case.code} is {case.status}, not active"
    if case.paid_at is None:
        return f"case {case.code}: fees are not paid (P10)"
    if case.period_start is None or case.period_end is None:
        return f"case {case.code} has no data-use period"
    if now < case.period_start:
        return f"case {case.code}: data-use period starts {case.period_start:%Y-%m-%d}"
    if now >= case.period_end:
        return f"case {case.code}: data-use period ended {case.period_end:%Y-%m-%d} (P3)"
    return None


def _candidates(session: Session, username: str, now: dt.datetime, kind: str):
    q = (select(Booking, Case, User)
         .join(Case, Case.id == Booking.case_id)
         .join(User, User.id == Booking.user_id)
         .where(User.username == username, Booking.kind == kind,
                Booking.status.in_(LIVE_BOOKING_STATUSES),
                Booking.starts_at <= now, Booking.ends_at > now)
         .order_by(Booking.starts_at))
    return session.execute(q).all()


def _is_member(session: Session, case_id: int, user_id: int) -> bool:
    return session.execute(
        select(CaseMember.id).where(CaseMember.case_id == case_id, CaseMember.user_id == user_id,
                                    CaseMember.removed_at.is_(None))).first() is not None


def _queries_unapproved(session: Session, case: Case, now: dt.datetime) -> str | None:
    """A3: queries left unapproved past the policy's window stop the case's sessions."""
    from enclave.querylog.service import overdue
    from policies import current_policy

    pol = current_policy()
    n = overdue(session, pol, case.code, now)
    if n:
        return (f"case {case.code} has {n} logged queries awaiting a supervisor's approval for "
                f"more than {pol.accounts.query_approval_days} days (A3)")
    return None


def check(session: Session, username: str, now: dt.datetime, *, kind: str = "interactive",
          overnight_lead: dt.timedelta = dt.timedelta(0)) -> GateDecision:
    """Full gate decision with a reason the user can read."""
    now = _aware(now)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        return GateDecision(None, f"no enclave account named {username!r}")
    if user.status != "active":
        return GateDecision(None, f"account {username} is {user.status}")
    rows = _candidates(session, username, now, kind)
    if not rows:
        if kind == "interactive" and _candidates(session, username, now, "overnight"):
            return GateDecision(None, "this slot is a registered overnight run: "
                                      "no interactive access (S5)")
        return GateDecision(None, "no booked slot for you at this time (S3): book a seat first")
    reasons = []
    for booking, case, _user in rows:
        refusal = case_refusal(case, now)
        if refusal is None and not _is_member(session, case.id, user.id):
            refusal = f"you are not a member of case {case.code}"
        if refusal is None:
            refusal = _queries_unapproved(session, case, now)
        if refusal is None and kind == "overnight":
            if booking.created_at > booking.starts_at - overnight_lead:
                refusal = (f"overnight run for case {case.code} was not registered "
                           f"{overnight_lead} in advance (S5)")
        if refusal is None:
            return GateDecision(booking, f"booked slot {booking.slot_name} for case {case.code}")
        reasons.append(refusal)
    return GateDecision(None, "; ".join(reasons))


def active_booking(session: Session, username: str, now: dt.datetime) -> Booking | None:
    """The interactive booking that lets ``username`` work now, or None."""
    return check(session, username, now).booking


def overnight_booking(session: Session, username: str, now: dt.datetime,
                      lead: dt.timedelta) -> Booking | None:
    """A registered overnight run in progress now (S5), or None. Never grants a login."""
    return check(session, username, now, kind="overnight", overnight_lead=lead).booking


def case_of(session: Session, booking: Booking) -> Case:
    return session.get(Case, booking.case_id)


def mark_attended(session: Session, booking: Booking, now: dt.datetime) -> bool:
    """Record the first login of the slot; True if this call was the first one."""
    if booking.first_login_at is not None:
        return False
    booking.first_login_at = _aware(now)
    booking.status = "attended"
    session.flush()
    return True


def ended_attended(session: Session, now: dt.datetime, grace: dt.timedelta) -> list[Booking]:
    """Attended bookings whose slot (plus grace) is over: their sessions must be cut off."""
    now = _aware(now)
    return list(session.execute(
        select(Booking).where(Booking.status == "attended", Booking.ends_at <= now - grace)
    ).scalars())


def unattended_ended(session: Session, now: dt.datetime) -> list[Booking]:
    """Booked slots that ended without a login: no-shows (S3)."""
    now = _aware(now)
    return list(session.execute(
        select(Booking).where(Booking.status == "booked", Booking.ends_at <= now)).scalars())
