from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, utcnow


class Booking(Base):
    """One seat of one slot for one case, used by one researcher.

    The unique constraint on (slot start, seat) makes double booking impossible at the
    database level, whatever the application does.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("starts_at", "seat_no", name="uq_bookings_slot_seat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    slot_name: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    seat_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="interactive")  # interactive | overnight
    status: Mapped[str] = mapped_column(String(20), default="booked")  # booked|attended|no_show|cancelled|ended
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_login_at: Mapped[dt.datetime | None]


class BookingHistory(Base):
    """Bookings that no longer hold a seat (cancelled, displaced by priority, revoked, purged).

    A cancelled booking is moved here and deleted from ``bookings`` so that its (slot, seat)
    is free again under the unique constraint; the audit log records the move as well.
    """

    __tablename__ = "booking_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(Integer, index=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    slot_name: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    seat_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # cancelled | displaced | revoked | purged
    created_at: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    removed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(300))
