"""Import review pages (D4, P13) on the internal review service: a researcher asks to bring
files into their case, an import reviewer (then the committee, for imaging models and training
sets) reads the automatic findings and decides.  Traditional Chinese first, then English;
times in Taipei.  The JSON API (``egress_review.ingress.api``) stays the programmatic way."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from egress_review.api import EgressService, service
from egress_review.api.auth import page_user
from egress_review.ingress import workflow as iwf
from egress_review.ingress.api import MAX_ID, RID, STAFF, _can_view, _projects, _store
from egress_review.ingress.checks import KINDS, ImportItem
from egress_review.ingress.models import ImportRequest
from egress_review.pages import TEMPLATES, _need_login, render_message
from enclave.accounts.models import User
from enclave.cases.models import Case
from enclave.web.deps import get_db

router = APIRouter(include_in_schema=False)
STATE_ZH = {"submitted": "已送出", "blocked": "已阻擋", "in_review": "審查中", "rejected": "已駁回",
            "approved": "已核准", "delivered": "已送達"}
KIND_ZH = {"training_set": "訓練資料", "model": "預訓練模型", "code": "程式碼", "reference": "參考資料"}
MAX_UPLOADS = 20


def _get(db: Session, rid: int, user: User) -> ImportRequest:
    req = db.get(ImportRequest, rid) if 1 <= rid <= MAX_ID else None
    if req is None or not _can_view(db, req, user):
        raise iwf.NotFound(f"沒有您可查看的輸入申請 {rid} / no import request {rid} visible to you")
    return req


def _names(db: Session, ids) -> dict[int, str]:
    ids = set(ids)
    return {u.id: u.username for u in db.execute(select(User).where(User.id.in_(ids))).scalars()} if ids else {}


def _open_cases(db: Session, user: User) -> list[Case]:
    """The cases the user may bring files into: approved or active, an active member."""
    rows = db.execute(select(Case).where(Case.status.in_(iwf.OPEN_CASE)).order_by(Case.code)).scalars()
    return [c for c in rows if iwf.is_member(c, user)]


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request, user: User | None = Depends(page_user), db: Session = Depends(get_db)):
    if (r := _need_login(request, user)) is not None:
        return r
    rows = [r for r in db.execute(select(ImportRequest).order_by(ImportRequest.id.desc())).scalars()
            if _can_view(db, r, user)]
    staff = any(user.has_role(r) for r in STAFF)
    waiting = [r for r in rows if r.state == "in_review"]
    names = _names(db, [r.requester_id for r in rows])
    return TEMPLATES.TemplateResponse(request, "imports.html", {
        "user": user, "staff": staff, "rows": rows, "names": names, "IMPORT_ZH": STATE_ZH,
        "waiting": [(r, iwf.decision_refusal(db, r, user)) for r in waiting],
        "can_ask": bool(_open_cases(db, user))})


@router.get("/imports/new", response_class=HTMLResponse)
def new_import(request: Request, user: User | None = Depends(page_user), db: Session = Depends(get_db)):
    if (r := _need_login(request, user)) is not None:
        return r
    cases = _open_cases(db, user)
    if not cases:
        return render_message(request, 403, "您不是任何已核准或進行中計畫的成員，無法申請輸入檔案。"
                                            "You are not an active member of an approved or active case, "
                                            "so you cannot ask to bring files in (D4).")
    return TEMPLATES.TemplateResponse(request, "import_new.html", {
        "user": user, "cases": cases, "kinds": KINDS, "KIND_ZH": KIND_ZH, "error": None})


@router.post("/imports/new")
async def submit_import(request: Request, case_code: str = Form(..., max_length=40),
                        purpose: str = Form(..., max_length=20_000),
                        kind: str = Form(..., max_length=20),
                        description: str = Form("", max_length=2000),
                        uploads: list[UploadFile] = File(...),
                        user: User | None = Depends(page_user), db: Session = Depends(get_db),
                        svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    if len(uploads) > MAX_UPLOADS:
        raise iwf.WorkflowError(f"uploads: at most {MAX_UPLOADS} files in one request", status=413)
    limit = svc.policy.egress.import_max_file_bytes
    items = []
    for up in uploads:
        if not up.filename:
            raise iwf.WorkflowError("uploads: choose at least one file")
        data = await up.read(limit + 1)
        if len(data) > limit:
            raise iwf.WorkflowError(f"file {up.filename!r} is larger than {limit} bytes", status=413)
        items.append(ImportItem(path=up.filename.rsplit("/", 1)[-1], kind=kind, data=data,
                                description=description))
    req = iwf.submit_import(db, _store(request), user, case_code, purpose, items, policy=svc.policy,
                            now=svc.now())
    db.commit()
    return RedirectResponse(f"/imports/{req.id}", status_code=303)


@router.get("/imports/{rid}", response_class=HTMLResponse)
def import_page(rid: RID, request: Request, user: User | None = Depends(page_user),
                db: Session = Depends(get_db)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = _get(db, rid, user)
    result = req.check_result or {}
    findings = result.get("findings", [])
    by_file = {f.path: [x for x in findings if x.get("file") == f.path] for f in req.files}
    other = [x for x in findings if x.get("file") not in by_file]
    names = _names(db, [req.requester_id] + [rv.reviewer_id for rv in req.reviews])
    case = db.execute(select(Case).where(Case.code == req.case_code)).scalar_one_or_none()
    return TEMPLATES.TemplateResponse(request, "import.html", {
        "user": user, "req": req, "by_file": by_file, "other": other, "names": names,
        "case": case, "IMPORT_ZH": STATE_ZH, "KIND_ZH": KIND_ZH,
        "refusal": iwf.decision_refusal(db, req, user),
        "reader": user.has_role("reviewer") or user.has_role("committee")})


@router.post("/imports/{rid}/review")
def review_import(rid: RID, request: Request, decision: str = Form(..., max_length=10),
                  reason: str = Form(..., max_length=20_000),
                  user: User | None = Depends(page_user), db: Session = Depends(get_db),
                  svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = _get(db, rid, user)
    try:
        iwf.review_import(db, _store(request), req, user, decision, reason, policy=svc.policy,
                          projects_dir=_projects(request), now=svc.now())
    except iwf.Forbidden:
        db.commit()  # keep the audit record of the refused attempt (A8)
        raise
    db.commit()
    return RedirectResponse(f"/imports/{rid}", status_code=303)
