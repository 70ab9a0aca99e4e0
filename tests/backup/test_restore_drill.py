"""SATRE 2.4.05 restore drill: back up, keep working, lose things, restore, and verify the audit
chain and its signed checkpoints; on SQLite and on the real PostgreSQL.  Every refused restore
leaves the target as it was."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from enclave.audit.verify import verify_audit
from enclave.backup import BackupError, create_backup, restore_backup
from enclave.db import session_scope
from enclave.db.engine import dispose_engine
from enclave.settings import get_settings
from tests.audit import attacks as A

PASS = "correct horse battery staple"


@pytest.fixture
def enclave(enclave_home, db_url, monkeypatch):
    """A working enclave: audit records, a warehouse release manifest and an extract manifest."""
    monkeypatch.setenv("ENCLAVE_DB_URL", db_url)
    s = get_settings()
    (s.warehouse_dir / "R2026").mkdir(parents=True)
    (s.warehouse_dir / "R2026" / "release.json").write_text(json.dumps({"release": "R2026", "rows": 10}))
    (s.warehouse_dir / "R2026" / "opd.parquet").write_bytes(b"PAR1 data")
    # a release's own MANIFEST.json, beside the backup's top-level one (it was once left out
    # of the backup's file list by name, and every such backup was refused at restore)
    (s.warehouse_dir / "R2026" / "MANIFEST.json").write_text(json.dumps({"files": []}))
    (s.projects_dir / "C1" / "data").mkdir(parents=True)
    (s.projects_dir / "C1" / "data" / "extract.json").write_text(json.dumps({"case": "C1"}))
    A.fill(db_url, 5)
    return db_url


def count(url):
    with session_scope(url) as s:
        return s.execute(text("SELECT count(*) FROM audit_records")).scalar()


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "enclave.cli.main", *args], capture_output=True, text=True,
                          timeout=600, env=env or dict(os.environ))


def test_drill_in_place_through_the_command_line(enclave, tmp_path):
    """Back up; more work happens; the database is restored in place: the audit chain and the
    checkpoints verify (the later checkpoints are superseded by a signed restore line)."""
    pw = tmp_path / "pass"
    pw.write_text(PASS)
    made = cli("backup", str(tmp_path / "backups"), "--passphrase-file", str(pw), "--json")
    assert made.returncode == 0, made.stderr
    backup = Path(json.loads(made.stdout)["path"])
    at_backup = count(enclave)
    A.fill(enclave, 4, start=10)
    assert count(enclave) == at_backup + 4
    refused = cli("restore", str(backup), "--passphrase-file", str(pw))
    assert refused.returncode == 1
    assert "--replace" in refused.stdout + refused.stderr
    done = cli("restore", str(backup), "--passphrase-file", str(pw), "--replace", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["audit_verified"] is True
    dispose_engine(enclave)  # services are stopped for a restore; this process's pool is too
    assert count(enclave) == at_backup + 1  # + the backup.restored record
    verified = cli("audit", "verify", "--json")
    assert verified.returncode == 0, verified.stdout
    lines = [json.loads(x) for x in A.journal_file().read_text().splitlines()]
    assert [x["kind"] for x in lines].count("restore") == 1


def test_drill_onto_a_new_machine(enclave, tmp_path, monkeypatch, request):
    """Everything lost but the backup and its passphrase: a new home, a new empty database."""
    backup = create_backup(tmp_path / "backups", PASS)
    old = get_settings()
    master = (old.keys_dir / "master.key").read_bytes()
    new_home = tmp_path / "new-home"
    new_home.mkdir()
    if enclave.startswith("sqlite"):
        new_url = f"sqlite:///{new_home / 'state.db'}"
    else:
        new_url = request.getfixturevalue("postgres_server").create_database()
    monkeypatch.setenv("ENCLAVE_HOME", str(new_home))
    monkeypatch.setenv("ENCLAVE_DB_URL", new_url)
    report = restore_backup(backup, PASS)
    new = get_settings()
    assert (new.keys_dir / "master.key").read_bytes() == master
    assert oct((new.keys_dir / "master.key").stat().st_mode & 0o777) == "0o600"
    assert (new.warehouse_dir / "R2026" / "release.json").exists()
    assert (new.projects_dir / "C1" / "data" / "extract.json").exists()
    assert report["data_files_missing"] == ["warehouse/R2026/opd.parquet"]
    assert report["journal_restored"]
    with session_scope(new_url) as s:
        assert verify_audit(s) == []
    A.fill(new_url, 2, start=50)  # the restored enclave keeps appending to the same chain
    with session_scope(new_url) as s:
        assert verify_audit(s) == []


def _flip(path: Path, at: int = -20) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["wrong-passphrase", "database-byte", "sealed-keys-byte", "manifest-hash",
                                    "manifest-resigned", "extra-file", "missing-file", "journal-line",
                                    "short-passphrase"])
def test_a_damaged_or_wrong_backup_changes_nothing(enclave, tmp_path, damage):
    backup = create_backup(tmp_path / "backups", PASS)
    A.fill(enclave, 2, start=20)
    before = count(enclave)
    passphrase = PASS
    db_file = next(p for p in backup.iterdir() if p.name.startswith("state."))
    if damage == "wrong-passphrase":
        passphrase = PASS + "!"
    elif damage == "short-passphrase":
        passphrase = "short"
    elif damage == "database-byte":
        _flip(db_file, len(db_file.read_bytes()) // 2)
    elif damage == "sealed-keys-byte":
        _flip(backup / "keys.sealed", -30)
    elif damage in ("manifest-hash", "manifest-resigned"):
        _flip(db_file, len(db_file.read_bytes()) // 2)
        m = json.loads((backup / "MANIFEST.json").read_text())
        import hashlib
        m["files"][db_file.name] = hashlib.sha256(db_file.read_bytes()).hexdigest()
        raw = json.dumps(m, indent=1, sort_keys=True).encode()
        (backup / "MANIFEST.json").write_bytes(raw)
        if damage == "manifest-resigned":
            from enclave.audit.keys import AuditKeys
            (backup / "MANIFEST.sig").write_text(AuditKeys.from_master(os.urandom(32)).signing_key.sign(raw).hex())
    elif damage == "extra-file":
        (backup / "manifests" / "warehouse" / "evil.json").write_text("{}")
    elif damage == "missing-file":
        (backup / "inventory.json").unlink()
    elif damage == "journal-line":
        j = next((backup / "journal").iterdir())
        j.write_text(j.read_text().replace('"kind":"checkpoint"', '"kind":"restore"', 1))
    with pytest.raises(BackupError):
        restore_backup(backup, passphrase, replace=True)
    assert count(enclave) == before
    with session_scope(enclave) as s:
        assert verify_audit(s) == []


def test_a_backup_of_a_tampered_log_is_not_restored(enclave, tmp_path):
    A.sql(enclave, "UPDATE audit_records SET actor = 'mallory' WHERE seq = 2")
    backup = create_backup(tmp_path / "backups", PASS)
    target = get_settings()
    with pytest.raises(BackupError, match="record 2"):
        restore_backup(backup, PASS, replace=True)
    assert target.keys_dir.exists()


def test_a_different_key_on_disk_is_not_overwritten_silently(enclave, tmp_path):
    backup = create_backup(tmp_path / "backups", PASS)
    key = get_settings().keys_dir / "master.key"
    other = os.urandom(32)
    key.write_bytes(other)
    with pytest.raises(BackupError, match="differs"):
        restore_backup(backup, PASS)
    assert key.read_bytes() == other


# A5: where the deployment requires an off-host witness, a restore that could not be verified
# against it is refused before it writes anything (it used to replace the database, keys and
# journal and only then fail its own final verify)
@pytest.mark.parametrize("witness", ["unset", "empty", "missing-file", "a-directory", "not-text"])
def test_a_restore_the_required_witness_cannot_check_changes_nothing(enclave, tmp_path, monkeypatch,
                                                                     witness):
    backup = create_backup(tmp_path / "backups", PASS)
    A.fill(enclave, 2, start=30)
    before = count(enclave)
    journal_before = A.journal_file().read_text()
    monkeypatch.setenv("ENCLAVE_AUDIT_REQUIRE_WITNESS", "1")
    if witness == "unset":
        monkeypatch.delenv("ENCLAVE_AUDIT_WITNESS", raising=False)
    elif witness == "empty":
        monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", "")
    elif witness == "missing-file":
        monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", str(tmp_path / "no-such-witness.jsonl"))
    elif witness == "a-directory":
        monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", str(tmp_path))
    else:
        (tmp_path / "w.bin").write_bytes(b"\xff\xfe\x00bad")
        monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", str(tmp_path / "w.bin"))
    with pytest.raises(BackupError, match="witness") as refused:
        restore_backup(backup, PASS, replace=True)
    assert "nothing was restored" in str(refused.value)
    dispose_engine(enclave)
    assert count(enclave) == before
    assert A.journal_file().read_text() == journal_before        # no restore line either
    monkeypatch.delenv("ENCLAVE_AUDIT_REQUIRE_WITNESS")
    monkeypatch.delenv("ENCLAVE_AUDIT_WITNESS", raising=False)
    with session_scope(enclave) as s:
        assert verify_audit(s) == []


def test_a_restore_with_the_required_witness_set_is_verified_against_it(enclave, tmp_path, monkeypatch):
    """The counterpart: the witness kept the checkpoint of the day; the restore goes through and
    its final verify reads the witness (which still finds its line in the journal)."""
    from enclave.audit.verify import latest_checkpoint

    backup = create_backup(tmp_path / "backups", PASS)
    A.fill(enclave, 2, start=40)
    with session_scope(enclave) as s:
        cp = latest_checkpoint(s)
    witness = tmp_path / "witness.jsonl"
    witness.write_text(json.dumps(cp, sort_keys=True) + "\n")
    monkeypatch.setenv("ENCLAVE_AUDIT_REQUIRE_WITNESS", "1")
    monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", str(witness))
    done = restore_backup(backup, PASS, replace=True)
    assert done["audit_verified"] is True
    dispose_engine(enclave)
    with session_scope(enclave) as s:
        assert verify_audit(s) == []
