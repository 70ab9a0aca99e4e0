"""JSON API of accreditation (P11): the admin or the managing officer records a person's
data-security training or signed confidentiality undertaking, lists them, withdraws them.
The service (:mod:`enclave.accounts.accreditation`) decides who may and audits each change."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from enclave.accounts import accreditation
from enclave.accounts.models import User
from enclave.cases import service as cases
from enclave.core.errors import Forbidden
from enclave.identity.permissions import may_manage_account
from enclave.web.api_common import Strict, now_of
from enclave.web.api_identity import Username
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy

router = APIRouter(prefix="/api")
Kind = Literal["training", "undertaking"]


class RecordIn(Strict):
    kind: Kind
    completed_on: dt.date = Field(description="The day the training was completed or the "
                                              "undertaking signed (Taipei calendar day)")
    note: str = Field("", max_length=200)


class WithdrawIn(Strict):
    kind: Kind
    reason: str = Field(min_length=1, max_length=500)


def _out(row) -> dict:
    return {"id": row.id, "kind": row.kind, "completed_at": row.completed_at.isoformat(),
            "expires_at": row.expires_at.isoformat(), "note": row.note,
            "recorded_by": row.recorded_by,
            "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None}


@router.post("/accounts/{username}/accreditations", tags=["accounts"], status_code=201)
def record(username: Username, body: RecordIn, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user), policy=Depends(get_policy)):
    row = accreditation.record(db, policy, user, cases.get_user(db, username), kind=body.kind,
                               completed_at=accreditation.day_start(body.completed_on),
                               note=body.note, now=now_of(request))
    return _out(row)


@router.get("/accounts/{username}/accreditations", tags=["accounts"])
def listing(username: Username, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    target = cases.get_user(db, username)
    if target.id != user.id and not may_manage_account(user, target):
        raise Forbidden(f"You may not read {username}'s records.", "P11")
    now = now_of(request)
    held = accreditation.current_kinds(db, target, now)
    return {"username": target.username, "required": list(policy.accounts.accreditation_required),
            "missing": accreditation.missing(policy, {k: True for k in held}),
            "records": [_out(r) for r in accreditation.history(db, target)]}


@router.post("/accounts/{username}/accreditations/withdraw", tags=["accounts"])
def withdraw(username: Username, body: WithdrawIn, request: Request, db: Session = Depends(get_db),
             user: User = Depends(current_user)):
    n = accreditation.withdraw(db, user, cases.get_user(db, username), kind=body.kind,
                               reason=body.reason, now=now_of(request))
    return {"username": username, "kind": body.kind, "withdrawn": n}
