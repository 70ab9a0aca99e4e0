"""The booking gate: may this account use the work area right now, and for which case?

One query answers login, spawn, token refresh and the warden's slot-end sweep alike, so a
session exists only while ``active_booking`` returns a row (S2, S3, S5, P3, P10).
"""
from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from enclave.accounts import accreditation
from enclave.accounts.models import Accreditation, User
from enclave.bookings.models import Booking
from enclave.cases.models import Case, CaseMember
from enclave.db.prepared import Prepared

# A case whose sessions may run (P3 period, P10 fees are checked separately).
OPEN_CASE_STATUSES = ("active", "approved")
# Booking states that still hold the seat.
LIVE_BOOKING_STATUSES = ("booked", "attended")


@dataclass(frozen=True)
class GateDecision:
    """Outcome of a gate check: the booking to use, or why there is none (shown to the user).

    ``booking`` is the ORM row, or None when the caller asked for the ids only
    (``check(..., load=False)``: the warden's per-query record needs no row object)."""

    booking: Booking | None
    reason: str
    booking_id: int | None = None
    case_code: str | None = None

    def __post_init__(self) -> None:
        if self.booking is not None and self.booking_id is None:
            object.__setattr__(self, "booking_id", self.booking.id)

    @property
    def allowed(self) -> bool:
        return self.booking_id is not None


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(dt.timezone.utc)


def case_refusal(case: Case, now: dt.datetime) -> str | None:
    """Why this case cannot be used at ``now`` (None: it can).  ``case``: a Case or any row
    with its code, status, paid_at, period_start and period_end."""
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


def _accredited(kind: str):
    """Whether the account holds a current, unwithdrawn record of ``kind`` at ``:now`` (P11)."""
    now = bindparam("now")
    return exists().where(Accreditation.user_id == User.id, Accreditation.kind == literal(kind),
                          Accreditation.withdrawn_at.is_(None),
                          Accreditation.completed_at <= now, Accreditation.expires_at > now)


def _facts_query(with_approvals: bool, kinds: tuple[str, ...] = ()):
    """Everything the decision needs in one SELECT (no ORM objects, no eager loads): the
    account and whether it holds each accreditation ``kinds`` names (P11), and each live booking it holds at ``:now`` with its case, whether the account is
    still a member, and whether the case has a query left undecided since before ``:cutoff``
    (A3: one index seek in the pending queries, not a read of the case's whole log; they are
    counted only when that refuses).  Built once per shape; the values are bound on each call,
    so every decision reads fresh rows."""
    from enclave.querylog.service import any_overdue

    now = bindparam("now")
    member = exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == User.id,
                            CaseMember.removed_at.is_(None))
    unapproved = (any_overdue(Case.code, bindparam("cutoff")).correlate(Case)
                  if with_approvals else literal(False))
    held = [_accredited(k).label(f"held_{k}") for k in kinds]
    return (select(User.id.label("user_id"), User.status.label("user_status"), *held,
                   Booking.id.label("booking_id"), Booking.kind, Booking.slot_name,
                   Booking.starts_at, Booking.created_at, Case.code, Case.status, Case.paid_at,
                   Case.period_start, Case.period_end, member.label("member"),
                   unapproved.label("unapproved"))
            .select_from(User)
            .outerjoin(Booking, and_(Booking.user_id == User.id,
                                     # one comparison per state: a fixed statement text
                                     or_(*(Booking.status == s for s in LIVE_BOOKING_STATUSES)),
                                     Booking.starts_at <= now, Booking.ends_at > now))
            .outerjoin(Case, Case.id == Booking.case_id)
            .where(User.username == bindparam("username"))
            .order_by(Booking.starts_at, Booking.id))


_FACTS: dict[tuple[bool, tuple[str, ...]], object] = {}
_PREPARED: dict[int, tuple[object, Prepared, type]] = {}


def _db(session: Session | Connection) -> Connection:
    return session if isinstance(session, Connection) else session.connection()


