"""The warehouse's releases: where they live (``<warehouse>/releases``, or an object store when
``settings.releases_url`` is set: :mod:`datasets.load.store`), the load lock, listing and
opening a release, and publishing one (its fsync/read-only steps shared with the extract
builder)."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow.fs as pafs

from datasets.defaults import policy_or_current, settings_or_current
from datasets.load import sql as S
from datasets.load import store as ST
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


def _cleanup_stale(settings, store: bool = True) -> list[str]:
    """Remove what a killed load left behind (we hold the lock, so nothing else is building):
    build directories, staging, and with ``store`` a release store's unfinished uploads."""
    gone = []
    rd = releases_dir(settings)
    if rd.exists():
        for p in rd.iterdir():
            if p.name.startswith(".build-"):
                _rmtree(p)
                gone.append(p.name)
    _rmtree(staging_dir(settings))
    st = ST.store_for(settings) if store else None
    if st is not None:
        gone += [st.where(n) for n in ST.cleanup_stale(st)]
    return gone


@dataclass(frozen=True)
class ReleaseRoot:
    """Where one release's files are: a local directory (``store`` None) or the prefix
    ``bucket/prefix/<release>`` of the release store, read through ``fs``."""
    release: str
    path: str
    fs: pafs.FileSystem
    store: ST.Store | None = None

    def file(self, rel: str) -> str:
        return f"{self.path}/{rel}"

    @property
    def where(self) -> str:
        return self.store.where(self.release) if self.store else self.path

    def exists(self, rel: str) -> bool:
        if self.store is None:
            return Path(self.path, rel).is_file()
        return ST.exists(self.store, self.file(rel))

    def read_text(self, rel: str) -> str:
        if self.store is None:
            return Path(self.path, rel).read_text()
        return ST.read_bytes(self.store, self.file(rel)).decode()

    def parquet_files(self, rel: str) -> list[str]:
        sel = pafs.FileSelector(self.file(rel), allow_not_found=True, recursive=True)
        infos = (self.store.call(f"listing {self.where}/{rel}", self.fs.get_file_info, sel)
                 if self.store else self.fs.get_file_info(sel))
        return sorted(i.path for i in infos
                      if i.type == pafs.FileType.File and i.path.endswith(".parquet"))


def release_target(release: str, settings) -> Path | ReleaseRoot:
    """Where ``release`` would be published: its directory, or its prefix in the store."""
    st = ST.store_for(settings)
    if st is None:
        return releases_dir(settings) / release
    return ReleaseRoot(release, st.path(release), st.fs, st)


def target_exists(final: Path | ReleaseRoot) -> bool:
    """A release is there: its directory (local), its manifest object (store)."""
    if isinstance(final, ReleaseRoot):
        return final.exists(MANIFEST)
    return final.exists()


def list_releases(settings=None) -> list[dict]:
    """Every complete release in the warehouse, oldest first (from each ``release.json``).
    Complete means its manifest is there: the manifest is written last, and where the storage
    has no rename (an object store) a release without one is a load that did not finish."""
    settings = settings_or_current(settings)
    rd = releases_dir(settings)
    out = []
    st = ST.store_for(settings)
    if st is not None:
        for name in ST.release_names(st):
            if name.startswith("."):
                continue
            root = ReleaseRoot(name, st.path(name), st.fs, st)
            if root.exists(MANIFEST) and root.exists("release.json"):
                out.append(json.loads(root.read_text("release.json")))
    elif rd.exists():
        for p in sorted(rd.iterdir()):
            meta = p / "release.json"
            if p.name.startswith(".") or not meta.exists() or not (p / MANIFEST).exists():
                continue
            out.append(json.loads(meta.read_text()))
    return sorted(out, key=lambda r: r["created"])


def release_root(release: str, settings=None) -> ReleaseRoot:
    """A complete release, on disk or in the store; an unknown release, or one without its
    manifest (an unfinished load or upload), is refused with what the warehouse does hold."""
    settings = settings_or_current(settings)
    if not RELEASE_RE.fullmatch(release or ""):
        raise LoadError(f"release id {release!r} is not valid (letters, digits, . _ -; max 64)")
    final = release_target(release, settings)
    root = final if isinstance(final, ReleaseRoot) else ReleaseRoot(
        release, str(final), pafs.LocalFileSystem())
    area = root.store.url if root.store else releases_dir(settings)
    has_meta = root.exists("release.json")
    if not has_meta or not root.exists(MANIFEST):
        known = [r["release"] for r in list_releases(settings)]
        why = (f"release {release!r} in {area} has no {MANIFEST}: its load did not "
               f"finish, so it is not a release" if has_meta
               else f"release {release!r} not found in {area}")
        raise LoadError(f"{why}; known: {known}")
    return root


