"""Tables a fresh process builds before its first check, kept on disk between processes (speed).

The name finder's jieba tables (and others like them) cost about a second of CPU to build in
every new process: each pytest worker, each ``enclave egress check``, each review child that
was not forked from a warmed parent.  What they are built from does not change between runs, so
the built table is written once to a file and read back by later processes.

A cache file decides what the scrubber knows, so it is never taken on trust:
- it lives in a directory only this user can write (``cache_dir``; the file itself must be the
  user's and not writable by others), never in the shared temp directory;
- it is keyed by the SHA-256 of everything the table is built from (the source files' bytes,
  library and Python versions, this format's number): a table built from other sources is stale;
- its payload carries its own SHA-256, checked before decoding: a corrupt or altered file is
  ignored;
- decoding checks the payload's shape and raises on anything unexpected.
Whatever fails, the table is built from its sources as if there were no cache, and the file is
rewritten (atomically: a reader never sees half a file).  Results are the same either way
(``tests/egress_engine/test_warm_cache.py``).

Where: ``$NHI_ENCLAVE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/nhi-enclave`` (default
``~/.cache/nhi-enclave``); a fresh private temp directory if neither can be made private.
"""
from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

FORMAT = b"nhi-warm-cache/1\n"
_DIGEST = 32   # bytes of a SHA-256


def _private(d: Path) -> bool:
    st = d.stat()
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def private_dir(*parts: str) -> Path:
    """``parts`` under the cache directory, made if missing, only this user can write it;
    a fresh private temp directory if that cannot be had (then nothing is reused, all still
    works)."""
    try:
        env = os.environ.get("NHI_ENCLAVE_CACHE_DIR")
        base = Path(env) if env else \
            Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nhi-enclave"
        d = base.joinpath(*parts)
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        # the directory and those above it up to the base: one writable by others lets them
        # swap the directory below it
        if all(_private(x) for x in [d, *d.parents][:len(parts) + 1]):
            return d
        log.warning("cache directory %s can be written by others: not used", d)
    except (OSError, RuntimeError):   # RuntimeError: no home directory to be found
        pass
    d = _fallback_dir().joinpath(*parts)
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


@functools.cache
def _fallback_dir() -> Path:
    """One private temp directory for this process (mode 0700 from mkdtemp), removed at exit:
    nothing is reused across processes, nothing is left behind."""
    d = Path(tempfile.mkdtemp(prefix="nhi-cache-"))
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


def cache_dir() -> Path:
    """Where the built tables are kept (see the module's docstring)."""
    return private_dir("tables")


def source_key(name: str, parts: Iterable[bytes | str]) -> bytes:
    """SHA-256 over the table's name, this format, the Python version and every source part."""
    h = hashlib.sha256(FORMAT + name.encode() + b"\0" + sys.version.encode())
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.digest()


def file_bytes(path: str | os.PathLike) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _intact(payload: bytes, digest: bytes) -> bool:
    """Whether ``payload`` is what was written with ``digest`` (corrupt or altered: not)."""
    return hashlib.sha256(payload).digest() == digest


def read_payload(path: Path, key: bytes) -> bytes | None:
    """The payload of a cache file that is ours, for ``key``, and intact; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            log.warning("cache file %s is not private to this user: ignored", path)
            return None
        raw = fh.read()
    head = len(FORMAT) + 2 * _DIGEST
    if len(raw) < head or not raw.startswith(FORMAT):
        return None
    stored_key, digest = raw[len(FORMAT):len(FORMAT) + _DIGEST], raw[len(FORMAT) + _DIGEST:head]
    payload = raw[head:]
    if stored_key != key:
        return None        # built from other sources: stale
    if not _intact(payload, digest):
        log.warning("cache file %s does not match its digest: rebuilt", path)
        return None
    return payload


def write_payload(path: Path, key: bytes, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(FORMAT + key + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cached(name: str, parts: Iterable[bytes | str], build: Callable[[], T],
           encode: Callable[[T], bytes], decode: Callable[[bytes], T]) -> T:
    """The table ``name``: decoded from its cache file when that file is intact and was built
    from the same ``parts``; otherwise ``build()`` (and the file rewritten).  ``decode`` must
    raise on a payload it does not fully understand."""
    key = source_key(name, parts)
    path = cache_dir() / f"{name}.bin"
    payload = read_payload(path, key)
    if payload is not None:
        try:
            return decode(payload)
        except Exception:   # noqa: BLE001 - a payload we cannot read is rebuilt, never half-used
            log.warning("cache file %s could not be decoded: rebuilt", path)
    value = build()
    try:
        write_payload(path, key, encode(value))
    except Exception:       # noqa: BLE001 - no cache (read-only disk, odd values): still correct
        log.warning("cache file %s could not be written", path, exc_info=True)
    return value
