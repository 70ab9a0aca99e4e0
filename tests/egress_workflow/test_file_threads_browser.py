"""File comment threads in a real headless Chromium (issue 16): the first reviewer asks about
one file on its own thread, the second reviewer does not see it before deciding (blind), the
requester answers from the session client, the request goes back for changes, and the
resubmission's page shows the earlier thread beside the same file.  Screenshots in
test-artefacts/."""
from __future__ import annotations

from egress_review.client import EgressClient
from tests.egress_workflow.conftest import COUNTS_OK, table_spec
from tests.egress_workflow.test_pages_browser import (ARGS, CHROMIUM, decide, login,  # noqa: F401
                                                     served)
from tests.screenshots import shot


def test_reviewers_discuss_a_file_and_the_resubmission_shows_it(served, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    svc, world = served
    out = tmp_path / "out"
    out.mkdir()
    (out / "counts.csv").write_bytes(COUNTS_OK)
    man = {"version": 1, "case_code": "C1", "purpose": "門診人數 by age and sex (paper table 1)",
           "files": [table_spec("counts.csv")]}
    with EgressClient(svc.url, world.tokens["alice"], scheme="Bearer") as c:
        rid = c.submit(man, root=out)["id"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            rev1 = browser.new_context().new_page()
            login(rev1, svc.url, "rev1")
            rev1.goto(f"{svc.url}/requests/{rid}")
            sec = rev1.locator("section.file").first
            fid = int(sec.get_attribute("id").split("-")[1])
            thread = rev1.locator(f"#thread-{fid}")
            assert thread.locator("li.none").is_visible()            # empty thread, said so
            thread.locator("textarea[name=body]").fill("第 3 列是邊際合計嗎？ Is row 3 a margin?")
            thread.locator("input[value=public]").check()
            thread.locator("button").click()
            rev1.wait_for_url(f"{svc.url}/requests/{rid}#thread-{fid}")
            thread = rev1.locator(f"#thread-{fid}")
            thread.locator("textarea[name=body]").fill("<b>check</b> against table 2")
            thread.locator("input[value=private]").check()
            thread.locator("button").click()
            rev1.wait_for_url(f"{svc.url}/requests/{rid}#thread-{fid}")
            items = rev1.locator(f"#thread-{fid} li.comment")
            assert items.count() == 2
            assert items.nth(1).locator(".body").inner_text() == "<b>check</b> against table 2"  # escaped
            assert items.nth(1).get_attribute("class").endswith("c-private")
            assert "Taipei" in items.first.inner_text()
            # the request-level comment list is not the file's thread
            assert "Is row 3 a margin?" not in rev1.locator("#comments + ul").inner_text()
            shot(rev1, "review-file-thread")

            # Reviewer 2 is blind to reviewer 1's words on the file until their own review is in.
            rev2 = browser.new_context().new_page()
            login(rev2, svc.url, "rev2")
            rev2.goto(f"{svc.url}/requests/{rid}")
            assert rev2.locator(f"#thread-{fid} li.comment").count() == 0
            assert "Is row 3 a margin?" not in rev2.content()
            shot(rev2, "review-file-thread-blind")

            # The requester answers on the file's thread (the in-session client).
            with EgressClient(svc.url, world.tokens["alice"], scheme="Bearer") as c:
                c.comment(rid, fid, "不是，第 3 列是細格 No, row 3 is a cell; margins are not in the file.")

            decide(rev2, "changes", "describe which rows are margins")
            texts = rev2.locator(f"#thread-{fid} li.comment .body").all_inner_texts()
            assert texts[0].endswith("Is row 3 a margin?") and len(texts) == 3
            assert rev2.locator(f"#thread-{fid} li[data-author='alice']").count() == 1
            rev1.goto(f"{svc.url}/requests/{rid}")
            decide(rev1, "changes", "agree: say which rows are margins")
            assert rev1.locator("#state").get_attribute("data-state") == "changes_requested"

            # The resubmission links back and shows the earlier thread beside the same file.
            with EgressClient(svc.url, world.tokens["alice"], scheme="Bearer") as c:
                new = c.submit(man, root=out, supersedes=rid)["id"]
            rev3 = browser.new_context().new_page()
            login(rev3, svc.url, "rev3")
            rev3.goto(f"{svc.url}/requests/{new}")
            assert rev3.locator("#supersedes a").get_attribute("href") == f"/requests/{rid}"
            new_fid = int(rev3.locator("section.file").first.get_attribute("id").split("-")[1])
            earlier = rev3.locator(f"#thread-{new_fid} details.earlier-thread[data-request='{rid}']")
            assert earlier.is_visible()
            assert "Is row 3 a margin?" in earlier.inner_text()
            assert "row 3 is a cell" in earlier.inner_text()
            assert rev3.locator(f"#thread-{new_fid} ul.thread-comments li.comment").count() == 0
            shot(rev3, "review-resubmission-earlier-thread")
            rev3.click("#supersedes a")
            rev3.wait_for_url(f"{svc.url}/requests/{rid}")
            assert rev3.locator("#state").get_attribute("data-state") == "changes_requested"
        finally:
            browser.close()
