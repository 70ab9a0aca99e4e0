"""Directory (LDAP) accounts log in to the control plane and the release area through the one
log-in, against a real OpenLDAP slapd: the enclave row follows the directory's groups, the A4
checks and the lock-out apply as to local accounts, and a local account is never vouched for
by the directory."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from enclave.db import session_scope
from enclave.identity.directory import LdapSettings
from tests.control.conftest import PASSWORD, without_mfa
from tests.identity.helpers import form_login, serve
from tests.services.authenticator import researcher_code
from tests.services.slapd import SUFFIX, SlapdServer, slapd_bin

PW = "Directory-Passw0rd!"


@pytest.fixture(scope="module")
def slapd():
    if slapd_bin() is None:
        pytest.skip("slapd not installed")
    srv = SlapdServer().start()
    today = dt.datetime.now(dt.timezone.utc)
    srv.add_user("lena", PW, today - dt.timedelta(days=2))
    srv.add_user("omar", PW, today - dt.timedelta(days=200))  # A4: expired
    srv.add_user("rita", PW, today - dt.timedelta(days=2))
    srv.add_user("alice", "Directory-Alice-9!", today - dt.timedelta(days=2))  # a local name too
    srv.add_group("enclave-researchers", ["lena", "omar", "alice"])
    srv.add_group("enclave-reviewers", ["rita"])
    yield srv
    srv.stop()


def directory(srv) -> LdapSettings:
    return LdapSettings(srv.uri, f"uid={{username}},ou=people,{SUFFIX}", f"ou=groups,{SUFFIX}",
                        group_roles={"enclave-researchers": "researcher", "enclave-reviewers": "reviewer"})


@pytest.fixture
def control(slapd, people_db, nhi_policy):
    from enclave.web.app import create_app

    app = create_app(people_db, nhi_policy)
    app.state.directory = directory(slapd)
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


def test_a_directory_user_logs_in_to_the_control_plane(control, people_db):
    r = control.post("/api/token", json={"username": "lena", "password": PW})
    # her first log-in makes her enclave row; a researcher needs a second factor too (A4,
    # SATRE 3.2.04), so the password alone only sends her to enrol one
    assert r.status_code == 401 and "TOTP" in r.json()["detail"], r.text
    r = control.post("/api/token", json={"username": "lena", "password": PW,
                                         "otp": researcher_code(people_db, "lena")})
    assert r.status_code == 200, r.text
    me = control.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"}).json()
    assert me["username"] == "lena" and me["roles"] == ["researcher"]
    assert control.post("/api/token", json={"username": "lena", "password": "Wrong-Passw0rd!"}).status_code == 401
    r = control.post("/api/token", json={"username": "omar", "password": PW})
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_a_directory_reviewer_must_enrol_totp(control):
    r = control.post("/api/token", json={"username": "rita", "password": PW})
    assert r.status_code == 401 and "TOTP" in r.json()["detail"]


def test_the_directory_does_not_vouch_for_a_local_account(control, people_db):
    r = control.post("/api/token", json={"username": "alice", "password": "Directory-Alice-9!"})
    assert r.status_code == 401
    assert control.post("/api/token", json={"username": "alice", "password": PASSWORD,
                                            "otp": researcher_code(people_db, "alice")}).status_code == 200


def test_directory_accounts_are_locked_out_like_local_ones(control, nhi_policy):
    for i in range(nhi_policy.accounts.login_max_failures):
        assert control.post("/api/token", json={"username": "lena", "password": f"Wrong-{i:03d}-Pw!"}).status_code == 401
    r = control.post("/api/token", json={"username": "lena", "password": PW})
    assert r.status_code == 401 and "locked" in r.json()["detail"]


def test_a_directory_user_logs_in_to_the_release_area(slapd, people_db, nhi_policy, tmp_path):
    from egress_review.api import create_app

    app = create_app(people_db, without_mfa(nhi_policy), store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                     recover_on_start=False, mode="external")
    app.state.directory = directory(slapd)
    with serve(app) as base, httpx.Client(timeout=30, follow_redirects=False) as http:
        r = form_login(http, base, "lena", PW)
        assert r.status_code == 303, r.text
        assert http.get(f"{base}/downloads").status_code == 200
        r = form_login(httpx.Client(timeout=30), base, "lena", "Wrong-Passw0rd!")
        assert r.status_code == 401
