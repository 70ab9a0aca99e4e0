"""Both apps come out of one hardening factory: the same security headers on pages, API answers
and refusals, the same input filter (NUL), the same CSRF refusal body."""
from __future__ import annotations

import httpx
import pytest

from enclave.web.factory import SECURITY_HEADERS
from tests.identity.helpers import serve


@pytest.fixture
def apps(db_url, tmp_path, nhi_policy):
    from egress_review.api import create_app as review_app
    from enclave.web.app import create_app as control_app

    return [control_app(db_url, nhi_policy),
            review_app(db_url, nhi_policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                       recover_on_start=False)]


def test_same_headers_filter_and_refusals(apps):
    bodies = []
    for app in apps:
        with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            answers = [http.get("/login"), http.get("/api/me"), http.get("/no-such-page"),
                       http.post("/login", data={"username": "a", "password": "b"},
                                 headers={"origin": "https://evil.example"}),
                       http.post("/api/token", content=b'{"username": "a\\u0000"}',
                                 headers={"content-type": "application/json"})]
            for r in answers:
                for k, v in SECURITY_HEADERS.items():
                    assert r.headers.get(k) == v, (base, r.request.url, k, r.headers.get(k))
            assert answers[3].status_code == 403
            assert answers[4].status_code == 422
            bodies.append((answers[3].json(), answers[4].json()))
    assert bodies[0] == bodies[1]


def test_what_a_response_reports_is_committed_when_it_arrives(db_url, nhi_policy, people_db):
    """A token handed out is usable by the very next request (FastAPI closes a yield-dependency
    only after sending the response; the factory commits before the response starts)."""
    from enclave.web.app import create_app
    from tests.control.conftest import PASSWORD, without_mfa

    with serve(create_app(people_db, without_mfa(nhi_policy))) as base, \
            httpx.Client(base_url=base, timeout=30) as http:
        for _ in range(25):
            tok = http.post("/api/token", json={"username": "alice", "password": PASSWORD}).json()["token"]
            assert http.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
