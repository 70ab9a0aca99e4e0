"""Server-rendered pages (Jinja2), Traditional Chinese + English labels.

Actions a user may not take are not offered (hidden, or shown disabled with the reason); the
services refuse them again whatever the browser sends.  Forms post back and redirect (303)
with a short message; every form carries the session's CSRF token (:mod:`enclave.web.csrf`).
Log-in, TOTP enrolment and account administration pages are in :mod:`enclave.web.pages_identity`.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts import lifecycle
from enclave.accounts import service as accounts
from enclave.accounts.models import User
from enclave.announcements import service as ann
from enclave.audit.sampling import service as sampling
from enclave.bookings import calendar as cal
from enclave.bookings import service as bookings
from enclave.bookings.models import Booking
from enclave.cases import permissions as perm
from enclave.cases import service as cases
from enclave.cases.draft_version import draft_version
from enclave.cases.errors import BadInput, NotFound
from enclave.core.rows import get_row
from enclave.cases.models import (Case, ChangeRequest, Charge, Extension, Notification, Publication,
                                  SoftwareDeclaration)
from enclave.violations import service as violations
from enclave.violations.models import KINDS, Violation
from enclave.web import csrf
from enclave.web.auth import COOKIE, optional_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath
from enclave.core.status_words import status_words
from enclave.querylog.service import led_cases as ql_led

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["csrf_field"] = lambda request: csrf.field(request, COOKIE)
templates.env.filters["status"] = status_words

KIND_LABELS = {"asked_to_leave": "請離場 Asked to leave", "pi_notified": "通知計畫主持人 PI notified",
               "data_use_stopped": "停止資料使用 Data use stopped",
               "contract_ended": "終止合約 Contract ended",
               "future_applications_refused": "拒絕日後申請 Future applications refused"}


def page_user(request: Request, user: User | None = Depends(optional_user)) -> User:
    from enclave.web.app import LoginRequired

    if user is None:
        raise LoginRequired(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    return user


def now_of(request: Request) -> dt.datetime:
    return request.app.state.clock()


def render(request: Request, name: str, user: User | None, status: int = 200, **ctx) -> HTMLResponse:
    policy = request.app.state.policy
    nav = []
    if user is not None:
        nav = [("/", "首頁 Home"), ("/cases", "案件 Cases"), ("/calendar", "預約 Bookings"),
               ("/announcements", "公告 Announcements")]
        if user.has_role("admin") or user.has_role("committee"):
            nav.append(("/queue", "待辦 Work queue"))
        if user.has_role("admin") or user.has_role("officer"):
            nav.append(("/accounts", "帳號 Accounts"))
        if user.has_role("admin") or any(user.has_role(r) for r in policy.accounts.audit_supervisor_roles):
            nav.append(("/audit/samples", "稽核抽查 Audit samples"))
        if any(user.has_role(r) for r in ("admin", *policy.accounts.audit_supervisor_roles,
                                          *policy.accounts.query_approval_roles)):
            nav.append(("/queries", "查詢紀錄 Query log"))      # a PI reaches it from the case
        if user.has_role("admin"):
            nav.append(("/violations", "違規 Violations"))
        nav.append(("/mfa", "兩步驟驗證 Two-step"))
        nav.append(("/password", "變更密碼 Password"))
    ctx.update(request=request, user=user, nav=nav, msg=request.query_params.get("msg"),
               policy=policy, tz=cal.tz(policy), perm=perm)
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def error_page(request: Request, message: str, rule: str | None, status: int) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html",
                                      {"request": request, "user": None, "nav": [], "message": message,
                                       "rule": rule, "status": status, "msg": None},
                                      status_code=status)


def back(url: str, msg: str) -> RedirectResponse:
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}msg={quote(msg)}", status_code=303)


def safe_next(url: str | None) -> str:
    from enclave.web.webauthn_login import safe_next as one_check

    return one_check(url)


# ------------------------------------------------------------------ home

@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Session = Depends(get_db), user: User | None = Depends(optional_user)):
    if user is None:
        return RedirectResponse("/login", status_code=303)
    now = now_of(request)
    mine = db.execute(select(Booking).where(Booking.user_id == user.id, Booking.ends_at > now)
                      .order_by(Booking.starts_at).limit(20)).scalars().all()
    notes = db.execute(select(Notification).where(Notification.user_id == user.id)
                       .order_by(Notification.id.desc()).limit(20)).scalars().all()
    codes = {c.id: c.code for c in db.execute(select(Case)).scalars()}
    return render(request, "home.html", user, cases=cases.visible_cases(db, user)[:20], bookings=mine,
                  notes=notes, codes=codes)


# ------------------------------------------------------------------ cases

@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)):
    users = {u.id: u.username for u in db.execute(select(User)).scalars()}
    return render(request, "cases.html", user, cases=cases.visible_cases(db, user), users=users)


@router.get("/cases/new", response_class=HTMLResponse)
def case_new(request: Request, user: User = Depends(page_user)):
    return render(request, "case_new.html", user)


@router.post("/cases")
def case_create(request: Request, title: str = Form(..., max_length=300), case_type: str = Form(..., max_length=20),
                imaging: bool = Form(False), priority_class: str = Form("independent", max_length=30),
                purpose: str = Form("", max_length=5000), irb_number: str = Form("", max_length=80),
                irb_role: str = Form("pi", max_length=20), extract_spec: str = Form("{}", max_length=20000),
                db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    try:
        spec = json.loads(extract_spec or "{}")
    except json.JSONDecodeError as e:
        raise BadInput(f"extract_spec is not JSON: {e.msg} at line {e.lineno} column {e.colno}.")
    irb = ({"number": irb_number, "investigators": [{"name": user.username, "role": irb_role}]}
           if irb_number.strip() else None)
    c = cases.create_case(db, policy, user, applicant=user, title=title, case_type=case_type,
                          imaging=imaging, priority_class=priority_class, purpose=purpose,
                          irb_certificate=irb, extract_spec=spec, now=now_of(request))
    return back(f"/cases/{c.code}", f"已送出申請 Application {c.code} filed")


def _case_page_case(db: Session, user: User, code: str) -> Case:
    c = cases.get_case(db, code)
    if not perm.can_view(user, c):
        raise NotFound(f"No case {code!r}.")
    return c


def _extract_status(db: Session, user: User, c: Case):
    """The case's extract for those who answer for it - the centre's admin, the case's PI and
    the data steward (D3); None for everyone else, who see the case page as before."""
    if not (perm.is_admin(user) or perm.is_officer(user, c) or user.has_role("steward")):
        return None
    from enclave.extracts.status import extract_status
    from enclave.settings import get_settings

    return extract_status(db, c.code, get_settings().projects_dir)


@router.get("/cases/{code}", response_class=HTMLResponse)
def case_detail(code: str, request: Request, db: Session = Depends(get_db), user: User = Depends(page_user),
                policy=Depends(get_policy)):
    c = _case_page_case(db, user, code)
    now = now_of(request)
    cases.refresh_case(db, policy, c, now, user.username)
    q = lambda model: db.execute(select(model).where(model.case_id == c.id).order_by(model.id)).scalars().all()  # noqa: E731
    users = {u.id: u for u in db.execute(select(User)).scalars()}
    ext_ok = perm.can_manage(user, c) and c.period_end is not None and \
        (c.period_end - now) >= dt.timedelta(days=policy.cases.extension_notice_days)
    return render(request, "case.html", user, case=c, changes=q(ChangeRequest), extensions=q(Extension),
                  software=q(SoftwareDeclaration), publications=q(Publication), charges=q(Charge),
                  users=users, can_manage=perm.can_manage(user, c), decider=perm.is_decider(user),
                  member=perm.is_member(user, c), ext_ok=ext_ok, now=now,
                  half_days_used=cases.half_days_used(db, c),
                  draft_version=draft_version(db, c) if c.status == "draft" else None,
                  usable=cases.case_usable(c, now), extract=_extract_status(db, user, c),
                  query_log=c.code in ql_led(db, user) or any(user.has_role(r) for r in (
                      "admin", *policy.accounts.audit_supervisor_roles, *policy.accounts.query_approval_roles)))


@router.post("/cases/{code}/approve")
def case_approve(code: str, request: Request, period_months: str = Form("", max_length=4),
                 working_days: str = Form("", max_length=8), confirm: str = Form("", max_length=3),
                 version: str = Form("", max_length=64),
                 db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    c = _case_page_case(db, user, code)
    if confirm != "yes":    # a decision is never one stray click: the form asks to confirm
        raise BadInput("請勾選確認已閱讀研究目的、IRB 證明與資料需求。Tick the box confirming you have read "
                       "the purpose, the IRB certificate and the data requested.")
    try:
        months = int(period_months) if period_months.strip() else None
        days = float(working_days) if working_days.strip() else None
    except ValueError:
        raise BadInput("period_months and working_days must be numbers.")
    # A1: the form carries the draft version the page showed; an edit since refuses the approval
    cases.approve_case(db, policy, user, c, now=now_of(request), period_months=months, working_days=days,
                       seen_version=version, check_version=True)
    return back(f"/cases/{code}", "已核准 Approved")


@router.post("/cases/{code}/payment")
def case_payment(code: str, request: Request, amount: int = Form(..., ge=0, le=10**9),
                 db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    c = _case_page_case(db, user, code)
    cases.record_payment(db, policy, user, c, amount=amount, now=now_of(request))
    if c.status == "void":
        return back(f"/cases/{code}", f"逾期付款，案件作廢 Paid too late: case is void (P10)")
    return back(f"/cases/{code}", "已收款 Payment recorded")


@router.post("/cases/{code}/changes")
def case_change(code: str, request: Request, kind: str = Form(..., max_length=20),
                payload: str = Form(..., max_length=20000), db: Session = Depends(get_db),
                user: User = Depends(page_user), policy=Depends(get_policy)):
    c = _case_page_case(db, user, code)
    try:
        body = json.loads(payload)
    except json.JSONDecodeError as e:
        raise BadInput(f"payload is not JSON: {e.msg} at line {e.lineno} column {e.colno}.")
    cases.request_change(db, policy, user, c, kind=kind, payload=body, now=now_of(request))
    return back(f"/cases/{code}", "已送出變更申請 Change requested")


@router.post("/changes/{change_id}/decide")
def change_decide(change_id: IdPath, request: Request, decision: str = Form(..., max_length=10),
                  note: str = Form("", max_length=2000), db: Session = Depends(get_db),
                  user: User = Depends(page_user), policy=Depends(get_policy)):
    cr = get_row(db, ChangeRequest, change_id, "change request")
    cases.decide_change(db, policy, user, cr, approve=decision == "approve", note=note or None,
                        now=now_of(request))
    code = db.get(Case, cr.case_id).code
    return back(f"/cases/{code}", "已核准變更 Change approved" if cr.status == "approved" else "已駁回 Change refused")


@router.post("/cases/{code}/extensions")
def case_extension(code: str, request: Request, days: int = Form(..., ge=1, le=3650),
                   db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    c = _case_page_case(db, user, code)
    cases.request_extension(db, policy, user, c, days=days, now=now_of(request))
    return back(f"/cases/{code}", "已申請展延 Extension requested")


@router.post("/extensions/{ext_id}/decide")
def extension_decide(ext_id: IdPath, request: Request, decision: str = Form(..., max_length=10),
                     db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    e = get_row(db, Extension, ext_id, "extension request")
    cases.decide_extension(db, policy, user, e, approve=decision == "approve", now=now_of(request))
    return back(f"/cases/{db.get(Case, e.case_id).code}", f"Extension {e.status}")


@router.post("/cases/{code}/software")
def case_software(code: str, request: Request, name: str = Form(..., max_length=120),
                  version: str = Form("", max_length=60), purpose: str = Form("", max_length=2000),
                  db: Session = Depends(get_db), user: User = Depends(page_user)):
    c = _case_page_case(db, user, code)
    cases.declare_software(db, user, c, name=name, version=version, purpose=purpose, now=now_of(request))
    return back(f"/cases/{code}", "已申報軟體 Software declared")


@router.post("/software/{decl_id}/decide")
def software_decide(decl_id: IdPath, request: Request, decision: str = Form(..., max_length=10),
                    db: Session = Depends(get_db), user: User = Depends(page_user)):
    d = get_row(db, SoftwareDeclaration, decl_id, "software declaration")
    cases.decide_software(db, user, d, approve=decision == "approve", now=now_of(request))
    return back(f"/cases/{db.get(Case, d.case_id).code}", f"Software {d.status}")


# ------------------------------------------------------------------ calendar and bookings

@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, start: str | None = None, db: Session = Depends(get_db),
                  user: User = Depends(page_user), policy=Depends(get_policy)):
    now = now_of(request)
    try:
        first = dt.date.fromisoformat(start) if start else cal.local_date(now, policy)
    except ValueError:
        raise BadInput("start must be a date YYYY-MM-DD.")
    if not (dt.date(1990, 1, 1) <= first <= dt.date(2100, 1, 1)):
        raise BadInput("start must be between 1990 and 2100.")
    days = bookings.slot_overview(db, policy, first, 7, user)
    my_cases = [c for c in cases.visible_cases(db, user) if perm.is_member(user, c)]
    usable = {c.code: cases.case_usable(c, now) for c in my_cases}
    restricted = bookings.no_show_restriction(db, policy, user, now)
    staff = perm.is_decider(user) or user.has_role("steward")
    overview = []
    if staff:
        lo = dt.datetime.combine(first, dt.time(0), cal.tz(policy)).astimezone(dt.timezone.utc)
        hi = lo + dt.timedelta(days=8)
        rows = db.execute(select(Booking).where(Booking.starts_at >= lo, Booking.starts_at < hi)
                          .order_by(Booking.starts_at, Booking.seat_no)).scalars().all()
        names = {u.id: u.username for u in db.execute(select(User)).scalars()}
        codes = {c.id: c.code for c in db.execute(select(Case)).scalars()}
        overview = [(b, names.get(b.user_id), codes.get(b.case_id)) for b in rows]
    # staff: which case holds which seat of each slot (the seat map)
    seatmap: dict[str, dict[int, str]] = {}
    if staff:
        key_of = {sl["starts_at"]: sl["key"] for d in days for sl in d["slots"]}
        for b, _name, code in overview:
            k = key_of.get(b.starts_at)
            if k is not None and b.status not in ("cancelled", "displaced") and b.seat_no:
                seatmap.setdefault(k, {})[int(b.seat_no)] = code or "?"
    bookable = [c for c in my_cases if usable[c.code] is None]
    return render(request, "calendar.html", user, days=days, first=first, now=now, my_cases=my_cases,
                  usable=usable, bookable=bookable, restricted=restricted, staff=staff, overview=overview,
                  seatmap=seatmap,
                  prev=(first - dt.timedelta(days=7)).isoformat(), next=(first + dt.timedelta(days=7)).isoformat())


@router.post("/bookings")
def booking_create(request: Request, case_code: str = Form(..., max_length=40), date: str = Form(..., max_length=10),
                   slot: str = Form(..., max_length=40), kind: str = Form("interactive", max_length=20),
                   db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise BadInput("date must be YYYY-MM-DD.")
    c = _case_page_case(db, user, case_code)
    made = bookings.book(db, policy, user, c, day=day, slot=slot, kind=kind, now=now_of(request))
    seats = ", ".join(f"{b.slot_name} seat {b.seat_no}" for b in made)
    return back(f"/calendar?start={day.isoformat()}", f"已預約 Booked {day.isoformat()} {seats}")


@router.post("/bookings/{booking_id}/cancel")
def booking_cancel(booking_id: IdPath, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(page_user), policy=Depends(get_policy)):
    b = get_row(db, Booking, booking_id, "booking")
    day = cal.local_date(b.starts_at, policy)
    bookings.cancel(db, policy, user, b, now=now_of(request))
    return back(f"/calendar?start={day.isoformat()}", "已取消 Cancelled")


@router.get("/calendar.ics")
def calendar_ics(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)):
    rows = db.execute(select(Booking).where(Booking.user_id == user.id).order_by(Booking.starts_at)).scalars().all()
    cs = {c.id: c for c in db.execute(select(Case)).scalars()}
    return Response(bookings.to_ics(rows, cs, now=now_of(request)), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="bookings.ics"'})


# ------------------------------------------------------------------ accounts

@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user),
                  policy=Depends(get_policy)):
    if not (user.has_role("admin") or user.has_role("officer")):
        raise perm.Forbidden("Only the centre admin and designated officers manage accounts.", "A1")
    rows = [u for u in db.execute(select(User).order_by(User.username)).scalars()
            if accounts.can_manage_account(user, u)]
    review = accounts.account_review(db, policy, now_of(request)) if user.has_role("admin") else None
    return render(request, "accounts.html", user, users=rows, review=review, admin=user.has_role("admin"))


@router.post("/accounts")
def account_create(request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=256),
                   display_name: str = Form("", max_length=120), unit: str = Form("", max_length=200),
                   employment: str = Form("permanent", max_length=20), region: str = Form("", max_length=40),
                   role: str = Form("researcher", max_length=20), db: Session = Depends(get_db),
                   user: User = Depends(page_user), policy=Depends(get_policy)):
    u = accounts.create_account(db, policy, user, username=username, password=password, display_name=display_name,
                                unit=unit, employment=employment, region=region or None, roles=[role],
                                now=now_of(request))
    code = lifecycle.issue_enrolment_code(db, policy, user, u, now=now_of(request), created=True)
    if code is None:
        return back("/accounts", f"已建立帳號 Account {username} created")
    return render(request, "reset_done.html", user, target=u, password=None, reset_mfa=False,
                  enrolment_code=code, created=True)


@router.post("/accounts/{username}/revoke")
def account_revoke(username: str, request: Request, reason: str = Form(..., min_length=1, max_length=500),
                   db: Session = Depends(get_db), user: User = Depends(page_user)):
    accounts.revoke_account(db, user, cases.get_user(db, username), reason=reason, now=now_of(request))
    return back("/accounts", f"已停用 {username} revoked")


@router.post("/accounts/review")
def account_review(request: Request, revoke: list[str] = Form(default_factory=list),
                   db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    res = accounts.record_review(db, policy, user, now_of(request), revoke)
    return back("/accounts", f"年度清查已記錄 Review recorded; revoked {len(res['revoked'])}")


# ------------------------------------------------------------------ audit samples

def _supervisor(user: User, policy) -> None:
    if not (user.has_role("admin") or any(user.has_role(r) for r in policy.accounts.audit_supervisor_roles)):
        raise perm.Forbidden("Audit samples are for the centre admin and supervisors.", "A6")


@router.get("/audit/samples", response_class=HTMLResponse)
def samples_page(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user),
                 policy=Depends(get_policy)):
    _supervisor(user, policy)
    from enclave.audit import internal

    return render(request, "samples.html", user, samples=sampling.samples(db),
                  due=sampling.sample_due(db, policy, now_of(request)), admin=user.has_role("admin"),
                  internal_due=internal.due(db, policy, now_of(request)),
                  internal_audits=internal.audits(db)[:5])


@router.post("/audit/samples")
def sample_create(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user),
                  policy=Depends(get_policy)):
    s = sampling.create_sample(db, policy, user, now=now_of(request))
    return back(f"/audit/samples/{s.id}", f"已抽樣 Sample {s.id} drawn")


@router.get("/audit/samples/{sample_id}", response_class=HTMLResponse)
def sample_page(sample_id: IdPath, request: Request, db: Session = Depends(get_db), user: User = Depends(page_user),
                policy=Depends(get_policy)):
    _supervisor(user, policy)
    s = sampling.get_sample(db, sample_id)
    can_sign = any(user.has_role(r) for r in policy.accounts.audit_supervisor_roles) \
        and user.username != s.created_by and s.status == "open"
    return render(request, "sample.html", user, s=s, report=sampling.report(db, s), can_sign=can_sign,
                  can_review=any(user.has_role(r) for r in policy.accounts.audit_supervisor_roles)
                  and s.status == "open" and user.username != s.created_by)


@router.post("/audit/samples/{sample_id}/anomalies")
def sample_anomaly(sample_id: IdPath, request: Request, note: str = Form(..., max_length=4000),
                   username: str = Form("", max_length=64), record_seq: str = Form("", max_length=20),
                   db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    s = sampling.get_sample(db, sample_id)
    try:
        seq = int(record_seq) if record_seq.strip() else None
    except ValueError:
        raise BadInput("record_seq must be a number.")
    sampling.record_anomaly(db, policy, user, s, note=note, username=username or None, record_seq=seq,
                            now=now_of(request))
    return back(f"/audit/samples/{sample_id}", "已記錄異常 Anomaly recorded")


@router.post("/audit/samples/{sample_id}/items/{item_id}/reviewed")
def sample_reviewed(sample_id: IdPath, item_id: IdPath, request: Request, db: Session = Depends(get_db),
                    user: User = Depends(page_user), policy=Depends(get_policy)):
    s = sampling.get_sample(db, sample_id)
    sampling.mark_reviewed(db, policy, user, s, item_id)
    return back(f"/audit/samples/{sample_id}", "已檢視 Marked reviewed")


@router.post("/audit/samples/{sample_id}/signoff")
def sample_signoff(sample_id: IdPath, request: Request, note: str = Form("", max_length=4000),
                   db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    s = sampling.get_sample(db, sample_id)
    sampling.sign_off(db, policy, user, s, note=note, now=now_of(request))
    return back(f"/audit/samples/{sample_id}", "已簽核 Signed off")


# ------------------------------------------------------------------ violations

@router.get("/violations", response_class=HTMLResponse)
def violations_page(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)):
    if not user.has_role("admin"):
        raise perm.Forbidden("Only the centre admin keeps the violations register.", "A8")
    users = {u.id: u.username for u in db.execute(select(User)).scalars()}
    codes = {c.id: c.code for c in db.execute(select(Case)).scalars()}
    return render(request, "violations.html", user, rows=violations.violations_of(db), users=users,
                  codes=codes, kinds=KINDS, labels=KIND_LABELS)


@router.post("/violations")
def violation_create(request: Request, username: str = Form(..., max_length=64), case_code: str = Form("", max_length=40),
                     kind: str = Form(..., max_length=40), reason: str = Form(..., max_length=4000),
                     db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    c = cases.get_case(db, case_code) if case_code.strip() else None
    violations.record_violation(db, policy, user, cases.get_user(db, username), c, kind=kind, reason=reason,
                                now=now_of(request))
    return back("/violations", "已記錄 Violation recorded")


@router.post("/violations/{violation_id}/lift")
def violation_lift(violation_id: IdPath, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(page_user)):
    v = get_row(db, Violation, violation_id, "violation")
    violations.lift_violation(db, user, v, now=now_of(request))
    return back("/violations", "已解除 Lifted")


# ------------------------------------------------------------------ announcements

@router.get("/announcements", response_class=HTMLResponse)
def announcements_page(request: Request, q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=100000),
                       db: Session = Depends(get_db),
                       user: User = Depends(page_user), policy=Depends(get_policy)):
    res = ann.listing(db, policy, user, q=q[:200], page=min(max(page, 1), 100000))
    can_publish = user.has_role("admin") or user.has_role("steward")
    return render(request, "announcements.html", user, res=res, can_publish=can_publish)


@router.post("/announcements")
async def announcement_create(request: Request, title: str = Form(..., max_length=300),
                              body: str = Form("", max_length=200000), region: str = Form("", max_length=40),
                              keywords: str = Form("", max_length=300),
                              files: list[UploadFile] = File(default_factory=list),
                              db: Session = Depends(get_db), user: User = Depends(page_user),
                              policy=Depends(get_policy)):
    limit = policy.operations.announcement_attachment_max_bytes
    # a form's unused file input arrives as a part with no file name
    atts = [(f.filename, f.content_type, await f.read(limit + 1)) for f in files if f.filename]
    a = ann.publish(db, policy, user, title=title, body=body, region=region or None, keywords=keywords,
                    attachments=atts, now=now_of(request))
    return back(f"/announcements/{a.id}", "已發布 Published")


@router.get("/announcements/{ann_id}", response_class=HTMLResponse)
def announcement_page(ann_id: IdPath, request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)):
    if not 0 < ann_id < 2**31:
        raise NotFound(f"No announcement {ann_id}.")
    return render(request, "announcement.html", user, a=ann.get_visible(db, user, ann_id))


@router.get("/announcements/{ann_id}/attachments/{att_id}")
def announcement_attachment(ann_id: IdPath, att_id: IdPath, db: Session = Depends(get_db),
                            user: User = Depends(page_user)):
    if not (0 < ann_id < 2**31 and 0 < att_id < 2**31):
        raise NotFound("No such attachment.")
    x = ann.get_attachment(db, user, ann_id, att_id)
    return Response(x.data, media_type="application/octet-stream",
                    headers=ann.download_headers(x.filename))
