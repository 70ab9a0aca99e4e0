"""The session-facing egress app: what a sandboxed session may reach, and nothing else.

It is served only on the unix socket bound into every sandbox (``egress_review.serve --uds``),
never on a TCP port.  A session can pre-check and submit its outputs and follow its *own*
requests (status, submit a draft, withdraw, answer in a file's comment thread) - with its hub token and nothing else: no
log-in form, no cookies or enclave bearer tokens, no reviewer pages or reviewer API (a
reviewer's own session sees only the requests it made, not the queue nor its files), no
import review, no release area.  Conversely a hub token is accepted *only* here
(``egress_review.api.auth.caller``), so one minted outside the sandbox cannot read unreviewed
requests unredacted on the internal service.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from egress_review import workflow as wf
from egress_review.api import create_app, service
from egress_review.api import routes
from egress_review.api.auth import caller
from egress_review.models import EgressRequest
from enclave.accounts.models import User
from enclave.web.deps import get_db

SESSION_MODE = "session"
router = APIRouter(prefix="/api", tags=["session"])


def own(db: Session, rid: int, user: User, *, lock: bool = False) -> EgressRequest:
    """The caller's own request, else 404 (also for a reviewer: no queue from a session)."""
    req = db.get(EgressRequest, rid, with_for_update=lock) if lock else db.get(EgressRequest, rid)
    if req is None or req.requester_id != user.id:
        raise wf.NotFound(f"no egress request {rid} of yours")
    return req


router.add_api_route("/health", routes.health, methods=["GET"])
router.add_api_route("/me", routes.me, methods=["GET"])


def session_case(db: Session, user: User, now) -> str | None:
    """The case the caller's session works for: the case of the interactive booking that lets
    the user work now (the one the spawner started the sandbox for); in the seconds between a
    slot's end and the warden's cut-off, the case of the user's latest booking begun; None
    only for an account that never had an interactive booking (the hub starts no session
    without one)."""
    from enclave.bookings import gate
    from enclave.bookings.models import Booking
    from enclave.cases.models import Case

    current = gate.check(db, user.username, now, load=False).case_code
    if current is not None:
        return current
    return db.execute(select(Case.code).join(Booking, Booking.case_id == Case.id)
                      .where(Booking.user_id == user.id, Booking.kind == "interactive",
                             Booking.starts_at <= now)
                      .order_by(Booking.starts_at.desc(), Booking.id.desc())
                      .limit(1)).scalar_one_or_none()


def bind_case(db: Session, user: User, case_code: str, now) -> None:
    """Results are put before the reviewers only for the case of the session they come from
    (S7).  A researcher in two cases otherwise submitted, from her session of one, a manifest
    naming the other: the files - the first case's work - were checked against the second's
    release history and context and released into its area."""
    current = session_case(db, user, now)
    if current is not None and current != case_code:
        raise wf.Forbidden(f"this session works for case {current}: results for case "
                           f"{case_code} are submitted from a session of that case")


@router.post("/precheck")
def precheck(manifest: str = Form(...), files: list[UploadFile] = File(...),
             user: User = Depends(caller), db: Session = Depends(get_db),
             svc=Depends(service)) -> dict:
    bind_case(db, user, wf.parse_manifest_json(manifest).case_code, svc.now())
    return routes.precheck(manifest=manifest, files=files, user=user, db=db, svc=svc)


@router.post("/requests", status_code=201, response_model=routes.Created)
def submit(manifest: str = Form(...), files: list[UploadFile] = File(...),
           draft: bool = Form(False), idempotency_key: str | None = Form(None, max_length=80),
           supersedes: int | None = Form(None, ge=1, le=routes.MAX_ID),
           user: User = Depends(caller), db: Session = Depends(get_db), svc=Depends(service)):
    bind_case(db, user, wf.parse_manifest_json(manifest).case_code, svc.now())
    return routes.submit(manifest=manifest, files=files, draft=draft,
                         idempotency_key=idempotency_key, supersedes=supersedes, user=user,
                         db=db, svc=svc)


@router.get("/requests", response_model=list[routes.RequestOut])
def my_requests(state: str | None = None, user: User = Depends(caller),
                db: Session = Depends(get_db), svc=Depends(service)):
    q = select(EgressRequest).where(EgressRequest.requester_id == user.id) \
        .order_by(EgressRequest.id)
    if state:
        q = q.where(EgressRequest.state == state)
    rows = db.execute(q).scalars().all()
    names = {user.id: user.username}
    return [routes.summary(db, r, svc, names) for r in rows]


@router.get("/requests/{rid}", response_model=routes.RequestDetail)
def my_request(rid: routes.RID, user: User = Depends(caller), db: Session = Depends(get_db),
               svc=Depends(service)):
    return routes.detail(db, own(db, rid, user), user, svc, inside=True)


@router.post("/requests/{rid}/submit", response_model=routes.Created)
def submit_draft(rid: routes.RID, user: User = Depends(caller), db: Session = Depends(get_db),
                 svc=Depends(service)):
    bind_case(db, user, own(db, rid, user).case_code, svc.now())
    return routes.submit_draft(rid, user, db, svc)


@router.post("/requests/{rid}/withdraw", response_model=routes.RequestOut)
def withdraw(rid: routes.RID, body: routes.WithdrawIn, request: Request,
             user: User = Depends(caller), db: Session = Depends(get_db), svc=Depends(service)):
    own(db, rid, user)
    return routes.withdraw(rid, body, request, user, db, svc)


@router.post("/requests/{rid}/files/{fid}/comments", response_model=routes.CommentOut, status_code=201)
def answer_on_file(rid: routes.RID, fid: routes.FID, body: routes.CommentIn,
                   user: User = Depends(caller), db: Session = Depends(get_db), svc=Depends(service)):
    """The requester answers in a file's thread of their own request (issue 16).  Their words
    are checked like the request's own and refused once it is decided (egress_review.comments):
    reviewers read them before anything of the request is shown outside."""
    own(db, rid, user)
    return routes.add_file_comment(rid, fid, body, user, db, svc)


def create_session_app(hub_api_url: str | None = None, **kw) -> FastAPI:
    """The session-facing app (same database, store and policy as the internal one)."""
    base = create_app(hub_api_url=hub_api_url, mode="internal", recover_on_start=False, **kw)
    app = FastAPI(title="Egress review (session side)", version="1", docs_url=None,
                  redoc_url=None, openapi_url=None)
    for key in ("db_url", "policy", "hub_api_url", "egress"):
        setattr(app.state, key, getattr(base.state, key))
    app.state.mode = SESSION_MODE
    app.include_router(router)
    from enclave.web.access import SESSION, check_declared

    check_declared(app, SESSION)  # the sandbox's socket serves only declared routes (E4)

    @app.exception_handler(wf.WorkflowError)
    async def _workflow_error(request: Request, exc: wf.WorkflowError):
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": exc.errors()}, status_code=422)

    from enclave.web.factory import harden

    # the same security headers (no-store, nosniff, CSP), input filter and CSRF check as the
    # control plane and the review service: one factory, so the apps cannot drift apart
    return harden(app)


__all__ = ["create_session_app", "SESSION_MODE", "File", "Form", "UploadFile"]
