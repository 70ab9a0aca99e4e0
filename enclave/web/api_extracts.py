"""JSON API: a case's PI gives up provided data (D5) - the centre deletes those file families
of the case's extract and does not provide them to the case again
(:mod:`enclave.extracts.given_up`)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.web.api_common import Strict, now_of
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy

router = APIRouter(prefix="/api")


class GiveUpIn(Strict):
    files: list[str] | None = Field(None, min_length=1, max_length=50,
                                    description="File families to give up; none: the whole extract.")
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/cases/{code}/extract/give-up", tags=["cases"])
def give_up_data(code: str, body: GiveUpIn, request: Request, db: Session = Depends(get_db),
                 user: User = Depends(current_user), policy=Depends(get_policy)):
    """D5: delete file families of the case's extract at its PI's request; a later build of the
    case leaves them out (the centre need not provide deleted data again)."""
    from enclave.extracts.given_up import decide, delete_given_up
    from enclave.settings import get_settings

    now = now_of(request)
    new, gone, spec = decide(db, code, body.files, actor=user.username,
                             requested_by=user.username, reason=body.reason, now=now)
    db.commit()   # the decision stands before any file goes (and the deletion writes its own)
    kept = delete_given_up(code, gone, spec, settings=get_settings(), policy=policy,
                           actor=user.username, now=now, db_url=request.app.state.db_url)
    return {"case": code, "given_up": gone, "new": new, "kept": kept}
