"""A file's comment thread on the release area's downloads page (issue 16): the requester, outside
the enclave, reads what reviewers wrote about a file of their approved request and answers.

The release area faces outward, so only what has already left may show there, and nothing may
come in that could carry data.  The rules (docs/researcher-workflow.md, "Answering a reviewer
from outside"):

* only the requester, only their own request, only once it is approved or released - before
  that no file name is shown outside (E4) - and only for the files that were approved;
* they read the reviewers' public comments and their own comments of the review, and their own
  answers written here - never an answer or comment written in a session after the decision,
  which no reviewer has seen (``egress_review.visibility.reviewed_comment``);
* an answer is text only, at most ``ANSWER_MAX`` characters and ``ANSWERS_PER_FILE`` per file,
  checked like any requester words (an identifier or a pasted table is refused: it would bring
  data in), written while the download window is open, audited (``egress.comment`` with
  ``via: release_area``), from a CSRF-protected form;
* answers are written outside and read by reviewers inside, never by the session: the session's
  view of a decided request hides the requester's later words, so the thread is no way into the
  enclave for the requester's own files (imports go through import review, D4).

The comment itself is stored by :func:`egress_review.comments.add_comment` (one store for every
thread); this module only decides what the release area may show and take.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit.models import AuditRecord
from egress_review.comments import add_comment
from egress_review.models import EgressComment, EgressRequest
from egress_review.request_input import Conflict, NotFound, WorkflowError
from egress_review.visibility import reviewed_comment

ANSWER_MAX = 2_000        # characters per answer written outside
ANSWERS_PER_FILE = 10     # answers per file thread from outside
OPEN = ("approved", "released")
VIA = "release_area"


@dataclass
class ThreadItem:
    id: int
    author: str
    body: str
    created_at: dt.datetime
    outside: bool          # the requester's answer, written in the release area


def answered_outside(db: Session, req: EgressRequest) -> set[int]:
    """Ids of the comments on ``req`` written in the release area (from their audit records)."""
    rows = db.execute(select(AuditRecord.detail).where(
        AuditRecord.action == "egress.comment",
        AuditRecord.subject == f"egress_request:{req.id}")).scalars()
    return {d.get("comment_id") for d in rows if isinstance(d, dict) and d.get("via") == VIA}


def _shown(req: EgressRequest, c: EgressComment, outside_ids: set[int]) -> bool:
    if c.visibility != "public" or c.file_id is None:
        return False
    if c.author_id != req.requester_id:
        return True                      # a reviewer's public word, meant for the requester
    return c.id in outside_ids or reviewed_comment(req, c)


def release_threads(db: Session, req: EgressRequest, user: User) -> dict[int, list[ThreadItem]]:
    """Each approved file's thread as the requester reads it outside; {} for anyone else or
    for a request that is not approved."""
    if req.requester_id != user.id or req.state not in OPEN:
        return {}
    outside_ids = answered_outside(db, req)
    files = {f.id for f in req.outputs}
    shown = [c for c in req.comments if c.file_id in files and _shown(req, c, outside_ids)]
    names = {u.id: u.username for u in db.execute(
        select(User).where(User.id.in_({c.author_id for c in shown} or {-1}))).scalars()}
    out: dict[int, list[ThreadItem]] = {fid: [] for fid in files}
    for c in sorted(shown, key=lambda c: (c.created_at, c.id)):
        out[c.file_id].append(ThreadItem(c.id, names.get(c.author_id, "?"), c.body, c.created_at,
                                         c.id in outside_ids))
    return out


def can_answer(req: EgressRequest, user: User, deadline: dt.datetime | None,
               now: dt.datetime) -> bool:
    """While the request is approved or released and its download window is open."""
    if req.requester_id != user.id or req.state not in OPEN:
        return False
    return req.state == "approved" or (deadline is not None and now <= deadline)


def answer(db: Session, req: EgressRequest, user: User, file_id: int, body: str, *, policy,
           deadline: dt.datetime | None, now: dt.datetime,
           case_context: dict | None = None) -> EgressComment:
    """The requester's answer in one file's thread, from outside (audited with the comment)."""
    if req.requester_id != user.id:
        raise NotFound(f"no release {req.id} for you")
    if req.state not in OPEN:
        raise Conflict(f"request {req.id} is {req.state}: file threads open outside only once "
                       "the request is approved")
    if not can_answer(req, user, deadline, now):
        raise WorkflowError(f"the download window of request {req.id} has ended: answers from "
                            "outside close with it", status=410)
    if not any(f.id == file_id for f in req.outputs):
        raise NotFound(f"request {req.id} has no file {file_id}")
    text = (body or "").strip()
    if len(text) > ANSWER_MAX:
        raise WorkflowError(f"answer: longer than {ANSWER_MAX} characters (answers written "
                            "outside are short notes; anything longer goes in a new request)",
                            status=422)
    ids = answered_outside(db, req)
    if sum(1 for c in req.comments if c.id in ids and c.file_id == file_id) >= ANSWERS_PER_FILE:
        raise Conflict(f"file {file_id} of request {req.id} already has {ANSWERS_PER_FILE} "
                       "answers from outside")
    return add_comment(db, req, user, text, "public", policy=policy, now=now,
                       case_context=case_context, file_id=file_id, via=VIA)
