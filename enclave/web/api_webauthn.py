"""Security keys (WebAuthn) over HTTP: the JSON steps the pages' script (``/assets/webauthn.js``)
calls around ``navigator.credentials.create/get``, under ``/api/webauthn/``.

Registration needs a session (the enrol-only one after the password, or a full one) *and* the
admin's one-time enrolment code, checked when the challenge is asked for and again, then spent,
when the key's answer comes back.  A log-in checks the password first, then the key.  Like every
state-changing request these go through the CSRF guard (Origin, and the token with a cookie).
The relying party is the service's public origin: ``app.state.public_origin``, else
``$ENCLAVE_PUBLIC_ORIGIN``, else the origin the request was made to (what the CSRF check calls
this service's own).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from enclave.core.audit import audit
from enclave.identity import mfa, webauthn
from enclave.identity.directory import LoginRefused
from enclave.identity.login import begin_key_login, finish_key_login
from enclave.identity.sessions import issue_token, revoke_token, session_for_token, user_for_token
from enclave.web.auth import COOKIE, client_of, directory_of, token_from_request
from enclave.web.deps import get_db, get_policy
from enclave.web.pages import safe_next
from enclave.web.pages_identity import set_session_cookie

router = APIRouter(prefix="/webauthn", tags=["auth"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def now_of(request: Request) -> dt.datetime:
    return request.app.state.clock()


def _refused(message: str, status: int, rule: str = "A4") -> JSONResponse:
    return JSONResponse({"detail": message, "rule": rule}, status_code=status)


def public_origin(request: Request) -> str:
    configured = getattr(request.app.state, "public_origin", None) or os.environ.get("ENCLAVE_PUBLIC_ORIGIN")
    return configured or f"{request.url.scheme}://{request.headers.get('host', '')}"


class _NoRelyingParty(Exception):
    pass


def _rp(request: Request) -> webauthn.RelyingParty:
    try:
        return webauthn.relying_party(public_origin(request))
    except ValueError as e:
        raise _NoRelyingParty(str(e)) from None


def _session(request: Request, db: Session):
    """(user, kind, token) of the caller's session: an enrol-only or full browser session, or
    an API token; (None, None, None) without one."""
    token = token_from_request(request)
    ws = session_for_token(db, token) if token else None
    user = user_for_token(db, token, kinds=(ws.kind,)) if ws is not None else None
    return (user, ws.kind, token) if user is not None else (None, None, None)


# ------------------------------------------------------------------ registration

class RegisterBeginIn(Strict):
    enrolment_code: str = Field("", max_length=40)


class RegisterFinishIn(Strict):
    enrolment_code: str = Field("", max_length=40)
    name: str = Field("", max_length=64, description="What the person calls the key (e.g. 'blue USB key')")
    credential: dict[str, Any] = Field(description="The PublicKeyCredential, JSON-encoded (base64url fields)")


def _registration_refusal(db: Session, policy, user, code: str, now) -> JSONResponse | None:
    if not policy.accounts.webauthn_allowed:
        return _refused("此部署不允許安全金鑰 Security keys are switched off by this deployment's policy (A4).", 403)
    if mfa.enrolment_code_required(policy):
        problem = mfa.enrolment_code_problem(db, user, code, now)
        if problem is not None:  # A4, not trust-on-first-use: the password or a session alone adds no key
            audit(db, user.username, "mfa.enrolment_code_refused", subject=user.username, reason=problem,
                  factor="webauthn")
            db.commit()
            return _refused(f"註冊碼無效 Enrolment code refused: {problem}.", 403)
    return None


@router.post("/register/begin")
def register_begin(body: RegisterBeginIn, request: Request, db: Session = Depends(get_db),
                   policy=Depends(get_policy)):
    """Creation options for ``navigator.credentials.create`` (needs the enrolment code)."""
    user, _, token = _session(request, db)
    if user is None:
        return _refused("請先以密碼登入 Log in with your password first.", 401)
    now = now_of(request)
    refusal = _registration_refusal(db, policy, user, body.enrolment_code, now)
    if refusal is not None:
        return refusal
    try:
        options = webauthn.begin_registration(db, user, _rp(request), session_token=token, now=now, policy=policy)
    except _NoRelyingParty as e:
        return _refused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.", 400)
    return JSONResponse({"publicKey": json.loads(options)})


@router.post("/register/finish")
def register_finish(body: RegisterFinishIn, request: Request, db: Session = Depends(get_db),
                    policy=Depends(get_policy)):
    """Verify the new key's answer (same session, same enrolment code) and keep the key."""
    user, kind, token = _session(request, db)
    if user is None:
        return _refused("請先以密碼登入 Log in with your password first.", 401)
    now = now_of(request)
    refusal = _registration_refusal(db, policy, user, body.enrolment_code, now)
    if refusal is not None:
        return refusal
    try:
        cred = webauthn.finish_registration(db, user, _rp(request), session_token=token,
                                            credential=body.credential, name=body.name, now=now)
    except _NoRelyingParty as e:
        return _refused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.", 400)
    except webauthn.KeyRefused as e:
        audit(db, user.username, "webauthn.registration_refused", subject=user.username, reason=e.reason)
        db.commit()  # the spent challenge and the record stay
        return _refused(str(e), 400)
    if mfa.enrolment_code_required(policy):
        mfa.spend_enrolment_code(db, user, now)
    audit(db, user.username, "mfa.enrolled", subject=user.username, factor="webauthn", key=cred.name,
          credential=cred.credential_id[:16], rp_id=cred.rp_id)
    if kind == "enrol":  # the enrol-only session ends: log in again with password and key
        revoke_token(db, token)
        resp = JSONResponse({"ok": True, "redirect": "/login?msg=" + quote("已新增安全金鑰，請重新登入 Security key "
                                                                         "added: log in with it")})
        resp.delete_cookie(COOKIE, path="/")
        return resp
    return JSONResponse({"ok": True, "redirect": "/mfa?msg=" + quote("已新增安全金鑰 Security key added")})


