"""Append to and verify the keyed chain in the database.

Each record's ``hash`` is HMAC-SHA256, under the chain key derived from the master key (see
keys.py), over the canonical JSON of its fields and the previous record's hash: editing,
deleting or reordering a record breaks the chain there, and without the key nobody can re-seal
the records that follow.  The head row is sealed the same way.  Database triggers (migrations
0001, 0010) refuse UPDATE and DELETE on the records and let the head only move forward; the
seals catch whoever bypasses them, and the signed checkpoints outside the database (journal.py,
verify.py) catch a whole-database rollback or a truncated tail; the anchor beside the keys
(anchor.py) catches the database and the journal rolled back together.

After each commit that appended records a checkpoint of the new head is written to the journal
(after, not before: a checkpoint must never vouch for a record that was rolled back).  One
transaction may append several records (the warden's group commit) and write one checkpoint.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

from sqlalchemy import Text, cast, event, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from enclave.audit import anchor, journal
from enclave.audit.keys import AuditKeys, audit_keys
from enclave.audit.models import KEYED, LEGACY, AuditHead, AuditRecord
from enclave.db.prepared import Prepared

GENESIS = "0" * 64
log = logging.getLogger(__name__)


class AuditKeyMismatch(RuntimeError):
    """This process's master key is not the one the chain is sealed with; nothing is written."""


class AuditEntryError(ValueError):
    """An entry that cannot be stored exactly as it is sealed; refused before anything is written."""


# Column widths (models.py): PostgreSQL refuses a longer value, SQLite would keep it - refused
# here on both, so no backend stores what the other would not and nothing is ever cut short.
_WIDTHS = {"component": 40, "actor": 120, "action": 80, "case_code": 40}


def _json_safe(v: Any, where: str) -> None:
    """Only values whose JSON form reads back as the value sealed: no NaN/Infinity (PostgreSQL
    refuses them, and NaN is not equal to itself), no lone surrogates (not UTF-8), no keys that
    are not text, no types the JSON column would turn into something else (default=str)."""
    if v is None or isinstance(v, (bool, int)):
        return
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise AuditEntryError(f"稽核紀錄的 {where} 不是有限數值 the audit entry's {where} is {v!r}, "
                                  f"not a finite number")
        return
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise AuditEntryError(f"稽核紀錄的 {where} 含有無效字元 the audit entry's {where} holds a "
                                  f"lone surrogate (not UTF-8)") from None
        return
    if isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            _json_safe(x, f"{where}[{i}]")
        return
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                raise AuditEntryError(f"稽核紀錄的 {where} 鍵值不是文字 the audit entry's {where} has "
                                      f"key {k!r}, not text")
            _json_safe(k, f"{where} key")
            _json_safe(x, f"{where}.{k}")
        return
    raise AuditEntryError(f"稽核紀錄的 {where} 型別無法保存 the audit entry's {where} is a "
                          f"{type(v).__name__}, not a JSON value")


def _nul_free(v: str | None) -> bool:
    """PostgreSQL refuses NUL in text; SQLite keeps it, and C-string readers (the sqlite3 shell,
    exports) stop there and show another value than the sealed one ("alice\\0 ..." reads "alice")."""
    return v is None or "\x00" not in v


def check_entry(entry: "AuditEntry") -> None:
    """Refuse (AuditEntryError) an entry that would not be stored exactly as it is sealed."""
    for name in ("component", "actor", "action"):
        v = getattr(entry, name)
        if not isinstance(v, str) or not v:
            raise AuditEntryError(f"稽核紀錄缺少 {name} the audit entry's {name} must be non-empty text")
    for name in ("case_code", "subject", "reason"):
        v = getattr(entry, name)
        if v is not None and not isinstance(v, str):
            raise AuditEntryError(f"稽核紀錄的 {name} 不是文字 the audit entry's {name} must be text")
    for name, width in _WIDTHS.items():
        v = getattr(entry, name)
        if v is not None and len(v) > width:
            raise AuditEntryError(f"稽核紀錄的 {name} 超過 {width} 字 the audit entry's {name} is "
                                  f"{len(v)} characters, longer than its column ({width})")
    for name in ("component", "actor", "action", "case_code", "subject", "reason"):
        _json_safe(getattr(entry, name), name)
        if not _nul_free(getattr(entry, name)):
            raise AuditEntryError(f"稽核紀錄的 {name} 含有 NUL 字元 the audit entry's {name} holds a NUL "
                                  f"character (not stored alike by every reader)")
    if entry.detail is not None and not isinstance(entry.detail, dict):
        raise AuditEntryError("稽核紀錄的 detail 必須是物件 the audit entry's detail must be a mapping")
    _json_safe(entry.detail or {}, "detail")


