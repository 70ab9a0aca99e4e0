"""Releases on an object store in a backup (``settings.releases_url``, ``datasets.load.store``).

As on disk, the backup keeps each release's small JSON objects (``MANIFEST.json``,
``release.json``, the load report) under ``manifests/store/<release>/`` and lists every other
object with its size in ``inventory.json`` (root ``store``); data objects are not copied - the
store's own versioning or replication keeps them, like storage snapshots do for a directory.

A restore writes nothing into the store: a ``MANIFEST.json`` put back without its data would
make a release that is not there look complete (the manifest is the commit point).  It reports
instead which kept JSON objects the store no longer has or holds with other bytes, and which
inventoried objects are missing.
"""
from __future__ import annotations

from pathlib import Path

ROOT = "store"


def record(out: Path, inventory: list[dict], settings, json_max_bytes: int) -> None:
    """Add the store's releases (complete or not: a backup shows what was there) to a backup
    being written in ``out``."""
    from datasets.load import store as ST

    st = ST.store_for(settings)
    if st is None:
        return
    for name in ST.release_names(st):
        for rel, size in sorted(ST.objects(st, name).items()):
            key = f"{name}/{rel}"
            if rel.endswith(".json") and size <= json_max_bytes:
                dest = out / "manifests" / ROOT / key
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(ST.read_bytes(st, st.path(name, rel)))
            else:
                inventory.append({"root": ROOT, "path": key, "bytes": size})


def compare(src: Path, inventory: list[dict], settings) -> dict:
    """What the store lacks or holds differently against the backup in ``src``:
    ``{"json_missing": [...], "json_differs": [...], "objects_missing": [...], "error": ...}``
    (paths as ``store/<release>/<file>``; an object of another size counts as missing).  No
    store configured while the backup has store entries: every one of them is reported
    missing; a store that cannot be read: ``error`` says so."""
    from datasets.load import store as ST

    kept = sorted(p for p in (src / "manifests" / ROOT).rglob("*") if p.is_file()) \
        if (src / "manifests" / ROOT).is_dir() else []
    listed = [i for i in inventory if i["root"] == ROOT]
    out = {"json_missing": [], "json_differs": [], "objects_missing": [], "error": None}
    if not kept and not listed:
        return out
    try:
        _compare(src, kept, listed, settings, out)
    except ST.StoreError as e:   # the database is restored by now: say it, do not undo it
        out["error"] = f"{e} (the store's releases were not compared)"
    return out


def _compare(src: Path, kept: list[Path], listed: list[dict], settings, out: dict) -> None:
    from datasets.load import store as ST

    st = ST.store_for(settings)
    present: dict[str, dict[str, int]] = {}

    def objects_of(release: str) -> dict[str, int]:
        if release not in present:
            present[release] = ST.objects(st, release) if st is not None else {}
        return present[release]

    for p in kept:
        key = p.relative_to(src / "manifests" / ROOT).as_posix()
        release, rel = key.split("/", 1)
        if rel not in objects_of(release):
            out["json_missing"].append(f"{ROOT}/{key}")
        elif ST.read_bytes(st, st.path(release, rel)) != p.read_bytes():
            out["json_differs"].append(f"{ROOT}/{key}")
    for i in listed:
        release, rel = i["path"].split("/", 1)
        if objects_of(release).get(rel) != i["bytes"]:
            out["objects_missing"].append(f"{ROOT}/{i['path']}")
