"""Accreditation (P11; SATRE 1.5.01, 1.6.04): the data-security training and the signed
confidentiality undertaking a person needs before the booking gate lets them reach a case's
data.  The centre admin, or the designated officer who manages the account, records each one
with the day it was completed; it counts for the policy's validity from that day.  Nobody
records their own.  A record is withdrawn, never deleted, so who was accredited when stays
answerable (A5).  The gate reads the rows itself (``enclave.bookings.gate``), in its one query.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import ACCREDITATION_KINDS, Accreditation, User
from enclave.core.audit import audit
from enclave.accounts.lifecycle import authorise
from enclave.core.errors import BadInput

NAMES = {"training": "data-security training 資料安全訓練",
         "undertaking": "signed confidentiality undertaking 保密切結書"}


TAIPEI = dt.timezone(dt.timedelta(hours=8))


def day_start(day: dt.date) -> dt.datetime:
    """A certificate's date is a Taipei calendar day: it counts from that day's start."""
    return dt.datetime.combine(day, dt.time(0, 0), TAIPEI).astimezone(dt.timezone.utc)


def valid_days(policy, kind: str) -> int:
    return {"training": policy.accounts.training_valid_days,
            "undertaking": policy.accounts.undertaking_valid_days}[kind]


def record(db: Session, policy, actor: User, user: User, *, kind: str, completed_at: dt.datetime,
           note: str = "", now: dt.datetime) -> Accreditation:
    """Record a completed training or a signed undertaking.  ``completed_at`` may not be in the
    future nor so old that it no longer counts (a record that grants nothing is a mistake)."""
    if kind not in ACCREDITATION_KINDS:
        raise BadInput(f"kind: one of {list(ACCREDITATION_KINDS)}, not {kind!r}.", "P11")
    if completed_at.tzinfo is None:
        raise BadInput("completed_at: a date with its time zone.", "P11")
    authorise(actor, user, f"record a {kind} for")
    if completed_at > now:
        raise BadInput(f"completed_at {completed_at:%Y-%m-%d} is in the future.", "P11")
    expires = completed_at + dt.timedelta(days=valid_days(policy, kind))
    if expires <= now:
        raise BadInput(f"a {kind} completed {completed_at:%Y-%m-%d} no longer counts: it lapsed "
                       f"{expires:%Y-%m-%d} ({valid_days(policy, kind)} days, P11).", "P11")
    row = Accreditation(user_id=user.id, kind=kind, completed_at=completed_at, expires_at=expires,
                        note=(note or "").strip()[:200], recorded_by=actor.username, recorded_at=now)
    db.add(row)
    db.flush()
    audit(db, actor.username, "account.accredited", subject=user.username, kind=kind,
          completed_at=completed_at.isoformat(), expires_at=expires.isoformat(), record=row.id)
    return row


def withdraw(db: Session, actor: User, user: User, *, kind: str, reason: str,
             now: dt.datetime) -> int:
    """Withdraw every current record of ``kind`` (found false, the undertaking breached): the
    gate refuses from the next check.  Returns how many were withdrawn."""
    if kind not in ACCREDITATION_KINDS:
        raise BadInput(f"kind: one of {list(ACCREDITATION_KINDS)}, not {kind!r}.", "P11")
    if not (reason or "").strip():
        raise BadInput("reason: say why it is withdrawn.", "P11")
    authorise(actor, user, f"withdraw a {kind} of")
    rows = db.scalars(select(Accreditation).where(
        Accreditation.user_id == user.id, Accreditation.kind == kind,
        Accreditation.withdrawn_at.is_(None))).all()
    for r in rows:
        r.withdrawn_by, r.withdrawn_at = actor.username, now
    db.flush()
    audit(db, actor.username, "account.accreditation_withdrawn", subject=user.username, kind=kind,
          reason=reason.strip()[:500], records=[r.id for r in rows])
    return len(rows)


def current_kinds(db: Session, user: User, now: dt.datetime) -> set[str]:
    """The kinds ``user`` holds a current, unwithdrawn record of at ``now``."""
    return set(db.scalars(select(Accreditation.kind).where(
        Accreditation.user_id == user.id, Accreditation.withdrawn_at.is_(None),
        Accreditation.completed_at <= now, Accreditation.expires_at > now)))


def history(db: Session, user: User) -> list[Accreditation]:
    return list(db.scalars(select(Accreditation).where(Accreditation.user_id == user.id)
                           .order_by(Accreditation.recorded_at, Accreditation.id)))


def missing(policy, held: dict[str, bool]) -> list[str]:
    """The required kinds ``held`` (kind -> has a current record) lacks, in the policy's order."""
    return [k for k in policy.accounts.accreditation_required if not held.get(k)]


def refusal(kinds: list[str]) -> str:
    """The gate's reason for the kinds a person lacks."""
    what = " and ".join(NAMES[k] for k in kinds)
    return (f"your {what} is not on record, has lapsed or was withdrawn (P11): ask your "
            f"organisation's officer or the centre to record it")
