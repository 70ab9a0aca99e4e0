"""Pages of the one log-in: password + TOTP code (or a security key, through the script served
here and the steps of ``api_webauthn``), second-factor enrolment, password change, and the
account administration actions (roles, suspend, reinstate, reset, unlock), each authorised by
the services and audited."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from enclave.accounts import lifecycle
from enclave.accounts import service as accounts
from enclave.accounts.models import User
from enclave.cases import service as cases
from enclave.core.audit import audit
from enclave.core.errors import ControlError
from enclave.identity import mfa, roles, webauthn
from enclave.identity.directory import LoginRefused
from enclave.identity.login import login as identity_login
from enclave.identity.sessions import end_login, issue_token, revoke_token, session_for_token, user_for_token
from enclave.web.auth import COOKIE, client_of, directory_of, set_session_cookie, token_from_request
from enclave.web.deps import get_db, get_policy
from enclave.web.pages import back, now_of, page_user, render, safe_next

router = APIRouter(include_in_schema=False)
ENROL_MINUTES = 10  # an enrol-only session opens nothing but /mfa, briefly
SCRIPT = Path(__file__).parent / "static" / "webauthn.js"
TAIPEI = ZoneInfo("Asia/Taipei")



@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", None, next=safe_next(next), error=None)


@router.post("/login")
def login(request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=256),
          otp: str = Form("", max_length=12), next: str = Form("/", max_length=500),
          db: Session = Depends(get_db), policy=Depends(get_policy)):
    try:
        res = identity_login(db, username, password, otp or None, policy=policy, client=client_of(request),
                             front_end="control", now=now_of(request), directory=directory_of(request))
    except LoginRefused as e:
        db.commit()  # keep the audited refusal and its count (lock-out)
        return render(request, "login.html", None, status=401, next=safe_next(next), error=str(e))
    if res.enrol_only:
        token = issue_token(db, res.user, kind="enrol", lifetime=dt.timedelta(minutes=ENROL_MINUTES))
        resp = RedirectResponse("/mfa", status_code=303)
        set_session_cookie(resp, request, token, ENROL_MINUTES * 60)
        return resp
    life = policy.sessions.token_lifetime_seconds
    token = issue_token(db, res.user, kind="browser", lifetime=dt.timedelta(seconds=life),
                        second_factor=res.second_factor, factor=res.factor, front_end="control")
    resp = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(resp, request, token, life)
    return resp


@router.post("/logout")
def logout(request: Request, db: Session = Depends(get_db)):
    token = token_from_request(request)
    if token:
        who = user_for_token(db, token, kinds=("browser", "api", "enrol"), policy=request.app.state.policy)
        ended = end_login(db, token)  # single logout: every front end this log-in reached
        if who is not None:
            audit(db, who.username, "logout", sessions_ended=ended)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/assets/webauthn.js")
def webauthn_script():
    """The log-in and two-step pages' security-key script (same origin, no inline code)."""
    return Response(SCRIPT.read_text(encoding="utf-8"), media_type="text/javascript")


# ------------------------------------------------------------------ second-factor enrolment

def _enrolling(request: Request, db: Session) -> tuple[User | None, str | None]:
    """The user of a normal or enrol-only session, and the session's kind."""
    token = request.cookies.get(COOKIE)
    policy = request.app.state.policy
    ws = session_for_token(db, token, policy=policy) if token else None
    if ws is None:
        return None, None
    user = user_for_token(db, token, kinds=(ws.kind,), policy=policy)
    return user, ws.kind if user is not None else None


@router.get("/mfa", response_class=HTMLResponse)
def mfa_page(request: Request, db: Session = Depends(get_db), policy=Depends(get_policy)):
    user, kind = _enrolling(request, db)
    if user is None:
        return RedirectResponse("/login?next=/mfa", status_code=303)
    shown = user if kind != "enrol" else None
    if mfa.enrolled(db, user):
        return _mfa(request, db, user, shown, enrolled=True, secret=None, uri=None, error=None)
    if mfa.enrolment_code_required(policy):
        # no secret before the admin's one-time code: the password alone enrols nothing
        return _mfa(request, db, user, shown, enrolled=False, ask_code=True, secret=None, uri=None,
                      error=None)
    return _show_secret(request, db, user, shown, enrolment_code="")


def _when(t: dt.datetime | None) -> str:
    if t is None:
        return "-"
    t = t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")


def _mfa(request: Request, db: Session, user: User, shown, **ctx):
    """The two-step page, with the account's security keys (times in Taipei)."""
    keys = [{"name": k.name, "created": _when(k.created_at), "used": _when(k.last_used_at)}
            for k in webauthn.credentials(db, user)]
    policy = request.app.state.policy
    return render(request, "mfa.html", shown, keys=keys, keys_allowed=policy.accounts.webauthn_allowed,
                  code_required=mfa.enrolment_code_required(policy), **ctx)


def _show_secret(request: Request, db: Session, user: User, shown, *, enrolment_code: str,
                 error: str | None = None, status: int = 200):
    cred = mfa.start_enrolment(db, user, now_of(request))
    db.commit()
    return _mfa(request, db, user, shown, status=status, enrolled=False, ask_code=False,
                  secret=mfa.secret_of(cred), uri=mfa.provisioning_uri(cred, user.username),
                  enrolment_code=enrolment_code, error=error)


