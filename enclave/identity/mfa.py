"""TOTP second factor (RFC 6238, via pyotp): enrol, confirm, verify once per time step."""
from __future__ import annotations

import datetime as dt

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.identity.models import MfaEnrolmentCode, TotpCredential

ISSUER = "NHI Enclave"
SEALED = "v1:"
_KEY_INFO = b"nhi-enclave totp secrets v1"
VALID_WINDOW = 1  # one 30-second step either side: clocks of phones drift


def _key() -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from datasets import keyring
    from enclave.settings import get_settings

    master = keyring.master_key(get_settings(), create=True)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nhi-enclave", info=_KEY_INFO).derive(master)


def seal(user_id: int, secret: str) -> str:
    """The secret as stored: AES-GCM, bound to its user (a sealed secret copied to another
    account's row does not open)."""
    import base64
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    ct = AESGCM(_key()).encrypt(nonce, secret.encode(), str(user_id).encode())
    return SEALED + base64.b64encode(nonce + ct).decode()


def secret_of(c: TotpCredential) -> str:
    """The base32 secret of a credential (sealing a row still in clear on the way)."""
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not c.secret.startswith(SEALED):
        plain = c.secret
        c.secret = seal(c.user_id, plain)
        return plain
    raw = base64.b64decode(c.secret[len(SEALED):])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], str(c.user_id).encode()).decode()


def credential(db: Session, user: User) -> TotpCredential | None:
    return db.execute(select(TotpCredential).where(TotpCredential.user_id == user.id)).scalar_one_or_none()


def enrolled(db: Session, user: User) -> bool:
    c = credential(db, user)
    return c is not None and c.confirmed_at is not None


def required(policy, user: User) -> bool:
    return any(user.has_role(r) for r in policy.accounts.mfa_required_roles)


def start_enrolment(db: Session, user: User, now: dt.datetime) -> TotpCredential:
    """A fresh unconfirmed secret (replacing an unconfirmed one); a confirmed one stays until
    an admin resets it, so a stolen session cannot swap the second factor."""
    c = credential(db, user)
    if c is not None and c.confirmed_at is not None:
        raise ValueError("a confirmed TOTP credential exists; an admin must reset it first")
    if c is None:
        c = TotpCredential(user_id=user.id, secret=seal(user.id, pyotp.random_base32()),
                           created_at=now)
        db.add(c)
    else:
        c.secret, c.created_at, c.last_step = seal(user.id, pyotp.random_base32()), now, None
    db.flush()
    return c


def provisioning_uri(c: TotpCredential, username: str) -> str:
    return pyotp.TOTP(secret_of(c)).provisioning_uri(name=username, issuer_name=ISSUER)


def _step_of(c: TotpCredential, code: str, now: dt.datetime) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret_of(c))
    step = int(now.timestamp()) // totp.interval
    for s in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if totp.at(s * totp.interval) == code:
            return s
    return None


def verify(db: Session, c: TotpCredential, code: str, now: dt.datetime) -> bool:
    """True once per time step: a code seen (or an older one) is refused (replay)."""
    s = _step_of(c, code, now)
    if s is None or (c.last_step is not None and s <= c.last_step):
        return False
    c.last_step = s
    return True


def confirm(db: Session, user: User, code: str, now: dt.datetime) -> bool:
    c = credential(db, user)
    if c is None or c.confirmed_at is not None or not verify(db, c, code, now):
        return False
    c.confirmed_at = now
    return True


def reset(db: Session, user: User) -> bool:
    """Remove every second factor of ``user`` (the TOTP secret and any security keys); True
    when there was one.  The person enrols again with a new enrolment code."""
    from enclave.identity import webauthn

    keys = webauthn.remove_all(db, user)
    c = credential(db, user)
    if c is None:
        db.flush()
        return keys > 0
    db.delete(c)
    db.flush()
    return True


# ------------------------------------------------------------------ enrolment codes (A4)
# Enrolment is not trust-on-first-use: the admin issues a one-time code with the first password
# (or a reset), handed over out of band; the enrolment page and API start only with it.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read aloud or typed


def _code_hash(code: str) -> str:
    import hashlib

    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(b"nhi-enclave enrolment code v1:" + norm.encode()).hexdigest()


def issue_enrolment_code(db: Session, user: User, *, by: str, now: dt.datetime, hours: int) -> str:
    """A fresh code for ``user`` (replacing any earlier one); shown once, only its hash kept."""
    import secrets

    code = "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(4))
    row = db.execute(select(MfaEnrolmentCode).where(MfaEnrolmentCode.user_id == user.id)).scalar_one_or_none()
    if row is None:
        row = MfaEnrolmentCode(user_id=user.id)
        db.add(row)
    row.code_hash, row.issued_by, row.issued_at = _code_hash(code), by, now
    row.expires_at, row.used_at = now + dt.timedelta(hours=hours), None
    db.flush()
    return code


def enrolment_code_problem(db: Session, user: User, code: str | None, now: dt.datetime) -> str | None:
    """Why ``code`` cannot start or finish this user's enrolment (None: it can)."""
    import hmac

    row = db.execute(select(MfaEnrolmentCode).where(MfaEnrolmentCode.user_id == user.id)).scalar_one_or_none()
    if row is None:
        return "no enrolment code was issued to this account: ask the centre admin for one"
    if not code or not hmac.compare_digest(row.code_hash, _code_hash(code)):
        return "the enrolment code is wrong"
    if row.used_at is not None:
        return "this enrolment code was used already: ask the centre admin for a new one"
    if row.expired(now):
        return "this enrolment code has expired: ask the centre admin for a new one"
    return None


def spend_enrolment_code(db: Session, user: User, now: dt.datetime) -> None:
    row = db.execute(select(MfaEnrolmentCode).where(MfaEnrolmentCode.user_id == user.id)).scalar_one_or_none()
    if row is not None:
        row.used_at = now
        db.flush()


def enrolment_code_required(policy) -> bool:
    return bool(policy.accounts.mfa_enrolment_code_required)
