"""JSON API: slots, bookings and their calendar file (S2-S5, P6)."""
from __future__ import annotations

import datetime as dt
from typing import Literal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from enclave.accounts.models import User
from enclave.bookings import service as bookings
from enclave.bookings.models import Booking
from enclave.cases import service as cases
from enclave.cases.errors import BadInput
from enclave.core.rows import get_row
from enclave.cases.models import Case
from enclave.cases.permissions import can_manage, is_decider, require
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath
from enclave.web.api_common import Code, Strict, now_of, visible_case


router = APIRouter(prefix="/api")

# ------------------------------------------------------------------ bookings

class BookingIn(Strict):
    case_code: str = Code
    date: dt.date
    slot: str = Field(min_length=1, max_length=40, description="slot name, or 'day' for a whole day")
    kind: Literal["interactive", "overnight"] = "interactive"
    username: str | None = Field(None, max_length=64)


class BookingOut(BaseModel):
    id: int
    case_code: str
    username: str
    slot_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seat_no: int
    kind: str
    status: str


def booking_out(db: Session, b: Booking) -> BookingOut:
    return BookingOut(id=b.id, case_code=db.get(Case, b.case_id).code, username=db.get(User, b.user_id).username,
                      slot_name=b.slot_name, starts_at=b.starts_at, ends_at=b.ends_at, seat_no=b.seat_no,
                      kind=b.kind, status=b.status)


@router.get("/slots", tags=["bookings"])
def slots(request: Request, start: dt.date | None = None, days: int = Query(7, ge=1, le=42),
          db: Session = Depends(get_db), user: User = Depends(current_user), policy=Depends(get_policy)):
    """Open slots with free seats (S2): weekends, holidays and closures are marked closed."""
    from enclave.bookings.calendar import local_date

    start = start or local_date(now_of(request), policy)
    if not (dt.date(1990, 1, 1) <= start <= dt.date(2100, 1, 1)):
        raise BadInput("start must be between 1990 and 2100.")
    return bookings.slot_overview(db, policy, start, days, user)


@router.post("/bookings", response_model=list[BookingOut], status_code=201, tags=["bookings"])
def create_booking(body: BookingIn, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """Book a half day, a whole day ('day') or an overnight run (S2-S5, P6)."""
    if not (dt.date(1990, 1, 1) <= body.date <= dt.date(2100, 1, 1)):
        raise BadInput("date must be between 1990 and 2100.")
    c = visible_case(db, user, body.case_code)
    who = cases.get_user(db, body.username) if body.username else None
    made = bookings.book(db, policy, user, c, day=body.date, slot=body.slot, user=who, kind=body.kind,
                         now=now_of(request))
    return [booking_out(db, b) for b in made]


@router.get("/bookings", response_model=list[BookingOut], tags=["bookings"])
def my_bookings(case_code: str | None = Query(None, max_length=40), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    """Your bookings, or a case's bookings (officers and staff)."""
    q = select(Booking).order_by(Booking.starts_at)
    if case_code:
        c = visible_case(db, user, case_code)
        require(can_manage(user, c) or is_decider(user) or user.has_role("steward"),
                f"see all bookings of {c.code}")
        q = q.where(Booking.case_id == c.id)
    else:
        q = q.where(Booking.user_id == user.id)
    return [booking_out(db, b) for b in db.execute(q).scalars()]


@router.delete("/bookings/{booking_id}", tags=["bookings"])
def cancel_booking(request: Request, booking_id: IdPath, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    b = get_row(db, Booking, booking_id, "booking")
    bookings.cancel(db, policy, user, b, now=now_of(request))
    return {"ok": True, "cancelled": booking_id}


@router.get("/bookings.ics", tags=["bookings"], response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}})
def bookings_ics(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Your bookings as an iCalendar file."""
    rows = db.execute(select(Booking).where(Booking.user_id == user.id).order_by(Booking.starts_at)).scalars().all()
    cs = {c.id: c for c in db.execute(select(Case).where(Case.id.in_({b.case_id for b in rows}))).scalars()}
    return Response(bookings.to_ics(rows, cs, now=now_of(request)), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="bookings.ics"'})
