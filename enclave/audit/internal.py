"""A6: one internal audit a year - opened, its findings recorded, closed with a conclusion.

The internal audit is the centre checking its own controls (the samples were signed, the
yearly account review done, anomalies followed up, the log verified), carried out by someone
who does not run what is audited: an account of ``accounts.internal_auditor_roles`` that does
not also hold the admin role.  It lives in the audit log itself - ``internal_audit.opened``,
``.finding`` and ``.closed`` records, sealed in the chain like every other - so no table can
be edited to make an audit appear done; its id is the seq of its opening record.  One audit is
open at a time; findings go only to an open audit; closing takes a conclusion and seals the
number and digest of the findings.  :func:`due` says whether one is owed: none closed yet, or
the last closed longer ago than ``accounts.internal_audit_interval_months``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.cases.service import add_months
from enclave.core.errors import BadInput, Forbidden, NotFound, Refused

OPENED, FINDING, CLOSED = "internal_audit.opened", "internal_audit.finding", "internal_audit.closed"
SEVERITIES = ("low", "medium", "high")


@dataclass
class InternalAudit:
    id: int
    opened_at: dt.datetime
    opened_by: str
    scope: str
    findings: list[dict] = field(default_factory=list)
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    conclusion: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "opened_at": self.opened_at.isoformat(), "opened_by": self.opened_by,
                "scope": self.scope, "findings": self.findings,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "closed_by": self.closed_by, "conclusion": self.conclusion}


def _ts(raw: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(raw)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def audits(db: Session) -> list[InternalAudit]:
    """Every internal audit as its records tell it, newest first."""
    out: dict[int, InternalAudit] = {}
    rows = db.execute(select(AuditRecord).where(AuditRecord.action.in_((OPENED, FINDING, CLOSED)))
                      .order_by(AuditRecord.seq)).scalars()
    for r in rows:
        if r.action == OPENED:
            out[r.seq] = InternalAudit(r.seq, _ts(r.ts), r.actor, r.reason or "")
            continue
        a = out.get(int(r.subject)) if (r.subject or "").isdigit() else None
        if a is None or a.closed_at is not None:
            continue   # not written by this module (refused before it is appended)
        if r.action == FINDING:
            a.findings.append({"seq": r.seq, "at": _ts(r.ts).isoformat(), "by": r.actor,
                               "severity": (r.detail or {}).get("severity"), "finding": r.reason})
        else:
            a.closed_at, a.closed_by, a.conclusion = _ts(r.ts), r.actor, r.reason
    return sorted(out.values(), key=lambda a: a.id, reverse=True)


def get(db: Session, audit_id: int) -> InternalAudit:
    for a in audits(db):
        if a.id == audit_id:
            return a
    raise NotFound(f"no internal audit {audit_id}")


def _auditor(policy, actor: User) -> None:
    roles = policy.accounts.internal_auditor_roles
    if not any(actor.has_role(r) for r in roles):
        raise Forbidden(f"The internal audit is carried out by {', '.join(roles)} (A6).", "A6")
    if actor.has_role("admin"):
        raise Forbidden("An administrator does not audit the administration: the internal audit "
                        "needs an auditor without the admin role (A6).", "A6")


def _text(value: str, what: str, least: int) -> str:
    value = (value or "").strip()
    if len(value) < least:
        raise BadInput(f"{what}: at least {least} characters (A6).", "A6")
    return value


def open_audit(db: Session, policy, actor: User, *, scope: str, now: dt.datetime) -> InternalAudit:
    _auditor(policy, actor)
    scope = _text(scope, "scope", 10)
    still = [a for a in audits(db) if a.closed_at is None]
    if still:
        raise Refused(f"internal audit {still[0].id} (opened by {still[0].opened_by}) is still "
                      "open: close it first (A6).", "A6")
    w = append(db, AuditEntry("audit", actor.username, OPENED, subject="internal audit",
                              reason=scope), now=now)
    return InternalAudit(w.seq, now, actor.username, scope)


def _open(db: Session, audit_id: int) -> InternalAudit:
    a = get(db, audit_id)
    if a.closed_at is not None:
        raise Refused(f"internal audit {audit_id} was closed on {a.closed_at:%Y-%m-%d} by "
                      f"{a.closed_by}; open a new one (A6).", "A6")
    return a


def record_finding(db: Session, policy, actor: User, audit_id: int, *, finding: str,
                   severity: str, now: dt.datetime) -> dict:
    _auditor(policy, actor)
    if severity not in SEVERITIES:
        raise BadInput(f"severity: one of {', '.join(SEVERITIES)}, not {severity!r} (A6).", "A6")
    _open(db, audit_id)
    finding = _text(finding, "finding", 10)
    w = append(db, AuditEntry("audit", actor.username, FINDING, subject=str(audit_id),
                              reason=finding, detail={"severity": severity}), now=now)
    return {"seq": w.seq, "severity": severity, "finding": finding}


def close_audit(db: Session, policy, actor: User, audit_id: int, *, conclusion: str,
                now: dt.datetime) -> InternalAudit:
    _auditor(policy, actor)
    a = _open(db, audit_id)
    conclusion = _text(conclusion, "conclusion", 20)
    digest = hashlib.sha256(json.dumps(a.findings, sort_keys=True).encode()).hexdigest()
    append(db, AuditEntry("audit", actor.username, CLOSED, subject=str(audit_id),
                          reason=conclusion, detail={"findings": len(a.findings),
                                                     "findings_sha256": digest}), now=now)
    a.closed_at, a.closed_by, a.conclusion = now, actor.username, conclusion
    return a


def due(db: Session, policy, now: dt.datetime) -> str | None:
    """Why an internal audit is owed now (A6), or None."""
    closed = [a for a in audits(db) if a.closed_at is not None]
    months = policy.accounts.internal_audit_interval_months
    if not closed:
        return "no internal audit has been closed yet (A6: one a year)"
    last = max(a.closed_at for a in closed)
    if add_months(last, months) <= now:
        return (f"the last internal audit was closed on {last:%Y-%m-%d}, more than {months} "
                "months ago (A6)")
    return None
