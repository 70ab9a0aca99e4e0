"""A comment thread per file of an egress request (issue 16), over real HTTP (uvicorn on a
loopback port): reviewers write public or private comments on a file, blind to each other until
their own review is in; the requester answers in the thread; every comment is audited,
length-bounded and escaped; nobody comments on a request they cannot see; a resubmission shows
the threads of the request it replaces."""
from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.audit import verify_chain
from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from enclave.identity.sessions import issue_token
from enclave.web.auth import COOKIE
from tests.egress_workflow.conftest import COUNTS_OK, home_with_world, manifest, table_spec
from tests.egress_workflow.server import Service

VISITS = b"age_group,sex,n\n20-39,F,60\n20-39,M,58\n40-59,F,73\n40-59,M,71\n"


@pytest.fixture
def live(tmp_path):
    home, url, world = home_with_world(tmp_path)
    # staff log in with a TOTP on the deployed policy; this test uses API tokens (Bearer) only
    svc = Service(home, url).start()
    try:
        with httpx.Client(base_url=svc.url, timeout=60) as http:
            yield svc, world, http
    finally:
        svc.stop()


def _submit(http, world, files: dict[str, bytes], **form) -> dict:
    man = manifest(files=[table_spec(p) for p in files])
    r = http.post("/api/requests", headers=world.auth("alice"),
                  data={"manifest": json.dumps(man), **form},
                  files=[("files", (p, b, "application/octet-stream")) for p, b in files.items()])
    assert r.status_code == 201, r.text
    return r.json()


def _say(http, world, who, rid, fid, body, visibility="public"):
    return http.post(f"/api/requests/{rid}/files/{fid}/comments", headers=world.auth(who),
                     json={"body": body, "visibility": visibility})


def _thread(http, world, who, rid, fid) -> list[str]:
    d = http.get(f"/api/requests/{rid}", headers=world.auth(who)).json()
    return [c["body"] for t in d["threads"] if t["file_id"] == fid for c in t["comments"]]