@dataclass(frozen=True)
class AuditEntry:
    component: str
    actor: str
    action: str
    case_code: str | None = None
    subject: str | None = None
    reason: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Written:
    """A record as appended: the values written, attached to no session (an ORM object cost
    more to build than the record's seal)."""

    seq: int
    ts: str
    prev_hash: str
    scheme: str
    component: str
    actor: str
    action: str
    case_code: str | None
    subject: str | None
    reason: str | None
    detail: dict[str, Any]
    hash: str


def _raw(seq: int, ts: str, e: dict[str, Any], prev: str, scheme: str | None = None) -> bytes:
    body = {"seq": seq, "ts": ts, "prev": prev, **e}
    if scheme is not None:  # legacy records were hashed without it
        body["scheme"] = scheme
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def _fields(r: AuditRecord | AuditEntry | Written) -> dict[str, Any]:
    return {"component": r.component, "actor": r.actor, "action": r.action,
            "case_code": r.case_code, "subject": r.subject, "reason": r.reason,
            "detail": r.detail or {}}


def seal(keys: AuditKeys, r: AuditRecord | Written) -> str:
    """The hash a record must carry: keyed for KEYED records, plain SHA-256 for legacy ones."""
    if r.scheme == KEYED:
        return keys.mac(_raw(r.seq, r.ts, _fields(r), r.prev_hash, KEYED))
    return hashlib.sha256(_raw(r.seq, r.ts, _fields(r), r.prev_hash)).hexdigest()


def head_mac(keys: AuditKeys, h: AuditHead) -> str:
    return keys.mac(journal.canonical({
        "id": h.id, "seq": h.seq, "hash": h.hash, "chain_id": h.chain_id, "key_id": h.key_id,
        "keyed_from": h.keyed_from, "journal_n": h.journal_n, "journal_digest": h.journal_digest}))


def _lock(db: Session | Connection) -> None:
    # SQLite: the engine already began with BEGIN IMMEDIATE (one writer).  PostgreSQL: a
    # transaction-scoped advisory lock serialises appenders so seq and prev_hash never fork.
    conn = db if isinstance(db, Connection) else db.connection()
    if conn.dialect.name == "postgresql":
        _ADVISORY_LOCK.execute(conn)


def _now_iso(now: dt.datetime | None) -> str:
    if now is not None and now.utcoffset() is None:
        # astimezone() would read a naive time as the host's zone (Asia/Taipei is +8 h)
        raise AuditEntryError("稽核時間缺少時區 the audit time must carry its time zone (naive datetime)")
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


_HEAD_COLUMNS = ("id", "seq", "hash", "chain_id", "key_id", "keyed_from", "journal_n",
                 "journal_digest", "mac")


# Compiled once and run on the driver's cursor in the caller's transaction (enclave.db.prepared):
# SQLAlchemy's per-execute machinery cost several times SQLite's own work on these statements.
_HEAD_T, _RECORD_T = AuditHead.__table__, AuditRecord.__table__
_SELECT_HEAD = Prepared(select(*(_HEAD_T.c[c] for c in _HEAD_COLUMNS)).where(_HEAD_T.c.id == 1))
_INSERT_RECORD = Prepared(insert(_RECORD_T))
_INSERT_HEAD = Prepared(insert(_HEAD_T))
_UPDATE_HEAD = Prepared(update(_HEAD_T).where(_HEAD_T.c.id == 1))
_ADVISORY_LOCK = Prepared(text("SELECT pg_advisory_xact_lock(734201)"))


def _read_head(db: Connection) -> SimpleNamespace | None:
    """The head row as plain values, read fresh (no identity map to go stale)."""
    rows = _SELECT_HEAD.rows(db)
    return None if not rows else SimpleNamespace(**dict(zip(_HEAD_COLUMNS, rows[0])))


class Chain:
    """The chain locked in the caller's open transaction, its head as last written: append
    with :func:`append_to`, and after the commit (never before: a checkpoint must not vouch
    for a record that was rolled back) :func:`checkpoint`."""

    def __init__(self, db: Connection, settings, keys: AuditKeys,
                 head: SimpleNamespace | None) -> None:
        self.db, self.settings, self.keys, self.head = db, settings, keys, head
        self._journal: tuple[str, Path, journal.Entry | None] | None = None

    def journal(self) -> tuple[Path, journal.Entry | None]:
        """The chain's checkpoint journal and its newest line, read once per transaction (a
        line written meanwhile by another process only makes the head's reference older)."""
        cid = self.head.chain_id
        if self._journal is None or self._journal[0] != cid:
            path = journal.journal_path(cid, self.settings)
            self._journal = (cid, path, journal.tail(path))
        return self._journal[1], self._journal[2]


