"""JSON API: submit and pre-check from a session, review, comment, withdraw, download (O2)."""
from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.web.deps import get_db
from egress_review.api import EgressService, service
from egress_review.api.auth import caller, in_session
from egress_review.models import EgressDownload, EgressFile, EgressRequest
from egress_review.release import ReleaseError, build_zip
from egress_review import workflow as wf
from egress_review.comments import MAX_COMMENT, earlier_requests, file_threads, request_comments

router = APIRouter(prefix="/api", tags=["egress"])  # inside: sessions and reviewers
release_router = APIRouter(prefix="/api", tags=["release"])  # outside: the release area (O2)
common_router = APIRouter(prefix="/api", tags=["common"])

MAX_ID = 2**31 - 1  # ids are 32-bit on every backend; larger numbers are refused with 422
RID = Annotated[int, Path(ge=1, le=MAX_ID, description="request id")]
FID = Annotated[int, Path(ge=1, le=MAX_ID, description="file id")]


# -- schemas -----------------------------------------------------------------------------------

class FileOut(BaseModel):
    id: int
    path: str
    kind: str
    description: str
    sha256: str
    size: int


class ReviewOut(BaseModel):
    id: int
    reviewer: str
    stage: str
    decision: str
    reason: str
    created_at: dt.datetime


class CommentOut(BaseModel):
    id: int
    author: str
    visibility: str
    body: str
    created_at: dt.datetime
    file_id: int | None = Field(None, description="the file whose thread holds it; none: the request")


class ThreadOut(BaseModel):
    file_id: int
    path: str = Field(description="empty in a redacted view")
    comments: list[CommentOut]


class EarlierOut(BaseModel):
    """A request this one replaces (``supersedes``, followed back), with its threads."""
    id: int
    state: str
    redacted: bool
    comments: list[CommentOut]
    threads: list[ThreadOut]


class RequestOut(BaseModel):
    id: int
    redacted: bool = Field(False, description="true when the requester asks from outside a session: "
                                              "unreviewed content (purpose, file names, findings) "
                                              "is shown only inside the enclave")
    case_code: str
    requester: str
    state: str
    stage: str
    title: str
    purpose: str
    verdict: str | None
    needs_committee: bool
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    released_at: dt.datetime | None
    download_until: dt.datetime | None
    decision_reason: str | None
    reviews_required: int
    reviews_in: int
    supersedes: int | None = Field(None, description="the earlier request this one replaces")
    files: list[FileOut]


class RequestDetail(RequestOut):
    manifest: dict[str, Any]
    check_result: dict[str, Any] | None
    reviews: list[ReviewOut]
    comments: list[CommentOut] = Field(description="comments on the request as a whole")
    threads: list[ThreadOut] = Field(description="each output file's comment thread")
    earlier: list[EarlierOut] = Field(description="requests this one replaces, newest first")
    can_review: bool
    why_not: str | None


class Created(BaseModel):
    id: int
    state: str
    verdict: str | None
    created: bool


class In(BaseModel):
    """A request body: an unknown field ("state", "approved", "reviewer_id"...) is refused with
    422, never silently dropped - nothing a caller writes decides who it is or what it may do."""
    model_config = ConfigDict(extra="forbid")


class ReviewIn(In):
    decision: Literal["approve", "changes", "reject"]
    reason: str = Field("", max_length=10_000)


class CommentIn(In):
    body: str = Field(..., min_length=1, max_length=MAX_COMMENT)
    visibility: Literal["public", "private"] = "public"


class WithdrawIn(In):
    reason: str = Field("", max_length=10_000)


class ZipIn(In):
    password: str = Field(..., min_length=1, max_length=200)


class ReleaseFileOut(BaseModel):
    id: int
    path: str
    sha256: str
    size: int
    status: str
    downloads: int


class ReleaseOut(BaseModel):
    request_id: int
    case_code: str
    title: str
    state: str
    status: str
    approved_at: dt.datetime | None
    download_until: dt.datetime | None
    files: list[ReleaseFileOut]


# -- helpers -----------------------------------------------------------------------------------

def _names(db: Session, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u.username for u in db.execute(select(User).where(User.id.in_(ids))).scalars()}


