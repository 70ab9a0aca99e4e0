"""Login decisions (A4 + booking gate) for local accounts and a real OpenLDAP slapd.

The hub calls exactly ``EnclaveAuthenticator.login_decision`` from ``authenticate``; the hub
tests show the same refusals through the real login page.
"""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.accounts.passwords import hash_password
from enclave.audit.models import AuditRecord
from enclave.bookings.models import Booking
from enclave.db import session_scope, utcnow
from hub_config.auth import EnclaveAuthenticator
from hub_config.identity import LoginRefused
from tests.services.authenticator import researcher_code
from tests.services.slapd import directory

GOOD = "Sturdy-Passw0rd!"


class _Authenticator(EnclaveAuthenticator):
    """The hub's authenticator, with a researcher's authenticator app beside it: a log-in that
    names no code sends her current one (A4 asks researchers for a second factor too); otp=""
    sends none."""

    def login_decision(self, username, password, now=None, otp=None, client="-"):
        if otp is None:
            otp = researcher_code(self.db_url, username, now)
        return super().login_decision(username, password, now=now, otp=otp, client=client)


def _auth(db_url, **kw) -> EnclaveAuthenticator:
    return _Authenticator(db_url=db_url, **kw)


@pytest.fixture
def local(rows):
    h = hash_password(GOOD)
    rows.user("ann", password_hash=h)
    rows.user("old", password_hash=h, changed=rows.now - dt.timedelta(days=91))
    rows.user("rev", roles=("reviewer",), password_hash=h)
    rows.user("adm", roles=("admin",), password_hash=h)
    rows.user("weak", password_hash=hash_password("weakpassword"))
    rows.case("C1", ["ann", "old", "weak"])
    rows.booking("ann", "C1", -5, 60)
    rows.booking("old", "C1", -5, 60)
    rows.booking("weak", "C1", -5, 60)
    return rows


def test_local_login_inside_slot_marks_attended_and_audits(local):
    a = _auth(local.db_url)
    model = a.login_decision("ann", GOOD)
    assert model["name"] == "ann" and model["admin"] is False
    with session_scope(local.db_url) as s:
        ann = s.query(Booking).filter_by(status="attended").all()
        assert len(ann) == 1 and ann[0].first_login_at is not None
        assert s.query(AuditRecord).filter_by(action="session.login", actor="ann").count() == 1


def test_local_wrong_password_and_unknown_user(local):
    a = _auth(local.db_url)
    assert a.login_decision("ann", GOOD + "x") is None
    assert a.login_decision("nobody", GOOD) is None


def test_expired_password_cannot_log_in_and_is_told_why(local):
    with pytest.raises(LoginRefused, match=r"expired.*91 days.*limit is 90 days"):
        _auth(local.db_url).login_decision("old", GOOD)


def test_employment_outside_the_policy_is_refused_on_the_hub_too(local):
    # A2: only permanent or contract staff hold accounts; the hub checked the password itself
    # and let a temporary worker in where the other front ends refused (issue 15)
    from enclave.accounts.models import User

    with session_scope(local.db_url) as s:
        s.query(User).filter_by(username="ann").one().employment = "temporary"
    with pytest.raises(LoginRefused, match="permanent or contract staff"):
        _auth(local.db_url).login_decision("ann", GOOD)
    with session_scope(local.db_url) as s:
        assert s.query(AuditRecord).filter_by(action="login.refused", actor="ann").count() == 1
        s.query(User).filter_by(username="ann").one().employment = "permanent"
    assert _auth(local.db_url).login_decision("ann", GOOD)["name"] == "ann"


def test_password_below_policy_is_refused(local):
    with pytest.raises(LoginRefused, match="no longer meets the password policy"):
        _auth(local.db_url).login_decision("weak", "weakpassword")


