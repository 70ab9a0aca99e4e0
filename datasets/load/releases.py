"""The warehouse's releases on disk: where they live, the load lock, listing and opening a
release, and the fsync/read-only steps of publishing one (shared with the extract builder)."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from datasets.defaults import policy_or_current, settings_or_current
from datasets.load import sql as S
from datasets.load.files import (LoadError)

RELEASE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MANIFEST = "MANIFEST.json"   # a release's file list, written last (publish)


def releases_dir(settings) -> Path:
    return Path(settings.warehouse_dir) / "releases"


def staging_dir(settings) -> Path:
    return Path(settings.run_dir) / "data-staging"


@contextmanager
def _lock(settings) -> Iterator[None]:
    wh = Path(settings.warehouse_dir)
    wh.mkdir(parents=True, exist_ok=True)
    fd = os.open(wh / ".load.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError("another load is running on this warehouse (lock held)") from None
        yield
    finally:
        os.close(fd)


def _rmtree(p: Path) -> None:
    if not p.exists():
        return
    for d, dirs, _files in os.walk(p):
        os.chmod(d, 0o700)
    shutil.rmtree(p)


def _cleanup_stale(settings) -> list[str]:
    """Remove what a killed load left behind (we hold the lock, so nothing else is building)."""
    gone = []
    rd = releases_dir(settings)
    if rd.exists():
        for p in rd.iterdir():
            if p.name.startswith(".build-"):
                _rmtree(p)
                gone.append(p.name)
    _rmtree(staging_dir(settings))
    return gone


def list_releases(settings=None) -> list[dict]:
    """Every complete release in the warehouse, oldest first (from each ``release.json``).
    Complete means its manifest is there: the manifest is written last, and where the storage
    has no rename (an object store) a release without one is a load that did not finish."""
    settings = settings_or_current(settings)
    rd = releases_dir(settings)
    out = []
    if rd.exists():
        for p in sorted(rd.iterdir()):
            meta = p / "release.json"
            if p.name.startswith(".") or not meta.exists() or not (p / MANIFEST).exists():
                continue
            out.append(json.loads(meta.read_text()))
    return sorted(out, key=lambda r: r["created"])


def release_path(release: str, settings=None) -> Path:
    """A complete release's directory; an unknown release, or one without its manifest (an
    unfinished load), is refused with what the warehouse does hold."""
    settings = settings_or_current(settings)
    p = releases_dir(settings) / release
    if not (p / "release.json").exists() or not (p / MANIFEST).exists():
        known = [r["release"] for r in list_releases(settings)]
        why = (f"release {release!r} in {releases_dir(settings)} has no {MANIFEST}: its load did not "
               f"finish, so it is not a release" if (p / "release.json").exists()
               else f"release {release!r} not found in {releases_dir(settings)}")
        raise LoadError(f"{why}; known: {known}")
    return p


def release_scope(release: str, settings, policy=None):
    """The release's encryption scope (``datasets.parquet_crypto``) under the policy (O3)."""
    from datasets import keyring
    from datasets import parquet_crypto as PC
    from deidentify.keys import KeyFileError

    policy = policy_or_current(policy)
    try:
        master = keyring.master_key(settings, create=False)
    except KeyFileError:
        master = None   # plain files may still be read where the policy allows them
    return PC.scope_for(master, PC.release_scope(release), policy)


def release_views(con, release: str, settings=None, policy=None, schema: str | None = None) -> None:
    """A view per file family of the release in ``con`` (``schema.FAMILY`` when given), read
    through ``datasets.parquet_crypto``: a plain file where the policy requires encryption, or
    a wrong key, is refused naming the file (O3)."""
    from datasets import parquet_crypto as PC

    settings = settings_or_current(settings)
    p = release_path(release, settings)
    scope = release_scope(release, settings, policy)
    if schema:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {S.q(schema)}")
    for fam in json.loads((p / "release.json").read_text())["families"]:
        d = p / "data" / fam
        files = PC.parquet_files(d)
        hive = any(f.parent != d for f in files)   # year=<y>/ directories
        PC.register(con, fam, PC.dataset(files, scope, hive_root=d if hive else None), schema)


def connect_release(release: str, settings=None, policy=None) -> duckdb.DuckDBPyConnection:
    """DuckDB connection with a view per file family of the release and the catalog's tables
    (``_dictionary``, ``_release``), the files decrypted as they are read."""
    settings = settings_or_current(settings)
    p = release_path(release, settings)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {S.lit(str(p / 'catalog.duckdb'))} AS catalog (READ_ONLY)")
        for t in ("_dictionary", "_release"):
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM catalog.{t}")
        release_views(con, release, settings, policy)
    except BaseException:
        con.close()
        raise
    return con


def _fsync_tree(root: Path) -> None:
    for d, _dirs, files in os.walk(root):
        for f in files:
            fd = os.open(os.path.join(d, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_only(root: Path) -> None:
    for d, _dirs, files in os.walk(root):
        for f in files:
            os.chmod(os.path.join(d, f), 0o444)
    for d, _dirs, _files in sorted(os.walk(root), key=lambda x: -len(x[0])):
        os.chmod(d, 0o555)


def _digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return path.stat().st_size, h.hexdigest()


def write_manifest(build: Path) -> dict:
    """``MANIFEST.json``: every other file of the build with its size and SHA-256, written
    after all of them.  Where the storage has no atomic rename (an object store), a release
    exists once its manifest does, and holds exactly the files it lists."""
    from concurrent.futures import ThreadPoolExecutor

    files = sorted(p for p in build.rglob("*") if p.is_file() and p != build / MANIFEST)
    with ThreadPoolExecutor(max_workers=4) as pool:   # hashlib frees the GIL
        sums = list(pool.map(_digest, files))
    m = {"files": [{"file": p.relative_to(build).as_posix(), "bytes": n, "sha256": h}
                   for p, (n, h) in zip(files, sums)]}
    (build / MANIFEST).write_text(json.dumps(m, indent=1))
    return m


def check_manifest(root: Path) -> list[str]:
    """What differs between a release and its manifest (missing, extra or altered files)."""
    m = json.loads((root / MANIFEST).read_text())
    listed = {f["file"]: f for f in m["files"]}
    have = {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and p.name != MANIFEST}
    out = [f"missing: {f}" for f in sorted(set(listed) - have)]
    out += [f"not listed: {f}" for f in sorted(have - set(listed))]
    for f in sorted(have & set(listed)):
        if _digest(root / f) != (listed[f]["bytes"], listed[f]["sha256"]):
            out.append(f"altered: {f}")
    return out


def publish(build: Path, final: Path) -> None:
    """The one way a release appears: manifest last, everything fsynced and made read-only in
    the build directory, then one rename into place (and the directory entry fsynced)."""
    write_manifest(build)
    _fsync_tree(build)
    _read_only(build)
    os.rename(build, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