class _Resolved:
    """Settings whose locations are resolved once: each is a function of the environment and
    the working directory, and resolving them (realpath) cost more than sealing a record."""

    def __init__(self, settings) -> None:
        self._settings, self._seen = settings, {}

    def __getattr__(self, name: str):
        try:
            return self._seen[name]
        except KeyError:
            v = self._seen[name] = getattr(self._settings, name)
            return v


_RESOLVED: dict[tuple, _Resolved] = {}


def _settings() -> _Resolved:
    """This process's settings, resolved again whenever a location variable or the working
    directory changes (so a moved keys directory or journal is followed at once)."""
    from enclave.settings import SETTINGS_LOCATIONS, get_settings

    key = (os.getcwd(), *map(os.environ.get, SETTINGS_LOCATIONS))
    got = _RESOLVED.get(key)
    if got is None:
        _RESOLVED.clear()
        got = _RESOLVED[key] = _Resolved(get_settings())
    return got


def open_chain(db: Connection, settings=None) -> Chain:
    """Lock the chain in ``db``'s transaction and read its head; refuses (AuditKeyMismatch) a
    chain sealed under another key than this process's."""
    settings = settings or _settings()   # keys and journal both need it
    keys = audit_keys(settings)
    _lock(db)
    head = _read_head(db)
    if head is not None and head.key_id and head.key_id != keys.key_id:
        # default deny: a record sealed under another key would make the chain unverifiable
        raise AuditKeyMismatch(f"the audit chain is sealed under key {head.key_id} but this process derives "
                               f"{keys.key_id} from its master key: every service must use the same "
                               f"$ENCLAVE_KEYS")
    return Chain(db, settings, keys, head)


def _append_one(chain: Chain, entry: AuditEntry, ts: str) -> Written:
    # DB-API statements rather than ORM flushes or Core executes: this runs before every
    # session query (issue 18), and both layers cost more than the sealing.
    head, keys = chain.head, chain.keys
    seq = (head.seq if head else 0) + 1
    prev = head.hash if head else GENESIS
    fields = _fields(entry)
    row = dict(seq=seq, ts=ts, prev_hash=prev, scheme=KEYED, **fields)
    row["hash"] = keys.mac(_raw(seq, ts, fields, prev, KEYED))   # seal() of a KEYED record
    rec = Written(**row)
    # the record first: the triggers check the head moves onto an existing record
    db = chain.db
    _INSERT_RECORD.execute(db, row)
    new = head is None
    if new:
        head = chain.head = SimpleNamespace(id=1, seq=0, hash=GENESIS, chain_id=str(uuid.uuid4()),
                                            key_id=keys.key_id, keyed_from=seq, journal_n=0,
                                            journal_digest=None, mac=None)
    changed = {}
    if head.chain_id is None:  # first keyed record after a legacy chain (see _reanchor)
        head.chain_id, head.key_id, head.keyed_from = str(uuid.uuid4()), keys.key_id, seq
        changed.update(chain_id=head.chain_id, key_id=head.key_id, keyed_from=seq)
    _, ref = chain.journal()
    head.seq, head.hash = seq, rec.hash
    head.journal_n, head.journal_digest = (ref.n, ref.digest) if ref else (0, None)
    head.mac = head_mac(keys, head)
    if new:
        _INSERT_HEAD.execute(db, {c: getattr(head, c) for c in _HEAD_COLUMNS})
    else:
        changed.update(seq=seq, hash=rec.hash, journal_n=head.journal_n,
                       journal_digest=head.journal_digest, mac=head.mac)
        _UPDATE_HEAD.execute(db, changed)
    return rec


def _reanchor(chain: Chain, ts: str) -> None:
    """Records written before the keyed chain are pinned by one keyed record that names their
    last hash; it says whether their plain chain was intact when it was keyed."""
    head = chain.head
    legacy = chain.db.execute(select(_RECORD_T).where(_RECORD_T.c.seq <= head.seq)
                              .order_by(_RECORD_T.c.seq))
    problems = _walk(legacy, None, chain.keys, legacy_only=True)
    note = AuditEntry("audit", "system", "audit.chain_keyed", reason="keyed chain begins",
                      detail={"legacy_records": head.seq, "legacy_head": head.hash,
                              "legacy_chain_intact": not problems,
                              "legacy_problems": [p.message for p in problems[:20]],
                              "note": "records before this one were chained with unkeyed SHA-256; "
                                      "this keyed record pins their last hash"})
    _append_one(chain, note, ts)


