"""The import reviewer's walkthrough in a real headless Chromium against the real review
service (uvicorn) (D4, issue 16): a researcher asks to bring a file into their case from the
import page, the reviewer finds it waiting, reads the automatic findings and approves it, and
the file lands read-only in the case; a file carrying a national ID is blocked before anyone is
asked.  Screenshots of each step go to test-artefacts/ (tests/screenshots.py)."""
from __future__ import annotations

import stat

from enclave.audit import verify_chain
from enclave.db import session_scope
from tests.egress_workflow.test_pages_browser import (ARGS, CHROMIUM, decide, login,  # noqa: F401
                                                     served)
from tests.screenshots import shot

SCRIPT = b"import pandas as pd\n\ndef tidy(df):\n    return df.dropna()\n"
LEAKY = b"name,id\nWang,A123456789\n"


def _ask(page, base, purpose: str, kind: str, path, description: str = "") -> None:
    page.goto(base + "/imports")
    page.click("#new-import")
    page.wait_for_url(base + "/imports/new")
    page.select_option("select[name=case_code]", "C1")
    page.select_option("select[name=kind]", kind)
    page.fill("textarea[name=purpose]", purpose)
    page.fill("input[name=description]", description)
    page.set_input_files("input[name=uploads]", str(path))
    page.click("#submit-import")
    page.wait_for_url(base + "/imports/*")


def test_import_reviewer_walkthrough(served, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    svc, world = served
    script = tmp_path / "tidy.py"
    script.write_bytes(SCRIPT)
    leaky = tmp_path / "people.csv"
    leaky.write_bytes(LEAKY)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # The researcher asks to bring in a cleaning script for case C1.
            res = browser.new_context().new_page()
            login(res, svc.url, "alice")
            _ask(res, svc.url, "清理門診資料的程式 cleaning code for the outpatient tables",
                 "code", script, "drops empty rows")
            rid = int(res.url.rsplit("/", 1)[-1])
            assert res.locator("#import-state").get_attribute("data-state") == "in_review"
            assert res.locator("#import-verdict").inner_text() == "pass"
            assert "審查中" in res.locator("#import-state").inner_text()
            # the requester cannot decide their own request: no decision form
            assert res.locator("#import-decide").count() == 0
            shot(res, "import-researcher-asked")

            # A file with a national ID is blocked by the checks: nobody is asked, nothing kept.
            _ask(res, svc.url, "名單 a list of people", "reference", leaky)
            blocked = int(res.url.rsplit("/", 1)[-1])
            assert res.locator("#import-state").get_attribute("data-state") == "blocked"
            assert res.locator("#blocked-note").is_visible()
            assert res.locator("table.findings tr.sev-block").count() >= 1
            shot(res, "import-researcher-blocked")

            # The import reviewer: the queue shows the waiting request, not the blocked one.
            rev = browser.new_context(accept_downloads=True).new_page()
            login(rev, svc.url, "rev1")
            rev.wait_for_url(svc.url + "/queue")
            rev.click("header nav a[href='/imports']")
            rev.wait_for_url(svc.url + "/imports")
            queue = rev.locator("#import-queue")
            assert queue.locator(f"tr[data-import='{rid}']").count() == 1
            assert queue.locator(f"tr[data-import='{blocked}']").count() == 0
            assert rev.locator(f"#imports tr[data-import='{blocked}']").get_attribute("data-state") == "blocked"
            shot(rev, "import-reviewer-queue")
            queue.locator(f"tr[data-import='{rid}'] a.decide").click()
            rev.wait_for_url(f"{svc.url}/imports/{rid}")
            sec = rev.locator("section.file[data-path='tidy.py']")
            assert "drops empty rows" in sec.inner_text() and sec.locator("p.ok").is_visible()
            assert rev.locator("#requester").inner_text() == "alice"
            with rev.expect_download() as dl:       # the reviewer reads the file itself
                sec.locator("a.download").click()
            got = tmp_path / "read.py"
            dl.value.save_as(got)
            assert got.read_bytes() == SCRIPT
            shot(rev, "import-reviewer-request")
            decide(rev, "approve", "plain pandas code, no data, no network", submit="#submit-import-review")
            assert rev.locator("#import-state").get_attribute("data-state") == "delivered"
            assert rev.locator("#delivered").is_visible()
            assert "rev1" in rev.locator("#import-reviews").inner_text()
            assert rev.locator("#import-decide").count() == 0
            shot(rev, "import-reviewer-delivered")

            # The researcher sees it delivered, read-only in the case.
            res.goto(f"{svc.url}/imports/{rid}")
            assert res.locator("#import-state").get_attribute("data-state") == "delivered"
            assert f"imports/{rid}/" in res.locator("#delivered").inner_text()
            shot(res, "import-researcher-delivered")
            # A researcher of another case sees neither request.
            other = browser.new_context().new_page()
            login(other, svc.url, "mallory")
            other.goto(f"{svc.url}/imports/{rid}")
            assert "no import request" in other.content()
            other.goto(f"{svc.url}/imports")
            assert other.locator(f"#imports tr[data-import='{rid}']").count() == 0
        finally:
            browser.close()
    delivered = svc.home / "projects" / "C1" / "imports" / str(rid) / "tidy.py"
    assert delivered.read_bytes() == SCRIPT
    assert not delivered.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with session_scope(svc.db_url) as db:
        assert verify_chain(db) == []

