"""Headless Chromium enrols a security key with the admin's one-time enrolment code and then
logs in with password + key, on the control plane's own pages and script.

The key is Chromium's virtual authenticator, switched on over the Chrome DevTools Protocol
(``WebAuthn.enable``, ``WebAuthn.addVirtualAuthenticator``: CTAP2 over USB, with user
verification).  It is Chromium's own testing feature, not a mock: the browser runs the real
``navigator.credentials.create/get``, builds clientDataJSON with the page's true origin, and
the virtual authenticator makes real key pairs, attestation objects, signatures and counters,
which the server checks exactly as it would a hardware key's."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from enclave.db import session_scope, utcnow
from tests.control.conftest import PASSWORD, load, mk_user
from tests.identity.helpers import serve
from tests.identity.test_browser_totp import chromium  # noqa: F401  (the fixture)
from tests.screenshots import shot

AUTHENTICATOR = {"protocol": "ctap2", "transport": "usb", "hasResidentKey": False,
                 "hasUserVerification": True, "isUserVerified": True}


@pytest.fixture
def state(tmp_path):
    from enclave.db import upgrade
    from enclave.identity import mfa

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    with session_scope(url) as db:
        for name, role in (("admin", "admin"), ("bob", "researcher")):
            mk_user(db, name, role, when=utcnow() - dt.timedelta(days=1))
        # A4: the one-time enrolment code the admin hands over with the first password
        code = mfa.issue_enrolment_code(db, load(db, "admin"), by="setup", now=utcnow(), hours=72)
    return url, code


def _password(page, name: str) -> None:
    page.get_by_label("帳號 User name").fill(name)
    page.get_by_label("密碼 Password").fill(PASSWORD)


def test_enrol_a_key_with_the_code_then_log_in_with_password_and_key(chromium, state, nhi_policy):  # noqa: F811
    from enclave.web.app import create_app

    url, code = state
    with serve(create_app(url, nhi_policy)) as base:
        base = base.replace("127.0.0.1", "localhost")   # an RP ID must be a host name, not an IP
        context = chromium.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

        def keys_on_authenticator() -> list[dict]:
            return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]

        page.goto(base + "/login")
        _password(page, "admin")
        page.get_by_role("button", name="登入 Log in").click()
        page.wait_for_url(base + "/mfa")                       # staff: the enrol-only page (A4)
        # the password alone adds no key: a wrong code is refused before the authenticator is asked
        page.get_by_label("金鑰註冊碼 Key enrolment code").fill("ABCD-EFGH-JKLM-NPQR")
        page.get_by_label("金鑰名稱 Key name").fill("virtual USB key")
        page.get_by_role("button", name="新增安全金鑰 Add a security key").click()
        expect(page.locator("#key-error")).to_contain_text("Enrolment code refused")   # the script's answer
        assert keys_on_authenticator() == []
        shot(page, "identity-webauthn-enrol")
        page.get_by_label("金鑰註冊碼 Key enrolment code").fill(code.lower())
        page.get_by_role("button", name="新增安全金鑰 Add a security key").click()
        page.wait_for_url(f"{base}/login**")                   # the enrol-only session is over
        assert "Security key added" in page.get_by_role("status").inner_text()
        made = keys_on_authenticator()
        assert len(made) == 1 and made[0]["rpId"] == "localhost"

        # password without the key: refused, pointing at the key
        _password(page, "admin")
        page.get_by_role("button", name="登入 Log in").click()
        assert "security key" in page.get_by_role("alert").inner_text()

        # password + key
        _password(page, "admin")
        page.get_by_role("button", name="使用安全金鑰 Use a security key").click()
        page.wait_for_url(base + "/")
        page.goto(base + "/accounts")                          # a staff page: fully logged in
        assert page.get_by_role("row").filter(has_text="bob").count() == 1
        assert keys_on_authenticator()[0]["signCount"] >= 1
        page.goto(base + "/mfa")
        assert "virtual USB key" in page.get_by_role("table").inner_text()
        shot(page, "identity-webauthn-keys")

    from enclave.audit.models import AuditRecord

    with session_scope(url) as db:
        rows = db.execute(select(AuditRecord).where(AuditRecord.actor == "admin")
                          .order_by(AuditRecord.seq)).scalars().all()
        acts = [(r.action, (r.detail or {}).get("factor")) for r in rows]
    assert ("mfa.enrolled", "webauthn") in acts and ("login", "webauthn") in acts
