"""Every page of the hub itself has a strict Content-Security-Policy, no framing, no caching,
and offers no download path (S1).

The session's pages have carried a CSP since the browser channel was closed; the hub's own
(login, home, spawn, token, admin, errors, logout, its API) had only JupyterHub's default,
``frame-ancestors 'none'``: a script that got into a hub page could fetch from or post to any
origin.  Checked through a real hub (proxy, warden, sandbox spawner) for every page a
researcher or an administrator reaches without starting a session; without
``hub_config.pages.HUB_HEADERS`` every case fails.
"""
from __future__ import annotations

import os
import re

import pytest

from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

# what must be in the policy, directive by directive
REQUIRED = {"default-src": "'none'", "frame-ancestors": "'none'", "form-action": "'self'",
            "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
            "frame-src": "'none'"}
# a page offers a download when it links to a file route, a data/blob URL, or says "download"
DOWNLOAD = re.compile(r"\bdownload\b\s*=|href=\"?(data:|blob:)|/files/|/nbconvert|"
                      r"/api/contents|[?&](download|format)=|/view/|/export", re.I)
EXTERNAL = re.compile(r"(src|href|action)\s*=\s*[\"']?\s*(https?:)?//", re.I)


@pytest.fixture(scope="module")
def pages():
    h = HubHarness()
    h.add_user("alice")
    h.add_user("bob")
    h.add_user("hank", roles=("admin", "researcher"))
    h.add_case("C1", ["alice", "bob"])
    h.bookings = {"alice": h.book_now("alice", "C1")}
    got = {}
    with h.running():
        anon = h.user("nobody")
        got["login"] = anon.http.get("/hub/login")
        got["root_redirect"] = anon.http.get("/hub/")
        got["login_refused"] = h.user("bob").login()  # no booking: the refusal page
        got["login_wrong_password"] = h.user("alice", password="wrong-Passw0rd!").login()
        alice = h.user("alice")
        assert alice.login().status_code == 302
        got["home"] = alice.http.get("/hub/home")
        got["token"] = alice.http.get("/hub/token")
        got["spawn_pending_not_running"] = alice.http.get("/hub/spawn-pending/alice")
        got["forbidden_admin"] = alice.http.get("/hub/admin")
        got["not_found"] = alice.http.get("/hub/no-such-page")
        got["api_user"] = alice.hub_api("GET", "/user")
        from enclave.accounts.models import User
        from enclave.db import session_scope, utcnow
        from tests.identity.helpers import code_at, enrol_totp

        hank = h.user("hank")
        with session_scope(h.db_url) as s:
            totp = enrol_totp(s, s.query(User).filter_by(username="hank").one())
        assert hank.login(otp=code_at(totp, utcnow())).status_code == 302
        got["admin"] = hank.http.get("/hub/admin")
        got["spawn_refused"] = hank.http.get("/hub/spawn/hank", follow_redirects=True)
        got["logout"] = alice.http.get("/hub/logout")
    return got


NAMES = ["login", "root_redirect", "login_refused", "login_wrong_password", "home", "token",
         "spawn_pending_not_running", "forbidden_admin", "not_found", "api_user", "admin",
         "spawn_refused", "logout"]


def _csp(resp) -> dict[str, str]:
    out = {}
    for part in resp.headers.get("content-security-policy", "").split(";"):
        words = part.split()
        if words:
            out[words[0]] = " ".join(words[1:])
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_hub_page_has_a_strict_csp(pages, name):
    r = pages[name]
    csp = _csp(r)
    for directive, value in REQUIRED.items():
        assert csp.get(directive) == value, (name, r.status_code, csp)
    for directive, value in csp.items():  # no other origin anywhere: no scheme, host or *
        assert not re.search(r"\*|https?:|wss?:|//", value), (directive, value)
        assert "'unsafe-eval'" not in value, (directive, value)


@pytest.mark.parametrize("name", NAMES)
def test_no_framing_and_no_caching(pages, name):
    r = pages[name]
    assert r.headers.get("x-frame-options") == "DENY", (name, dict(r.headers))
    assert "no-store" in r.headers.get("cache-control", ""), (name, dict(r.headers))
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") == "no-referrer"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "api_user"])
def test_no_page_offers_a_download_or_an_outside_link(pages, name):
    r = pages[name]
    assert r.status_code != 500, r.text[:300]
    text = r.text
    assert not DOWNLOAD.search(text), DOWNLOAD.search(text).group(0)
    assert not EXTERNAL.search(text), EXTERNAL.search(text).group(0)


def test_the_pages_are_the_ones_meant(pages):
    """The fixture reached each page (not a redirect to the login page for all of them)."""
    assert pages["login"].status_code == 200 and "password" in pages["login"].text.lower()
    assert pages["home"].status_code == 200 and pages["token"].status_code == 200
    assert pages["admin"].status_code == 200
    assert pages["login_refused"].status_code == 403
    assert pages["forbidden_admin"].status_code == 403 and pages["not_found"].status_code == 404
    assert pages["spawn_refused"].status_code in (403, 500)
    assert pages["api_user"].status_code == 200 and pages["api_user"].json()["name"] == "alice"
