"""A log-in never adopts a session the browser already carried, and a log-out ends it for good
(A2, A4; OWASP session fixation), over real HTTP against the control plane's pages.

An attacker who plants a cookie in a victim's browser (their own valid session, or a value of
their choosing) must not end up sharing the victim's log-in; a cookie copied before log-out
must open nothing after it."""
from __future__ import annotations

import httpx
import pytest

from enclave.web.auth import COOKIE
from enclave.web.csrf import csrf_token
from tests.control.conftest import PASSWORD, without_mfa
from tests.identity.helpers import serve


@pytest.fixture
def base(people_db, nhi_policy):
    from enclave.web.app import create_app

    with serve(create_app(people_db, without_mfa(nhi_policy))) as url:
        yield url


def _login(base: str, who: str, planted: str | None = None) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    if planted is not None:
        http.cookies.set(COOKIE, planted)
    r = http.post("/login", data={"username": who, "password": PASSWORD, "next": "/"},
                  headers={"origin": base, **({"x-csrf-token": csrf_token(planted)} if planted else {})})
    assert r.status_code == 303, r.text[:300]
    return http, r.cookies.get(COOKIE)


def _me(base: str, token: str) -> str | None:
    r = httpx.get(f"{base}/api/me", cookies={COOKIE: token}, timeout=30)
    return r.json().get("username") if r.status_code == 200 else None


@pytest.mark.parametrize("planted", ["attackers-own-session", "chosen-value", "empty"])
def test_a_log_in_issues_a_new_session_whatever_the_browser_carried(base, planted):
    if planted == "attackers-own-session":
        _, value = _login(base, "bob")                  # the attacker's real, valid session
    else:
        value = {"chosen-value": "A" * 43, "empty": ""}[planted]
    http, token = _login(base, "alice", planted=value)
    assert token and token != value                     # a fresh one, set by this answer
    assert _me(base, token) == "alice"
    if planted == "attackers-own-session":
        assert _me(base, value) == "bob"                 # the planted one was not made alice's
    else:
        assert _me(base, value) is None
    http.close()


def test_a_cookie_copied_before_log_out_opens_nothing_after(base):
    http, token = _login(base, "alice")
    other, token2 = _login(base, "alice")                # the same person in a second browser
    assert _me(base, token) == "alice" and _me(base, token2) == "alice"
    r = http.post("/logout", headers={"origin": base, "x-csrf-token": csrf_token(token)})
    assert r.status_code == 303
    assert COOKIE in r.headers.get("set-cookie", "")    # the browser is told to drop it
    assert _me(base, token) is None                      # and the server forgot it
    assert httpx.get(f"{base}/", cookies={COOKIE: token}, timeout=30, follow_redirects=False) \
        .status_code in (303, 307, 401)
    assert _me(base, token2) == "alice"                  # another log-in is its own
    http.close()
    other.close()
