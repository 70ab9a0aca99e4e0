"""A security key (A4) added on the control plane logs in to the real JupyterHub (through its
configurable-http-proxy), over HTTP: the hub's login page carries the key button and the
enclave's one script, ``/hub/webauthn/login/begin`` checks the password with the shared log-in,
and the key's answer goes in the login form to JupyterHub's own login handler, whose
``EnclaveAuthenticator.authenticate`` checks it (front end ``hub``) before the booking gate.

The key is tests/identity/softkey.py's software authenticator; control plane and hub share the
state database and the host name ``localhost`` (the RP ID), not the origin (port)."""
from __future__ import annotations

import contextlib
import json
import os

import httpx
import pytest
from sqlalchemy import select

from enclave.db import session_scope
from tests.identity.helpers import form_login, serve
from tests.identity.softkey import SoftKey
from tests.identity.test_mfa import Clock
from tests.identity.test_webauthn import Page, add_key, issue_code
from tests.services.hub import PASSWORD, HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    h.add_user("hank", roles=("admin", "researcher"))
    h.url = h.url.replace("127.0.0.1", "localhost")   # an RP ID must be a host name
    h.start()
    try:
        yield h
    finally:
        h.stop()


@contextlib.contextmanager
def control_plane(db_url):
    from enclave.web.app import create_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    with serve(create_app(db_url, load_policy(POLICY_ROOT / "nhi_centre"))) as base:
        yield base.replace("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def key(hub):
    """hank (admin: a second factor is required) adds a key on the control plane."""
    clock = Clock()
    with control_plane(hub.db_url) as base:
        page = Page(base)
        try:
            r = form_login(page.http, base, "hank", PASSWORD)
            assert r.status_code == 303 and r.headers["location"] == "/mfa"    # the enrol-only page
            k = SoftKey()
            r = add_key(page, k, issue_code(hub.db_url, "hank", clock))
            assert r.status_code == 200, r.text
        finally:
            page.close()
    return k


class HubPage:
    """What the hub's login page and its script send."""

    def __init__(self, hub: HubHarness) -> None:
        self.base = hub.url
        self.http = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60)
        self.html = self.http.get("/hub/login").text
        self.xsrf = self.http.cookies.get("_xsrf", path="/hub/") or self.http.cookies.get("_xsrf")

    def begin(self, origin: str | None = None) -> httpx.Response:
        return self.http.post("/hub/webauthn/login/begin", content=json.dumps({"username": "hank",
                                                                               "password": PASSWORD}),
                              headers={"Content-Type": "application/json", "X-XSRFToken": self.xsrf,
                                       "Origin": origin or self.base})

    def submit(self, **fields) -> httpx.Response:
        data = {"username": "hank", "password": "", "otp": "", "webauthn_attempt": "",
                "webauthn_credential": "", "_xsrf": self.xsrf, **fields}
        return self.http.post("/hub/login", data=data, headers={"Origin": self.base})

    def finish(self, attempt: str, answer: dict) -> httpx.Response:
        return self.submit(webauthn_attempt=attempt, webauthn_credential=json.dumps(answer))

    def logged_in(self) -> bool:
        return self.http.get("/hub/home").status_code == 200


def _audit(db_url: str) -> list[tuple]:
    from enclave.audit.models import AuditRecord

    with session_scope(db_url) as db:
        rows = db.execute(select(AuditRecord).where(AuditRecord.actor == "hank").order_by(AuditRecord.seq)).scalars()
        return [(r.component, r.action, r.reason or "", r.detail or {}) for r in rows]


def test_the_hub_login_page_offers_the_key_with_the_shared_script(hub, key):
    page = HubPage(hub)
    assert 'id="key-login"' in page.html and 'data-finish="form"' in page.html
    assert 'src="/hub/webauthn.js"' in page.html and 'name="webauthn_attempt"' in page.html
    from hub_config.key_login import SCRIPT

    assert page.http.get("/hub/webauthn.js").content == SCRIPT.read_bytes()


def test_password_only_is_refused_pointing_at_the_key_and_password_plus_key_logs_in(hub, key):
    page = HubPage(hub)
    r = page.submit(password=PASSWORD)
    assert r.status_code == 403 and "使用安全金鑰" in r.text and "security key" in r.text
    assert not page.logged_in()
    begun = page.begin()
    assert begun.status_code == 200, begun.text
    pk = begun.json()["publicKey"]
    assert pk["rpId"] == "localhost" and [c["id"] for c in pk["allowCredentials"]] == [key.id]
    r = page.finish(begun.json()["attempt"], key.get(pk, hub.url))
    assert r.status_code == 302 and "/hub/login" not in r.headers["location"], r.text[:500]
    assert page.logged_in()
    acts = [(c, a, d.get("factor")) for c, a, _, d in _audit(hub.db_url) if a in ("login", "login.refused")]
    assert acts[-2:] == [("hub", "login.refused", None), ("hub", "login", "webauthn")]


def test_replayed_other_origin_and_cross_site_answers_are_refused_on_the_hub(hub, key):
    page = HubPage(hub)
    begun = page.begin().json()
    answer = key.get(begun["publicKey"], hub.url)
    assert page.finish(begun["attempt"], answer).status_code == 302
    replay = HubPage(hub)
    r = replay.finish(begun["attempt"], answer)
    assert r.status_code == 403 and "used already" in r.text and not replay.logged_in()
    # an answer the browser made on another origin (a relayed challenge): refused
    other = HubPage(hub)
    begun = other.begin().json()
    r = other.finish(begun["attempt"], key.get(begun["publicKey"], "http://localhost:1"))
    assert r.status_code == 403 and "origin" in r.text.lower() and not other.logged_in()
    # a cross-site page cannot start a key log-in: Origin refused, and JupyterHub's xsrf check
    assert other.begin(origin="https://evil.example").status_code == 403
    r = other.http.post("/hub/webauthn/login/begin", json={"username": "hank", "password": PASSWORD},
                        headers={"Origin": hub.url})
    assert r.status_code == 403                                                  # no _xsrf token
    reasons = [why for c, a, why, _ in _audit(hub.db_url) if a == "login.refused" and c == "hub"]
    assert "WebAuthn challenge replayed" in reasons
    from enclave.identity.models import LoginFailure

    with session_scope(hub.db_url) as db:
        places = set(db.execute(select(LoginFailure.front_end).where(LoginFailure.username == "hank")).scalars())
    assert places == {"hub"}
