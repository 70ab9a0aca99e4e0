"""The warehouse's releases on an object store (issue 18): ``settings.releases_url``
(``$ENCLAVE_RELEASES_URL``, ``s3://bucket/prefix``) instead of ``<warehouse>/releases``.

Everything goes through pyarrow's ``S3FileSystem``, the filesystem the readers' Parquet
datasets scan (DuckDB cannot read ``s3://`` here: its httpfs extension cannot be installed).
The endpoint and credentials come from the environment, like the project's other secrets:

- ``ENCLAVE_S3_ENDPOINT`` (``https://host:port``; unset: AWS), ``ENCLAVE_S3_REGION``
  (default ``us-east-1``);
- ``ENCLAVE_S3_ACCESS_KEY_ID`` with ``ENCLAVE_S3_SECRET_ACCESS_KEY`` or
  ``ENCLAVE_S3_SECRET_ACCESS_KEY_FILE`` (a mounted secret); neither set: pyarrow's default AWS
  chain (``AWS_*`` variables, a pod's web identity, an instance profile).

Layout: ``<prefix>/<release>/`` holds the same files as a local release directory, and a
release exists once ``<prefix>/<release>/MANIFEST.json`` does.  The store has no rename, so
:func:`upload` (called by ``releases.publish``, the one publish) puts every file of the
finished local build, reads each object back against the manifest's size and SHA-256, and
puts the manifest last.  A failed upload removes its objects; a killed one leaves objects
without a manifest, which no reader takes and the next load removes (:func:`cleanup_stale`,
under the warehouse's load lock: one steward host per store).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow.fs as pafs

from datasets.load.files import LoadError

MANIFEST = "MANIFEST.json"
_URL = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[A-Za-z0-9._/-]*)?")
_CHUNK = 1 << 20


class StoreError(LoadError):
    """The object store cannot be reached or refused a request; names the store."""


@dataclass(frozen=True)
class Store:
    url: str                 # s3://bucket/prefix, as configured
    endpoint: str            # where requests go (for messages)
    base: str                # bucket/prefix: pyarrow's path of the release area
    fs: pafs.FileSystem

    def path(self, release: str, rel: str = "") -> str:
        return f"{self.base}/{release}" + (f"/{rel}" if rel else "")

    def where(self, release: str = "") -> str:
        return f"{self.url.rstrip('/')}/{release}" if release else self.url

    def call(self, what: str, fn, *args, **kw):
        """``fn(*args)``; a failed request becomes a StoreError naming the store and the step."""
        try:
            return fn(*args, **kw)
        except (OSError, ValueError) as e:
            raise StoreError(f"object store {self.url} at {self.endpoint}: {what} failed: "
                             f"{e}") from None


def _env_secret() -> tuple[str | None, str | None]:
    key = os.environ.get("ENCLAVE_S3_ACCESS_KEY_ID") or None
    secret = os.environ.get("ENCLAVE_S3_SECRET_ACCESS_KEY") or None
    path = os.environ.get("ENCLAVE_S3_SECRET_ACCESS_KEY_FILE")
    if secret is None and path:
        try:
            secret = Path(path).read_text().strip() or None
        except OSError as e:
            raise StoreError(f"ENCLAVE_S3_SECRET_ACCESS_KEY_FILE {path}: {e.strerror}") from None
    if bool(key) != bool(secret):
        raise StoreError("ENCLAVE_S3_ACCESS_KEY_ID and a secret (ENCLAVE_S3_SECRET_ACCESS_KEY or "
                         "..._FILE) go together: one is set without the other")
    return key, secret


def store_for(settings) -> Store | None:
    """The configured release store, or None when releases live in ``<warehouse>/releases``."""
    url = getattr(settings, "releases_url", None)
    if not url:
        return None
    m = _URL.fullmatch(url.rstrip("/"))
    if not m:
        raise StoreError(f"releases_url {url!r} (ENCLAVE_RELEASES_URL) is not s3://bucket[/prefix] "
                         f"(bucket: lower-case letters, digits, . -; prefix: letters, digits, . _ - /)")
    prefix = (m.group(2) or "").strip("/")
    if any(p in ("", ".", "..") for p in prefix.split("/")) and prefix:
        raise StoreError(f"releases_url {url!r}: empty, '.' or '..' path segment in the prefix")
    key, secret = _env_secret()
    return _store(url.rstrip("/"), m.group(1) + (f"/{prefix}" if prefix else ""),
                  os.environ.get("ENCLAVE_S3_ENDPOINT") or "",
                  os.environ.get("ENCLAVE_S3_REGION") or "us-east-1", key, secret)


@lru_cache(maxsize=8)
def _store(url: str, base: str, endpoint: str, region: str, key: str | None,
           secret: str | None) -> Store:
    kw: dict = {"region": region, "allow_delayed_open": True,   # small objects: one PUT
                "connect_timeout": 5, "request_timeout": 60,
                "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=3)}
    if endpoint:
        m = re.fullmatch(r"(https?)://([^/\s]+)/?", endpoint)
        if not m:
            raise StoreError(f"ENCLAVE_S3_ENDPOINT {endpoint!r} is not http(s)://host[:port]")
        kw.update(scheme=m.group(1), endpoint_override=m.group(2))
    if key:
        kw.update(access_key=key, secret_key=secret)
    return Store(url, endpoint or "AWS S3", base, pafs.S3FileSystem(**kw))


# ------------------------------------------------------------------ reading
def exists(store: Store, path: str) -> bool:
    info = store.call(f"looking up {path}", store.fs.get_file_info, path)
    return info.type == pafs.FileType.File


def read_bytes(store: Store, path: str) -> bytes:
    def get() -> bytes:
        with store.fs.open_input_stream(path) as f:
            return f.read()
    return store.call(f"reading {path}", get)


def release_names(store: Store) -> list[str]:
    """Every release prefix under the store's base, complete or not."""
    infos = store.call("listing releases", store.fs.get_file_info,
                       pafs.FileSelector(store.base, allow_not_found=True, recursive=False))
    if not infos:   # an empty area, or no bucket at all: a load would fail only at its upload
        bucket = store.base.split("/", 1)[0]
        if store.call(f"looking up bucket {bucket}", store.fs.get_file_info,
                      bucket).type == pafs.FileType.NotFound:
            raise StoreError(f"object store {store.url} at {store.endpoint}: bucket {bucket!r} "
                             f"does not exist")
    return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)


