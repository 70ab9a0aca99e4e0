"""JSON API: the on-site seat registry (S1, S4) - which workstation each seat number is.

Only the centre administrator registers, moves or retires a seat: in ``on_site`` mode the hub
serves a booked session only to its seat's registered addresses, so this list is the boundary.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.errors import BadInput, Forbidden, NotFound
from enclave.web.api_common import Strict
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy
from hub_config.seats import service as seats

router = APIRouter(prefix="/api")


def _admin(user: User) -> None:
    if not user.has_role("admin"):
        raise Forbidden("Only the centre administrator registers workstations as seats.", "S1")


class SeatIn(Strict):
    addresses: list[str] = Field(min_length=1, max_length=8)
    label: str = Field("", max_length=100)


class RetireIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


@router.get("/seats", tags=["seats"])
def list_seats(db: Session = Depends(get_db), user: User = Depends(current_user)):
    _admin(user)
    return [seats.seat_dict(x) for x in seats.list_seats(db)]


@router.put("/seats/{number}", tags=["seats"])
def register(number: int, body: SeatIn, db: Session = Depends(get_db),
             user: User = Depends(current_user), policy=Depends(get_policy)):
    """Register seat ``number`` at these client addresses, or move it (the old machine is
    refused from its next request on)."""
    _admin(user)
    try:
        seat = seats.register_seat(db, number, body.addresses, body.label, user.username,
                                   max_number=policy.sessions.centre_seats)
    except seats.SeatError as e:
        raise BadInput(str(e), "S1") from None
    return seats.seat_dict(seat)


@router.post("/seats/{number}/retire", tags=["seats"])
def retire(number: int, body: RetireIn, db: Session = Depends(get_db),
           user: User = Depends(current_user)):
    _admin(user)
    try:
        seat = seats.retire_seat(db, number, user.username, body.reason)
    except seats.NoSuchSeat as e:
        raise NotFound(str(e)) from None
    except seats.SeatError as e:
        raise BadInput(str(e), "S1") from None
    return seats.seat_dict(seat)
