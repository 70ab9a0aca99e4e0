from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.base import Base, utcnow

CASE_STATUSES = ("draft", "approved", "active", "suspended", "void", "ended", "purged")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "C2026-0001"
    title: Mapped[str] = mapped_column(String(300), default="")
    case_type: Mapped[str] = mapped_column(String(20), default="research")  # government|research (P1)
    imaging: Mapped[bool] = mapped_column(default=False)
    priority_class: Mapped[str] = mapped_column(String(30), default="independent")  # P6
    status: Mapped[str] = mapped_column(String(20), default="draft")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None]
    period_start: Mapped[dt.datetime | None]
    period_end: Mapped[dt.datetime | None]
    fees_due: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[dt.datetime | None]
    seats: Mapped[int] = mapped_column(Integer, default=1)  # S4
    # D3: the approved extract specification (file families, years, columns, cohort).
    extract_spec: Mapped[dict] = mapped_column(JSON, default=dict)
    purpose: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    members: Mapped[list["CaseMember"]] = relationship(back_populates="case",
                                                       cascade="all, delete-orphan", lazy="selectin")


class CaseMember(Base):
    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_members_case_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20), default="member")  # pi | co_pi | officer | member
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship(back_populates="members")
