"""The egress-request state machine (E4, E5, O2).

::

    draft ─► submitted ─► checked ─► in_review ─► approved ─► released
      │          │           │           ├─► changes_requested
      └──────────┴───────────┴───────────┴─► rejected / withdrawn (requester)

- ``submitted``: the files are durable in the store and the row is committed; the automatic
  check (the disclosure engine) runs next and moves the request to ``checked`` (the start-up
  recovery pass re-runs it for a request left ``submitted`` by a crash).
- ``checked``: in the reviewers' queue; ``in_review`` once the first review is in.
- Reviews are blind: a reviewer sees no other reviewer's decision or comments until their own
  review is in or the stage is complete.  The stage completes when ``reviews_required``
  (policy, E4) reviews are in: any ``reject`` rejects, else any ``changes`` requests changes,
  else all approved.  An approved request whose check asked for the committee (E5: models,
  figures, imaging) then needs ``committee_reviews_required`` decisions from users holding the
  ``committee`` role.
- A request whose automatic verdict is ``block`` can never be approved: reviewers can only
  request changes or reject it.
- Nobody reviews a request of a case they are a member of, and the requester never reviews or
  approves their own request.
- ``approved``: the files are then copied to the release area and the request is ``released``;
  a crash in between is finished by the recovery pass.

Every transition appends to the audit log in the same transaction (who, when, why).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.cases.models import Case
from enclave.db import utcnow
from egress_review.comments import add_comment, refuse_leaving_words, requester_words_findings  # noqa: F401
from egress_review.faults import checkpoint
from egress_review.models import DECISIONS, EgressRequest, EgressReview, EgressFile
from egress_review.resubmission import earlier_refusal
from egress_review.request_input import (Conflict, Forbidden, NotFound, WorkflowError,  # noqa: F401
                                         clean_text, parse_manifest_json)
from egress_review.review_stages import (REVIEWABLE, STATES, TERMINAL, WITHDRAWABLE, counted_reviews,
                                         superseded_by, why_not_counted, required_for,  # noqa: F401
                                         stage_complete, stage_reviews, stage_role)
from egress_review.store import BlobStore, Blob
from egress_review.visibility import (can_view, conflict, independent_reviewer,  # noqa: F401
                                      is_reviewer, reviewed_comment, visible_comments,
                                      visible_reviews)

COMPONENT = "egress"
MAX_PATH = 400  # egress_files.path


@dataclass
class Upload:
    """One uploaded file: its path as named in the manifest and a readable stream."""

    path: str
    stream: BinaryIO


def _audit(db: Session, actor: User | str, action: str, req: EgressRequest | None, *,
           reason: str | None = None, now: dt.datetime | None = None, **detail: Any) -> None:
    name = actor.username if isinstance(actor, User) else actor
    append(db, AuditEntry(COMPONENT, name, action,
                          case_code=req.case_code if req is not None else detail.pop("case_code", None),
                          subject=f"egress_request:{req.id}" if req is not None else None,
                          reason=reason, detail=detail), now=now)


def _move(db: Session, req: EgressRequest, to: str, actor: User | str, *, reason: str | None,
          now: dt.datetime, **detail: Any) -> None:
    STATES.move(req, to, lambda frm, to: _audit(db, actor, f"egress.{to}", req, reason=reason, now=now,
                                                from_state=frm, to_state=to, **detail))


# ---------------------------------------------------------------------------------------------
# Manifest and the engine (the only place the disclosure engine is called from)


def run_engine(manifest, root: Path, *, policy, history=None, case_context: dict | None = None,
               comments: list[str] = ()):
    """Call the disclosure-control engine; every check of the workflow goes through here.

    ``case_context`` holds the case's extra inputs for the engine (``case_pseudonyms``,
    ``original_images_dir``, ``provenance_key``), as given by the service's ``case_context``
    hook; ``comments``: the requester's own comments on the request (E3: their counts are set
    against the tables, as the purpose's are).
    """
    from egress_review.bounded import run_bounded
    from egress_review.engine import check_request
    from egress_review.engine.warm import warm

    # in a child with a CPU budget: a crafted file cannot hold a worker (OverBudget -> block)
    return run_bounded(check_request, manifest, root, policy=policy.egress, history=history,
                       requester_comments=comments, **(case_context or {}),
                       cpu_seconds=policy.egress.engine_cpu_seconds, what="the automatic check",
                       warm=warm)


def requester_comments(req: EgressRequest) -> list[str]:
    """What the requester wrote on ``req`` (request and file threads), never a reviewer's."""
    return [c.body for c in req.comments if c.author_id == req.requester_id]