def test_outside_slot_refused_reviewer_refused_admin_allowed(local):
    from tests.identity.helpers import code_at, enrol_totp

    a = _auth(local.db_url)
    with pytest.raises(LoginRefused, match="no booked slot"):
        a.login_decision("ann", GOOD, now=utcnow() + dt.timedelta(hours=3))
    # Staff roles log in with a TOTP code (A4, enclave.identity.login); without one enrolled
    # they are sent to enrol first.
    with pytest.raises(LoginRefused, match="enrol"):
        a.login_decision("adm", GOOD)
    with session_scope(local.db_url) as s:
        from enclave.accounts.models import User
        from sqlalchemy import select

        totp = {n: enrol_totp(s, s.execute(select(User).where(User.username == n)).scalar_one())
                for n in ("rev", "adm")}
    now = utcnow()
    with pytest.raises(LoginRefused, match="one-time code"):
        a.login_decision("adm", GOOD, now=now)
    with pytest.raises(LoginRefused, match="for researchers"):
        a.login_decision("rev", GOOD, now=now, otp=code_at(totp["rev"], now))
    assert a.login_decision("adm", GOOD, now=now, otp=code_at(totp["adm"], now))["admin"] is True


# ------------------------------------------------------------------ LDAP (real slapd)
@pytest.fixture(scope="module")
def slapd():
    with directory({"lena": (GOOD, 3), "omar": (GOOD, 120), "rita": (GOOD, 3),
                    "nodate": (GOOD, None)},
                   {"enclave-researchers": ["lena", "omar", "nodate"],
                    "enclave-reviewers": ["rita"]}) as srv:
        yield srv


def _ldap_auth(db_url, srv) -> EnclaveAuthenticator:
    roles = {"enclave-researchers": "researcher", "enclave-reviewers": "reviewer"}
    return _auth(db_url, backend="ldap",
                 **{f"ldap_{k}": v for k, v in srv.settings(roles).items()})


def test_ldap_bind_groups_and_gate(rows, slapd):
    rows.user("lena", source="ldap")
    rows.user("omar", source="ldap")
    rows.case("C1", ["lena", "omar"])
    rows.booking("lena", "C1", -5, 60)
    rows.booking("omar", "C1", -5, 60)
    a = _ldap_auth(rows.db_url, slapd)
    assert a.login_decision("lena", GOOD)["name"] == "lena"
    assert a.login_decision("lena", "Wrong-Passw0rd!") is None
    assert a.login_decision("lena", "") is None  # never an anonymous bind
    assert a.login_decision("ghost", GOOD) is None
    # injection attempt in the user name does not match another entry
    assert a.login_decision("lena,ou=people", GOOD) is None
    with pytest.raises(LoginRefused, match="expired"):
        a.login_decision("omar", GOOD)
    with pytest.raises(LoginRefused, match="no recorded change date"):
        a.login_decision("nodate", GOOD)
    # reviewer group -> reviewer role: the second factor is asked first (A4), the work area
    # would refuse her anyway
    with pytest.raises(LoginRefused, match="enrol"):
        a.login_decision("rita", GOOD)


def test_ldap_researcher_without_booking_refused(rows, slapd):
    rows.user("lena", source="ldap")
    rows.case("C1", ["lena"])
    with pytest.raises(LoginRefused, match="no booked slot"):
        _ldap_auth(rows.db_url, slapd).login_decision("lena", GOOD)


def test_ldap_unreachable_is_a_clear_refusal(rows):
    a = _auth(rows.db_url, backend="ldap", ldap_server_uri="ldap://127.0.0.1:9",
              ldap_user_dn_template="uid={username},ou=people,dc=x",
              ldap_group_search_base="ou=groups,dc=x")
    with pytest.raises(LoginRefused, match="directory is unreachable"):
        a.login_decision("lena", GOOD)


def test_a_researcher_logs_in_to_the_hub_with_a_second_factor_only(local):
    # A4, SATRE 3.2.04: a booked, accredited researcher's right password is not enough
    a = _auth(local.db_url)
    with pytest.raises(LoginRefused, match=r"enrol an authenticator app.*\(A4\)"):
        a.login_decision("ann", GOOD, otp="")
    code = researcher_code(local.db_url, "ann")   # now enrolled
    for wrong in ("", "000000" if code != "000000" else "111111", code[::-1] if code[::-1] != code else "123456"):
        with pytest.raises(LoginRefused, match="one-time code|TOTP"):
            a.login_decision("ann", GOOD, otp=wrong)
        with session_scope(local.db_url) as s:
            from enclave.identity import throttle
            throttle.clear(s, "ann")
    assert a.login_decision("ann", GOOD, otp=code)["name"] == "ann"
    with session_scope(local.db_url) as s:
        assert s.query(AuditRecord).filter_by(action="login.enrol_only", actor="ann").count() == 1
