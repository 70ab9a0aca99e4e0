"""The checkpoint journal: signed copies of the chain's head, kept outside the database (A5).

One JSON line per checkpoint in ``$ENCLAVE_AUDIT_JOURNAL/<chain id>.checkpoints.jsonl``, opened
append-only.  Each line carries its number, the SHA-256 of the line before it and an Ed25519
signature by the enclave's checkpoint key, so a line cannot be edited, re-ordered or forged
without the key.  Truncation leaves a valid prefix; it is caught because the database's head row
(sealed with the chain key) names the newest line it saw.

Two kinds of line: ``checkpoint`` (record ``seq`` had hash ``hash`` when it was committed) and
``restore`` (an operator restored a backup whose head is ``seq``/``hash``; checkpoints of later
records written before it are superseded).  Only the key holder can write either.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from enclave.audit import anchor

GENESIS = "0" * 64
SUFFIX = ".checkpoints.jsonl"
KINDS = ("checkpoint", "restore")


class JournalError(ValueError):
    """A journal line that cannot be read (the verifier reports it; nothing passes unread)."""


def canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def journal_dir(settings=None) -> Path:
    from enclave.settings import get_settings

    return (settings or get_settings()).audit_journal_dir


def journal_path(chain_id: str, settings=None) -> Path:
    if not chain_id or not all(c in "0123456789abcdef-" for c in chain_id):
        raise JournalError(f"chain id {chain_id!r} is not a UUID")
    return _journal_file(journal_dir(settings), chain_id)


@functools.lru_cache(maxsize=64)
def _journal_file(directory: Path, chain_id: str) -> Path:
    return directory / f"{chain_id}{SUFFIX}"


@dataclass(frozen=True)
class Entry:
    n: int
    prev: str
    kind: str
    chain: str
    seq: int
    hash: str
    ts: str
    sig: str
    detail: dict[str, Any] = field(default_factory=dict)
    line: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.line.encode("utf-8")).hexdigest()

    def body(self) -> dict[str, Any]:
        return {"n": self.n, "prev": self.prev, "kind": self.kind, "chain": self.chain,
                "seq": self.seq, "hash": self.hash, "ts": self.ts, "detail": self.detail}

    def signed_by(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(bytes.fromhex(self.sig), canonical(self.body()))
            return True
        except (InvalidSignature, ValueError):
            return False


def parse(line: str, where: str) -> Entry:
    try:
        d = json.loads(line)
        e = Entry(n=int(d["n"]), prev=str(d["prev"]), kind=str(d["kind"]), chain=str(d["chain"]),
                  seq=int(d["seq"]), hash=str(d["hash"]), ts=str(d["ts"]), sig=str(d["sig"]),
                  detail=dict(d.get("detail") or {}), line=line)
    except (ValueError, KeyError, TypeError) as exc:
        raise JournalError(f"{where}: not a checkpoint line ({exc})") from None
    if e.kind not in KINDS:
        raise JournalError(f"{where}: unknown kind {e.kind!r}")
    return e


def _last_line(fd: int) -> str | None:
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    # A line is a few hundred bytes: 4 KB of the tail first (read twice per audit transaction,
    # and decoding 64 KB cost ~8x more), all 64 KB only when no whole line is in it.
    short, full = min(size, 4096), min(size, 65536)
    if short < full:
        data = os.pread(fd, short, size - short).decode("utf-8", "replace")
        whole = [ln for ln in data.split("\n")[1:-1] if ln]   # the first may begin mid-line
        if whole:
            return whole[-1]
    data = os.pread(fd, full, size - full).decode("utf-8", "replace")
    lines = [ln for ln in data.split("\n")[:-1] if ln]   # only complete lines
    return lines[-1] if lines else None


# The newest line this process read or wrote, by journal file, and what it parses to.  The tail
# is read twice per audit transaction - the head's reference and the next line's predecessor -
# before every session query (issue 18): the line is read from the file each time, and only
# when it is the very text parsed before is the parse not done again (a memo of a pure
# function of the text, never a guess from timestamps or sizes).
_KNOWN: dict[str, tuple[str, Entry]] = {}


def _read_last(fd: int, path: Path) -> Entry | None:
    """The newest complete line of the open journal ``fd``, parsed."""
    line = _last_line(fd)
    if not line:
        return None
    key = str(path)
    known = _KNOWN.get(key)
    if known is not None and known[0] == line:
        return known[1]
    entry = parse(line, f"{path} last line")
    _KNOWN[key] = (line, entry)
    return entry


def tail(path: Path) -> Entry | None:
    """The newest complete line (no lock: appends are single writes)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _read_last(fd, path)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except FileNotFoundError:   # the first line of the first journal here
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def write(path: Path, keys, *, kind: str, chain: str, seq: int, hash: str,
          detail: dict[str, Any] | None = None, anchor_dir: Path | None = None,
          anchor_db: str | None = None) -> Entry:
    """Append one signed line (serialised across processes by an exclusive file lock); with
    ``anchor_dir``, the chain's anchor (anchor.py) is moved to it under the same lock, naming
    the database ``anchor_db`` (``anchor.database_identity``)."""
    if kind not in KINDS:
        raise JournalError(f"unknown kind {kind!r}")
    with _locked_append(path) as fd:
        prev = _read_last(fd, path)
        body = {"n": prev.n + 1 if prev else 1, "prev": prev.digest if prev else GENESIS,
                "kind": kind, "chain": chain, "seq": seq, "hash": hash,
                "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
                "detail": detail or {}}
        sig = keys.signing_key.sign(canonical(body)).hex()
        line = canonical({**body, "sig": sig}).decode("utf-8")
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
        entry = parse(line, str(path))
        _KNOWN[str(path)] = (line, entry)
        if anchor_dir is not None:
            anchor.advance(anchor_dir, keys, chain=chain, n=entry.n, digest=entry.digest, seq=seq,
                           db=anchor_db)
    return entry


def read(path: Path) -> tuple[list[Entry], list[str]]:
    """Every line, plus a message for each line that cannot be read."""
    entries: list[Entry] = []
    errors: list[str] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        errors.append(f"{path}: the last line is incomplete")
        lines.pop()
    for i, ln in enumerate(lines, 1):
        try:
            entries.append(parse(ln, f"{path} line {i}"))
        except JournalError as e:
            errors.append(str(e))
    return entries, errors
