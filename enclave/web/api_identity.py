"""JSON API of the one log-in and of account administration (``/api/token``, ``/api/mfa/*``,
``/api/accounts/{username}/...``, and the security keys' steps ``/api/webauthn/*`` from
:mod:`enclave.web.api_webauthn`); the services decide who may, and audit every change.  An API
token needs password + TOTP, or - for an account with a security key - the two key steps:
``/api/webauthn/login/begin`` (password), then ``/api/token`` with the attempt and the key's answer."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from enclave.accounts import lifecycle
from enclave.accounts.models import User
from enclave.cases import service as cases
from enclave.core.audit import audit
from enclave.core.errors import BadInput, Forbidden, Refused
from enclave.identity import mfa, roles
from enclave.identity.directory import LoginRefused
from enclave.identity.login import login
from enclave.identity.sessions import issue_token
from enclave.web import api_webauthn, webauthn_login
from enclave.web.auth import client_of, current_user, directory_of
from enclave.web.deps import get_db, get_policy

router = APIRouter(prefix="/api")
router.include_router(api_webauthn.router)  # adding a security key, /api/webauthn/register/...
router.include_router(api_webauthn.login_router)  # logging in with one, /api/webauthn/login/...
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Role = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^[a-z]+$")]


def now_of(request: Request) -> dt.datetime:
    return request.app.state.clock()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenIn(Strict):
    username: str = Field("", max_length=64)
    password: str = Field("", max_length=256)
    otp: str | None = Field(None, max_length=12, description="TOTP code, when the account has one")
    attempt: str = Field("", max_length=100, description="From /api/webauthn/login/begin (security key)")
    credential: dict[str, Any] | None = Field(None, description="The key's answer to that attempt's challenge")

    @model_validator(mode="after")
    def _one_way(self):
        by_key = bool(self.attempt) or self.credential is not None
        if by_key and (self.username or self.password or self.otp):
            raise ValueError("give either username + password (+ otp), or attempt + credential, not both")
        if by_key and not (self.attempt and self.credential):
            raise ValueError("a security-key log-in needs both attempt and credential")
        if not by_key and not (self.username and self.password):
            raise ValueError("username and password are required (or attempt + credential of a security key)")
        return self


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenOut, tags=["auth"])
def token(body: TokenIn, request: Request, db: Session = Depends(get_db), policy=Depends(get_policy)):
    """Log in for an API token: password and the TOTP code where the role or account needs one;
    or the answer of a security key to the challenge of ``/api/webauthn/login/begin``."""
    try:
        if body.attempt:
            res = webauthn_login.finish(request, db, policy, body.attempt, body.credential, "control",
                                        now_of(request))
        else:
            res = login(db, body.username, body.password, body.otp, policy=policy, client=client_of(request),
                        front_end="control", now=now_of(request), directory=directory_of(request))
    except webauthn_login.NoRelyingParty as e:
        return webauthn_login.no_rp(e)
    except LoginRefused as e:
        db.commit()  # keep the audit record and the count of the refusal
        return JSONResponse({"detail": str(e), "rule": "A4"}, status_code=401)
    if res.enrol_only:
        db.commit()
        return JSONResponse({"detail": "Your role needs a one-time code (TOTP): enrol one on the log-in "
                                       "page (/login, then /mfa) first.", "rule": "A4"}, status_code=401)
    life = policy.sessions.token_lifetime_seconds
    # A4: the token records its log-in's factor, checked again on every request (factor_gate)
    return TokenOut(token=issue_token(db, res.user, kind="api", lifetime=dt.timedelta(seconds=life),
                                      second_factor=res.second_factor, factor=res.factor,
                                      front_end="control"), expires_in=life)


class EnrolOut(BaseModel):
    secret: str
    otpauth_uri: str


class EnrolIn(Strict):
    enrolment_code: str = Field("", max_length=40)


def _enrolment_code_ok(db: Session, policy, user: User, code: str, now) -> None:
    """A4: no enrolment without the admin's one-time code (the password alone is not enough)."""
    if not mfa.enrolment_code_required(policy):
        return
    problem = mfa.enrolment_code_problem(db, user, code, now)
    if problem is not None:
        audit(db, user.username, "mfa.enrolment_code_refused", subject=user.username, reason=problem)
        db.commit()
        raise Forbidden(f"Enrolment code refused: {problem}.", "A4")