def append_to(chain: Chain, entry: AuditEntry, *, now: dt.datetime | None = None) -> Written:
    """Append one record in the chain's transaction; the returned record holds the values
    written (it is not attached to any session)."""
    ts = _now_iso(now)
    check_entry(entry)
    if chain.head is not None and chain.head.keyed_from is None:
        _reanchor(chain, ts)
    rec = _append_one(chain, entry, ts)
    if entry.action == QUERY_ACTION:
        _mark_pending(chain.db, rec)
    return rec


def checkpoint(chain: Chain) -> None:
    """After the commit: a signed checkpoint of the chain's head in the journal (it vouches for
    every record up to it, so one per transaction covers all it appended)."""
    head = chain.head
    if head is None:
        return
    path, _ = chain.journal()
    try:
        journal.write(path, chain.keys, kind="checkpoint", chain=head.chain_id, seq=head.seq,
                      hash=head.hash, anchor_dir=anchor.anchor_dir(chain.settings),
                      anchor_db=anchor.database_identity(chain.db))
    except OSError:
        # The records are committed; a later checkpoint vouches for them too (it seals the
        # chain up to its record).  Until then they rest on the keyed chain alone.
        log.exception("audit checkpoint for record %s not written", head.seq)


def _drop_checkpoint(session: Session, *_) -> None:
    session.info.pop("audit_checkpoint", None)


# Set by a web app for one request (enclave.web.audit_writes): the seqs of the heads committed
# while it ran, so a request that changed state or was refused and left no record gets one.
COMMITTED: ContextVar[list[int] | None] = ContextVar("audit_committed", default=None)


def _write_checkpoint(session: Session) -> None:
    chain = session.info.pop("audit_checkpoint", None)
    if chain is not None:
        seen = COMMITTED.get()
        if seen is not None and chain.head is not None:
            seen.append(chain.head.seq)
        checkpoint(chain)


# Listened to once for every session (per-session listeners cost ~0.3 ms an append): only a
# session holding a pending checkpoint does anything.
event.listen(Session, "after_commit", _write_checkpoint)
event.listen(Session, "after_rollback", _drop_checkpoint)
event.listen(Session, "after_soft_rollback", _drop_checkpoint)


def append(session: Session, entry: AuditEntry, *, now: dt.datetime | None = None) -> Written:
    """Append one record in the caller's transaction (it commits with the change it records);
    its checkpoint is written when that transaction commits.  The returned record holds the
    values written (it is not attached to the session)."""
    session.flush()   # the caller's pending changes go first, as they did with the ORM
    chain = open_chain(session.connection())
    rec = append_to(chain, entry, now=now)
    session.info["audit_checkpoint"] = chain
    return rec


# A logged query awaits a supervisor's decision (A3) from the moment it is logged: marked here,
# in the record's own transaction, whoever writes the record, so the booking gate's index of
# undecided queries (querylog.models.QueryPending) can never miss one.
QUERY_ACTION = "session.query"
_INSERT_PENDING = None


def _mark_pending(db: Connection, rec: Written) -> None:
    global _INSERT_PENDING
    if _INSERT_PENDING is None:
        from enclave.querylog.models import QueryPending   # the query log's table, not the audit's
        _INSERT_PENDING = Prepared(insert(QueryPending.__table__))
    _INSERT_PENDING.execute(db, {"audit_seq": rec.seq, "case_code": rec.case_code,
                                 "ts": rec.ts})


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # edited | deleted | reordered | truncated | inserted | downgraded | head | checkpoint
    message: str


