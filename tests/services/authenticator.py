"""The test worlds' authenticator app: a researcher's current TOTP code (A4; SATRE 3.2.04 asks
a second factor of every user, researchers included), enrolling her on first use."""
from __future__ import annotations

import datetime as dt

import pyotp

from enclave.accounts.models import User
from enclave.db import session_scope, utcnow
from enclave.identity import mfa


def researcher_code(db_url: str, name: str, when: dt.datetime | None = None) -> str:
    """The code ``name``'s authenticator shows at ``when`` (now); "" for an account without
    the researcher role (staff tests enrol their own) or unknown to the state DB.

    The test worlds log their researchers in more often than there are 30-second steps, so the
    credential's replay guard is cleared first; the guard itself (a code once per step) is tested
    against the real log-in in tests/identity/test_mfa.py."""
    when = when or utcnow()
    with session_scope(db_url) as s:
        u = s.query(User).filter_by(username=name).one_or_none()
        if u is None or not u.has_role("researcher"):
            return ""
        cred = mfa.credential(s, u)
        if cred is None or cred.confirmed_at is None:
            cred = mfa.start_enrolment(s, u, when)
            cred.confirmed_at = when
        cred.last_step = None
        return pyotp.TOTP(mfa.secret_of(cred)).at(int(when.timestamp()))
