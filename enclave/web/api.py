"""JSON API of the control plane (``/api/...``): session and cases.  Rule breaches answer 409,
missing rights 403, unknown things 404, bad input 422, each with ``{"detail": ..., "rule": "P5"}``.
The other areas: ``api_bookings``, ``api_admin`` (accounts, audit samples, violations),
``api_announcements``, ``api_identity`` (log-in, TOTP, account administration)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from enclave.accounts import service as accounts
from enclave.accounts.models import User
from enclave.cases import service as cases
from enclave.cases.models import Case, ChangeRequest, Extension, Publication, SoftwareDeclaration
from enclave.core.rows import get_row
from enclave.web.api_common import CaseIn, CaseOut, Code, Name, Strict, UserOut, case_out, now_of, user_out, visible_case
from enclave.web.auth import client_of, current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath


router = APIRouter(prefix="/api")

# ------------------------------------------------------------------ session

@router.get("/me", response_model=UserOut, tags=["auth"])
def me(user: User = Depends(current_user)):
    return user_out(user)


class PasswordIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


@router.post("/password", tags=["accounts"])
def change_password(body: PasswordIn, request: Request, db: Session = Depends(get_db),
                    policy=Depends(get_policy)):
    """A4: change a password (works with an expired password)."""
    try:
        accounts.change_password(db, policy, username=body.username, old=body.old_password,
                                 new=body.new_password, now=now_of(request), client=client_of(request))
    except Exception:
        db.commit()  # the refusal is audited
        raise
    return {"ok": True}


# ------------------------------------------------------------------ cases

@router.get("/cases", response_model=list[CaseOut], tags=["cases"])
def list_cases(db: Session = Depends(get_db), user: User = Depends(current_user)):
    return [case_out(db, c) for c in cases.visible_cases(db, user)]


@router.post("/cases", response_model=CaseOut, status_code=201, tags=["cases"])
def create_case(body: CaseIn, request: Request, db: Session = Depends(get_db),
                user: User = Depends(current_user), policy=Depends(get_policy)):
    """Apply for a case (P1, P2, P5, P12, A2, A8)."""
    applicant = cases.get_user(db, body.applicant) if body.applicant else user
    members = [(cases.get_user(db, m.username), m.participation_proof) for m in body.members]
    c = cases.create_case(db, policy, user, applicant=applicant, title=body.title,
                          case_type=body.case_type, imaging=body.imaging,
                          priority_class=body.priority_class, purpose=body.purpose,
                          irb_certificate=body.irb_certificate.model_dump() if body.irb_certificate else None,
                          extract_spec=body.extract_spec.model_dump(exclude_none=True), seats=body.seats,
                          period_months=body.period_months, members=members, now=now_of(request))
    return case_out(db, c)


@router.get("/cases/{code}", response_model=CaseOut, tags=["cases"])
def get_case(code: str, request: Request, db: Session = Depends(get_db), user: User = Depends(current_user),
             policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    cases.refresh_case(db, policy, c, now_of(request), user.username)
    return case_out(db, c)


class ApproveIn(Strict):
    version: str = Field("", max_length=64, description="draft_version of the case as read (A1): "
                                                         "refused when the draft changed since")
    period_months: int | None = Field(None, ge=1, le=120)
    working_days: float | None = Field(None, ge=0.5, le=3650)
    seats: int | None = Field(None, ge=1, le=1000)


@router.post("/cases/{code}/approve", response_model=CaseOut, tags=["cases"])
def approve(code: str, body: ApproveIn, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    cases.approve_case(db, policy, user, c, now=now_of(request), period_months=body.period_months,
                       working_days=body.working_days, seats=body.seats, seen_version=body.version,
                       check_version=True)
    return case_out(db, c)


class PaymentIn(Strict):
    amount: int = Field(ge=0, le=10**9)


@router.post("/cases/{code}/payment", response_model=CaseOut, tags=["cases"],
             responses={409: {"description": "Paid after the deadline: the case is void (P10)."}})
def payment(code: str, body: PaymentIn, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    cases.record_payment(db, policy, user, c, amount=body.amount, now=now_of(request))
    if c.status == "void":
        return JSONResponse({"detail": f"{c.code} is void: {c.status_reason}", "rule": "P10"},
                            status_code=409)
    return case_out(db, c)


class ExtensionIn(Strict):
    days: int = Field(ge=1, le=3650)
    retention: bool = True


class DecisionIn(Strict):
    approve: bool
    note: str | None = Field(None, max_length=2000)


@router.post("/cases/{code}/extensions", status_code=201, tags=["cases"])
def extension(code: str, body: ExtensionIn, request: Request, db: Session = Depends(get_db),
              user: User = Depends(current_user), policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    e = cases.request_extension(db, policy, user, c, days=body.days, retention=body.retention,
                                now=now_of(request))
    return {"id": e.id, "status": e.status, "days": e.days}


@router.post("/extensions/{ext_id}/decision", tags=["cases"])
def extension_decision(body: DecisionIn, request: Request, ext_id: IdPath, db: Session = Depends(get_db),
                       user: User = Depends(current_user), policy=Depends(get_policy)):
    e = get_row(db, Extension, ext_id, "extension request")
    cases.decide_extension(db, policy, user, e, approve=body.approve, now=now_of(request))
    c = db.get(Case, e.case_id)
    return {"id": e.id, "status": e.status, "period_end": c.period_end}


class ChangeIn(Strict):
    kind: Literal["staff", "files", "columns"]
    payload: dict[str, Any]


@router.post("/cases/{code}/changes", status_code=201, tags=["cases"])
def change(code: str, body: ChangeIn, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user), policy=Depends(get_policy)):
    """P7: staff {add, remove, proofs}; files {files: {FAMILY: {years, columns}}};
    columns {columns: {FAMILY: [col]}}."""
    c = visible_case(db, user, code)
    cr = cases.request_change(db, policy, user, c, kind=body.kind, payload=body.payload, now=now_of(request))
    return {"id": cr.id, "status": cr.status, "kind": cr.kind}


@router.get("/cases/{code}/changes", tags=["cases"])
def changes(code: str, db: Session = Depends(get_db), user: User = Depends(current_user)):
    c = visible_case(db, user, code)
    rows = db.execute(select(ChangeRequest).where(ChangeRequest.case_id == c.id)
                      .order_by(ChangeRequest.id)).scalars()
    return [{"id": r.id, "kind": r.kind, "payload": r.payload, "status": r.status,
             "requested_by": r.requested_by, "requested_at": r.requested_at,
             "decided_by": r.decided_by} for r in rows]


@router.post("/changes/{change_id}/decision", tags=["cases"])
def change_decision(body: DecisionIn, request: Request, change_id: IdPath, db: Session = Depends(get_db),
                    user: User = Depends(current_user), policy=Depends(get_policy)):
    cr = get_row(db, ChangeRequest, change_id, "change request")
    cases.decide_change(db, policy, user, cr, approve=body.approve, note=body.note, now=now_of(request))
    return {"id": cr.id, "status": cr.status}


class DaysIn(Strict):
    days: int = Field(ge=1, le=365)


class TransferIn(Strict):
    to_case: str = Code
    days: int = Field(ge=1, le=365)


@router.post("/cases/{code}/working-days", response_model=CaseOut, tags=["cases"])
def buy_days(code: str, body: DaysIn, request: Request, db: Session = Depends(get_db),
             user: User = Depends(current_user), policy=Depends(get_policy)):
    """P7: buy extra working days (fee from the schedule)."""
    c = visible_case(db, user, code)
    cases.buy_working_days(db, policy, user, c, days=body.days, now=now_of(request))
    return case_out(db, c)


@router.post("/cases/{code}/working-days/transfer", tags=["cases"])
def transfer_days(code: str, body: TransferIn, request: Request, db: Session = Depends(get_db),
                  user: User = Depends(current_user), policy=Depends(get_policy)):
    """P8: move unused working days to the same applicant's other case (no refunds)."""
    src = visible_case(db, user, code)
    dst = visible_case(db, user, body.to_case)
    cases.transfer_working_days(db, policy, user, src, dst, days=body.days, now=now_of(request))
    return {"from": src.code, "to": dst.code, "days": body.days}


