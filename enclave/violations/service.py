"""Record violations (A8) and apply what each one blocks.

- asked_to_leave: the person's sessions end now (web/API tokens revoked, today's remaining
  bookings taken away); they may book again later.
- pi_notified: the case's officer(s) get a notification.
- data_use_stopped: the case is suspended: no bookings, no log-ins (the sessions gate checks
  ``case_usable``), future bookings removed.
- contract_ended: the person's account is revoked and the cases they applied for are suspended.
- future_applications_refused: the person cannot be the applicant of a new case.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.bookings.calendar import local_date, tz
from enclave.core.errors import BadInput, Forbidden, Refused
from enclave.cases.models import Case
from enclave.identity.permissions import is_admin, not_self
from enclave.cases.service import notify
from enclave.cases import standing
from enclave.core.audit import audit
from enclave.violations.models import KINDS, Violation


def record_violation(db: Session, policy, actor: User, user: User, case: Case | None, *, kind: str,
                     reason: str, now: dt.datetime) -> Violation:
    from enclave.bookings.service import remove_future
    from enclave.identity.sessions import revoke_all_for_user

    if not is_admin(actor):
        raise Forbidden("Only the centre admin records violations.", "A8")
    if kind not in KINDS:
        raise BadInput(f"kind must be one of {list(KINDS)}.", "A8")
    if not reason.strip():
        raise BadInput("A violation needs a reason.", "A8")
    if kind in ("pi_notified", "data_use_stopped") and case is None:
        raise BadInput(f"{kind} needs the case.", "A8")
    v = Violation(user_id=user.id, case_id=case.id if case else None, kind=kind, reason=reason.strip(),
                  recorded_by=actor.username, created_at=now)
    db.add(v)
    db.flush()
    effects: dict = {}
    if kind == "asked_to_leave":
        day_end = dt.datetime.combine(local_date(now, policy) + dt.timedelta(days=1), dt.time(0),
                                      tz(policy)).astimezone(dt.timezone.utc)
        effects["tokens"] = revoke_all_for_user(db, user.id)
        effects["bookings"] = remove_future(db, now=now, by=actor.username, reason="asked to leave (A8)",
                                            status="revoked", user_id=user.id, until=day_end)
    elif kind == "pi_notified":
        officers = [m.user_id for m in case.members if m.removed_at is None and m.role in ("pi", "officer")]
        for uid in officers:
            notify(db, uid, f"Violation by {user.username} in {case.code}", reason)
        effects["notified"] = len(officers)
    elif kind == "data_use_stopped":
        effects["suspended"] = [_suspend(db, case, actor, f"data use stopped: {reason} (A8)", now)]
    elif kind == "contract_ended":
        user.status = "revoked"
        effects["tokens"] = revoke_all_for_user(db, user.id)
        effects["bookings"] = remove_future(db, now=now, by=actor.username, reason="contract ended (A8)",
                                            status="revoked", user_id=user.id)
        own = db.execute(select(Case).where(Case.applicant_id == user.id,
                                            Case.status.in_(("draft", "approved", "active")))).scalars()
        effects["suspended"] = [_suspend(db, c, actor, f"contract ended: {reason} (A8)", now) for c in own]
    audit(db, actor.username, f"violation.{kind}", case, subject=user.username, reason=reason,
          violation_id=v.id, effects=effects)
    return v


def _suspend(db: Session, case: Case, actor: User, why: str, now: dt.datetime) -> str:
    from enclave.bookings.service import remove_future

    case.status, case.status_reason = "suspended", why
    remove_future(db, now=now, by=actor.username, reason=why, status="revoked", case_id=case.id)
    return case.code


def lift_violation(db: Session, actor: User, v: Violation, *, now: dt.datetime) -> Violation:
    """Lifting records the decision; a suspended case is resumed, a revoked account is not
    (it must be re-created through the officer, A1)."""
    if not is_admin(actor):
        raise Forbidden("Only the centre admin lifts violations.", "A8")
    not_self(actor, v.user_id, "lift a violation recorded against you", "A8")
    standing.lock_for_decision(db, v)   # two admins at once: the second finds it lifted
    if v.lifted_at is not None:
        raise Refused("This violation is already lifted.")
    v.lifted_at, v.lifted_by = now, actor.username
    case = db.get(Case, v.case_id) if v.case_id else None
    if v.kind == "data_use_stopped" and case is not None and case.status == "suspended":
        case.status, case.status_reason = "active", None
    audit(db, actor.username, f"violation.lifted", case, subject=str(v.user_id), kind=v.kind,
          violation_id=v.id)
    return v


def violations_of(db: Session, user_id: int | None = None) -> list[Violation]:
    q = select(Violation).order_by(Violation.id.desc())
    if user_id is not None:
        q = q.where(Violation.user_id == user_id)
    return list(db.execute(q).scalars())
