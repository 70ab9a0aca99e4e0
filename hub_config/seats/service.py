"""Register seats and decide whether a request comes from the booked seat (S1, S4)."""
from __future__ import annotations

import ipaddress

from sqlalchemy.orm import Session

from enclave.audit import AuditEntry, append
from hub_config.seats.models import Seat


class SeatError(ValueError):
    """Bad seat registration (the message says what) or no such seat."""


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


def register_seat(s: Session, number: int, addresses: list[str], label: str, actor: str) -> Seat:
    """Create or update seat ``number`` with its workstation's addresses (audited)."""
    if not isinstance(number, int) or number < 1:
        raise SeatError(f"seat number must be a positive integer, got {number!r}")
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
