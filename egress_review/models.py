"""State of the egress-review workflow (E4, E5, O2).

A request's files live in the content-addressed store (``egress_review.store``); rows here name
them by SHA-256 only, so a row can never point at a file that changed after submission.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from egress_review.request_tables import RequestFile, RequestReview, RequestRow, ReviewedRequest
from enclave.db.base import Base, utcnow

STATES = ("draft", "submitted", "checked", "in_review", "approved", "changes_requested",
          "rejected", "released", "withdrawn")
DECISIONS = ("approve", "changes", "reject")
STAGES = ("review", "committee")


class EgressRequest(ReviewedRequest, Base):
    __tablename__ = "egress_requests"
    __table_args__ = (UniqueConstraint("requester_id", "client_key", name="uq_egress_requests_client_key"),)
    files_class, reviews_class = "EgressFile", "EgressReview"

    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")  # E4: requester's explanation
    manifest: Mapped[dict] = mapped_column(JSON)  # the submitted manifest, verbatim (validated)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str | None] = mapped_column(String(80))  # idempotency key of the submitter
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("egress_requests.id"))
    submitted_at: Mapped[dt.datetime | None]
    checked_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    released_at: Mapped[dt.datetime | None]

    comments: Mapped[list["EgressComment"]] = relationship(back_populates="request", lazy="selectin",
                                                           order_by="EgressComment.id",
                                                           cascade="all, delete-orphan")

    @property
    def outputs(self) -> list["EgressFile"]:
        """The files asked to leave (the manifest's ``files``); never the checking inputs."""
        return [f for f in self.files if f.role == "output"]


class EgressFile(RequestFile, Base):
    """kind: table | figure | text | code | notebook | model."""

    __tablename__ = "egress_files"
    request_class, requests_table = "EgressRequest", "egress_requests"

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # output: asked to leave; input: read by the checks only (provenance sidecars), never released.
    role: Mapped[str] = mapped_column(String(10), default="output", server_default="output")


class EgressReview(RequestReview, Base):
    """One reviewer's (or committee member's) decision; hidden from other reviewers until
    every required review of its stage is in (blind review, E4)."""

    __tablename__ = "egress_reviews"
    request_class, requests_table = "EgressRequest", "egress_requests"


class EgressComment(RequestRow, Base):
    """public: the requester sees it; private: reviewers and committee only.  With ``file_id``
    the comment belongs to that file's thread, else to the request as a whole."""

    __tablename__ = "egress_comments"
    requests_table = "egress_requests"

    file_id: Mapped[int | None] = mapped_column(ForeignKey("egress_files.id", ondelete="CASCADE"),
                                                index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[EgressRequest] = relationship(back_populates="comments")


class EgressDownload(RequestRow, Base):
    """One download from the release area (O2); the audit log holds the same event."""

    __tablename__ = "egress_downloads"
    requests_table = "egress_requests"

    file_id: Mapped[int | None] = mapped_column(ForeignKey("egress_files.id"))  # None: whole zip
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    client: Mapped[str] = mapped_column(String(80), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
