"""E8: after an imaging case, its AI-model deliverables are handed over under the centre's AI
model management rules; a case that has not done so may cost its applicant the next application.

The hand-over is two records of the sealed audit log, no table: ``model_handover.delivered``
(the case's applicant or a current officer lists what is handed over - trained models, weights,
their code and documentation, each with its digest where it is a file - or says that no model
was trained, in a statement) and ``model_handover.accepted`` (someone of the committee or the
data stewards with no part in the case checks and accepts it).  A delivery can be made again
(corrected) until one is accepted; an accepted one is final.  :func:`owed` lists the imaging
cases of an applicant whose period ended more than ``cases.model_handover_due_days`` ago with
no accepted hand-over; ``create_case`` refuses the next application while there is one, unless
``cases.refuse_without_model_handover`` is off (the seed says the centre *may* refuse).
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit.models import AuditRecord
from enclave.cases.models import Case
from enclave.core.audit import audit
from enclave.core.errors import BadInput, Forbidden, Refused
from enclave.identity.permissions import case_people, is_officer, not_self

DELIVERED, ACCEPTED = "model_handover.delivered", "model_handover.accepted"
KINDS = ("model", "weights", "code", "documentation", "test_results")
ENDED = ("approved", "active", "suspended", "ended", "purged")   # statuses a period can end in
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _records(db: Session, case_code: str) -> list[AuditRecord]:
    return list(db.execute(select(AuditRecord).where(
        AuditRecord.case_code == case_code, AuditRecord.action.in_((DELIVERED, ACCEPTED)))
        .order_by(AuditRecord.seq)).scalars())


def state(db: Session, case: Case) -> dict:
    """{"delivered": the last delivery's detail or None, "accepted": (who, when) or None}."""
    delivered = accepted = None
    for r in _records(db, case.code):
        if r.action == DELIVERED and accepted is None:
            delivered = {**(r.detail or {}), "by": r.actor, "at": r.ts, "seq": r.seq}
        elif r.action == ACCEPTED and delivered is not None and accepted is None:
            accepted = {"by": r.actor, "at": r.ts, "note": r.reason}
    return {"delivered": delivered, "accepted": accepted}


def _items(items: list[dict], statement: str) -> list[dict]:
    out = []
    for i, it in enumerate(items):
        where = f"items[{i}]"
        if not isinstance(it, dict):
            raise BadInput(f"{where}: expected an object with name, kind (and sha256 for a file)", "E8")
        name, kind = str(it.get("name") or "").strip(), it.get("kind")
        if not name:
            raise BadInput(f"{where}.name: required", "E8")
        if kind not in KINDS:
            raise BadInput(f"{where}.kind: one of {', '.join(KINDS)}, not {kind!r}", "E8")
        digest = it.get("sha256")
        if kind in ("model", "weights") and not (isinstance(digest, str) and _SHA256.match(digest)):
            raise BadInput(f"{where}.sha256: a {kind} is a file - give its SHA-256 (64 hex digits)",
                           "E8")
        out.append({"name": name[:200], "kind": kind, "sha256": digest,
                    "note": str(it.get("note") or "")[:1000]})
    if not out and len(statement.strip()) < 20:
        raise BadInput("statement: with nothing handed over, say why (no model was trained, …) "
                       "in at least 20 characters", "E8")
    return out


def deliver(db: Session, policy, actor: User, case: Case, *, items: list[dict], statement: str,
            now: dt.datetime) -> dict:
    """Record the case's AI-model deliverables (E8); the caller commits."""
    if not (actor.id == case.applicant_id or is_officer(actor, case)):
        raise Forbidden(f"Only {case.code}'s applicant or a current officer hands over its "
                        "AI-model deliverables.", "E8")
    if not case.imaging:
        raise Refused(f"{case.code} is not an imaging case: E8's hand-over is for imaging cases.",
                      "E8")
    if case.status not in ENDED:
        raise Refused(f"{case.code} is {case.status}: it has no deliverables to hand over.", "E8")
    if state(db, case)["accepted"] is not None:
        raise Refused(f"{case.code}'s hand-over was accepted; it is final.", "E8")
    listed = _items(items, statement or "")
    audit(db, actor.username, DELIVERED, case, reason=(statement or "").strip()[:4000],
          items=listed)
    return state(db, case)


def accept(db: Session, policy, actor: User, case: Case, *, note: str, now: dt.datetime) -> dict:
    """The committee or a steward with no part in the case accepts the last delivery (E8)."""
    if not (actor.has_role("committee") or actor.has_role("steward")):
        raise Forbidden("The committee or a data steward accepts an AI-model hand-over.", "E8")
    not_self(actor, case_people(case), f"accept {case.code}'s AI-model hand-over", "E8")
    st = state(db, case)
    if st["delivered"] is None:
        raise Refused(f"{case.code} has delivered nothing to accept.", "E8")
    if st["accepted"] is not None:
        raise Refused(f"{case.code}'s hand-over was already accepted by {st['accepted']['by']}.",
                      "E8")
    audit(db, actor.username, ACCEPTED, case, reason=(note or "").strip()[:4000],
          delivery_seq=st["delivered"]["seq"])
    return state(db, case)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return t.replace(tzinfo=dt.timezone.utc) if t is not None and t.tzinfo is None else t


def owed(db: Session, policy, applicant_id: int, now: dt.datetime) -> list[Case]:
    """The applicant's imaging cases whose hand-over is overdue (E8)."""
    grace = dt.timedelta(days=policy.cases.model_handover_due_days)
    cases = db.execute(select(Case).where(Case.applicant_id == applicant_id, Case.imaging.is_(True),
                                          Case.status.in_(ENDED))).scalars()
    return [c for c in cases if c.period_end is not None and _aware(c.period_end) + grace <= now
            and state(db, c)["accepted"] is None]


def check_next_application(db: Session, policy, applicant: User, now: dt.datetime) -> None:
    """Refuse a new application while an ended imaging case owes its hand-over (E8)."""
    if not policy.cases.refuse_without_model_handover:
        return
    late = owed(db, policy, applicant.id, now)
    if late:
        c = late[0]
        raise Refused(f"The AI-model hand-over of imaging case {c.code} (ended "
                      f"{_aware(c.period_end):%Y-%m-%d}) is overdue; the next application is refused "
                      "until it is delivered and accepted.", "E8")
