"""JSON API of the yearly internal audit (A6): open, findings, close, and whether one is due
(:mod:`enclave.audit.internal`).  Read by the admin and the supervisors; written by the
internal auditors only."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import internal
from enclave.core.errors import Forbidden
from enclave.web.api_common import Strict, now_of
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath

router = APIRouter(prefix="/api")


def _reader(user: User, policy) -> None:
    roles = {"admin", *policy.accounts.audit_supervisor_roles, *policy.accounts.internal_auditor_roles}
    if not any(user.has_role(r) for r in roles):
        raise Forbidden("The internal audit is for the centre admin, supervisors and auditors.", "A6")


@router.get("/audit/internal", tags=["audit"])
def list_internal(request: Request, db: Session = Depends(get_db),
                  user: User = Depends(current_user), policy=Depends(get_policy)):
    _reader(user, policy)
    return {"due": internal.due(db, policy, now_of(request)),
            "audits": [a.to_dict() for a in internal.audits(db)]}


class OpenIn(Strict):
    scope: str = Field(min_length=1, max_length=4000)


@router.post("/audit/internal", status_code=201, tags=["audit"])
def open_internal(body: OpenIn, request: Request, db: Session = Depends(get_db),
                  user: User = Depends(current_user), policy=Depends(get_policy)):
    return internal.open_audit(db, policy, user, scope=body.scope, now=now_of(request)).to_dict()


class FindingIn(Strict):
    finding: str = Field(min_length=1, max_length=4000)
    severity: Literal["low", "medium", "high"]


@router.post("/audit/internal/{audit_id}/findings", status_code=201, tags=["audit"])
def finding(body: FindingIn, request: Request, audit_id: IdPath, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    return internal.record_finding(db, policy, user, audit_id, finding=body.finding,
                                   severity=body.severity, now=now_of(request))


class CloseIn(Strict):
    conclusion: str = Field(min_length=1, max_length=8000)


@router.post("/audit/internal/{audit_id}/close", tags=["audit"])
def close_internal(body: CloseIn, request: Request, audit_id: IdPath, db: Session = Depends(get_db),
                   user: User = Depends(current_user), policy=Depends(get_policy)):
    return internal.close_audit(db, policy, user, audit_id, conclusion=body.conclusion,
                                now=now_of(request)).to_dict()
