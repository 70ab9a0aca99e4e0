"""HTTP API of the import review (D4) and of sharing between cases (P13).

``router`` (prefix ``/api/imports``) is mounted by the hosting app, which provides
``app.state.db_url`` and ``app.state.policy`` (``enclave.web.deps``) and may provide
``app.state.ingress_store`` (a :class:`BlobStore` for import files), ``app.state.egress``
(the egress service, whose ``store`` holds released outputs) and
``app.state.ingress_projects_dir``; otherwise the settings' defaults are used.  It belongs on the
internal side (sessions and reviewers), never on the external release host.
"""
from __future__ import annotations

import json
from pathlib import Path

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path as PathParam, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from egress_review.ingress import workflow as wf
from egress_review.ingress.checks import ImportItem
from egress_review.ingress.models import ImportRequest
from egress_review.store import BlobStore, service_store
from enclave.accounts.models import User
from enclave.cases.models import Case
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy

router = APIRouter(prefix="/api/imports", tags=["imports"])
MAX_ID = 2**31 - 1  # ids are 32-bit on every backend: larger numbers are refused (422), never a 500
RID = Annotated[int, PathParam(ge=1, le=MAX_ID, description="import request id")]
STAFF = ("reviewer", "committee", "steward", "admin")


def _store(request: Request) -> BlobStore:
    st = getattr(request.app.state, "ingress_store", None)
    return st if st is not None else wf.import_store()


def _egress_store(request: Request) -> BlobStore:
    svc = getattr(request.app.state, "egress", None)
    if svc is not None and getattr(svc, "store", None) is not None:
        return svc.store
    from enclave.settings import get_settings

    return service_store(get_settings().egress_store_dir)


def _projects(request: Request) -> Path | None:
    return getattr(request.app.state, "ingress_projects_dir", None)


def _fail(e: wf.WorkflowError) -> HTTPException:
    return HTTPException(status_code=e.status, detail=str(e))


def _can_view(db: Session, req: ImportRequest, user: User) -> bool:
    if req.requester_id == user.id or any(user.has_role(r) for r in STAFF):
        return True
    case = db.execute(select(Case).where(Case.code == req.case_code)).scalar_one_or_none()
    return case is not None and wf.is_member(case, user)


def _get(db: Session, rid: int, user: User) -> ImportRequest:
    req = db.get(ImportRequest, rid)
    if req is None or not _can_view(db, req, user):
        # same answer for missing and not yours: do not reveal other cases' requests
        raise HTTPException(status_code=404, detail=f"import request {rid} not found")
    return req


class FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(..., min_length=1, max_length=400)
    kind: str
    description: str = Field("", max_length=2000)


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str
    reason: str = Field(..., max_length=20_000)


class ShareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_request_id: int = Field(..., ge=1, le=MAX_ID)
    paths: list[str] = Field(..., min_length=1)
    target_case: str = Field(..., min_length=1, max_length=40)
    purpose: str = Field(..., max_length=20_000)
    kinds: dict[str, str] = Field(default_factory=dict)


@router.post("", status_code=201, summary="Submit an import request (files + kinds + purpose)")
async def submit(request: Request, case_code: str = Form(..., max_length=40),
                 purpose: str = Form(...), files_json: str = Form(..., description=(
                     'JSON list, one entry per upload in the same order: '
                     '[{"path": ..., "kind": "training_set|model|code|reference", "description": ...}]')),
                 uploads: list[UploadFile] = File(...), db: Session = Depends(get_db),
                 policy=Depends(get_policy), user: User = Depends(current_user)):
    try:
        specs = [FileSpec(**d) for d in json.loads(files_json)]
    except (ValueError, TypeError) as e:
        raise HTTPException(422, f"files_json: not a JSON list of {{path, kind, description}} ({e})") from None
    if len(specs) != len(uploads):
        raise HTTPException(422, f"files_json lists {len(specs)} files but {len(uploads)} were uploaded")
    limit = policy.egress.import_max_file_bytes
    items = []
    for spec, up in zip(specs, uploads):
        data = await up.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"file {spec.path!r} is larger than {limit} bytes")
        items.append(ImportItem(path=spec.path, kind=spec.kind, data=data, description=spec.description))
    try:
        req = wf.submit_import(db, _store(request), user, case_code, purpose, items, policy=policy)
    except wf.WorkflowError as e:
        raise _fail(e) from None
    return wf.to_dict(req)


@router.post("/share", status_code=201, summary="Propose sharing released derived files with a later case (P13)")
def share(body: ShareBody, request: Request, db: Session = Depends(get_db), policy=Depends(get_policy),
          user: User = Depends(current_user)):
    try:
        req = wf.propose_share(db, _store(request), _egress_store(request), user,
                               source_request_id=body.source_request_id, paths=body.paths,
                               target_case=body.target_case, purpose=body.purpose,
                               kinds=body.kinds, policy=policy)
    except wf.WorkflowError as e:
        raise _fail(e) from None
    return wf.to_dict(req)


@router.get("", summary="Import requests the caller may see")
def list_imports(case: str | None = Query(None, max_length=40), state: str | None = Query(None, max_length=20), db: Session = Depends(get_db),
                 user: User = Depends(current_user)):
    q = select(ImportRequest).order_by(ImportRequest.id)
    if case:
        q = q.where(ImportRequest.case_code == case)
    if state:
        q = q.where(ImportRequest.state == state)
    return [wf.to_dict(r, with_findings=False) for r in db.execute(q).scalars() if _can_view(db, r, user)]


@router.get("/{rid}", summary="One import request with its check findings and reviews")
def get_import(rid: RID, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return wf.to_dict(_get(db, rid, user))


@router.post("/{rid}/review", summary="Approve or reject (reviewer; then committee for imaging models/training sets)")
def review(rid: RID, body: ReviewBody, request: Request, db: Session = Depends(get_db),
           policy=Depends(get_policy), user: User = Depends(current_user)):
    req = _get(db, rid, user)
    try:
        req = wf.review_import(db, _store(request), req, user, body.decision, body.reason,
                               policy=policy, projects_dir=_projects(request))
    except wf.WorkflowError as e:
        # keep the audit record of a refused attempt: commit it before answering
        if isinstance(e, wf.Forbidden):
            db.commit()
        raise _fail(e) from None
    return wf.to_dict(req)


@router.get("/{rid}/files/{path:path}", summary="Read one file of an import (reviewers and committee)")
def read_file(rid: RID, path: str, request: Request, db: Session = Depends(get_db),
              user: User = Depends(current_user)):
    req = _get(db, rid, user)
    if not (user.has_role("reviewer") or user.has_role("committee")):
        raise HTTPException(403, "only reviewers and the committee read the files of an import")
    f = next((f for f in req.files if f.path == path), None)
    if f is None:
        raise HTTPException(404, f"{path!r} is not a file of import request {rid}")
    store = _store(request)
    if not store.exists(f.sha256):
        raise HTTPException(410, f"{path!r} was not kept: the automatic checks blocked this import")
    wf.audit_read(db, user, req, f.path)
    # served as an opaque download: never rendered by the reviewer's browser
    return Response(store.read_bytes(f.sha256), media_type="application/octet-stream",
                    headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})