def test_file_threads_blind_answered_bounded_and_carried_to_the_resubmission(live):
    svc, world, http = live
    rid = _submit(http, world, {"counts.csv": COUNTS_OK, "visits.csv": VISITS})["id"]
    d = http.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    fids = {f["path"]: f["id"] for f in d["files"]}
    counts, visits = fids["counts.csv"], fids["visits.csv"]

    # Reviewer 1 asks about counts.csv (public) and notes something for reviewers (private).
    r = _say(http, world, "rev1", rid, counts, "Row 2: is 40-59 F a margin?")
    assert r.status_code == 201 and r.json()["file_id"] == counts, r.text
    assert _say(http, world, "rev1", rid, counts, "compare with table 2 of the paper",
                "private").status_code == 201
    assert _thread(http, world, "rev1", rid, counts) == ["Row 2: is 40-59 F a margin?",
                                                          "compare with table 2 of the paper"]
    assert _thread(http, world, "rev1", rid, visits) == []
    # The request's own comments stay apart from the file threads.
    assert http.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["comments"] == []

    # Reviewer 2 has not reviewed yet: blind to reviewer 1's words on the file, as on the request.
    assert _thread(http, world, "rev2", rid, counts) == []
    # The requester (from outside: redacted, no file names) sees the public question only.
    seen = http.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    assert seen["redacted"] is True
    (t,) = [t for t in seen["threads"] if t["file_id"] == counts]
    assert t["path"] == "" and [c["body"] for c in t["comments"]] == ["Row 2: is 40-59 F a margin?"]

    # The requester answers on the file's thread; a private answer is refused.
    r = _say(http, world, "alice", rid, counts, "No, it is a cell; the margin is in row 5.")
    assert r.status_code == 201, r.text
    assert _say(http, world, "alice", rid, counts, "x", "private").status_code == 403
    # ... and words that would carry data out are refused (E7: a national ID number).
    r = _say(http, world, "alice", rid, counts, "the person is A123456789, see row 2")
    assert r.status_code == 422 and "comment refused" in r.json()["detail"]
    assert "A123456789" not in json.dumps(http.get(f"/api/requests/{rid}",
                                                   headers=world.auth("rev1")).json())

    # Nobody comments on a request they cannot see; ids and lengths are bounded.
    assert _say(http, world, "mallory", rid, counts, "hello").status_code == 404
    assert _say(http, world, "bob", rid, counts, "hello").status_code == 404  # case member, not requester
    assert _say(http, world, "rev1", rid, 2**31, "x").status_code == 422
    assert _say(http, world, "rev1", rid, 999_999, "x").status_code == 404
    assert _say(http, world, "rev1", 2**31, counts, "x").status_code == 422
    assert _say(http, world, "rev1", rid, counts, "x" * 20_001).status_code == 422
    assert _say(http, world, "rev1", rid, counts, "   ").status_code == 400
    assert _say(http, world, "rev1", rid, counts, "a\x00b").status_code in (400, 422)
    other = _submit(http, world, {"counts.csv": COUNTS_OK})["id"]
    assert _say(http, world, "rev1", other, counts, "wrong request").status_code == 404
    r = http.post(f"/api/requests/{rid}/files/{counts}/comments", json={"body": "anon"})
    assert r.status_code == 401

    # A comment is shown escaped on the reviewer's page.
    assert _say(http, world, "rev1", rid, visits, "<script>alert(1)</script> & <b>bold</b>").status_code == 201

    # Reviewer 2's own review in: the whole thread opens to them.
    r = http.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev2"),
                  json={"decision": "changes", "reason": "please say what row 2 is in the description"})
    assert r.status_code == 200, r.text
    assert _thread(http, world, "rev2", rid, counts) == [
        "Row 2: is 40-59 F a margin?", "compare with table 2 of the paper",
        "No, it is a cell; the margin is in row 5."]
    r = http.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                  json={"decision": "changes", "reason": "agree: describe row 2"})
    assert r.json()["state"] == "changes_requested"
    # Decided: the requester's answer would leave unreviewed, so it is refused.
    assert _say(http, world, "alice", rid, counts, "one more thing").status_code == 409

    # The resubmission links to the earlier request and carries its threads.
    new = _submit(http, world, {"counts.csv": COUNTS_OK}, supersedes=str(rid))["id"]
    d3 = http.get(f"/api/requests/{new}", headers=world.auth("rev3")).json()
    assert d3["supersedes"] == rid
    (e,) = d3["earlier"]
    assert e["id"] == rid and e["state"] == "changes_requested"
    earlier = {t["path"]: [c["body"] for c in t["comments"]] for t in e["threads"]}
    assert earlier["counts.csv"][0] == "Row 2: is 40-59 F a margin?"
    assert "compare with table 2 of the paper" in earlier["counts.csv"]  # decided: no longer blind
    # The requester from outside sees the earlier threads redacted: no private note, no own words.
    ea = http.get(f"/api/requests/{new}", headers=world.auth("alice")).json()["earlier"][0]
    flat = [c["body"] for t in ea["threads"] for c in t["comments"]]
    assert "compare with table 2 of the paper" not in flat and "Row 2: is 40-59 F a margin?" in flat
    assert all(t["path"] == "" for t in ea["threads"])

    # Every comment is in the audit log with its file, and the chain holds.
    with session_scope(svc.db_url) as db:
        recs = [r for r in db.execute(select(AuditRecord).where(
            AuditRecord.action == "egress.comment",
            AuditRecord.subject == f"egress_request:{rid}")).scalars()]
        assert [(r.actor, (r.detail or {}).get("file")) for r in recs] == [
            ("rev1", "counts.csv"), ("rev1", "counts.csv"), ("alice", "counts.csv"),
            ("rev1", "visits.csv")]
        assert verify_chain(db) == []


def test_page_shows_each_files_thread_escaped_with_a_csrf_form(live):
    """The reviewer's page over HTTP: the thread under each file, the comment escaped, a form
    that needs the session's CSRF token."""
    svc, world, http = live
    rid = _submit(http, world, {"counts.csv": COUNTS_OK})["id"]
    fid = http.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["files"][0]["id"]
    assert _say(http, world, "rev1", rid, fid, "<img src=x onerror=alert(1)> row 2?").status_code == 201
    page = http.get(f"/requests/{rid}", headers=world.auth("rev1"))
    assert page.status_code == 200
    html = page.text
    assert f'id="thread-{fid}"' in html
    assert "&lt;img src=x onerror=alert(1)&gt; row 2?" in html and "<img src=x" not in html
    assert f'action="/requests/{rid}/files/{fid}/comment"' in html
    # A form post with the browser session's cookie but without its CSRF token is refused.
    with session_scope(svc.db_url) as db:
        u = db.execute(select(User).where(User.username == "rev2")).scalar_one()
        tok = issue_token(db, u, kind="browser", lifetime=dt.timedelta(hours=1), factor="totp")
    cookie_client = httpx.Client(base_url=svc.url, timeout=30, cookies={COOKIE: tok})
    r = cookie_client.post(f"/requests/{rid}/files/{fid}/comment", data={"body": "forged"},
                           headers={"Origin": svc.url}, follow_redirects=False)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    assert "forged" not in json.dumps(http.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json())
    cookie_client.close()
