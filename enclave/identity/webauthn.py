"""WebAuthn (security keys, platform authenticators) as a second factor beside TOTP (A4).

The ceremony checks - CBOR, attestation object, COSE key, signature, RP ID hash, origin,
challenge, user-presence flag - are py_webauthn's (``webauthn`` on PyPI); this module decides
what the enclave accepts around them:

- a challenge is 32 random bytes, kept in a row bound to one account, one purpose and the
  session (registration) or log-in attempt (log-in) that asked for it, valid for
  ``webauthn_challenge_minutes`` and spent on the first answer, right or wrong;
- the relying party is the public origin of the front end that asked (control plane, review
  service, release area, hub: each its own port, so its own origin); its host name is the RP
  ID, so a key added on the control plane works on every front end of the same host name, and
  an assertion made for another origin (another front end included) or RP ID is refused;
- the sign counter must grow: an authenticator whose counter stands still or goes back is
  treated as a clone and refused (:class:`KeyRefused` with ``clone=True``, for the audit).

Who may register (the admin's one-time enrolment code) and what a log-in counts and audits are
decided by the callers (:mod:`enclave.identity.login`, the web layer).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (AttestationConveyancePreference, AuthenticatorSelectionCriteria,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from enclave.accounts.models import User
from enclave.identity.models import WebAuthnChallenge, WebAuthnCredential

RP_NAME = "NHI Enclave 健保資料中心"
MAX_CREDENTIAL_JSON = 64 * 1024  # an answer larger than this is not a browser's


class KeyRefused(Exception):
    """A WebAuthn step refused: ``str()`` is for the person, ``reason`` for the audit record."""

    def __init__(self, message: str, reason: str, *, clone: bool = False, detail: dict | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.clone = clone
        self.detail = detail or {}


@dataclass(frozen=True)
class RelyingParty:
    id: str       # the RP ID: the public origin's host name
    origin: str   # scheme://host[:port], what clientDataJSON.origin must say


def relying_party(public_origin: str) -> RelyingParty:
    """The relying party of a service reached at ``public_origin`` (``https://host[:port]``).

    Browsers accept WebAuthn only in a secure context and only with a domain as RP ID, so an
    IP address or plain HTTP (other than ``localhost``) is refused here with the reason."""
    u = urlsplit((public_origin or "").strip().rstrip("/").lower())
    host = u.hostname or ""
    if u.scheme not in ("https", "http") or not host or u.path or u.query:
        raise ValueError(f"public origin {public_origin!r} is not of the form https://host[:port]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise ValueError(f"public origin {public_origin!r} names an IP address; security keys need a host "
                         f"name (set ENCLAVE_PUBLIC_ORIGIN[_REVIEW|_RELEASE|_HUB], or browse to "
                         f"https://localhost:PORT)")
    if u.scheme == "http" and host != "localhost":
        raise ValueError(f"public origin {public_origin!r} is plain HTTP; security keys need HTTPS")
    return RelyingParty(id=host, origin=f"{u.scheme}://{u.netloc}")


FRONT_ENDS = ("control", "review", "release", "hub")


def front_end_origin(front_end: str, request_origin: str, configured: str | None = None) -> str:
    """The public origin a front end's challenges are bound to: ``configured`` (the app's own
    setting), else ``$ENCLAVE_PUBLIC_ORIGIN_<FRONT END>`` (``..._REVIEW``, ``..._RELEASE``,
    ``..._HUB``; the control plane also reads ``$ENCLAVE_PUBLIC_ORIGIN``), else the origin the
    request was made to.  Each front end has its own port, hence its own origin: one
    variable for all would bind every challenge to one port and refuse the others."""
    if front_end not in FRONT_ENDS:
        raise ValueError(f"unknown front end {front_end!r} (one of {', '.join(FRONT_ENDS)})")
    env = os.environ.get(f"ENCLAVE_PUBLIC_ORIGIN_{front_end.upper()}")
    if not env and front_end == "control":
        env = os.environ.get("ENCLAVE_PUBLIC_ORIGIN")
    return configured or env or request_origin


def digest(token: str) -> str:
    return hashlib.sha256(b"nhi-enclave webauthn binding v1:" + token.encode()).hexdigest()


def credentials(db: Session, user: User) -> list[WebAuthnCredential]:
    return list(db.execute(select(WebAuthnCredential).where(WebAuthnCredential.user_id == user.id)
                           .order_by(WebAuthnCredential.id)).scalars())


def has_key(db: Session, user: User) -> bool:
    return db.execute(select(WebAuthnCredential.id).where(WebAuthnCredential.user_id == user.id)
                      .limit(1)).first() is not None


def remove_all(db: Session, user: User) -> int:
    """Forget the user's keys and pending ceremonies (an admin's second-factor reset)."""
    n = db.execute(delete(WebAuthnCredential).where(WebAuthnCredential.user_id == user.id)).rowcount or 0
    db.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.user_id == user.id))
    return n


def _user_handle(user: User) -> bytes:
    # stable per account, reveals nothing (the spec forbids personal data in the handle)
    return hashlib.sha256(b"nhi-enclave webauthn user v1:" + str(user.id).encode()).digest()[:16]


def _new_challenge(db: Session, user: User, purpose: str, bound_to: str, rp: RelyingParty,
                   now: dt.datetime, minutes: int) -> bytes:
    # one ceremony of a kind per account at a time; expired rows of anyone are swept here too
    db.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.user_id == user.id,
                                               WebAuthnChallenge.purpose == purpose,
                                               WebAuthnChallenge.used_at.is_(None)))
    db.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at < now - dt.timedelta(days=1)))
    raw = secrets.token_bytes(32)
    db.add(WebAuthnChallenge(user_id=user.id, purpose=purpose, challenge=bytes_to_base64url(raw),
                             bound_hash=digest(bound_to), rp_id=rp.id, origin=rp.origin, created_at=now,
                             expires_at=now + dt.timedelta(minutes=minutes)))
    db.flush()
    return raw


def _take_challenge(db: Session, purpose: str, bound_to: str, rp: RelyingParty,
                    now: dt.datetime) -> WebAuthnChallenge:
    """The waiting challenge of this session or attempt, spent now (before any check, so a
    wrong answer cannot be retried against it)."""
    row = db.execute(select(WebAuthnChallenge).where(WebAuthnChallenge.bound_hash == digest(bound_to),
                                                     WebAuthnChallenge.purpose == purpose)
                     .order_by(WebAuthnChallenge.id.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        raise KeyRefused("沒有進行中的安全金鑰驗證 No security-key step is waiting: start again.",
                         "no WebAuthn challenge for this session or attempt")
    if row.used_at is not None:
        raise KeyRefused("此驗證已使用過 This security-key step was used already: start again.",
                         "WebAuthn challenge replayed")
    row.used_at = now
    db.flush()
    if row.expired(now):
        raise KeyRefused("安全金鑰驗證已逾時 The security-key step expired: start again.",
                         "WebAuthn challenge expired")
    if (row.rp_id, row.origin) != (rp.id, rp.origin):
        raise KeyRefused("來源不符 The answer came through another origin than the question.",
                         f"WebAuthn challenge of {row.origin} answered at {rp.origin}")
    return row


def _load(credential: dict | str) -> dict:
    text = credential if isinstance(credential, str) else json.dumps(credential)
    if len(text) > MAX_CREDENTIAL_JSON:
        raise KeyRefused("安全金鑰回應過大 The security key's answer is too large.", "WebAuthn answer too large")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise KeyRefused("安全金鑰回應格式錯誤 The security key's answer is malformed (no credential id).",
                         "WebAuthn answer malformed")
    return data


# ------------------------------------------------------------------ registration

def begin_registration(db: Session, user: User, rp: RelyingParty, *, session_token: str, now: dt.datetime,
                       policy) -> str:
    """Creation options (JSON for ``navigator.credentials.create``), the challenge bound to this
    account and the session asking; keys already registered are excluded."""
    raw = _new_challenge(db, user, "register", session_token, rp, now, policy.accounts.webauthn_challenge_minutes)
    opts = generate_registration_options(
        rp_id=rp.id, rp_name=RP_NAME, user_name=user.username, user_id=_user_handle(user),
        user_display_name=user.display_name or user.username, challenge=raw,
        timeout=policy.accounts.webauthn_challenge_minutes * 60_000,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c.credential_id))
                             for c in credentials(db, user)])
    return options_to_json(opts)


def finish_registration(db: Session, user: User, rp: RelyingParty, *, session_token: str, credential: dict | str,
                        name: str, now: dt.datetime) -> WebAuthnCredential:
    """Verify the authenticator's answer to this session's challenge and keep the new key."""
    data = _load(credential)
    ch = _take_challenge(db, "register", session_token, rp, now)
    if ch.user_id != user.id:
        raise KeyRefused("此驗證屬於其他帳號 This security-key step belongs to another account.",
                         "WebAuthn registration challenge of another account")
    try:
        v = verify_registration_response(credential=data, expected_challenge=base64url_to_bytes(ch.challenge),
                                         expected_rp_id=ch.rp_id, expected_origin=ch.origin)
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as e:
        raise KeyRefused(f"安全金鑰註冊失敗 The security key's answer was refused: {e}",
                         f"WebAuthn registration invalid: {e}") from None
    cid = bytes_to_base64url(v.credential_id)
    if db.execute(select(WebAuthnCredential.id).where(WebAuthnCredential.credential_id == cid)).first():
        raise KeyRefused("此安全金鑰已註冊 This security key is registered already.",
                         "WebAuthn credential id registered already")
    cred = WebAuthnCredential(user_id=user.id, credential_id=cid, public_key=v.credential_public_key,
                              sign_count=v.sign_count, name=(name or "").strip()[:64] or "security key",
                              rp_id=ch.rp_id, created_at=now)
    db.add(cred)
    db.flush()
    return cred


# ------------------------------------------------------------------ log-in

def begin_login(db: Session, user: User, rp: RelyingParty, *, now: dt.datetime, policy) -> tuple[str, str]:
    """After the right password: a fresh attempt token (the browser keeps it for the second
    step) and the request options for ``navigator.credentials.get`` naming the user's keys."""
    keys = [c for c in credentials(db, user) if c.rp_id == rp.id]
    if not keys:
        raise KeyRefused("此帳號在本服務沒有已註冊的安全金鑰 This account has no security key registered "
                         "for this service: use the one-time code, or add a key on the two-step page.",
                         "no WebAuthn credential for this RP ID")
    attempt = secrets.token_urlsafe(32)
    raw = _new_challenge(db, user, "login", attempt, rp, now, policy.accounts.webauthn_challenge_minutes)
    opts = generate_authentication_options(
        rp_id=rp.id, challenge=raw, timeout=policy.accounts.webauthn_challenge_minutes * 60_000,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c.credential_id)) for c in keys],
        user_verification=UserVerificationRequirement.PREFERRED)
    return attempt, options_to_json(opts)


