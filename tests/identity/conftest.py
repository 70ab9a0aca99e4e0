"""A control plane (and review service) served by uvicorn on a free loopback port, with people
of every role; the state DB on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from enclave.db import session_scope, utcnow
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.control.conftest import PASSWORD, mk_user, without_mfa
from tests.identity.helpers import serve

PEOPLE = [("admin", "admin"), ("admin2", "admin"), ("boss", "committee"), ("boss2", "committee"),
          ("steward", "steward"), ("rev", "reviewer"), ("alice", "researcher"), ("bob", "researcher")]


@pytest.fixture
def nhi_policy():
    return load_policy(POLICY_ROOT / "nhi_centre")


@pytest.fixture
def people_db(db_url):
    now = utcnow() - dt.timedelta(days=1)
    with session_scope(db_url) as db:
        for name, role in PEOPLE:
            mk_user(db, name, role, when=now)
    return db_url


class Api:
    """An httpx client of a served app that logs people in over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=30)

    def token(self, name: str, password: str = PASSWORD, otp: str | None = None) -> dict:
        r = self.http.post("/api/token", json={"username": name, "password": password, "otp": otp})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def control(people_db, nhi_policy):
    """The control plane with password-only log-ins (TOTP has its own tests)."""
    from enclave.web.app import create_app

    with serve(create_app(people_db, without_mfa(nhi_policy))) as base:
        api = Api(base)
        yield api
        api.close()