def _history(db: Session, store: BlobStore, case_code: str, exclude_id: int | None, stack: ExitStack):
    """The case's earlier releases as the engine's ReleaseHistory (E3 differencing)."""
    from egress_review.engine.history import ReleaseHistory

    rows = db.execute(select(EgressRequest).where(EgressRequest.case_code == case_code,
                                                  EgressRequest.state.in_(("approved", "released")))
                      .order_by(EgressRequest.approved_at, EgressRequest.id)).scalars().all()
    items = []
    for r in rows:
        if r.id == exclude_id:
            continue
        d = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"egress-hist-{r.id}-")))
        store.materialize([(f.path, f.sha256) for f in r.files], d)
        items.append((parse_manifest_json(r.manifest), d))
    return ReleaseHistory.from_released(items)


def released_history(db: Session, case_code: str) -> list[EgressRequest]:
    return list(db.execute(select(EgressRequest).where(
        EgressRequest.case_code == case_code,
        EgressRequest.state.in_(("approved", "released"))).order_by(EgressRequest.approved_at))
        .scalars())


def precheck(db: Session, store: BlobStore, manifest, uploads: list[Upload], *, policy,
             case_context: dict | None = None) -> Any:
    """Check files against the engine exactly as a submission would, storing nothing."""
    _match_uploads(manifest, uploads, policy)
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="egress-pre-")))
        from egress_review.store import safe_relpath

        for u in uploads:
            target = root / safe_relpath(u.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                while chunk := u.stream.read(1 << 20):
                    out.write(chunk)
        history = _history(db, store, manifest.case_code, None, stack)
        db.commit()  # end the read transaction: no lock is held while the engine runs
        return run_engine(manifest, root, policy=policy, history=history,
                          case_context=case_context)


# ---------------------------------------------------------------------------------------------
# Submission


def _match_uploads(manifest, uploads: list[Upload], policy) -> dict[str, Upload]:
    by_path: dict[str, Upload] = {}
    for u in uploads:
        if len(u.path) > MAX_PATH:
            raise WorkflowError(f"file name {u.path[:60]!r}...: longer than {MAX_PATH} characters")
        if u.path in by_path:
            raise WorkflowError(f"file {u.path!r} was uploaded twice")
        by_path[u.path] = u
    listed = [f.path for f in manifest.files]
    known = set(listed) | set(manifest.checking_inputs())
    # A client that sends bare file names (no directories): match each to the one manifest path
    # with that name; ambiguous or unknown names stay unmatched and are refused below.
    for name in [n for n in by_path if n not in known and "/" not in n]:
        cands = [p for p in known if p.rsplit("/", 1)[-1] == name and p not in by_path]
        if len(cands) == 1:
            u = by_path.pop(name)
            u.path = cands[0]
            by_path[cands[0]] = u
    missing = [p for p in listed if p not in by_path]
    if missing:
        raise WorkflowError(f"files listed in the manifest but not uploaded: {missing}")
    # Provenance sidecars may come along as checking inputs: stored, read by the checks, never released.
    extra = sorted(set(by_path) - set(listed) - set(manifest.checking_inputs()))
    if extra:
        raise WorkflowError(f"files uploaded but not listed in the manifest (E4: say what each "
                            f"file is): {extra}")
    total = 0
    for u in uploads:
        u.stream.seek(0, 2)
        total += u.stream.tell()
        u.stream.seek(0)
    if total > policy.egress.max_request_bytes:
        raise WorkflowError(f"request holds {total} bytes, more than the {policy.egress.max_request_bytes} "
                            f"allowed (E1: results are aggregates, not data)", status=413)
    return by_path


def case_membership(db: Session, user: User, case_code: str) -> tuple[Case | None, bool]:
    case = db.execute(select(Case).where(Case.code == case_code)).scalar_one_or_none()
    if case is None:
        return None, False
    member = any(m.user_id == user.id and m.removed_at is None for m in case.members)
    return case, member


# a case that went this way after a request was submitted holds its approval: a breach is being
# looked into, or the case no longer exists; a case that ended normally does not
HELD_CASE_STATUSES = ("suspended", "void", "purged")


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


def release_hold(db: Session, req: EgressRequest) -> str | None:
    """Why ``req`` cannot be approved now (None: it can): its case was suspended, voided or
    purged since it was submitted, or its requester is no longer a member of the case - an
    approval releases the files to the requester, on rights checked when it was filed."""
    case = db.execute(select(Case).where(Case.code == req.case_code)).scalar_one_or_none()
    if case is None or case.status in HELD_CASE_STATUSES:
        return (f"case {req.case_code} is {case.status if case else 'gone'}: its results are not "
                "approved for release now; request changes or reject")
    if not any(m.user_id == req.requester_id and m.removed_at is None for m in case.members):
        return (f"the requester is no longer a member of case {req.case_code}: nothing is "
                "released to them; request changes or reject")
    requester = db.get(User, req.requester_id)
    gone = requester is None or requester.status != "active" or (
        requester.left_at is not None and _utc(requester.left_at) <= dt.datetime.now(dt.timezone.utc))
    if gone:   # a suspended, revoked or departed requester is released nothing on an old filing (A1)
        state = "gone" if requester is None else requester.status if requester.status != "active" else "left"
        return (f"the requester's account is {state}: nothing is released to them; request changes "
                "or reject")
    return None


# a case whose results may be submitted for export: approved and in use; not a draft, not
# suspended (a breach is being looked into), void, ended or purged
EXPORTING_CASE_STATUSES = ("approved", "active")


def may_submit(db: Session, user: User, case_code: str) -> None:
    """Raise unless ``user`` may put results of ``case_code`` before the reviewers now: the
    same check for a new request, a pre-check and a draft filed earlier (a draft carries no
    right from the day it was filed)."""
    case, member = case_membership(db, user, case_code)
    if case is None:
        raise NotFound(f"manifest case_code: no case {case_code!r}")
    if not member:
        raise Forbidden(f"you are not a member of case {case_code} and cannot export its results")
    if case.status not in EXPORTING_CASE_STATUSES:
        raise Forbidden(f"case {case_code} is {case.status}: no results of it are submitted for "
                        "export now")


def submit_new(db: Session, store: BlobStore, user: User, manifest, manifest_data: dict,
               uploads: list[Upload], *, policy, draft: bool = False, client_key: str | None = None,
               supersedes_id: int | None = None, now: dt.datetime | None = None) -> tuple[EgressRequest, bool]:
    """Store the files durably, then commit the request row (``submitted`` or ``draft``).

    Returns ``(request, created)``; a repeated ``client_key`` returns the earlier request.
    The caller runs :func:`check` afterwards (a separate transaction).
    """
    now = now or utcnow()
    if client_key is not None:
        if not client_key or len(client_key) > 80:
            raise WorkflowError("idempotency key must be 1-80 characters")
        old = db.execute(select(EgressRequest).where(EgressRequest.requester_id == user.id,
                                                     EgressRequest.client_key == client_key)).scalar_one_or_none()
        if old is not None:
            if old.manifest_sha256 != _manifest_digest(manifest_data):
                raise Conflict(f"idempotency key {client_key!r} was already used for request "
                               f"{old.id} with a different manifest")
            return old, False
    may_submit(db, user, manifest.case_code)
    if supersedes_id is not None:
        prev = db.get(EgressRequest, supersedes_id)
        if prev is None or prev.requester_id != user.id or prev.case_code != manifest.case_code:
            raise WorkflowError(f"supersedes: request {supersedes_id} is not one of your requests "
                                f"for case {manifest.case_code}")
    by_path = _match_uploads(manifest, uploads, policy)
    # Release the write lock (SQLite) while the files are copied: nothing is written yet.
    db.commit()
    blobs: dict[str, Blob] = {p: store.put_stream(u.stream) for p, u in by_path.items()}
    checkpoint("submit.blobs_durable")
    req = EgressRequest(case_code=manifest.case_code, requester_id=user.id,
                        state="draft", title=_title(manifest), purpose=manifest.purpose,
                        manifest=manifest_data, manifest_sha256=_manifest_digest(manifest_data),
                        client_key=client_key, supersedes_id=supersedes_id, created_at=now)
    for i, f in enumerate(manifest.files):
        b = blobs[f.path]
        req.files.append(EgressFile(ordinal=i, path=f.path, kind=f.kind, description=f.description,
                                    sha256=b.sha256, size=b.size, role="output"))
    for i, path in enumerate(p for p in manifest.checking_inputs() if p in blobs):
        b = blobs[path]
        req.files.append(EgressFile(ordinal=len(manifest.files) + i, path=path, kind="provenance",
                                    description="provenance sidecar: checking input, never released",
                                    sha256=b.sha256, size=b.size, role="input"))
    db.add(req)
    try:
        db.flush()
    except IntegrityError:
        # The same idempotency key raced in from a retry: the other submission won.
        db.rollback()
        old = db.execute(select(EgressRequest).where(EgressRequest.requester_id == user.id,
                                                     EgressRequest.client_key == client_key)).scalar_one_or_none()
        if old is None:
            raise
        return old, False
    _audit(db, user, "egress.draft", req, now=now, from_state=None, to_state="draft",
           files={f.path: f.sha256 for f in req.files})
    if not draft:
        req.submitted_at = now
        _refused_files_back(db, req, user, now)
        _move(db, req, "submitted", user, reason=manifest.purpose, now=now)
    db.commit()
    checkpoint("submit.committed")
    return req, True


def _title(manifest) -> str:
    first = manifest.purpose.strip().splitlines()[0] if manifest.purpose.strip() else ""
    return first[:300]


def _manifest_digest(data: dict) -> str:
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def submit_draft(db: Session, req: EgressRequest, user: User, *, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if req.requester_id != user.id:
        raise Forbidden("only the requester can submit a draft")
    if req.state != "draft":
        raise Conflict(f"request {req.id} is {req.state}, not a draft")
    may_submit(db, user, req.case_code)
    req.submitted_at = now
    _refused_files_back(db, req, user, now)
    _move(db, req, "submitted", user, reason=req.purpose, now=now)


def _refused_files_back(db: Session, req: EgressRequest, user: User, now: dt.datetime) -> None:
    """Bytes refused in an earlier request of the case come back: the committee decides after
    the reviewers (E4: a refusal is not reset by withdrawing and filing again)."""
    prior = earlier_refusal(db, req.case_code, {f.sha256 for f in req.outputs}, exclude_id=req.id)
    if prior is not None:
        req.needs_committee = True
        _audit(db, user, "egress.refused_files_back", req, now=now, earlier_request=prior.id,
               earlier_state=prior.state,
               reason=f"files refused in request {prior.id} ({prior.state}) come back unchanged: "
                      "the committee decides after the reviewers")


def check(db: Session, store: BlobStore, req: EgressRequest, *, policy,
          case_context: dict | None = None, now: dt.datetime | None = None) -> None:
    """Run the engine on a submitted request and record its findings (``submitted → checked``).

    An engine failure is recorded as a ``block`` verdict (fail closed) with the error, so a
    reviewer sees it and the request can still be sent back to the requester.
    """
    if req.state != "submitted":
        raise Conflict(f"request {req.id} is {req.state}; only a submitted request is checked")
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"egress-req-{req.id}-")))
        store.materialize([(f.path, f.sha256) for f in req.files], root)
        try:
            manifest = parse_manifest_json(req.manifest)
            history = _history(db, store, req.case_code, req.id, stack)
            db.commit()  # no lock is held while the engine runs (SQLite has one writer)
            result = run_engine(manifest, root, policy=policy, history=history,
                                case_context=case_context, comments=requester_comments(req))
            verdict, data, committee, error = result.verdict, result.to_dict(), bool(result.committee), None
        except Exception as e:  # fail closed: the request waits, blocked, for a human
            verdict, committee = "block", False
            error = f"{type(e).__name__}: {e}"
            data = {"verdict": "block", "error": error, "files": [], "findings": []}
    db.refresh(req, with_for_update=True)
    if req.state != "submitted":  # withdrawn (or checked by a recovery pass) meanwhile
        return
    now = now or utcnow()
    req.verdict, req.check_result, req.checked_at = verdict, data, now
    req.needs_committee = committee or req.needs_committee
    _move(db, req, "checked", "egress-engine", reason=f"automatic check: {verdict}", now=now,
          verdict=verdict, findings=len(data.get("findings", [])), committee=req.needs_committee,
          **({"error": error} if error else {}))


