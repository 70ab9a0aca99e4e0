from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, UTCDateTime


class QueryReview(Base):
    """A supervisor's decision on one logged query (A3).  The query itself stays in the audit
    log (``session.query`` records); this row points at it by ``audit_seq``."""

    __tablename__ = "query_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    case_code: Mapped[str | None] = mapped_column(String(40), index=True)
    querier: Mapped[str] = mapped_column(String(120))
    decision: Mapped[str] = mapped_column(String(20))  # approved | flagged
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class QueryPending(Base):
    """A logged query no supervisor has decided on yet (A3).  Written in the transaction of its
    ``session.query`` audit record (enclave.audit.log.append) and deleted in the transaction of
    its decision (querylog.service.decide), so the booking gate finds a case's overdue queries
    by an index seek on (case_code, ts) instead of reading every query the case ever logged."""

    __tablename__ = "query_pending"
    __table_args__ = (Index("ix_query_pending_case_code_ts", "case_code", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    case_code: Mapped[str | None] = mapped_column(String(40))
    # the audit record's ts verbatim (ISO-8601 UTC text), compared as the log compares it
    ts: Mapped[str] = mapped_column(String(40))
