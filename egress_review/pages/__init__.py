"""Server-rendered pages (Traditional Chinese and English): log-in (password with a TOTP code
or a security key), the reviewers' queue, the request view with flagged cells highlighted, and
the requester's download area (O2)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case
from enclave.identity.directory import LoginRefused
from enclave.identity.login import login as identity_login
from enclave.identity.sessions import end_login, issue_token
from enclave.web import csrf
from enclave.web.auth import COOKIE, client_of, directory_of, set_session_cookie, token_from_request
from enclave.web.deps import get_db
from enclave.web.webauthn_login import FrontEnd, key_login_router, safe_next
from enclave.web.webauthn_login import script as key_script
from egress_review import workflow as wf
from egress_review.api import EgressService, service
from egress_review.api.auth import page_user
from egress_review.api.routes import (FID, RID, detail, file_response, load, released_request, releases_for,
                                      summary, zip_response)
from egress_review.comments import MAX_COMMENT
from egress_review.models import EgressRequest
from egress_review.pages.places import describe as describe_place
from egress_review.pages.render import count_chart_svg, render_file

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
router = APIRouter(include_in_schema=False)  # inside: reviewers (and requesters' view)
release_router = APIRouter(include_in_schema=False)  # outside: the download area (O2)
common_router = APIRouter(include_in_schema=False)  # log-in, log-out, home
SESSION_HOURS = 8


def _fmt(ts: dt.datetime | None) -> str:
    """Times as people here read them: Taipei (the centre's zone, as on the control plane)."""
    if not ts:
        return "—"
    from zoneinfo import ZoneInfo

    from policies import current_policy

    aware = ts if ts.tzinfo else ts.replace(tzinfo=dt.timezone.utc)
    zone = current_policy().sessions.timezone
    label = "臺北 Taipei" if zone == "Asia/Taipei" else zone
    return aware.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") + " " + label


TEMPLATES.env.filters["ts"] = _fmt
TEMPLATES.env.filters["place"] = describe_place
TEMPLATES.env.globals["csrf_field"] = lambda request: csrf.field(request, COOKIE)

from egress_review.words import DECISION_ZH, STATE_ZH  # noqa: E402
TEMPLATES.env.globals.update(STATE_ZH=STATE_ZH, DECISION_ZH=DECISION_ZH)


def render_message(request: Request, status: int, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "message.html",
                                      {"status": status, "message": message, "user": None},
                                      status_code=status)


def _need_login(request: Request, user: User | None):
    if user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return None




@common_router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User | None = Depends(page_user)):
    if (r := _need_login(request, user)) is not None:
        return r
    to_queue = wf.is_reviewer(user) and request.app.state.mode != "external"
    return RedirectResponse("/queue" if to_queue else "/downloads", status_code=303)


def front_end(request: Request) -> str:
    """This app's name in the audit and the lock-out: the release area (external) or the
    review service (internal, or both on one host)."""
    return "release" if request.app.state.mode == "external" else "review"


# A security key logs in here with the same steps, checks and script as on the control plane
# (enclave.web.webauthn_login); challenges are bound to this front end's own origin.
KEY_LOGIN = FrontEnd(name=front_end, now=lambda request: request.app.state.egress.now(),
                     session_seconds=lambda request: SESSION_HOURS * 3600)
common_router.include_router(key_login_router(KEY_LOGIN), prefix="/api")
from egress_review.pages import sso as _sso  # noqa: E402  (single sign-on through the control plane)

common_router.include_router(_sso.router)


@common_router.get("/assets/webauthn.js")
def webauthn_script():
    return key_script()


def _login_page(request: Request, next: str | None, error: str | None = None, status: int = 200):
    from egress_review.pages.sso import control_origin

    return TEMPLATES.TemplateResponse(request, "login.html", {
        "next": safe_next(next), "error": error, "user": None, "sso": control_origin(request) is not None,
        "keys_allowed": request.app.state.policy.accounts.webauthn_allowed}, status_code=status)


@common_router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None):
    return _login_page(request, next)


@common_router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=256),
          otp: str = Form("", max_length=12), next: str = Form("/", max_length=500),
          db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    # The one log-in of every front end (enclave.identity.login): lock-out, LDAP, TOTP; an
    # account whose second factor is a key is refused here and pointed at the key button.
    try:
        if "\x00" in username or "\x00" in password:
            raise LoginRefused("Wrong user name or password.")
        res = identity_login(db, username, password, otp or None, policy=svc.policy, client=client_of(request),
                             front_end=front_end(request), now=svc.now(), directory=directory_of(request))
        if res.enrol_only:
            raise LoginRefused("您的角色需要第二道驗證：請先在控制台「兩步驟驗證」登錄驗證器 App 或安全金鑰。Your role needs "
                               "a second factor (TOTP or a security key): enrol one on the control plane (log "
                               "in there, then 兩步驟驗證 Two-step) first (A4).")
        user = res.user
    except LoginRefused as e:
        db.commit()  # keep the audit record of the refusal
        return _login_page(request, next, str(e), 401)
    token = issue_token(db, user, kind="browser", lifetime=dt.timedelta(hours=SESSION_HOURS),
                        second_factor=res.second_factor, factor=res.factor, front_end=front_end(request))
    resp = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(resp, request, token, SESSION_HOURS * 3600)
    return resp


