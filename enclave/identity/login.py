"""One log-in for every front end (control plane, review service, release area, hub).

``login()`` answers, in order: is the account or client locked (A4 throttle)?  Is the password
right (local account, or the LDAP directory for directory accounts)?  Do the account rules allow
it (active, A2 employment, A4 password age)?  Is the second factor right (TOTP, required by
policy per role, and always once enrolled)?  Every refusal is audited and counted; a success
clears the account's failures.  A user whose role needs TOTP but who has not enrolled gets an
*enrol-only* result: the caller opens nothing but the enrolment page.

The second factor is a TOTP code or a security key (WebAuthn, :mod:`enclave.identity.webauthn`);
either satisfies ``mfa_required_roles``, only a key ``webauthn_required_roles``.  A key log-in
has two steps over HTTP: :func:`begin_key_login` checks the password exactly as :func:`login`
does and hands out a challenge bound to a fresh attempt token; :func:`finish_key_login` checks
the key's answer, counting and auditing a wrong one like a wrong TOTP code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import ROLES, USERNAME_RE, User, UserRole
from enclave.accounts.passwords import password_expired, verify_password
from enclave.audit import AuditEntry, append
from enclave.db import utcnow
from enclave.identity import mfa, sessions, throttle, webauthn
from enclave.identity.directory import (LdapSettings, LoginRefused, _dummy_hash, check_password_policy,
                                        ldap_identity)

BAD_CREDENTIALS = "Wrong user name or password."
BAD_CODE = "Wrong or missing one-time code (TOTP) from your authenticator app."
USE_KEY = ("此帳號的第二道驗證是安全金鑰：請輸入帳號、密碼後按「使用安全金鑰」。This account's second factor is a "
           "security key: enter your user name and password, then choose 「使用安全金鑰 Use a security key」 "
           "(API clients: POST /api/webauthn/login/begin, then /api/token with the attempt and the key's answer).")
KEY_ROLE = "Your role logs in with a security key (A4); a one-time code alone is not enough."
KEYS_OFF = ("Security keys are switched off by this deployment's policy and this account has no other "
            "second factor: ask the centre admin to reset it (A4).")


@dataclass(frozen=True)
class LoginResult:
    user: User
    enrol_only: bool = False  # password right; TOTP required but not yet enrolled
    second_factor: bool = False
    factor: str | None = None  # 'totp' | 'webauthn': recorded on the session (A4, factor_gate)


def _audit(db: Session, front_end: str, who: str, action: str, **kw) -> None:
    append(db, AuditEntry(front_end, who or "?", action, **kw))


def _ldap_user(db: Session, cfg: LdapSettings, username: str, password: str, policy,
               now: dt.datetime) -> User | None:
    """Bind as the user; on success keep the enclave row in step with the directory: created on
    first log-in (source ldap), directory-derived roles follow the directory's groups (roles the
    enclave granted itself, e.g. officer on a case approval, are left alone)."""
    ident = ldap_identity(cfg, username, password)
    if ident is None or ident.username != username:
        return None  # "LENA", "ｌena", "lena ": the directory's lena, never a second account
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
            _audit(db, "control", "directory", "role.revoked", subject=username, detail={"role": r.role})
    for role in sorted(wanted - set(user.role_names)):
        user.roles.append(UserRole(role=role, granted_by="directory", granted_at=now))
        # A5: sealed like any grant, so audit verify can tell it from a role written into the DB
        _audit(db, "control", "directory", "role.granted", subject=username, detail={"role": role})
    db.flush()
    return user


def _first_factor(db: Session, username: str, password: str, policy, now: dt.datetime,
                  directory: LdapSettings | None) -> User | None:
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is not None and user.source == "local":
        return user if verify_password(user.password_hash, password) else None
    if directory is not None and (user is None or user.source == "ldap") and USERNAME_RE.match(username):
        return _ldap_user(db, directory, username, password, policy, now)
    verify_password(_dummy_hash(), password)  # same cost as a real check: no user probing
    return None


def _refuse(db: Session, policy, username: str, client: str, front_end: str, now: dt.datetime,
            message: str, reason: str, *, count: bool = True) -> LoginRefused:
    _audit(db, front_end, username, "login.refused", reason=reason, detail={"client": client})
    if count and throttle.record_failure(db, policy, username, client, front_end, now):
        locked = db.execute(select(User.id).where(User.username == username)).scalar_one_or_none()
        ended = sessions.revoke_all_for_user(db, locked) if locked is not None else 0
        _audit(db, front_end, username, "login.locked", reason="too many failed log-ins (A4)",
               detail={"client": client, "limit": policy.accounts.login_max_failures, "sessions_ended": ended})
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


def _enrol_only(db: Session, front_end: str, username: str, client: str, reason: str) -> str:
    _audit(db, front_end, username, "login.enrol_only", reason=reason, detail={"client": client})
    return "enrol"


def second_factor(db: Session, policy, user: User | None, roles: list[str], otp: str | None, *,
                  username: str, client: str, front_end: str, now: dt.datetime) -> str:
    """The password step's second factor when it is a TOTP code: 'ok' (code right), 'none' (no
    second factor and none needed) or 'enrol' (needed, not enrolled).  A wrong or missing code,
    or an account that must use its security key instead, raises LoginRefused (audited; counted
    like a wrong code)."""
    a = policy.accounts
    cred = mfa.credential(db, user) if user is not None else None
    totp = cred is not None and cred.confirmed_at is not None
    key = user is not None and webauthn.has_key(db, user)
    if key and not a.webauthn_allowed and not totp:
        raise _refuse(db, policy, username, client, front_end, now, KEYS_OFF, "security keys off by policy (A4)",
                      count=False)
    if a.webauthn_allowed and any(r in a.webauthn_required_roles for r in roles):
        if not key:
            return _enrol_only(db, front_end, username, client, "security key required by role, none registered (A4)")
        raise _refuse(db, policy, username, client, front_end, now, KEY_ROLE, "security key required by role")
    if totp:
        if not mfa.verify(db, cred, otp or "", now):
            # a key holder who sent no code is pointed at the key, and counted all the same
            message = USE_KEY if key and a.webauthn_allowed and not otp else BAD_CODE
            raise _refuse(db, policy, username, client, front_end, now, message, "bad one-time code")
        return "ok"
    if key:
        raise _refuse(db, policy, username, client, front_end, now, USE_KEY, "security key needed, none given")
    if any(r in a.mfa_required_roles for r in roles):
        return _enrol_only(db, front_end, username, client, "second factor required by role, not enrolled (A4)")
    return "none"


def succeeded(db: Session, user: User | None, username: str, *, client: str, front_end: str, now: dt.datetime,
              source: str, second: bool, factor: str | None = None) -> None:
    throttle.clear(db, username)
    if user is not None:
        user.last_login_at = now
    detail = {"client": client, "source": source, "second_factor": second}
    if second:
        detail["factor"] = factor or "totp"
    _audit(db, front_end, username, "login", detail=detail)


def password_step(db: Session, username: str, password: str, *, policy, client: str, front_end: str,
                  now: dt.datetime, directory: LdapSettings | None) -> User:
    """Lock-out, the password and the account rules (everything before the second factor);
    the user, or LoginRefused (audited, counted where it is a wrong guess)."""
    refuse_if_locked(db, policy, username, client, front_end, now)
    try:
        user = _first_factor(db, username, password, policy, now, directory)
    except LoginRefused as e:  # the directory refused with a reason (A4 age, unreachable)
        raise _refuse(db, policy, username, client, front_end, now, str(e), str(e), count=False) from None
    if user is None:
        raise wrong_password(db, policy, username, client, front_end, now)
    _account_allowed(db, policy, user, username, client, front_end, now)
    return user


def _account_allowed(db: Session, policy, user: User, username: str, client: str, front_end: str,
                     now: dt.datetime) -> None:
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


def check_account(db: Session, policy, user: User, *, client: str, front_end: str, now: dt.datetime) -> None:
    """The account rules (active, A2 employment, A4 password age) for a front end that checks the
    password itself (the hub's directory check): refused, audited, never counted as a guess."""
    _account_allowed(db, policy, user, user.username, client, front_end, now)


def _clip(username: str, client: str) -> tuple[str, str]:
    return (username or "")[:64], (client or "-")[:64]


def login(db: Session, username: str, password: str, otp: str | None = None, *, policy,
          client: str = "-", front_end: str = "control", now: dt.datetime | None = None,
          directory: LdapSettings | None = None) -> LoginResult:
    """Check both factors and the account rules; raise :class:`LoginRefused` with the reason
    (the caller must commit: the refusal and its count are part of the record)."""
    now = now or utcnow()
    username, client = _clip(username, client)
    user = password_step(db, username, password, policy=policy, client=client, front_end=front_end, now=now,
                         directory=directory)
    second = second_factor(db, policy, user, user.role_names, otp, username=username, client=client,
                           front_end=front_end, now=now)
    if second == "enrol":
        return LoginResult(user, enrol_only=True)
    succeeded(db, user, username, client=client, front_end=front_end, now=now, source=user.source,
              second=second == "ok")
    return LoginResult(user, second_factor=second == "ok", factor="totp" if second == "ok" else None)


def begin_key_login(db: Session, username: str, password: str, rp: webauthn.RelyingParty, *, policy,
                    client: str = "-", front_end: str = "control", now: dt.datetime | None = None,
                    directory: LdapSettings | None = None) -> tuple[str, str]:
    """Step one of a security-key log-in: the password as in :func:`login`, then (attempt token,
    request options).  The caller must commit, refusals included."""
    now = now or utcnow()
    username, client = _clip(username, client)
    user = password_step(db, username, password, policy=policy, client=client, front_end=front_end, now=now,
                         directory=directory)
    if not policy.accounts.webauthn_allowed:
        raise _refuse(db, policy, username, client, front_end, now, "Security keys are switched off by this "
                      "deployment's policy (A4); use the one-time code.", "security keys off by policy (A4)",
                      count=False)
    try:
        return webauthn.begin_login(db, user, rp, now=now, policy=policy)
    except webauthn.KeyRefused as e:
        raise _refuse(db, policy, username, client, front_end, now, str(e), e.reason, count=False) from None


def finish_key_login(db: Session, attempt: str, credential: dict | str, rp: webauthn.RelyingParty, *, policy,
                     client: str = "-", front_end: str = "control", now: dt.datetime | None = None) -> LoginResult:
    """Step two: the key's answer to the attempt's challenge.  A wrong answer (another origin,
    another account's key, a replayed or expired challenge, a bad signature, a counter that did
    not increase) is audited and counted like a wrong TOTP code; the lock-out and the account
    rules are checked again, since minutes may have passed since the password."""
    now = now or utcnow()
    client = (client or "-")[:64]
    user = db.get(User, webauthn.attempt_user_id(db, (attempt or "")[:100]) or 0)
    username = user.username if user is not None else "?"
    refuse_if_locked(db, policy, username, client, front_end, now)
    try:
        if user is None:
            raise webauthn.KeyRefused("沒有進行中的安全金鑰登入 No security-key log-in is waiting: log in again.",
                                      "no WebAuthn log-in attempt of that token")
        _account_allowed(db, policy, user, username, client, front_end, now)
        if not policy.accounts.webauthn_allowed:
            raise webauthn.KeyRefused("Security keys are switched off by this deployment's policy (A4).",
                                      "security keys off by policy (A4)")
        webauthn.finish_login(db, rp, attempt=attempt, credential=credential, now=now)
    except webauthn.KeyRefused as e:
        if e.clone:
            _audit(db, front_end, username, "webauthn.counter_regression", reason=e.reason,
                   detail={"client": client, **e.detail})
        raise _refuse(db, policy, username, client, front_end, now, str(e), e.reason) from None
    succeeded(db, user, username, client=client, front_end=front_end, now=now, source=user.source,
              second=True, factor="webauthn")
    return LoginResult(user, second_factor=True, factor="webauthn")


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
