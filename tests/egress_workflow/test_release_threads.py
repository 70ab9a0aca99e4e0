"""The requester answers a reviewer's file thread from the release area (issue 16), over real
HTTP: one egress service inside (EGRESS_MODE=internal: session API, reviewers) and one outside
(EGRESS_MODE=external: log-in and the downloads page), on one state database.

Before approval the downloads page shows no thread (no file name, no comment); once approved the
requester reads the reviewers' public words and answers with a short, checked, CSRF-protected,
audited text; reviewers read the answer inside, the session never does."""
from __future__ import annotations

import datetime as dt
import json
import re

import httpx
import pytest
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from egress_review.models import EgressRequest
from egress_review.release import threads as rt
from egress_review.workflow import download_deadline
from tests.services.authenticator import researcher_code
from tests.egress_workflow.conftest import COUNTS_OK, PASSWORD, home_with_world, manifest, table_spec
from tests.egress_workflow.server import Service

VISITS = b"age_group,sex,n\n20-39,F,60\n20-39,M,58\n40-59,F,73\n40-59,M,71\n"
QUESTION = "Row 2: is 40-59 F a margin?"
PRIVATE = "compare with table 2 of the paper"
EARLY = "It is a cell; the margin is in row 5."
ANSWER = "Thanks - row 2 stays a cell in table 3 of the paper as well."


@pytest.fixture
def faces(tmp_path):
    home, url, world = home_with_world(tmp_path)
    inside = Service(home, url, env={"EGRESS_MODE": "internal"}).start()
    outside = Service(home, url, env={"EGRESS_MODE": "external"})
    try:
        outside.start()
        with httpx.Client(base_url=inside.url, timeout=60) as i, \
                httpx.Client(base_url=outside.url, timeout=60) as o:
            yield world, i, o, url
    finally:
        outside.stop()
        inside.stop()


def _login(http: httpx.Client, name: str, db_url: str) -> None:
    # the release area runs the deployed policy: a researcher gives her second factor (A4)
    r = http.post("/login", data={"username": name, "password": PASSWORD, "next": "/downloads",
                                  "otp": researcher_code(db_url, name)},
                  headers={"origin": str(http.base_url).rstrip("/")})
    assert r.status_code == 303, r.text[:500]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _post_answer(http: httpx.Client, rid: int, fid: int, body: str, token: str | None):
    data = {"body": body, **({"csrf_token": token} if token else {})}
    return http.post(f"/downloads/{rid}/files/{fid}/comments", data=data,
                     headers={"origin": str(http.base_url).rstrip("/")})


def _thread(http, world, who, rid, fid) -> list[str]:
    d = http.get(f"/api/requests/{rid}", headers=world.auth(who)).json()
    return [c["body"] for t in d["threads"] if t["file_id"] == fid for c in t["comments"]]