@common_router.post("/logout")
def logout(request: Request, db: Session = Depends(get_db)):
    tok = token_from_request(request)
    if tok:  # single logout: the control-plane log-in and every front end's session of it
        end_login(db, tok)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, user: User | None = Depends(page_user), db: Session = Depends(get_db),
          svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    if not wf.is_reviewer(user):
        return render_message(request, 403, "審查佇列僅限審查人員。The queue is for reviewers only.")
    rows = db.execute(select(EgressRequest).where(EgressRequest.state.in_(wf.REVIEWABLE))
                      .order_by(EgressRequest.submitted_at, EgressRequest.id)).scalars().all()
    recent = db.execute(select(EgressRequest).where(EgressRequest.state.notin_(wf.REVIEWABLE + ("draft",)))
                        .order_by(EgressRequest.id.desc()).limit(30)).scalars().all()
    items = []
    for r in rows:
        refusal = wf.can_act(db, r, user, svc.policy)
        items.append({"req": summary(db, r, svc), "can_review": refusal is None,
                      "why_not": str(refusal) if refusal else ""})
    return TEMPLATES.TemplateResponse(request, "queue.html", {
        "user": user, "items": items, "recent": [summary(db, r, svc) for r in recent]})


@router.get("/requests/{rid}", response_class=HTMLResponse)
def request_page(rid: RID, request: Request, user: User | None = Depends(page_user),
                 db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = load(db, rid, user)
    d = detail(db, req, user, svc)  # a browser is never a session: the requester's view is redacted
    # findings quote what the requester wrote inside (a purpose's sentence, a cell): never in a
    # redacted view
    findings = [] if d["redacted"] else (req.check_result or {}).get("findings", [])
    reviewer_view = wf.independent_reviewer(req, user)
    files = []
    for f in ([] if d["redacted"] else req.outputs):
        # the file's own findings, and those on its description and name (request words)
        ff = [x for x in findings if x.get("file") == f.path
              or (not x.get("file") and (x.get("location") or {}).get("file") == f.path)]
        files.append({"file": f, "findings": ff,
                      "render": render_file(svc.store, req, f, ff, svc.policy.egress.min_units_per_cell)
                      if reviewer_view else None,
                      "has_chart": reviewer_view and f.kind == "table"})
    general = [x for x in findings if x.get("file") not in {f.path for f in req.outputs}
               and (x.get("file") or (x.get("location") or {}).get("file") not in
                    {f.path for f in req.outputs})]
    history = [summary(db, h, svc) for h in wf.released_history(db, req.case_code) if h.id != req.id]
    # the summary first: findings counted by rule, check and severity, per file
    grouped: dict[tuple, dict] = {}
    for item in files:
        for x in item["findings"]:
            key = (x.get("rule"), x.get("check"), x.get("severity"))
            g = grouped.setdefault(key, {"rule": key[0], "check": key[1], "severity": key[2], "files": {}})
            g["files"][item["file"].id] = (item["file"].path, g["files"].get(item["file"].id, ("", 0))[1] + 1)
    order = {"block": 0, "review": 1}
    finding_summary = sorted(grouped.values(), key=lambda g: (order.get(g["severity"], 2), str(g["rule"]),
                                                              str(g["check"])))
    case = db.execute(select(Case).where(Case.code == req.case_code)).scalar_one_or_none()
    threads = {t["file_id"]: t["comments"] for t in d["threads"]}
    # a resubmission: the earlier threads of the same file beside it, the rest after the files
    paths = {f.path for f in req.outputs}
    earlier_by_path: dict[str, list] = {}
    earlier_other = []
    for e in d["earlier"]:
        for t in e["threads"]:
            if not t["comments"]:
                continue
            entry = {"request": e["id"], "state": e["state"], "path": t["path"], "comments": t["comments"]}
            (earlier_by_path.setdefault(t["path"], []) if t["path"] in paths else earlier_other).append(entry)
    return TEMPLATES.TemplateResponse(request, "request.html", {
        "threads": threads, "earlier_by_path": earlier_by_path, "earlier_other": earlier_other,
        "max_comment": MAX_COMMENT,
        "user": user, "d": d, "req": req, "files": files, "general": general, "history": history,
        "finding_summary": finding_summary,
        "case": case, "reviewer_view": reviewer_view,
        # a reviewer who may not review this one (in the case, or its requester) is told why
        "reviewer_role": wf.is_reviewer(user) and req.requester_id != user.id,
        "check_error": (req.check_result or {}).get("error"),
        "approve_blocked": req.verdict == "block",
        # E4: approving over the check's 'review' needs a written reason of this length
        "reason_needed": svc.policy.egress.approve_over_review_min_reason if req.verdict == "review" else 0,
        "min_units": svc.policy.egress.min_units_per_cell})


@router.post("/requests/{rid}/review")
def review_form(rid: RID, request: Request, decision: str = Form(...), reason: str = Form(""),
                user: User | None = Depends(page_user), db: Session = Depends(get_db),
                svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = load(db, rid, user, lock=True)
    wf.review(db, svc.store, req, user, decision, reason, policy=svc.policy, release_area=svc.area,
              now=svc.now(), case_context=svc.case_context(req.case_code))
    return RedirectResponse(f"/requests/{rid}", status_code=303)


def _comment(request: Request, rid: int, user: User | None, db: Session, svc: EgressService, body: str,
             visibility: str, fid: int | None, anchor: str):
    """A comment on the request (``fid`` None) or in one file's thread, from the request page."""
    if (r := _need_login(request, user)) is not None:
        return r
    req = load(db, rid, user)
    wf.add_comment(db, req, user, body, visibility, policy=svc.policy, now=svc.now(),
                   case_context=svc.case_context(req.case_code), **({} if fid is None else {"file_id": fid}))
    return RedirectResponse(f"/requests/{rid}#{anchor}", status_code=303)


@router.post("/requests/{rid}/comment")
def comment_form(rid: RID, request: Request, body: str = Form(..., max_length=MAX_COMMENT),
                 visibility: str = Form("public", max_length=10),
                 user: User | None = Depends(page_user), db: Session = Depends(get_db),
                 svc: EgressService = Depends(service)):
    return _comment(request, rid, user, db, svc, body, visibility, None, "comments")


@router.post("/requests/{rid}/files/{fid}/comment")
def file_comment_form(rid: RID, fid: FID, request: Request,
                      body: str = Form(..., max_length=MAX_COMMENT),
                      visibility: str = Form("public", max_length=10),
                      user: User | None = Depends(page_user), db: Session = Depends(get_db),
                      svc: EgressService = Depends(service)):
    return _comment(request, rid, user, db, svc, body, visibility, fid, f"thread-{fid}")


@router.get("/requests/{rid}/files/{fid}/counts.svg")
def chart(rid: RID, fid: FID, request: Request, user: User | None = Depends(page_user),
          db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    if user is None or not wf.is_reviewer(user):
        return Response(status_code=403)
    req = load(db, rid, user)
    f = next((f for f in req.outputs if f.id == fid), None)
    if f is None or not wf.independent_reviewer(req, user):
        return Response(status_code=404)
    svg = count_chart_svg(svc.store, req, f, svc.policy.egress.min_units_per_cell)
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


# -- release area pages (O2) ------------------------------------------------------------------

@release_router.get("/downloads", response_class=HTMLResponse)
def downloads(request: Request, user: User | None = Depends(page_user), db: Session = Depends(get_db),
              svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    from egress_review.release import threads as rt

    releases = releases_for(db, user, svc)
    for rel in releases:   # file threads of approved requests only (egress_review.release.threads)
        req = db.get(EgressRequest, rel["request_id"])
        rel["threads"] = rt.release_threads(db, req, user)
        rel["can_answer"] = rt.can_answer(req, user, rel["download_until"], svc.now())
    return TEMPLATES.TemplateResponse(request, "downloads.html", {
        "user": user, "releases": releases, "answer_max": rt.ANSWER_MAX,
        "days": svc.policy.egress.release_download_days,
        "min_pw": svc.policy.egress.release_zip_min_password_length})


@release_router.post("/downloads/{rid}/files/{fid}/comments")
def answer_thread(rid: RID, fid: FID, request: Request, body: str = Form(..., max_length=20_000),
                  user: User | None = Depends(page_user), db: Session = Depends(get_db),
                  svc: EgressService = Depends(service)):
    """The requester's short answer in a file's thread, from outside (rules and limits:
    egress_review.release.threads)."""
    from egress_review.release import threads as rt

    if (r := _need_login(request, user)) is not None:
        return r
    req = db.get(EgressRequest, rid)
    if req is None or req.requester_id != user.id:
        raise wf.NotFound(f"no release {rid} for you")
    if wf.release_hold(db, req):  # a former member (or a held case) answers nothing from outside
        raise wf.Forbidden(f"request {rid}: you are not a current member of a case in good standing")
    rt.answer(db, req, user, fid, body, policy=svc.policy, now=svc.now(),
              deadline=wf.download_deadline(req, svc.policy),
              case_context=svc.case_context(req.case_code))
    return RedirectResponse(f"/downloads#thread-{rid}-{fid}", status_code=303)


@release_router.get("/downloads/{rid}/files/{fid}")
def download_file_page(rid: RID, fid: FID, request: Request, user: User | None = Depends(page_user),
                       db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = released_request(db, rid, user, svc)
    return file_response(db, req, fid, user, svc, request.client.host if request.client else "")


@release_router.post("/downloads/{rid}/zip")
def download_zip_page(rid: RID, request: Request, password: str = Form(...),
                      user: User | None = Depends(page_user), db: Session = Depends(get_db),
                      svc: EgressService = Depends(service)):
    if (r := _need_login(request, user)) is not None:
        return r
    req = released_request(db, rid, user, svc)
    return zip_response(db, req, password, user, svc, request.client.host if request.client else "")

