"""Single sign-on in headless Chromium (#15): log in once on the control plane with password +
TOTP, then open the review service, the release area and the real JupyterHub and be signed in
through 「以單一登入」 without typing again; log out on one, and the others ask for a log-in.

Each front end has a host name of its own, as in a deployment beyond one host, so no session
cookie reaches another front end by accident: the control plane on ``localhost``, the review
service and the hub on ``127.0.0.1``, the release area on ``127.0.0.2``.  The control plane's
cookie is SameSite=Strict, so the first visit from another site also exercises its one
same-origin hop.  The hub runs when this runs as root (its spawner needs it)."""
from __future__ import annotations

import os
import time

import pytest

from enclave.db import session_scope
from tests.control.conftest import load
from tests.identity.helpers import enrol_totp, serve
from tests.identity.test_browser_totp import chromium  # noqa: F401  (the fixture)
from tests.services.hub import PASSWORD, HubHarness

REFRESH = 5  # the hub re-checks a log-in this often (sessions.auth_refresh_seconds, its minimum)


@pytest.fixture
def world(tmp_path, monkeypatch):
    hub = HubHarness(sessions_yaml=f"auth_refresh_seconds: {REFRESH}\n")
    hub.add_user("hank", roles=("admin", "reviewer"))
    with session_scope(hub.db_url) as db:
        totp = enrol_totp(db, load(db, "hank"))
    try:
        yield hub, totp, os.geteuid() == 0
    finally:
        hub.stop()


def test_log_in_once_then_every_front_end_and_log_out_once(chromium, world, tmp_path, monkeypatch):  # noqa: F811
    from egress_review.api import create_app as egress_app
    from enclave.web.app import create_app as control_app
    from policies import load_policy

    hub, totp, hub_runs = world
    policy = load_policy(hub.opts.policy_dir)

    def egress(mode):
        return egress_app(hub.db_url, policy, store_dir=tmp_path / "store", release_dir=tmp_path / "release",
                          recover_on_start=False, mode=mode)

    capp, rapp, xapp = control_app(hub.db_url, policy), egress("internal"), egress("external")
    with serve(capp) as c, serve(rapp) as review, serve(xapp, host="127.0.0.2") as release:
        control = c.replace("127.0.0.1", "localhost")
        capp.state.sso_callbacks = {"review": [review], "release": [release], "hub": [hub.url]}
        rapp.state.sso_url = xapp.state.sso_url = control
        if hub_runs:
            monkeypatch.setenv("ENCLAVE_SSO_URL", control)
            hub.start()
        page = chromium.new_context().new_page()

        # once: password and TOTP on the control plane
        page.goto(control + "/login")
        page.get_by_label("帳號 User name").fill("hank")
        page.get_by_label("密碼 Password").fill(PASSWORD)
        page.get_by_label("驗證碼 One-time code").fill(totp.now())
        page.get_by_role("button", name="登入 Log in").click()
        page.wait_for_url(control + "/")

        # then each front end: its 「以單一登入」 link, no typing
        page.goto(review + "/login")
        page.locator("#sso-login").click()
        page.wait_for_url(review + "/queue")
        page.goto(release + "/login")
        page.locator("#sso-login").click()
        page.wait_for_url(release + "/downloads")
        if hub_runs:
            page.goto(hub.url + "/hub/login")
            page.locator("#sso-login").click()
            page.wait_for_url(lambda u: u.startswith(hub.url + "/hub/") and "/hub/login" not in u
                              and "/hub/sso/" not in u, timeout=30_000)
            assert "hank" in page.content()

        # out once, on the review service
        page.goto(review + "/queue")
        page.locator("form[action='/logout'] button").first.click()
        page.wait_for_url(review + "/login")
        page.goto(control + "/accounts")
        page.wait_for_url(f"{control}/login**")
        page.goto(release + "/downloads")
        page.wait_for_url(f"{release}/login**")
        if hub_runs:
            time.sleep(REFRESH + 1)   # the hub's next re-check of the log-in
            page.goto(hub.url + "/hub/home")
            page.wait_for_url(lambda u: "/hub/login" in u, timeout=30_000)

    from sqlalchemy import select

    from enclave.audit.models import AuditRecord

    with session_scope(hub.db_url) as s:
        logins = [r.component for r in s.execute(select(AuditRecord).where(AuditRecord.action == "sso.login")
                                                  .order_by(AuditRecord.seq)).scalars()]
    assert logins == ["review", "release"] + (["hub"] if hub_runs else [])
