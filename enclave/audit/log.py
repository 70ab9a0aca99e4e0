"""Append to and verify the hash chain.

Each record's hash is SHA-256 over the canonical JSON of its fields plus the previous hash,
so editing, deleting or reordering any record breaks the chain at that point.  Database
triggers (see the migration) refuse UPDATE and DELETE; the chain catches whoever bypasses them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from enclave.audit.models import AuditHead, AuditRecord

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    component: str
    actor: str
    action: str
    case_code: str | None = None
    subject: str | None = None
    reason: str | None = None
    detail: dict[str, Any] | None = None


def _digest(seq: int, ts: str, e: dict[str, Any], prev: str) -> str:
    body = {"seq": seq, "ts": ts, "prev": prev, **e}
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _fields(r: AuditRecord | AuditEntry) -> dict[str, Any]:
    return {"component": r.component, "actor": r.actor, "action": r.action,
            "case_code": r.case_code, "subject": r.subject, "reason": r.reason,
            "detail": r.detail or {}}


def _lock(session: Session) -> None:
    # SQLite: the engine already began with BEGIN IMMEDIATE (one writer).  PostgreSQL: a
    # transaction-scoped advisory lock serialises appenders so seq and prev_hash never fork.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(734201)"))


def append(session: Session, entry: AuditEntry, *, now: dt.datetime | None = None) -> AuditRecord:
    """Append one record in the caller's transaction (it commits with the change it records)."""
    _lock(session)
    head = session.get(AuditHead, 1)
    seq = (head.seq if head else 0) + 1
    prev = head.hash if head else GENESIS
    ts = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    fields = _fields(entry)
    rec = AuditRecord(seq=seq, ts=ts, prev_hash=prev, hash=_digest(seq, ts, fields, prev), **fields)
    session.add(rec)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, hash=rec.hash))
    else:
        head.seq, head.hash = seq, rec.hash
    session.flush()
    return rec


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # edited | deleted | reordered | truncated | inserted
    message: str


def verify_records(records: Iterable[AuditRecord], head: AuditHead | None) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS
    hashes_seen: dict[str, int] = {}
    for r in records:
        own = _digest(r.seq, r.ts, _fields(r), r.prev_hash)
        if r.seq != expected_seq:
            if r.seq > expected_seq:
                kind = "deleted"
                msg = f"records {expected_seq}..{r.seq - 1} are missing before record {r.seq}"
            else:
                kind = "inserted"
                msg = f"record {r.seq} appears after {expected_seq - 1}"
            problems.append(ChainProblem(expected_seq, kind, msg))
        if own != r.hash:
            problems.append(ChainProblem(r.seq, "edited",
                                         f"record {r.seq} ({r.action} by {r.actor}) was altered: "
                                         f"its content no longer matches its hash"))
        elif r.prev_hash != prev:
            if r.prev_hash in hashes_seen:
                problems.append(ChainProblem(r.seq, "reordered",
                                             f"record {r.seq} follows record {hashes_seen[r.prev_hash]} "
                                             f"in the chain but is stored out of order"))
            elif r.seq == expected_seq:
                problems.append(ChainProblem(r.seq, "reordered",
                                             f"record {r.seq} does not link to record {r.seq - 1}"))
        hashes_seen[r.hash] = r.seq
        prev = r.hash
        expected_seq = r.seq + 1
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(ChainProblem(expected_seq, "truncated",
                                     f"the head says record {head.seq} is last but the log ends at "
                                     f"{expected_seq - 1}"))
    return problems


def verify_chain(session: Session, batch: int = 5000) -> list[ChainProblem]:
    """Walk the whole log in ``seq`` order and report every break (empty list: intact)."""
    def rows():
        last = 0
        while True:
            chunk = session.execute(select(AuditRecord).where(AuditRecord.seq > last)
                                    .order_by(AuditRecord.seq).limit(batch)).scalars().all()
            if not chunk:
                return
            yield from chunk
            last = chunk[-1].seq
            session.expunge_all()
    return verify_records(rows(), session.get(AuditHead, 1))