def withdraw(db: Session, req: EgressRequest, user: User, reason: str, *, now: dt.datetime | None = None) -> None:
    if req.requester_id != user.id:
        raise Forbidden("only the requester can withdraw a request")
    if req.state not in WITHDRAWABLE:
        raise Conflict(f"request {req.id} is {req.state} and can no longer be withdrawn")
    now = now or utcnow()
    req.decided_at = now
    _move(db, req, "withdrawn", user, reason=clean_text(reason, "reason") or "withdrawn by the requester",
          now=now)


# ---------------------------------------------------------------------------------------------
# Review


def can_act(db: Session, req: EgressRequest, user: User, policy) -> WorkflowError | None:
    """Why ``user`` cannot record a review on ``req`` now, as the error to raise (None: they can)."""
    if req.state not in REVIEWABLE:
        return Conflict(f"request {req.id} is {req.state}, not waiting for review")
    if (newer := superseded_by(req)) is not None:
        return Conflict(f"request {req.id} was replaced by request {newer} (a resubmission); "
                        f"review that one")
    role = stage_role(req.stage)
    if not user.has_role(role):
        return Forbidden(f"this request waits for the {req.stage} stage, which needs the role {role!r}")
    why = conflict(req, user)
    if why:
        return Forbidden(why)
    if any(r.reviewer_id == user.id for r in stage_reviews(req, req.stage)):
        return Conflict("you have already reviewed this request")
    if req.stage == "committee" and any(r.reviewer_id == user.id for r in stage_reviews(req, "review")):
        return Forbidden("the committee decision must come from someone who did not review it at "
                         "the first stage")
    return None


