"""``enclave audit verify``: the keyed chain in the database against the signed checkpoints
outside it (and, optionally, checkpoints an external witness kept).

Every checkpoint still in force must match the record it names; a checkpoint of a record the
database no longer has means the log was cut back or the database rolled back to an older copy.
The head row names the newest journal line it saw, so a truncated journal shows too.  A
``restore`` line (written only by ``enclave restore``, with the key) supersedes checkpoints of
records after the restored head.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import anchor, journal
from enclave.audit.case_index import KIND as CASE_INDEX, case_decision_problems
from enclave.audit import people_index
from enclave.audit.derived import KIND as DECISION_INDEX, query_index_problems
from enclave.audit.keys import AuditKeys, audit_keys
from enclave.audit.log import ChainProblem, verify_chain
from enclave.audit.models import AuditHead, AuditRecord

UNCONFIRMED = "unconfirmed"
UNCONFIRMED_GRACE_S = 2.0  # how long a commit's checkpoint may lag behind it
UNANCHORED = "unanchored"  # the anchor beside the keys is missing or behind the journal
UNREADABLE = "unreadable"  # verify could not read or decide something: never passed
NO_WITNESS = "no-witness"  # a witness is required (--require-witness) but none is set
FOREIGN_ANCHOR = "foreign-anchor"  # this chain's anchor was written for another database
# The off-host witness (docs/architecture.md "Audit"): a deployment names its file in
# $ENCLAVE_AUDIT_WITNESS, and every verify then checks against it; its newest line may be at most
# the policy's accounts.audit_witness_window_hours (A5; $ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS
# overrides it for one run) older than the journal's newest line.  With
# $ENCLAVE_AUDIT_REQUIRE_WITNESS=1 (or `verify --require-witness`) a verify without a witness fails:
# without one, the chain is only as good as what the host keeps.
WITNESS_ENV = "ENCLAVE_AUDIT_WITNESS"
WINDOW_ENV = "ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS"
REQUIRE_ENV = "ENCLAVE_AUDIT_REQUIRE_WITNESS"


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


def _foreign_anchor(a: anchor.Anchor, cid: str, db: str | None) -> list[ChainProblem]:
    """The chain's own anchor names another database: this database is a copy of the one the
    chain was written in (an old file put in place elsewhere, a copy that served meanwhile), or
    the anchor was copied here from another database.  Either way the host's high-water mark is
    not this database's, so nothing on the host vouches for how far this one reached.  Anchors
    that name no database (v1), or a database that cannot be told (None), are the witness's."""
    if a.db is None or db is None or a.db == db:
        return []
    return [ChainProblem(1, FOREIGN_ANCHOR,
                         f"the anchor beside the keys for chain {cid} was written for another database "
                         f"({a.db[:12]}..., this one is {db[:12]}...): this database is a copy of the one "
                         f"the chain was kept in (an old database file, or a copy moved elsewhere), or the "
                         f"anchor was copied from another database; after a person checked that the "
                         f"database was moved on purpose, `enclave audit checkpoint` binds the anchor to it")]


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
    if a is not None:
        problems += _foreign_anchor(a, cid, db)
    if a is None:
        if entries:
            # every journal line moved it forward: lines without it were made elsewhere, or it
            # was deleted (then the database and journal may have been rolled back with it)
            problems.append(ChainProblem(1, UNANCHORED,
                                         f"the anchor beside the keys for chain {cid} is missing but the "
                                         f"journal has {len(entries)} lines: nothing on the host remembers how "
                                         f"far the journal reached; check against the witness, then "
                                         f"`enclave audit checkpoint`"))
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
    elif a.n < len(entries):
        # each line moves it under the journal's lock: behind means an older anchor file was put
        # back (a sealed copy is still sealed) or it could not be written
        problems.append(ChainProblem(a.seq + 1, UNANCHORED,
                                     f"the anchor beside the keys is at journal line {a.n} (record {a.seq}) but "
                                     f"the journal has {len(entries)} lines: an older anchor was put back or "
                                     f"it could not be written"))
    return problems


def witness_window() -> dt.timedelta:
    raw = os.environ.get(WINDOW_ENV)
    if not raw:
        from policies import current_policy   # a policy that cannot load is reported (unreadable)

        return dt.timedelta(hours=current_policy().accounts.audit_witness_window_hours)
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not hours > 0 or hours != hours or hours == float("inf"):
        raise ValueError(f"${WINDOW_ENV}={raw!r} is not a positive number of hours")
    return dt.timedelta(hours=hours)


