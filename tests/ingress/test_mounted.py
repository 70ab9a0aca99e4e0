"""The router mounted in the egress-review app, as the lead will mount it: a derived procedure
goes out through the real egress review (two reviewers, release) and is then shared (P13) into a
later case through the import review, ending read-only in that case's imports."""
from __future__ import annotations

import json
import stat

from tests.ingress.conftest import CLEAN_CODE


def test_release_then_share_into_a_later_case(world, tmp_path):
    from fastapi.testclient import TestClient

    from egress_review.api import create_app
    from egress_review.store import BlobStore

    app = create_app(world.db_url, world.policy, store_dir=tmp_path / "egress",
                     release_dir=tmp_path / "release")
    assert "/api/imports" in app.openapi()["paths"]  # mounted by create_app itself
    app.state.ingress_store = BlobStore(tmp_path / "ingress")
    app.state.ingress_projects_dir = world.projects
    with TestClient(app) as c:
        man = {"version": 1, "case_code": "C1", "purpose": "the normalisation procedure of the paper",
               "files": [{"path": "normalise.py", "kind": "code", "description": "pre-processing step"}]}
        r = c.post("/api/requests", headers=world.auth("alice"), data={"manifest": json.dumps(man)},
                   files=[("files", ("normalise.py", CLEAN_CODE, "text/x-python"))])
        assert r.status_code == 201, r.text
        eid = r.json()["id"]
        share = {"source_request_id": eid, "paths": ["normalise.py"], "target_case": "C2",
                 "purpose": "reuse the procedure in the follow-up study"}
        # not released yet: refused
        assert c.post("/api/imports/share", headers=world.auth("alice"), json=share).status_code == 409
        for who in ("rev1", "rev2"):
            r = c.post(f"/api/requests/{eid}/reviews", headers=world.auth(who),
                       json={"decision": "approve", "reason": "code only, no data"})
            assert r.status_code == 200, r.text
        assert c.get(f"/api/requests/{eid}", headers=world.auth("rev1")).json()["state"] == "released"
        r = c.post("/api/imports/share", headers=world.auth("alice"), json=share)
        assert r.status_code == 201, r.text
        iid = r.json()["id"]
        assert r.json()["state"] == "in_review" and r.json()["source_egress_id"] == eid
        assert c.post(f"/api/imports/{iid}/review", headers=world.auth("alice"),
                      json={"decision": "approve", "reason": "mine"}).status_code == 403
        r = c.post(f"/api/imports/{iid}/review", headers=world.auth("rev2"),
                   json={"decision": "approve", "reason": "released procedure, no data"})
        assert r.json()["state"] == "delivered", r.text
    got = world.projects / "C2" / "imports" / str(iid) / "normalise.py"
    assert got.read_bytes() == CLEAN_CODE and stat.S_IMODE(got.stat().st_mode) == 0o444


def test_imports_not_served_on_the_external_host(world, tmp_path):
    from egress_review.api import create_app

    app = create_app(world.db_url, world.policy, store_dir=tmp_path / "egress",
                     release_dir=tmp_path / "release", mode="external", recover_on_start=False)
    from fastapi.testclient import TestClient

    assert not any(p.startswith("/api/imports") for p in app.openapi()["paths"])
    with TestClient(app) as c:
        assert c.get("/api/imports", headers=world.auth("rev1")).status_code == 404
