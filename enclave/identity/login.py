"""One log-in for every front end (control plane, review service, release area, hub).

``login()`` answers, in order: is the account or client locked (A4 throttle)?  Is the password
right (local account, or the LDAP directory for directory accounts)?  Do the account rules allow
it (active, A2 employment, A4 password age)?  Is the second factor right (TOTP, required by
policy per role, and always once enrolled)?  Every refusal is audited and counted; a success
clears the account's failures.  A user whose role needs TOTP but who has not enrolled gets an
*enrol-only* result: the caller opens nothing but the enrolment page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import ROLES, User, UserRole
from enclave.accounts.passwords import password_expired, verify_password
from enclave.audit import AuditEntry, append
from enclave.db import utcnow
from enclave.identity import mfa, throttle
from enclave.identity.directory import (LdapSettings, LoginRefused, _dummy_hash, check_password_policy,
                                        ldap_identity)

BAD_CREDENTIALS = "Wrong user name or password."
BAD_CODE = "Wrong or missing one-time code (TOTP) from your authenticator app."


@dataclass(frozen=True)
class LoginResult:
    user: User
    enrol_only: bool = False  # password right; TOTP required but not yet enrolled
    second_factor: bool = False


def _audit(db: Session, front_end: str, who: str, action: str, **kw) -> None:
    append(db, AuditEntry(front_end, who or "?", action, **kw))


def _ldap_user(db: Session, cfg: LdapSettings, username: str, password: str, policy,
               now: dt.datetime) -> User | None:
    """Bind as the user; on success keep the enclave row in step with the directory: created on
    first log-in (source ldap), directory-derived roles follow the directory's groups (roles the
    enclave granted itself, e.g. officer on a case approval, are left alone)."""
    ident = ldap_identity(cfg, username, password)
    if ident is None:
        return None
    check_password_policy(ident, password, policy.accounts, now)
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=username, source="ldap", status="active",
                    password_changed_at=ident.password_changed_at, created_at=now,
                    created_by="directory")
        db.add(user)
    elif user.source != "ldap":
        return None  # a local account of the same name is not the directory's to vouch for
    user.password_changed_at = ident.password_changed_at
    wanted = {r for r in ident.roles if r in ROLES}
    for r in list(user.roles):
        if (r.granted_by or "").startswith("directory") and r.role not in wanted:
            user.roles.remove(r)
    for role in wanted - set(user.role_names):
        user.roles.append(UserRole(role=role, granted_by="directory", granted_at=now))
    db.flush()
    return user


def _first_factor(db: Session, username: str, password: str, policy, now: dt.datetime,
                  directory: LdapSettings | None) -> User | None:
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is not None and user.source == "local":
        return user if verify_password(user.password_hash, password) else None
    if directory is not None and (user is None or user.source == "ldap"):
        return _ldap_user(db, directory, username, password, policy, now)
    verify_password(_dummy_hash(), password)  # same cost as a real check: no user probing
    return None


def _refuse(db: Session, policy, username: str, client: str, front_end: str, now: dt.datetime,
            message: str, reason: str, *, count: bool = True) -> LoginRefused:
    _audit(db, front_end, username, "login.refused", reason=reason, detail={"client": client})
    if count and throttle.record_failure(db, policy, username, client, front_end, now):
        _audit(db, front_end, username, "login.locked", reason="too many failed log-ins (A4)",
               detail={"client": client, "limit": policy.accounts.login_max_failures})
    return LoginRefused(message)


def refuse_if_locked(db: Session, policy, username: str, client: str, front_end: str,
                     now: dt.datetime) -> None:
    """Raise LoginRefused (audited, not counted) while the account or the client is locked."""
    locked = throttle.lock_reason(db, policy, username, client, now)
    if locked:
        raise _refuse(db, policy, username, client, front_end, now, locked, "locked or throttled (A4)",
                      count=False)


def wrong_password(db: Session, policy, username: str, client: str, front_end: str,
                   now: dt.datetime) -> LoginRefused:
    """Audit and count a wrong user name or password; the error to raise."""
    return _refuse(db, policy, username, client, front_end, now, BAD_CREDENTIALS, "bad credentials")


def second_factor(db: Session, policy, user: User | None, roles: list[str], otp: str | None, *,
                  username: str, client: str, front_end: str, now: dt.datetime) -> str:
    """'ok' (code right), 'none' (no TOTP and none needed) or 'enrol' (needed, not enrolled);
    a wrong or missing code of an enrolled user raises LoginRefused (audited and counted)."""
    cred = mfa.credential(db, user) if user is not None else None
    if cred is not None and cred.confirmed_at is not None:
        if not mfa.verify(db, cred, otp or "", now):
            raise _refuse(db, policy, username, client, front_end, now, BAD_CODE, "bad one-time code")
        return "ok"
    if any(r in policy.accounts.mfa_required_roles for r in roles):
        _audit(db, front_end, username, "login.enrol_only", reason="TOTP required by role, not enrolled (A4)",
               detail={"client": client})
        return "enrol"
    return "none"


def succeeded(db: Session, user: User | None, username: str, *, client: str, front_end: str, now: dt.datetime,
              source: str, second: bool) -> None:
    throttle.clear(db, username)
    if user is not None:
        user.last_login_at = now
    _audit(db, front_end, username, "login", detail={"client": client, "source": source,
                                                     "second_factor": second})


def login(db: Session, username: str, password: str, otp: str | None = None, *, policy,
          client: str = "-", front_end: str = "control", now: dt.datetime | None = None,
          directory: LdapSettings | None = None) -> LoginResult:
    """Check both factors and the account rules; raise :class:`LoginRefused` with the reason
    (the caller must commit: the refusal and its count are part of the record)."""
    now = now or utcnow()
    username = (username or "")[:64]
    client = (client or "-")[:64]
    refuse_if_locked(db, policy, username, client, front_end, now)
    try:
        user = _first_factor(db, username, password, policy, now, directory)
    except LoginRefused as e:  # the directory refused with a reason (A4 age, unreachable)
        raise _refuse(db, policy, username, client, front_end, now, str(e), str(e), count=False) from None
    if user is None:
        raise wrong_password(db, policy, username, client, front_end, now)
    if user.status != "active":
        raise _refuse(db, policy, username, client, front_end, now,
                      f"This account is {user.status}; ask your designated officer.",
                      f"account {user.status}", count=False)
    if user.employment not in policy.accounts.allowed_employment:
        raise _refuse(db, policy, username, client, front_end, now,
                      "Accounts are only for permanent or contract staff (A2).", "employment (A2)",
                      count=False)
    if user.source == "local" and password_expired(user.password_changed_at, now, policy.accounts):
        raise _refuse(db, policy, username, client, front_end, now,
                      f"Your password is older than {policy.accounts.password_max_age_days} days or "
                      f"was reset (A4); change it before logging in.", "password expired (A4)",
                      count=False)
    second = second_factor(db, policy, user, user.role_names, otp, username=username, client=client,
                           front_end=front_end, now=now)
    if second == "enrol":
        return LoginResult(user, enrol_only=True)
    succeeded(db, user, username, client=client, front_end=front_end, now=now, source=user.source,
              second=second == "ok")
    return LoginResult(user, second_factor=second == "ok")


def authenticate(db: Session, username: str, password: str, *, policy, now: dt.datetime | None = None,
                 otp: str | None = None, client: str = "-", front_end: str = "control",
                 directory: LdapSettings | None = None) -> User:
    """The user of a complete log-in (both factors where needed), else LoginRefused."""
    res = login(db, username, password, otp, policy=policy, client=client, front_end=front_end, now=now,
                directory=directory)
    if res.enrol_only:
        raise LoginRefused("Your role needs a one-time code (TOTP): enrol an authenticator app on the "
                           "control plane's log-in page first (A4).")
    return res.user