def _ts(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return t if t.utcoffset() is not None else None


def _witness_problems(witness: Path, entries: list[journal.Entry], keys: AuditKeys,
                      window: dt.timedelta | None = None) -> list[ChainProblem]:
    """The witness's lines must all still be in the journal, and its newest one may be at most
    ``window`` older than the journal's newest (a witness nobody feeds vouches for nothing)."""
    problems: list[ChainProblem] = []
    by_n = {e.n: e for e in entries}
    try:
        text = witness.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [ChainProblem(1, UNREADABLE, f"the witness file {witness} cannot be read ({e}): the chain "
                                            f"cannot be checked against its off-host anchor")]
    newest: journal.Entry | None = None
    for i, line in enumerate(text.splitlines(), 1):
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
        elif newest is None or w.n > newest.n:
            newest = w
    if not entries:
        return problems
    if newest is None:
        if problems:      # its lines are missing from the journal: already said, and worse
            return problems
        problems.append(ChainProblem(1, UNANCHORED, f"the witness file {witness} holds no checkpoint of "
                                                    f"this journal: the chain has no off-host anchor"))
        return problems
    window = window or witness_window()
    last, seen = _ts(entries[-1].ts), _ts(newest.ts)
    if last is None or seen is None:
        problems.append(ChainProblem(newest.seq + 1, UNREADABLE, "the time of the witness's or the journal's "
                                                                  "newest line cannot be read"))
    elif last - seen > window:
        problems.append(ChainProblem(newest.seq + 1, UNANCHORED,
                                     f"the witness's newest checkpoint (journal line {newest.n}, record "
                                     f"{newest.seq}, {newest.ts}) is older than the journal's newest "
                                     f"({entries[-1].ts}) by more than {window}: records after {newest.seq} "
                                     f"rest on the host alone; export a checkpoint to the witness"))
    return problems


def _nothing_written(session: Session, settings) -> bool:
    try:
        return (session.get(AuditHead, 1) is None
                and session.execute(select(AuditRecord.seq).limit(1)).first() is None
                and not anchor.listing(journal.journal_dir(settings), journal.SUFFIX)
                and not anchor.chains(anchor.anchor_dir(settings)))
    except (OSError, anchor.AnchorError):   # what cannot be listed may hold a chain: not "fresh"
        return False


def witness_required() -> bool:
    """$ENCLAVE_AUDIT_REQUIRE_WITNESS: anything but unset, empty, 0, false, no or off requires a
    witness (a value nobody meant as "off" is read as "on": default deny)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def no_witness_problem() -> ChainProblem:
    return ChainProblem(1, NO_WITNESS,
                        f"no witness is set (--witness or "
                        f"${WITNESS_ENV}) and this deployment requires one: whoever can write the database, "
                        f"the journal and the anchor beside the keys can roll all three back together, and "
                        f"only a witness off the host would show it")


def verify_audit(session: Session, *, keys: AuditKeys | None = None, settings=None,
                 witness: Path | None = None, require_witness: bool | None = None) -> list[ChainProblem]:
    """Every problem, the first bad record first (empty list: intact).  ``require_witness``
    (default: $ENCLAVE_AUDIT_REQUIRE_WITNESS) makes a verify without a witness a problem."""
    if witness is None and os.environ.get(WITNESS_ENV):
        witness = Path(os.environ[WITNESS_ENV])   # the deployment requires its off-host anchor
    if require_witness is None:
        require_witness = witness_required()
    missing = [no_witness_problem()] if require_witness and witness is None else []
    return missing + _verify_audit(session, keys, settings, witness)


def _verify_audit(session: Session, keys: AuditKeys | None, settings,
                  witness: Path | None) -> list[ChainProblem]:
    if keys is None:
        from deidentify.keys import KeyFileError
        try:
            keys = audit_keys(settings, create=False)
        except KeyFileError as e:   # never made here: a new key would vouch for a new chain
            if _nothing_written(session, settings):
                return []   # a fresh enclave: no key yet, and nothing it would have sealed
            return [ChainProblem(1, "head", f"the master key cannot be read, nothing can be checked: {e}")]
    problems = _checked_once(session, keys, settings, witness)
    if problems and all(p.kind == UNCONFIRMED for p in problems):
        time.sleep(UNCONFIRMED_GRACE_S)  # a running service may be between commit and checkpoint
        session.rollback()
        problems = _checked_once(session, keys, settings, witness)
    return problems


def _head_now(session: Session) -> tuple | None:
    session.rollback()    # a new transaction: the head as committed now
    h = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return tuple(h) if h else None


def _checked_once(session: Session, keys: AuditKeys, settings, witness: Path | None) -> list[ChainProblem]:
    """One full check; run again (at most 3 times) only when the head moved meanwhile (records
    appended while verify read: the head, records and journal were read at different moments).
    Whatever cannot be read is a problem with its reason, never a pass."""
    problems: list[ChainProblem] = []
    for _ in range(3):
        try:
            before = _head_now(session)
            problems = _verify_once(session, keys, settings, witness)
            if not problems or _head_now(session) == before:
                return problems
        except Exception as e:   # default deny: reported with its reason, not raised past the report
            return [ChainProblem(1, UNREADABLE, f"verify could not finish ({type(e).__name__}: {e}); "
                                                f"nothing after the point it stopped was checked")]
    return problems


def _verify_once(session: Session, keys: AuditKeys, settings, witness: Path | None) -> list[ChainProblem]:
    problems = verify_chain(session, keys=keys)
    problems += query_index_problems(session)   # the unsealed copies of the A3 decisions
    problems += case_decision_problems(session)  # the case tables' unsealed decisions
    problems += people_index.people_problems(session)   # roles and members no sealed record grants (A1, A5)
    head = session.get(AuditHead, 1, populate_existing=True)
    directory = journal.journal_dir(settings)
    if head is not None and head.chain_id:
        entries, errors = journal.read(journal.journal_path(head.chain_id, settings))
    else:
        entries, errors = [], []
        others = anchor.listing(directory, journal.SUFFIX)   # OSError: reported as unreadable
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
    # a missing, lagging or moved anchor is what this confirmation re-establishes (a person checked why)
    bad = [p for p in _verify_once(session, keys, settings, None)
           if p.kind not in (UNCONFIRMED, UNANCHORED, FOREIGN_ANCHOR, DECISION_INDEX,
                             CASE_INDEX, people_index.KIND)]   # the indexes are not the chain
    if bad:
        raise ValueError(f"refused: record {bad[0].seq}: {bad[0].kind}: {bad[0].message}")
    return journal.write(journal.journal_path(head.chain_id, settings), keys, kind="checkpoint",
                         chain=head.chain_id, seq=head.seq, hash=head.hash,
                         detail={"confirmed_by": "enclave audit checkpoint"},
                         anchor_dir=anchor.anchor_dir(settings),
                         anchor_db=anchor.database_identity(session.get_bind()))
