"""The session query log for the people A3 makes responsible: browse with filters (account,
case, Taipei dates, purpose text, status), export CSV for auditors, approve or flag.

The centre admin, audit supervisors and query approvers see every case; a PI sees the queries
of the cases they lead (and approves the members', never their own: the service decides).
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.errors import BadInput, Forbidden
from enclave.querylog import service as ql
from enclave.web.deps import get_db, get_policy
from enclave.web.pages import back, now_of, page_user, render

router = APIRouter()
PAGE = 50


def _day(value: str | None, name: str, *, end: bool = False) -> dt.datetime | None:
    """A date typed on the page is a Taipei calendar day; ``end``: the day after (exclusive)."""
    if not value:
        return None
    try:
        d = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{name}: a date as YYYY-MM-DD, not {value!r}", "A3") from None
    start = dt.datetime.combine(d + dt.timedelta(days=1 if end else 0), dt.time(), ql.TAIPEI)
    return start


def _filter(db: Session, policy, user: User, account, case, since, until, purpose, status) -> ql.QueryFilter:
    within = ql.visible_cases(db, policy, user)
    if case and within is not None and case not in within:
        raise Forbidden(f"You may browse the queries of your own cases only ({', '.join(within)}).", "A3")
    return ql.QueryFilter(account=account or None, case=case or None, since=_day(since, "from"),
                          until=_day(until, "to", end=True), purpose=purpose or None,
                          status=status or None, within=within)


_FIELDS = dict(account=Query("", max_length=64), case=Query("", max_length=40),
               since=Query("", max_length=10), until=Query("", max_length=10),
               purpose=Query("", max_length=200), status=Query("", max_length=10))


@router.get("/queries", response_class=HTMLResponse)
def queries_page(request: Request, account: str = _FIELDS["account"], case: str = _FIELDS["case"],
                 since: str = _FIELDS["since"], until: str = _FIELDS["until"],
                 purpose: str = _FIELDS["purpose"], status: str = _FIELDS["status"],
                 page: int = Query(1, ge=1, le=100_000), db: Session = Depends(get_db),
                 user: User = Depends(page_user), policy=Depends(get_policy)):
    f = _filter(db, policy, user, account, case, since, until, purpose, status)
    rows, total = ql.list_queries(db, f, limit=PAGE, offset=(page - 1) * PAGE)
    params = {k: v for k, v in dict(account=account, case=case, since=since, until=until,
                                    purpose=purpose, status=status).items() if v}
    for r in rows:
        r["may_decide"] = r["status"] == "pending" and r["account"] != user.username
    return render(request, "queries.html", user, rows=rows, total=total, page=page,
                  pages=max(1, -(-total // PAGE)), params=params, query=urlencode(params),
                  scope=f.within, statuses=("pending", *ql.DECISIONS))


@router.get("/queries.csv")
def queries_csv(account: str = _FIELDS["account"], case: str = _FIELDS["case"],
                since: str = _FIELDS["since"], until: str = _FIELDS["until"],
                purpose: str = _FIELDS["purpose"], status: str = _FIELDS["status"],
                db: Session = Depends(get_db), user: User = Depends(page_user), policy=Depends(get_policy)):
    f = _filter(db, policy, user, account, case, since, until, purpose, status)
    body = ql.export_csv(db, f)
    from enclave.core.audit import audit

    # an export takes the query log out of the app: who took which rows is itself audited (A5)
    audit(db, user.username, "querylog.exported", subject="/queries.csv",
          filter={k: v for k, v in dict(account=account, case=case, since=since, until=until,
                                        purpose=purpose, status=status).items() if v},
          bytes=len(body.encode("utf-8")))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="query-log.csv"'})


@router.post("/queries/decide")
def queries_decide(request: Request, seq: list[int] = Form(default_factory=list),
                   decision: str = Form(..., max_length=10), note: str = Form("", max_length=500),
                   back_to: str = Form("", max_length=600), db: Session = Depends(get_db),
                   user: User = Depends(page_user), policy=Depends(get_policy)):
    if not seq:
        raise BadInput("Tick at least one query.", "A3")
    ql.visible_cases(db, policy, user)            # nobody outside A3's circle gets this far
    done = ql.decide(db, policy, user, seq, decision, note=note or None, now=now_of(request))
    word = "已核准 approved" if decision == "approved" else "已標記問題 flagged"
    target = "/queries" + ("?" + back_to if back_to and "\n" not in back_to and "//" not in back_to else "")
    return back(target, f"{len(done)} 筆查詢{word}")