def objects(store: Store, release: str) -> dict[str, int]:
    """The release's objects (path inside the release -> size)."""
    root = store.path(release)
    infos = store.call(f"listing {store.where(release)}", store.fs.get_file_info,
                       pafs.FileSelector(root, allow_not_found=True, recursive=True))
    return {i.path[len(root) + 1:]: i.size for i in infos if i.type == pafs.FileType.File}


def digest(store: Store, path: str) -> tuple[int, str]:
    def run() -> tuple[int, str]:
        h, n = hashlib.sha256(), 0
        with store.fs.open_input_stream(path) as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
                n += len(chunk)
        return n, h.hexdigest()
    return store.call(f"reading {path}", run)


def check(store: Store, release: str) -> list[str]:
    """What differs between the release's objects and its manifest (missing, not listed,
    altered: size or SHA-256), as ``releases.check_manifest`` does on disk."""
    listed = {f["file"]: f for f in json.loads(read_bytes(store, store.path(release, MANIFEST)))["files"]}
    have = {k: n for k, n in objects(store, release).items() if k != MANIFEST}
    out = [f"missing: {f}" for f in sorted(set(listed) - set(have))]
    out += [f"not listed: {f}" for f in sorted(set(have) - set(listed))]
    both = sorted(set(have) & set(listed))
    with ThreadPoolExecutor(max_workers=4) as pool:
        sums = list(pool.map(lambda f: digest(store, store.path(release, f)), both))
    out += [f"altered: {f}" for f, s in zip(both, sums)
            if s != (listed[f]["bytes"], listed[f]["sha256"])]
    return out


def fetch(store: Store, release: str, rel: str, dest: Path) -> Path:
    """One object of a release copied to a local file (DuckDB attaches only local catalogs)."""
    def run() -> None:
        with store.fs.open_input_stream(store.path(release, rel)) as f, open(dest, "wb") as out:
            while chunk := f.read(_CHUNK):
                out.write(chunk)
    store.call(f"reading {store.where(release)}/{rel}", run)
    return dest


# ------------------------------------------------------------------ writing
def _put(store: Store, local: Path, path: str) -> None:
    """One object from a local file (pyarrow: one PUT when small, multipart when large)."""
    with open(local, "rb") as f, store.fs.open_output_stream(path) as out:
        while chunk := f.read(_CHUNK):
            out.write(chunk)


def _put_verified(store: Store, build: Path, release: str, entry: dict) -> None:
    path = store.path(release, entry["file"])
    store.call(f"uploading {path}", _put, store, build / entry["file"], path)
    got = digest(store, path)
    if got != (entry["bytes"], entry["sha256"]):
        raise StoreError(f"object store {store.url}: {path} reads back as {got[0]} bytes, sha256 "
                         f"{got[1][:12]}…, not the manifest's {entry['bytes']} bytes, "
                         f"{entry['sha256'][:12]}…: the upload is refused")


def remove(store: Store, release: str) -> None:
    """Every object under the release's prefix (a failed or stale upload)."""
    root = store.path(release)
    info = store.call(f"looking up {root}", store.fs.get_file_info, root)
    if info.type != pafs.FileType.NotFound:
        store.call(f"removing {store.where(release)}", store.fs.delete_dir, root)


def upload(build: Path, store: Store, release: str, manifest: dict) -> None:
    """Publish the finished build (its ``MANIFEST.json`` already written) as ``release``:
    refused if the release exists; every listed file put and read back against the manifest,
    four at a time; the manifest last.  Any failure removes what was put."""
    if exists(store, store.path(release, MANIFEST)):
        raise StoreError(f"release {release!r} already exists at {store.where(release)}; "
                         f"loading it again is refused (choose a new release id)")
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:   # requests wait on the network
            for fut in [pool.submit(_put_verified, store, build, release, e)
                        for e in manifest["files"]]:
                fut.result()
        mpath = store.path(release, MANIFEST)
        store.call(f"uploading {mpath}", _put, store, build / MANIFEST, mpath)
        if read_bytes(store, mpath) != (build / MANIFEST).read_bytes():
            raise StoreError(f"object store {store.url}: {mpath} does not read back as written")
    except BaseException as e:
        try:
            remove(store, release)
        except StoreError as gone:
            raise StoreError(f"{e}; removing the partial upload failed too ({gone}): the next "
                             f"load removes it") from None
        raise


def cleanup_stale(store: Store) -> list[str]:
    """Remove release prefixes without a manifest: uploads that did not finish (the caller
    holds the load lock, so none is under way)."""
    gone = []
    for name in release_names(store):
        if not exists(store, store.path(name, MANIFEST)):
            remove(store, name)
            gone.append(name)
    return gone
