"""Draw, review and sign off the six-monthly audit sample (A6).

Accounts: at least ``audit_sample_fraction`` of all accounts (rounded up), preferring those
sampled least recently so successive samples cover everyone.  Records: for each sampled
account, ``audit_records_per_account`` of its logged records in the window (all if fewer),
stratified by time - the window is cut into as many equal periods and one record is drawn from
each, so the sample spreads over the whole half-year instead of bunching in one busy week.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit.models import AuditRecord
from enclave.audit.sampling.models import AuditAnomaly, AuditSample, AuditSampleItem
from enclave.core.errors import BadInput, Forbidden, NotFound, Refused
from enclave.core.rows import get_row
from enclave.identity.permissions import is_admin
from enclave.cases.service import add_months
from enclave.cases import standing
from enclave.core.audit import audit


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def stratified_pick(records: list[tuple[int, dt.datetime]], start: dt.datetime, end: dt.datetime,
                    n: int, rng: random.Random) -> list[int]:
    """Pick ``n`` record seqs spread over [start, end): one per equal time stratum, then fill
    from what is left when some strata are empty.  All of them if there are ``n`` or fewer."""
    if len(records) <= n:
        return sorted(s for s, _ in records)
    width = (end - start) / n
    strata: list[list[int]] = [[] for _ in range(n)]
    for seq, ts in records:
        i = min(n - 1, max(0, int((ts - start) / width))) if width.total_seconds() > 0 else 0
        strata[i].append(seq)
    picked = [rng.choice(s) for s in strata if s]
    rest = [s for s, _ in records if s not in set(picked)]
    picked += rng.sample(rest, n - len(picked))
    return sorted(picked)


def create_sample(db: Session, policy, actor: User, *, now: dt.datetime,
                  window_start: dt.datetime | None = None, window_end: dt.datetime | None = None,
                  seed: int | None = None) -> AuditSample:
    if not is_admin(actor):
        raise Forbidden("Only the centre admin draws audit samples.", "A6")
    ap = policy.accounts
    window_end = window_end or now
    window_start = window_start or add_months(window_end, -ap.audit_sample_interval_months)
    if window_start >= window_end:
        raise BadInput("window_start must be before window_end.", "A6")
    seed = seed if seed is not None else secrets.randbits(31)
    rng = random.Random(seed)
    users = db.execute(select(User.username).order_by(User.username)).scalars().all()
    if not users:
        raise Refused("There are no accounts to sample.", "A6")
    k = max(1, math.ceil(ap.audit_sample_fraction * len(users)))
    last = dict(db.execute(select(AuditSampleItem.username, func.max(AuditSample.created_at))
                           .join(AuditSample, AuditSample.id == AuditSampleItem.sample_id)
                           .group_by(AuditSampleItem.username)).all())
    never = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    order = sorted(users, key=lambda u: (last.get(u) or never, rng.random()))
    chosen = sorted(order[:k])
    sample = AuditSample(window_start=window_start, window_end=window_end, accounts_total=len(users),
                         accounts_sampled=k, seed=seed, created_by=actor.username, created_at=now)
    lo, hi = _iso(window_start), _iso(window_end)
    for name in chosen:
        rows = db.execute(select(AuditRecord.seq, AuditRecord.ts).where(
            AuditRecord.actor == name, AuditRecord.ts >= lo, AuditRecord.ts < hi)).all()
        recs = [(seq, dt.datetime.fromisoformat(ts)) for seq, ts in rows]
        picked = stratified_pick(recs, window_start, window_end, ap.audit_records_per_account, rng)
        sample.items.append(AuditSampleItem(username=name, records_available=len(recs),
                                            record_seqs=picked))
    db.add(sample)
    db.flush()
    audit(db, actor.username, "audit_sample.created", subject=f"sample {sample.id}",
          window=[lo, hi], accounts_total=len(users), accounts_sampled=k, seed=seed,
          records=sum(len(i.record_seqs) for i in sample.items))
    return sample


def get_sample(db: Session, sample_id: int) -> AuditSample:
    return get_row(db, AuditSample, sample_id, "audit sample")


def report(db: Session, sample: AuditSample) -> dict:
    """The report the supervisor reads and signs: every sampled record in full."""
    seqs = [q for i in sample.items for q in i.record_seqs]
    recs = {r.seq: r for r in db.execute(select(AuditRecord).where(AuditRecord.seq.in_(seqs))).scalars()} \
        if seqs else {}
    return {
        "sample_id": sample.id, "window": [_iso(sample.window_start), _iso(sample.window_end)],
        "accounts_total": sample.accounts_total, "accounts_sampled": sample.accounts_sampled,
        "seed": sample.seed, "created_by": sample.created_by,
        "accounts": [{"username": i.username, "records_available": i.records_available,
                      "reviewed": i.reviewed, "item_id": i.id,
                      "records": [{"seq": q, "ts": recs[q].ts, "action": recs[q].action,
                                   "component": recs[q].component, "case_code": recs[q].case_code,
                                   "subject": recs[q].subject, "reason": recs[q].reason,
                                   "detail": recs[q].detail}
                                  for q in i.record_seqs if q in recs]}
                     for i in sample.items],
        "anomalies": [{"id": a.id, "username": a.username, "record_seq": a.record_seq, "note": a.note,
                       "recorded_by": a.recorded_by, "recorded_at": _iso(a.recorded_at)}
                      for a in sample.anomalies],
    }


def _report_hash(db: Session, sample: AuditSample) -> str:
    body = report(db, sample)
    body["accounts"] = [{k: v for k, v in a.items() if k != "reviewed"} for a in body["accounts"]]
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _reviewer(policy, actor: User) -> None:
    if not any(actor.has_role(r) for r in policy.accounts.audit_supervisor_roles):
        raise Forbidden(f"Reviewing audit samples needs one of the roles "
                        f"{policy.accounts.audit_supervisor_roles}.", "A6")


def mark_reviewed(db: Session, policy, actor: User, sample: AuditSample, item_id: int) -> AuditSampleItem:
    _reviewer(policy, actor)
    if actor.username == sample.created_by:
        raise Forbidden("The person who drew the sample cannot review it; another supervisor does.", "A6")
    if sample.status != "open":
        raise Refused("This sample is signed off; it can no longer change.", "A6")
    item = next((i for i in sample.items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"No item {item_id} in sample {sample.id}.")
    if item.username == actor.username:
        raise Forbidden("Nobody reviews the audit records of their own account.", "A6")
    item.reviewed = True
    audit(db, actor.username, "audit_sample.reviewed", subject=item.username, sample_id=sample.id)
    return item


def record_anomaly(db: Session, policy, actor: User, sample: AuditSample, *, note: str,
                   username: str | None = None, record_seq: int | None = None,
                   now: dt.datetime) -> AuditAnomaly:
    _reviewer(policy, actor)
    if sample.status != "open":
        raise Refused("This sample is signed off; record further findings in a new sample.", "A6")
    if not note.strip():
        raise BadInput("Describe the anomaly.", "A6")
    if record_seq is not None and not any(record_seq in i.record_seqs for i in sample.items):
        raise BadInput(f"Record {record_seq} is not in sample {sample.id}.", "A6")
    a = AuditAnomaly(sample_id=sample.id, username=username, record_seq=record_seq, note=note.strip(),
                     recorded_by=actor.username, recorded_at=now)
    sample.anomalies.append(a)
    db.flush()
    audit(db, actor.username, "audit_sample.anomaly", subject=username, reason=note.strip(),
          sample_id=sample.id, record_seq=record_seq)
    return a


def sign_off(db: Session, policy, actor: User, sample: AuditSample, *, note: str = "",
             now: dt.datetime) -> AuditSample:
    """The supervisor's sign-off, recorded in the audit log with the report's SHA-256."""
    _reviewer(policy, actor)
    if actor.username == sample.created_by:
        raise Refused("The person who drew the sample cannot sign it off.", "A6")
    standing.lock_for_decision(db, sample)   # two supervisors at once: the second finds it signed
    if sample.status != "open":
        raise Refused(f"Sample {sample.id} is already signed by {sample.signed_by}.", "A6")
    own = [i.id for i in sample.items if i.username == actor.username and i.record_seqs and not i.reviewed]
    if own:   # nobody passes their own records: another supervisor reviews them first
        raise Forbidden(f"Sample {sample.id} holds your own audit records (items {own}), not yet "
                        f"reviewed by another supervisor; you cannot sign it off before that.", "A6")
    sample.report_sha256 = _report_hash(db, sample)
    sample.status, sample.signed_by, sample.signed_at, sample.sign_note = "signed", actor.username, now, note
    audit(db, actor.username, "audit_sample.signed", subject=f"sample {sample.id}", reason=note or None,
          sample_id=sample.id, report_sha256=sample.report_sha256, anomalies=len(sample.anomalies))
    return sample


def samples(db: Session) -> list[AuditSample]:
    return list(db.execute(select(AuditSample).order_by(AuditSample.id.desc())).scalars())


def sample_due(db: Session, policy, now: dt.datetime) -> bool:
    """A6: is a new sample due (none signed within the interval)?"""
    last = db.execute(select(func.max(AuditSample.signed_at))).scalar_one()
    return last is None or add_months(last, policy.accounts.audit_sample_interval_months) <= now
