"""The case tables' decisions must be ones the sealed log records (A1, P7, P10, P11).

A case's approval and payment, an extension's, a staff or column change's and a software
declaration's approval are written to their tables beside a sealed record, in the same
transaction; the tables decide (the gate lets people in on an ``active`` case, the work area
installs ``approved`` software) but carry no seal.  Whoever can write the database but not the
key could flip a draft to ``active``, a pending extension or declaration to ``approved``, or
name another decider - a right without a decision - while the chain still verified.  So
``enclave audit verify`` reads every decided row against the sealed decision records: each one
needs its own record (same case, decider and terms); rows beyond the records are reported.

The records are few (one per decision) and compared in memory.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit.log import ChainProblem
from enclave.audit.models import AuditRecord
from enclave.cases.models import Case, ChangeRequest, Extension, SoftwareDeclaration

KIND = "case-decision-index"   # a decided row of the case tables the sealed log does not bear out
RUNNING = ("approved", "active", "suspended")   # a case in these states was approved
_SHOWN = 20
_ACTIONS = ("case.approved", "case.paid", "case.extension_approved", "case.change_approved", "software.approved")


def _problem(what: str, msg: str) -> ChainProblem:
    return ChainProblem(1, KIND, f"{what}: {msg} (the case tables were edited outside the application)")


def _sealed(session: Session) -> Counter:
    """(action, case, decider, terms) of every sealed decision record, counted."""
    out: Counter = Counter()
    for action, case, actor, subject, detail in session.execute(
            select(AuditRecord.action, AuditRecord.case_code, AuditRecord.actor, AuditRecord.subject,
                   AuditRecord.detail).where(AuditRecord.action.in_(_ACTIONS))):
        detail = detail if isinstance(detail, dict) else {}
        terms = {"case.extension_approved": detail.get("days"), "case.change_approved": detail.get("change_id"),
                 "software.approved": subject}.get(action)
        out[(action, case, actor if action != "case.paid" else None, terms)] += 1
    return out


def case_decision_problems(session: Session) -> list[ChainProblem]:
    """Every decided row of the case tables that no sealed decision record bears out (empty: none)."""
    sealed = _sealed(session)
    out: list[ChainProblem] = []

    def claim(key, what: str, msg: str) -> None:
        if sealed[key] > 0:
            sealed[key] -= 1      # each record bears out one row, never two
        elif len(out) < _SHOWN:
            out.append(_problem(what, msg))

    codes: dict[int, str] = {}
    for cid, code, status, approved_by, paid_at in session.execute(
            select(Case.id, Case.code, Case.status, Case.approved_by, Case.paid_at).order_by(Case.id)):
        codes[cid] = code
        if approved_by is not None or status in RUNNING:
            claim(("case.approved", code, approved_by, None), f"case {code}",
                  f"it is {status}, approved by {approved_by}, which no sealed approval record says")
        if paid_at is not None or status == "active":
            claim(("case.paid", code, None, None), f"case {code}",
                  f"it is {status} and paid, which no sealed payment record says")
    for model, action, terms, label in (
            (Extension, "case.extension_approved", lambda r: r.days, "extension"),
            (ChangeRequest, "case.change_approved", lambda r: r.id, "change request"),
            (SoftwareDeclaration, "software.approved", lambda r: f"{r.name} {r.version}".strip(),
             "software declaration")):
        for row in session.execute(select(model).where(model.status == "approved").order_by(model.id)).scalars():
            code = codes.get(row.case_id, f"#{row.case_id}")
            claim((action, code, row.decided_by, terms(row)), f"{label} {row.id} of {code}",
                  f"approved by {row.decided_by}, which no sealed approval record says")
    return out
