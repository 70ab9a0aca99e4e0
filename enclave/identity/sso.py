"""Single sign-on: the control plane is the one log-in service of the review service, the
release area and the hub.

A front end without a session sends the browser to the control plane's ``/sso/authorize`` with
its name, a random state value (which it also keeps in a short-lived cookie) and its callback.
The control plane logs the user in if needed (its own form: password and TOTP or a security
key, lock-out, A4) and sends the browser back to the callback with a one-time code.  The front
end redeems the code here (the state database is shared) and opens its own session, a child of
the control-plane log-in: it ends when that log-in ends (:func:`enclave.identity.sessions.end_login`).

The code is 256 random bits of which only the SHA-256 is kept; single-use (spent on its first
presentation, right or wrong), valid ``accounts.sso_code_seconds``, for one front end (audience)
and one registered callback, bound to the state and to the live control-plane log-in.  Callbacks
are registered per front end (:func:`registered_callbacks`) and compared whole: there is no
pattern an attacker could fit another host into.  Every refusal is audited with its reason.
"""
from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.identity import factor_gate, throttle
from enclave.identity.directory import LoginRefused
from enclave.identity.login import check_account
from enclave.identity.models import SsoCode, WebSession
from enclave.identity.sessions import digest, issue_token, session_for_token

# The front ends that sign in through the control plane, and the path of each one's callback.
CALLBACK_PATHS = {"review": "/sso/callback", "release": "/sso/callback", "hub": "/hub/sso/callback"}
STATE_MIN, STATE_MAX = 16, 200


class SsoRefused(Exception):
    """A single sign-on step refused: ``str()`` for the person, ``reason`` for the audit."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Redeemed:
    user: User
    token: str          # the front end's own session (a child of the control-plane log-in)
    second_factor: bool


def _origin(value: str) -> str:
    return value.strip().rstrip("/").lower()


def registered_callbacks(front_end: str, configured: dict[str, list[str]] | None = None) -> set[str]:
    """The callback URLs ``front_end`` may be sent back to: each registered origin (``configured``,
    else ``$ENCLAVE_SSO_ORIGINS_<FRONT END>``, comma-separated, plus ``$ENCLAVE_PUBLIC_ORIGIN_<FRONT
    END>``) followed by the front end's callback path.  Nothing registered: nothing accepted."""
    path = CALLBACK_PATHS.get(front_end)
    if path is None:
        return set()
    if configured is not None:
        origins = configured.get(front_end, [])
    else:
        key = front_end.upper()
        origins = os.environ.get(f"ENCLAVE_SSO_ORIGINS_{key}", "").split(",")
        origins.append(os.environ.get(f"ENCLAVE_PUBLIC_ORIGIN_{key}", ""))
    return {_origin(o) + path for o in origins if o.strip()}


def check_request(front_end: str, state: str, redirect_uri: str, registered: set[str]) -> None:
    """The authorize request's own checks, before anyone is logged in: a known front end, a
    state value, and a callback registered for that front end, character for character."""
    if front_end not in CALLBACK_PATHS:
        raise SsoRefused(f"未知的前端 Unknown front end {front_end[:20]!r}.", "unknown front end")
    if not (STATE_MIN <= len(state or "") <= STATE_MAX) or not state.isprintable():
        raise SsoRefused("缺少或無效的 state 值 Missing or malformed state value.", "bad state")
    if redirect_uri not in registered:
        raise SsoRefused("回呼網址未登記 The callback address is not registered for this front end "
                         "(no redirect to it).", "callback not registered")


def audit(db: Session, who: str, action: str, front_end: str, *, reason: str | None = None,
          component: str | None = None, **detail) -> None:
    """One record of a sign-on step, under the component that took it (default: the front end)."""
    append(db, AuditEntry(component or front_end, who or "?", action, reason=reason,
                          detail={"front_end": front_end, **detail}))


def issue_code(db: Session, session_token: str, *, front_end: str, state: str, redirect_uri: str,
               registered: set[str], policy, now: dt.datetime) -> str:
    """A one-time code for ``front_end`` from the control-plane log-in of ``session_token``
    (checked again here: a live, full browser session of an active account)."""
    check_request(front_end, state, redirect_uri, registered)
    ws = session_for_token(db, session_token, policy=policy)
    if ws is None or ws.kind != "browser":
        raise SsoRefused("請先登入 Log in first.", "no control-plane log-in")
    root = db.get(WebSession, ws.parent_id) if ws.parent_id else ws
    user = db.get(User, ws.user_id)
    if user is None or user.status != "active":
        raise SsoRefused("此帳號無法登入 This account cannot log in.", "account not active")
    code = secrets.token_urlsafe(32)
    db.add(SsoCode(code_hash=digest(code), user_id=user.id, session_id=root.id, audience=front_end,
                   redirect_uri=redirect_uri, state_hash=digest(state), created_at=now,
                   expires_at=now + dt.timedelta(seconds=policy.accounts.sso_code_seconds)))
    audit(db, user.username, "sso.code_issued", front_end, component="control", callback=redirect_uri)
    db.flush()
    return code


