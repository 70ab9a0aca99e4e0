"""Browse the session query log, export it for auditors, and record the supervisor's approval (A3).

Queries are the ``session.query`` records of the audit log (written by the warden before the
broker runs them: account, case, time, SQL, purpose).  A3 also asks that each query be
approved by the responsible supervisor within the user's lawful scope: here the case's PI
approves the other members' queries and holders of ``accounts.query_approval_roles`` approve
any case's; nobody approves their own.  An undecided query older than
``accounts.query_approval_days`` blocks new sessions of its case (:func:`overdue`), so the
approval cannot be skipped by leaving it undone.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import String, TypeDecorator, and_, delete, exists, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.audit.log import QUERY_ACTION
from enclave.audit.models import AuditRecord
from enclave.core.errors import BadInput, Forbidden, NotFound, Refused
from enclave.identity.permissions import case_people
from enclave.cases.models import Case, CaseMember
from enclave.querylog.models import QueryPending, QueryReview

DECISIONS = ("approved", "flagged")
MAX_PAGE = 500
TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class QueryFilter:
    account: str | None = None
    case: str | None = None
    since: dt.datetime | None = None   # inclusive, aware
    until: dt.datetime | None = None   # exclusive, aware
    purpose: str | None = None         # substring, case-insensitive
    status: str | None = None          # pending | approved | flagged
    within: tuple[str, ...] | None = None   # only these cases (what the viewer may see)

    def __post_init__(self):
        if self.status not in (None, "pending", *DECISIONS):
            raise BadInput(f"status must be pending, approved or flagged, not {self.status!r}", "A3")
        for name in ("since", "until"):
            t = getattr(self, name)
            if t is not None and t.tzinfo is None:
                raise BadInput(f"{name} must carry a time zone", "A3")


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def _query(f: QueryFilter):
    q = (select(AuditRecord, QueryReview)
         .outerjoin(QueryReview, QueryReview.audit_seq == AuditRecord.seq)
         .where(AuditRecord.action == QUERY_ACTION))
    if f.account:
        q = q.where(AuditRecord.actor == f.account)
    if f.case:
        q = q.where(AuditRecord.case_code == f.case)
    if f.within is not None:
        q = q.where(AuditRecord.case_code.in_(f.within))
    # audit timestamps are ISO-8601 UTC with microseconds, so text order is time order
    if f.since:
        q = q.where(AuditRecord.ts >= _iso(f.since))
    if f.until:
        q = q.where(AuditRecord.ts < _iso(f.until))
    if f.purpose:
        q = q.where(func.lower(AuditRecord.reason).contains(f.purpose.lower(), autoescape=True))
    if f.status == "pending":
        q = q.where(QueryReview.id.is_(None))
    elif f.status:
        q = q.where(QueryReview.decision == f.status)
    return q


def _row(rec: AuditRecord, rev: QueryReview | None) -> dict:
    t = dt.datetime.fromisoformat(rec.ts)
    return {"seq": rec.seq, "ts_utc": rec.ts, "ts_taipei": t.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M:%S"),
            "account": rec.actor, "case": rec.case_code, "purpose": rec.reason or "",
            "sql": rec.subject or "", "status": rev.decision if rev else "pending",
            "decided_by": rev.decided_by if rev else None,
            "decided_at": rev.decided_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if rev else None,
            "note": rev.note if rev else None}


def list_queries(db: Session, f: QueryFilter, *, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """One page of matching queries (newest first) and the total count."""
    if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= 10**9:
        raise BadInput(f"limit must be 1..{MAX_PAGE} and offset 0..10^9", "A3")
    total = db.execute(select(func.count()).select_from(_query(f).subquery())).scalar_one()
    rows = db.execute(_query(f).order_by(AuditRecord.seq.desc()).limit(limit).offset(offset)).all()
    return [_row(r, v) for r, v in rows], int(total)


CSV_COLUMNS = ("seq", "ts_utc", "ts_taipei", "account", "case", "purpose", "sql", "status",
               "decided_by", "decided_at", "note")


def export_csv(db: Session, f: QueryFilter) -> str:
    """Every matching query as CSV for auditors (UTC ISO and Taipei time, oldest first).

    Cells that a spreadsheet would run as a formula are prefixed with a quote."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for rec, rev in db.execute(_query(f).order_by(AuditRecord.seq)).yield_per(1000):
        row = _row(rec, rev)
        w.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(v) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def led_cases(db: Session, user: User) -> tuple[str, ...]:
    """The cases ``user`` leads now: a current officer (PI) membership of a case past the draft.
    Having filed a case is not leading it - a draft's filer, a PI who handed the case over or
    was removed answer for nobody's queries (A3, A7)."""
    return tuple(db.execute(select(Case.code).join(CaseMember, CaseMember.case_id == Case.id).where(
        CaseMember.user_id == user.id, CaseMember.removed_at.is_(None),
        CaseMember.role.in_(("pi", "officer")), Case.status != "draft")).scalars())


def visible_cases(db: Session, policy, viewer: User) -> tuple[str, ...] | None:
    """The cases whose queries ``viewer`` may browse: None for all (the centre admin, audit
    supervisors, query approvers), else the cases they lead as PI (A3: the responsible
    supervisor); refused for anyone else."""
    roles = ("admin", *policy.accounts.audit_supervisor_roles, *policy.accounts.query_approval_roles)
    if any(viewer.has_role(r) for r in roles):
        return None
    led = led_cases(db, viewer)
    if not led:
        raise Forbidden("The query log is for the centre admin, audit supervisors, query approvers "
                        "and each case's PI (A3).", "A3")
    return led


