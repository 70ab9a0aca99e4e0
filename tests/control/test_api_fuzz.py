"""Fuzz the JSON API from its own OpenAPI schema (schemathesis, in-process ASGI): no input may
cause a server error.  Requests carry an admin's token so the handlers run, not just the
401 path; examples are bounded so the whole run stays around a minute or two."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from enclave.accounts.models import User, UserRole
from enclave.accounts.passwords import hash_password
from enclave.db import session_scope, upgrade, utcnow
from enclave.web.app import create_app
from enclave.web.auth import issue_token
from policies import load_policy
from policies.loader import POLICY_ROOT

import datetime as dt

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'state.db'}"
    upgrade(url)
    with session_scope(url) as db:
        u = User(username="admin", display_name="Admin", unit="Centre", password_hash=hash_password("Sturdy-Pass-2026"),
                 password_changed_at=utcnow(), status="active")
        u.roles.append(UserRole(role="admin"))
        db.add(u)
        db.flush()
        TOKEN["h"] = f"Bearer {issue_token(db, u, kind='api', lifetime=dt.timedelta(hours=2), factor='totp')}"
    app = create_app(url, load_policy(POLICY_ROOT / "nhi_centre"))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors(case):
    case.call_and_validate(headers={"Authorization": TOKEN["h"]}, checks=[not_a_server_error])
