"""Files that were refused coming back (E4): a refusal cannot be reset by withdrawing the request
and filing the same bytes again, nor by another member of the case filing them, nor under
another name.

An output file whose bytes (SHA-256) were in an earlier request of the same case that reviewers
refused - rejected, sent back for changes, or withdrawn after a reviewer asked for changes or
rejected it - makes the new request one the committee decides after the reviewers
(``needs_committee``), with the earlier request named in the audit log and on the request.
Bytes that changed are a new result and go the ordinary way; so do files of a request
withdrawn before any refusal.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from egress_review.models import EgressFile, EgressRequest

REFUSED_STATES = ("rejected", "changes_requested")
REFUSING_DECISIONS = ("reject", "changes")


def refused(req: EgressRequest) -> bool:
    """``req`` was refused by its reviewers, or withdrawn once one of them had refused it."""
    if req.state in REFUSED_STATES:
        return True
    return req.state == "withdrawn" and any(r.decision in REFUSING_DECISIONS for r in req.reviews)


def earlier_refusal(db: Session, case_code: str, sha256s: set[str], *,
                    exclude_id: int | None = None) -> EgressRequest | None:
    """The latest refused request of ``case_code`` that held any of these bytes as an output."""
    if not sha256s:
        return None
    rows = db.execute(select(EgressRequest).join(EgressFile, EgressFile.request_id == EgressRequest.id)
                      .where(EgressRequest.case_code == case_code, EgressFile.sha256.in_(sha256s),
                             EgressFile.role == "output")
                      .order_by(EgressRequest.id.desc())).scalars().unique().all()
    return next((r for r in rows if r.id != exclude_id and refused(r)), None)
