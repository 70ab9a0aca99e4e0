"""Password hashing and the A4 password policy (length, complexity, maximum age)."""
from __future__ import annotations

import datetime as dt
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from policies.sections.accounts import AccountPolicy

_hasher = PasswordHasher()

CLASSES = {
    "lower-case letter": set(string.ascii_lowercase),
    "upper-case letter": set(string.ascii_uppercase),
    "digit": set(string.digits),
    "symbol": set(string.punctuation),
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problems(password: str, policy: AccountPolicy, username: str | None = None) -> list[str]:
    """Every way the password breaks A4; empty when it is acceptable."""
    problems = []
    if len(password) < policy.password_min_length:
        problems.append(f"must be at least {policy.password_min_length} characters "
                        f"(has {len(password)})")
    present = [name for name, chars in CLASSES.items() if any(c in chars for c in password)]
    if len(present) < policy.password_min_classes:
        missing = [n for n in CLASSES if n not in present]
        problems.append(f"must mix at least {policy.password_min_classes} of lower-case, upper-case, "
                        f"digits and symbols (missing: {', '.join(missing)})")
    if username and username.lower() in password.lower():
        problems.append("must not contain the user name")
    return problems


def password_age_days(changed_at: dt.datetime | None, now: dt.datetime) -> float | None:
    return None if changed_at is None else (now - changed_at).total_seconds() / 86400


def password_expired(changed_at: dt.datetime | None, now: dt.datetime, policy: AccountPolicy) -> bool:
    """A4: a password never set or older than the maximum age cannot be used to log in."""
    age = password_age_days(changed_at, now)
    return age is None or age > policy.password_max_age_days
