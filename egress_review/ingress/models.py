"""State of import requests (D4) and shares of derived files between cases (P13).

Files live in a content-addressed store (``egress_review.store.BlobStore``); rows name them by
SHA-256, so what was checked and reviewed is exactly what is delivered.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.base import Base, utcnow

# submitted -> blocked (checks refused it) | in_review -> approved -> delivered | rejected
STATES = ("submitted", "blocked", "in_review", "rejected", "approved", "delivered")
STAGES = ("review", "committee")
DECISIONS = ("approve", "reject")


class ImportRequest(Base):
    __tablename__ = "import_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    stage: Mapped[str] = mapped_column(String(12), default="review")
    verdict: Mapped[str | None] = mapped_column(String(10))
    check_result: Mapped[dict | None] = mapped_column(JSON)
    needs_committee: Mapped[bool] = mapped_column(Boolean, default=False)
    # upload: brought in from outside; share: a released derived file of another case (P13)
    source: Mapped[str] = mapped_column(String(10), default="upload")
    source_case_code: Mapped[str | None] = mapped_column(String(40))
    source_egress_id: Mapped[int | None] = mapped_column(ForeignKey("egress_requests.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    files: Mapped[list["ImportFile"]] = relationship(back_populates="request", lazy="selectin",
                                                     order_by="ImportFile.ordinal",
                                                     cascade="all, delete-orphan")
    reviews: Mapped[list["ImportReview"]] = relationship(back_populates="request", lazy="selectin",
                                                         order_by="ImportReview.id",
                                                         cascade="all, delete-orphan")


class ImportFile(Base):
    __tablename__ = "import_files"
    __table_args__ = (UniqueConstraint("request_id", "path", name="uq_import_files_request_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("import_requests.id", ondelete="CASCADE"),
                                            index=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))  # training_set | model | code | reference
    description: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    request: Mapped[ImportRequest] = relationship(back_populates="files")


class ImportReview(Base):
    __tablename__ = "import_reviews"
    __table_args__ = (UniqueConstraint("request_id", "reviewer_id", "stage",
                                       name="uq_import_reviews_request_reviewer_stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("import_requests.id", ondelete="CASCADE"),
                                            index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(12))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[ImportRequest] = relationship(back_populates="reviews")
