"""JSON API of an imaging case's AI-model hand-over (E8; :mod:`enclave.cases.model_handover`):
the applicant or a current officer delivers, the committee or a steward with no part in the
case accepts.  The case is found by its code even once purged (its members are then removed,
and the hand-over is owed after the period)."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases import model_handover
from enclave.cases.models import Case
from enclave.core.errors import NotFound
from enclave.identity.permissions import can_view
from enclave.web.api_common import Strict, now_of
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy

router = APIRouter(prefix="/api")


class ItemIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[model_handover.KINDS]  # type: ignore[valid-type]
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    note: str = Field("", max_length=1000)


class DeliverIn(Strict):
    items: list[ItemIn] = Field(default_factory=list, max_length=200)
    statement: str = Field("", max_length=4000)


class AcceptIn(Strict):
    note: str = Field("", max_length=4000)


def _case(db: Session, user: User, code: str) -> Case:
    """The case for someone who may see it, or its applicant (whose membership ends with the
    purge); 404 for everyone else, as for any case they may not see."""
    c = db.execute(select(Case).where(Case.code == code)).scalar_one_or_none()
    if c is None or not (can_view(user, c) or c.applicant_id == user.id):
        raise NotFound(f"No case {code!r}.")
    return c


@router.get("/cases/{code}/model-handover", tags=["cases"])
def handover_state(code: str, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return model_handover.state(db, _case(db, user, code))


@router.post("/cases/{code}/model-handover", status_code=201, tags=["cases"])
def deliver(code: str, body: DeliverIn, request: Request, db: Session = Depends(get_db),
            user: User = Depends(current_user), policy=Depends(get_policy)):
    return model_handover.deliver(db, policy, user, _case(db, user, code),
                                  items=[i.model_dump() for i in body.items],
                                  statement=body.statement, now=now_of(request))


@router.post("/cases/{code}/model-handover/accept", tags=["cases"])
def accept(code: str, body: AcceptIn, request: Request, db: Session = Depends(get_db),
           user: User = Depends(current_user), policy=Depends(get_policy)):
    return model_handover.accept(db, policy, user, _case(db, user, code), note=body.note,
                                 now=now_of(request))
