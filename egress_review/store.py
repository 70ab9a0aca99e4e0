"""Immutable, content-addressed storage for submitted egress files.

A blob is named by the SHA-256 of its bytes (``blobs/ab/abcdef…``).  Writing goes to a temporary
file in the same file system, is fsynced, made read-only and renamed into place (rename is atomic),
then the directory is fsynced: after :meth:`BlobStore.put` returns the blob is durable, and before
that no blob of that name exists.  A crash can leave only a temporary file, which
:meth:`BlobStore.recover` deletes; it can never leave a half-written blob under its final name.

The workflow commits a request row only after every one of its blobs is durable, so a row never
names a missing blob; a blob without a row (crash between the two) is harmless and can be
collected with :meth:`BlobStore.collect_orphans`.

With a key (:func:`service_store` - every service's store) blobs are encrypted at rest
(:mod:`egress_review.store_crypto`); the name stays the SHA-256 of the plaintext and is checked
after decrypting.  Blobs written before encryption was on are still read (they have no seal
header) and are re-sealed by :meth:`BlobStore.seal_legacy`.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from egress_review import store_crypto
from egress_review.faults import checkpoint

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


class StoreError(Exception):
    """A blob is missing or does not match its checksum."""


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable (the release area uses it too)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    def __init__(self, root: Path | str, key: bytes | None = None) -> None:
        if key is not None and len(key) != 32:
            raise StoreError("the store key must be 32 bytes (AES-256)")
        self.key = key
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    # -- writing ---------------------------------------------------------------------------
    def path_for(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise StoreError(f"not a SHA-256 digest: {sha256!r}")
        return self.blobs / sha256[:2] / sha256

    def put_stream(self, src: BinaryIO) -> Blob:
        """Copy a stream into the store; returns its digest and size once it is durable."""
        h = hashlib.sha256()
        size = 0
        fd, tmpname = tempfile.mkstemp(dir=self.tmp, prefix="in-")
        tmp = Path(tmpname)
        def seen(chunk: bytes) -> None:
            nonlocal size
            h.update(chunk)
            size += len(chunk)

        try:
            with os.fdopen(fd, "wb") as out:
                if self.key is not None:
                    store_crypto.seal_stream(src, out, self.key, seen)
                else:
                    while chunk := src.read(CHUNK):
                        seen(chunk)
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            checkpoint("store.temp_written")
            digest = h.hexdigest()
            final = self.path_for(digest)
            if final.exists():
                # Same content already stored (content addressing): keep the existing blob.
                tmp.unlink()
                return Blob(digest, size)
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
            os.rename(tmp, final)
            fsync_dir(final.parent)
            return Blob(digest, size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_bytes(self, data: bytes) -> Blob:
        import io

        return self.put_stream(io.BytesIO(data))

    # -- reading ---------------------------------------------------------------------------
    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str, *, verify: bool = True) -> BinaryIO:
        """Open a blob for reading (its plaintext); with ``verify`` its checksum is checked
        first."""
        p = self.path_for(sha256)
        if not p.is_file():
            raise StoreError(f"blob {sha256} is missing from {self.blobs}")
        if verify:
            self.verify(sha256)
        return self._plain(p)

    def _plain(self, p: Path) -> BinaryIO:
        f = p.open("rb")
        try:
            if not store_crypto.is_sealed(f):
                return f  # written before encryption at rest was switched on
            if self.key is None:
                raise StoreError(f"blob {p.name} is encrypted and this store has no key")
            return store_crypto.open_sealed(f, self.key, p.name)
        except BaseException:
            f.close()
            raise

    def read_bytes(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def digest_of(self, sha256: str) -> str:
        h = hashlib.sha256()
        try:
            with self._plain(self.path_for(sha256)) as f:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
        except store_crypto.SealError as e:
            raise StoreError(f"blob {sha256} is corrupt: {e}") from None
        return h.hexdigest()

    def verify(self, sha256: str) -> None:
        p = self.path_for(sha256)
        if not p.is_file():
            raise StoreError(f"blob {sha256} is missing from {self.blobs}")
        actual = self.digest_of(sha256)
        if actual != sha256:
            raise StoreError(f"blob {p} is corrupt: its content hashes to {actual}")

    def materialize(self, files: Iterable[tuple[str, str]], dest: Path) -> Path:
        """Lay out ``(relative path, sha256)`` pairs under ``dest`` (hard links when possible,
        copies otherwise) so a checker can read the request as a directory tree."""
        dest.mkdir(parents=True, exist_ok=True)
        for rel, sha in files:
            target = dest / safe_relpath(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.verify(sha)
            if self.key is None:
                try:
                    os.link(self.path_for(sha), target)
                    continue
                except OSError:
                    pass
            with self._plain(self.path_for(sha)) as src, open(target, "xb") as out:
                shutil.copyfileobj(src, out, CHUNK)
        return dest

    def iter_blobs(self) -> Iterator[str]:
        for d in self.blobs.iterdir():
            if d.is_dir():
                for p in d.iterdir():
                    if _HEX64.match(p.name):
                        yield p.name

    def seal_legacy(self) -> list[str]:
        """Encrypt blobs written before the store had a key (same name, atomic replace)."""
        if self.key is None:
            raise StoreError("this store has no key")
        sealed = []
        for sha in list(self.iter_blobs()):
            p = self.path_for(sha)
            with p.open("rb") as f:
                if store_crypto.is_sealed(f):
                    continue
            self.verify(sha)
            fd, tmpname = tempfile.mkstemp(dir=self.tmp, prefix="seal-")
            try:
                with p.open("rb") as src, os.fdopen(fd, "wb") as out:
                    store_crypto.seal_stream(src, out, self.key)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(tmpname, stat.S_IRUSR | stat.S_IRGRP)
                os.rename(tmpname, p)
                fsync_dir(p.parent)
            except BaseException:
                Path(tmpname).unlink(missing_ok=True)
                raise
            sealed.append(sha)
        return sealed

    # -- recovery --------------------------------------------------------------------------
    def recover(self) -> list[Path]:
        """Delete temporary files left by a crash (run at start-up, before serving)."""
        removed = []
        for p in self.tmp.iterdir():
            p.unlink(missing_ok=True)
            removed.append(p)
        if removed:
            fsync_dir(self.tmp)
        return removed

    def collect_orphans(self, referenced: set[str], *, older_than_s: float) -> list[str]:
        """Delete blobs no request names and older than ``older_than_s`` seconds (a blob younger
        than that may belong to a submission whose row is being committed right now)."""
        now = time.time()
        removed = []
        for sha in list(self.iter_blobs()):
            p = self.path_for(sha)
            if sha not in referenced and now - p.stat().st_mtime > older_than_s:
                p.unlink()
                removed.append(sha)
        return removed


def service_store(root: Path | str) -> BlobStore:
    """The store as the services use it: encrypted at rest under a key derived from the
    enclave's master key (``datasets.keyring``; outside the database and the stores)."""
    from datasets.keyring import master_key
    from enclave.settings import get_settings

    return BlobStore(root, key=store_crypto.store_key(master_key(get_settings(), create=True)))


def safe_relpath(rel: str) -> Path:
    """A manifest path as a safe relative path: no absolute paths, no '..', no empty parts."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        raise ValueError(f"file path {rel!r}: must be a non-empty relative path using '/'")
    p = Path(rel)
    if p.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"file path {rel!r}: must be relative and may not contain '.' or '..' parts")
    if any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in rel.split("/")):
        raise ValueError(f"file path {rel[:60]!r}…: a name in it is longer than 255 bytes")
    return p
