"""P7/A7: a person removed from a case (a staff change, or an officer handed over) keeps none of
its future bookings - before, the seat stayed booked in their name (and counted against the
case's working days) after they lost the case.  Other members' bookings are the control."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.bookings import service as bookings
from enclave.bookings.models import Booking
from enclave.cases import service as cases
from enclave.db import session_scope
from tests.control.conftest import T0, load, mk_case, mk_user

DAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize("how", ["staff-change", "handover"], ids=["staff-change", "handover"])
def test_a_removed_person_loses_the_cases_future_bookings(url, policy, how):
    with session_scope(url) as db:
        admin, boss = mk_user(db, "admin", "admin"), mk_user(db, "boss", "committee")
        pi, bob, mia = mk_user(db, "pi"), mk_user(db, "bob"), mk_user(db, "mia")
        c = mk_case(db, policy, pi, admin=admin, members=[(bob, None), (mia, None)])
        gone = pi if how == "handover" else bob
        for who, slot in ((gone, "morning"), (mia, "afternoon")):
            bookings.book(db, policy, who, c, day=DAY, slot=slot, now=T0)
        if how == "staff-change":
            cr = cases.request_change(db, policy, pi, c, kind="staff", payload={"remove": ["bob"]}, now=T0)
            cases.decide_change(db, policy, boss, cr, approve=True, now=T0)
        else:
            from enclave.cases.officers import handover_officer

            handover_officer(db, policy, admin, c, mia, now=T0)
        left = {b.user_id for b in db.execute(select(Booking).where(Booking.case_id == c.id)).scalars()}
        assert gone.id not in left and mia.id in left
