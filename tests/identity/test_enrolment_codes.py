"""Second-factor enrolment is not trust-on-first-use (issue 15, A4): the admin issues a
one-time enrolment code with the first password (account creation, a reset with the TOTP
removed, or on request), handed over out of band; without it a password or a stolen session
enrols nothing.  Codes are single-use, expire (policy), belong to one account and are
audited.  Over real HTTP against the control plane."""
from __future__ import annotations

import datetime as dt

import httpx
import pyotp
import pytest

from enclave.db import session_scope
from tests.control.conftest import PASSWORD, load
from tests.identity.helpers import code_at, enrol_totp, serve
from tests.identity.test_mfa import Clock, token


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def nhi_policy(nhi_policy):
    """The deployed policy, except that a researcher's password alone still opens a session:
    these tests enrol her first device over the API with that session and the admin's one-time
    code.  Under the deployed policy she gets the enrol-only log-in page instead, which takes the
    same codes (tests/identity/test_mfa.py)."""
    roles = [r for r in nhi_policy.accounts.mfa_required_roles if r != "researcher"]
    return nhi_policy.model_copy(update={"accounts": nhi_policy.accounts.model_copy(
        update={"mfa_required_roles": roles})})


def _served(people_db, policy, clock):
    from enclave.web.app import create_app

    return serve(create_app(people_db, policy, clock=clock))


@pytest.fixture
def admin(people_db, clock):
    with session_scope(people_db) as db:
        return enrol_totp(db, load(db, "admin"))


def _admin_headers(http, base, totp, clock):
    clock.now += dt.timedelta(seconds=30)
    r = token(http, base, "admin", code_at(totp, clock.now))
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _user_headers(http, base, name):
    r = token(http, base, name)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _enrol(http, base, h, code, clock):
    r = http.post(f"{base}/api/mfa/enrol", json={"enrolment_code": code}, headers=h)
    if r.status_code != 200:
        return r
    totp = pyotp.TOTP(r.json()["secret"])
    return http.post(f"{base}/api/mfa/confirm", json={"code": code_at(totp, clock.now), "enrolment_code": code},
                     headers=h)


def test_a_new_account_comes_with_a_code_that_enrols_once(people_db, nhi_policy, clock, admin):
    with _served(people_db, nhi_policy, clock) as base, httpx.Client(timeout=30) as http:
        h = _admin_headers(http, base, admin, clock)
        r = http.post(f"{base}/api/accounts", headers=h, json={
            "username": "carol", "password": PASSWORD, "roles": ["researcher"], "unit": "U"})
        assert r.status_code == 201, r.text
        code = r.json()["enrolment_code"]
        assert len(code.replace("-", "")) == 16
        carol = _user_headers(http, base, "carol")
        assert _enrol(http, base, carol, code, clock).status_code == 200
        # spent: the same code enrols nothing again (after a reset it needs a new one)
        r = http.post(f"{base}/api/accounts/carol/reset-password", headers=h, json={"reset_mfa": True})
        assert r.status_code == 200 and r.json()["enrolment_code"] not in (None, code)
    with session_scope(people_db) as db:
        from sqlalchemy import select

        from enclave.audit.models import AuditRecord
        acts = [a.action for a in db.execute(select(AuditRecord).where(AuditRecord.subject == "carol")).scalars()]
    assert acts.count("mfa.enrolment_code_issued") == 2 and "mfa.enrolled" in acts


@pytest.mark.parametrize("case", ["expired", "used", "someone_elses", "replaced", "none_issued"])
def test_codes_that_cannot_enrol(people_db, nhi_policy, clock, case):
    from enclave.identity import mfa

    with session_scope(people_db) as db:
        alice, bob = load(db, "alice"), load(db, "bob")
        code = mfa.issue_enrolment_code(db, alice, by="admin", now=clock.now, hours=72)
        if case == "someone_elses":
            code = mfa.issue_enrolment_code(db, bob, by="admin", now=clock.now, hours=72)
        if case == "replaced":
            mfa.issue_enrolment_code(db, alice, by="admin", now=clock.now, hours=72)
        if case == "none_issued":
            db.delete(db.query(mfa.MfaEnrolmentCode).filter_by(user_id=alice.id).one())
    if case == "expired":
        clock.now += dt.timedelta(hours=72, seconds=1)
    with _served(people_db, nhi_policy, clock) as base, httpx.Client(timeout=30) as http:
        h = _user_headers(http, base, "alice")
        if case == "used":
            assert _enrol(http, base, h, code, clock).status_code == 200
            with session_scope(people_db) as db:           # the admin resets the device ...
                mfa.reset(db, load(db, "alice"))
            clock.now += dt.timedelta(seconds=30)
            h = _user_headers(http, base, "alice")
        r = http.post(f"{base}/api/mfa/enrol", json={"enrolment_code": code}, headers=h)
        assert r.status_code == 403, r.text
        assert "secret" not in r.text


def test_only_those_who_manage_the_account_issue_codes(people_db, nhi_policy, clock, admin):
    with _served(people_db, nhi_policy, clock) as base, httpx.Client(timeout=30) as http:
        bob = _user_headers(http, base, "bob")
        assert http.post(f"{base}/api/accounts/alice/enrolment-code", headers=bob).status_code == 403
        h = _admin_headers(http, base, admin, clock)
        assert http.post(f"{base}/api/accounts/admin/enrolment-code", headers=h).status_code == 403  # own
        r = http.post(f"{base}/api/accounts/alice/enrolment-code", headers=h)
        assert r.status_code == 200 and r.json()["enrolment_code"]
        code = r.json()["enrolment_code"]
        alice = _user_headers(http, base, "alice")
        assert _enrol(http, base, alice, code, clock).status_code == 200
        # an account with a device enrolled gets no code (reset it first)
        assert http.post(f"{base}/api/accounts/alice/enrolment-code", headers=h).status_code == 409
        assert http.post(f"{base}/api/accounts/nobody/enrolment-code", headers=h).status_code == 404


def test_switching_the_rule_off_enrols_on_first_use(people_db, nhi_policy, clock):
    """Rule switch (A4 mfa_enrolment_code_required): off, a session enrols without a code."""
    policy = nhi_policy.model_copy(update={"accounts": nhi_policy.accounts.model_copy(
        update={"mfa_enrolment_code_required": False})})
    with _served(people_db, policy, clock) as base, httpx.Client(timeout=30) as http:
        h = _user_headers(http, base, "alice")
        assert _enrol(http, base, h, "", clock).status_code == 200
