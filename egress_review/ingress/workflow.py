"""Import requests (D4) and shares between cases (P13): submit, check, review, deliver.

::

    submitted ─► blocked                       (the automatic checks refused it)
              └► in_review ─► rejected
                   │ (reviewer)  └ imaging model/training set: committee stage first
                   ▼
                 approved ─► delivered         (files copied read-only into the case)

- Only an active member of an approved/active case submits for it (or, for a share, proposes
  into it).  The requester and members of the case never review it.
- Reviewers decide the ``review`` stage; imaging models and training sets then need
  ``import_committee_reviews_required`` committee members (D4, with E5's committee).
- Delivery writes ``<projects_dir>/<case>/imports/<request id>/`` through a temporary directory
  and one ``rename``: the folder appears whole or not at all; files are 0444, folders 0555.
- Every step is audited in the same transaction as the change (component ``ingress``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from egress_review.ingress.checks import KINDS, ImportInputError, ImportItem, check_import
from egress_review.ingress.models import DECISIONS, ImportFile, ImportRequest, ImportReview
from egress_review.store import Blob, BlobStore, safe_relpath, service_store
from egress_review.visibility import case_conflict
from egress_review.workflow import Conflict, Forbidden, NotFound, WorkflowError, clean_text
from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.cases.models import Case
from enclave.core.state_machine import StateMachine, table
from enclave.db import utcnow

COMPONENT = "ingress"
OPEN_CASE = ("approved", "active")
# Egress file kinds -> import kinds, when a released output is shared (P13).
SHARE_KIND = {"code": "code", "notebook": "code", "model": "model", "table": "reference",
              "text": "reference", "figure": "reference"}

__all__ = ["import_store", "submit_import", "review_import", "decision_refusal", "propose_share", "deliver",
           "import_dir", "audit_read", "WorkflowError", "Forbidden", "Conflict", "NotFound"]

# A file brought in (P13, D4): the checks block it or send it to review; reviewers (and the
# committee for models) decide; an approved import is delivered into the case at once.
STATES = StateMachine("import request", "submitted", table(
    submitted="blocked in_review",
    in_review="approved rejected",
    approved="delivered",
    blocked="", rejected="", delivered=""), error=Conflict)


def import_store(root: Path | str | None = None) -> BlobStore:
    """The content-addressed store for import files (default: ``<egress store>/ingress``)."""
    if root is None:
        from enclave.settings import get_settings

        root = get_settings().egress_store_dir / "ingress"
    return service_store(root)


def _projects_dir(projects_dir: Path | None) -> Path:
    if projects_dir is not None:
        return Path(projects_dir)
    from enclave.settings import get_settings

    return get_settings().projects_dir


def import_dir(case_code: str, request_id: int, projects_dir: Path | None = None) -> Path:
    return _projects_dir(projects_dir) / safe_relpath(case_code) / "imports" / str(request_id)


def _audit(db: Session, actor: User | str, action: str, req: ImportRequest, *,
           reason: str | None = None, now: dt.datetime | None = None, **detail: Any) -> None:
    name = actor.username if isinstance(actor, User) else actor
    append(db, AuditEntry(COMPONENT, name, action, case_code=req.case_code,
                          subject=f"import_request:{req.id}", reason=reason, detail=detail), now=now)


def _open_case(db: Session, code: str) -> Case:
    case = db.execute(select(Case).where(Case.code == code)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"case {code!r} does not exist")
    if case.status not in OPEN_CASE:
        raise Conflict(f"case {code!r} is {case.status}; imports go only to approved or active cases")
    return case


def is_member(case: Case, user: User) -> bool:
    return any(m.user_id == user.id and m.removed_at is None for m in case.members)


def _create(db: Session, store: BlobStore, user: User, case: Case, purpose: str,
            items: list[ImportItem], *, policy, now: dt.datetime, source: str = "upload",
            source_case_code: str | None = None, source_egress_id: int | None = None) -> ImportRequest:
    purpose = clean_text(purpose, "purpose").strip()
    if not purpose:
        raise WorkflowError("purpose: say what the files are for (D4 security review)")
    if not items:
        raise WorkflowError("an import needs at least one file")
    for it in items:
        try:
            safe_relpath(it.path)
        except ValueError as e:
            raise WorkflowError(str(e)) from None
        if it.kind not in KINDS:
            raise WorkflowError(f"file {it.path!r}: kind {it.kind!r} is not one of {', '.join(KINDS)}")
    # Check first (pure), then store the blobs, then the rows: a row never names a missing blob.
    from egress_review.bounded import OverBudget, run_bounded
    from egress_review.engine.warm import warm

    try:    # in a child with a CPU budget, as the egress check: crafted files cannot hold a worker
        result = run_bounded(check_import, items, imaging=case.imaging, policy=policy.egress,
                             case_code=case.code, cpu_seconds=policy.egress.engine_cpu_seconds,
                             what="the import's checks", warm=warm)
    except ImportInputError as e:
        raise WorkflowError(str(e)) from None
    except OverBudget as e:     # nothing stored: the requester still has the files
        raise WorkflowError(f"{e}; bring the files in as several smaller imports", status=422) from None
    # A blocked import is never kept: what D4 forbids must not sit in the enclave's store either.
    # Its rows keep the checksums and sizes as evidence.
    if result.verdict == "block":
        blobs = {it.path: Blob(hashlib.sha256(it.data).hexdigest(), len(it.data)) for it in items}
    else:
        blobs = {it.path: store.put_bytes(it.data) for it in items}
    req = ImportRequest(case_code=case.code, requester_id=user.id, purpose=purpose, state="submitted",
                        stage="review", source=source, source_case_code=source_case_code,
                        source_egress_id=source_egress_id, created_at=now,
                        needs_committee=result.committee)
    for i, it in enumerate(items):
        req.files.append(ImportFile(ordinal=i, path=it.path, kind=it.kind,
                                    description=clean_text(it.description, "description"),
                                    sha256=blobs[it.path].sha256, size=blobs[it.path].size))
    db.add(req)
    db.flush()
    _audit(db, user, "import.submitted", req, now=now, source=source,
           files=[{"path": f.path, "kind": f.kind, "sha256": f.sha256} for f in req.files],
           **({"source_case": source_case_code, "source_egress_request": source_egress_id}
              if source == "share" else {}))
    req.verdict = result.verdict
    req.check_result = result.to_dict()
    STATES.move(req, "blocked" if result.verdict == "block" else "in_review")
    _audit(db, "ingress-checks", f"import.{req.state}", req, now=now, verdict=result.verdict,
           committee=req.needs_committee, findings=len(result.findings),
           rules=sorted({f.rule for f in result.findings}), stored=result.verdict != "block")
    return req


def submit_import(db: Session, store: BlobStore, user: User, case_code: str, purpose: str,
                  items: list[ImportItem], *, policy, now: dt.datetime | None = None) -> ImportRequest:
    """A member of ``case_code`` asks to bring ``items`` in; the checks run at once."""
    now = now or utcnow()
    case = _open_case(db, case_code)
    if not is_member(case, user):
        raise Forbidden(f"{user.username} is not a member of case {case_code}")
    return _create(db, store, user, case, purpose, items, policy=policy, now=now)


def propose_share(db: Session, store: BlobStore, egress_store: BlobStore, user: User, *,
                  source_request_id: int, paths: list[str], target_case: str, purpose: str,
                  kinds: dict[str, str] | None = None, policy,
                  now: dt.datetime | None = None) -> ImportRequest:
    """P13: offer derived files or procedures (code) that left ``source_request_id`` (a
    *released* egress request of the proposer's case) to a later case, through the import checks
    and review.  The proposer must be a member of the source case; the target must be another
    approved/active case."""
    from egress_review.models import EgressRequest

    now = now or utcnow()
    src = db.get(EgressRequest, source_request_id)
    if src is None:
        raise NotFound(f"egress request {source_request_id} does not exist")
    src_case = db.execute(select(Case).where(Case.code == src.case_code)).scalar_one_or_none()
    # a current member only: having asked for the release once is no right after leaving the case
    if src_case is None or not is_member(src_case, user):
        raise Forbidden(f"{user.username} is not a member of case {src.case_code}, whose outputs these are")
    if src.state != "released":
        raise Conflict(f"egress request {src.id} is {src.state}: only released outputs may be shared (P13)")
    if target_case == src.case_code:
        raise WorkflowError("the target case is the source case; sharing is for another, later case")
    target = _open_case(db, target_case)
    if src_case.created_at and target.created_at and target.created_at < src_case.created_at:
        raise Conflict(f"case {target_case} predates case {src.case_code}: shares go to later cases (P13)")
    if not paths:
        raise WorkflowError("name at least one released file to share")
    outputs = {f.path: f for f in src.outputs}
    kinds = kinds or {}
    items = []
    for p in paths:
        f = outputs.get(p)
        if f is None:
            raise NotFound(f"{p!r} is not a released output of egress request {src.id} "
                           f"(outputs: {', '.join(sorted(outputs)) or 'none'})")
        items.append(ImportItem(path=p, kind=kinds.get(p, SHARE_KIND.get(f.kind, "reference")),
                                data=egress_store.read_bytes(f.sha256), description=f.description))
    return _create(db, store, user, target, purpose, items, policy=policy, now=now, source="share",
                   source_case_code=src.case_code, source_egress_id=src.id)


def _required(stage: str, policy) -> int:
    return policy.egress.import_committee_reviews_required if stage == "committee" else 1


def review_import(db: Session, store: BlobStore, req: ImportRequest, user: User, decision: str,
                  reason: str, *, policy, projects_dir: Path | None = None,
                  now: dt.datetime | None = None) -> ImportRequest:
    """One reviewer's (or committee member's) decision; on the last approval the files are
    delivered into the case."""
    now = now or utcnow()
    if decision not in DECISIONS:
        raise WorkflowError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    reason = clean_text(reason, "reason").strip()
    if not reason:
        raise WorkflowError("reason: a decision needs a reason")
    if req.state != "in_review":
        raise Conflict(f"import request {req.id} is {req.state}, not in review")
    if req.requester_id == user.id:
        _audit(db, user, "import.review.refused", req, reason="own request", now=now)
        raise Forbidden("you may not review your own import request")
    role = "committee" if req.stage == "committee" else "reviewer"
    if not user.has_role(role):
        raise Forbidden(f"the {req.stage} stage is decided by the {role} role")
    why = case_conflict(db, user, req.case_code, req.source_case_code)
    if why:
        _audit(db, user, "import.review.refused", req, reason=why, now=now)
        raise Forbidden(f"{why}: you may not review its imports")
    if any(r.reviewer_id == user.id and r.stage == req.stage for r in req.reviews):
        raise Conflict(f"{user.username} has already decided the {req.stage} stage of request {req.id}")
    if req.stage == "committee" and any(r.reviewer_id == user.id for r in req.reviews):
        raise Forbidden(f"{user.username} already reviewed request {req.id}; the committee decision "
                        "needs another person")
    req.reviews.append(ImportReview(reviewer_id=user.id, stage=req.stage, decision=decision,
                                    reason=reason, created_at=now))
    db.flush()
    _audit(db, user, f"import.review.{decision}", req, reason=reason, now=now, stage=req.stage)
    if decision == "reject":
        STATES.move(req, "rejected")
        req.decided_at = now
        req.decision_reason = reason
        _audit(db, user, "import.rejected", req, reason=reason, now=now, stage=req.stage)
        return req
    approvals = [r for r in req.reviews if r.stage == req.stage and r.decision == "approve"]
    if len(approvals) < _required(req.stage, policy):
        return req
    if req.stage == "review" and req.needs_committee:
        req.stage = "committee"
        _audit(db, "ingress-workflow", "import.committee", req, now=now,
               reason="imaging model or training set: committee approval (D4)")
        return req
    STATES.move(req, "approved")
    req.decided_at = now
    req.decision_reason = reason
    _audit(db, user, "import.approved", req, reason=reason, now=now)
    target = deliver(store, req, projects_dir)
    STATES.move(req, "delivered")
    req.delivered_at = now
    _audit(db, "ingress-workflow", "import.delivered", req, now=now, path=str(target),
           files=[{"path": f.path, "sha256": f.sha256} for f in req.files])
    return req


def decision_refusal(db: Session, req: ImportRequest, user: User) -> str | None:
    """Why ``user`` cannot decide ``req`` now (None: they can) - the same rules as
    :func:`review_import`, for a page to show before anyone tries."""
    if req.state != "in_review":
        return f"import request {req.id} is {req.state}, not in review"
    if req.requester_id == user.id:
        return "you may not review your own import request"
    role = "committee" if req.stage == "committee" else "reviewer"
    if not user.has_role(role):
        return f"the {req.stage} stage is decided by the {role} role"
    why = case_conflict(db, user, req.case_code, req.source_case_code)
    if why:
        return f"{why}: you may not review its imports"
    if any(r.reviewer_id == user.id and r.stage == req.stage for r in req.reviews):
        return f"you have already decided the {req.stage} stage"
    if req.stage == "committee" and any(r.reviewer_id == user.id for r in req.reviews):
        return "you reviewed this request; the committee decision needs another person"
    return None


def audit_read(db: Session, user: User, req: ImportRequest, path: str) -> None:
    """A reviewer opened one file of the request."""
    _audit(db, user, "import.file.read", req, path=path)


def _tree_matches(target: Path, req: ImportRequest) -> bool:
    for f in req.files:
        p = target / safe_relpath(f.path)
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != f.sha256:
            return False
    return True


def deliver(store: BlobStore, req: ImportRequest, projects_dir: Path | None = None) -> Path:
    """Copy an approved request's files into ``<projects>/<case>/imports/<id>/``, read-only,
    atomically.  Idempotent: an existing folder with exactly these files is accepted (a retry
    after a crash between the rename and the commit)."""
    if req.state not in ("approved", "delivered"):
        raise Conflict(f"import request {req.id} is {req.state}; only approved imports are delivered")
    target = import_dir(req.case_code, req.id, projects_dir)
    if target.exists():
        if _tree_matches(target, req):
            return target
        raise Conflict(f"{target} exists with other content; refusing to overwrite")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{req.id}-", dir=target.parent))
    try:
        for f in req.files:
            dest = tmp / safe_relpath(f.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with store.open(f.sha256) as src, open(dest, "xb") as out:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(dest, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444
        for d in sorted((p for p in tmp.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            os.chmod(d, 0o555)
        os.chmod(tmp, 0o555)
        os.rename(tmp, target)
        fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        if tmp.exists():
            for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
                os.chmod(d, 0o755)
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def to_dict(req: ImportRequest, *, with_findings: bool = True) -> dict:
    out = {"id": req.id, "case_code": req.case_code, "requester_id": req.requester_id,
           "purpose": req.purpose, "state": req.state, "stage": req.stage, "verdict": req.verdict,
           "needs_committee": req.needs_committee, "source": req.source,
           "source_case_code": req.source_case_code, "source_egress_id": req.source_egress_id,
           "created_at": req.created_at.isoformat() if req.created_at else None,
           "decided_at": req.decided_at.isoformat() if req.decided_at else None,
           "delivered_at": req.delivered_at.isoformat() if req.delivered_at else None,
           "decision_reason": req.decision_reason,
           "files": [{"path": f.path, "kind": f.kind, "description": f.description,
                      "sha256": f.sha256, "size": f.size} for f in req.files],
           "reviews": [{"reviewer_id": r.reviewer_id, "stage": r.stage, "decision": r.decision,
                        "reason": r.reason, "at": r.created_at.isoformat()} for r in req.reviews]}
    if with_findings:
        out["check_result"] = req.check_result
    return out
