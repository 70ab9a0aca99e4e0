"""The steward load across Dask worker processes (issue 18): the same release as the one-process
load (same files, rows in the same order, same pseudonyms, quarantine and counts), and a part
that fails - a bad file, a killed worker - leaves nothing published and no partial state."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import distributed
import duckdb
import pytest

from datasets import dicom_crypto as DC
from datasets import keyring
from datasets import parquet_crypto as PC
from datasets.load import LoadError, load_release
from datasets.load.releases import MANIFEST, check_manifest, releases_dir, staging_dir
from enclave.settings import EnclaveSettings
from policies import current_policy
from tests.datasets.shared_key import homes_sharing_a_key

# files whose bytes carry the load's time: compared by content below
TIMED = {"release.json", "_load/report.json", "_load/report.svg", "catalog.duckdb", MANIFEST}


def _policy(encrypt: bool):
    p = current_policy()
    return p.model_copy(update={"data": p.data.model_copy(update={"encrypt_at_rest": encrypt})})




def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _counts(root: Path) -> dict:
    rep = json.loads((root / "_load" / "report.json").read_text())
    keep = ("file", "family", "year", "encoding", "format", "sha256", "bytes", "read", "loaded",
            "quarantined", "reconciled")
    return {"files": [{k: f[k] for k in keep} for f in rep["files"]],
            **{k: rep[k] for k in ("rows_read", "rows_loaded", "rows_quarantined", "dicom_files",
                                   "reconciled")}}


def _same_timed_files(a: Path, b: Path, *, encrypted: bool = False) -> None:
    ra, rb = (json.loads((r / "release.json").read_text()) for r in (a, b))
    ra.pop("created"), rb.pop("created")
    assert ra == rb
    assert _counts(a) == _counts(b)
    tables = []
    for r in (a, b):
        con = duckdb.connect(str(r / "catalog.duckdb"), read_only=True)
        tables.append([con.execute("SELECT * FROM _dictionary ORDER BY ALL").fetchall(),
                       con.execute("SELECT * FROM _release").fetchall()])
        con.close()
    assert tables[0] == tables[1]
    ma, mb = ({f["file"]: f for f in json.loads((r / MANIFEST).read_text())["files"]} for r in (a, b))
    assert set(ma) == set(mb)
    # encrypted files have fresh data keys: their hashes differ, their contents are compared
    skip = TIMED | ({k for k in ma if k.startswith(("data/", "dicom/"))} if encrypted else set())
    assert {k: v for k, v in ma.items() if k not in skip} == {k: v for k, v in mb.items() if k not in skip}
    assert check_manifest(a) == [] and check_manifest(b) == []


@pytest.fixture(scope="module")
def client():
    """One local cluster of two worker processes for the module (each cluster spawns four
    interpreters: its start is most of this file's CPU).  ``workers=N`` making its own
    cluster is shown by the CLI test."""
    from datasets.load.distributed import local_cluster

    cluster = local_cluster(2)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_two_workers_publish_the_same_bytes(tmp_path, small_source, client):
    """Plain files (policy off): every file that does not carry the load's time is the same
    bytes from one process and from a local cluster of two worker processes."""
    one, two = homes_sharing_a_key(tmp_path, 2)
    policy = _policy(False)
    r1 = load_release(small_source, "R1", one, policy=policy)
    r2 = load_release(small_source, "R1", two, policy=policy, client=client)
    assert not r1.parts and len(r2.parts) == 2
    assert {p["worker"] for p in r2.parts} == {"0", "1"}   # both processes loaded files
    assert sum(p["rows"] for p in r2.parts) == r2.rows_read == r1.rows_read
    a, b = Path(r1.path), Path(r2.path)
    fa, fb = _files(a), _files(b)
    assert set(fa) == set(fb)
    assert any(k.startswith("dicom/") for k in fa) and any(k.endswith(".parquet") for k in fa)
    differ = sorted(k for k in fa if k not in TIMED and fa[k] != fb[k])
    assert differ == []
    assert r1.rows_quarantined > 0 or fa["_load/quarantine.csv"].count(b"\n") == 1
    _same_timed_files(a, b)
    # the worker load really spread the scrubbing: each part reports its own CPU
    assert all(p["cpu_s"] > 0 and p["rows"] > 0 for p in r2.parts)


def test_encrypted_release_same_content(tmp_path, small_source, client):
    """Encrypted at rest (the default policy): files have fresh data keys, so the bytes differ;
    the decrypted rows (same order), DICOM images, quarantine and counts are the same."""
    one, two = homes_sharing_a_key(tmp_path, 2)
    r1 = load_release(small_source, "R7", one)
    r2 = load_release(small_source, "R7", two, client=client)
    a, b = Path(r1.path), Path(r2.path)
    fa, fb = _files(a), _files(b)
    assert set(fa) == set(fb)
    scope = [PC.scope_for(keyring.master_key(s),
                          PC.release_scope("R7"), current_policy()) for s in (one, two)]
    n = 0
    for k in fa:
        if k.endswith(".parquet"):
            assert PC.is_encrypted(a / k) and fa[k] != fb[k]
            ta, tb = PC.read_table(a / k, scope[0]), PC.read_table(b / k, scope[1])
            assert ta.equals(tb), k   # same rows, same order, same pseudonyms
            n += ta.num_rows
        elif k.startswith("dicom/"):
            assert DC.read_at(a / k, one) == DC.read_at(b / k, two)
        elif k not in TIMED:
            assert fa[k] == fb[k], k
    assert n == r1.rows_loaded == r2.rows_loaded
    _same_timed_files(a, b, encrypted=True)


def _nothing_left(settings: EnclaveSettings, release: str) -> None:
    rd = releases_dir(settings)
    assert not (rd / release).exists()
    assert [p.name for p in rd.iterdir() if p.name.startswith(".build-")] == []
    assert not staging_dir(settings).exists()


def _break_utf8(src: Path, name: str) -> None:
    """An invalid byte in a file's last line, with the manifest updated: it passes the
    coordinator's checks and fails in the part that reads it."""
    p = src / name
    data = p.read_bytes()
    cut = data.rstrip(b"\n").rfind(b"\n") + 1
    p.write_bytes(data[:cut] + b"\xff" + data[cut + 1:])
    m = json.loads((src / "MANIFEST.json").read_text())
    for f in m["files"]:
        if f["file"] == name:
            f["bytes"], f["sha256"] = p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()
    (src / "MANIFEST.json").write_text(json.dumps(m))


@pytest.mark.parametrize("bad", ["H_NHI_OPDTE_2020.csv", "H_NHI_ENROL_2019.csv", "H_NHI_MEDFA.csv"])
def test_failing_part_publishes_nothing(tiny_source, settings, client, bad):
    _break_utf8(tiny_source, bad)
    with pytest.raises(LoadError, match=bad):
        load_release(tiny_source, "R2", settings, client=client)
    _nothing_left(settings, "R2")
    # the same files load once the bad one is removed: no leftover blocks the next load
    (tiny_source / bad).unlink()
    m = json.loads((tiny_source / "MANIFEST.json").read_text())
    m["files"] = [f for f in m["files"] if f["file"] != bad]
    (tiny_source / "MANIFEST.json").write_text(json.dumps(m))
    rep = load_release(tiny_source, "R2", settings, client=client)
    assert check_manifest(Path(rep.path)) == []


def test_killed_worker_publishes_nothing(tmp_path, small_source, client):
    """A worker process killed while it loads its part: the load fails, nothing is published,
    no build directory or staging remains (Dask does not re-run the part elsewhere).  The
    module's cluster: its nanny starts a new worker in place of the killed one, which the
    load after the kill uses."""
    settings = EnclaveSettings(home=tmp_path / "home")
    c = client
    c.wait_for_workers(2)
    pids = c.run(os.getpid)
    out: dict = {}

    def run() -> None:
        try:
            out["report"] = load_release(small_source, "R3", settings, client=c)
        except BaseException as e:  # noqa: BLE001 - the test looks at it
            out["error"] = e
    t = threading.Thread(target=run)
    t.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and t.is_alive():
        busy = [w for w, keys in c.processing().items() if keys]
        if busy:
            victim = busy[0]
            os.kill(pids[victim], signal.SIGKILL)
        time.sleep(0.02)
    t.join(300)
    assert victim is not None and not t.is_alive()
    assert isinstance(out.get("error"), LoadError), out
    assert "KilledWorker" in str(out["error"])
    _nothing_left(settings, "R3")
    # the cluster goes on: the replaced worker and the other one load the release whole
    c.wait_for_workers(2, timeout=120)
    rep = load_release(small_source, "R3", settings, client=c)
    assert check_manifest(Path(rep.path)) == [] and len(rep.parts) == 2


def test_cli_workers_flag(tiny_source, enclave_home):
    """``enclave data load --workers 2``: the report names both worker processes; ``--workers
    0`` is refused before any work."""
    from typer.testing import CliRunner

    from enclave.cli.main import app

    env = {"ENCLAVE_HOME": str(enclave_home)}
    r = CliRunner().invoke(app, ["data", "load", str(tiny_source), "--release", "W0", "--workers",
                                 "0", "--no-audit", "--json"], env=env)
    assert r.exit_code != 0 and not (Path(enclave_home) / "warehouse" / "releases" / "W0").exists()
    r = CliRunner().invoke(app, ["data", "load", str(tiny_source), "--release", "W2", "--workers",
                                 "2", "--no-audit", "--json"], env=env)
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["reconciled"] and sorted(p["worker"] for p in rep["parts"]) == ["0", "1"]
    assert sum(p["rows"] for p in rep["parts"]) == rep["rows_read"]
    assert check_manifest(Path(rep["path"])) == []