def redacts(req: EgressRequest, user: User, inside: bool) -> bool:
    """Unreviewed content goes back to its author only inside a session: purpose, file names,
    sizes, checksums and findings are written or derived from data inside the enclave, and
    showing them outside before approval would be a way round the review (E4, E7).  A
    reviewer role does not change that for the requester, nor for a reviewer who is or was in
    the case: only an independent reviewer sees unreviewed content outside."""
    if req.state in ("approved", "released") or wf.independent_reviewer(req, user):
        return False
    return not (req.requester_id == user.id and inside)


def summary(db: Session, req: EgressRequest, svc: EgressService, names: dict[int, str] | None = None,
            *, redact: bool = False) -> dict:
    names = names if names is not None else _names(db, [req.requester_id])
    stage_req = wf.required_for(req.stage, svc.policy)
    d = dict(
        id=req.id, redacted=redact, case_code=req.case_code, requester=names.get(req.requester_id, "?"),
        state=req.state, stage=req.stage, title=req.title, purpose=req.purpose, verdict=req.verdict,
        needs_committee=req.needs_committee, created_at=req.created_at,
        submitted_at=req.submitted_at, approved_at=req.approved_at, released_at=req.released_at,
        download_until=wf.download_deadline(req, svc.policy), decision_reason=req.decision_reason,
        reviews_required=stage_req, reviews_in=len(wf.stage_reviews(req, req.stage)),
        supersedes=req.supersedes_id,
        files=[dict(id=f.id, path=f.path, kind=f.kind, description=f.description, sha256=f.sha256,
                    size=f.size) for f in req.outputs])
    if redact:
        d.update(title="", purpose="", verdict=None,
                 files=[dict(id=f.id, path="", kind="", description="", sha256="", size=0) for f in req.outputs])
    return d


def _comments(req: EgressRequest, user: User, svc: EgressService, redact: bool):
    """Request comments and file threads as ``user`` may read them; a redacted view leaves out
    the requester's own words (written inside, not yet reviewed) and the file names."""
    def keep(cs):
        return [c for c in cs if not (redact and c.author_id == req.requester_id)]

    threads = file_threads(req, user, svc.policy)
    return keep(request_comments(req, user, svc.policy)), [
        (f.id, "" if redact else f.path, keep(threads[f.id])) for f in req.outputs]


def _comment_dict(c, names: dict[int, str]) -> dict:
    return dict(id=c.id, author=names.get(c.author_id, "?"), visibility=c.visibility, body=c.body,
                created_at=c.created_at, file_id=c.file_id)


def detail(db: Session, req: EgressRequest, user: User, svc: EgressService, *, inside: bool = False) -> dict:
    redact = redacts(req, user, inside)
    reviews = wf.visible_reviews(req, user, svc.policy)
    comments, threads = _comments(req, user, svc, redact)
    earlier = []
    for e in earlier_requests(db, req, user):
        e_redact = redacts(e, user, inside)
        earlier.append((e, e_redact, *_comments(e, user, svc, e_redact)))
    authors = [c.author_id for c in comments] + [c.author_id for _, _, cs in threads for c in cs]
    for _, _, ec, et in earlier:
        authors += [c.author_id for c in ec] + [c.author_id for _, _, cs in et for c in cs]
    names = _names(db, [req.requester_id] + [r.reviewer_id for r in reviews] + authors)
    refusal = wf.can_act(db, req, user, svc.policy) if wf.is_reviewer(user) else \
        wf.Forbidden("reviewers only")
    d = summary(db, req, svc, names, redact=redact)
    d.update(manifest={} if redact else req.manifest, check_result=None if redact else req.check_result,
             reviews=[dict(id=r.id, reviewer=names.get(r.reviewer_id, "?"), stage=r.stage,
                           decision=r.decision, reason=r.reason, created_at=r.created_at) for r in reviews],
             comments=[_comment_dict(c, names) for c in comments],
             threads=[dict(file_id=fid, path=path, comments=[_comment_dict(c, names) for c in cs])
                      for fid, path, cs in threads],
             earlier=[dict(id=e.id, state=e.state, redacted=er,
                           comments=[_comment_dict(c, names) for c in ec],
                           threads=[dict(file_id=fid, path=path, comments=[_comment_dict(c, names) for c in cs])
                                    for fid, path, cs in et])
                      for e, er, ec, et in earlier],
             can_review=refusal is None, why_not=str(refusal) if refusal else None)
    return d


def load(db: Session, rid: int, user: User, *, lock: bool = False) -> EgressRequest:
    req = db.get(EgressRequest, rid, with_for_update=lock) if lock else db.get(EgressRequest, rid)
    if req is None or not wf.can_view(req, user):
        # Same answer for "no such request" and "not yours": do not reveal other requests.
        raise wf.NotFound(f"no egress request {rid} visible to you")
    return req


