from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base

LEGACY = "sha256"  # records written before the keyed chain (migration 0010): plain SHA-256
KEYED = "hmac1"    # HMAC-SHA256 under the chain key derived from the master key


class AuditRecord(Base):
    """One event. ``hash`` seals every other field and the previous record's hash."""

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40), index=True)  # ISO-8601 UTC, hashed verbatim
    component: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    case_code: Mapped[str | None] = mapped_column(String(40), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    scheme: Mapped[str] = mapped_column(String(10), server_default=LEGACY)


class AuditHead(Base):
    """The last record written, sealed with the chain key; with the journal reference it saw.

    Database triggers let it move only forward, one record at a time, onto the last record.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))
    chain_id: Mapped[str | None] = mapped_column(String(36))
    key_id: Mapped[str | None] = mapped_column(String(16))
    keyed_from: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    journal_n: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), server_default="0")
    journal_digest: Mapped[str | None] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
