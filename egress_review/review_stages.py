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


# -- which reviews still count (A1, E4) ----------------------------------------------------------
# A review counts toward a decision only while its author could still write it: an active
# account holding the stage's role, independent of the case.  A reviewer who joins the case,
# is named on its IRB certificate, loses the role or is suspended after reviewing leaves a
# review on record that no longer decides anything (another independent reviewer is needed).

def why_not_counted(req: EgressRequest, review: EgressReview) -> str | None:
    from sqlalchemy.orm import object_session

    from enclave.accounts.models import User
    from egress_review.visibility import conflict

    db = object_session(req)
    user = db.get(User, review.reviewer_id) if db is not None else None
    if user is None or user.status != "active":
        return "the reviewer's account is not active"
    role = stage_role(review.stage)
    if not user.has_role(role):
        return f"the reviewer no longer holds the role {role!r}"
    return conflict(req, user)


def counted_reviews(req: EgressRequest, stage: str) -> list[EgressReview]:
    """The stage's reviews that decide: every refusal (a reviewer independent when writing it
    saw a reason to stop), and the approvals whose authors could still write them."""
    return [r for r in stage_reviews(req, stage)
            if r.decision != "approve" or why_not_counted(req, r) is None]


def superseded_by(req: EgressRequest) -> int | None:
    """The id of a request that replaces ``req`` (a resubmission naming it), if any: the
    requester has withdrawn this version's content, so no review approves it."""
    from sqlalchemy import select
    from sqlalchemy.orm import object_session

    db = object_session(req)
    if db is None:
        return None
    return db.execute(select(EgressRequest.id).where(EgressRequest.supersedes_id == req.id)
                      .order_by(EgressRequest.id).limit(1)).scalar_one_or_none()
