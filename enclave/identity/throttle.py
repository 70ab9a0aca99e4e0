"""Lock-out and throttling after repeated failed log-ins (A4 policy settings).

An account is locked once ``login_max_failures`` refusals for its name fall within
``login_failure_window_minutes``; a client address is throttled once ``login_client_max_failures``
refusals from it do (password spraying across many names).  While locked, even the right
password is refused; the lock ends ``login_lockout_minutes`` after the last counted failure.
Refusals during a lock are audited but not counted, so the lock ends on time.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from enclave.identity.models import LoginFailure


def _since(policy, now: dt.datetime) -> dt.datetime:
    a = policy.accounts
    return now - dt.timedelta(minutes=max(a.login_failure_window_minutes, a.login_lockout_minutes))


def _locked_until(db: Session, policy, column, value: str, limit: int, now: dt.datetime) -> dt.datetime | None:
    a = policy.accounts
    window = dt.timedelta(minutes=a.login_failure_window_minutes)
    times = list(db.execute(select(LoginFailure.at).where(column == value, LoginFailure.at > _since(policy, now))
                            .order_by(LoginFailure.at)).scalars())
    # Locked when some `limit` consecutive failures fit in one window and the last is recent.
    for i in range(len(times) - limit + 1):
        if times[i + limit - 1] - times[i] <= window:
            until = times[-1] + dt.timedelta(minutes=a.login_lockout_minutes)
            if until > now:
                return until
    return None


def lock_reason(db: Session, policy, username: str, client: str, now: dt.datetime) -> str | None:
    """Why this log-in is refused before its password is even looked at (None: go ahead)."""
    a = policy.accounts
    until = _locked_until(db, policy, LoginFailure.username, username, a.login_max_failures, now)
    if until is not None:
        return (f"This account is locked after {a.login_max_failures} failed log-ins; try again after "
                f"{until:%H:%M} UTC or ask the centre admin (A4).")
    until = _locked_until(db, policy, LoginFailure.client, client, a.login_client_max_failures, now)
    if until is not None:
        return (f"Too many failed log-ins from your address; try again after {until:%H:%M} UTC (A4).")
    return None


def record_failure(db: Session, policy, username: str, client: str, front_end: str,
                   now: dt.datetime) -> bool:
    """Count one failure; True when it has just locked the account."""
    db.add(LoginFailure(username=username[:64], client=client[:64], front_end=front_end[:20], at=now))
    db.flush()
    return _locked_until(db, policy, LoginFailure.username, username[:64],
                         policy.accounts.login_max_failures, now) is not None


def failures_of(db: Session, username: str) -> int:
    return db.execute(select(func.count()).select_from(LoginFailure)
                      .where(LoginFailure.username == username)).scalar_one()


def clear(db: Session, username: str) -> None:
    """A successful log-in (or an admin's unlock) forgets the account's failures; the client's
    stay counted, so a sprayer cannot reset its throttle with its own account."""
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))