def review(db: Session, store: BlobStore, req: EgressRequest, user: User, decision: str,
           reason: str, *, policy, release_area=None, now: dt.datetime | None = None,
           case_context: dict | None = None) -> EgressReview:
    """Record one blind review; when the stage is complete, decide the request.  The reason is
    read by the requester once the request is decided (outside too): checked as their words."""
    now = now or utcnow()
    if decision not in DECISIONS:
        raise WorkflowError(f"decision must be one of {DECISIONS}, not {decision!r}")
    reason = clean_text(reason, "reason")
    if decision != "approve" and not reason:
        raise WorkflowError("a reason is required to request changes or reject (E4)")
    refusal = can_act(db, req, user, policy)
    if refusal is not None:
        if isinstance(refusal, Forbidden):
            # Attempts to review one's own or one's case's request are kept (A8 evidence).
            _audit(db, user, "egress.review.refused", req, reason=str(refusal), now=now,
                   decision=decision)
            db.commit()
        raise refusal
    if reason:
        refuse_leaving_words(req, reason, "reason", policy=policy, case_context=case_context,
                             reviewer=True)
    if decision == "approve" and req.verdict == "block":
        raise Conflict("the automatic check blocked this request; it cannot be approved, only sent "
                       "back for changes or rejected")
    if decision == "approve" and req.verdict is None:
        raise Conflict("the automatic check has not run yet")
    if decision == "approve" and (held := release_hold(db, req)):
        raise Conflict(held)
    need = policy.egress.approve_over_review_min_reason
    if decision == "approve" and req.verdict == "review" and len(reason) < need:
        # the check could not decide: the approval is the reviewer's own judgement, on record
        raise WorkflowError(f"the automatic check sent this request to review: approving it needs "
                            f"your reason (at least {need} characters: what you checked and why "
                            f"it is safe) (E4)")
    rv = EgressReview(request_id=req.id, reviewer_id=user.id, stage=req.stage, decision=decision,
                      reason=reason, created_at=now)
    req.reviews.append(rv)
    db.flush()
    _audit(db, user, f"egress.review.{decision}", req, reason=reason or None, now=now,
           stage=req.stage, review_id=rv.id)
    if req.state == "checked":
        _move(db, req, "in_review", user, reason="first review recorded", now=now)
    # only reviews whose authors are still independent active holders of the role decide; a
    # stage moving on (to the committee, or back) is looked at again at once
    done = counted_reviews(req, req.stage)
    while req.state in REVIEWABLE and len(done) >= required_for(req.stage, policy):
        stage = req.stage
        _decide(db, req, done, policy=policy, now=now)
        if req.stage == stage:
            break
        done = counted_reviews(req, req.stage)
    checkpoint("review.before_commit")
    db.commit()
    if req.state == "approved":
        checkpoint("approve.committed")
        if release_area is not None:
            release(db, store, release_area, req, now=now)
            db.commit()
    return rv


