"""A4 / SATRE 3.2.04 at the real hub: a researcher logs in with a second factor as well as the
password, like every staff role (JupyterHub + proxy, the enclave's authenticator and gate; no
session is spawned, so no sandbox is needed).

A booked, accredited researcher with no authenticator enrolled is sent to enrol one; an enrolled
one is refused without a code, with a wrong, stale or replayed code, and let in with the current
one.  The shipped policy is what the hub runs here: the test fails when `researcher` is dropped
from `accounts.mfa_required_roles`."""
from __future__ import annotations

import os

import pyotp
import pytest

from enclave.accounts.models import User
from enclave.audit.models import AuditRecord
from enclave.db import session_scope, utcnow
from enclave.identity import mfa
from tests.services.hub import HubHarness, login_page_error

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

PEOPLE = ("rae", "sam", "tao")


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    for name in PEOPLE:
        h.add_user(name)
    h.add_case("C1", list(PEOPLE))
    for name in PEOPLE:
        h.book_now(name, "C1")
    with h.running():
        yield h


def _enrol(hub, name) -> pyotp.TOTP:
    with session_scope(hub.db_url) as s:
        u = s.query(User).filter_by(username=name).one()
        cred = mfa.start_enrolment(s, u, utcnow())
        cred.confirmed_at = utcnow()
        return pyotp.TOTP(mfa.secret_of(cred))


def _step_code(totp: pyotp.TOTP, steps: int) -> str:
    return totp.at(int(utcnow().timestamp()) + steps * totp.interval)


def test_the_shipped_policy_asks_every_role_for_a_second_factor():
    from enclave.accounts.models import ROLES
    from policies.loader import POLICY_ROOT, load_policy

    for name in ("nhi_centre", "demo"):
        needs = set(load_policy(POLICY_ROOT / name).accounts.mfa_required_roles)
        assert set(ROLES) <= needs, (name, set(ROLES) - needs)


def test_a_researcher_without_an_authenticator_is_sent_to_enrol_one(hub):
    r = hub.user("rae").login(otp="")
    assert r.status_code == 403, r.text[:300]
    shown = login_page_error(r)
    assert "enrol" in shown and "A4" in shown, shown
    with session_scope(hub.db_url) as s:
        assert s.query(AuditRecord).filter_by(action="login.enrol_only", actor="rae").count() == 1


@pytest.mark.parametrize("code", ["", "000000", "12345", "1234567", "abcdef", " ", "0" * 64])
def test_an_enrolled_researcher_is_refused_without_the_right_code(hub, code):
    totp = _enrol_once(hub, "sam")
    if code == "000000" and totp.now() == code:
        code = "111111"
    r = hub.user("sam").login(otp=code)
    assert r.status_code == 403, r.text[:300]
    assert "/hub/spawn" not in r.headers.get("location", "")
    _forget_failures(hub, "sam")   # each case is refused for its code, not for a lock-out


def _forget_failures(hub, name):
    from enclave.identity import throttle

    with session_scope(hub.db_url) as s:
        throttle.clear(s, name)


def test_stale_future_and_replayed_codes_are_refused_the_current_one_is_not(hub):
    totp = _enrol_once(hub, "tao")
    for steps in (-3, -2, 2, 3, 40):   # outside the one-step drift window either side
        assert hub.user("tao").login(otp=_step_code(totp, steps)).status_code == 403, steps
        _forget_failures(hub, "tao")
    good = totp.now()
    r = hub.user("tao").login(otp=good)
    assert r.status_code == 302 and "/hub/login" not in r.headers.get("location", ""), r.text[:300]
    # the same code again (a shoulder-surfed or phished code) is refused: once per step
    assert hub.user("tao").login(otp=good).status_code == 403
    with session_scope(hub.db_url) as s:
        ok = [a for a in s.query(AuditRecord).filter_by(action="login", actor="tao")]
        assert ok and all(a.detail.get("second_factor") for a in ok)


_ENROLLED: dict[str, pyotp.TOTP] = {}


def _enrol_once(hub, name) -> pyotp.TOTP:
    if name not in _ENROLLED:
        _ENROLLED[name] = _enrol(hub, name)
    return _ENROLLED[name]
