"""The main pages in headless Chromium against a real uvicorn server on a free loopback port:
book a slot, approve a change request, sign off an audit sample."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from enclave.bookings import calendar as cal
from enclave.cases import service as cases
from enclave.db import session_scope, upgrade, utcnow
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.control.conftest import PASSWORD, load, mk_case, mk_user
from tests.identity.helpers import enrol_totp
from tests.screenshots import shot
from tests.services.browser import ARGS, CHROMIUM, control_login
from tests.services.net import control_plane



@pytest.fixture
def server(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    now = utcnow()
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin", when=now)
        mk_user(db, "boss", "committee", when=now)
        alice = mk_user(db, "alice", when=now)
        mk_user(db, "bob", when=now)
        totp = {n: enrol_totp(db, load(db, n)) for n in ("admin", "boss")}
        c = mk_case(db, policy, alice, admin=admin, now=now)
        # the approval made alice her case's officer (A7), a role that logs in with a TOTP code
        totp["alice"] = enrol_totp(db, alice)
        cases.request_change(db, policy, alice, c, kind="staff", payload={"add": ["bob"]}, now=now)
        code = c.code
    from enclave.settings import get_settings

    # the server seals the audit chain with the same master key as the records made above
    env = dict(os.environ, ENCLAVE_DB_URL=url, ENCLAVE_HOME=str(tmp_path), ENCLAVE_KEYS=str(get_settings().keys_dir),
               ENCLAVE_POLICY=str(POLICY_ROOT / "nhi_centre"))
    with control_plane(env) as base:
        yield {"base": base, "url": url, "code": code, "policy": policy, "totp": totp}


def _login(page, base, name, totp=None):
    control_login(page, base, name, PASSWORD, totp)


def test_book_approve_sign_in_chromium(server):
    from playwright.sync_api import sync_playwright

    base, code, policy = server["base"], server["code"], server["policy"]
    day = cal.local_date(utcnow(), policy) + dt.timedelta(days=1)
    while cal.closed_reason(day, policy):
        day += dt.timedelta(days=1)
    slot = cal.slots_on(day, policy)[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # 1. a researcher books a slot from the calendar
            ctx = browser.new_context()
            page = ctx.new_page()
            _login(page, base, "alice", server["totp"]["alice"])
            assert page.get_by_role("link", name="違規 Violations").count() == 0  # not offered
            page.goto(f"{base}/calendar?start={day.isoformat()}")
            page.get_by_role("button", name=f"預約 Book {slot.key}").click()
            page.wait_for_load_state()
            assert "已預約 Booked" in page.get_by_role("status").inner_text()
            assert "已預約 booked" in page.locator(f'[data-slot="{slot.key}"]').inner_text()
            assert page.locator("#week-grid meter").count() > 0            # the week grid
            shot(page, "control-researcher-calendar")
            # the case page offers no approve button to the researcher
            page.goto(f"{base}/cases/{code}")
            assert page.get_by_role("button", name="核准 Approve").count() == 0
            ctx.close()

            # 2. the centre admin approves the pending staff change, then draws an audit sample
            ctx = browser.new_context()
            page = ctx.new_page()
            _login(page, base, "admin", server["totp"]["admin"])
            page.goto(f"{base}/cases/{code}")
            page.get_by_role("button", name="核准變更 Approve change").click()
            page.wait_for_load_state()
            assert "已核准變更 Change approved" in page.get_by_role("status").inner_text()
            assert page.get_by_role("cell", name="bob", exact=True).count() == 1  # now a member
            assert page.locator("#purpose").is_visible() and page.locator("#extract-spec").is_visible()
            shot(page, "control-admin-case")
            page.goto(f"{base}/queue")
            assert page.get_by_role("heading", name="待辦 Work queue").is_visible()
            shot(page, "control-admin-queue")
            page.goto(f"{base}/audit/samples")
            page.get_by_role("button", name="抽樣 Draw a sample").click()
            page.wait_for_load_state()
            sample_url = page.url.split("?")[0]
            assert page.get_by_role("button", name="簽核 Sign off").count() == 0  # drawer cannot sign
            ctx.close()

            # 3. a supervisor records an anomaly and signs the sample off
            ctx = browser.new_context()
            page = ctx.new_page()
            _login(page, base, "boss", server["totp"]["boss"])
            page.goto(sample_url)
            page.get_by_label("說明 Note").fill("login at odd hours, explained by the PI")
            page.get_by_role("button", name="記錄異常 Record anomaly").click()
            page.wait_for_load_state()
            page.get_by_role("button", name="簽核 Sign off").click()
            page.wait_for_load_state()
            assert page.locator("#sample-status").inner_text() == "已簽核 signed"
            shot(page, "control-supervisor-sample")
            ctx.close()
        finally:
            browser.close()
    with session_scope(server["url"]) as db:
        from sqlalchemy import select

        from enclave.audit import verify_chain
        from enclave.audit.models import AuditRecord

        actions = db.execute(select(AuditRecord.action, AuditRecord.actor).order_by(AuditRecord.seq)).all()
        assert ("booking.created", "alice") in actions
        assert ("case.change_approved", "admin") in actions
        assert ("audit_sample.signed", "boss") in actions
        assert verify_chain(db) == []
