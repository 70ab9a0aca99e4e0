"""A4 (identity round 8): the second factor is decided on every request, not only at log-in.

A session or API token opened without a second factor (or with TOTP only) stays valid only while
the policy of now (``accounts.mfa_required_roles``, ``webauthn_required_roles``) and the roles the
account holds now do not need more.  Tightened policy, a role granted after the log-in, a key
demanded after a TOTP log-in: every front end that reads the identity (control plane API and
pages, review service, release area) refuses with the reason; honest log-ins with the factor,
and log-ins whose roles need none, still pass.  The hub uses the same function in-process
(``sessions.session_for_token(..., policy=)``), tested here without starting the hub.
"""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from enclave.db import session_scope
from tests.control.conftest import PASSWORD, load
from tests.identity.helpers import COOKIE, code_at, csrf_of, enrol_totp, form_login, serve

STAFF = ["admin", "committee", "reviewer", "steward", "officer"]


def _with(policy, **accounts):
    return policy.model_copy(update={"accounts": policy.accounts.model_copy(update=accounts)})


class Clock:
    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self):
        return self.now


def _token(http, base, name, otp=None):
    r = http.post(f"{base}/api/token", json={"username": name, "password": PASSWORD, "otp": otp})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _refused(r, *words):
    assert r.status_code == 401, (r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert "A4" in detail and all(w in detail for w in words), detail
    return detail


@pytest.fixture
def control(people_db, nhi_policy):
    from enclave.web.app import create_app

    clock = Clock()
    app = create_app(people_db, _with(nhi_policy, mfa_required_roles=[]), clock=clock)
    with serve(app) as base, httpx.Client(base_url=base, timeout=30, follow_redirects=False) as http:
        yield app, base, http, clock


# ------------------------------------------------------------------ policy tightened after log-in

CONTROL_READS = ["/api/me", "/api/cases", "/api/bookings"]


@pytest.mark.parametrize("path", CONTROL_READS)
@pytest.mark.parametrize("required", [["researcher"], STAFF + ["researcher"], ["researcher", "admin"]])
def test_a_token_without_factor_is_refused_once_the_policy_needs_one(control, nhi_policy, path, required):
    app, base, http, _ = control
    auth = _token(http, base, "alice")                   # password only: the policy needed no more
    assert http.get("/api/me", headers=auth).status_code == 200
    app.state.policy = _with(nhi_policy, mfa_required_roles=required)
    _refused(http.get(path, headers=auth), "second factor", "researcher")
    app.state.policy = _with(nhi_policy, mfa_required_roles=[r for r in required if r != "researcher"])
    assert http.get("/api/me", headers=auth).status_code == 200   # not her role: she is not stopped


def test_a_browser_session_without_factor_is_refused_on_pages_and_writes(control, nhi_policy):
    app, base, http, _ = control
    assert form_login(http, base, "alice", PASSWORD).status_code == 303 and http.cookies.get(COOKIE)
    assert http.get("/api/me").status_code == 200
    app.state.policy = nhi_policy                        # the deployed policy: every role needs one
    _refused(http.get("/api/me"), "second factor")
    r = http.get("/cases")
    assert r.status_code == 401 and "second factor" in r.text
    r = http.post("/api/bookings", json={}, headers={"origin": base, "x-csrf-token": csrf_of(http)})
    assert r.status_code == 401
    # logging out still works, and a log-in with the code opens everything again
    with session_scope(app.state.db_url) as db:
        totp = enrol_totp(db, load(db, "alice"))
    _, _, _, clock = control
    http.cookies.clear()
    assert form_login(http, base, "alice", PASSWORD, code_at(totp, clock.now)).status_code == 303
    assert http.get("/api/me").status_code == 200


# ------------------------------------------------------------------ a role granted after log-in

@pytest.mark.parametrize("role", ["reviewer", "steward", "committee"])
def test_a_role_granted_after_a_password_only_log_in_needs_the_factor(control, nhi_policy, role):
    app, base, http, clock = control
    app.state.policy = _with(nhi_policy, mfa_required_roles=STAFF)   # researchers: password only
    with session_scope(app.state.db_url) as db:
        admin_totp = enrol_totp(db, load(db, "admin"))
    bob = _token(http, base, "bob")
    assert http.get("/api/me", headers=bob).status_code == 200
    admin = _token(http, base, "admin", code_at(admin_totp, clock.now))
    r = http.post(f"/api/accounts/bob/roles", json={"role": role}, headers=admin)
    assert r.status_code == 200, r.text
    _refused(http.get("/api/me", headers=bob), "second factor", role)
    assert http.get("/api/me", headers=admin).status_code == 200   # the admin's log-in had its code
    # the role taken back: the same token acts again (no over-blocking)
    assert http.delete(f"/api/accounts/bob/roles/{role}", headers=admin).status_code == 200
    assert http.get("/api/me", headers=bob).status_code == 200


def test_a_role_written_straight_into_the_db_is_caught_on_the_next_request(control, nhi_policy):
    from enclave.accounts.models import UserRole

    app, base, http, clock = control
    app.state.policy = _with(nhi_policy, mfa_required_roles=STAFF)
    bob = _token(http, base, "bob")
    with session_scope(app.state.db_url) as db:
        u = load(db, "bob")
        u.roles.append(UserRole(role="officer", granted_by="x", granted_at=clock.now))
    _refused(http.get("/api/me", headers=bob), "officer")


# ------------------------------------------------------------------ a key demanded after a TOTP log-in

def test_a_totp_log_in_is_refused_once_the_role_needs_a_security_key(control, nhi_policy):
    app, base, http, clock = control
    app.state.policy = _with(nhi_policy, mfa_required_roles=STAFF)
    with session_scope(app.state.db_url) as db:
        totp = enrol_totp(db, load(db, "admin"))
    admin = _token(http, base, "admin", code_at(totp, clock.now))
    assert http.get("/api/me", headers=admin).status_code == 200
    app.state.policy = _with(nhi_policy, mfa_required_roles=STAFF, webauthn_allowed=True,
                             webauthn_required_roles=["admin"])
    _refused(http.get("/api/me", headers=admin), "security key")
    # keys switched off: the requirement cannot apply, the TOTP log-in suffices again
    app.state.policy = _with(nhi_policy, mfa_required_roles=STAFF, webauthn_allowed=False,
                             webauthn_required_roles=["admin"])
    assert http.get("/api/me", headers=admin).status_code == 200


# ------------------------------------------------------------------ review service and release area

@pytest.mark.parametrize("mode,paths", [("internal", ["/api/me", "/api/requests", "/"]),
                                        ("external", ["/api/me", "/api/releases", "/downloads", "/"])])
def test_the_review_service_and_the_release_area_check_the_factor_of_now(people_db, nhi_policy, tmp_path,
                                                                       mode, paths):
    from egress_review.api import create_app

    clock = Clock()
    app = create_app(people_db, _with(nhi_policy, mfa_required_roles=[]), store_dir=tmp_path / "s",
                     release_dir=tmp_path / "r", clock=clock, recover_on_start=False, mode=mode)
    with serve(app) as base, httpx.Client(base_url=base, timeout=30, follow_redirects=False) as http:
        assert form_login(http, base, "alice", PASSWORD).status_code == 303
        for p in paths:
            assert http.get(p).status_code in (200, 303), p
        app.state.policy = nhi_policy
        for p in paths:
            r = http.get(p)
            assert r.status_code == 401 and "second factor" in r.text, (p, r.status_code, r.headers.get("location"))
        with session_scope(people_db) as db:
            totp = enrol_totp(db, load(db, "alice"))
        http.cookies.clear()
        assert form_login(http, base, "alice", PASSWORD, code_at(totp, clock.now)).status_code == 303
        for p in paths:
            assert http.get(p).status_code in (200, 303), p


# ------------------------------------------------------------------ the shared function (hub, SSO)

CASES = [
    # (roles, mfa_required, key_required, second_factor, factor, allowed)
    (["researcher"], [], [], False, None, True),
    (["researcher"], ["researcher"], [], False, None, False),
    (["researcher"], ["researcher"], [], None, None, False),        # a row of before the record
    (["researcher"], ["researcher"], [], True, None, True),          # legacy with a factor: counts as TOTP
    (["researcher"], ["researcher"], [], True, "totp", True),
    (["researcher"], ["researcher"], [], True, "webauthn", True),
    (["admin"], ["admin"], ["admin"], True, "totp", False),
    (["admin"], ["admin"], ["admin"], True, None, False),
    (["admin"], ["admin"], ["admin"], True, "webauthn", True),
    (["admin"], [], ["admin"], False, None, False),                 # key role, no mfa list: still a key
    (["researcher", "steward"], ["steward"], [], False, None, False),
    (["researcher", "steward"], ["admin"], [], False, None, True),
    (["researcher"], ["researcher"], [], False, "bogus", False),     # unknown kind: none
]


@pytest.mark.parametrize("roles,mfa_roles,key_roles,second,factor,allowed", CASES)
def test_session_for_token_judges_the_recorded_factor_by_the_policy_of_now(db_url, nhi_policy, roles, mfa_roles,
                                                                          key_roles, second, factor, allowed):
    from enclave.accounts.models import UserRole
    from enclave.identity.models import WebSession
    from enclave.identity.sessions import digest, refusal, session_for_token, user_for_token
    from tests.control.conftest import mk_user

    policy = _with(nhi_policy, mfa_required_roles=mfa_roles, webauthn_required_roles=key_roles,
                   webauthn_allowed=True)
    now = dt.datetime.now(dt.timezone.utc)
    with session_scope(db_url) as db:
        u = mk_user(db, "carol", roles[0], when=now - dt.timedelta(days=1))
        for r in roles[1:]:
            u.roles.append(UserRole(role=r, granted_by="test", granted_at=now))
        db.add(WebSession(token_hash=digest("tok-carol"), user_id=u.id, kind="api",
                          expires_at=now + dt.timedelta(hours=1), second_factor=second, factor=factor))
    with session_scope(db_url) as db:
        ws = session_for_token(db, "tok-carol", policy=policy)
        assert (ws is not None) == allowed
        assert (user_for_token(db, "tok-carol", policy=policy) is not None) == allowed
        assert (refusal(db, "tok-carol", policy) is None) == allowed


def test_an_enrol_only_session_is_not_held_to_the_factor_it_enrols(db_url, nhi_policy):
    from enclave.identity.sessions import issue_token, session_for_token
    from tests.control.conftest import mk_user

    with session_scope(db_url) as db:
        u = mk_user(db, "dora", "researcher", when=dt.datetime.now(dt.timezone.utc))
        tok = issue_token(db, u, kind="enrol", lifetime=dt.timedelta(minutes=10))
    with session_scope(db_url) as db:
        assert session_for_token(db, tok, policy=nhi_policy) is not None


@pytest.mark.parametrize("bad", ["TOTP", "sms", "password", ""])
def test_a_session_cannot_be_issued_with_an_unknown_factor(db_url, bad):
    from enclave.identity.sessions import issue_token
    from tests.control.conftest import mk_user

    with session_scope(db_url) as db:
        u = mk_user(db, "erin", "researcher", when=dt.datetime.now(dt.timezone.utc))
        with pytest.raises(ValueError):
            issue_token(db, u, kind="api", lifetime=dt.timedelta(minutes=10), factor=bad)
