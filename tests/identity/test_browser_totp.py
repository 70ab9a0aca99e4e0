"""Headless Chromium logs in with password + TOTP on the control plane (enrolling first, as a
new staff member does) and on the review service, then uses CSRF-protected forms: the real
browser sends the Origin and the token the page carries."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyotp
import pytest

from enclave.db import session_scope, utcnow
from tests.control.conftest import PASSWORD, load, mk_user
from tests.identity.helpers import enrol_totp, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


ENROLMENT_CODES: dict[str, str] = {}


@pytest.fixture
def state(tmp_path):
    from enclave.db import upgrade

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    with session_scope(url) as db:
        for name, role in (("admin", "admin"), ("rev", "reviewer"), ("bob", "researcher")):
            mk_user(db, name, role, when=utcnow() - dt.timedelta(days=1))
        rev_totp = enrol_totp(db, load(db, "rev"))
        # A4: the admin's one-time enrolment code, handed over with the first password
        from enclave.identity import mfa

        ENROLMENT_CODES["admin"] = mfa.issue_enrolment_code(db, load(db, "admin"), by="setup", now=utcnow(), hours=72)
    return url, rev_totp


def test_control_plane_enrol_then_log_in_with_totp_and_use_a_form(chromium, state, nhi_policy):
    from enclave.web.app import create_app

    url, _ = state
    with serve(create_app(url, nhi_policy)) as base:
        page = chromium.new_context().new_page()
        page.goto(base + "/login")
        page.get_by_label("帳號 User name").fill("admin")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.get_by_role("button", name="登入 Log in").click()
        page.wait_for_url(base + "/mfa")                     # staff: enrol first (A4)
        # no secret for the password alone: first the admin's one-time enrolment code
        assert page.locator("#totp-secret").count() == 0
        page.get_by_label("註冊碼 Enrolment code").fill("ABCD-EFGH-JKLM-NPQR")
        page.get_by_role("button", name="下一步 Next").click()
        assert "Enrolment code refused" in page.get_by_role("alert").inner_text()
        assert page.locator("#totp-secret").count() == 0
        page.get_by_label("註冊碼 Enrolment code").fill(ENROLMENT_CODES["admin"].lower())
        page.get_by_role("button", name="下一步 Next").click()
        totp = pyotp.TOTP(page.locator("#totp-secret").inner_text())
        page.get_by_label("驗證碼 Code").fill(totp.now())
        page.get_by_role("button", name="啟用 Enrol").click()
        page.wait_for_url(f"{base}/login**")
        # password alone is no longer enough
        page.get_by_label("帳號 User name").fill("admin")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.get_by_role("button", name="登入 Log in").click()
        assert "one-time code" in page.get_by_role("alert").inner_text()
        # password + TOTP (the next step: the enrolment's code is spent)
        page.get_by_label("帳號 User name").fill("admin")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.get_by_label("驗證碼 One-time code").fill(totp.at(dt.datetime.now(dt.timezone.utc)
                                                         + dt.timedelta(seconds=totp.interval)))
        page.get_by_role("button", name="登入 Log in").click()
        page.wait_for_url(base + "/")
        # a CSRF-protected form works from the page itself
        page.goto(base + "/accounts")
        row = page.get_by_role("row").filter(has_text="bob")
        row.get_by_label("暫停原因 Suspension reason").fill("on leave")
        row.get_by_role("button", name="暫停 Suspend").click()
        page.wait_for_load_state()
        assert "bob suspended" in page.get_by_role("status").inner_text()


def test_review_service_log_in_with_password_and_totp(chromium, state, nhi_policy, tmp_path):
    from egress_review.api import create_app

    url, totp = state
    app = create_app(url, nhi_policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                     recover_on_start=False)
    with serve(app) as base:
        page = chromium.new_context().new_page()
        page.goto(base + "/login")
        page.get_by_label("帳號 User name").fill("rev")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.locator("#login").click()
        assert "one-time code" in page.get_by_role("alert").inner_text()
        page.get_by_label("帳號 User name").fill("rev")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.get_by_label("驗證碼 One-time code").fill(totp.now())
        page.locator("#login").click()
        page.wait_for_url(base + "/queue")
        page.get_by_role("button", name="登出 Log out").click()   # a CSRF-protected form
        page.wait_for_url(f"{base}/login**")
        page.goto(base + "/queue")
        page.wait_for_url(f"{base}/login**")                       # the session is over
