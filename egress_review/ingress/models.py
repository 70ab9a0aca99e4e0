"""State of import requests (D4) and shares of derived files between cases (P13).

Files live in a content-addressed store (``egress_review.store.BlobStore``); rows name them by
SHA-256, so what was checked and reviewed is exactly what is delivered.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from egress_review.request_tables import RequestFile, RequestReview, ReviewedRequest
from enclave.db.base import Base

# submitted -> blocked (checks refused it) | in_review -> approved -> delivered | rejected
STATES = ("submitted", "blocked", "in_review", "rejected", "approved", "delivered")
STAGES = ("review", "committee")
DECISIONS = ("approve", "reject")


class ImportRequest(ReviewedRequest, Base):
    __tablename__ = "import_requests"
    files_class, reviews_class = "ImportFile", "ImportReview"

    purpose: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    # upload: brought in from outside; share: a released derived file of another case (P13)
    source: Mapped[str] = mapped_column(String(10), default="upload")
    source_case_code: Mapped[str | None] = mapped_column(String(40))
    source_egress_id: Mapped[int | None] = mapped_column(ForeignKey("egress_requests.id"))
    delivered_at: Mapped[dt.datetime | None]


class ImportFile(RequestFile, Base):
    """kind: training_set | model | code | reference."""

    __tablename__ = "import_files"
    request_class, requests_table = "ImportRequest", "import_requests"

    sha256: Mapped[str] = mapped_column(String(64))


class ImportReview(RequestReview, Base):
    __tablename__ = "import_reviews"
    request_class, requests_table = "ImportRequest", "import_requests"