# ------------------------------------------------------------------ log-in

class LoginBeginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginFinishIn(Strict):
    attempt: str = Field(min_length=1, max_length=100)
    credential: dict[str, Any]
    next: str = Field("/", max_length=500)


@router.post("/login/begin")
def login_begin(body: LoginBeginIn, request: Request, db: Session = Depends(get_db), policy=Depends(get_policy)):
    """The password (as on the log-in form), then request options for ``navigator.credentials.get``
    and the attempt token that binds the answer to this log-in."""
    try:
        rp = _rp(request)
    except _NoRelyingParty as e:
        return _refused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.", 400)
    try:
        attempt, options = begin_key_login(db, body.username, body.password, rp, policy=policy,
                                           client=client_of(request), front_end="control", now=now_of(request),
                                           directory=directory_of(request))
    except LoginRefused as e:
        db.commit()  # the audited refusal and its count (lock-out)
        return _refused(str(e), 401)
    return JSONResponse({"attempt": attempt, "publicKey": json.loads(options)})


@router.post("/login/finish")
def login_finish(body: LoginFinishIn, request: Request, db: Session = Depends(get_db), policy=Depends(get_policy)):
    """The key's answer: a browser session (cookie) when right."""
    try:
        rp = _rp(request)
    except _NoRelyingParty as e:
        return _refused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.", 400)
    try:
        res = finish_key_login(db, body.attempt, body.credential, rp, policy=policy, client=client_of(request),
                               front_end="control", now=now_of(request))
    except LoginRefused as e:
        db.commit()  # spent challenge, audit record, count
        return _refused(str(e), 401)
    life = policy.sessions.token_lifetime_seconds
    token = issue_token(db, res.user, kind="browser", lifetime=dt.timedelta(seconds=life))
    resp = JSONResponse({"ok": True, "redirect": safe_next(body.next)})
    set_session_cookie(resp, request, token, life)
    return resp