def test_requester_answers_an_approved_files_thread_from_outside(faces):
    world, inside, outside, url = faces
    man = manifest(files=[table_spec("counts.csv"), table_spec("visits.csv")])
    r = inside.post("/api/requests", headers=world.auth("alice"),
                    data={"manifest": json.dumps(man)},
                    files=[("files", (p, b, "text/csv"))
                           for p, b in (("counts.csv", COUNTS_OK), ("visits.csv", VISITS))])
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    fids = {f["path"]: f["id"] for f in inside.get(f"/api/requests/{rid}",
                                                   headers=world.auth("rev1")).json()["files"]}
    counts = fids["counts.csv"]
    say = lambda who, body, vis="public": inside.post(  # noqa: E731
        f"/api/requests/{rid}/files/{counts}/comments", headers=world.auth(who),
        json={"body": body, "visibility": vis})
    assert say("rev1", QUESTION).status_code == 201
    assert say("rev1", PRIVATE, "private").status_code == 201
    assert say("alice", EARLY).status_code == 201          # answered in the session, in review

    # Before the decision the release area shows no thread, file name or comment.
    _login(outside, "alice", url)
    page = outside.get("/downloads").text
    assert f'id="release-{rid}"' in page
    for hidden in ("counts.csv", QUESTION, EARLY, "thread-"):
        assert hidden not in page
    assert _post_answer(outside, rid, counts, "anything", _csrf(page)).status_code == 409

    for who in ("rev1", "rev2"):
        r = inside.post(f"/api/requests/{rid}/reviews", headers=world.auth(who),
                        json={"decision": "approve", "reason": "cells >= 6"})
        assert r.status_code == 200, r.text
    assert inside.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["state"] == "released"
    # Inside, the requester still cannot comment on a decided request (issue 20).
    assert say("alice", "one more thing").status_code == 409

    # Outside: the approved file's thread - the reviewer's public question and the requester's
    # own answer of the review; never the private note.
    page = outside.get("/downloads").text
    m = re.search(rf'<div class="thread" id="thread-{rid}-{counts}".*?</div>', page, re.S)
    assert m, page[-3000:]
    thread = m.group(0)
    assert QUESTION.replace("'", "&#39;") in thread and EARLY in thread and PRIVATE not in page
    assert f'action="/downloads/{rid}/files/{counts}/comments"' in thread
    token = _csrf(thread)

    # CSRF: the same post without the page's token, or from another site, is refused.
    assert _post_answer(outside, rid, counts, ANSWER, None).status_code == 403
    r = outside.post(f"/downloads/{rid}/files/{counts}/comments",
                     data={"body": ANSWER, "csrf_token": token},
                     headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    # Words that would bring data in are refused (a national ID number), as are long ones.
    r = _post_answer(outside, rid, counts, "the person is A123456789, see row 2", token)
    assert r.status_code == 422 and "A123456789" not in outside.get("/downloads").text
    r = _post_answer(outside, rid, counts, "x" * (rt.ANSWER_MAX + 1), token)
    assert r.status_code == 422 and str(rt.ANSWER_MAX) in r.text
    assert _post_answer(outside, rid, 999_999, ANSWER, token).status_code == 404

    r = _post_answer(outside, rid, counts, ANSWER, token)
    assert r.status_code == 303 and r.headers["location"] == f"/downloads#thread-{rid}-{counts}"
    page = outside.get("/downloads").text
    assert ANSWER in page and "answered here" in page

    # Reviewers read the answer inside; the session's view of the decided request never shows it.
    assert ANSWER in _thread(inside, world, "rev1", rid, counts)
    assert ANSWER not in _thread(inside, world, "alice", rid, counts)
    assert QUESTION in _thread(inside, world, "alice", rid, counts)
    with session_scope(url) as db:
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "egress.comment",
                                                   AuditRecord.actor == "alice")
                         .order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()
        assert rec.detail["via"] == "release_area" and rec.detail["file"] == "counts.csv"

    # Nobody else answers on this request; the inside service has no such page at all.
    other = httpx.Client(base_url=outside.base_url, timeout=60)
    with other:
        _login(other, "mallory", url)
        assert _post_answer(other, rid, counts, "hello", _csrf(other.get("/downloads").text)).status_code == 404
    assert inside.post(f"/downloads/{rid}/files/{counts}/comments", headers=world.auth("alice"),
                       data={"body": ANSWER}).status_code == 404

    # At most ANSWERS_PER_FILE answers per file from outside.
    for n in range(rt.ANSWERS_PER_FILE - 1):
        assert _post_answer(outside, rid, counts, f"note {n}", token).status_code == 303
    r = _post_answer(outside, rid, counts, "one too many", token)
    assert r.status_code == 409 and "answers from outside" in r.text

    # After the download window, answers close with it (reading stays).
    with session_scope(url) as db:
        req = db.get(EgressRequest, rid)
        user = db.execute(select(User).where(User.username == "alice")).scalar_one()
        deadline = download_deadline(req, world.policy)
        assert rt.can_answer(req, user, deadline, deadline - dt.timedelta(minutes=1))
        assert not rt.can_answer(req, user, deadline, deadline + dt.timedelta(minutes=1))
        assert [c.body for c in rt.release_threads(db, req, user)[counts]][:2] == [QUESTION, EARLY]
