"""P9 with A1: a pending extension-and-retention request holds the end-of-period purge off only
while it still stands.  One filed by an officer who was then suspended, recorded as left or
replaced by a handover is no request, so the case's files and access go at the period's end
as P9 says; a request the current officer files holds the purge as before.  SQLite and
PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.accounts import lifecycle
from enclave.accounts import service as accounts
from enclave.cases import service as cases
from enclave.cases.models import Extension
from enclave.cases.officers import handover_officer
from enclave.db import session_scope
from enclave.purge.service import due_for_purge
from tests.control.conftest import T0, load, mk_case, mk_user

DAY = dt.timedelta(days=1)


def _lapse(db, policy, how, admin, pi, case, when):
    if how == "suspended":
        lifecycle.suspend(db, admin, pi, reason="under investigation", now=when)
    elif how == "left":
        accounts.mark_left(db, admin, pi, reason="departed", when=when)
    elif how == "handed over":
        handover_officer(db, policy, admin, case, load(db, "nia"), now=when)


@pytest.mark.parametrize("how", ["stands", "suspended", "left", "handed over",
                                 "handed over, new officer asks"])
def test_a_retention_request_holds_the_purge_only_while_it_stands(url, policy, how):
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        pi, nia = mk_user(db, "pi"), mk_user(db, "nia")
        case = mk_case(db, policy, pi, admin=admin, members=[(nia, None)])
        code, end = case.code, case.period_end
        cases.request_extension(db, policy, pi, case, days=30, now=end - 20 * DAY)
        _lapse(db, policy, how.split(",")[0], admin, pi, case, end - 15 * DAY)
        if how.endswith("asks"):   # the lapsed request is refused, the new officer asks again
            old = db.execute(select(Extension).where(Extension.case_id == case.id)).scalar_one()
            cases.decide_extension(db, policy, admin, old, approve=False, now=end - 13 * DAY)
            cases.request_extension(db, policy, load(db, "nia"), case, days=30, now=end - 12 * DAY)
    with session_scope(url) as db:
        due = [c.code for c in due_for_purge(db, end + DAY)]
    held = how in ("stands", "handed over, new officer asks")
    assert (code not in due) == held, (how, due)
