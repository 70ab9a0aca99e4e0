"""Roles and case memberships must be ones the sealed log grants (A1, A5; audit round 8).

A role decides what a person may do everywhere (the committee decides cases, the steward
releases data, the admin grants roles) and a case membership lets a person book the case's
seats and read its data.  Both are rows of the state DB written beside a sealed record, but
carry no seal themselves: whoever can write the database but not the key could give an account
a role, make a researcher a member (or the officer) of someone else's case, or bring back a
member who was removed - a right that no decision gave - while the chain still verified.

So ``enclave audit verify`` replays the sealed records that give and take these rights, in
their order, and reads every role and every live membership against the result:

- roles: ``account.created`` (its ``roles``), ``role.granted`` / ``role.revoked`` (``role``);
- memberships: ``case.created`` (the applicant as officer, ``members``), ``case.member_added``,
  ``case.change_approved`` of a staff change (``add`` / ``remove``, sealed since this round; an
  older record's names are read from its change row), ``officer.granted`` / ``officer.revoked``.

A row the replay does not bear out is reported with the record that should have made it.
Rights taken away without a record are not reported: they give nobody anything.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User, UserRole
from enclave.audit.log import ChainProblem
from enclave.audit.models import AuditRecord
from enclave.cases.models import Case, CaseMember, ChangeRequest

KIND = "people-index"   # a role or a case membership the sealed log does not bear out
_SHOWN = 20
ROLE_ACTIONS = ("account.created", "role.granted", "role.revoked")
MEMBER_ACTIONS = ("case.created", "case.member_added", "case.change_approved", "officer.granted",
                  "officer.revoked", "account.revoked")
# what each record leaves an account's status at (a suspension lifted or a revocation undone by
# SQL gives the account back every right it had)
STATUS_ACTIONS = {"account.created": "active", "account.suspended": "suspended", "account.reinstated": "active",
                  "account.revoked": "revoked", "violation.contract_ended": "revoked"}
LEADS = ("pi", "officer", "co_pi")   # membership roles that manage the case


def _problem(msg: str) -> ChainProblem:
    return ChainProblem(1, KIND, f"{msg} (the state DB was edited outside the application)")


def _records(session: Session, actions: tuple[str, ...]):
    return session.execute(select(AuditRecord.action, AuditRecord.case_code, AuditRecord.subject,
                                  AuditRecord.detail).where(AuditRecord.action.in_(actions))
                           .order_by(AuditRecord.seq))


def sealed_roles(session: Session) -> set[tuple[str, str]]:
    """(username, role) the sealed records leave in force, replayed in order."""
    held: dict[tuple[str, str], bool] = {}
    for action, _case, subject, detail in _records(session, ROLE_ACTIONS):
        detail = detail if isinstance(detail, dict) else {}
        if action == "account.created":
            for role in detail.get("roles") or ():
                held[(subject, str(role))] = True
        elif isinstance(detail.get("role"), str):
            held[(subject, detail["role"])] = action == "role.granted"
    return {k for k, v in held.items() if v}


def _staff_names(session: Session, detail: dict, key: str) -> list[str]:
    if key in detail:   # sealed with the decision (round 8 on)
        return [str(n) for n in detail.get(key) or ()]
    cr = session.get(ChangeRequest, detail.get("change_id")) if isinstance(detail.get("change_id"), int) else None
    if cr is None or cr.kind != "staff":
        return []
    return [str(n) for n in (cr.payload or {}).get(key, [])]


def sealed_members(session: Session) -> dict[tuple[str, str], str]:
    """(case code, username) -> 'lead' | 'member' for every membership the records leave in force."""
    held: dict[tuple[str, str], str | None] = {}
    for action, case, subject, detail in _records(session, MEMBER_ACTIONS):
        detail = detail if isinstance(detail, dict) else {}
        if action == "case.created":
            held[(case, subject)] = "lead"
            for name in detail.get("members") or ():
                held[(case, str(name))] = "member"
        elif action == "case.member_added":
            held[(case, subject)] = "member"
        elif action == "officer.granted":
            held[(case, subject)] = "lead"
        elif action == "officer.revoked":
            held[(case, subject)] = None
        elif action == "account.revoked":   # a revocation ends every membership of the account
            for key in [k for k in held if k[1] == subject]:
                held[key] = None
        elif detail.get("kind") == "staff":
            for name in _staff_names(session, detail, "add"):
                held[(case, name)] = "member"
            for name in _staff_names(session, detail, "remove"):
                held[(case, name)] = None
    return {k: v for k, v in held.items() if v is not None}


def sealed_status(session: Session) -> dict[str, str]:
    """username -> the status the last sealed record about it left (accounts the records name)."""
    out: dict[str, str] = {}
    for action, _case, subject, detail in _records(session, (*STATUS_ACTIONS, "case.purged")):
        if action == "case.purged":
            detail = detail if isinstance(detail, dict) else {}
            for name in detail.get("accounts_revoked") or ():
                out[str(name)] = "revoked"
        elif subject:
            out[subject] = STATUS_ACTIONS[action]
    return out


def people_problems(session: Session) -> list[ChainProblem]:
    """Every role and live case membership that no sealed record grants, and every account
    active against its last sealed status (empty: none)."""
    out: list[ChainProblem] = []
    status = sealed_status(session)
    for name, now in session.execute(select(User.username, User.status).order_by(User.username)):
        sealed = status.get(name)
        if now == "active" and sealed not in (None, "active") and len(out) < _SHOWN:
            out.append(_problem(f"account {name} is active, but its last sealed record left it {sealed} "
                                f"(no account.reinstated record)"))
    roles = sealed_roles(session)
    for name, role, by in session.execute(
            select(User.username, UserRole.role, UserRole.granted_by).join(UserRole, UserRole.user_id == User.id)
            .order_by(User.username, UserRole.role)):
        if (name, role) not in roles and len(out) < _SHOWN:
            out.append(_problem(f"account {name} holds the role {role} (granted_by {by!r}), but no sealed "
                                f"account.created or role.granted record gives it"))
    members = sealed_members(session)
    for code, name, mrole in session.execute(
            select(Case.code, User.username, CaseMember.role).join(CaseMember, CaseMember.case_id == Case.id)
            .join(User, User.id == CaseMember.user_id).where(CaseMember.removed_at.is_(None))
            .order_by(Case.code, User.username)):
        sealed = members.get((code, name))
        if len(out) >= _SHOWN:
            break
        if sealed is None:
            out.append(_problem(f"{name} is a {mrole} of case {code}, but no sealed case.created, "
                                f"case.member_added, staff change or officer.granted record makes them one "
                                f"(or a later record removed them)"))
        elif mrole in LEADS and sealed != "lead":
            out.append(_problem(f"{name} is the {mrole} of case {code}, but the sealed records make them a "
                                f"member only (case.created or officer.granted would name them)"))
    return out
