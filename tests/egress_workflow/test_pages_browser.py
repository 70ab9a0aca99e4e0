"""The reviewer pages in a real headless Chromium against a real uvicorn: a researcher submits
with the session client, two reviewers approve through the pages (blind to each other), and the
requester downloads the file and an AES-encrypted zip from the release area (E4, O2)."""
from __future__ import annotations

from pathlib import Path

import pytest
import pyzipper

from enclave.audit import verify_chain
from enclave.db import session_scope
from egress_review.client import EgressClient
from tests.egress_workflow.conftest import PASSWORD, home_with_world, table_spec
from tests.egress_workflow.server import Service
from tests.screenshots import shot

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
ZERO_CELL = b"age_group,sex,n\n20-39,F,120\n20-39,M,0\n40-59,F,143\n40-59,M,131\n"


@pytest.fixture
def served(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    home, url, world = home_with_world(tmp_path)
    # The service runs the deployed policy: staff log in with password + TOTP (A4).
    from sqlalchemy import select

    from enclave.accounts.models import User
    from enclave.db import session_scope
    from policies import load_policy
    from policies.loader import POLICY_ROOT
    from tests.identity.helpers import enrol_totp

    needs = load_policy(POLICY_ROOT / "nhi_centre").accounts.mfa_required_roles
    with session_scope(url) as db:
        TOTP.clear()
        TOTP.update({u.username: enrol_totp(db, u) for u in db.execute(select(User)).scalars()
                     if any(u.has_role(r) for r in needs)})
    svc = Service(home, url).start()
    yield svc, world
    svc.stop()


TOTP: dict = {}


def login(page, base, name):
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    if name in TOTP:
        page.fill("input[name=otp]", TOTP[name].now())
    page.click("#login")


def decide(page, decision: str, reason: str, submit: str = "#submit-review") -> None:
    """The reviewer on ``page`` (a request or an import) decides: the choice, the reason, sent;
    the page comes back to the same address."""
    back = page.url
    page.check(f"input[name=decision][value={decision}]")
    page.fill("textarea[name=reason]", reason)
    page.click(submit)
    page.wait_for_url(back)


def test_two_reviewers_approve_in_the_browser_and_requester_downloads(served, tmp_path):
    from playwright.sync_api import sync_playwright

    svc, world = served
    # The researcher submits from the session with the client helper.
    outdir = tmp_path / "out"
    (outdir).mkdir()
    (outdir / "visits.csv").write_bytes(ZERO_CELL)
    man = {"version": 1, "case_code": "C1", "purpose": "門診人數 by age group and sex (paper table 1)",
           "files": [table_spec("visits.csv")]}
    with EgressClient(svc.url, world.tokens["alice"], scheme="Bearer") as c:
        pre = c.precheck(man, root=outdir)
        assert pre["verdict"] == "review"
        sub = c.submit(man, root=outdir)
    rid = sub["id"]
    assert sub["state"] == "checked"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # Reviewer 1: queue -> request -> flagged zero cell highlighted -> approve.
            ctx1 = browser.new_context()
            page = ctx1.new_page()
            login(page, svc.url, "rev1")
            page.wait_for_url(svc.url + "/queue")
            page.click(f"#queue tr[data-request='{rid}'] a.button")
            page.wait_for_url(f"{svc.url}/requests/{rid}")
            flagged = page.locator("table.data td.flag-review")
            assert flagged.count() == 1 and flagged.first.inner_text() == "0"
            assert "E2" in (flagged.first.get_attribute("title") or "")
            assert page.locator("#verdict").inner_text() == "review"
            chart = page.locator("figure.chart img")
            assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
            # the summary first, the table as a heat-map, the reason hint for a 'review' verdict
            assert page.locator("#finding-summary").is_visible()
            assert page.locator("table.data td.heat-ok, table.data td.heat-near").count() > 0
            assert page.locator("#reason-needed").is_visible()
            shot(page, "review-reviewer-request")
            decide(page, "approve", "zero cell is structural: no such visits")
            assert page.locator("#state").get_attribute("data-state") == "in_review"
            # A private note from reviewer 1.
            page.fill("form.comment-form textarea[name=body]", "checked against table 2")
            page.check("form.comment-form input[value=private]")
            page.click("form.comment-form button")

            # Reviewer 2 sees neither the decision nor the note before deciding (blind).
            ctx2 = browser.new_context()
            page2 = ctx2.new_page()
            login(page2, svc.url, "rev2")
            page2.goto(f"{svc.url}/requests/{rid}")
            assert page2.locator("#reviews li").count() == 0
            assert page2.locator("#blind").is_visible()
            shot(page2, "review-second-reviewer-blind")
            assert "checked against table 2" not in page2.content()
            decide(page2, "approve", "agree: the zero cell is structural")
            assert page2.locator("#state").get_attribute("data-state") == "released"
            assert page2.locator("#reviews li").count() == 2
            assert "checked against table 2" in page2.content()

            # The requester, from outside: the download area lists the file, downloads it,
            # then the encrypted zip.
            ctx3 = browser.new_context(accept_downloads=True)
            page3 = ctx3.new_page()
            login(page3, svc.url, "alice")
            page3.wait_for_url(svc.url + "/downloads")
            sec = page3.locator(f"#release-{rid}")
            assert sec.get_attribute("data-status") == "available"
            shot(page3, "release-researcher-downloads")
            with page3.expect_download() as dl:
                sec.locator("a.download").first.click()
            got = tmp_path / "got.csv"
            dl.value.save_as(got)
            assert got.read_bytes() == ZERO_CELL
            sec.locator("input[name=password]").fill("Ocean-Lantern-93")
            with page3.expect_download() as dlz:
                sec.locator("form.zip button").click()
            zpath = tmp_path / "release.zip"
            dlz.value.save_as(zpath)
            with pyzipper.AESZipFile(zpath) as zf:
                with pytest.raises(RuntimeError):
                    zf.read("visits.csv")
                zf.setpassword(b"Ocean-Lantern-93")
                assert zf.read("visits.csv") == ZERO_CELL
            page3.goto(svc.url + "/downloads")
            status = page3.locator(f"#release-{rid} tr[data-file='visits.csv'] .file-status").inner_text()
            assert status.startswith("downloaded") and "(2×)" in status
            # The reviewers' queue is not for researchers.
            page3.goto(svc.url + "/queue")
            assert "reviewers only" in page3.content()
        finally:
            browser.close()
    with session_scope(svc.db_url) as db:
        assert verify_chain(db) == []
