"""JSON API: accounts (A1, A2, A6), audit samples (A6) and violations (A8)."""
from __future__ import annotations

import datetime as dt
from typing import Literal
from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from enclave.accounts import lifecycle
from enclave.accounts import service as accounts
from enclave.accounts.models import User
from enclave.audit.sampling import service as sampling
from enclave.cases import service as cases
from enclave.cases.errors import BadInput, Forbidden
from enclave.core.rows import get_row
from enclave.cases.models import Case
from enclave.violations import service as violations
from enclave.violations.models import KINDS, Violation
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath
from enclave.web.api_common import Strict, UserOut, now_of, user_out


router = APIRouter(prefix="/api")

# ------------------------------------------------------------------ accounts

class AccountIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    display_name: str = Field("", max_length=120)
    unit: str = Field("", max_length=200)
    employment: str = Field("permanent", max_length=20)
    email: str | None = Field(None, max_length=200)
    region: str | None = Field(None, max_length=40)
    roles: list[str] = Field(default_factory=lambda: ["researcher"], max_length=6)


class CreatedOut(UserOut):
    enrolment_code: str | None = None      # A4: give it with the password, out of band


@router.post("/accounts", response_model=CreatedOut, status_code=201, tags=["accounts"])
def create_account(body: AccountIn, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """A1/A2/A4: admin creates any account; an officer creates researchers of its unit.  The
    answer holds the one-time code the user enrols a second factor with (shown once)."""
    u = accounts.create_account(db, policy, user, username=body.username, password=body.password,
                                display_name=body.display_name, unit=body.unit,
                                employment=body.employment, email=body.email, region=body.region,
                                roles=body.roles, now=now_of(request))
    code = lifecycle.issue_enrolment_code(db, policy, user, u, now=now_of(request), created=True)
    return CreatedOut(**user_out(u).model_dump(), enrolment_code=code)


@router.get("/accounts", response_model=list[UserOut], tags=["accounts"])
def list_accounts(db: Session = Depends(get_db), user: User = Depends(current_user)):
    if not (user.has_role("admin") or user.has_role("officer")):
        raise Forbidden("Only the centre admin and designated officers list accounts.", "A1")
    rows = db.execute(select(User).order_by(User.username)).scalars().all()
    return [user_out(u) for u in rows if accounts.can_manage_account(user, u) or u.id == user.id]


class RevokeIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/accounts/{username}/revoke", response_model=UserOut, tags=["accounts"])
def revoke(username: str, body: RevokeIn, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user)):
    target = cases.get_user(db, username)
    accounts.revoke_account(db, user, target, reason=body.reason, now=now_of(request))
    return user_out(target)


class LeftIn(Strict):
    reason: Literal["departed", "retired", "reassigned"]
    when: dt.date | None = None


@router.post("/accounts/{username}/left", response_model=UserOut, tags=["accounts"])
def left(username: str, body: LeftIn, request: Request, db: Session = Depends(get_db),
         user: User = Depends(current_user)):
    target = cases.get_user(db, username)
    when = now_of(request)
    if body.when is not None:
        if not (dt.date(1990, 1, 1) <= body.when <= dt.date(2100, 1, 1)):
            raise BadInput("when must be between 1990 and 2100.")
        when = dt.datetime.combine(body.when, dt.time(0), dt.timezone.utc)
    accounts.mark_left(db, user, target, reason=body.reason, when=when)
    return user_out(target)


@router.get("/accounts/review", tags=["accounts"])
def review(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user),
           policy=Depends(get_policy)):
    """A6: duplicate, idle, reassigned, departed and retired accounts."""
    if not user.has_role("admin"):
        raise Forbidden("Only the centre admin performs the account review.", "A6")
    return accounts.account_review(db, policy, now_of(request))


class ReviewIn(Strict):
    revoke: list[str] = Field(default_factory=list, max_length=1000)


@router.post("/accounts/review", tags=["accounts"])
def review_record(body: ReviewIn, request: Request, db: Session = Depends(get_db),
                  user: User = Depends(current_user), policy=Depends(get_policy)):
    return accounts.record_review(db, policy, user, now_of(request), body.revoke)


# ------------------------------------------------------------------ audit samples

class SampleIn(Strict):
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    seed: int | None = Field(None, ge=0, le=2**31 - 1)


def _aware(t: dt.datetime | None, name: str) -> dt.datetime | None:
    if t is None:
        return None
    if t.tzinfo is None:
        raise BadInput(f"{name} needs a time zone (e.g. 2026-01-01T00:00:00Z).")
    if not (1990 <= t.year <= 2100):
        raise BadInput(f"{name} must be between 1990 and 2100.")
    return t.astimezone(dt.timezone.utc)


