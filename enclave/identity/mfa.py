"""TOTP second factor (RFC 6238, via pyotp): enrol, confirm, verify once per time step."""
from __future__ import annotations

import datetime as dt

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.identity.models import TotpCredential

ISSUER = "NHI Enclave"
VALID_WINDOW = 1  # one 30-second step either side: clocks of phones drift


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
        c = TotpCredential(user_id=user.id, secret=pyotp.random_base32(), created_at=now)
        db.add(c)
    else:
        c.secret, c.created_at, c.last_step = pyotp.random_base32(), now, None
    db.flush()
    return c


def provisioning_uri(c: TotpCredential, username: str) -> str:
    return pyotp.TOTP(c.secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _step_of(c: TotpCredential, code: str, now: dt.datetime) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(c.secret)
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
    c = credential(db, user)
    if c is None:
        return False
    db.delete(c)
    db.flush()
    return True
