"""Server-side log-in sessions and API tokens.

A token is 256 random bits; the database keeps only its SHA-256, so a leaked database hands out
no live session, and revoking a row ends it at once.  A browser session also has a CSRF token
derived from it with HMAC: unguessable without the (HttpOnly) cookie, different per session.

A session opened by single sign-on (:mod:`enclave.identity.sso`) has a parent: the control-plane
log-in it came from.  It is live only while that parent is, and logging out of any session of
the family (:func:`end_login`) revokes the parent and every child at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.db import utcnow
from enclave.identity import factor_gate
from enclave.identity.models import WebSession

# kinds: browser (cookie), api (Bearer), enrol (a password-only log-in that may only enrol TOTP)
KINDS = ("browser", "api", "enrol")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"enclave-csrf-v1", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_token), presented)


def issue_token(db: Session, user: User, *, kind: str = "browser", lifetime: dt.timedelta,
                second_factor: bool = False, factor: str | None = None, front_end: str | None = None,
                parent: WebSession | None = None) -> str:
    """A new session; ``second_factor`` records that its log-in had TOTP or a key and ``factor``
    which (single sign-on hands both on), ``parent`` binds it to a control-plane log-in (never
    outliving it).  Both are checked again on every request (:mod:`enclave.identity.factor_gate`)."""
    if kind not in KINDS:
        raise ValueError(f"session kind must be one of {KINDS}, not {kind!r}")
    if factor is not None and factor not in factor_gate.FACTORS:
        raise ValueError(f"factor must be one of {factor_gate.FACTORS} or None, not {factor!r}")
    if second_factor and factor is None:
        factor = "totp"  # a factor without its kind is the weaker one (never taken for a key)
    second_factor = second_factor or factor is not None
    token = secrets.token_urlsafe(32)
    expires = utcnow() + lifetime
    if parent is not None:
        expires = min(expires, parent.expires_at)
    db.add(WebSession(token_hash=digest(token), user_id=user.id, kind=kind, expires_at=expires,
                      second_factor=second_factor, factor=factor, front_end=front_end,
                      parent_id=parent.id if parent is not None else None))
    db.flush()
    return token


def revoke_token(db: Session, token: str) -> None:
    db.execute(update(WebSession).where(WebSession.token_hash == digest(token))
               .values(revoked_at=utcnow()))


def end_login(db: Session, token: str) -> int:
    """Log out everywhere the log-in reached: the session of ``token``, its parent and every
    session opened from that parent; how many were live."""
    ws = db.execute(select(WebSession).where(WebSession.token_hash == digest(token))).scalar_one_or_none()
    if ws is None:
        return 0
    root = ws.parent_id or ws.id
    res = db.execute(update(WebSession).where((WebSession.id == root) | (WebSession.parent_id == root),
                                              WebSession.revoked_at.is_(None))
                     .values(revoked_at=utcnow()))
    return res.rowcount or 0


def revoke_all_for_user(db: Session, user_id: int) -> int:
    res = db.execute(update(WebSession).where(WebSession.user_id == user_id,
                                              WebSession.revoked_at.is_(None))
                     .values(revoked_at=utcnow()))
    return res.rowcount or 0


def session_for_token(db: Session, token: str, now: dt.datetime | None = None, *,
                      policy=None) -> WebSession | None:
    """The live session of ``token`` whose log-in had the second factor that ``policy`` (else the
    deployment's) and the account's roles need now (A4), else None (why: :func:`refusal`)."""
    ws = _live_session(db, token, now)
    if ws is None or refusal_of(db, ws, policy) is not None:
        return None
    return ws


def _live_session(db: Session, token: str, now: dt.datetime | None) -> WebSession | None:
    now = now or utcnow()
    ws = db.execute(select(WebSession).where(WebSession.token_hash == digest(token))).scalar_one_or_none()
    if ws is None or not _live(ws, now):
        return None
    if ws.parent_id is not None and not _live(db.get(WebSession, ws.parent_id), now):
        return None  # its control-plane log-in ended: so does this front end's session
    return ws


def refusal_of(db: Session, ws: WebSession, policy) -> str | None:
    """A4: why the live session ``ws`` may not act now (a second factor the policy or a role
    granted since the log-in needs), None when it may."""
    user = db.get(User, ws.user_id)
    if user is None:
        return None  # no account: user_for_token refuses it anyway
    return factor_gate.shortfall(factor_gate.policy_or_deployed(policy), user, ws)


def refusal(db: Session, token: str, policy=None, now: dt.datetime | None = None) -> str | None:
    """The reason a live session of ``token`` is refused for its factor (None: no such reason)."""
    ws = _live_session(db, token, now)
    return refusal_of(db, ws, policy) if ws is not None else None


def _live(ws: WebSession | None, now: dt.datetime) -> bool:
    return ws is not None and ws.revoked_at is None and ws.expires_at > now


def user_for_token(db: Session, token: str, now: dt.datetime | None = None, *,
                   kinds: tuple[str, ...] = ("browser", "api"), policy=None) -> User | None:
    """The active user of a live session of one of ``kinds`` (an enrol-only session is not a
    log-in: it opens nothing but the TOTP enrolment) with the factor ``policy`` needs now (A4)."""
    ws = session_for_token(db, token, now, policy=policy)
    if ws is None or ws.kind not in kinds:
        return None
    user = db.get(User, ws.user_id)
    return user if user is not None and user.status == "active" else None
