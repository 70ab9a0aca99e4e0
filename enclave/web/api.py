"""JSON API of the control plane (``/api/...``).  Rule breaches answer 409, missing rights 403,
unknown things 404, bad input 422, each with ``{"detail": ..., "rule": "P5"}``."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts import service as accounts
from enclave.accounts.models import User
from enclave.announcements import service as ann
from enclave.audit.sampling import service as sampling
from enclave.bookings import service as bookings
from enclave.bookings.models import Booking
from enclave.cases import service as cases
from enclave.cases.errors import BadInput, Forbidden, NotFound
from enclave.cases.models import Case, ChangeRequest, Extension, Publication, SoftwareDeclaration
from enclave.cases.permissions import can_manage, can_view, is_decider, require
from enclave.violations import service as violations
from enclave.violations.models import KINDS, Violation
from enclave.web.auth import client_of, current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath

router = APIRouter(prefix="/api")

Name = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
Code = Field(min_length=1, max_length=40)


def now_of(request: Request) -> dt.datetime:
    return request.app.state.clock()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserOut(BaseModel):
    username: str
    display_name: str
    unit: str
    region: str | None
    employment: str
    status: str
    roles: list[str]


def user_out(u: User) -> UserOut:
    return UserOut(username=u.username, display_name=u.display_name, unit=u.unit, region=u.region,
                   employment=u.employment, status=u.status, roles=u.role_names)


class Investigator(Strict):
    name: str = Field(min_length=1, max_length=120)
    role: Literal["pi", "co_pi", "investigator"]


class IRB(Strict):
    number: str = Field(min_length=1, max_length=80)
    board: str = Field("", max_length=200)
    investigators: list[Investigator] = Field(default_factory=list, max_length=50)


class FileSpec(Strict):
    years: list[int] = Field(default_factory=list, max_length=40)
    columns: list[str] = Field(default_factory=list, max_length=300)


class Cohort(Strict):
    icd_prefixes: list[str] | None = Field(None, max_length=50)
    sex: list[Literal["M", "F"]] | None = Field(None, max_length=2)
    age: dict[str, int] | None = None


class ExtractSpec(Strict):
    release: str | None = Field(None, max_length=80)
    files: dict[str, FileSpec] = Field(default_factory=dict, max_length=30)
    cohort: Cohort | None = None


class MemberIn(Strict):
    username: str = Name
    participation_proof: str | None = Field(None, max_length=300)


class CaseIn(Strict):
    title: str = Field(min_length=1, max_length=300)
    case_type: Literal["government", "research"]
    imaging: bool = False
    priority_class: str = Field("independent", max_length=30)
    purpose: str = Field("", max_length=5000)
    applicant: str | None = Field(None, max_length=64)
    irb_certificate: IRB | None = None
    extract_spec: ExtractSpec = Field(default_factory=ExtractSpec)
    seats: int = Field(1, ge=1, le=1000)
    period_months: int | None = Field(None, ge=1, le=120)
    members: list[MemberIn] = Field(default_factory=list, max_length=50)


class CaseOut(BaseModel):
    code: str
    title: str
    case_type: str
    imaging: bool
    priority_class: str
    status: str
    status_reason: str | None
    applicant: str | None
    seats: int
    fees_due: int
    approved_at: dt.datetime | None
    payment_due_at: dt.datetime | None
    paid_at: dt.datetime | None
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    working_days_approved: float | None
    working_days_used: float | None
    extract_spec: dict[str, Any]
    members: list[dict[str, Any]]


def case_out(db: Session, c: Case) -> CaseOut:
    applicant = db.get(User, c.applicant_id) if c.applicant_id else None
    members = []
    for m in c.members:
        u = db.get(User, m.user_id)
        members.append({"username": u.username, "role": m.role, "active": m.removed_at is None,
                        "participation_proof": m.participation_proof})
    used = cases.half_days_used(db, c) / 2 if c.half_days_approved is not None else None
    return CaseOut(code=c.code, title=c.title, case_type=c.case_type, imaging=c.imaging,
                   priority_class=c.priority_class, status=c.status, status_reason=c.status_reason,
                   applicant=applicant.username if applicant else None, seats=c.seats,
                   fees_due=c.fees_due, approved_at=c.approved_at, payment_due_at=c.payment_due_at,
                   paid_at=c.paid_at, period_start=c.period_start, period_end=c.period_end,
                   working_days_approved=c.half_days_approved / 2 if c.half_days_approved is not None else None,
                   working_days_used=used, extract_spec=c.extract_spec, members=members)


def visible_case(db: Session, user: User, code: str) -> Case:
    c = cases.get_case(db, code)
    if not can_view(user, c):
        raise NotFound(f"No case {code!r}.")  # do not reveal other people's cases
    return c


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
    period_months: int | None = Field(None, ge=1, le=120)
    working_days: float | None = Field(None, ge=0.5, le=3650)
    seats: int | None = Field(None, ge=1, le=1000)


@router.post("/cases/{code}/approve", response_model=CaseOut, tags=["cases"])
def approve(code: str, body: ApproveIn, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    c = visible_case(db, user, code)
    cases.approve_case(db, policy, user, c, now=now_of(request), period_months=body.period_months,
                       working_days=body.working_days, seats=body.seats)
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
    e = db.get(Extension, ext_id)
    if e is None:
        raise NotFound(f"No extension request {ext_id}.")
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
    cr = db.get(ChangeRequest, change_id)
    if cr is None:
        raise NotFound(f"No change request {change_id}.")
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
    d = db.get(SoftwareDeclaration, decl_id)
    if d is None:
        raise NotFound(f"No software declaration {decl_id}.")
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
    p = db.get(Publication, pub_id)
    if p is None:
        raise NotFound(f"No publication {pub_id}.")
    cases.receive_publication_copy(db, user, p, now_of(request))
    return {"id": p.id, "copy_received_at": p.copy_received_at}


# ------------------------------------------------------------------ bookings

class BookingIn(Strict):
    case_code: str = Code
    date: dt.date
    slot: str = Field(min_length=1, max_length=40, description="slot name, or 'day' for a whole day")
    kind: Literal["interactive", "overnight"] = "interactive"
    username: str | None = Field(None, max_length=64)


class BookingOut(BaseModel):
    id: int
    case_code: str
    username: str
    slot_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seat_no: int
    kind: str
    status: str


def booking_out(db: Session, b: Booking) -> BookingOut:
    return BookingOut(id=b.id, case_code=db.get(Case, b.case_id).code, username=db.get(User, b.user_id).username,
                      slot_name=b.slot_name, starts_at=b.starts_at, ends_at=b.ends_at, seat_no=b.seat_no,
                      kind=b.kind, status=b.status)


@router.get("/slots", tags=["bookings"])
def slots(request: Request, start: dt.date | None = None, days: int = Query(7, ge=1, le=42),
          db: Session = Depends(get_db), user: User = Depends(current_user), policy=Depends(get_policy)):
    """Open slots with free seats (S2): weekends, holidays and closures are marked closed."""
    from enclave.bookings.calendar import local_date

    start = start or local_date(now_of(request), policy)
    if not (dt.date(1990, 1, 1) <= start <= dt.date(2100, 1, 1)):
        raise BadInput("start must be between 1990 and 2100.")
    return bookings.slot_overview(db, policy, start, days, user)


@router.post("/bookings", response_model=list[BookingOut], status_code=201, tags=["bookings"])
def create_booking(body: BookingIn, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """Book a half day, a whole day ('day') or an overnight run (S2-S5, P6)."""
    if not (dt.date(1990, 1, 1) <= body.date <= dt.date(2100, 1, 1)):
        raise BadInput("date must be between 1990 and 2100.")
    c = visible_case(db, user, body.case_code)
    who = cases.get_user(db, body.username) if body.username else None
    made = bookings.book(db, policy, user, c, day=body.date, slot=body.slot, user=who, kind=body.kind,
                         now=now_of(request))
    return [booking_out(db, b) for b in made]


@router.get("/bookings", response_model=list[BookingOut], tags=["bookings"])
def my_bookings(case_code: str | None = Query(None, max_length=40), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    """Your bookings, or a case's bookings (officers and staff)."""
    q = select(Booking).order_by(Booking.starts_at)
    if case_code:
        c = visible_case(db, user, case_code)
        require(can_manage(user, c) or is_decider(user) or user.has_role("steward"),
                f"see all bookings of {c.code}")
        q = q.where(Booking.case_id == c.id)
    else:
        q = q.where(Booking.user_id == user.id)
    return [booking_out(db, b) for b in db.execute(q).scalars()]


