"""The deciders' work queue (issue 16): everything waiting for the centre admin or the
committee on one page, oldest first — cases to approve, payments to record, change requests,
extensions, software declarations and publication copies due — each linking to the case page
where the decision is taken.  Waiting time in days, times in Taipei."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.errors import Forbidden
from enclave.cases.models import Case, ChangeRequest, Extension, Publication, SoftwareDeclaration
from enclave.identity.permissions import is_decider
from enclave.web.deps import get_db
from enclave.web.pages import now_of, page_user, render

router = APIRouter()


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def work_queue(db: Session, now: dt.datetime) -> list[dict]:
    """Open items for deciders, oldest first: kind, case code, what, since, days waiting."""
    codes = {c.id: c for c in db.execute(select(Case)).scalars()}
    items: list[dict] = []

    def add(kind_zh: str, kind: str, case: Case, what: str, since: dt.datetime | None) -> None:
        since = _aware(since) or now
        items.append({"kind": f"{kind_zh} {kind}", "case": case.code, "what": what, "since": since,
                      "days": max(0, (now - since).days)})

    for c in codes.values():
        if c.status == "draft":                   # applied for, not decided
            add("案件核准", "case approval", c, c.title, c.created_at)
        if c.status == "approved" and not c.paid_at:
            add("待收款", "payment", c, f"{c.fees_due} TWD", c.approved_at)
    for model, zh, en, what in ((ChangeRequest, "變更申請", "change request", lambda r: r.kind),
                                (Extension, "展延申請", "extension", lambda r: f"{r.days} days"),
                                (SoftwareDeclaration, "軟體申報", "software", lambda r: f"{r.name} {r.version}".strip())):
        for r in db.execute(select(model).where(model.status == "pending")).scalars():
            add(zh, en, codes[r.case_id], what(r), r.requested_at)
    for p in db.execute(select(Publication).where(Publication.copy_received_at.is_(None))).scalars():
        add("發表抽印本待交", "publication copy due", codes[p.case_id], p.title, p.registered_at)
    items.sort(key=lambda i: i["since"])
    return items


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)):
    if not is_decider(user):
        raise Forbidden("The work queue is for the centre admin and the committee.", "A1")
    return render(request, "queue.html", user, items=work_queue(db, now_of(request)))
