"""Officer handover (A7) and the officer role's end with the case."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case, CaseMember
from enclave.cases import standing
from enclave.cases.service import check_person
from enclave.core.audit import audit
from enclave.core.errors import Refused
from enclave.identity.permissions import case_people, is_decider, membership, not_self, require
from enclave.identity.roles import RUNNING, grant_case_officer, sync_case_officer
from enclave.identity.sessions import revoke_all_for_user


def handover_officer(db: Session, policy, actor: User, case: Case, new_officer: User | None, *,
                     now: dt.datetime) -> None:
    """A7: the new officer is created before the old is revoked; without a successor the old
    officer's password is expired at once (must change before next log-in)."""
    require(is_decider(actor), "hand over a case officer")
    not_self(actor, case_people(case) | ({new_officer.id} if new_officer else set()),
             f"decide who is the officer of {case.code}")
    standing.lock_for_decision(db, case)   # two handovers at once must not leave two officers
    old = next((m for m in case.members if m.removed_at is None and m.role in ("pi", "officer")), None)
    old_user = db.get(User, old.user_id) if old else None
    if new_officer is None:
        if old_user is None:
            raise Refused(f"{case.code} has no officer.")
        old_user.password_changed_at = None
        revoke_all_for_user(db, old_user.id)
        audit(db, actor.username, "officer.password_forced", case, subject=old_user.username,
              reason="officer leaving with no successor yet (A7)")
        return
    check_person(policy, new_officer, "being a case officer")
    if old_user is not None and old_user.id == new_officer.id:
        raise Refused(f"{new_officer.username} is already the officer of {case.code}.")
    m = membership(new_officer, case)
    if m is None:
        m = CaseMember(user_id=new_officer.id, role="pi", added_at=now)
        case.members.append(m)
    else:
        m.role = "pi"
    db.flush()
    if case.status in RUNNING:
        grant_case_officer(db, new_officer, case.code, actor.username, now)
    audit(db, actor.username, "officer.granted", case, subject=new_officer.username)
    if old is not None:
        old.removed_at = now
        from enclave.cases.changes import _drop_bookings

        _drop_bookings(db, actor, case, old_user, now)
        sync_case_officer(db, old_user, actor.username, f"handed {case.code} over to {new_officer.username}")
        audit(db, actor.username, "officer.revoked", case, subject=old_user.username,
              successor=new_officer.username)


def end_case_officers(db: Session, case: Case, actor: str, why: str) -> None:
    """The case no longer runs: its officers lose a case-granted officer role unless they lead
    another running case (A7)."""
    for m in case.members:
        if m.role in ("pi", "officer"):
            sync_case_officer(db, db.get(User, m.user_id), actor, why)
