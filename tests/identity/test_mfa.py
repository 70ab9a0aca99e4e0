"""TOTP over real HTTP: required by policy per role (A4) on the control plane's API and pages
and on the review service's log-in; enrolment through an enrol-only session that opens nothing
else; codes checked once (no replay); wrong codes count towards the lock-out."""
from __future__ import annotations

import datetime as dt
import re

import httpx
import pyotp
import pytest

from enclave.db import session_scope
from tests.control.conftest import PASSWORD, load
from tests.identity.helpers import COOKIE, code_at, csrf_of, enrol_totp, form_login, serve


class Clock:
    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def control_base(people_db, nhi_policy, clock):
    from enclave.web.app import create_app

    assert "admin" in nhi_policy.accounts.mfa_required_roles  # the deployed policy
    with serve(create_app(people_db, nhi_policy, clock=clock)) as base:
        yield base


def token(http, base, name, otp=None, pw=PASSWORD):
    return http.post(f"{base}/api/token", json={"username": name, "password": pw, "otp": otp})


def _code_for(db_url, name, clock, hours=72):
    from enclave.identity import mfa

    with session_scope(db_url) as db:
        return mfa.issue_enrolment_code(db, load(db, name), by="test-admin", now=clock.now, hours=hours)


@pytest.mark.parametrize("name", ["admin", "alice"])   # staff, and a researcher (SATRE 3.2.04)
def test_staff_without_totp_get_only_the_enrolment_then_log_in_with_a_code(control_base, people_db, clock, name):
    base = control_base
    enrol_code = _code_for(people_db, name, clock)
    with httpx.Client(timeout=30, follow_redirects=False) as http:
        r = token(http, base, name)
        assert r.status_code == 401 and "TOTP" in r.json()["detail"]
        r = form_login(http, base, name, PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/mfa"
        # the enrol-only session opens nothing else
        assert http.get(f"{base}/accounts").status_code == 303
        assert http.get(f"{base}/api/me").status_code == 401
        r = http.post(f"{base}/api/audit/samples", json={}, headers={"origin": base, "x-csrf-token": csrf_of(http)})
        assert r.status_code == 401
        # A4, not trust-on-first-use: the password alone shows no secret and enrols nothing
        page = http.get(f"{base}/mfa").text
        assert 'id="totp-secret"' not in page and 'name="enrolment_code"' in page
        for wrong in ("", "AAAA-BBBB-CCCC-DDDD", enrol_code[:-1]):
            r = http.post(f"{base}/mfa", data={"enrolment_code": wrong, "code": "123456",
                                               "csrf_token": csrf_of(http)}, headers={"origin": base})
            assert r.status_code == 422 and 'id="totp-secret"' not in r.text
        r = http.post(f"{base}/mfa", data={"enrolment_code": enrol_code, "csrf_token": csrf_of(http)},
                      headers={"origin": base})
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', r.text).group(1)
        totp = pyotp.TOTP(secret)
        r = http.post(f"{base}/mfa", data={"code": "000000", "enrolment_code": enrol_code,
                                           "csrf_token": csrf_of(http)}, headers={"origin": base})
        assert r.status_code == 422
        r = http.post(f"{base}/mfa", data={"code": code_at(totp, clock.now), "enrolment_code": enrol_code,
                                           "csrf_token": csrf_of(http)}, headers={"origin": base})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with httpx.Client(timeout=30, follow_redirects=False) as http:
        assert token(http, base, name).status_code == 401                       # password alone
        assert token(http, base, name, "123456").status_code == 401             # wrong code
        clock.now += dt.timedelta(seconds=30)
        good = code_at(totp, clock.now)
        assert token(http, base, name, good).status_code == 200
        assert token(http, base, name, good).status_code == 401                 # replayed
        clock.now += dt.timedelta(seconds=30)
        r = form_login(http, base, name, PASSWORD, code_at(totp, clock.now))
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert http.get(f"{base}/api/me").status_code == 200
        if name == "admin":
            assert http.get(f"{base}/accounts").status_code == 200


def test_wrong_codes_count_towards_the_lock_out(control_base, people_db, nhi_policy, clock):
    with session_scope(people_db) as db:
        totp = enrol_totp(db, load(db, "admin"))
    with httpx.Client(timeout=30) as http:
        for i in range(nhi_policy.accounts.login_max_failures):
            assert token(http, control_base, "admin", f"{i:06d}").status_code == 401
        r = token(http, control_base, "admin", code_at(totp, clock.now))
        assert r.status_code == 401 and "locked" in r.json()["detail"]


def test_a_reset_with_totp_makes_the_user_enrol_again(control_base, people_db, clock):
    with session_scope(people_db) as db:
        admin_totp = enrol_totp(db, load(db, "admin"))
        rev_totp = enrol_totp(db, load(db, "rev"))
    with httpx.Client(timeout=30) as http:
        h = {"Authorization": "Bearer " + token(http, control_base, "admin", code_at(admin_totp, clock.now)).json()["token"]}
        pw = http.post(f"{control_base}/api/accounts/rev/reset-password", json={"reset_mfa": True},
                       headers=h).json()["one_time_password"]
        assert http.post(f"{control_base}/api/password", json={"username": "rev", "old_password": pw,
                                                               "new_password": "Fresh-Checker-Pass-5"}).status_code == 200
        r = token(http, control_base, "rev", code_at(rev_totp, clock.now), pw="Fresh-Checker-Pass-5")
        assert r.status_code == 401 and "enrol" in r.json()["detail"]


def test_the_review_service_asks_for_the_code_too(people_db, nhi_policy, tmp_path, clock):
    from egress_review.api import create_app

    with session_scope(people_db) as db:
        totp = enrol_totp(db, load(db, "rev"))
    app = create_app(people_db, nhi_policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r", clock=clock,
                     recover_on_start=False)
    with serve(app) as base, httpx.Client(timeout=30, follow_redirects=False) as http:
        r = form_login(http, base, "rev", PASSWORD)
        assert r.status_code == 401 and "one-time code" in r.text
        r = form_login(http, base, "boss", PASSWORD)  # committee, not enrolled: sent to enrol
        assert r.status_code == 401 and "enrol" in r.text
        r = form_login(http, base, "rev", PASSWORD, code_at(totp, clock.now))
        assert r.status_code == 303 and http.cookies.get(COOKIE)


@pytest.mark.parametrize("mode", ["internal", "external"])
def test_a_researcher_needs_the_code_on_the_review_service_and_the_release_area(people_db, nhi_policy, tmp_path,
                                                                               clock, mode):
    """A4, SATRE 3.2.04: the release area (external, where a researcher fetches approved files
    from outside) and the review service ask a researcher for her second factor too."""
    from egress_review.api import create_app

    app = create_app(people_db, nhi_policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r", clock=clock,
                     recover_on_start=False, mode=mode)
    with serve(app) as base, httpx.Client(timeout=30, follow_redirects=False) as http:
        r = form_login(http, base, "bob", PASSWORD)          # not enrolled: sent to enrol
        assert r.status_code == 401 and "enrol" in r.text and not http.cookies.get(COOKIE)
        with session_scope(people_db) as db:
            totp = enrol_totp(db, load(db, "alice"))
        for wrong in ("", "000000" if code_at(totp, clock.now) != "000000" else "111111"):
            r = form_login(http, base, "alice", PASSWORD, wrong)
            assert r.status_code == 401 and not http.cookies.get(COOKIE), wrong
        r = form_login(http, base, "alice", PASSWORD, code_at(totp, clock.now))
        assert r.status_code == 303 and http.cookies.get(COOKIE)


def test_the_roles_needing_totp_are_the_policys(people_db, nhi_policy, clock):
    """Switch the requirement off and the admin logs in with a password alone: the refusals
    above come from the policy setting."""
    from enclave.web.app import create_app

    lax = nhi_policy.model_copy(update={"accounts": nhi_policy.accounts.model_copy(
        update={"mfa_required_roles": []})})
    with serve(create_app(people_db, lax, clock=clock)) as base, httpx.Client(timeout=30) as http:
        assert token(http, base, "admin").status_code == 200


def test_totp_secrets_are_sealed_in_the_database(control_base, people_db, clock):
    """#15: a copy of the state database alone gives no usable second factor - the secret is
    stored AES-GCM-sealed under a key from the master key (outside the database), bound to its
    user; a row still in clear (before this change) is sealed the first time it is used."""
    import sqlalchemy as sa

    from enclave.identity import mfa
    from enclave.identity.models import TotpCredential

    with session_scope(people_db) as db:
        admin, alice = load(db, "admin", "alice")
        totp = enrol_totp(db, admin)
        admin_id, alice_id = admin.id, alice.id
    eng = sa.create_engine(people_db)
    with eng.connect() as con:
        stored = con.execute(sa.text("SELECT secret FROM totp_credentials WHERE user_id = :u"),
                             {"u": admin_id}).scalar_one()
    eng.dispose()
    assert stored.startswith(mfa.SEALED) and totp.secret not in stored
    assert len(stored) > 60
    # the code still works over HTTP (the service opens the seal with the master key)
    with httpx.Client() as http:
        r = http.post(f"{control_base}/api/token", json={"username": "admin", "password": PASSWORD,
                                                          "otp": code_at(totp, clock.now)})
    assert r.status_code == 200, r.text
    # a sealed secret moved to another account's row does not open
    with session_scope(people_db) as db:
        moved = TotpCredential(user_id=alice_id, secret=stored, created_at=clock.now)
        with pytest.raises(Exception):
            mfa.secret_of(moved)
    # a legacy row in clear is sealed when it is first used
    with session_scope(people_db) as db:
        c = db.query(TotpCredential).filter_by(user_id=admin_id).one()
        c.secret = totp.secret
    with session_scope(people_db) as db:
        c = db.query(TotpCredential).filter_by(user_id=admin_id).one()
        assert mfa.secret_of(c) == totp.secret and c.secret.startswith(mfa.SEALED)
