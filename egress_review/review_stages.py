"""The states of an egress request and the review stages (E4, E5): which states are open to
review or withdrawal, and when a stage has its required reviews (egress_review.workflow moves
requests between the states)."""
from __future__ import annotations

from egress_review.models import EgressRequest, EgressReview

REVIEWABLE = ("checked", "in_review")
WITHDRAWABLE = ("draft", "submitted", "checked", "in_review")
TERMINAL = ("approved", "released", "rejected", "changes_requested", "withdrawn")


def stage_role(stage: str) -> str:
    return "committee" if stage == "committee" else "reviewer"


def required_for(stage: str, policy) -> int:
    return policy.egress.committee_reviews_required if stage == "committee" else policy.egress.reviews_required


def stage_reviews(req: EgressRequest, stage: str) -> list[EgressReview]:
    return [r for r in req.reviews if r.stage == stage]


def stage_complete(req: EgressRequest, stage: str, policy) -> bool:
    if req.state not in REVIEWABLE:
        return True
    if stage == "review" and req.stage == "committee":
        return True
    return len(stage_reviews(req, stage)) >= required_for(stage, policy)
