"""The states of an egress request and the review stages (E4, E5): which states are open to
review or withdrawal, and when a stage has its required reviews (egress_review.workflow moves
requests between the states)."""
from __future__ import annotations

from egress_review.models import EgressRequest, EgressReview
from egress_review.request_input import Conflict
from enclave.core.state_machine import StateMachine, table

# An export request's life (E4, E5): the engine checks what was submitted, reviewers decide,
# an approved request is released; the requester may withdraw it until a decision.
STATES = StateMachine("egress request", "draft", table(
    draft="submitted withdrawn",
    submitted="checked withdrawn",
    checked="in_review withdrawn",
    in_review="approved rejected changes_requested withdrawn",
    approved="released",
    released="", rejected="", changes_requested="", withdrawn=""), error=Conflict)

REVIEWABLE = ("checked", "in_review")
WITHDRAWABLE = STATES.into("withdrawn")
# decided: nothing more happens to the request itself (an approved one is only released)
TERMINAL = ("approved", *STATES.final)


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
