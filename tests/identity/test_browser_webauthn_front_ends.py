"""One security key (A4), every front end, in headless Chromium: the key is added on the control
plane's two-step page (with the admin's one-time enrolment code) and then logs in, with the
password, on the review service, the release area and - when the hub can run here (root) - the
real JupyterHub, each on its own port of ``localhost``: one RP ID, four origins.

The key is Chromium's virtual authenticator (CDP ``WebAuthn.addVirtualAuthenticator``, CTAP2
over USB): the browser runs the real ``navigator.credentials.create/get`` with each page's true
origin, and the pages run the enclave's one script (``/assets/webauthn.js``, ``/hub/webauthn.js``).
Cookies are cleared before each front end (every service shares the host name, so a session
cookie of one would otherwise be sent to the next), so each landing page is reached by that
front end's own key log-in; the audit records say which front end it was."""
from __future__ import annotations

import contextlib
import os

import pytest
from sqlalchemy import select

from enclave.db import session_scope, utcnow
from tests.identity.helpers import serve
from tests.identity.test_browser_totp import chromium  # noqa: F401  (the fixture)
from tests.identity.test_browser_webauthn import AUTHENTICATOR
from tests.screenshots import shot
from tests.services.hub import PASSWORD, HubHarness


@pytest.fixture
def world(tmp_path):
    """hank (admin and reviewer: a second factor is required) with an enrolment code, in the
    state database of a hub (started when this runs as root: its spawner needs it)."""
    from enclave.accounts.models import User
    from enclave.identity import mfa

    hub = HubHarness()
    hub.add_user("hank", roles=("admin", "reviewer"))
    with session_scope(hub.db_url) as db:
        user = db.execute(select(User).where(User.username == "hank")).scalar_one()
        code = mfa.issue_enrolment_code(db, user, by="setup", now=utcnow(), hours=72)
    started = os.geteuid() == 0
    if started:
        hub.url = hub.url.replace("127.0.0.1", "localhost")   # an RP ID must be a host name
        hub.start()
    try:
        yield hub, code, started
    finally:
        hub.stop()


@contextlib.contextmanager
def _localhost(app):
    with serve(app) as base:
        yield base.replace("127.0.0.1", "localhost")


def test_a_key_added_on_the_control_plane_logs_in_on_every_front_end(chromium, world, tmp_path):  # noqa: F811
    from egress_review.api import create_app as egress_app
    from enclave.audit.models import AuditRecord
    from enclave.web.app import create_app as control_app
    from policies import load_policy

    hub, code, hub_started = world
    policy = load_policy(hub.opts.policy_dir)

    def egress(mode):
        return egress_app(hub.db_url, policy, store_dir=tmp_path / "store", release_dir=tmp_path / "release",
                          recover_on_start=False, mode=mode)

    with _localhost(control_app(hub.db_url, policy)) as control, _localhost(egress("internal")) as review, \
            _localhost(egress("external")) as release:
        context = chromium.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

        def sign_count() -> int:
            creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
            assert len(creds) == 1 and creds[0]["rpId"] == "localhost"
            return creds[0]["signCount"]

        def password(user_label, password_label):
            page.get_by_label(user_label).fill("hank")
            page.get_by_label(password_label).fill(PASSWORD)

        # 1. control plane: password, the enrol-only page, the code, the key
        page.goto(control + "/login")
        password("帳號 User name", "密碼 Password")
        page.get_by_role("button", name="登入 Log in").click()
        page.wait_for_url(control + "/mfa")
        page.get_by_label("金鑰註冊碼 Key enrolment code").fill(code)
        page.get_by_label("金鑰名稱 Key name").fill("virtual USB key")
        page.get_by_role("button", name="新增安全金鑰 Add a security key").click()
        page.wait_for_url(f"{control}/login**")
        sign_count()                                           # one key, RP ID localhost

        # 2, 3. review service and release area: the password alone is refused, the key logs in
        for base, landing, shot_name in ((review, "/queue", "identity-webauthn-review"),
                                         (release, "/downloads", "identity-webauthn-release")):
            context.clear_cookies()
            page.goto(f"{base}/login?next={landing}")
            password("帳號 User name", "密碼 Password")
            page.locator("#login").click()
            assert "使用安全金鑰" in page.get_by_role("alert").first.inner_text()
            password("帳號 User name", "密碼 Password")
            before = sign_count()
            page.get_by_role("button", name="使用安全金鑰 Use a security key").click()
            page.wait_for_url(base + landing)
            assert sign_count() == before + 1
            shot(page, shot_name)

        # 4. the hub: its own login page and authenticator, the same script and checks
        if hub_started:
            context.clear_cookies()
            page.goto(hub.url + "/hub/login")
            page.locator("#username_input").fill("hank")
            page.locator("#password_input").fill(PASSWORD)
            page.locator("#login_submit").click()
            page.wait_for_load_state()
            assert "使用安全金鑰" in page.locator("#login-error").inner_text()
            shot(page, "identity-webauthn-hub-login")                 # the refusal and the key button
            page.locator("#username_input").fill("hank")
            page.locator("#password_input").fill(PASSWORD)
            before = sign_count()
            page.locator("#key-login").click()
            page.wait_for_url(lambda u: "/hub/login" not in u)
            assert page.url.startswith(hub.url + "/hub/") and sign_count() == before + 1

    with session_scope(hub.db_url) as db:
        rows = db.execute(select(AuditRecord).where(AuditRecord.actor == "hank").order_by(AuditRecord.seq)).scalars()
        seen = [(r.component, r.action, (r.detail or {}).get("factor")) for r in rows]
    assert ("control", "mfa.enrolled", "webauthn") in seen
    logins = [c for c, a, f in seen if a == "login" and f == "webauthn"]
    assert logins == ["review", "release"] + (["hub"] if hub_started else [])
    refused = [c for c, a, _ in seen if a == "login.refused"]
    assert refused == ["review", "release"] + (["hub"] if hub_started else [])
