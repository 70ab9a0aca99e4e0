"""Who sees what of an egress request: the requester their own request and, once decided, its
reviews and public comments; reviewers submitted requests, blind to each other's decisions and
comments until their own review is in or the stage is complete."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from enclave.accounts.models import User
from enclave.cases.models import Case
from enclave.identity.permissions import case_people
from egress_review.models import EgressComment, EgressRequest, EgressReview
from egress_review.review_stages import TERMINAL, stage_complete


def is_reviewer(user: User) -> bool:
    return user.has_role("reviewer") or user.has_role("committee")


def case_conflict(db, user: User, *case_codes: str | None) -> str | None:
    """Why ``user`` is not independent of the cases named (None when independent): the case's
    applicant, everyone who is or was a member of it, the investigators its IRB certificate
    names, whoever filed its application and the applicant's colleagues on other approved cases.  A reviewer role held by one of them
    gives nothing of the case's requests beyond what they would see without it (E4).  A case
    that cannot be read is not proof of independence (default deny)."""
    for code in case_codes:
        if code is None:
            continue
        case = db.execute(select(Case).where(Case.code == code)).scalar_one_or_none() \
            if db is not None else None
        if case is None:
            return f"case {code} cannot be read, so independence from it cannot be shown"
        if user.id == case.applicant_id:
            return f"you applied for case {code}; reviewers must be independent of the case"
        if any(m.user_id == user.id for m in case.members):  # removed members too
            return (f"you are or were a member of case {code}; reviewers must be independent "
                    "of the case")
        if user.id in case_people(case):   # its IRB's investigators, its filer, the PI's colleagues
            return (f"you are named as an investigator on case {code}'s IRB certificate, filed "
                    "its application or work with its applicant on another case; reviewers "
                    "must be independent of the case")
    return None


def conflict(req: EgressRequest, user: User) -> str | None:
    """Why ``user`` may not take part in reviewing ``req`` (None when they may)."""
    if req.requester_id == user.id:
        return "you submitted this request; nobody reviews or approves their own request (E4)"
    return case_conflict(object_session(req), user, req.case_code)


def independent_reviewer(req: EgressRequest, user: User) -> bool:
    """A reviewer (or committee member) who may see the request's contents: files, findings,
    other reviewers' reviews and comments."""
    return is_reviewer(user) and req.state != "draft" and conflict(req, user) is None


def can_view(req: EgressRequest, user: User) -> bool:
    """The requester, and reviewers once the request is submitted (a draft is private)."""
    return req.requester_id == user.id or (is_reviewer(user) and req.state != "draft")


def visible_reviews(req: EgressRequest, user: User, policy) -> list[EgressReview]:
    """Reviews this user may see now.  Blind review: a reviewer sees other reviewers' decisions
    of a stage only once their own review of that stage is in or the stage is complete; the
    requester sees individual reviews only once the request is decided."""
    if not independent_reviewer(req, user):  # the requester, a reviewer who is in the case
        return list(req.reviews) if req.state in TERMINAL else []
    out = []
    for r in req.reviews:
        if r.reviewer_id == user.id or stage_complete(req, r.stage, policy) \
                or any(o.reviewer_id == user.id and o.stage == r.stage for o in req.reviews):
            out.append(r)
    return out


def reviewed_comment(req: EgressRequest, c: EgressComment) -> bool:
    """A requester's comment was open to the reviewers before the decision; one written after
    it (refused since, but possibly stored earlier) was never reviewed."""
    if c.author_id != req.requester_id or req.decided_at is None:
        return True
    return c.created_at is not None and c.created_at <= req.decided_at


def visible_comments(req: EgressRequest, user: User, policy) -> list[EgressComment]:
    """The requester sees public comments (never their own unreviewed ones); a reviewer sees
    every comment except those of other reviewers while the current stage is open and their
    own review is not in (blindness)."""
    if not independent_reviewer(req, user):  # the requester, a reviewer who is in the case
        return [c for c in req.comments if c.visibility == "public" and reviewed_comment(req, c)]
    open_blind = not stage_complete(req, req.stage, policy) and not any(
        r.reviewer_id == user.id and r.stage == req.stage for r in req.reviews)
    out = []
    for c in req.comments:
        if open_blind and c.author_id not in (user.id, req.requester_id):
            continue
        out.append(c)
    return out
