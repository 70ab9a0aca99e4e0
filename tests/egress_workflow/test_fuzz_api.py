"""Fuzz the egress API from its own OpenAPI schema (schemathesis): no input gives a server error.

Every operation is called as a requester and as a reviewer over a database that already holds a
released, a blocked and a pending request, so generated ids also hit real objects."""
from __future__ import annotations

import json

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from enclave.db import upgrade
from egress_review.api import create_app
from tests.egress_workflow.conftest import COUNTS_OK, COUNTS_SMALL, make_world, manifest, nhi_policy, table_spec

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{home / 'state.db'}"
    upgrade(url)
    world = make_world(url, nhi_policy())
    app = create_app(url, world.policy, store_dir=home / "egress", release_dir=home / "release")
    with TestClient(app) as c:
        def sub(man, files):
            r = c.post("/api/requests", headers=world.auth("alice"), data={"manifest": json.dumps(man)},
                       files=[("files", (n, d)) for n, d in files.items()])
            assert r.status_code == 201, r.text
            return r.json()["id"]

        ok = sub(manifest(), {"counts.csv": COUNTS_OK})
        for who in ("rev1", "rev2"):
            c.post(f"/api/requests/{ok}/reviews", headers=world.auth(who), json={"decision": "approve"})
        sub(manifest(files=[table_spec("s.csv", groups=("age_group",))]), {"s.csv": COUNTS_SMALL})
        sub(manifest(), {"counts.csv": COUNTS_OK})
    return app, world


@pytest.fixture(scope="module")
def api_schema(fuzz_env):
    app, _ = fuzz_env
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case, fuzz_env):
    _, world = fuzz_env
    for who in ("alice", "rev1"):
        case.call_and_validate(headers=world.auth(who), checks=[not_a_server_error])
