"""Suspend, reinstate, reset and unlock accounts (A1, A4), each authorised and audited.

Who: the centre admin for any account; a designated officer for the accounts it created.
Nobody acts on their own account.  A reset sets a one-time password that has already expired,
so the person must change it before logging in (A4), ends every session and, if asked, removes
the TOTP credential so it is enrolled again.
"""
from __future__ import annotations

import datetime as dt
import secrets
import string

from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.accounts.passwords import hash_password, password_problems
from enclave.core.audit import audit
from enclave.core.errors import Forbidden, Refused
from enclave.identity import mfa, throttle
from enclave.identity.permissions import may_manage_account, not_self
from enclave.identity.sessions import revoke_all_for_user


def may_manage(actor: User, user: User) -> bool:
    return may_manage_account(actor, user)


def authorise(actor: User, user: User, what: str) -> None:
    """Refuse unless ``actor`` manages ``user``'s account (not their own, not a revoked one);
    ``what`` reads before the user name ("unlock", "record a training for")."""
    not_self(actor, user.id, f"{what} your own account")
    if not may_manage(actor, user):
        raise Forbidden(f"You may not {what} {user.username}: the centre admin, or the designated "
                        f"officer who created the account.", "A1")
    if user.status == "revoked":
        raise Refused(f"{user.username}'s account is revoked; it is re-created through the officer (A1).", "A1")


def suspend(db: Session, actor: User, user: User, *, reason: str, now: dt.datetime) -> User:
    authorise(actor, user, "suspend")
    if user.status == "suspended":
        raise Refused(f"{user.username} is already suspended.")
    user.status = "suspended"
    tokens = revoke_all_for_user(db, user.id)
    audit(db, actor.username, "account.suspended", subject=user.username, reason=reason, tokens=tokens)
    return user


def reinstate(db: Session, actor: User, user: User, *, reason: str, now: dt.datetime) -> User:
    authorise(actor, user, "reinstate")
    if user.status != "suspended":
        raise Refused(f"{user.username} is {user.status}, not suspended.")
    user.status = "active"
    audit(db, actor.username, "account.reinstated", subject=user.username, reason=reason)
    return user


def one_time_password(policy) -> str:
    """A random password that meets A4 (it must be changed at the first log-in anyway)."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(max(16, policy.accounts.password_min_length)))
        if not password_problems(pw, policy.accounts):
            return pw


def reset_password(db: Session, policy, actor: User, user: User, *, reset_mfa: bool,
                   now: dt.datetime) -> str:
    """Return the one-time password (shown once to the admin, never stored in clear)."""
    authorise(actor, user, "reset the password of")
    if user.source != "local":
        raise Refused(f"{user.username}'s password is kept by the directory (LDAP); reset it there.", "A4")
    pw = one_time_password(policy)
    user.password_hash, user.password_changed_at = hash_password(pw), None  # expired: change first
    tokens = revoke_all_for_user(db, user.id)
    removed = mfa.reset(db, user) if reset_mfa else False
    throttle.clear(db, user.username)
    audit(db, actor.username, "account.password_reset", subject=user.username, tokens=tokens,
          totp_removed=removed)
    return pw


def issue_enrolment_code(db: Session, policy, actor: User, user: User, *, now: dt.datetime,
                         created: bool = False) -> str | None:
    """A4: the one-time code with which ``user`` enrols a second factor (None when the policy
    does not ask for one); shown once to the admin, handed over out of band.  ``created``:
    the actor has just created the account (its own permission check ran there)."""
    if not mfa.enrolment_code_required(policy):
        return None
    if not created:
        authorise(actor, user, "issue an enrolment code for")
    if mfa.enrolled(db, user):
        raise Refused(f"{user.username} has a second factor enrolled; reset it first (with the password).", "A4")
    code = mfa.issue_enrolment_code(db, user, by=actor.username, now=now,
                                    hours=policy.accounts.mfa_enrolment_code_hours)
    audit(db, actor.username, "mfa.enrolment_code_issued", subject=user.username,
          valid_hours=policy.accounts.mfa_enrolment_code_hours)
    return code


def unlock(db: Session, actor: User, user: User, *, now: dt.datetime) -> User:
    authorise(actor, user, "unlock")
    n = throttle.failures_of(db, user.username)
    throttle.clear(db, user.username)
    audit(db, actor.username, "account.unlocked", subject=user.username, failures=n)
    return user