@router.delete("/bookings/{booking_id}", tags=["bookings"])
def cancel_booking(request: Request, booking_id: IdPath, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    b = db.get(Booking, booking_id)
    if b is None:
        raise NotFound(f"No booking {booking_id}.")
    bookings.cancel(db, policy, user, b, now=now_of(request))
    return {"ok": True, "cancelled": booking_id}


@router.get("/bookings.ics", tags=["bookings"], response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}})
def bookings_ics(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Your bookings as an iCalendar file."""
    rows = db.execute(select(Booking).where(Booking.user_id == user.id).order_by(Booking.starts_at)).scalars().all()
    cs = {c.id: c for c in db.execute(select(Case).where(Case.id.in_({b.case_id for b in rows}))).scalars()}
    return Response(bookings.to_ics(rows, cs, now=now_of(request)), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="bookings.ics"'})


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


@router.post("/accounts", response_model=UserOut, status_code=201, tags=["accounts"])
def create_account(body: AccountIn, request: Request, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    """A1/A2/A4: admin creates any account; an officer creates researchers of its unit."""
    u = accounts.create_account(db, policy, user, username=body.username, password=body.password,
                                display_name=body.display_name, unit=body.unit,
                                employment=body.employment, email=body.email, region=body.region,
                                roles=body.roles, now=now_of(request))
    return user_out(u)


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
    v = db.get(Violation, violation_id)
    if v is None:
        raise NotFound(f"No violation {violation_id}.")
    violations.lift_violation(db, user, v, now=now_of(request))
    return {"id": v.id, "lifted_at": v.lifted_at}


# ------------------------------------------------------------------ announcements

class AnnouncementOut(BaseModel):
    id: int
    title: str
    body_html: str
    keywords: str
    region: str | None
    published_at: dt.datetime
    author: str
    attachments: list[dict[str, Any]]


def ann_out(a) -> AnnouncementOut:
    return AnnouncementOut(id=a.id, title=a.title, body_html=a.body_html, keywords=a.keywords,
                           region=a.region, published_at=a.published_at, author=a.author,
                           attachments=[{"id": x.id, "filename": x.filename, "size": x.size,
                                         "content_type": x.content_type, "sha256": x.sha256}
                                        for x in a.attachments])


@router.get("/announcements", tags=["announcements"])
def announcements(q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=100000),
                  db: Session = Depends(get_db), user: User = Depends(current_user),
                  policy=Depends(get_policy)):
    """O1: newest first, paged, keyword search; only your region's and centre-wide notices."""
    res = ann.listing(db, policy, user, q=q, page=page)
    return {**res, "items": [ann_out(a) for a in res["items"]]}


@router.post("/announcements", response_model=AnnouncementOut, status_code=201, tags=["announcements"])
async def publish(request: Request, title: str = Form(..., max_length=300), body: str = Form("", max_length=200000),
                  region: str | None = Form(None, max_length=40), keywords: str = Form("", max_length=300),
                  files: list[UploadFile] = File(default_factory=list),
                  db: Session = Depends(get_db), user: User = Depends(current_user),
                  policy=Depends(get_policy)):
    limit = policy.operations.announcement_attachment_max_bytes
    atts = []
    for f in files:
        data = await f.read(limit + 1)
        atts.append((f.filename or "attachment", f.content_type or "application/octet-stream", data))
    a = ann.publish(db, policy, user, title=title, body=body, region=region or None, keywords=keywords,
                    attachments=atts, now=now_of(request))
    return ann_out(a)


@router.get("/announcements/{ann_id}", response_model=AnnouncementOut, tags=["announcements"])
def announcement(ann_id: IdPath, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return ann_out(ann.get_visible(db, user, ann_id))


@router.get("/announcements/{ann_id}/attachments/{att_id}", tags=["announcements"], response_class=Response)
def attachment(ann_id: IdPath, att_id: IdPath, db: Session = Depends(get_db),
               user: User = Depends(current_user)):
    a = ann.get_visible(db, user, ann_id)
    x = next((x for x in a.attachments if x.id == att_id), None)
    if x is None:
        raise NotFound(f"No attachment {att_id}.")
    return Response(x.data, media_type="application/octet-stream",
                    headers=ann.download_headers(x.filename))