def _prepared(stmt) -> tuple[Prepared, type]:
    # keyed by the statement object, so a statement put in _FACTS (bench/gate_a3.py) is used
    got = _PREPARED.get(id(stmt))
    if got is None or got[0] is not stmt:
        p = Prepared(stmt)
        row = namedtuple("GateRow", [c.key for c in stmt.selected_columns])
        got = _PREPARED[id(stmt)] = (stmt, p, row)
    return got[1], got[2]


def _facts(session: Session | Connection, username: str, now: dt.datetime, approval_days: int,
           kinds: tuple[str, ...] = ()):
    shape = (bool(approval_days), kinds)
    if shape not in _FACTS:
        _FACTS[shape] = _facts_query(*shape)
    values = {"username": username, "now": now}
    if approval_days:
        values["cutoff"] = now - dt.timedelta(days=approval_days)
    # run on the DB-API cursor in the caller's transaction: the same SQL and conversions as a
    # Core execute, without its per-call machinery (the warden asks this before every query)
    stmt, row = _prepared(_FACTS[shape])
    return [row._make(r) for r in stmt.rows(_db(session), values)]


def _overdue(session: Session | Connection, code: str, now: dt.datetime, days: int) -> int:
    from enclave.querylog.service import overdue_count

    cutoff = now - dt.timedelta(days=days)
    return int(_db(session).execute(overdue_count(code, cutoff)).scalar_one())


def check(session: Session | Connection, username: str, now: dt.datetime, *,
          kind: str = "interactive", overnight_lead: dt.timedelta = dt.timedelta(0),
          load: bool = True) -> GateDecision:
    """Full gate decision with a reason the user can read.  ``load=False``: the decision
    carries the booking's id and case code but no ORM row (one query in all); then
    ``session`` may be a Core connection (the warden's record writer holds no ORM session)."""
    if load and isinstance(session, Connection):
        raise TypeError("gate.check(load=True) loads the booking row: pass an ORM session")
    from policies import current_policy

    now = _aware(now)
    policy = current_policy()
    days = policy.accounts.query_approval_days
    kinds = tuple(policy.accounts.accreditation_required)
    rows = _facts(session, username, now, days, kinds)
    if not rows:
        return GateDecision(None, f"no enclave account named {username!r}")
    if rows[0].user_status != "active":
        return GateDecision(None, f"account {username} is {rows[0].user_status}")
    lacking = unaccredited(policy, rows[0])
    if lacking:
        return GateDecision(None, accreditation.refusal(lacking))
    mine = [r for r in rows if r.booking_id is not None and r.kind == kind]
    if not mine:
        if kind == "interactive" and any(r.kind == "overnight" for r in rows):
            return GateDecision(None, "this slot is a registered overnight run: "
                                      "no interactive access (S5)")
        return GateDecision(None, "no booked slot for you at this time (S3): book a seat first")
    reasons = []
    for r in mine:
        refusal = case_refusal(r, now)
        if refusal is None and not r.member:
            refusal = f"you are not a member of case {r.code}"
        if refusal is None and r.unapproved:
            refusal = (f"case {r.code} has {_overdue(session, r.code, now, days)} logged queries "
                       f"awaiting a supervisor's approval for more than {days} days (A3)")
        if refusal is None and kind == "overnight":
            if r.created_at > r.starts_at - overnight_lead:
                refusal = (f"overnight run for case {r.code} was not registered "
                           f"{overnight_lead} in advance (S5)")
        if refusal is None:
            booking = session.get(Booking, r.booking_id) if load else None
            return GateDecision(booking, f"booked slot {r.slot_name} for case {r.code}",
                                r.booking_id, r.code)
        reasons.append(refusal)
    return GateDecision(None, "; ".join(reasons))


def unaccredited(policy, row) -> list[str]:
    """The accreditations the policy requires that the gate's row shows missing (P11)."""
    return accreditation.missing(policy, {k: bool(getattr(row, f"held_{k}"))
                                          for k in policy.accounts.accreditation_required})


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
