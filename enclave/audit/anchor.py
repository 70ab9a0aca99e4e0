"""The journal's high-water mark, kept beside the keys directory (A5).

The database and the checkpoint journal can be rolled back together to an older copy (a
filesystem snapshot, an old backup put in place by hand): every record and line in that copy is
validly sealed and signed, so the two agree with each other.  What they cannot undo is a file
they do not hold: ``<keys dir>.audit-anchor/<chain id>.json`` names the newest journal line (its
number and digest) and is sealed with the chain key.  It lives in the key holder's zone - next
to ``$ENCLAVE_KEYS``, not inside it, so a backup neither copies it nor a restore winds it back -
and only moves forward.  ``verify`` reports a journal shorter than the anchor, a line that is not
the one the anchor saw, an anchor not sealed by this enclave's key (the master key replaced),
and an anchor while the database has no chain at all (the log emptied).  Several databases may
share one keys directory, so each anchor also names the database it was written for (a digest
of its location: engine, host, port and name, or the SQLite file's real path - not the account,
which differs between services); an anchor of this database for another chain means the log was
emptied and written anew under the same key.

It does not replace the external witness: whoever can also write next to the keys can roll the
anchor back too.  It moves the bar from "can write the database and the journal" to "can write
the key holder's directory".
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SUFFIX = ".json"


class AnchorError(ValueError):
    """An anchor that cannot be read or is not sealed by this enclave (reported, never passed)."""


def anchor_dir(settings=None) -> Path:
    from enclave.settings import get_settings

    return _anchor_dir_of(str((settings or get_settings()).keys_dir))


@functools.lru_cache(maxsize=16)
def _anchor_dir_of(keys: str) -> Path:
    k = Path(keys)
    return k.parent / f"{k.name}.audit-anchor"


@functools.lru_cache(maxsize=64)
def _files(directory: Path, chain: str) -> tuple[Path, str, str]:
    """The chain's anchor (as a path and as text) and its swap file, in ``directory``."""
    path = directory / f"{chain}{SUFFIX}"
    return path, str(path), str(directory / f".{path.name}.swap")


@dataclass(frozen=True)
class Anchor:
    chain: str
    n: int
    digest: str
    seq: int
    db: str | None = None   # database_identity() of the database it was written for (v2)