def _decide(db: Session, req: EgressRequest, done: list[EgressReview], *, policy,
            now: dt.datetime) -> None:
    decisions = {r.decision for r in done}
    reasons = "; ".join(r.reason for r in done if r.reason and r.decision != "approve")
    who = ",".join(str(r.reviewer_id) for r in done)
    if "reject" in decisions:
        req.decided_at, req.decision_reason = now, reasons
        _move(db, req, "rejected", "egress-workflow", reason=reasons, now=now, stage=req.stage, reviewers=who)
    elif "changes" in decisions:
        req.decided_at, req.decision_reason = now, reasons
        _move(db, req, "changes_requested", "egress-workflow", reason=reasons, now=now,
              stage=req.stage, reviewers=who)
    elif req.stage == "review" and req.needs_committee:
        req.stage = "committee"
        _audit(db, "egress-workflow", "egress.committee", req, now=now,
               reason="independent reviews approved; models, figures or imaging need the committee (E5)")
    elif req.stage == "committee" and len(counted_reviews(req, "review")) < required_for("review", policy):
        # a first-stage approval no longer counts (its reviewer joined the case, lost the role
        # ...): the request goes back to the reviewers instead of leaving on it
        req.stage = "review"
        _audit(db, "egress-workflow", "egress.review_reopened", req, now=now,
               reason="a first-stage review no longer counts: "
                      + "; ".join(w for r in stage_reviews(req, "review") if (w := why_not_counted(req, r))))
    else:
        req.decided_at = req.approved_at = now
        req.decision_reason = f"approved by {len(done)} {req.stage} decision(s)"
        _move(db, req, "approved", "egress-workflow", reason=req.decision_reason, now=now,
              stage=req.stage, reviewers=who)