def may_approve(db: Session, policy, actor: User, rec: AuditRecord) -> str | None:
    """Why ``actor`` may not decide on this query (None: they may)."""
    if rec.actor == actor.username:
        return "nobody approves their own queries (A3)"
    if actor.status != "active":
        return f"account {actor.username} is {actor.status}"
    if rec.case_code in led_cases(db, actor):
        return None
    if any(actor.has_role(r) for r in policy.accounts.query_approval_roles):
        # the role approves from outside: held by someone in the case (applicant, current or
        # former member, IRB investigator) it would pass their colleagues' queries (A3, A1)
        case = db.execute(select(Case).where(Case.code == rec.case_code)).scalar_one_or_none()
        if case is None:
            return f"case {rec.case_code} cannot be read, so independence from it cannot be shown (A3)"
        if actor.id in case_people(case):
            return (f"you work or worked on case {rec.case_code}: its queries are approved by its PI "
                    "or by an approver outside the case (A3)")
        return None
    return (f"only case {rec.case_code}'s PI or a holder of {policy.accounts.query_approval_roles} "
            "may approve its queries (A3)")


def decide(db: Session, policy, actor: User, seqs: list[int], decision: str, *,
           note: str | None = None, now: dt.datetime) -> list[int]:
    """Approve or flag logged queries; all or none (one refusal refuses the batch)."""
    if decision not in DECISIONS:
        raise BadInput(f"decision must be one of {DECISIONS}", "A3")
    if not seqs or len(seqs) > MAX_PAGE or any(not 1 <= s <= 2**62 for s in seqs):
        raise BadInput(f"give 1..{MAX_PAGE} query numbers", "A3")
    if decision == "flagged" and not (note and note.strip()):
        raise BadInput("a flagged query needs a note saying what is wrong", "A3")
    recs = {r.seq: r for r in db.execute(select(AuditRecord).where(
        AuditRecord.seq.in_(seqs), AuditRecord.action == QUERY_ACTION)).scalars()}
    missing = sorted(set(seqs) - set(recs))
    if missing:
        raise NotFound(f"no logged queries with numbers {missing[:10]}")
    # two supervisors at once: the pending rows are locked first (PostgreSQL; SQLite's write
    # transaction serialises deciders already), so the second waits and then finds them decided
    db.execute(select(QueryPending.audit_seq).where(QueryPending.audit_seq.in_(sorted(recs)))
               .with_for_update())
    done = set(db.execute(select(QueryReview.audit_seq).where(QueryReview.audit_seq.in_(seqs))).scalars())
    if done:
        raise Refused(f"queries {sorted(done)[:10]} are already decided", "A3")
    for s in sorted(recs):
        why = may_approve(db, policy, actor, recs[s])
        if why:
            raise Forbidden(f"query {s}: {why}", "A3")
    try:
        for s in sorted(recs):
            r = recs[s]
            db.add(QueryReview(audit_seq=s, case_code=r.case_code, querier=r.actor, decision=decision,
                               decided_by=actor.username, decided_at=now, note=note))
            append(db, AuditEntry("control", actor.username, f"query.{decision}", case_code=r.case_code,
                                  subject=str(s), reason=note, detail={"querier": r.actor}), now=now)
        db.flush()
    except IntegrityError:
        # a decision on a query with no pending row, made by another supervisor meanwhile: the
        # unique index refused the second (the caller's transaction is rolled back whole)
        raise Refused(f"queries {sorted(recs)[:10]} were decided meanwhile by someone else", "A3") from None
    # decided: no longer pending, in the decision's own transaction
    db.execute(delete(QueryPending).where(QueryPending.audit_seq.in_(sorted(recs))))
    return sorted(recs)


def _cutoff(cutoff):
    if isinstance(cutoff, dt.datetime):
        return _iso(cutoff)
    return type_coerce(cutoff, _IsoUTC())   # audit timestamps are compared as their ISO text


def overdue_count(case_code, cutoff):
    """SELECT count of the case's undecided queries logged before ``cutoff``.  ``case_code``:
    a value or a column; ``cutoff``: an aware datetime, or a bind parameter that will carry one.
    Reads only the case's pending queries older than the cutoff (an index range)."""
    return (select(func.count()).select_from(QueryPending)
            .where(QueryPending.case_code == case_code, QueryPending.ts < _cutoff(cutoff)))


def any_overdue(case_code, cutoff):
    """EXISTS: the case has an undecided query logged before ``cutoff`` (one index seek, however
    long the log; the booking gate correlates ``case_code`` with its case in its one query)."""
    return exists().where(QueryPending.case_code == case_code,
                          QueryPending.ts < _cutoff(cutoff))


def overdue_count_from_log(case_code, cutoff):
    """The same count read from the audit log itself (every query record of the case against
    the decisions): the definition the pending table must agree with, kept for tests/bench."""
    return (select(func.count()).select_from(AuditRecord)
            .outerjoin(QueryReview, QueryReview.audit_seq == AuditRecord.seq)
            .where(and_(AuditRecord.action == QUERY_ACTION, AuditRecord.case_code == case_code,
                        AuditRecord.ts < _cutoff(cutoff), QueryReview.id.is_(None))))


class _IsoUTC(TypeDecorator):
    """A bound aware datetime as the audit log's ISO-8601 UTC text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _iso(value)


def overdue(db: Session, policy, case_code: str, now: dt.datetime) -> int:
    """Undecided queries of the case older than the approval window (0 when the window is off)."""
    days = policy.accounts.query_approval_days
    if not days:
        return 0
    return int(db.execute(overdue_count(case_code, now - dt.timedelta(days=days))).scalar_one())
