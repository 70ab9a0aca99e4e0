from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.base import Base, utcnow


class AuditSample(Base):
    """A6: one sample of accounts and their logged records over a window, and its sign-off."""

    __tablename__ = "audit_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_start: Mapped[dt.datetime]
    window_end: Mapped[dt.datetime]
    accounts_total: Mapped[int] = mapped_column(Integer)
    accounts_sampled: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | signed
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_by: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime | None]
    sign_note: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list["AuditSampleItem"]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", lazy="selectin",
        order_by="AuditSampleItem.id")
    anomalies: Mapped[list["AuditAnomaly"]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", lazy="selectin",
        order_by="AuditAnomaly.id")


class AuditSampleItem(Base):
    """One sampled account and the audit-record sequence numbers picked for it."""

    __tablename__ = "audit_sample_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id", ondelete="CASCADE"),
                                           index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    records_available: Mapped[int] = mapped_column(Integer)
    record_seqs: Mapped[list] = mapped_column(JSON, default=list)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)

    sample: Mapped[AuditSample] = relationship(back_populates="items")


class AuditAnomaly(Base):
    """An anomaly found while reviewing a sample, and what was done about it."""

    __tablename__ = "audit_anomalies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id", ondelete="CASCADE"),
                                           index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    record_seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    sample: Mapped[AuditSample] = relationship(back_populates="anomalies")
