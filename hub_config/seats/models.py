"""The seat registry: which workstation (client addresses) each seat number is (S1, S4)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, utcnow


class Seat(Base):
    """A workstation of the centre; bookings name it by ``Booking.seat_no``."""

    __tablename__ = "seats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(String(100))
    # the addresses the workstation's requests arrive from, comma-separated (fixed on the
    # centre's LAN: DHCP reservation + switch-port security)
    addresses: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def address_list(self) -> list[str]:
        return [a for a in (x.strip() for x in self.addresses.split(",")) if a]
