"""Schemas and helpers the control plane's API routers share (#17: a router per area, schemas apart)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from enclave.accounts.models import User
from enclave.cases import service as cases
from enclave.cases.draft_version import draft_version
from enclave.cases.errors import NotFound
from enclave.cases.models import Case
from enclave.cases.permissions import can_view


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
    seats: int | None = Field(None, ge=1, le=1000)   # None: the policy's seats per case (S4)
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
    draft_version: str | None = None   # a draft's version: its approval names it (A1)


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
                   working_days_used=used, extract_spec=c.extract_spec, members=members,
                   draft_version=draft_version(db, c) if c.status == "draft" else None)


def visible_case(db: Session, user: User, code: str) -> Case:
    c = cases.get_case(db, code)
    if not can_view(user, c):
        raise NotFound(f"No case {code!r}.")  # do not reveal other people's cases
    return c