def attempt_user_id(db: Session, attempt: str) -> int | None:
    """Whose log-in attempt this token is (None: no such attempt); does not spend it."""
    return db.execute(select(WebAuthnChallenge.user_id).where(WebAuthnChallenge.bound_hash == digest(attempt),
                                                              WebAuthnChallenge.purpose == "login")
                      .order_by(WebAuthnChallenge.id.desc()).limit(1)).scalar_one_or_none()


def finish_login(db: Session, rp: RelyingParty, *, attempt: str, credential: dict | str,
                 now: dt.datetime) -> WebAuthnCredential:
    """Check the assertion against the attempt's challenge and the account's own key; the
    key's counter moves forward.  Raises :class:`KeyRefused`."""
    data = _load(credential)
    ch = _take_challenge(db, "login", attempt, rp, now)
    cred = db.execute(select(WebAuthnCredential).where(WebAuthnCredential.credential_id == data["id"][:1400])
                      ).scalar_one_or_none()
    if cred is None or cred.user_id != ch.user_id:
        raise KeyRefused("此安全金鑰不屬於這個帳號 This security key is not registered to this account.",
                         "WebAuthn assertion by a key not registered to the account")
    try:
        # counter 0 here: py_webauthn then verifies the signature whatever the counter says, and
        # the counter is judged below, so a clone is told apart from a forged answer
        v = verify_authentication_response(credential=data, expected_challenge=base64url_to_bytes(ch.challenge),
                                           expected_rp_id=ch.rp_id, expected_origin=ch.origin,
                                           credential_public_key=cred.public_key, credential_current_sign_count=0)
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as e:
        raise KeyRefused(f"安全金鑰驗證失敗 The security key's answer was refused: {e}",
                         f"WebAuthn assertion invalid: {e}") from None
    if (v.new_sign_count > 0 or cred.sign_count > 0) and v.new_sign_count <= cred.sign_count:
        raise KeyRefused("安全金鑰計數器未增加，可能是複製的金鑰 The security key's counter did not increase: it "
                         "may have been cloned. Ask the centre admin.",
                         "WebAuthn sign counter did not increase (possible cloned key)", clone=True,
                         detail={"credential": cred.credential_id[:16], "stored": cred.sign_count,
                                 "presented": v.new_sign_count})
    cred.sign_count, cred.last_used_at = v.new_sign_count, now
    db.flush()
    return cred
