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

import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".json"


class AnchorError(ValueError):
    """An anchor that cannot be read or is not sealed by this enclave (reported, never passed)."""


def anchor_dir(settings=None) -> Path:
    from enclave.settings import get_settings

    keys = Path((settings or get_settings()).keys_dir)
    return keys.parent / f"{keys.name}.audit-anchor"


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


def advance(directory: Path, keys, *, chain: str, n: int, digest: str, seq: int,
            db: str | None = None) -> None:
    """Move the chain's anchor to journal line ``n`` (called under the journal's lock, after
    the line is on disk; never moves back).  Replaced whole, so a reader sees old or new."""
    path = directory / f"{chain}{SUFFIX}"
    try:
        old = read(path, keys)
    except AnchorError:
        old = None   # a broken anchor is replaced by a good one; verify saw (or will see) why
    if old is not None and old.n >= n:
        return
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if db is None and old is not None:
        db = old.db     # a writer that cannot tell its database keeps what the anchor named
    data = json.dumps({**json.loads(_body(chain, n, digest, seq, db)),
                       "mac": keys.mac(_body(chain, n, digest, seq, db))}, sort_keys=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read(path: Path, keys) -> Anchor | None:
    """The anchor in ``path`` (None when there is none); AnchorError when it is unreadable or
    not sealed with this enclave's chain key."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise AnchorError(f"audit anchor {path} cannot be read ({e})") from None
    try:
        d = json.loads(raw)
        a = Anchor(chain=str(d["chain"]), n=int(d["n"]), digest=str(d["digest"]), seq=int(d["seq"]),
                   db=None if d.get("db") is None else str(d["db"]))
        mac = str(d["mac"])
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