@router.post("/mfa/enrol", response_model=EnrolOut, tags=["auth"])
def mfa_enrol(request: Request, body: EnrolIn | None = None, db: Session = Depends(get_db),
              user: User = Depends(current_user), policy=Depends(get_policy)):
    """Start (or restart) TOTP enrolment of your own account with the admin's one-time
    enrolment code; confirm with /api/mfa/confirm (same code)."""
    if mfa.enrolled(db, user):
        raise Refused("TOTP is already enrolled; the centre admin resets it if the device is lost.", "A4")
    _enrolment_code_ok(db, policy, user, (body or EnrolIn()).enrolment_code, now_of(request))
    cred = mfa.start_enrolment(db, user, now_of(request))
    return EnrolOut(secret=mfa.secret_of(cred), otpauth_uri=mfa.provisioning_uri(cred, user.username))


class CodeIn(Strict):
    code: str = Field(min_length=6, max_length=12)
    enrolment_code: str = Field("", max_length=40)


@router.post("/mfa/confirm", tags=["auth"])
def mfa_confirm(body: CodeIn, request: Request, db: Session = Depends(get_db), user: User = Depends(current_user),
                policy=Depends(get_policy)):
    now = now_of(request)
    _enrolment_code_ok(db, policy, user, body.enrolment_code, now)
    if not mfa.confirm(db, user, body.code, now):
        raise BadInput("Wrong code, or no enrolment waiting: start with /api/mfa/enrol.", "A4")
    if mfa.enrolment_code_required(policy):
        mfa.spend_enrolment_code(db, user, now)
    audit(db, user.username, "mfa.enrolled", subject=user.username)
    return {"ok": True}


class RoleIn(Strict):
    role: str = Field(min_length=1, max_length=20)


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class ResetIn(Strict):
    reset_mfa: bool = False


def _out(u: User) -> dict:
    return {"username": u.username, "status": u.status, "roles": u.role_names}


@router.post("/accounts/{username}/roles", tags=["accounts"])
def grant(username: Username, body: RoleIn, request: Request, db: Session = Depends(get_db),
          user: User = Depends(current_user)):
    """A1: the centre admin grants any role (never to themselves); an officer only researcher."""
    return _out(roles.grant_role(db, user, cases.get_user(db, username), body.role, now=now_of(request)))


@router.delete("/accounts/{username}/roles/{role}", tags=["accounts"])
def revoke(username: Username, role: Role, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user)):
    return _out(roles.revoke_role(db, user, cases.get_user(db, username), role, now=now_of(request)))


@router.post("/accounts/{username}/suspend", tags=["accounts"])
def suspend(username: Username, body: ReasonIn, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user)):
    return _out(lifecycle.suspend(db, user, cases.get_user(db, username), reason=body.reason, now=now_of(request)))


@router.post("/accounts/{username}/reinstate", tags=["accounts"])
def reinstate(username: Username, body: ReasonIn, request: Request, db: Session = Depends(get_db),
              user: User = Depends(current_user)):
    return _out(lifecycle.reinstate(db, user, cases.get_user(db, username), reason=body.reason,
                                    now=now_of(request)))


@router.post("/accounts/{username}/reset-password", tags=["accounts"])
def reset_password(username: Username, body: ResetIn, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """A4: a one-time password, already expired (the user changes it before logging in)."""
    target = cases.get_user(db, username)
    pw = lifecycle.reset_password(db, policy, user, target, reset_mfa=body.reset_mfa, now=now_of(request))
    out = {**_out(target), "one_time_password": pw}
    if body.reset_mfa:      # the new device is enrolled with a new one-time code (A4)
        out["enrolment_code"] = lifecycle.issue_enrolment_code(db, policy, user, target, now=now_of(request))
    return out


@router.post("/accounts/{username}/enrolment-code", tags=["accounts"])
def enrolment_code(username: Username, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """A4: a new one-time enrolment code (replacing the last); shown once, give it in person."""
    target = cases.get_user(db, username)
    code = lifecycle.issue_enrolment_code(db, policy, user, target, now=now_of(request))
    if code is None:
        raise Refused("This deployment's policy enrols second factors without a code.", "A4")
    return {**_out(target), "enrolment_code": code}


@router.post("/accounts/{username}/unlock", tags=["accounts"])
def unlock(username: Username, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user)):
    return _out(lifecycle.unlock(db, user, cases.get_user(db, username), now=now_of(request)))