def _body(chain: str, n: int, digest: str, seq: int, db: str | None = None) -> bytes:
    body = {"chain": chain, "n": n, "digest": digest, "seq": seq, "v": 1}
    if db is not None:
        body.update(db=db, v=2)
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=64)
def _identity(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        where = os.path.realpath(u.database) if u.database and u.database != ":memory:" else ":memory:"
        parts = ["sqlite", where]
    else:
        parts = [u.get_backend_name(), (u.host or "").lower(), str(u.port or ""), u.database or "",
                 str(u.query.get("host", ""))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def database_identity(bind) -> str | None:
    """Which database ``bind`` (an Engine, Connection or Session bind) is, as anchors name it;
    None when it cannot be told (then the anchor names none and the check is the witness's)."""
    url = getattr(getattr(bind, "engine", bind), "url", None)
    if url is None:
        return None
    try:
        return _identity(url.render_as_string(hide_password=True))
    except Exception:   # an engine kind make_url cannot re-read: no identity rather than a failed write
        return None


# The anchor this process last read or wrote, by file: the file's bytes then, the keys that
# checked them and what they hold.  ``advance`` runs before every session query (issue 18):
# when the file still holds those very bytes, JSON-parsing and MAC-checking them again would
# give the same anchor, so it is not done - a memo of a pure function of (bytes, keys), never a
# guess from timestamps.  The file itself is read every time: "never moves back" is decided on
# what the file holds now, never on what this process last wrote.
_KNOWN: dict[str, tuple[bytes, object, "Anchor"]] = {}


def _current(path: Path, key: str, keys) -> "Anchor | None":
    """``read(path, keys)``, without parsing or MAC-checking bytes checked before."""
    try:
        fd = os.open(key, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise AnchorError(f"audit anchor {path} cannot be read ({e})") from None
    try:
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
    except OSError as e:
        raise AnchorError(f"audit anchor {path} cannot be read ({e})") from None
    finally:
        os.close(fd)
    known = _KNOWN.get(key)
    if known is not None and known[0] == raw and known[1] is keys:
        return known[2]
    a = _parse(path, raw, keys)
    _KNOWN[key] = (raw, keys, a)
    return a


def _renameat2():
    """libc's renameat2 (Linux 3.15+, glibc 2.28+), or None."""
    global _RENAMEAT2
    if _RENAMEAT2 is None:
        try:
            import ctypes

            fn = ctypes.CDLL(None, use_errno=True).renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]
            _RENAMEAT2 = (fn, ctypes)
        except (OSError, AttributeError):
            _RENAMEAT2 = False
    return _RENAMEAT2 or None


_RENAMEAT2 = None
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchanged(swap: str, path: str) -> bool:
    """Atomically swap the two names' files (True), or False where the kernel or filesystem
    cannot (then the caller renames, as every writer did before)."""
    got = _renameat2()
    if got is None:
        return False
    fn, ctypes = got
    if fn(_AT_FDCWD, swap.encode(), _AT_FDCWD, path.encode(), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOENT, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False   # no anchor yet, or no exchange here: the plain rename does it
    raise OSError(err, os.strerror(err), path)


def _write_swapped(directory: Path, path: Path, data: bytes) -> None:
    """Put ``data`` in place as ``path``, replaced whole (a reader sees old or new).  Written
    into the chain's swap file (``.<name>.swap``, which holds the anchor before last) and
    exchanged with the anchor: a new file made and an old one freed for every record cost
    ~0.1 ms of the filesystem's CPU (issue 18)."""
    _, _, swap = _files(directory, path.name.removesuffix(SUFFIX))
    # never through a link: the swap file is rewritten in place, and what a link names is not
    # the anchor's to overwrite (ELOOP: the checkpoint fails, logged, and verify sees the anchor lag)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW
    try:
        fd = os.open(swap, flags, 0o600)
    except FileNotFoundError:   # the first anchor beside these keys
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(swap, flags, 0o600)
    try:
        os.pwrite(fd, data, 0)
        if os.fstat(fd).st_size != len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)
    if not _exchanged(swap, str(path)):
        os.replace(swap, path)


@contextlib.contextmanager
def _locked(directory: Path, how: int, create: bool = False) -> Iterator[bool]:
    """The anchor directory's lock: writers take it exclusive, readers shared - a reader never
    reads the swap file while it is rewritten (a reader that opened the anchor before two
    exchanges holds what became the swap).  Yields False when there is no directory (and
    ``create`` is off); a filesystem without flock leaves the journal's lock alone to order
    the writers, as before."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        if not create:
            yield False
            return
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, how)
        except OSError as e:
            if e.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
                raise
        yield True
    finally:
        os.close(fd)   # releases the lock


def advance(directory: Path, keys, *, chain: str, n: int, digest: str, seq: int,
            db: str | None = None) -> None:
    """Move the chain's anchor to journal line ``n`` (never moves back).  Called under the
    journal's lock, after the line is on disk; writers of one anchor directory also take its
    lock, so two whose journals differ cannot interleave in the swap file."""
    path, key, _ = _files(directory, chain)
    with _locked(directory, fcntl.LOCK_EX, create=True):
        try:
            old = _current(path, key, keys)
        except AnchorError:
            old = None   # a broken anchor is replaced by a good one; verify saw (or will see) why
        if old is not None and old.n >= n:
            return
        if db is None and old is not None:
            db = old.db     # a writer that cannot tell its database keeps what the anchor named
        body = _body(chain, n, digest, seq, db)
        data = json.dumps({**json.loads(body), "mac": keys.mac(body)},
                          sort_keys=True).encode("utf-8")
        _write_swapped(directory, path, data)
        _KNOWN[key] = (data, keys, Anchor(chain=chain, n=n, digest=digest, seq=seq, db=db))


def read(path: Path, keys) -> Anchor | None:
    """The anchor in ``path`` (None when there is none); AnchorError when it is unreadable or
    not sealed with this enclave's chain key."""
    try:
        with _locked(path.parent, fcntl.LOCK_SH) as there:
            raw = path.read_bytes() if there else None
    except FileNotFoundError:
        return None
    except OSError as e:
        raise AnchorError(f"audit anchor {path} cannot be read ({e})") from None
    return None if raw is None else _parse(path, raw, keys)


def _parse(path: Path, raw: bytes, keys) -> Anchor:
    try:
        d = json.loads(raw.decode("utf-8"))
        a = Anchor(chain=str(d["chain"]), n=int(d["n"]), digest=str(d["digest"]), seq=int(d["seq"]),
                   db=None if d.get("db") is None else str(d["db"]))
        mac = str(d["mac"])
    except UnicodeDecodeError as e:
        raise AnchorError(f"audit anchor {path} cannot be read ({e})") from None
    except (ValueError, KeyError, TypeError) as e:
        raise AnchorError(f"audit anchor {path} is not an anchor ({e}); a crash while it was "
                          f"replaced, or an edit") from None
    if not hmac.compare_digest(mac, keys.mac(_body(a.chain, a.n, a.digest, a.seq, a.db))):
        raise AnchorError(f"audit anchor {path} is not sealed by this enclave's chain key")
    if path.name != f"{a.chain}{SUFFIX}":
        raise AnchorError(f"audit anchor {path} names chain {a.chain}")
    return a


def listing(directory: Path, suffix: str) -> list[Path]:
    """The files named ``*suffix`` in ``directory`` (none when nothing is there); OSError when
    something is there but cannot be listed (a file, a dangling link, no permission): a check
    must not read "cannot list" as "holds nothing" (Path.glob swallows such errors)."""
    if not os.path.lexists(directory):
        return []
    with os.scandir(directory) as it:       # raises NotADirectoryError, PermissionError, ...
        return sorted(directory / e.name for e in it
                      if e.name.endswith(suffix) and not e.name.startswith("."))


def chains(directory: Path) -> list[str]:
    """The chain ids that have an anchor here (AnchorError when the directory cannot be listed)."""
    try:
        return [p.name.removesuffix(SUFFIX) for p in listing(directory, SUFFIX)]
    except OSError as e:
        raise AnchorError(f"the audit anchor directory {directory} cannot be listed ({e})") from None
