"""Who may do what (A1 delegated administration): centre admin → case officer (PI) → members.

Pages use these to hide or grey out what a user cannot do; services call them again and raise
:class:`Forbidden`, so the API refuses the same things (403).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from enclave.accounts.models import User
from enclave.core.errors import Forbidden
from enclave.cases.models import Case, CaseMember
from enclave.identity.names import skeleton

OFFICER_ROLES = ("pi", "officer")
DECIDERS = ("admin", "committee")


def is_admin(user: User) -> bool:
    return user.has_role("admin")


def is_decider(user: User) -> bool:
    """Centre admin or committee: approves cases, changes, extensions, software."""
    return any(user.has_role(r) for r in DECIDERS)


def membership(user: User, case: Case):
    for m in case.members:
        if m.user_id == user.id and m.removed_at is None:
            return m
    return None


def is_officer(user: User, case: Case) -> bool:
    m = membership(user, case)
    return m is not None and m.role in OFFICER_ROLES


def is_member(user: User, case: Case) -> bool:
    return membership(user, case) is not None


def can_view(user: User, case: Case) -> bool:
    return is_decider(user) or user.has_role("steward") or is_member(user, case)


def can_manage(user: User, case: Case) -> bool:
    return is_admin(user) or is_officer(user, case)


OFFICER_GRANTABLE = ("researcher",)


def may_manage_account(actor: User, user: User) -> bool:
    """The centre admin manages any account; an officer only accounts it created that hold no
    role but those an officer may grant - once the admin made such an account admin, committee,
    reviewer..., its creator resetting its password or second factor would take that role over."""
    if is_admin(actor):
        return True
    return actor.has_role("officer") and user.created_by == actor.username \
        and all(r.role in OFFICER_GRANTABLE for r in user.roles) \
        and not foreign_cases(actor, user)


def foreign_cases(actor: User, user: User) -> list[str]:
    """Cases ``user`` works on now that ``actor`` does not lead: once a researcher an officer
    created joins another PI's case, a password or second-factor reset by that officer would
    open the other case to it (A1: an officer administers its own case's people only)."""
    db = object_session(user)
    if db is None:
        return ["?"]            # cannot be shown to be only the officer's own: refused
    mine = db.execute(select(CaseMember.user_id, CaseMember.case_id).where(
        CaseMember.user_id.in_((actor.id, user.id)), CaseMember.removed_at.is_(None))).all()
    led = {cid for uid, cid in mine if uid == actor.id and is_officer_of(db, actor, cid)}
    return [str(cid) for uid, cid in mine if uid == user.id and cid not in led]


def is_officer_of(db, actor: User, case_id: int) -> bool:
    case = db.get(Case, case_id)
    return case is not None and is_officer(actor, case)


def not_self(actor: User, user_ids, what: str, rule: str = "A1") -> None:
    """Nobody decides on what they applied for, requested, drew or belong to: ``user_ids`` are
    the people on the other side of the decision (applicant, requester, members, sampler)."""
    ids = {user_ids} if isinstance(user_ids, int) else set(user_ids)
    if actor.id in ids:
        raise Forbidden(f"You may not {what}: it is your own (a decision needs someone else).", rule)


def case_people(case: Case) -> set[int]:
    """The applicant, every member (current or former), the IRB certificate's investigators and
    whoever filed the application: none of them decides on the case (a member removed yesterday
    is not independent today, and removal must not clear a conflict)."""
    return {case.applicant_id, *(m.user_id for m in case.members), *irb_investigator_ids(case),
            *case_filer_ids(case), *applicant_colleague_ids(case)} - {None}


def applicant_colleague_ids(case: Case) -> set[int]:
    """Who works or worked with the case's applicant on another case (its applicant or a current
    or former member, where the applicant is one too): a committee member on the PI's other study
    is the PI's staff or lead, not independent of this one.  Only cases a decider approved count:
    naming a decider on a draft must not choose who may decide."""
    db = object_session(case)
    if db is None or case.applicant_id is None:
        return set()
    shared = select(Case.id).where(Case.approved_at.is_not(None)).where(
        (Case.applicant_id == case.applicant_id)
        | Case.id.in_(select(CaseMember.case_id).where(CaseMember.user_id == case.applicant_id)))
    members = db.execute(select(CaseMember.user_id).where(CaseMember.case_id.in_(shared))).scalars()
    applicants = db.execute(select(Case.applicant_id).where(Case.id.in_(shared))).scalars()
    return {*members, *applicants}


def case_filer_ids(case: Case) -> set[int]:
    """Whoever filed the application: a decider may file one for an applicant, and must not
    then approve (or otherwise decide on) what they filed.  The filer is kept only in the
    case's ``case.created`` audit record; every such record counts (a code used again after a
    deleted case conflicts more, never less)."""
    from enclave.audit.models import AuditRecord

    db = object_session(case)
    if db is None or not case.code:
        return set()
    names = set(db.execute(select(AuditRecord.actor).where(AuditRecord.case_code == case.code,
                                                           AuditRecord.action == "case.created")).scalars())
    if not names:
        return set()
    return set(db.execute(select(User.id).where(User.username.in_(names))).scalars())


def irb_investigator_ids(case: Case) -> set[int]:
    """Accounts whose user name or display name the case's IRB certificate lists as an
    investigator: named on the study, they are not independent of it even if never a member.
    A namesake is refused too (another decider decides: a delay, never a pass)."""
    irb = case.irb_certificate if isinstance(case.irb_certificate, dict) else {}
    invs = irb.get("investigators") if isinstance(irb.get("investigators"), list) else []
    # compared as skeletons (enclave.identity.names): the filer spells the names, and a
    # look-alike spelling ("Rіta" with a Cyrillic і, full-width letters, extra spaces) must not
    # make an investigator independent
    names = {skeleton(str(i.get("name", ""))) for i in invs if isinstance(i, dict)} - {""}
    db = object_session(case)
    if not names or db is None:
        return set()
    rows = db.execute(select(User.id, User.username, User.display_name)).all()
    return {uid for uid, un, dn in rows if skeleton(un) in names or skeleton(dn or "") in names}


def require(ok: bool, what: str) -> None:
    if not ok:
        raise Forbidden(f"You may not {what}.", "A1")