@router.post("/mfa")
def mfa_confirm(request: Request, code: str = Form("", max_length=12),
                enrolment_code: str = Form("", max_length=40), db: Session = Depends(get_db),
                policy=Depends(get_policy)):
    user, kind = _enrolling(request, db)
    if user is None:
        return RedirectResponse("/login?next=/mfa", status_code=303)
    shown = user if kind != "enrol" else None
    now = now_of(request)
    if mfa.enrolled(db, user):
        return _mfa(request, db, user, shown, enrolled=True, secret=None, uri=None, error=None)
    if mfa.enrolment_code_required(policy):
        problem = mfa.enrolment_code_problem(db, user, enrolment_code, now)
        if problem is not None:
            audit(db, user.username, "mfa.enrolment_code_refused", subject=user.username, reason=problem)
            db.commit()
            return _mfa(request, db, user, shown, status=422, enrolled=False, ask_code=True, secret=None,
                          uri=None, error=f"註冊碼無效 Enrolment code refused: {problem}.")
        if not code:        # the code is right: now the secret, with the code kept for the confirmation
            return _show_secret(request, db, user, shown, enrolment_code=enrolment_code)
    if not mfa.confirm(db, user, code, now):
        cred = mfa.credential(db, user)
        db.commit()
        if cred is None:
            return RedirectResponse("/mfa", status_code=303)
        return _mfa(request, db, user, shown, status=422, enrolled=False, ask_code=False,
                      secret=mfa.secret_of(cred), uri=mfa.provisioning_uri(cred, user.username),
                      enrolment_code=enrolment_code,
                      error="驗證碼不正確 Wrong code: enter the current 6-digit code from the app.")
    if mfa.enrolment_code_required(policy):
        mfa.spend_enrolment_code(db, user, now)
    audit(db, user.username, "mfa.enrolled", subject=user.username)
    if kind == "enrol":  # the enrol-only session ends: log in again with password and code
        revoke_token(db, request.cookies[COOKIE])
        resp = back("/login", "已啟用兩步驟驗證，請重新登入 TOTP enrolled: log in with your code")
        resp.delete_cookie(COOKIE, path="/")
        return resp
    return back("/", "已啟用兩步驟驗證 TOTP enrolled")


# ------------------------------------------------------------------ password

@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request):
    return render(request, "password.html", None, error=None)


@router.post("/password")
def password_change(request: Request, username: str = Form(..., max_length=64),
                    old_password: str = Form(..., max_length=256), new_password: str = Form(..., max_length=256),
                    db: Session = Depends(get_db), policy=Depends(get_policy)):
    try:
        with db.begin_nested():
            accounts.change_password(db, policy, username=username, old=old_password, new=new_password,
                                     now=now_of(request), client=client_of(request))
    except ControlError as e:
        db.commit()
        return render(request, "password.html", None, status=e.status, error=e.message)
    return back("/login", "密碼已變更 Password changed")


# ------------------------------------------------------------------ account administration

def _target(db: Session, username: str) -> User:
    return cases.get_user(db, username)


@router.post("/accounts/{username}/roles")
def role_grant(username: str, request: Request, role: str = Form(..., max_length=20),
               action: str = Form("grant", pattern="^(grant|revoke)$"),
               db: Session = Depends(get_db), user: User = Depends(page_user)):
    target = _target(db, username)
    if action == "grant":
        roles.grant_role(db, user, target, role, now=now_of(request))
        return back("/accounts", f"已授予 {role} granted to {username}")
    roles.revoke_role(db, user, target, role, now=now_of(request))
    return back("/accounts", f"已撤銷 {role} revoked from {username}")


@router.post("/accounts/{username}/suspend")
def account_suspend(username: str, request: Request, reason: str = Form(..., min_length=1, max_length=500),
                    db: Session = Depends(get_db), user: User = Depends(page_user)):
    lifecycle.suspend(db, user, _target(db, username), reason=reason, now=now_of(request))
    return back("/accounts", f"已暫停 {username} suspended")


@router.post("/accounts/{username}/reinstate")
def account_reinstate(username: str, request: Request, reason: str = Form(..., min_length=1, max_length=500),
                      db: Session = Depends(get_db), user: User = Depends(page_user)):
    lifecycle.reinstate(db, user, _target(db, username), reason=reason, now=now_of(request))
    return back("/accounts", f"已恢復 {username} reinstated")


@router.post("/accounts/{username}/reset", response_class=HTMLResponse)
def account_reset(username: str, request: Request, reset_mfa: bool = Form(False),
                  db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    target = _target(db, username)
    pw = lifecycle.reset_password(db, policy, user, target, reset_mfa=reset_mfa, now=now_of(request))
    code = lifecycle.issue_enrolment_code(db, policy, user, target, now=now_of(request)) if reset_mfa else None
    return render(request, "reset_done.html", user, target=target, password=pw, reset_mfa=reset_mfa,
                  enrolment_code=code)


@router.post("/accounts/{username}/enrolment-code")
def account_enrolment_code(username: str, request: Request, db: Session = Depends(get_db),
                           user: User = Depends(page_user), policy=Depends(get_policy)):
    """A4: a new one-time enrolment code, shown once on the page."""
    target = _target(db, username)
    code = lifecycle.issue_enrolment_code(db, policy, user, target, now=now_of(request))
    return render(request, "reset_done.html", user, target=target, password=None, reset_mfa=False,
                  enrolment_code=code)


@router.post("/accounts/{username}/unlock")
def account_unlock(username: str, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(page_user)):
    lifecycle.unlock(db, user, _target(db, username), now=now_of(request))
    return back("/accounts", f"已解除鎖定 {username} unlocked")

