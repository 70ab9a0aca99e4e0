"""Headless Chromium logs in to the real JupyterHub with password + TOTP: the hub's login form
shows the one log-in's code field; without the code an administrator is refused."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from enclave.accounts.models import User
from enclave.db import session_scope
from tests.identity.helpers import enrol_totp
from tests.services.hub import PASSWORD, HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


@pytest.fixture(scope="module")
def hub():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    h = HubHarness()
    h.add_user("hank", roles=("admin", "researcher"))
    with session_scope(h.db_url) as s:
        h.totp = enrol_totp(s, s.query(User).filter_by(username="hank").one())
    h.start()
    try:
        yield h
    finally:
        h.stop()


def test_hub_login_with_password_and_totp_in_chromium(hub):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_context().new_page()
            page.goto(hub.url + "/hub/login")
            page.locator("#username_input").fill("hank")
            page.locator("#password_input").fill(PASSWORD)
            page.locator("#login_submit").click()
            page.wait_for_load_state()
            assert "one-time code" in page.content()           # password alone: refused
            assert "/hub/login" in page.url
            assert page.locator("#otp_input").count() == 1
            page.locator("#username_input").fill("hank")
            page.locator("#password_input").fill(PASSWORD)
            page.locator("#otp_input").fill(hub.totp.now())
            page.locator("#login_submit").click()
            page.wait_for_url(lambda u: "/hub/login" not in u)
            assert page.url.startswith(hub.url + "/hub/")
        finally:
            browser.close()
