"""``enclave audit verify``: the keyed chain in the database against the signed checkpoints
outside it (and, optionally, checkpoints an external witness kept).

Every checkpoint still in force must match the record it names; a checkpoint of a record the
database no longer has means the log was cut back or the database rolled back to an older copy.
The head row names the newest journal line it saw, so a truncated journal shows too.  A
``restore`` line (written only by ``enclave restore``, with the key) supersedes checkpoints of
records after the restored head.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import anchor, journal
from enclave.audit.keys import AuditKeys, audit_keys
from enclave.audit.log import ChainProblem, verify_chain
from enclave.audit.models import AuditHead, AuditRecord

UNCONFIRMED = "unconfirmed"
UNCONFIRMED_GRACE_S = 2.0  # how long a commit's checkpoint may lag behind it


def _record_hashes(session: Session, seqs: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    wanted = sorted(seqs)
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        out.update((seq, h) for seq, h in session.execute(select(AuditRecord.seq, AuditRecord.hash)
                                                          .where(AuditRecord.seq.in_(part))))
    return out


def _journal_problems(entries: list[journal.Entry], errors: list[str], head: AuditHead | None,
                      keys: AuditKeys, session: Session) -> list[ChainProblem]:
    problems = [ChainProblem(1, "checkpoint", e) for e in errors]
    public = keys.public_key
    in_force: dict[int, journal.Entry] = {}
    prev = journal.GENESIS
    for i, e in enumerate(entries, 1):
        if not e.signed_by(public):
            problems.append(ChainProblem(e.seq, "checkpoint", f"journal line {e.n} is not signed by this "
                                                              f"enclave's checkpoint key"))
            continue
        if e.n != i or e.prev != prev:
            problems.append(ChainProblem(e.seq, "checkpoint", f"journal line {i} is out of place "
                                                              f"(says it is line {e.n})"))
        prev = e.digest
        if head is not None and e.chain != head.chain_id:
            problems.append(ChainProblem(e.seq, "checkpoint", f"journal line {e.n} belongs to chain {e.chain}, "
                                                              f"not this database's {head.chain_id}"))
            continue
        if e.kind == "restore":
            in_force = {s: c for s, c in in_force.items() if s <= e.seq}
        in_force[e.seq] = e
    if head is not None and head.journal_n:
        if len(entries) < head.journal_n:
            problems.append(ChainProblem(max(in_force, default=0) + 1, "checkpoint",
                                         f"the journal was cut back: the head saw line {head.journal_n}, the "
                                         f"journal ends at line {len(entries)}"))
        elif entries[head.journal_n - 1].digest != head.journal_digest:
            problems.append(ChainProblem(entries[head.journal_n - 1].seq, "checkpoint",
                                         f"journal line {head.journal_n} is not the line the head saw"))
    last = head.seq if head is not None else 0
    newest = max(in_force, default=0)
    if head is not None and head.keyed_from is not None and newest < last:
        # The journal's last lines were cut off, or a writer stopped between commit and
        # checkpoint; nothing outside the database vouches for these records.
        problems.append(ChainProblem(newest + 1, UNCONFIRMED,
                                     f"records {newest + 1}..{last} have no signed checkpoint (the journal "
                                     f"lost its last lines, or a service stopped before writing it; "
                                     f"`enclave audit checkpoint` confirms them after a person checked why)"))
    stored = _record_hashes(session, set(in_force))
    for seq, e in sorted(in_force.items()):
        if seq > last or seq not in stored:
            problems.append(ChainProblem(min(seq, last + 1), "deleted",
                                         f"signed checkpoint (journal line {e.n}) vouches for record {seq} but "
                                         f"the database ends at record {last}: records were removed or the "
                                         f"database was rolled back"))
            break
        if stored[seq] != e.hash:
            problems.append(ChainProblem(seq, "edited", f"record {seq} differs from its signed checkpoint "
                                                        f"(journal line {e.n})"))
    return problems


def _anchor_problems(directory: Path, entries: list[journal.Entry], head: AuditHead | None,
                     keys: AuditKeys, db: str | None = None) -> list[ChainProblem]:
    """The journal against the high-water mark beside the keys (anchor.py): a journal shorter
    than the anchor, or with another line where the anchor's was, was rolled back (with the
    database, or the database's head would have shown it); an anchor while this database has no
    chain, or an anchor of this database (``db``) for another chain, means its log was emptied
    (and written anew); an anchor not sealed by this key, that the key was replaced."""
    problems: list[ChainProblem] = []
    cid = head.chain_id if head is not None and head.chain_id else None
    last = head.seq if head is not None else 0
    for other in anchor.chains(directory):
        if other == cid:
            continue
        if cid is None:
            problems.append(ChainProblem(1, "checkpoint",
                                         f"the anchor beside the keys names chain {other}, but this database "
                                         f"has no keyed chain: the audit log was emptied or replaced"))
            continue
        # Another database may share these keys (a staging copy): its anchor is no problem,
        # unless it was sealed under another key - then the master key itself was replaced.
        try:
            theirs = anchor.read(directory / f"{other}{anchor.SUFFIX}", keys)
        except anchor.AnchorError as e:
            problems.append(ChainProblem(1, "checkpoint", f"{e}: the master key was replaced or the "
                                                          f"anchor edited"))
            continue
        if theirs is not None and db is not None and theirs.db == db:
            problems.append(ChainProblem(1, "checkpoint",
                                         f"the anchor beside the keys says this database's audit log was chain "
                                         f"{other} up to journal line {theirs.n} (record {theirs.seq}); it now "
                                         f"holds chain {cid}: the log was emptied and written anew"))
    if cid is None:
        return problems
    try:
        a = anchor.read(directory / f"{cid}{anchor.SUFFIX}", keys)
    except anchor.AnchorError as e:
        return problems + [ChainProblem(1, "checkpoint", str(e))]
    if a is None:
        return problems
    if len(entries) < a.n:
        problems.append(ChainProblem(min(a.seq, last) + 1, "checkpoint",
                                     f"the anchor saw journal line {a.n} (record {a.seq}) but the journal ends "
                                     f"at line {len(entries)} and the database at record {last}: journal and "
                                     f"database were rolled back to an older copy"))
    elif entries[a.n - 1].digest != a.digest:
        problems.append(ChainProblem(min(a.seq, last) + 1, "checkpoint",
                                     f"journal line {a.n} is not the line the anchor saw (record {a.seq}): the "
                                     f"journal was replaced"))
    return problems


def _witness_problems(witness: Path, entries: list[journal.Entry], keys: AuditKeys) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    by_n = {e.n: e for e in entries}
    for i, line in enumerate(witness.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            w = journal.parse(json.dumps(json.loads(line)["checkpoint"], sort_keys=True,
                                         ensure_ascii=False, separators=(",", ":")), f"{witness} line {i}")
        except (ValueError, KeyError, TypeError, journal.JournalError) as exc:
            problems.append(ChainProblem(1, "checkpoint", f"{witness} line {i}: unreadable ({exc})"))
            continue
        if not w.signed_by(keys.public_key):
            problems.append(ChainProblem(w.seq, "checkpoint", f"witness checkpoint {i} is not signed by this enclave"))
        elif by_n.get(w.n) is None or by_n[w.n].digest != w.digest:
            problems.append(ChainProblem(w.seq, "checkpoint",
                                         f"the witness holds journal line {w.n} (record {w.seq}) which the "
                                         f"journal no longer has: journal and database were rolled back"))
    return problems


def _nothing_written(session: Session, settings) -> bool:
    jdir = journal.journal_dir(settings)
    return (session.get(AuditHead, 1) is None
            and session.execute(select(AuditRecord.seq).limit(1)).first() is None
            and not (jdir.is_dir() and any(jdir.glob(f"*{journal.SUFFIX}")))
            and not anchor.chains(anchor.anchor_dir(settings)))


def verify_audit(session: Session, *, keys: AuditKeys | None = None, settings=None,
                 witness: Path | None = None) -> list[ChainProblem]:
    """Every problem, the first bad record first (empty list: intact)."""
    if keys is None:
        from deidentify.keys import KeyFileError
        try:
            keys = audit_keys(settings, create=False)
        except KeyFileError as e:   # never made here: a new key would vouch for a new chain
            if _nothing_written(session, settings):
                return []   # a fresh enclave: no key yet, and nothing it would have sealed
            return [ChainProblem(1, "head", f"the master key cannot be read, nothing can be checked: {e}")]
    problems = _verify_once(session, keys, settings, witness)
    if problems and all(p.kind == UNCONFIRMED for p in problems):
        time.sleep(UNCONFIRMED_GRACE_S)  # a running service may be between commit and checkpoint
        session.rollback()
        problems = _verify_once(session, keys, settings, witness)
    return problems


def _verify_once(session: Session, keys: AuditKeys, settings, witness: Path | None) -> list[ChainProblem]:
    problems = verify_chain(session, keys=keys)
    head = session.get(AuditHead, 1, populate_existing=True)
    directory = journal.journal_dir(settings)
    if head is not None and head.chain_id:
        entries, errors = journal.read(journal.journal_path(head.chain_id, settings))
    else:
        entries, errors = [], []
        others = sorted(directory.glob(f"*{journal.SUFFIX}")) if directory.is_dir() else []
        if others:  # the log was emptied or replaced by an unkeyed one
            problems.append(ChainProblem(1, "checkpoint", f"the journal holds checkpoints of chain "
                                                          f"{others[0].name.removesuffix(journal.SUFFIX)} "
                                                          f"but this database has no keyed chain"))
    if head is not None and head.chain_id and head.journal_n and not entries:
        problems.append(ChainProblem(1, "checkpoint", f"the checkpoint journal of chain {head.chain_id} is "
                                                      f"missing or empty (the head saw line {head.journal_n})"))
    problems += _journal_problems(entries, errors, head, keys, session)
    problems += _anchor_problems(anchor.anchor_dir(settings), entries, head, keys,
                                 anchor.database_identity(session.get_bind()))
    if witness is not None:
        problems += _witness_problems(witness, entries, keys)
    return sorted(problems, key=lambda p: p.seq)


def latest_checkpoint(session: Session, settings=None) -> dict | None:
    """What an external witness keeps: the newest signed line and the public key to check it."""
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None or not head.chain_id:
        return None
    last = journal.tail(journal.journal_path(head.chain_id, settings))
    if last is None:
        return None
    keys = audit_keys(settings)
    return {"checkpoint": json.loads(last.line), "public_key_ed25519": keys.public_key_hex(),
            "line_sha256": last.digest}


def confirm_head(session: Session, settings=None) -> journal.Entry:
    """Write a checkpoint of the current head (after a person checked why one was missing);
    refused while the chain in the database has any other problem."""
    keys = audit_keys(settings)
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None or not head.chain_id:
        raise ValueError("the audit log has no keyed chain yet")
    bad = [p for p in _verify_once(session, keys, settings, None) if p.kind != UNCONFIRMED]
    if bad:
        raise ValueError(f"refused: record {bad[0].seq}: {bad[0].kind}: {bad[0].message}")
    return journal.write(journal.journal_path(head.chain_id, settings), keys, kind="checkpoint",
                         chain=head.chain_id, seq=head.seq, hash=head.hash,
                         detail={"confirmed_by": "enclave audit checkpoint"},
                         anchor_dir=anchor.anchor_dir(settings),
                         anchor_db=anchor.database_identity(session.get_bind()))
