"""What an egress request and an import request share: the request's own columns, its files and
its reviews (the migrations build both sets of tables with the same helpers,
``enclave.db.migrations.columns.request_files`` and ``request_reviews``).

A request class names its file and review classes (``files_class``, ``reviews_class``); a row of
a request names the requests' table (``requests_table``), a file or review its request class too
(``request_class``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from enclave.db.base import utcnow


def _children(target: str, order: str) -> Any:
    """The rows of ``target`` that belong to this request: loaded with it, in ``order``, deleted
    with it."""
    return relationship(target, back_populates="request", lazy="selectin",
                        order_by=f"{target}.{order}", cascade="all, delete-orphan")


class ReviewedRequest:
    """A request the automatic checks look at and reviewers (and a committee) decide on."""

    files_class: ClassVar[str]
    reviews_class: ClassVar[str]

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)  # first, as in the migrations
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # review | committee: which group must decide next while the request is in review.
    stage: Mapped[str] = mapped_column(String(12), default="review")
    verdict: Mapped[str | None] = mapped_column(String(10))  # pass | review | block (engine)
    check_result: Mapped[dict | None] = mapped_column(JSON)
    needs_committee: Mapped[bool] = mapped_column(Boolean, default=False)  # E5
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def files(cls) -> Mapped[list[Any]]:
        return _children(cls.files_class, "ordinal")

    @declared_attr
    def reviews(cls) -> Mapped[list[Any]]:
        return _children(cls.reviews_class, "id")


class RequestRow:
    """A row that belongs to one request (a file, a review, a comment, a download): deleted with
    it and found by it."""

    requests_table: ClassVar[str]

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)  # first, as in the migrations

    @declared_attr
    def request_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{cls.requests_table}.id", ondelete="CASCADE"), index=True)


class RequestFile(RequestRow):
    """One file of a request, named by its SHA-256 in the content-addressed store."""

    request_class: ClassVar[str]

    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(400))  # relative path as the request names it
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("request_id", "path", name=f"uq_{cls.__tablename__}_request_path"),)

    @declared_attr
    def request(cls) -> Mapped[Any]:
        return relationship(cls.request_class, back_populates="files")


class RequestReview(RequestRow):
    """One reviewer's (or committee member's) decision at one stage of a request."""

    request_class: ClassVar[str]

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(12), default="review")
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("request_id", "reviewer_id", "stage",
                                 name=f"uq_{cls.__tablename__}_request_reviewer_stage"),)

    @declared_attr
    def request(cls) -> Mapped[Any]:
        return relationship(cls.request_class, back_populates="reviews")
