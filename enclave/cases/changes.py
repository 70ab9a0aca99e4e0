"""Change requests after approval (P7): staff, files and columns, each within its limits, decided
by someone with no part in the case."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case, ChangeRequest
from enclave.cases.service import (CHANGE_KINDS, COLUMN_RE, FAMILY_RE, _add_member, _user_ids, add_months,
                                   get_user, validate_spec)
from enclave.cases import standing
from enclave.core.audit import audit
from enclave.core.errors import BadInput, Refused
from enclave.identity.permissions import can_manage, case_people, is_decider, membership, not_self, require


def _changes(db: Session, case: Case, kind: str, exclude: int | None = None) -> list[ChangeRequest]:
    q = select(ChangeRequest).where(ChangeRequest.case_id == case.id, ChangeRequest.kind == kind,
                                    ChangeRequest.status.in_(("pending", "approved")))
    if exclude is not None:
        q = q.where(ChangeRequest.id != exclude)
    return list(db.execute(q).scalars())


def _check_change_limits(db: Session, policy, case: Case, kind: str, payload: dict,
                         now: dt.datetime, exclude: int | None = None) -> None:
    cp = policy.cases
    if case.imaging and kind in ("files", "columns"):
        raise Refused("Imaging cases take no data changes after approval.", "P7")
    earlier = _changes(db, case, kind, exclude)
    if kind == "staff":
        people = len(payload.get("add", [])) + len(payload.get("remove", []))
        if people > cp.staff_change_max_people:
            raise Refused(f"A staff change may involve at most {cp.staff_change_max_people} people "
                          f"(this one has {people}).", "P7")
        since = add_months(now, -cp.staff_change_interval_months)
        recent = [c for c in earlier if c.requested_at > since]
        if recent:
            raise Refused(f"Processing staff may change once every {cp.staff_change_interval_months} "
                          f"months; the last change was asked on {recent[-1].requested_at:%Y-%m-%d}.",
                          "P7")
    elif kind == "files":
        if len(earlier) >= cp.file_additions_allowed:
            raise Refused(f"Files (incl. years) may be added {cp.file_additions_allowed} time(s); "
                          f"already used.", "P7")
    elif kind == "columns":
        if len(earlier) >= cp.column_additions_allowed:
            raise Refused(f"Columns may be added at most {cp.column_additions_allowed} times; "
                          f"{len(earlier)} already asked or granted.", "P7")


def _validate_change(db: Session, kind: str, payload: Any) -> dict:
    if kind not in CHANGE_KINDS:
        raise BadInput(f"kind must be one of {CHANGE_KINDS}.")
    if not isinstance(payload, dict):
        raise BadInput("payload must be an object.")
    if kind == "staff":
        add, remove = payload.get("add", []), payload.get("remove", [])
        proofs = payload.get("proofs", {}) or {}
        if not isinstance(add, list) or not isinstance(remove, list) or not isinstance(proofs, dict) \
                or not all(isinstance(u, str) for u in add + remove):
            raise BadInput("staff change payload: {add: [usernames], remove: [usernames], "
                           "proofs: {username: reference}}.")
        if not add and not remove:
            raise BadInput("A staff change adds or removes at least one person.")
        for u in add + remove:
            get_user(db, u)
        return {"add": add, "remove": remove, "proofs": {str(k): str(v) for k, v in proofs.items()}}
    if kind == "files":
        return validate_spec({"files": payload.get("files", {})})
    cols = payload.get("columns", {})
    if not isinstance(cols, dict) or not cols or not all(
            isinstance(k, str) and FAMILY_RE.match(k) and isinstance(v, list) and v
            and all(isinstance(c, str) and COLUMN_RE.match(c) for c in v) for k, v in cols.items()):
        raise BadInput("columns change payload: {columns: {FAMILY: [column, ...]}}.")
    return {"columns": cols}


def request_change(db: Session, policy, actor: User, case: Case, *, kind: str, payload: Any,
                   now: dt.datetime) -> ChangeRequest:
    require(can_manage(actor, case), f"ask for changes to {case.code}")
    if case.status not in ("approved", "active"):
        raise Refused(f"{case.code} is {case.status}; change requests are for approved cases.")
    payload = _validate_change(db, kind, payload)
    if kind == "columns":
        missing = [f for f in payload["columns"] if f not in case.extract_spec.get("files", {})]
        if missing:
            raise Refused(f"Columns can only be added to files the case already has: {missing}; "
                          f"ask for a file change instead.", "P7")
    _check_change_limits(db, policy, case, kind, payload, now)
    cr = ChangeRequest(case_id=case.id, kind=kind, payload=payload, requested_by=actor.username,
                       requested_at=now)
    db.add(cr)
    db.flush()
    audit(db, actor.username, "case.change_requested", case, kind=kind, change_id=cr.id)
    return cr


def decide_change(db: Session, policy, actor: User, cr: ChangeRequest, *, approve: bool,
                  note: str | None = None, now: dt.datetime) -> ChangeRequest:
    require(is_decider(actor), "decide change requests")
    standing.lock_for_decision(db, cr)
    if cr.status != "pending":
        raise Refused(f"Change request {cr.id} is already {cr.status}.")
    case = db.get(Case, cr.case_id)
    named = [cr.requested_by, *cr.payload.get("add", []), *cr.payload.get("remove", [])] \
        if cr.kind == "staff" else [cr.requested_by]
    not_self(actor, case_people(case) | _user_ids(db, named), f"decide on a change to {case.code}")
    if approve:
        standing.require_standing(db, case, cr.requested_by, "change", now)
        _check_change_limits(db, policy, case, cr.kind, cr.payload, cr.requested_at, exclude=cr.id)
        _apply_change(db, policy, actor, case, cr, now)
    cr.status = "approved" if approve else "refused"
    cr.decided_by, cr.decided_at, cr.decision_note = actor.username, now, note
    staff = {"add": list(cr.payload.get("add", [])), "remove": list(cr.payload.get("remove", []))} \
        if cr.kind == "staff" and approve else {}   # A5: who the change made a member is sealed (people_index)
    audit(db, actor.username, f"case.change_{cr.status}", case, kind=cr.kind, change_id=cr.id,
          note=note, **staff)
    return cr


def _apply_change(db: Session, policy, actor: User, case: Case, cr: ChangeRequest, now: dt.datetime) -> None:
    spec = {"files": {k: dict(v) for k, v in case.extract_spec.get("files", {}).items()},
            **{k: v for k, v in case.extract_spec.items() if k != "files"}}
    if cr.kind == "staff":
        applicant = db.get(User, case.applicant_id)
        for name in cr.payload.get("add", []):
            _add_member(db, policy, case, applicant, get_user(db, name),
                        cr.payload.get("proofs", {}).get(name), now)
        for name in cr.payload.get("remove", []):
            user = get_user(db, name)
            m = membership(user, case)
            if m is None:
                raise Refused(f"{name} is not a member of {case.code}.", "P7")
            if m.role in ("pi", "officer"):
                raise Refused(f"{name} is the case officer; use an officer handover.", "A7")
            m.removed_at = now
            _drop_bookings(db, actor, case, user, now)
    elif cr.kind == "files":
        for fam, body in cr.payload["files"].items():
            cur = spec["files"].setdefault(fam, {"columns": []})
            years = sorted(set(cur.get("years", [])) | set(body.get("years", [])))
            if years:
                cur["years"] = years
            cur["columns"] = list(dict.fromkeys(cur.get("columns", []) + body["columns"]))
    else:
        for fam, cols in cr.payload["columns"].items():
            cur = spec["files"].setdefault(fam, {"columns": []})
            cur["columns"] = list(dict.fromkeys(cur.get("columns", []) + cols))
    case.extract_spec = spec


def _drop_bookings(db: Session, actor: User, case: Case, user: User, now: dt.datetime) -> None:
    """A person who leaves the case keeps none of its seats: bookings not yet ended go (the gate
    would refuse them anyway; the seat and the case's working days are freed)."""
    from enclave.bookings.service import remove_future

    n = remove_future(db, now=now, by=actor.username, reason=f"removed from {case.code} (P7)",
                      status="revoked", user_id=user.id, case_id=case.id)
    if n:
        audit(db, actor.username, "booking.member_removed", case, subject=user.username, bookings=n)
