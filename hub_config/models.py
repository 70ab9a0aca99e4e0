"""Tables of the sessions area (Alembic branch ``hub``): registered overnight runs (S5)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, utcnow

JOB_STATUSES = ("registered", "running", "done", "failed", "killed", "expired")


class OvernightJob(Base):
    """A notebook registered in advance to run, unattended, during an overnight booking."""

    __tablename__ = "overnight_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    notebook: Mapped[str] = mapped_column(String(300))  # relative to the case workspace
    purpose: Mapped[str] = mapped_column(Text)  # A3: logged with the job's queries
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="registered")
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    exit_code: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str | None] = mapped_column(String(300))  # executed copy, in the workspace