def _walk(records: Iterable[AuditRecord], head: AuditHead | None, keys: AuditKeys, *,
          legacy_only: bool = False) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS
    hashes_seen: dict[str, int] = {}
    keyed_from = head.keyed_from if head is not None else None
    for r in records:
        if r.seq != expected_seq:
            if r.seq > expected_seq:
                problems.append(ChainProblem(expected_seq, "deleted", f"records {expected_seq}..{r.seq - 1} "
                                                                      f"are missing before record {r.seq}"))
            else:
                problems.append(ChainProblem(expected_seq, "inserted", f"record {r.seq} appears after {expected_seq - 1}"))
        should_be_keyed = not legacy_only and keyed_from is not None and r.seq >= keyed_from
        if r.scheme != (KEYED if should_be_keyed else LEGACY):
            if should_be_keyed:
                msg = (f"record {r.seq} ({r.action} by {r.actor}) carries an unkeyed hash but the chain "
                       f"is keyed from record {keyed_from}: it was rewritten without the key")
            else:
                msg = f"record {r.seq} claims scheme {r.scheme!r} where the chain has {LEGACY!r} records"
            problems.append(ChainProblem(r.seq, "downgraded", msg))
        elif not legacy_only and (why := _stored_form(r)) is not None:
            problems.append(ChainProblem(r.seq, "edited", f"record {r.seq} ({r.action} by {r.actor}): {why}"))
        elif seal(keys, r) != r.hash:
            problems.append(ChainProblem(r.seq, "edited",
                                         f"record {r.seq} ({r.action} by {r.actor}) was altered: its "
                                         f"content no longer matches its seal"))
        elif r.prev_hash != prev:
            if r.prev_hash in hashes_seen:
                problems.append(ChainProblem(r.seq, "reordered",
                                             f"record {r.seq} follows record {hashes_seen[r.prev_hash]} "
                                             f"in the chain but is stored out of order"))
            else:
                problems.append(ChainProblem(r.seq, "reordered", f"record {r.seq} does not link to record {r.seq - 1}"))
        hashes_seen[r.hash] = r.seq
        prev = r.hash
        expected_seq = r.seq + 1
    last = expected_seq - 1
    if legacy_only:
        return problems
    if head is None:
        if last:
            problems.append(ChainProblem(1, "head", "the head row is missing"))
        return problems
    if head.mac is not None or head.keyed_from is not None:
        if head.key_id != keys.key_id:
            problems.append(ChainProblem(head.keyed_from or 1, "head",
                                         f"the chain was sealed under key {head.key_id}, not this enclave's "
                                         f"key {keys.key_id}"))
        elif head.mac != head_mac(keys, head):
            # it misstates where the chain ends: what it no longer vouches for starts after it
            problems.append(ChainProblem(min(head.seq, last) + 1, "head",
                                         "the head row was altered: its seal does not match"))
    if head.seq != last or head.hash != prev:
        problems.append(ChainProblem(min(head.seq, last) + 1, "truncated",
                                     f"the head says record {head.seq} is last but the log ends at {last}"))
    return problems


def _stored_form(r) -> str | None:
    """Why a keyed record's stored detail is not the text the log writes (None: it is).  The seal
    is over the parsed value, so stored text that parses to the same value - duplicate keys (the
    last wins here, the first in other readers), escapes, spacing, 1.00 for 1.0, JSON null or SQL
    NULL for {} - would pass the seal while another reader of the database sees something else."""
    stored = getattr(r, "stored_detail", _UNREAD)
    if stored is _UNREAD or getattr(r, "scheme", None) != KEYED:
        return None
    if not isinstance(r.detail, dict) or stored is None:
        return "its detail is not the object it was sealed with (null or another JSON type)"
    try:
        expected = json.dumps(r.detail)      # the JSON column's own serializer (both backends)
    except (TypeError, ValueError):
        return "its detail cannot be written back as JSON"
    if stored != expected:
        return ("its stored detail text is not the form the log writes (duplicate keys, escapes, "
                "spacing or number forms changed): other readers may see other values than the sealed ones")
    return None


_UNREAD = object()


def verify_records(records: Iterable[AuditRecord], head: AuditHead | None,
                   keys: AuditKeys | None = None) -> list[ChainProblem]:
    return _walk(records, head, keys or audit_keys())


def iter_records(session: Session, batch: int = 5000):
    last = None   # no lower bound: a record stored at seq 0 or below is read (and reported) too
    while True:
        # the detail as stored, too: the seal is over its parsed value (see _stored_form)
        q = select(AuditRecord, cast(AuditRecord.detail, Text).label("stored_detail"))
        if last is not None:
            q = q.where(AuditRecord.seq > last)
        rows = session.execute(q.order_by(AuditRecord.seq).limit(batch)).all()
        if not rows:
            return
        for rec, stored in rows:
            rec.stored_detail = stored
            yield rec
        last = rows[-1][0].seq
        session.expunge_all()


def verify_chain(session: Session, batch: int = 5000, keys: AuditKeys | None = None) -> list[ChainProblem]:
    """The database half of the check: walk the log in ``seq`` order and report every break
    (empty list: intact).  ``verify.verify_audit`` adds the checkpoints outside the database."""
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is not None:
        session.expunge(head)
    return _walk(iter_records(session, batch), head, keys or audit_keys())
