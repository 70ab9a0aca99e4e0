from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, utcnow

# A8, in rising order of severity.
KINDS = ("asked_to_leave", "pi_notified", "data_use_stopped", "contract_ended",
         "future_applications_refused")


class Violation(Base):
    """A8: a violation recorded against a person and (usually) a case."""

    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[dt.datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(64))
