"""One backup directory, and restoring it with every check done before anything is changed.

Layout of ``enclave-backup-<UTC time>/``::

    MANIFEST.json        what is inside, with SHA-256 of every file and the audit head
    MANIFEST.sig         Ed25519 signature of MANIFEST.json by the audit checkpoint key
    state.sqlite | state.pgdump
    keys.sealed          $ENCLAVE_KEYS and the TLS directory, sealed with the passphrase
    journal/             the audit checkpoint journal (signed lines; not secret)
    manifests/           warehouse and extract manifests (*.json), by their relative path, and
                         ``store/<release>/`` for releases on an object store (store_releases)
    inventory.json       every other warehouse/extract file (and store object) with its size
                         (data files are not copied: they are rebuilt from the sources or kept
                         by storage snapshots / the store's versioning); links, special
                         files, hard-linked files and undecodable names are listed with
                         ``not_read`` and never followed or read (``data_files``: sessions
                         write the case workspaces under projects)

A restore refuses (and changes nothing) when a file's hash differs, the passphrase is wrong, the
manifest's signature does not verify with the sealed key, a key on disk differs from the sealed
one, the target database is not empty (without ``replace``), or the restored audit chain does not
verify.  It ends with a signed ``restore`` line in the checkpoint journal (the records after the
backup are gone on purpose, and only the key holder can say so), a ``backup.restored`` audit
record and a full audit verification.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

from enclave.backup import data_files as DF
from enclave.backup import database as D
from enclave.backup import store_releases
from enclave.backup.sealed import SealError, open_sealed, seal
from enclave.core.private_file import write_private

FORMAT = "enclave-backup-v1"
MANIFEST_MAX_BYTES = 16 * 2 ** 20  # larger *.json files are data, not manifests


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _secret_files(settings) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for label, d in (("keys", Path(settings.keys_dir)), ("tls", Path(settings.tls_dir))):
        if d.is_dir():
            for p in sorted(d.rglob("*")):
                if p.is_file():
                    out[f"{label}/{p.relative_to(d)}"] = p.read_bytes()
    return out


def _data_roots(settings) -> dict[str, Path]:
    return {"warehouse": Path(settings.warehouse_dir), "projects": Path(settings.projects_dir)}


def _audit(db_url: str, actor: str, action: str, **detail) -> dict:
    from enclave.audit import AuditEntry, append
    from enclave.db import session_scope

    with session_scope(db_url) as s:
        rec = append(s, AuditEntry("backup", actor, action, detail=detail))
        return {"seq": rec.seq, "hash": rec.hash}


def check_passphrase(passphrase: str, policy=None) -> None:
    from policies import current_policy

    minimum = (policy or current_policy()).accounts.password_min_length
    if len(passphrase or "") < minimum:
        raise BackupError(f"the passphrase must have at least {minimum} characters (A4 accounts.password_min_length)")


def create_backup(out_parent: Path, passphrase: str, *, settings=None, actor: str = "operator",
                  now: dt.datetime | None = None) -> Path:
    from enclave.audit.journal import journal_dir
    from enclave.audit.keys import audit_keys
    from enclave.settings import get_settings

    settings = settings or get_settings()
    check_passphrase(passphrase)
    now = now or dt.datetime.now(dt.timezone.utc)
    backup_id = now.strftime("%Y%m%dT%H%M%SZ")
    out = Path(out_parent) / f"enclave-backup-{backup_id}"
    if out.exists():
        raise BackupError(f"{out} already exists")
    keys = audit_keys(settings)  # the master key exists before we copy it
    recorded = _audit(settings.db_url, actor, "backup.created", backup_id=backup_id)
    out.mkdir(parents=True, mode=0o700)
    try:
        db_file = out / ("state.sqlite" if D.backend(settings.db_url) == "sqlite" else "state.pgdump")
        D.dump(settings.db_url, db_file)
        (out / "keys.sealed").write_bytes(seal(_secret_files(settings), passphrase))
        jdir = journal_dir(settings)
        if jdir.is_dir():
            shutil.copytree(jdir, out / "journal")
        inventory = []
        for label, root in _data_roots(settings).items():
            # sessions write under projects: no link followed, only plain files read (data_files)
            for e in DF.walk(root, lambda rel: rel.endswith(".json"), MANIFEST_MAX_BYTES):
                if e.data is not None:
                    DF.write_new(out / "manifests" / label / e.rel, e.data, e.mode)
                elif e.skipped:
                    inventory.append({"root": label, "path": e.rel, "bytes": e.size,
                                      "not_read": e.skipped})
                else:
                    inventory.append({"root": label, "path": e.rel, "bytes": e.size})
        try:
            store_releases.record(out, inventory, settings, MANIFEST_MAX_BYTES)
        except RuntimeError as e:   # the store unreachable: no backup that silently lacks it
            raise BackupError(f"the release store could not be listed: {e}") from None
        (out / "inventory.json").write_text(json.dumps(inventory, indent=1, ensure_ascii=False))
        files = {str(p.relative_to(out)): _sha256(p) for p in sorted(out.rglob("*"))
                 if p.is_file() and str(p.relative_to(out)) not in ("MANIFEST.json", "MANIFEST.sig")}
        manifest = {"format": FORMAT, "id": backup_id, "created_at": now.isoformat(),
                    "backend": D.backend(settings.db_url), "database": db_file.name,
                    "audit": recorded, "public_key_ed25519": keys.public_key_hex(), "files": files}
        raw = json.dumps(manifest, indent=1, sort_keys=True).encode()
        (out / "MANIFEST.json").write_bytes(raw)
        (out / "MANIFEST.sig").write_text(keys.signing_key.sign(raw).hex())
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-written backup left looking usable
        raise
    return out


def read_backup(src: Path, passphrase: str) -> tuple[dict, dict[str, bytes]]:
    """The checked manifest and the unsealed secret files; refuses anything that does not match."""
    from enclave.audit.keys import AuditKeys

    src = Path(src)
    try:
        raw = (src / "MANIFEST.json").read_bytes()
        manifest = json.loads(raw)
        sig = bytes.fromhex((src / "MANIFEST.sig").read_text().strip())
    except (OSError, ValueError) as e:
        raise BackupError(f"{src}: not a readable backup ({e})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src}: unknown format {manifest.get('format')!r}")
    present = {str(p.relative_to(src)) for p in src.rglob("*") if p.is_file()} - {"MANIFEST.json", "MANIFEST.sig"}
    listed = set(manifest["files"])
    if present != listed:
        raise BackupError(f"{src}: files added or missing: {sorted(present ^ listed)[:5]}")
    for name, digest in manifest["files"].items():
        if _sha256(src / name) != digest:
            raise BackupError(f"{src / name}: its SHA-256 differs from the manifest (altered or damaged)")
    try:
        secrets = open_sealed((src / "keys.sealed").read_bytes(), passphrase)
    except SealError as e:
        raise BackupError(f"{src / 'keys.sealed'}: {e}") from None
    master = secrets.get("keys/master.key")
    if master is None:
        raise BackupError(f"{src}: the sealed keys hold no master key")
    keys = AuditKeys.from_master(master)
    try:
        keys.public_key.verify(sig, raw)
    except Exception:
        raise BackupError(f"{src}: MANIFEST.json is not signed by the sealed key") from None
    return manifest, secrets


def _plan_secrets(secrets: dict[str, bytes], settings, replace: bool) -> list[tuple[Path, bytes]]:
    roots = {"keys": Path(settings.keys_dir), "tls": Path(settings.tls_dir)}
    writes = []
    for name, data in secrets.items():
        label, rel = name.split("/", 1)
        if label not in roots or ".." in Path(rel).parts or Path(rel).is_absolute():
            raise BackupError(f"sealed file {name!r} has no place to go")
        dest = roots[label] / rel
        if dest.exists():
            if dest.read_bytes() == data:
                continue
            if not replace:
                raise BackupError(f"{dest} differs from the backup's copy (a different key would change "
                                  f"every pseudonym and break the audit chain); pass --replace to overwrite it")
        writes.append((dest, data))
    return writes


def _chain_problems(url: str, keys) -> list:
    from enclave.audit import verify_chain
    from enclave.db import session_scope

    try:
        with session_scope(url) as s:
            return verify_chain(s, keys=keys)
    finally:
        D.dispose_engine(url)


def _witness_ready() -> None:
    """A restore ends with a full verify of the audit; when the deployment requires an off-host
    witness, that verify needs it.  Found missing or unreadable only at the end, the database,
    keys and journal would already be replaced: so it is asked for before anything is written."""
    from enclave.audit.verify import REQUIRE_ENV, WITNESS_ENV, witness_required

    if not witness_required():
        return
    where = os.environ.get(WITNESS_ENV)
    if not where:
        raise BackupError(f"this deployment requires an off-host witness (${REQUIRE_ENV}) and none is "
                          f"set (${WITNESS_ENV}): the restored audit could not be verified against it, "
                          f"so nothing was restored; set ${WITNESS_ENV} to the witness's file and run "
                          f"the restore again")
    try:
        Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BackupError(f"the witness file {where} (${WITNESS_ENV}) cannot be read ({e}): nothing "
                          f"was restored") from None


def restore_backup(src: Path, passphrase: str, *, settings=None, target_url: str | None = None,
                   replace: bool = False, actor: str = "operator") -> dict:
    from enclave.audit import journal as J
    from enclave.audit.keys import AuditKeys
    from enclave.audit.models import AuditHead
    from enclave.audit.verify import verify_audit
    from enclave.db import session_scope, upgrade
    from enclave.settings import get_settings

    settings = settings or get_settings()
    src = Path(src)
    url = target_url or settings.db_url
    manifest, secrets = read_backup(src, passphrase)
    _witness_ready()
    if manifest["backend"] != D.backend(url):
        raise BackupError(f"the backup holds a {manifest['backend']} database; the target is {D.backend(url)}")
    key_writes = _plan_secrets(secrets, settings, replace)
    keys = AuditKeys.from_master(secrets["keys/master.key"])
    db_file = src / manifest["database"]
    # 1. the database, checked before it replaces anything
    if D.backend(url) == "sqlite":
        aside = src.parent / f".{src.name}.check.sqlite"
        aside.unlink(missing_ok=True)
        shutil.copy(db_file, aside)
        try:
            problems = _chain_problems(f"sqlite:///{aside}", keys)
        finally:
            aside.unlink(missing_ok=True)
        if problems:
            raise BackupError(f"the backup's audit chain is broken at record {problems[0].seq}: {problems[0].message}")
        D.restore(db_file, url, replace=replace)
    else:
        D.restore(db_file, url, replace=replace)
        problems = _chain_problems(url, keys)
        if problems:
            D.wipe_postgres(url)
            raise BackupError(f"the backup's audit chain is broken at record {problems[0].seq}: {problems[0].message}")
    # 2. keys, certificates, journal and manifests (only what is missing; the journal is append-only)
    for dest, data in key_writes:
        write_private(dest, data, tmp_suffix=".restoring")
    restored_journal = []
    jdir = J.journal_dir(settings)
    for p in sorted((src / "journal").glob(f"*{J.SUFFIX}")) if (src / "journal").is_dir() else []:
        live = jdir / p.name
        if not live.exists():
            jdir.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(p, live)
            os.chmod(live, 0o600)
            restored_journal.append(p.name)
    manifests = {"restored": [], "differs": [], "refused": []}
    roots = _data_roots(settings)
    for p in sorted((src / "manifests").rglob("*")) if (src / "manifests").is_dir() else []:
        if not p.is_file():
            continue
        label, rel = p.relative_to(src / "manifests").parts[0], Path(*p.relative_to(src / "manifests").parts[1:])
        if label == store_releases.ROOT:
            continue   # compared below, never written into the store
        # written without following a link a session may have planted since (data_files)
        try:
            roots[label].mkdir(parents=True, exist_ok=True)
            done = DF.compare_or_write(roots[label], rel.as_posix(), p.read_bytes(),
                                       p.stat().st_mode)
        except (DF.NotPlain, OSError) as e:
            manifests["refused"].append(f"{label}/{rel}: {e}")
            continue
        if done != "same":
            manifests[done].append(f"{label}/{rel}")
    inventory = json.loads((src / "inventory.json").read_text())
    missing_data = [f"{i['root']}/{i['path']}" for i in inventory
                    if i["root"] in roots and not (roots[i["root"]] / i["path"]).exists()]
    in_store = store_releases.compare(src, inventory, settings)
    manifests["differs"] += in_store["json_differs"]
    manifests["not_in_store"] = in_store["json_missing"]
    manifests["store_error"] = in_store["error"]
    missing_data += in_store["objects_missing"]
    # 3. the journal learns of the restore (signed), the log records it, and both are verified
    upgrade(url)  # a backup from an older release is brought to the current schema
    with session_scope(url) as s:
        head = s.get(AuditHead, 1)
        marker = None
        if head is not None and head.chain_id:
            marker = J.write(J.journal_path(head.chain_id, settings), keys, kind="restore", chain=head.chain_id,
                             seq=head.seq, hash=head.hash, detail={"backup": manifest["id"], "by": actor})
    _audit(url, actor, "backup.restored", backup_id=manifest["id"], head=manifest["audit"],
           journal_line=marker.n if marker else None, manifests_restored=len(manifests["restored"]),
           data_files_missing=len(missing_data))
    with session_scope(url) as s:
        final = verify_audit(s, keys=keys, settings=settings)
    if final:
        raise BackupError(f"restored, but the audit does not verify: record {final[0].seq}: {final[0].message}")
    return {"backup": manifest["id"], "database": url.split("@")[-1], "audit_head": manifest["audit"],
            "keys_written": [str(d) for d, _ in key_writes], "journal_restored": restored_journal,
            "manifests": manifests, "data_files_missing": missing_data, "audit_verified": True}
