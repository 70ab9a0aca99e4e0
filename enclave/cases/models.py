from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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
    # --- control plane (migration 0100_control) ---
    # P1: {"number": "...", "board": "...", "investigators": [{"name": "...", "role": "pi|co_pi|..."}]}
    irb_certificate: Mapped[dict | None] = mapped_column(JSON)
    period_months: Mapped[int | None] = mapped_column(Integer)  # P3 (imaging: set by the committee)
    first_use_at: Mapped[dt.datetime | None]  # P3: the period runs from first use ...
    half_days_approved: Mapped[int | None] = mapped_column(Integer)  # P4/P8: working days x 2
    payment_due_at: Mapped[dt.datetime | None]  # P10
    approved_by: Mapped[str | None] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(Text)  # why suspended / void / purged

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
    # P2: reference to the proof of participation when the member is from another unit.
    participation_proof: Mapped[str | None] = mapped_column(String(300))

    case: Mapped[Case] = relationship(back_populates="members")


class StewardDecision:
    """Asked for by someone, then decided once by a steward: the same columns for change
    requests, extensions and software declarations."""

    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|approved|refused
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None]


class ChangeRequest(StewardDecision, Base):
    """P7: a request to change processing staff, add files (incl. years) or add columns."""

    __tablename__ = "case_change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # staff | files | columns
    # staff: {"add": [usernames], "remove": [usernames]}; files: {"files": {FAMILY: {"years": [...],
    # "columns": [...]}}}; columns: {"columns": {FAMILY: [...]}}
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    decision_note: Mapped[str | None] = mapped_column(Text)


class Extension(StewardDecision, Base):
    """P4/P9: an extension-and-retention request; a pending one in time stops the purge."""

    __tablename__ = "case_extensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    retention: Mapped[bool] = mapped_column(Boolean, default=True)


class Charge(Base):
    """P10/S5/P8: one line of a case's fee ledger, priced from the policy fee schedule."""

    __tablename__ = "case_charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_fee: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SoftwareDeclaration(StewardDecision, Base):
    """P11: special software declared and approved before it is installed."""

    __tablename__ = "software_declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(60), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")


class Publication(Base):
    """P12: a publication using the case's data; its copy is due within the policy window."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(400))
    published_on: Mapped[dt.date] = mapped_column(Date)
    cites_source: Mapped[bool] = mapped_column(Boolean, default=False)
    copy_received_at: Mapped[dt.datetime | None]
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message to one person (PI notified, booking displaced, reminders)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
