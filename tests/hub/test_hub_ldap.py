"""The real hub with the LDAP backend against a real OpenLDAP slapd (login page only)."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from enclave.db import utcnow
from tests.services.hub import login_page_error
from tests.services.hub import HubHarness
from tests.services.slapd import directory

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub needs root")
PW = "Directory-Passw0rd!"


@pytest.fixture(scope="module")
def ldap_hub():
    with directory({"lena": (PW, 2), "omar": (PW, 200), "nina": (PW, 2)},
                   {"enclave-researchers": ["lena", "omar", "nina"]}) as srv:
        h = HubHarness(backend="ldap",
                       ldap=srv.settings({"enclave-researchers": "researcher"}))
        for name in ("lena", "omar", "nina"):
            h.add_user(name)  # the enclave account row (source is irrelevant to the gate)
        h.add_case("L1", ["lena", "omar", "nina"])
        for name in ("lena", "omar"):
            h.book_now(name, "L1", utcnow() + dt.timedelta(hours=1))
        try:
            h.start()
            yield h
        finally:
            h.stop()


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
    assert r.status_code == 403 and reason in login_page_error(r)