def _uploads(files: list[UploadFile]) -> list[wf.Upload]:
    out = []
    for f in files:
        if not f.filename:
            raise wf.WorkflowError("every uploaded file needs a file name (its path in the manifest)")
        out.append(wf.Upload(path=f.filename, stream=f.file))
    return out


# -- session side: pre-check and submit -------------------------------------------------------

@common_router.get("/health")
def health() -> dict:
    return {"status": "ok"}


@common_router.get("/me")
def me(user: User = Depends(caller)) -> dict:
    return {"username": user.username, "roles": user.role_names}


@router.post("/precheck")
def precheck(manifest: str = Form(..., description="the request manifest as JSON"),
             files: list[UploadFile] = File(..., description="the files; each file name is its "
                                                               "path in the manifest"),
             user: User = Depends(caller), db: Session = Depends(get_db),
             svc: EgressService = Depends(service)) -> dict:
    """Run the same checks as a submission; nothing is stored."""
    m = wf.parse_manifest_json(manifest)
    wf.may_submit(db, user, m.case_code)
    result = wf.precheck(db, svc.store, m, _uploads(files), policy=svc.policy,
                         case_context=svc.case_context(m.case_code))
    return result.to_dict()


@router.post("/requests", status_code=201, response_model=Created,
             responses={200: {"model": Created, "description": "repeated idempotency key"}})
def submit(manifest: str = Form(..., description="the request manifest as JSON"),
           files: list[UploadFile] = File(...),
           draft: bool = Form(False, description="keep as a draft instead of submitting"),
           idempotency_key: str | None = Form(None, max_length=80),
           supersedes: int | None = Form(None, ge=1, le=MAX_ID,
                                          description="id of the request this one replaces"),
           user: User = Depends(caller), db: Session = Depends(get_db),
           svc: EgressService = Depends(service)):
    """Submit an egress request (files + manifest); the automatic check runs before the answer."""
    m = wf.parse_manifest_json(manifest)
    req, created = wf.submit_new(db, svc.store, user, m, json.loads(manifest), _uploads(files),
                                 policy=svc.policy, draft=draft, client_key=idempotency_key,
                                 supersedes_id=supersedes, now=svc.now())
    if req.state == "submitted":
        wf.check(db, svc.store, req, policy=svc.policy,
                 case_context=svc.case_context(req.case_code), now=svc.now())
    body = Created(id=req.id, state=req.state, verdict=req.verdict, created=created)
    return JSONResponse(body.model_dump(), status_code=201 if created else 200)


