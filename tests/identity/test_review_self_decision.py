"""The review service's decisions over real HTTP: nobody reviews an egress or import request
they made or whose case they work on (E4, D4) - the same rule as the control plane's (A1)."""
from __future__ import annotations

import json

import httpx

from tests.identity.helpers import serve
from tests.ingress.conftest import CLEAN_CODE, make_world

MANIFEST = {"version": 1, "case_code": "C1", "purpose": "the normalisation procedure of the paper",
            "files": [{"path": "normalise.py", "kind": "code", "description": "pre-processing step"}]}


def test_no_one_reviews_their_own_or_their_cases_requests(db_url, nhi_policy, tmp_path):
    from egress_review.api import create_app
    from egress_review.store import BlobStore

    world = make_world(db_url, nhi_policy, tmp_path)
    app = create_app(db_url, nhi_policy, store_dir=tmp_path / "egress", release_dir=tmp_path / "release",
                     recover_on_start=False)
    app.state.ingress_store = BlobStore(tmp_path / "ingress")
    app.state.ingress_projects_dir = world.projects
    review = {"decision": "approve", "reason": "code only, no data"}
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        # carol is a reviewer who works on C1: her own request, and alice's (same case)
        ids = {}
        for who in ("carol", "alice"):
            r = http.post("/api/requests", headers=world.auth(who), data={"manifest": json.dumps(MANIFEST)},
                          files=[("files", ("normalise.py", CLEAN_CODE, "text/x-python"))])
            assert r.status_code == 201, r.text
            ids[who] = r.json()["id"]
        for rid in ids.values():
            r = http.post(f"/api/requests/{rid}/reviews", headers=world.auth("carol"), json=review)
            assert r.status_code == 403, r.text
        r = http.post(f"/api/requests/{ids['carol']}/reviews", headers=world.auth("rev1"), json=review)
        assert r.status_code == 200, r.text
        # import review: the requester and the case's members are refused, an outsider decides
        r = http.post("/api/imports", headers=world.auth("carol"),
                      data={"case_code": "C1", "purpose": "the pre-processing code of the paper",
                            "files_json": json.dumps([{"path": "normalise.py", "kind": "code"}])},
                      files=[("uploads", ("normalise.py", CLEAN_CODE, "text/x-python"))])
        assert r.status_code == 201, r.text
        iid = r.json()["id"]
        for who in ("carol", "alice"):
            r = http.post(f"/api/imports/{iid}/review", headers=world.auth(who), json=review)
            assert r.status_code == 403, (who, r.text)
        r = http.post(f"/api/imports/{iid}/review", headers=world.auth("rev1"), json=review)
        assert r.status_code == 200, r.text