def redeem(db: Session, code: str, *, front_end: str, state: str, redirect_uri: str, policy,
           now: dt.datetime, client: str = "-", lifetime: dt.timedelta) -> Redeemed:
    """The front end's half: the code for this front end, state and callback, from a log-in
    still live, for an account still allowed in, whose second factor this front end's policy
    accepts.  The code is spent whatever the outcome; a replayed code also ends the session
    its first use opened.  Raises :class:`SsoRefused` (audited: the caller must commit)."""
    row = db.execute(select(SsoCode).where(SsoCode.code_hash == digest(code or ""))).scalar_one_or_none()
    user = db.get(User, row.user_id) if row is not None else None
    who = user.username if user is not None else "?"

    def refuse(message: str, reason: str) -> SsoRefused:
        audit(db, who, "sso.refused", front_end, reason=reason, client=client[:64])
        return SsoRefused(f"單一登入失敗 Single sign-on refused: {message}", reason)

    if row is None:
        raise refuse("unknown code; sign in again.", "unknown code")
    if row.used_at is not None:
        if row.child_id is not None:  # someone else holds the code: the session it opened ends
            child = db.get(WebSession, row.child_id)
            if child is not None and child.revoked_at is None:
                child.revoked_at = now
        raise refuse("this code was already used; sign in again.", "code replayed")
    row.used_at = now
    if row.expired(now):
        raise refuse("the code has expired; sign in again.", "code expired")
    if row.audience != front_end:
        raise refuse("the code was issued to another front end.", f"code for {row.audience}")
    if row.redirect_uri != redirect_uri:
        raise refuse("the code was issued to another callback.", "callback mismatch")
    if not state or not hmac.compare_digest(row.state_hash, digest(state)):
        raise refuse("the state value does not match this browser's sign-in.", "state mismatch")
    parent = db.get(WebSession, row.session_id)
    if parent is None or parent.revoked_at is not None or parent.expires_at <= now:
        raise refuse("the control-plane log-in has ended; log in again.", "parent log-in ended")
    if user is None or user.status != "active":
        raise refuse("this account cannot log in.", "account not active")
    try:   # the account rules every front end applies (A2 employment, A4 password age) - they
        # may have changed since the control-plane log-in
        check_account(db, policy, user, client=client[:64], front_end=front_end, now=now)
    except LoginRefused as e:
        raise refuse(str(e), "account rules") from None
    locked = throttle.lock_reason(db, policy, user.username, client[:64], now)
    if locked:
        raise refuse(locked, "account locked (A4)")
    short = factor_gate.shortfall(policy, user, parent)  # A4: the factor this front end's policy needs
    if short is not None:
        raise refuse(short, "second factor required by role")
    token = issue_token(db, user, kind="browser", lifetime=lifetime, second_factor=bool(parent.second_factor),
                        factor=parent.factor if parent.second_factor else None, front_end=front_end, parent=parent)
    row.child_id = db.execute(select(WebSession.id).where(WebSession.token_hash == digest(token))).scalar_one()
    audit(db, user.username, "sso.login", front_end, client=client[:64], second_factor=bool(parent.second_factor))
    return Redeemed(user, token, bool(parent.second_factor))


def new_state() -> str:
    """The state value a front end keeps (cookie) and sends to the control plane."""
    return secrets.token_urlsafe(24)


def control_origin(configured: str | None = None) -> str | None:
    """Where the control plane's log-in is, for a front end: ``configured``, else
    ``$ENCLAVE_SSO_URL``, else ``$ENCLAVE_PUBLIC_ORIGIN_CONTROL``; None when single sign-on is off."""
    value = configured or os.environ.get("ENCLAVE_SSO_URL") or os.environ.get("ENCLAVE_PUBLIC_ORIGIN_CONTROL")
    return _origin(value) if value and value.strip() else None


def authorize_url(control: str, front_end: str, state: str, own_origin: str) -> str:
    """The control plane's authorize address for this front end, its state and its callback."""
    from urllib.parse import urlencode

    return f"{control}/sso/authorize?" + urlencode({"front_end": front_end, "state": state,
                                                   "redirect_uri": _origin(own_origin) + CALLBACK_PATHS[front_end]})


def callback_of(front_end: str, own_origin: str) -> str:
    return _origin(own_origin) + CALLBACK_PATHS[front_end]
