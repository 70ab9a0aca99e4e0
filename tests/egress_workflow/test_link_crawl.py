"""Every link and picture the review service's pages show answers a browser with a page, a
picture or a file - never 404, never a 5xx, never raw JSON (issue 16).  Over real HTTP
(uvicorn on a loopback port), logged in with a browser session for each role, following every
same-site ``href``, ``src`` and GET form action of every page reached, up to a bound.  Data:
requests checked, in review, sent back, resubmitted, released, with file threads; imports
waiting, delivered and blocked - so the queue, request, thread, import and download pages all
exist."""
from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.db import session_scope
from enclave.identity.sessions import issue_token
from enclave.web.auth import COOKIE
from tests.egress_workflow.conftest import COUNTS_OK, home_with_world, manifest, table_spec
from tests.egress_workflow.server import Service
from tests.link_crawl import crawl

MAX_PAGES = 150
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def populated(tmp_path):
    home, url, world = home_with_world(tmp_path)
    svc = Service(home, url).start()
    api = httpx.Client(base_url=svc.url, timeout=60)

    def submit(files, **form):
        man = manifest(files=[table_spec(p) for p in files])
        r = api.post("/api/requests", headers=world.auth("alice"), data={"manifest": json.dumps(man), **form},
                     files=[("files", (p, b, "text/csv")) for p, b in files.items()])
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def review(who, rid, decision, reason="all cells are at least six persons; margins checked"):
        assert api.post(f"/api/requests/{rid}/reviews", headers=world.auth(who),
                        json={"decision": decision, "reason": reason}).status_code == 200

    try:
        waiting = submit({"counts.csv": COUNTS_OK, "more.csv": COUNTS_OK})
        fid = api.get(f"/api/requests/{waiting}", headers=world.auth("rev1")).json()["files"][0]["id"]
        api.post(f"/api/requests/{waiting}/files/{fid}/comments", headers=world.auth("rev1"),
                 json={"body": "row 2?", "visibility": "public"})
        review("rev1", waiting, "approve")
        sent_back = submit({"counts.csv": COUNTS_OK})
        fid2 = api.get(f"/api/requests/{sent_back}", headers=world.auth("rev1")).json()["files"][0]["id"]
        api.post(f"/api/requests/{sent_back}/files/{fid2}/comments", headers=world.auth("rev2"),
                 json={"body": "say what row 2 is", "visibility": "public"})
        review("rev1", sent_back, "changes")
        review("rev2", sent_back, "changes")
        submit({"counts.csv": COUNTS_OK}, supersedes=str(sent_back))
        released = submit({"released.csv": COUNTS_OK})
        review("rev1", released, "approve")
        review("rev2", released, "approve")
        for body in (b"def f(x):\n    return x\n", b"name,id\nWang,A123456789\n"):
            api.post("/api/imports", headers=world.auth("alice"),
                     data={"case_code": "C1", "purpose": "helper code",
                           "files_json": json.dumps([{"path": "f.py" if b"def" in body else "p.csv",
                                                      "kind": "code" if b"def" in body else "reference"}])},
                     files=[("uploads", ("x", body, "application/octet-stream"))]).raise_for_status()
        api.post("/api/imports", headers=world.auth("alice"),
                 data={"case_code": "C1", "purpose": "lookup table", "files_json": json.dumps(
                     [{"path": "lookup.csv", "kind": "reference"}])},
                 files=[("uploads", ("x", b"code,label\n1,a\n", "text/csv"))]).raise_for_status()
        first = api.get("/api/imports", headers=world.auth("rev1")).json()[0]["id"]
        api.post(f"/api/imports/{first}/review", headers=world.auth("rev1"),
                 json={"decision": "approve", "reason": "plain code"}).raise_for_status()
        yield svc, world
    finally:
        api.close()
        svc.stop()


@pytest.mark.parametrize("who", ["rev1", "rev3", "alice", "mallory", "com1"])
def test_no_dead_or_raw_json_links(populated, who):
    svc, _ = populated
    with session_scope(svc.db_url) as db:
        u = db.execute(select(User).where(User.username == who)).scalar_one()
        tok = issue_token(db, u, kind="browser", lifetime=dt.timedelta(hours=1), factor="totp")
    with httpx.Client(base_url=svc.url, timeout=60, cookies={COOKIE: tok}) as http:
        seen = crawl(lambda url: http.get(url, headers=BROWSER, follow_redirects=True),
                     max_pages=MAX_PAGES)
    bad = {u: s for u, s in seen.items() if s[0] == 404 or s[0] >= 500 or "json" in s[1]}
    assert not bad, bad
    pages = {u for u, s in seen.items() if "text/html" in s[1]}
    expect = {"rev1": ["/queue", "/imports", "/downloads", "/requests/1", "/requests/2",
                       "/requests/3", "/imports/1", "/imports/2", "/imports/3"],
              "rev3": ["/queue", "/requests/3", "/imports/2"],
              "alice": ["/downloads", "/imports", "/imports/new", "/imports/1"],
              "mallory": ["/downloads", "/imports"],
              "com1": ["/queue", "/imports"]}[who]
    missing = [p for p in expect if p not in pages]
    assert not missing, (missing, sorted(seen))
    if who == "rev1":   # the reviewer's chart and the import file download were followed too
        assert any(u.endswith("/counts.svg") and s[1].startswith("image/svg") for u, s in seen.items())
        assert any(u.startswith("/api/imports/") and "octet-stream" in s[1] for u, s in seen.items())