@router.post("/audit/samples", status_code=201, tags=["audit"])
def create_sample(body: SampleIn, request: Request, db: Session = Depends(get_db),
                  user: User = Depends(current_user), policy=Depends(get_policy)):
    s = sampling.create_sample(db, policy, user, now=now_of(request),
                               window_start=_aware(body.window_start, "window_start"),
                               window_end=_aware(body.window_end, "window_end"), seed=body.seed)
    return sampling.report(db, s)


def _sample_for(db: Session, user: User, policy, sample_id: int):
    if not (user.has_role("admin") or any(user.has_role(r) for r in policy.accounts.audit_supervisor_roles)):
        raise Forbidden("Audit samples are for the centre admin and supervisors.", "A6")
    return sampling.get_sample(db, sample_id)


@router.get("/audit/samples/{sample_id}", tags=["audit"])
def get_sample(sample_id: IdPath, db: Session = Depends(get_db), user: User = Depends(current_user),
               policy=Depends(get_policy)):
    s = _sample_for(db, user, policy, sample_id)
    return {**sampling.report(db, s), "status": s.status, "signed_by": s.signed_by,
            "signed_at": s.signed_at, "report_sha256": s.report_sha256}


class AnomalyIn(Strict):
    note: str = Field(min_length=1, max_length=4000)
    username: str | None = Field(None, max_length=64)
    record_seq: int | None = Field(None, ge=1, le=2**62)


@router.post("/audit/samples/{sample_id}/anomalies", status_code=201, tags=["audit"])
def anomaly(body: AnomalyIn, request: Request, sample_id: IdPath, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    s = _sample_for(db, user, policy, sample_id)
    a = sampling.record_anomaly(db, policy, user, s, note=body.note, username=body.username,
                                record_seq=body.record_seq, now=now_of(request))
    return {"id": a.id}


@router.post("/audit/samples/{sample_id}/items/{item_id}/reviewed", tags=["audit"])
def reviewed(sample_id: IdPath, item_id: IdPath, db: Session = Depends(get_db),
             user: User = Depends(current_user), policy=Depends(get_policy)):
    s = _sample_for(db, user, policy, sample_id)
    sampling.mark_reviewed(db, policy, user, s, item_id)
    return {"ok": True}


class SignIn(Strict):
    note: str = Field("", max_length=4000)


@router.post("/audit/samples/{sample_id}/signoff", tags=["audit"])
def signoff(body: SignIn, request: Request, sample_id: IdPath, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    s = _sample_for(db, user, policy, sample_id)
    sampling.sign_off(db, policy, user, s, note=body.note, now=now_of(request))
    return {"id": s.id, "status": s.status, "signed_by": s.signed_by, "report_sha256": s.report_sha256}


# ------------------------------------------------------------------ violations

class ViolationIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    case_code: str | None = Field(None, max_length=40)
    kind: Literal[KINDS]  # type: ignore[valid-type]
    reason: str = Field(min_length=1, max_length=4000)


@router.post("/violations", status_code=201, tags=["violations"])
def violation(body: ViolationIn, request: Request, db: Session = Depends(get_db),
              user: User = Depends(current_user), policy=Depends(get_policy)):
    """A8: record a violation; its effect applies at once."""
    target = cases.get_user(db, body.username)
    c = cases.get_case(db, body.case_code) if body.case_code else None
    v = violations.record_violation(db, policy, user, target, c, kind=body.kind, reason=body.reason,
                                    now=now_of(request))
    return {"id": v.id, "kind": v.kind}


@router.get("/violations", tags=["violations"])
def list_violations(db: Session = Depends(get_db), user: User = Depends(current_user)):
    if not user.has_role("admin"):
        raise Forbidden("Only the centre admin sees the violations register.", "A8")
    out = []
    for v in violations.violations_of(db):
        c = db.get(Case, v.case_id) if v.case_id else None
        out.append({"id": v.id, "username": db.get(User, v.user_id).username,
                    "case_code": c.code if c else None, "kind": v.kind, "reason": v.reason,
                    "recorded_by": v.recorded_by, "created_at": v.created_at, "lifted_at": v.lifted_at})
    return out


@router.post("/violations/{violation_id}/lift", tags=["violations"])
def lift(request: Request, violation_id: IdPath, db: Session = Depends(get_db),
         user: User = Depends(current_user)):
    v = get_row(db, Violation, violation_id, "violation")
    violations.lift_violation(db, user, v, now=now_of(request))
    return {"id": v.id, "lifted_at": v.lifted_at}
