"""Log-in for the enclave's web services and API: local accounts (A4) or LDAP-sourced users.

Browser sessions and API tokens are random 256-bit tokens; the database keeps only their
SHA-256.  A cookie is HttpOnly and SameSite=Strict (forms need no extra CSRF token).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.accounts.passwords import password_expired, verify_password
from enclave.audit import AuditEntry, append
from enclave.db import utcnow
from enclave.web.deps import get_db, get_policy
from enclave.web.models import WebSession

COOKIE = "enclave_session"


class LoginRefused(Exception):
    """Why a log-in was refused, in words the user can act on."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(db: Session, username: str, password: str, *, policy, now: dt.datetime | None = None) -> User:
    """Check a local account's password and the account rules; raise LoginRefused with why."""
    now = now or utcnow()
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    # Same message for unknown user and wrong password: do not reveal which accounts exist.
    if user is None or user.source != "local" or not verify_password(user.password_hash, password):
        append(db, AuditEntry("web", username or "?", "login.refused", reason="bad credentials"))
        raise LoginRefused("Wrong user name or password.")
    if user.status != "active":
        append(db, AuditEntry("web", username, "login.refused", reason=f"account {user.status}"))
        raise LoginRefused(f"This account is {user.status}; ask your designated officer.")
    if user.employment not in policy.accounts.allowed_employment:
        append(db, AuditEntry("web", username, "login.refused", reason="employment (A2)"))
        raise LoginRefused("Accounts are only for permanent or contract staff (A2).")
    if password_expired(user.password_changed_at, now, policy.accounts):
        append(db, AuditEntry("web", username, "login.refused", reason="password expired (A4)"))
        raise LoginRefused(f"Your password is older than {policy.accounts.password_max_age_days} "
                           f"days (A4); change it before logging in.")
    user.last_login_at = now
    append(db, AuditEntry("web", username, "login"))
    return user


def issue_token(db: Session, user: User, *, kind: str = "browser", lifetime: dt.timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.add(WebSession(token_hash=_digest(token), user_id=user.id, kind=kind,
                      expires_at=utcnow() + lifetime))
    db.flush()
    return token


def revoke_token(db: Session, token: str) -> None:
    db.execute(update(WebSession).where(WebSession.token_hash == _digest(token))
               .values(revoked_at=utcnow()))


def revoke_all_for_user(db: Session, user_id: int) -> int:
    res = db.execute(update(WebSession).where(WebSession.user_id == user_id,
                                              WebSession.revoked_at.is_(None))
                     .values(revoked_at=utcnow()))
    return res.rowcount or 0


def user_for_token(db: Session, token: str, now: dt.datetime | None = None) -> User | None:
    now = now or utcnow()
    ws = db.execute(select(WebSession).where(WebSession.token_hash == _digest(token))).scalar_one_or_none()
    if ws is None or ws.revoked_at is not None or ws.expires_at <= now:
        return None
    user = db.get(User, ws.user_id)
    return user if user is not None and user.status == "active" else None


def token_from_request(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    token = token_from_request(request)
    return user_for_token(db, token) if token else None


def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise HTTPException(status_code=401, detail="Log in first.",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


@dataclass(frozen=True)
class require_roles:
    """Dependency: the user must hold at least one of these roles (else 403, and the pages
    hide what the user cannot do - A1)."""

    roles: tuple[str, ...]

    def __init__(self, *roles: str) -> None:
        object.__setattr__(self, "roles", roles)

    def __call__(self, user: User = Depends(current_user)) -> User:
        if not any(user.has_role(r) for r in self.roles):
            raise HTTPException(status_code=403,
                                detail=f"Needs one of the roles: {', '.join(self.roles)}.")
        return user
