"""Security keys (WebAuthn) over HTTP on the control plane: the JSON steps of adding a key,
which the two-step page's script (``/assets/webauthn.js``) calls around
``navigator.credentials.create``, under ``/api/webauthn/register/``; and the log-in steps every
FastAPI front end shares (:mod:`enclave.web.webauthn_login`), under ``/api/webauthn/login/``.

Registration needs a session (the enrol-only one after the password, or a full one) *and* the
admin's one-time enrolment code, checked when the challenge is asked for and again, then spent,
when the key's answer comes back.  Keys are added on the control plane only; its RP ID (the
host name) lets them log in on the review service, release area and hub of the same host name.
Like every state-changing request these go through the CSRF guard (Origin, and the token with
a cookie).  The relying party is the control plane's public origin: ``app.state.public_origin``,
else ``$ENCLAVE_PUBLIC_ORIGIN[_CONTROL]``, else the origin the request was made to.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.orm import Session

from enclave.core.audit import audit
from enclave.identity import mfa, webauthn
from enclave.identity.sessions import revoke_token, session_for_token, user_for_token
from enclave.web.auth import COOKIE, token_from_request
from enclave.web.deps import get_db, get_policy
from enclave.web.webauthn_login import (FrontEnd, NoRelyingParty, Strict, key_login_router, no_rp, refused,
                                        relying_party)

router = APIRouter(prefix="/webauthn", tags=["auth"])


def now_of(request: Request) -> dt.datetime:
    return request.app.state.clock()


CONTROL = FrontEnd(name=lambda request: "control", now=now_of,
                   session_seconds=lambda request: request.app.state.policy.sessions.token_lifetime_seconds)
login_router = key_login_router(CONTROL)  # /webauthn/login/begin|finish, as on every front end


def _rp(request: Request) -> webauthn.RelyingParty:
    return relying_party(request, "control")


def _session(request: Request, db: Session):
    """(user, kind, token) of the caller's session: an enrol-only or full browser session, or
    an API token; (None, None, None) without one."""
    token = token_from_request(request)
    policy = request.app.state.policy
    ws = session_for_token(db, token, policy=policy) if token else None
    user = user_for_token(db, token, kinds=(ws.kind,), policy=policy) if ws is not None else None
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
        return refused("此部署不允許安全金鑰 Security keys are switched off by this deployment's policy (A4).", 403)
    if mfa.enrolment_code_required(policy):
        problem = mfa.enrolment_code_problem(db, user, code, now)
        if problem is not None:  # A4, not trust-on-first-use: the password or a session alone adds no key
            audit(db, user.username, "mfa.enrolment_code_refused", subject=user.username, reason=problem,
                  factor="webauthn")
            db.commit()
            return refused(f"註冊碼無效 Enrolment code refused: {problem}.", 403)
    return None


def _registration_step(request: Request, db: Session, policy, code: str):
    """What both registration steps check first: a session, then the policy and the enrolment
    code; (user, session kind, token, now), or the refusal to answer with."""
    user, kind, token = _session(request, db)
    if user is None:
        return refused("請先以密碼登入 Log in with your password first.", 401)
    now = now_of(request)
    refusal = _registration_refusal(db, policy, user, code, now)
    return refusal if refusal is not None else (user, kind, token, now)


def _registering(request: Request, db: Session, policy, code, step_with):
    """Both registration steps: refuse as _registration_step says, else run ``step_with(user,
    kind, token, now)``; an address that names no relying party is refused the same way."""
    step = _registration_step(request, db, policy, code)
    if isinstance(step, JSONResponse):
        return step
    try:
        return step_with(*step)
    except NoRelyingParty as e:
        return no_rp(e)


@router.post("/register/begin")
def register_begin(body: RegisterBeginIn, request: Request, db: Session = Depends(get_db),
                   policy=Depends(get_policy)):
    """Creation options for ``navigator.credentials.create`` (needs the enrolment code)."""
    def begin(user, _kind, token, now):
        options = webauthn.begin_registration(db, user, _rp(request), session_token=token, now=now,
                                              policy=policy)
        return JSONResponse({"publicKey": json.loads(options)})
    return _registering(request, db, policy, body.enrolment_code, begin)


@router.post("/register/finish")
def register_finish(body: RegisterFinishIn, request: Request, db: Session = Depends(get_db),
                    policy=Depends(get_policy)):
    """Verify the new key's answer (same session, same enrolment code) and keep the key."""
    def finish(user, kind, token, now):
        try:
            cred = webauthn.finish_registration(db, user, _rp(request), session_token=token,
                                                credential=body.credential, name=body.name, now=now)
        except webauthn.KeyRefused as e:
            audit(db, user.username, "webauthn.registration_refused", subject=user.username, reason=e.reason)
            db.commit()  # the spent challenge and the record stay
            return refused(str(e), 400)
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

    return _registering(request, db, policy, body.enrolment_code, finish)