def release_path(release: str, settings=None) -> Path:
    """A complete release's directory (a local release area; see :func:`release_root`)."""
    root = release_root(release, settings)
    if root.store is not None:
        raise LoadError(f"release {release!r} is in the object store at {root.where}, not in a "
                        f"directory: read it with connect_release / release_root")
    return Path(root.path)


@contextmanager
def local_catalog(root: ReleaseRoot) -> Iterator[Path]:
    """The release's ``catalog.duckdb`` as a local file (DuckDB attaches no object): a copy
    in a private temporary directory, removed afterwards, when the release is in the store."""
    if root.store is None:
        yield Path(root.path) / "catalog.duckdb"
        return
    with tempfile.TemporaryDirectory(prefix="release-catalog-") as d:
        yield ST.fetch(root.store, root.release, "catalog.duckdb", Path(d) / "catalog.duckdb")


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
    root = release_root(release, settings)
    scope = release_scope(release, settings, policy)
    if schema:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {S.q(schema)}")
    for fam in json.loads(root.read_text("release.json"))["families"]:
        if root.store is None:
            d = Path(root.path) / "data" / fam
            files = PC.parquet_files(d)
            hive = any(f.parent != d for f in files)   # year=<y>/ directories
            data = PC.dataset(files, scope, hive_root=d if hive else None)
        else:   # the same dataset over the store's filesystem
            d = root.file(f"data/{fam}")
            keys = root.parquet_files(f"data/{fam}")
            hive = any(k.rsplit("/", 1)[0] != d for k in keys)
            data = root.store.call(f"reading {root.where}/data/{fam}", PC.dataset, keys, scope,
                                   hive_root=d if hive else None, filesystem=root.fs)
        PC.register(con, fam, data, schema)


def connect_release(release: str, settings=None, policy=None) -> duckdb.DuckDBPyConnection:
    """DuckDB connection with a view per file family of the release and the catalog's tables
    (``_dictionary``, ``_release``), the files decrypted as they are read."""
    settings = settings_or_current(settings)
    root = release_root(release, settings)
    con = duckdb.connect(":memory:")
    try:
        with local_catalog(root) as cat:
            con.execute(f"ATTACH {S.lit(str(cat))} AS catalog (READ_ONLY)")
            # a fetched copy goes with its temporary directory: its two small tables are kept
            kind = "VIEW" if root.store is None else "TABLE"
            for t in ("_dictionary", "_release"):
                con.execute(f"CREATE {kind} {t} AS SELECT * FROM catalog.{t}")
            if root.store is not None:
                con.execute("DETACH catalog")
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


def check_manifest(root: Path | ReleaseRoot) -> list[str]:
    """What differs between a release and its manifest (missing, extra or altered files), in
    a directory or in the store (``release_root``)."""
    if isinstance(root, ReleaseRoot):
        if root.store is not None:
            return ST.check(root.store, root.release)
        root = Path(root.path)
    m = json.loads((root / MANIFEST).read_text())
    listed = {f["file"]: f for f in m["files"]}
    have = {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and p != root / MANIFEST}
    out = [f"missing: {f}" for f in sorted(set(listed) - have)]
    out += [f"not listed: {f}" for f in sorted(have - set(listed))]
    for f in sorted(have & set(listed)):
        if _digest(root / f) != (listed[f]["bytes"], listed[f]["sha256"]):
            out.append(f"altered: {f}")
    return out


def publish(build: Path, final: Path | ReleaseRoot) -> None:
    """The one way a release appears: manifest last, everything fsynced and made read-only in
    the build directory, then one rename into place (and the directory entry fsynced).  To
    the release store (``final`` from :func:`release_target`), which has no rename: every
    file uploaded and read back against the manifest, the manifest last
    (:func:`datasets.load.store.upload`), then the local build removed."""
    m = write_manifest(build)
    if isinstance(final, ReleaseRoot):
        ST.upload(build, final.store, final.release, m)
        _rmtree(build)
        return
    _fsync_tree(build)
    _read_only(build)
    os.rename(build, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