class MemberAddIn(Strict):
    username: str = Name
    participation_proof: str | None = Field(None, max_length=300)


@router.post("/cases/{code}/members", response_model=CaseOut, tags=["cases"])
def add_member(code: str, body: MemberAddIn, request: Request, db: Session = Depends(get_db),
               user: User = Depends(current_user), policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    cases.add_member(db, policy, user, c, cases.get_user(db, body.username), body.participation_proof,
                     now_of(request))
    return case_out(db, c)


class HandoverIn(Strict):
    new_officer: str | None = Field(None, max_length=64)


@router.post("/cases/{code}/handover", response_model=CaseOut, tags=["cases"])
def handover(code: str, body: HandoverIn, request: Request, db: Session = Depends(get_db),
             user: User = Depends(current_user), policy=Depends(get_policy)):
    """A7: the new officer first, then the old one is revoked (or its password expired)."""
    c = visible_case(db, user, code)
    new = cases.get_user(db, body.new_officer) if body.new_officer else None
    cases.handover_officer(db, policy, user, c, new, now=now_of(request))
    return case_out(db, c)


class SoftwareIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    version: str = Field("", max_length=60)
    purpose: str = Field("", max_length=2000)


@router.post("/cases/{code}/software", status_code=201, tags=["cases"])
def software(code: str, body: SoftwareIn, request: Request, db: Session = Depends(get_db),
             user: User = Depends(current_user)):
    c = visible_case(db, user, code)
    d = cases.declare_software(db, user, c, name=body.name, version=body.version, purpose=body.purpose,
                               now=now_of(request))
    return {"id": d.id, "status": d.status}


@router.post("/software/{decl_id}/decision", tags=["cases"])
def software_decision(body: DecisionIn, request: Request, decl_id: IdPath, db: Session = Depends(get_db),
                      user: User = Depends(current_user)):
    d = get_row(db, SoftwareDeclaration, decl_id, "software declaration")
    cases.decide_software(db, user, d, approve=body.approve, now=now_of(request))
    return {"id": d.id, "status": d.status}


class PublicationIn(Strict):
    title: str = Field(min_length=1, max_length=400)
    published_on: dt.date
    cites_source: bool


@router.post("/cases/{code}/publications", status_code=201, tags=["cases"])
def publication(code: str, body: PublicationIn, request: Request, db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    c = visible_case(db, user, code)
    p = cases.register_publication(db, user, c, title=body.title, published_on=body.published_on,
                                   cites_source=body.cites_source, now=now_of(request))
    return {"id": p.id}


@router.post("/publications/{pub_id}/copy", tags=["cases"])
def publication_copy(request: Request, pub_id: IdPath, db: Session = Depends(get_db),
                     user: User = Depends(current_user)):
    p = get_row(db, Publication, pub_id, "publication")
    cases.receive_publication_copy(db, user, p, now_of(request))
    return {"id": p.id, "copy_received_at": p.copy_received_at}