@router.get("/requests", response_model=list[RequestOut])
def list_requests(request: Request, state: str | None = None, user: User = Depends(caller),
                  db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    """Your own requests; for reviewers, every request (filter with ``state``)."""
    q = select(EgressRequest).order_by(EgressRequest.id)
    if not wf.is_reviewer(user):
        q = q.where(EgressRequest.requester_id == user.id)
    else:  # reviewers see every submitted request, and drafts only of their own
        q = q.where(or_(EgressRequest.state != "draft", EgressRequest.requester_id == user.id))
    if state:
        q = q.where(EgressRequest.state == state)
    rows = db.execute(q).scalars().all()
    names = _names(db, [r.requester_id for r in rows])
    inside = in_session(request)
    return [summary(db, r, svc, names, redact=redacts(r, user, inside)) for r in rows]


@router.get("/requests/{rid}", response_model=RequestDetail)
def get_request(rid: RID, request: Request, user: User = Depends(caller), db: Session = Depends(get_db),
                svc: EgressService = Depends(service)):
    return detail(db, load(db, rid, user), user, svc, inside=in_session(request))


@router.post("/requests/{rid}/submit", response_model=Created)
def submit_draft(rid: RID, user: User = Depends(caller), db: Session = Depends(get_db),
                 svc: EgressService = Depends(service)):
    req = load(db, rid, user, lock=True)
    wf.submit_draft(db, req, user, now=svc.now())
    db.commit()
    wf.check(db, svc.store, req, policy=svc.policy,
             case_context=svc.case_context(req.case_code), now=svc.now())
    return Created(id=req.id, state=req.state, verdict=req.verdict, created=False)


@router.post("/requests/{rid}/withdraw", response_model=RequestOut)
def withdraw(rid: RID, body: WithdrawIn, request: Request, user: User = Depends(caller),
             db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    req = load(db, rid, user, lock=True)
    wf.withdraw(db, req, user, body.reason, now=svc.now())
    return summary(db, req, svc, redact=redacts(req, user, in_session(request)))


# -- reviewer side -----------------------------------------------------------------------------

@router.post("/requests/{rid}/reviews", response_model=RequestDetail)
def add_review(rid: RID, body: ReviewIn, user: User = Depends(caller), db: Session = Depends(get_db),
               svc: EgressService = Depends(service)):
    """Record your review (blind: others' reviews stay hidden until yours is in)."""
    req = load(db, rid, user, lock=True)
    wf.review(db, svc.store, req, user, body.decision, body.reason, policy=svc.policy,
              release_area=svc.area, now=svc.now(), case_context=svc.case_context(req.case_code))
    return detail(db, req, user, svc)


@router.post("/requests/{rid}/comments", response_model=CommentOut, status_code=201)
def add_comment(rid: RID, body: CommentIn, user: User = Depends(caller), db: Session = Depends(get_db),
                svc: EgressService = Depends(service)):
    req = load(db, rid, user)
    c = wf.add_comment(db, req, user, body.body, body.visibility, policy=svc.policy, now=svc.now(),
                       case_context=svc.case_context(req.case_code))
    return _comment_dict(c, {user.id: user.username})


@router.post("/requests/{rid}/files/{fid}/comments", response_model=CommentOut, status_code=201)
def add_file_comment(rid: RID, fid: FID, body: CommentIn, user: User = Depends(caller),
                     db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    """A comment in one file's thread (same rules as a request comment; blind review too)."""
    req = load(db, rid, user)
    c = wf.add_comment(db, req, user, body.body, body.visibility, policy=svc.policy, now=svc.now(),
                       case_context=svc.case_context(req.case_code), file_id=fid)
    return _comment_dict(c, {user.id: user.username})


@router.get("/requests/{rid}/files/{fid}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def reviewer_file(rid: RID, fid: FID, user: User = Depends(caller), db: Session = Depends(get_db),
                  svc: EgressService = Depends(service)):
    """A submitted file, for reviewers only (the requester's way out is the release area)."""
    req = load(db, rid, user)
    if not wf.independent_reviewer(req, user):
        why = wf.conflict(req, user) if wf.is_reviewer(user) else None
        raise wf.Forbidden((why + "; " if why else "") + "files of a request are shown to "
                           "independent reviewers only; approved files are downloaded from the "
                           "release area")
    f = next((f for f in req.outputs if f.id == fid), None)
    if f is None:
        raise wf.NotFound(f"request {rid} has no file {fid}")
    data = svc.store.read_bytes(f.sha256)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Security-Policy": "sandbox",
                             "Content-Disposition": "attachment"})


# -- release area (O2) ---------------------------------------------------------------------------

def release_status(req: EgressRequest, svc: EgressService, now: dt.datetime) -> str:
    if req.state == "released":
        deadline = wf.download_deadline(req, svc.policy)
        return "available" if deadline is not None and now <= deadline else "expired"
    if req.state == "approved":
        return "being released"
    if req.state in ("draft", "submitted", "checked", "in_review"):
        return "pending review"
    return req.state


def releases_for(db: Session, user: User, svc: EgressService) -> list[dict]:
    now = svc.now()
    rows = db.execute(select(EgressRequest).where(EgressRequest.requester_id == user.id)
                      .order_by(EgressRequest.id.desc())).scalars().all()
    counts: dict[int, int] = {}
    for d in db.execute(select(EgressDownload).where(EgressDownload.user_id == user.id)).scalars():
        if d.file_id is not None:
            counts[d.file_id] = counts.get(d.file_id, 0) + 1
        else:
            for f in next((r.outputs for r in rows if r.id == d.request_id), []):
                counts[f.id] = counts.get(f.id, 0) + 1
    out = []
    for r in rows:
        st = release_status(r, svc, now)
        hide = r.state not in ("approved", "released")  # unreviewed content stays inside (E4)
        out.append(dict(request_id=r.id, case_code=r.case_code, title="" if hide else r.title, state=r.state,
                        status=st, approved_at=r.approved_at,
                        download_until=wf.download_deadline(r, svc.policy),
                        files=[dict(id=f.id, path="" if hide else f.path, sha256="" if hide else f.sha256,
                                    size=0 if hide else f.size,
                                    status=("downloaded" if counts.get(f.id) and st == "available"
                                            else st), downloads=counts.get(f.id, 0))
                               for f in r.outputs]))
    return out


def released_request(db: Session, rid: int, user: User, svc: EgressService) -> EgressRequest:
    """The requester's released request inside its download window, else 404/409/410; 403
    once the requester has left the case or the case was suspended, voided or purged (a
    release goes to a current member of a case in good standing, not to whoever asked)."""
    req = db.get(EgressRequest, rid)
    if req is None or req.requester_id != user.id:
        raise wf.NotFound(f"no release {rid} for you")
    if req.state != "released":
        raise wf.Conflict(f"request {rid} is {req.state}; only approved and released files can "
                          f"be downloaded")
    held = wf.release_hold(db, req)
    if held:  # membership and case status are checked at each download, not only at approval
        raise wf.Forbidden(f"request {rid} cannot be downloaded now: {held.split(': ')[0]}")
    deadline = wf.download_deadline(req, svc.policy)
    if deadline is None or svc.now() > deadline:
        wf.expire_releases(db, svc.area, policy=svc.policy, now=svc.now())
        db.commit()
        raise wf.WorkflowError(f"the download window of request {rid} ended on "
                               f"{deadline.isoformat() if deadline else '?'} (O2: "
                               f"{svc.policy.egress.release_download_days} days after approval)", status=410)
    return req


def log_download(db: Session, req: EgressRequest, user: User, file: EgressFile | None,
                 encrypted: bool, client: str, now: dt.datetime) -> None:
    db.add(EgressDownload(request_id=req.id, file_id=file.id if file else None, user_id=user.id,
                          encrypted=encrypted, client=client[:80], at=now))
    append(db, AuditEntry("egress", user.username, "egress.download", case_code=req.case_code,
                          subject=f"egress_request:{req.id}",
                          detail={"file": file.path if file else "*", "sha256": file.sha256 if file else None,
                                  "encrypted": encrypted, "client": client}), now=now)
    db.commit()


def file_response(db: Session, req: EgressRequest, fid: int, user: User, svc: EgressService,
                  client: str) -> Response:
    f = next((f for f in req.outputs if f.id == fid), None)
    if f is None:
        raise wf.NotFound(f"request {req.id} has no file {fid}")
    try:
        data = svc.area.open_file(req.id, f.path, f.sha256).read()
    except ReleaseError as e:
        raise wf.WorkflowError(str(e), status=409) from None
    log_download(db, req, user, f, False, client, svc.now())
    name = f.path.rsplit("/", 1)[-1]
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"})


def zip_response(db: Session, req: EgressRequest, password: str, user: User, svc: EgressService,
                 client: str) -> StreamingResponse:
    need = svc.policy.egress.release_zip_min_password_length
    if len(password) < need:
        raise wf.WorkflowError(f"password: at least {need} characters (O2 encrypted download)")
    try:
        streams = [(f.path, svc.area.open_file(req.id, f.path, f.sha256)) for f in req.outputs]
    except ReleaseError as e:
        raise wf.WorkflowError(str(e), status=409) from None
    out = tempfile.SpooledTemporaryFile(max_size=64 << 20)
    build_zip(streams, password, out)
    out.seek(0)
    log_download(db, req, user, None, True, client, svc.now())
    return StreamingResponse(out, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="egress-{req.case_code}-{req.id}.zip"'})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@release_router.get("/releases", response_model=list[ReleaseOut])
def list_releases(user: User = Depends(caller), db: Session = Depends(get_db),
                  svc: EgressService = Depends(service)):
    """Your requests and the download status of each file (O2)."""
    return releases_for(db, user, svc)


@release_router.get("/releases/{rid}/files/{fid}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}},
                       410: {"description": "download window over"}})
def download_file(rid: RID, fid: FID, request: Request, user: User = Depends(caller),
                  db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    req = released_request(db, rid, user, svc)
    return file_response(db, req, fid, user, svc, _client(request))


@release_router.post("/releases/{rid}/zip", response_class=StreamingResponse,
             responses={200: {"content": {"application/zip": {}}},
                        410: {"description": "download window over"}})
def download_zip(rid: RID, body: ZipIn, request: Request, user: User = Depends(caller),
                 db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    """All files of the release as an AES-256 encrypted zip with your password."""
    req = released_request(db, rid, user, svc)
    return zip_response(db, req, body.password, user, svc, _client(request))
