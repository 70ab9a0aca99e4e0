"""The release area (O2): approved files, outside the enclave, for a limited time.

Approved files are copied from the egress store into ``<release_dir>/r<request id>/``; each file
is written to a temporary name, fsynced and renamed, and a ``RELEASED.json`` listing every file's
SHA-256 is written last, so a directory without it is an unfinished copy (re-done by recovery).
The download service reads only this area, never the store, and checks each file against its
checksum before sending it.  After the download window the directory is deleted (the store keeps
the request for the retention period, A5).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable

import pyzipper

from egress_review.faults import checkpoint
from egress_review.store import BlobStore, StoreError, fsync_dir, safe_relpath

MARKER = "RELEASED.json"


class ReleaseError(Exception):
    """A released file is missing or does not match its checksum."""


class ReleaseArea:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def dir_for(self, request_id: int) -> Path:
        return self.root / f"r{int(request_id)}"

    def is_published(self, request_id: int) -> bool:
        return (self.dir_for(request_id) / MARKER).is_file()

    def publish(self, req, store: BlobStore) -> Path:
        """Copy the request's output files here (idempotent: an earlier partial copy is redone);
        checking inputs (provenance sidecars) never come here."""
        d = self.dir_for(req.id)
        if (d / MARKER).is_file():
            return d
        d.mkdir(parents=True, exist_ok=True)
        outputs = [f for f in req.files if getattr(f, "role", "output") == "output"]
        for n, f in enumerate(outputs):
            target = d / safe_relpath(f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                src = store.open(f.sha256)
            except StoreError as e:
                raise ReleaseError(f"request {req.id} file {f.path}: {e}") from e
            with src, tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as out:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(out.name, stat.S_IRUSR | stat.S_IRGRP)
            os.replace(out.name, target)
            fsync_dir(target.parent)
            if n == 0:
                checkpoint("release.partial")
        manifest = {"request": req.id, "case_code": req.case_code,
                    "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in outputs]}
        tmp = d / (MARKER + ".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, d / MARKER)
        fsync_dir(d)
        return d

    def open_file(self, request_id: int, path: str, sha256: str) -> BinaryIO:
        """A released file, checked against its checksum before anything is sent."""
        p = self.dir_for(request_id) / safe_relpath(path)
        if not self.is_published(request_id) or not p.is_file():
            raise ReleaseError(f"request {request_id} file {path} is not in the release area")
        data = p.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ReleaseError(f"request {request_id} file {path} does not match its checksum")
        return io.BytesIO(data)

    def remove(self, request_id: int) -> bool:
        d = self.dir_for(request_id)
        if not d.exists():
            return False
        for p in d.rglob("*"):
            if p.is_file():
                os.chmod(p, stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(d)
        return True

    def recover(self) -> list[Path]:
        """Delete temporary files left by an interrupted copy."""
        removed = []
        for p in list(self.root.rglob(".tmp-*")) + list(self.root.rglob(MARKER + ".tmp")):
            p.unlink(missing_ok=True)
            removed.append(p)
        return removed


def build_zip(files: Iterable[tuple[str, BinaryIO]], password: str | None, out: BinaryIO) -> None:
    """Write a zip of ``(name, stream)`` to ``out``; with a password it is AES-256 encrypted
    (WinZip AES, opened by 7-Zip, WinZip, macOS Archive Utility and pyzipper)."""
    if password:
        zf = pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED,
                                 encryption=pyzipper.WZ_AES)
        zf.setpassword(password.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
    else:
        zf = pyzipper.ZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED)
    with zf:
        for name, stream in files:
            zf.writestr(name, stream.read())
