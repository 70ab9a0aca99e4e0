"""A1/E4: does a pending request still stand when a decider approves it?

A change, extension or software request is checked when it is filed: the filer's right to ask
and the case's state.  A decision may come weeks later; by then the filer may have been
suspended, revoked, recorded as left, removed from the case or handed the case over, and the case
may have ended.  Approving it then would act on a right nobody holds any more (a staff change by
a former officer adds people to the case).  So an approval re-checks the filing as if it were
filed now; a request that no longer stands can only be refused (or filed again by whoever holds
the right now).  Whatever cannot be read - the filer's account gone - does not stand.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case
from enclave.core.errors import Refused
from enclave.identity.permissions import can_manage, is_member

# The case states a request of each kind may be filed in, and so approved in (service.py,
# changes.py); software is declared with the application too, but never for an ended case.
FILING_STATES = {
    "change": ("approved", "active"),
    "extension": ("active", "approved", "suspended"),
    "software": ("draft", "approved", "active"),
}


def _filer_may_file(kind: str, filer: User, case: Case) -> bool:
    if kind == "software":
        return is_member(filer, case) or can_manage(filer, case)
    return can_manage(filer, case)


def _as_utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


def lapsed(db: Session, case: Case, requested_by: str | None, kind: str, now: dt.datetime) -> str | None:
    """Why the ``kind`` request ``requested_by`` filed on ``case`` no longer stands (None: it
    does): the filer could not file it now, or the case could not take it now."""
    if case.status not in FILING_STATES[kind]:
        return f"{case.code} is {case.status} now; a {kind} request is decided only while the case is " \
               f"{', '.join(FILING_STATES[kind])}"
    filer = db.execute(select(User).where(User.username == requested_by)).scalar_one_or_none() \
        if requested_by else None
    if filer is None:
        return f"its filer {requested_by!r} has no account any more"
    if filer.status != "active":
        return f"its filer {filer.username} is {filer.status}"
    if filer.left_at is not None and _as_utc(filer.left_at) <= now:
        return f"its filer {filer.username} left on {filer.left_at:%Y-%m-%d}"
    if not _filer_may_file(kind, filer, case):
        who = "a member or the officer" if kind == "software" else "the officer"
        return f"its filer {filer.username} is no longer {who} of {case.code}"
    return None


def lock_for_decision(db: Session, row) -> None:
    """Re-read the row about to be decided under a row lock (PostgreSQL's FOR UPDATE; SQLite's
    write transaction already serialises deciders), so two deciders at once cannot both find it
    pending: the second sees the first's decision.  Before, both approved on PostgreSQL - two
    approval records, fees charged twice, and the last writer's terms kept."""
    db.flush()
    db.refresh(row, with_for_update=True)


# P8: the states a case's unused working days may leave it in - paid for (``paid_at``) and not
# frozen.  An approved case not yet paid has days nobody paid for (it is voided unpaid: moved
# days would outlive it for free); a suspended one is under inquiry; a void or purged one has
# no days to give.
DAYS_SOURCE_STATES = ("active", "ended")


def unpaid_days(case: Case) -> str | None:
    """Why ``case``'s working days may not move to another case (None: they may)."""
    if case.status not in DAYS_SOURCE_STATES:
        return f"{case.code} is {case.status}; working days move only from a paid case that is " \
               f"{' or '.join(DAYS_SOURCE_STATES)}"
    if case.paid_at is None:
        return f"{case.code} is not paid: its working days were never paid for (P10)"
    return None


def lock_cases(db: Session, *cases: Case) -> None:
    """Lock several cases in one order (by id), so two requests on the same pair cannot deadlock."""
    for c in sorted(cases, key=lambda c: c.id):
        lock_for_decision(db, c)


def require_standing(db: Session, case: Case, requested_by: str | None, kind: str, now: dt.datetime) -> None:
    """Refuse (409, A1) approving a request that no longer stands; refusing it stays possible."""
    why = lapsed(db, case, requested_by, kind, now)
    if why is not None:
        raise Refused(f"This {kind} request no longer stands: {why}. It can be refused; whoever holds "
                      f"the right now may file it again.", "A1")