# ---------------------------------------------------------------------------------------------
# Release (O2)


def release(db: Session, store: BlobStore, area, req: EgressRequest, *, now: dt.datetime | None = None) -> None:
    """Copy an approved request's files to the release area, then mark it ``released``."""
    if req.state != "approved":
        raise Conflict(f"request {req.id} is {req.state}; only an approved request is released")
    area.publish(req, store)
    now = now or utcnow()
    req.released_at = now
    _move(db, req, "released", "egress-workflow", reason="files placed in the release area", now=now,
          files={f.path: f.sha256 for f in req.outputs})


def download_deadline(req: EgressRequest, policy) -> dt.datetime | None:
    if req.approved_at is None:
        return None
    return req.approved_at + dt.timedelta(days=policy.egress.release_download_days)


def expire_releases(db: Session, area, *, policy, now: dt.datetime | None = None) -> list[int]:
    """Delete the release-area copies of requests whose download window is over (O2); the store
    keeps the files for the retention period.  Returns the request ids swept."""
    now = now or utcnow()
    swept = []
    for req in db.execute(select(EgressRequest).where(EgressRequest.state == "released")).scalars():
        deadline = download_deadline(req, policy)
        if deadline is not None and now > deadline and area.remove(req.id):
            _audit(db, "egress-release", "egress.release.expired", req, now=now,
                   reason=f"download window of {policy.egress.release_download_days} days ended "
                          f"{deadline.isoformat()}")
            swept.append(req.id)
    return swept
