"""Register seats and decide whether a request comes from the booked seat (S1, S4)."""
from __future__ import annotations

import ipaddress

from sqlalchemy.orm import Session

from enclave.audit import AuditEntry, append
from hub_config.seats.models import Seat


class SeatError(ValueError):
    """Bad seat registration (the message says what) or no such seat."""


class NoSuchSeat(SeatError):
    """The seat number is not in the registry."""


def _addresses(addresses: list[str]) -> list[str]:
    if not addresses:
        raise SeatError("a seat needs at least one client address")
    out = []
    for a in addresses:
        try:
            out.append(str(ipaddress.ip_address(a.strip())))
        except ValueError:
            raise SeatError(f"{a!r} is not an IP address") from None
    return out


def register_seat(s: Session, number: int, addresses: list[str], label: str, actor: str,
                  max_number: int | None = None) -> Seat:
    """Create or update seat ``number`` with its workstation's addresses (audited).
    ``max_number``: the centre's seat count (S4); bookings never name a seat above it."""
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise SeatError(f"seat number must be a positive integer, got {number!r}")
    if max_number is not None and number > max_number:
        raise SeatError(f"seat {number} does not exist: the centre has {max_number} seats (S4)")
    addrs = _addresses(addresses)
    taken = {a: seat.number for seat in s.query(Seat).filter(Seat.number != number).all()
             for a in seat.address_list}
    clash = [a for a in addrs if a in taken]
    if clash:
        raise SeatError(f"address {clash[0]} is already seat {taken[clash[0]]}'s: one address, "
                        "one workstation")
    seat = s.query(Seat).filter_by(number=number).one_or_none()
    if seat is None:
        seat = Seat(number=number, label=label or f"seat {number}", addresses="",
                    registered_by=actor)
        s.add(seat)
    seat.addresses = ",".join(addrs)
    seat.label = label or seat.label
    seat.active = True
    s.flush()
    append(s, AuditEntry("hub", actor, "seat.registered", subject=f"seat:{number}",
                         detail={"addresses": addrs, "label": seat.label}))
    return seat


def retire_seat(s: Session, number: int, actor: str, reason: str) -> Seat:
    """Take seat ``number`` out of service (audited): its bookings are served nowhere until it
    is registered again.  The row stays, so the audit trail can still name the workstation."""
    seat = s.query(Seat).filter_by(number=number).one_or_none()
    if seat is None:
        raise NoSuchSeat(f"seat {number} is not registered")
    if not reason.strip():
        raise SeatError("retiring a seat needs a reason")
    seat.active = False
    s.flush()
    append(s, AuditEntry("hub", actor, "seat.retired", subject=f"seat:{number}",
                         detail={"reason": reason.strip()[:500], "addresses": seat.address_list}))
    return seat


def list_seats(s: Session) -> list[Seat]:
    return s.query(Seat).order_by(Seat.number).all()


def seat_dict(seat: Seat) -> dict:
    return {"number": seat.number, "label": seat.label, "addresses": seat.address_list,
            "active": seat.active, "registered_by": seat.registered_by,
            "registered_at": seat.registered_at.isoformat() if seat.registered_at else None}


def seat_addresses(s: Session, seat_no: int | None) -> list[str]:
    """The booked seat's registered addresses; raises SeatError if it is not registered."""
    seat = s.query(Seat).filter_by(number=seat_no).one_or_none() if seat_no else None
    if seat is None or not seat.active:
        raise SeatError(f"seat {seat_no} is not a registered workstation")
    return seat.address_list


def from_booked_seat(s: Session, seat_no: int | None, client: str | None) -> str | None:
    """None if ``client`` is the booked seat, else the reason it is refused."""
    try:
        allowed = seat_addresses(s, seat_no)
    except SeatError as e:
        return str(e)
    if client is None:
        return "the client address is unknown"
    try:
        addr = str(ipaddress.ip_address(client))
    except ValueError:
        return f"unreadable client address {client!r}"
    if addr not in allowed:
        return f"this session is served only at seat {seat_no}, not to {addr}"
    return None
