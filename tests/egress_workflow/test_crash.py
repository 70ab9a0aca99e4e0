"""Killing the service (SIGKILL) during submission and during approval loses nothing and leaves
nothing half-stored.  The service is frozen at named points of the write path
(``egress_review.faults``), killed there, restarted (the recovery pass runs), then checked."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from fastapi.testclient import TestClient

from enclave.db import session_scope
from egress_review.api import create_app
from egress_review.models import EgressFile, EgressRequest
from egress_review.release import MARKER
from egress_review.store import BlobStore
from egress_review.store_crypto import store_key
from tests.egress_workflow.conftest import COUNTS_OK, make_world, manifest, nhi_policy, table_spec
from tests.egress_workflow.server import Service

README = "說明：依年齡與性別分組的門診人數。\n".encode()
FILES = {"counts.csv": COUNTS_OK, "docs/readme.txt": README}
MAN = manifest(files=[table_spec("counts.csv"),
                      {"path": "docs/readme.txt", "kind": "text", "description": "how to read"}])


def post_submission(url: str, token: str, key: str) -> httpx.Response:
    return httpx.post(url + "/api/requests", headers={"Authorization": f"Bearer {token}"},
                      data={"manifest": json.dumps(MAN), "idempotency_key": key},
                      files=[("files", (n, d)) for n, d in FILES.items()], timeout=120)


def wait_for(marker: Path, svc: Service, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"service never reached the fault point: {svc.log.read_text()[-2000:]}")
        time.sleep(0.05)


def in_thread(fn, *args):
    out: dict = {}

    def run():
        try:
            out["response"] = fn(*args)
        except httpx.HTTPError as e:
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def _sealed_store(home: Path) -> BlobStore:
    """The service's store as the service opens it (its key from the service's master key)."""
    from datasets.keyring import master_key
    from enclave.settings import get_settings

    # tests.egress_workflow.server hands the service this process's key directory
    return BlobStore(home / "egress", key=store_key(master_key(get_settings(), create=False)))


def assert_consistent(home: Path, db_url: str) -> list[EgressRequest]:
    """No temporary files; every file row names a blob whose bytes hash to its name."""
    store = home / "egress"
    assert [p.name for p in (store / "tmp").iterdir()] == []
    with session_scope(db_url) as db:
        reqs = db.execute(select(EgressRequest)).scalars().all()
        for f in db.execute(select(EgressFile)).scalars():
            blob = store / "blobs" / f.sha256[:2] / f.sha256
            assert blob.is_file(), f"request {f.request_id} names a missing blob for {f.path}"
            with _sealed_store(home).open(f.sha256, verify=False) as fh:  # encrypted at rest
                assert hashlib.sha256(fh.read()).hexdigest() == f.sha256
            assert blob.stat().st_mode & 0o222 == 0, "blobs are read-only"
        for r in reqs:
            assert len(r.outputs) == len(r.manifest["files"]), "a request is never half-stored"
        return reqs


# Every point runs on SQLite; PostgreSQL (slower to set up) runs one point of each phase.
PG_POINTS = {"submit.blobs_durable", "release.partial"}


@pytest.fixture
def crash_world(db_url, tmp_path, request):
    point = request.node.callspec.params.get("point")
    if db_url.startswith("postgresql") and point not in PG_POINTS:
        pytest.skip(f"{point}: covered on SQLite; PostgreSQL runs {sorted(PG_POINTS)}")
    home = tmp_path / "home"
    home.mkdir()
    return home, make_world(db_url, nhi_policy())


@pytest.mark.parametrize("point", ["store.temp_written", "submit.blobs_durable", "submit.committed"])
def test_kill_during_submission(crash_world, db_url, point):
    home, world = crash_world
    marker = home / "paused"
    svc = Service(home, db_url, env={"EGRESS_FAULT_PAUSE": point, "EGRESS_FAULT_FILE": str(marker)}).start()
    try:
        t, out = in_thread(post_submission, svc.url, world.tokens["alice"], "submit-1")
        wait_for(marker, svc)
        svc.kill()
        t.join(60)
        assert "error" in out, "the client must not have been told the request was stored"
    finally:
        svc.kill()
    if point == "store.temp_written":
        assert list((home / "egress" / "tmp").iterdir()), "the crash left a temporary file to clean"

    svc = Service(home, db_url).start()  # recovery runs before it serves
    try:
        reqs = assert_consistent(home, db_url)
        if point == "submit.committed":
            # Committed before the crash: kept, and the recovery pass ran its check.
            assert [(r.state, r.verdict) for r in reqs] == [("checked", "pass")]
        else:
            assert reqs == []
        # The client retries with the same idempotency key: exactly one request exists.
        r = post_submission(svc.url, world.tokens["alice"], "submit-1")
        assert r.status_code in (200, 201), r.text
        assert r.json()["state"] == "checked"
        reqs = assert_consistent(home, db_url)
        assert len(reqs) == 1
    finally:
        svc.stop()


@pytest.mark.parametrize("point", ["review.before_commit", "approve.committed", "release.partial"])
def test_kill_during_approval(crash_world, db_url, point):
    home, world = crash_world
    # Submission and the first review in-process (same code, same store), to save a start-up.
    app = create_app(db_url, world.policy, store_dir=home / "egress", release_dir=home / "release")
    with TestClient(app) as c:
        r = c.post("/api/requests", headers=world.auth("alice"),
                   data={"manifest": json.dumps(MAN)}, files=[("files", (n, d)) for n, d in FILES.items()])
        rid = r.json()["id"]
        r = c.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                   json={"decision": "approve", "reason": "ok"})
        assert r.status_code == 200, r.text

    marker = home / "paused"
    svc = Service(home, db_url, env={"EGRESS_FAULT_PAUSE": point, "EGRESS_FAULT_FILE": str(marker)}).start()
    try:
        t, out = in_thread(lambda: httpx.post(f"{svc.url}/api/requests/{rid}/reviews",
                                              headers=world.auth("rev2"),
                                              json={"decision": "approve", "reason": "fine"}, timeout=120))
        wait_for(marker, svc)
        svc.kill()
        t.join(60)
        assert "error" in out
    finally:
        svc.kill()

    svc = Service(home, db_url).start()
    try:
        (req,) = assert_consistent(home, db_url)
        area = home / "release" / f"r{rid}"
        if point == "review.before_commit":
            # Not committed: the second review never happened; the reviewer simply approves again.
            assert req.state == "in_review" and len(req.reviews) == 1
            r = httpx.post(f"{svc.url}/api/requests/{rid}/reviews", headers=world.auth("rev2"),
                           json={"decision": "approve", "reason": "fine"}, timeout=60)
            assert r.status_code == 200 and r.json()["state"] == "released"
        else:
            # Approved before the crash: the recovery pass finished the release.
            assert req.state == "released" and len(req.reviews) == 2
        assert (area / MARKER).is_file()
        assert not list(area.rglob(".tmp-*"))
        for name, data in FILES.items():
            assert (area / name).read_bytes() == data
        rel = httpx.get(f"{svc.url}/api/releases", headers=world.auth("alice")).json()
        fid = [x for x in rel if x["request_id"] == rid][0]["files"][0]["id"]
        got = httpx.get(f"{svc.url}/api/releases/{rid}/files/{fid}", headers=world.auth("alice"))
        assert got.status_code == 200 and got.content == COUNTS_OK
    finally:
        svc.stop()
