"""Roles come only from a decision by someone entitled to grant them (A1, A7).

- the centre admin grants and revokes any role, never to or from themselves;
- a designated officer grants and revokes ``researcher`` on accounts it created;
- the ``officer`` role also follows the cases: granted to the applicant when the committee
  approves the case, removed when the person no longer leads a running case (case ended, voided,
  purged, or the officer handed over) unless an admin granted it outright.
Every change is audited.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import ROLES, User, UserRole
from enclave.core.audit import audit
from enclave.core.errors import BadInput, Forbidden, Refused
from enclave.identity.permissions import foreign_cases, is_admin, not_self

RUNNING = ("approved", "active", "suspended")  # cases whose officer keeps the role
CASE_GRANT = "case:"  # granted_by prefix of an officer role that follows a case


def may_change_roles(actor: User, user: User, role: str) -> bool:
    if is_admin(actor):
        return True
    return actor.has_role("officer") and role == "researcher" and user.created_by == actor.username \
        and not foreign_cases(actor, user)


def _check(actor: User, user: User, role: str, what: str) -> None:
    if role not in ROLES:
        raise BadInput(f"Unknown role {role!r}; roles are {list(ROLES)}.", "A1")
    not_self(actor, user.id, f"{what} your own roles")
    if not may_change_roles(actor, user, role):
        raise Forbidden(f"You may not {what} the {role} role of {user.username}: the centre admin "
                        f"grants roles; a designated officer only researcher, to accounts it created.", "A1")
    if user.status == "revoked":
        raise Refused(f"{user.username}'s account is revoked.", "A1")


def grant_role(db: Session, actor: User, user: User, role: str, *, now: dt.datetime) -> User:
    _check(actor, user, role, "grant")
    if user.has_role(role):
        raise Refused(f"{user.username} already has the {role} role.")
    user.roles.append(UserRole(role=role, granted_by=actor.username, granted_at=now))
    db.flush()
    audit(db, actor.username, "role.granted", subject=user.username, role=role)
    return user


def revoke_role(db: Session, actor: User, user: User, role: str, *, now: dt.datetime) -> User:
    _check(actor, user, role, "revoke")
    held = [r for r in user.roles if r.role == role]
    if not held:
        raise Refused(f"{user.username} does not have the {role} role.")
    if role == "officer" and led_cases(db, user):
        raise Refused(f"{user.username} is the officer of {', '.join(led_cases(db, user))}; hand the "
                      f"case(s) over first (A7).", "A7")
    for r in held:
        user.roles.remove(r)
    db.flush()
    audit(db, actor.username, "role.revoked", subject=user.username, role=role)
    return user


def led_cases(db: Session, user: User) -> list[str]:
    from enclave.cases.models import Case, CaseMember

    return list(db.execute(select(Case.code).join(CaseMember, CaseMember.case_id == Case.id).where(
        CaseMember.user_id == user.id, CaseMember.removed_at.is_(None),
        CaseMember.role.in_(("pi", "officer")), Case.status.in_(RUNNING))).scalars())


def grant_case_officer(db: Session, user: User, case_code: str, decided_by: str, now: dt.datetime) -> None:
    """A7/A1: the approval of a case makes its applicant a designated officer."""
    if not user.has_role("officer"):
        user.roles.append(UserRole(role="officer", granted_by=f"{CASE_GRANT}{case_code}:{decided_by}",
                                   granted_at=now))
        db.flush()
        audit(db, decided_by, "role.granted", subject=user.username, role="officer",
              reason=f"case {case_code} approved")


def sync_case_officer(db: Session, user: User, actor: str, why: str) -> bool:
    """Remove a case-granted officer role once the person leads no running case; True if removed."""
    db.flush()
    if led_cases(db, user):
        return False
    gone = [r for r in user.roles if r.role == "officer" and (r.granted_by or "").startswith(CASE_GRANT)]
    for r in gone:
        user.roles.remove(r)
    if gone:
        db.flush()
        audit(db, actor, "role.revoked", subject=user.username, role="officer", reason=why)
    return bool(gone)

