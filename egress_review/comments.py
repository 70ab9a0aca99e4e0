"""Comments on an egress request: on the request as a whole, or in one file's thread (issue 16).

Who may write: the requester (public only) and reviewers/committee (public or private), on a
request they can see.  A requester's words can leave the enclave (the requester reads them
outside once the request is approved), so they are checked like the request's own words and
refused once the request is decided.  Who may read is ``egress_review.visibility`` - the same
blind-review rule for file threads as for request comments.  A resubmission (``supersedes``)
shows the threads of the requests it replaces, each as its reader may see that request.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.db import utcnow
from egress_review.models import EgressComment, EgressFile, EgressRequest
from egress_review.request_input import Conflict, Forbidden, NotFound, WorkflowError, clean_text
from egress_review.review_stages import TERMINAL
from egress_review.visibility import can_view, conflict, is_reviewer, visible_comments

MAX_COMMENT = 20_000     # characters, as every free text of a request
MAX_EARLIER = 10         # requests followed back through ``supersedes``


def requester_words_findings(req: EgressRequest, text: str, *, policy,
                             case_context: dict | None = None) -> list:
    """The engine's findings on words a requester writes on a request (checked like the
    purpose and descriptions: identifiers, pseudonyms, counts, pasted tables; once the request
    is checked, its counts against the counts of its tables and earlier releases the check kept,
    ``prose_tables``)."""
    from pathlib import Path

    from egress_review.engine.context import Context
    from egress_review.engine.history import ReleaseHistory
    from egress_review.engine.request_words import check_words
    from egress_review.request_input import parse_manifest_json

    pseudonyms = (case_context or {}).get("case_pseudonyms") or ()
    ctx = Context(manifest=parse_manifest_json(req.manifest), root=Path("."), policy=policy.egress,
                  history=ReleaseHistory(), pseudonyms=frozenset(p for p in pseudonyms if p))
    # E3: its counts against the request's tables and earlier releases, as the check kept them
    counts = (req.check_result or {}).get("table_counts") if isinstance(req.check_result, dict) else None
    if counts:
        from egress_review.engine.prose_tables import comment_findings

        comment_findings(ctx, text, counts)
    else:
        check_words(ctx, text, {"request": "comment"})
    return ctx.findings


def encoded_run(text: str, policy) -> str | None:
    """What encoded data ``text`` holds (None: none): an unbroken hex or base64 run of the
    policy's ``blob_min_length``, or bytes in another binary-to-text form (the engine's
    ``encoded_runs``) - the same forms that block a file, so a comment is no way round them.
    The request-words check reads sentences, counts and identifiers, not these."""
    import re

    from egress_review.engine import encoded_runs

    n = policy.egress.blob_min_length
    if re.search(r"(?<![0-9A-Za-z])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{%d,}(?![0-9A-Za-z])" % n, text):
        return "a hex-encoded run"
    for m in re.finditer(r"[A-Za-z0-9+/_-]{%d,}={0,2}" % n, text):
        s = m.group()
        if re.search(r"[A-Z]", s) and re.search(r"[a-z]", s) and re.search(r"\d", s):
            return "a base64-like run"
    runs = encoded_runs.find(text, max(8, n // 2))
    return f"bytes written as {runs[0].encoding}" if runs else None


def refuse_leaving_words(req: EgressRequest, text: str, what: str, *, policy,
                         case_context: dict | None = None, reviewer: bool = False) -> None:
    """Raise (422) when ``text`` - words the requester will read, outside too once the request
    is decided - would carry data: what blocks a file (identifiers, pseudonyms, a pasted table,
    a small count) or a count a few from a cell of the request's tables (E3: the difference
    would leave).  The same rule for the requester's words and a reviewer's public ones."""
    from egress_review.bounded import OverBudget, run_bounded
    from egress_review.engine.warm import warm

    try:    # in a child with a CPU budget: crafted words cannot hold a worker of the service
        findings = run_bounded(requester_words_findings, req, text, policy=policy,
                               case_context=case_context, what=f"the check of this {what}",
                               cpu_seconds=policy.egress.words_cpu_seconds, warm=warm)
    except OverBudget as e:
        raise WorkflowError(f"{what} refused: {e}; shorten it or split it into several",
                            status=422) from None
    # a run of digits too long to be a number may carry data: a file goes to a reviewer, words
    # the requester reads outside are not taken (no comment needs one)
    blocking = [x for x in findings
                if x.severity == "block" or (x.check == "prose_tables" and "value" in x.location)
                or x.location.get("unread")]
    if blocking:
        hint = ("; say it without the value, or in a private comment (reviewers only)"
                if reviewer else "")
        raise WorkflowError(f"{what} refused (the requester reads it, outside too): " + "; ".join(
            f"{x.message_en} ({x.location.get('sentence') or x.location.get('line', '')})"
            for x in blocking[:5]) + hint, status=422)
    encoded = encoded_run(text, policy)
    if encoded:    # bytes written as text: a file holding them is blocked (E7), so are these words
        raise WorkflowError(f"{what} refused (the requester reads it, outside too): it holds {encoded} - "
                            "bytes written as text, which would leave unread (E7)", status=422)


def output_file(req: EgressRequest, file_id: int) -> EgressFile:
    """One of the files asked to leave; checking inputs (sidecars) have no thread."""
    f = next((f for f in req.outputs if f.id == file_id), None)
    if f is None:
        raise NotFound(f"request {req.id} has no file {file_id}")
    return f


def add_comment(db: Session, req: EgressRequest, user: User, body: str, visibility: str, *,
                policy, now: dt.datetime | None = None, case_context: dict | None = None,
                file_id: int | None = None, via: str = "enclave") -> EgressComment:
    """A comment on ``req`` (or, with ``file_id``, in that file's thread), audited in the
    caller's transaction.  Refused: an empty or over-long body, a reader who cannot see the
    request, a private comment by a requester, a requester's words that would block a file, a
    requester's comment on a decided request (nobody would review it before it is read outside,
    issue 20).  ``via="release_area"``: the requester's answer, written outside, in a file thread
    of their approved request (the release area's own limits: ``egress_review.release.threads``)."""
    body = clean_text(body, "comment", limit=MAX_COMMENT)
    if not body:
        raise WorkflowError("comment body is empty")
    if visibility not in ("public", "private"):
        raise WorkflowError("visibility must be 'public' or 'private'")
    if not can_view(req, user):
        raise NotFound(f"no egress request {req.id} visible to you")
    f = output_file(req, file_id) if file_id is not None else None
    is_requester = req.requester_id == user.id
    if visibility == "private" and not is_reviewer(user):
        raise Forbidden("private comments are for reviewers and the committee only")
    if not is_requester and not is_reviewer(user):
        raise Forbidden("only the requester and reviewers can comment on a request")
    if not is_requester and conflict(req, user):
        raise Forbidden(f"{conflict(req, user)}: you take no part in its review")
    if via not in ("enclave", "release_area"):
        raise WorkflowError(f"unknown comment origin {via!r}")
    outside = via == "release_area"
    if outside and not (is_requester and f is not None and req.state in ("approved", "released")):
        raise Forbidden("from the release area only the requester answers, in a file thread of "
                        "an approved request")
    if is_requester and req.state in TERMINAL and not outside:
        raise Conflict(f"request {req.id} is {req.state}: a comment now would leave without a "
                       "review; write it in a new request")
    if is_requester or visibility == "public":
        # a public word reaches the requester, and outside once the request is decided: a
        # reviewer's too (E7: a cell, a pasted row or an identifier quoted back would leave)
        refuse_leaving_words(req, body, "comment", policy=policy, case_context=case_context,
                             reviewer=not is_requester)
    now = now or utcnow()
    c = EgressComment(request_id=req.id, author_id=user.id, visibility=visibility, body=body,
                      created_at=now, file_id=f.id if f is not None else None)
    req.comments.append(c)
    db.flush()
    where = {"file_id": f.id, "file": f.path} if f is not None else {}
    if outside:
        where["via"] = via   # egress_review.release.threads reads this back: written outside
    append(db, AuditEntry("egress", user.username, "egress.comment", case_code=req.case_code,
                          subject=f"egress_request:{req.id}", reason=None,
                          detail={"visibility": visibility, "comment_id": c.id, **where}), now=now)
    return c


def request_comments(req: EgressRequest, user: User, policy) -> list[EgressComment]:
    """The comments on the request as a whole that ``user`` may read."""
    return [c for c in visible_comments(req, user, policy) if c.file_id is None]


def file_threads(req: EgressRequest, user: User, policy) -> dict[int, list[EgressComment]]:
    """Each output file's thread as ``user`` may read it (blind review as for any comment)."""
    out: dict[int, list[EgressComment]] = {f.id: [] for f in req.outputs}
    for c in visible_comments(req, user, policy):
        if c.file_id in out:
            out[c.file_id].append(c)
    return out


def earlier_requests(db: Session, req: EgressRequest, user: User) -> list[EgressRequest]:
    """The requests ``req`` replaces, newest first, as far back as ``user`` may see them."""
    out, seen = [], {req.id}
    prev_id = req.supersedes_id
    while prev_id is not None and prev_id not in seen and len(out) < MAX_EARLIER:
        seen.add(prev_id)
        prev = db.get(EgressRequest, prev_id)
        if prev is None or not can_view(prev, user):
            break
        out.append(prev)
        prev_id = prev.supersedes_id
    return out
