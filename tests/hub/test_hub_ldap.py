"""The real hub with the LDAP backend against a real OpenLDAP slapd (login page only)."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from enclave.db import utcnow
from tests.hub.test_hub import _login_page_error
from tests.services.hub import HubHarness
from tests.services.slapd import SlapdServer, slapd_bin

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub needs root")
PW = "Directory-Passw0rd!"


@pytest.fixture(scope="module")
def ldap_hub():
    if slapd_bin() is None:
        pytest.skip("slapd not installed")
    srv = SlapdServer().start()
    today = dt.datetime.now(dt.timezone.utc)
    srv.add_user("lena", PW, today - dt.timedelta(days=2))
    srv.add_user("omar", PW, today - dt.timedelta(days=200))
    srv.add_user("nina", PW, today - dt.timedelta(days=2))
    srv.add_group("enclave-researchers", ["lena", "omar", "nina"])
    h = HubHarness(backend="ldap", ldap={
        "server_uri": srv.uri,
        "user_dn_template": "uid={username},ou=people,dc=enclave,dc=test",
        "group_search_base": "ou=groups,dc=enclave,dc=test",
        "group_roles": {"enclave-researchers": "researcher"}})
    now = utcnow()
    for name in ("lena", "omar", "nina"):
        h.add_user(name)  # the enclave account row (source is irrelevant to the gate)
    h.add_case("L1", ["lena", "omar", "nina"])
    for name in ("lena", "omar"):
        h.add_booking(name, "L1", now - dt.timedelta(minutes=5), now + dt.timedelta(hours=1))
    try:
        h.start()
        yield h
    finally:
        h.stop()
        srv.stop()


def test_ldap_login_allowed_inside_slot(ldap_hub):
    r = ldap_hub.user("lena", PW).login()
    assert r.status_code == 302 and "/hub/spawn" in r.headers["location"]


@pytest.mark.parametrize("name, pw, reason", [
    ("lena", "Wrong-Passw0rd!", "Invalid username or password"),
    ("omar", PW, "expired"),
    ("nina", PW, "no booked slot"),
    ("ghost", PW, "Invalid username or password"),
])
def test_ldap_login_refused(ldap_hub, name, pw, reason):
    r = ldap_hub.user(name, pw).login()
    assert r.status_code == 403 and reason in _login_page_error(r)
