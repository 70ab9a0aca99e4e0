"""A1 (identity round 8): an approval binds the draft the decider read.

A draft can change while it waits (the officer adds members, a software declaration is filed
with it): a decider who read version N must not approve version N+1 that the applicant made
meanwhile - the approval would give rights to people the decider never saw.  So every draft has
a version, a digest of all it asks for (title, type, purpose, IRB certificate, data requested,
seats, period, applicant, members with their role, proof and state, software declared); the
API shows it (``draft_version`` of ``GET /api/cases/{code}``) and the approval must name the
version it approves.  A different one is refused with both versions; the decider reads again.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case, SoftwareDeclaration
from enclave.core.errors import Refused


def draft_version(db: Session, case: Case) -> str:
    """The digest of everything the draft asks for (changes with any edit of it)."""
    db.flush()
    members = []
    for m in case.members:
        u = db.get(User, m.user_id)
        members.append([u.username if u else f"#{m.user_id}", m.role, m.participation_proof,
                        m.removed_at is None])
    software = [[d.name, d.version, d.purpose, d.status] for d in db.execute(
        select(SoftwareDeclaration).where(SoftwareDeclaration.case_id == case.id)
        .order_by(SoftwareDeclaration.id)).scalars()]
    body = {"title": case.title, "type": case.case_type, "imaging": case.imaging,
            "priority": case.priority_class, "purpose": case.purpose, "irb": case.irb_certificate,
            "spec": case.extract_spec, "seats": case.seats, "period": case.period_months,
            "applicant": case.applicant_id, "members": sorted(members), "software": software}
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def version_problem(db: Session, case: Case, seen: str | None) -> str | None:
    """Why an approval of ``seen`` may not stand (None: it is the draft as it is now)."""
    now = draft_version(db, case)
    if not seen:
        return (f"審核須註明所閱讀的申請版本 An approval must name the version of {case.code} it approves "
                f"(draft_version, now {now}, from GET /api/cases/{case.code}).")
    if seen.strip() != now:
        return (f"{case.code} 的申請在您閱讀後已變更 The draft of {case.code} changed after you read it: you "
                f"approved version {seen.strip()[:40]}, it is now {now}. Read it again, then decide.")
    return None


def require_version(db: Session, case: Case, seen: str | None) -> None:
    problem = version_problem(db, case, seen)
    if problem is not None:
        raise Refused(problem, "A1")
