"""A backup of an enclave whose releases are on an object store (``settings.releases_url``):
the releases' JSON objects are kept and the rest inventoried; a restore compares the store with
them and writes nothing into it.  The store is moto's S3 server over real HTTP
(``tests.services.s3``: no real object store can run here)."""
from __future__ import annotations

import json
import uuid

import pytest

from enclave.backup import BackupError, create_backup, restore_backup
from enclave.db import upgrade
from tests.audit import attacks as A
from tests.services.net import free_port
from tests.services.s3 import running_s3

PASS = "correct horse battery staple"
R1 = {"wh/R1/MANIFEST.json": b'{"files": []}', "wh/R1/release.json": b'{"release": "R1"}',
      "wh/R1/data/H_NHI_OPDTE/opd.parquet": b"PAR1" + b"\0" * 4000,
      "wh/R1/dicom/a.dcm": b"sealed image"}
UNFINISHED = {"wh/R9/release.json": b'{"release": "R9"}', "wh/R9/data/x.parquet": b"PAR1 partial"}


@pytest.fixture
def store_enclave(enclave_home, monkeypatch):
    # moto keeps its buckets per process, across servers: a bucket of each test's own, so that
    # other tests' releases on the same xdist worker are not in it (nor these in theirs)
    bucket = f"enclave-backup-{uuid.uuid4().hex[:12]}"
    with running_s3(bucket) as (endpoint, client):
        for key, body in {**R1, **UNFINISHED}.items():
            client.put_object(Bucket=bucket, Key=key, Body=body)
        monkeypatch.setenv("ENCLAVE_RELEASES_URL", f"s3://{bucket}/wh")
        url = f"sqlite:///{enclave_home / 'state.db'}"
        monkeypatch.setenv("ENCLAVE_DB_URL", url)
        upgrade(url)
        A.fill(url, 3)
        yield client, enclave_home, url, bucket


def test_the_backup_keeps_the_store_releases_json_and_lists_the_rest(store_enclave, tmp_path):
    client, home, url, bucket = store_enclave
    backup = create_backup(tmp_path / "backups", PASS)
    kept = {p.relative_to(backup / "manifests" / "store").as_posix(): p.read_bytes()
            for p in (backup / "manifests" / "store").rglob("*") if p.is_file()}
    assert kept == {"R1/MANIFEST.json": R1["wh/R1/MANIFEST.json"],
                    "R1/release.json": R1["wh/R1/release.json"],
                    "R9/release.json": UNFINISHED["wh/R9/release.json"]}
    listed = {(i["path"], i["bytes"]) for i in json.loads((backup / "inventory.json").read_text())
              if i["root"] == "store"}
    assert listed == {("R1/data/H_NHI_OPDTE/opd.parquet", 4004), ("R1/dicom/a.dcm", 12),
                      ("R9/data/x.parquet", 12)}
    # the store's objects are listed, never copied: no data object is in the backup
    assert not any(p.name in ("opd.parquet", "a.dcm") for p in backup.rglob("*"))


def test_a_restore_reports_what_the_store_lost_and_writes_nothing_into_it(store_enclave,
                                                                          tmp_path):
    client, home, url, bucket = store_enclave
    backup = create_backup(tmp_path / "backups", PASS)
    client.delete_object(Bucket=bucket, Key="wh/R1/MANIFEST.json")          # manifest gone
    client.put_object(Bucket=bucket, Key="wh/R1/release.json", Body=b'{"release": "X"}')
    client.delete_object(Bucket=bucket, Key="wh/R1/dicom/a.dcm")            # data gone
    client.put_object(Bucket=bucket, Key="wh/R9/data/x.parquet", Body=b"PAR1")  # other size
    report = restore_backup(backup, PASS, replace=True)
    assert report["audit_verified"] is True
    assert report["manifests"]["not_in_store"] == ["store/R1/MANIFEST.json"]
    assert report["manifests"]["differs"] == ["store/R1/release.json"]
    assert report["manifests"]["store_error"] is None
    assert sorted(m for m in report["data_files_missing"] if m.startswith("store/")) == [
        "store/R1/dicom/a.dcm", "store/R9/data/x.parquet"]
    # nothing put back: a manifest without its data would pass for a complete release
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="wh/")["Contents"]}
    assert "wh/R1/MANIFEST.json" not in keys and "wh/R1/dicom/a.dcm" not in keys
    assert client.get_object(Bucket=bucket, Key="wh/R1/release.json")["Body"].read() == \
        b'{"release": "X"}'


def test_an_unreachable_store_fails_the_backup_and_leaves_none(store_enclave, tmp_path,
                                                               monkeypatch):
    monkeypatch.setenv("ENCLAVE_S3_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(BackupError, match="release store could not be listed"):
        create_backup(tmp_path / "backups", PASS)
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


def test_an_unreachable_store_at_restore_is_reported_after_the_database(store_enclave,
                                                                        tmp_path, monkeypatch):
    backup = create_backup(tmp_path / "backups", PASS)
    monkeypatch.setenv("ENCLAVE_S3_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    report = restore_backup(backup, PASS, replace=True)
    assert report["audit_verified"] is True
    assert "were not compared" in report["manifests"]["store_error"]


def test_a_backup_with_store_releases_restored_where_none_is_configured(store_enclave, tmp_path,
                                                                        monkeypatch):
    """Every kept store object is reported missing, none is written anywhere."""
    client, home, url, bucket = store_enclave
    backup = create_backup(tmp_path / "backups", PASS)
    monkeypatch.delenv("ENCLAVE_RELEASES_URL")
    report = restore_backup(backup, PASS, replace=True)
    assert sorted(report["manifests"]["not_in_store"]) == [
        "store/R1/MANIFEST.json", "store/R1/release.json", "store/R9/release.json"]
    assert len([m for m in report["data_files_missing"] if m.startswith("store/")]) == 3
    assert not [p for p in home.rglob("*") if p.parent.name in ("R1", "R9")]   # not on disk either
