"""Every integer path or query parameter of both apps (control plane API and pages; review
service, release area and import review) is bounded: out-of-range, negative, huge and
non-numeric values answer 422, never a 500 from the database.  Routes are enumerated from the
apps themselves, so a new route is tried without editing this test."""
from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from enclave.db import session_scope, utcnow
from enclave.identity.sessions import issue_token
from tests.control.conftest import mk_user, without_mfa
from tests.identity.helpers import serve
from tests.identity.routes import routes_of

BAD = ["-1", "0", str(2**31), str(2**63), "9" * 40, "abc", "1e3", "0x10", "1.5", "%20", "١٢"]


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: values.get(m.group(1), "x"), path)


def _calls(app):
    for r in routes_of(app):
        method = sorted(r.methods)[0]
        for name in r.int_path:
            for bad in BAD:
                vals = {n: "1" for n in r.int_path}
                vals[name] = bad
                yield method, _url(r.path, vals), None, f"{r.path} {name}={bad}"
        for name in r.int_query:
            for bad in BAD:
                vals = {n: "1" for n in r.int_path}
                yield method, _url(r.path, vals), {name: bad}, f"{r.path} ?{name}={bad}"


def _admin_token(db_url) -> str:
    with session_scope(db_url) as db:
        u = mk_user(db, "root", "admin", "reviewer", "committee", "steward", when=utcnow())
        return issue_token(db, u, kind="api", lifetime=dt.timedelta(hours=1), factor="totp")


def _try_all(app, token):
    calls = list(_calls(app))
    assert len(calls) > 50  # the enumeration found the id routes
    bad = []
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        for method, url, params, label in calls:
            r = http.request(method, url, params=params, headers={"Authorization": f"Bearer {token}"},
                             json={} if method in ("POST", "PUT", "PATCH") else None)
            if r.status_code != 422:
                bad.append((label, r.status_code, r.text[:200]))
    assert bad == []


def test_control_plane_ids_are_bounded(db_url):
    from enclave.web.app import create_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    token = _admin_token(db_url)
    _try_all(create_app(db_url, without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))), token)


def test_review_service_ids_are_bounded(db_url, tmp_path):
    from egress_review.api import create_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    token = _admin_token(db_url)
    app = create_app(db_url, without_mfa(load_policy(POLICY_ROOT / "nhi_centre")), store_dir=tmp_path / "s",
                     release_dir=tmp_path / "r", recover_on_start=False)
    _try_all(app, token)


@pytest.mark.parametrize("value", ["1", str(2**31 - 1)])
def test_in_range_unknown_ids_are_404_not_422(db_url, tmp_path, value):
    from egress_review.api import create_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    token = _admin_token(db_url)
    app = create_app(db_url, load_policy(POLICY_ROOT / "nhi_centre"), store_dir=tmp_path / "s",
                     release_dir=tmp_path / "r", recover_on_start=False)
    with serve(app) as base, httpx.Client(base_url=base) as http:
        for path in (f"/api/imports/{value}", f"/api/requests/{value}"):
            assert http.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 404, path
