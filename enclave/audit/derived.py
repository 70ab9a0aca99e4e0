"""The tables that copy the audit log's query decisions (A3) must agree with the sealed log.

``query_reviews`` (a supervisor's decision on a logged query) and ``query_pending`` (the
queries nobody decided yet, read by the booking gate) are written beside the sealed records, in
the same transaction, but are not sealed themselves.  Whoever can write the database but not
the key could turn a flagged query into an approved one on every page, invent a decision, or
delete a pending row so the booking gate stops seeing an overdue query - while the chain still
verifies.  The sealed records say what happened (``session.query`` records, and one
``query.approved`` / ``query.flagged`` record per decision naming the query's number as its
subject), so ``enclave audit verify`` reads both tables against them.

Joins on the query's number use the tables' unique indexes; the decisions are compared in
memory (one row each), never by a join on an unindexed expression.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from enclave.audit.log import QUERY_ACTION, ChainProblem
from enclave.audit.models import AuditRecord
from enclave.querylog.models import QueryPending, QueryReview

DECISIONS = ("approved", "flagged")
KIND = "decision-index"   # a copy of the log's query decisions that the log does not bear out
_SHOWN = 20               # problems reported per check (the first ones; the rest are like them)


def _problem(seq: int, msg: str) -> ChainProblem:
    return ChainProblem(seq, KIND, f"query {seq}: {msg} (the A3 decision tables were edited "
                                   f"outside the application)")


def query_index_problems(session: Session) -> list[ChainProblem]:
    """Every disagreement between the query decision tables and the sealed log (empty: none)."""
    q, p, r = AuditRecord, QueryPending, QueryReview
    out: list[ChainProblem] = []

    # a pending row must be an undecided query record, with its case and time
    rows = session.execute(
        select(p.audit_seq, q.seq).outerjoin(q, and_(q.seq == p.audit_seq, q.action == QUERY_ACTION))
        .where(or_(q.seq.is_(None), q.case_code.is_distinct_from(p.case_code), q.ts != p.ts))
        .order_by(p.audit_seq).limit(_SHOWN)).all()
    out += [_problem(s, "its pending row names no logged query, or another case or time" if known is None
                     else "its pending row's case or time differs from the logged query") for s, known in rows]

    # every query record is pending or decided, never neither (hidden from the gate) nor both
    rows = session.execute(
        select(q.seq, p.id, r.id).outerjoin(p, p.audit_seq == q.seq).outerjoin(r, r.audit_seq == q.seq)
        .where(q.action == QUERY_ACTION, or_(and_(p.id.is_(None), r.id.is_(None)),
                                             and_(p.id.is_not(None), r.id.is_not(None))))
        .order_by(q.seq).limit(_SHOWN)).all()
    out += [_problem(s, "it is neither pending nor decided: the booking gate no longer sees it"
                     if pid is None else "it is both pending and decided") for s, pid, _ in rows]

    # a review row must be of a query record, with its case and querier ...
    rows = session.execute(
        select(r.audit_seq).outerjoin(q, and_(q.seq == r.audit_seq, q.action == QUERY_ACTION))
        .where(or_(q.seq.is_(None), q.case_code.is_distinct_from(r.case_code), q.actor != r.querier))
        .order_by(r.audit_seq).limit(_SHOWN)).scalars().all()
    out += [_problem(s, "its decision row names no logged query, or another case or querier") for s in rows]

    # ... and say what the sealed decision record says, by whom; every sealed decision has its row
    sealed: dict[str, list[tuple[str, str]]] = {}
    for subject, action, actor in session.execute(
            select(q.subject, q.action, q.actor).where(q.action.in_([f"query.{d}" for d in DECISIONS]))):
        sealed.setdefault(subject or "", []).append((action, actor))
    seen: set[str] = set()
    bad = 0
    for seq, decision, by in session.execute(select(r.audit_seq, r.decision, r.decided_by).order_by(r.audit_seq)):
        seen.add(str(seq))
        if bad < _SHOWN and (f"query.{decision}", by) not in sealed.get(str(seq), []):
            bad += 1
            out.append(_problem(seq, f"its decision row says {decision!r} by {by}, which no sealed "
                                     f"decision record says"))
    for subject in sorted(set(sealed) - seen, key=lambda s: (len(s), s))[:_SHOWN]:
        seq = int(subject) if subject.isdigit() else 1
        out.append(_problem(seq, "its sealed decision has no decision row: the decision was removed"))
    return out
