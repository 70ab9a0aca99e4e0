"""E4: a reviewer role held by someone inside the case gives nothing of its unreviewed outputs.

Before, "reviewer" opened everything of a submitted request except deciding it: a reviewer who
works on the case (or worked on it, or applied for it) could download a colleague's unreviewed
file from the reviewer service, see it rendered on the request page, read the other reviewers'
private comments, and comment into the review; and a requester holding the reviewer role saw
their own unreviewed request unredacted outside the session.  Each of those is a way out of the
enclave without two independent reviews.  Here every way of being inside the case is tried
against every way of reading or touching a request; an independent reviewer is the control.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from enclave.accounts.models import User, UserRole
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from enclave.web.auth import issue_token
from tests.egress_workflow.conftest import COUNTS_OK, PASSWORD, password_hash, submit

# name -> how they are inside case C1 (each also holds the reviewer and committee roles)
INSIDE = {
    "m_now": "a current member",
    "m_former": "a member removed before the request",
    "applicant": "the case's applicant, never a member",
    "officer": "the case's PI (officer) member",
}
SECRET_CELL = b"40-59,F,143"


def _add(db, world, name, cases, *, member=None, removed=False, role="member"):
    u = User(username=name, password_hash=password_hash(),
             password_changed_at=utcnow() - dt.timedelta(days=1))
    for r in ("reviewer", "committee"):
        u.roles.append(UserRole(role=r))
    db.add(u)
    db.flush()
    world.ids[name] = u.id
    if member:
        db.add(CaseMember(case_id=cases[member].id, user_id=u.id, role=role,
                          removed_at=utcnow() - dt.timedelta(days=3) if removed else None))
    world.tokens[name] = issue_token(db, u, kind="api", lifetime=dt.timedelta(days=1), factor="totp")
    return u


@pytest.fixture
def inside(world):
    with session_scope(world.db_url) as db:
        cases = {c.code: c for c in db.execute(select(Case)).scalars()}
        _add(db, world, "m_now", cases, member="C1")
        _add(db, world, "m_former", cases, member="C1", removed=True)
        _add(db, world, "officer", cases, member="C1", role="pi")
        a = _add(db, world, "applicant", cases)
        cases["C1"].applicant_id = a.id
    return world


def _request(client, world):
    r = submit(client, world)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["files"][0]["id"]
    # an independent reviewer's private note quoting a cell, and a public question
    for vis, body in (("private", "row 40-59 F has 143, fine"), ("public", "explain row 2")):
        assert client.post(f"/api/requests/{rid}/comments", headers=world.auth("rev1"),
                           json={"body": body, "visibility": vis}).status_code == 201
    return rid, fid


def _login(client, name):
    client.cookies.clear()
    r = client.post("/login", data={"username": name, "password": PASSWORD, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.mark.parametrize("who", list(INSIDE))
def test_a_reviewer_inside_the_case_reads_nothing_of_it(client, inside, who):
    world = inside
    rid, fid = _request(client, world)
    hdr = world.auth(who)
    # the file itself
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=hdr)
    assert r.status_code == 403 and SECRET_CELL not in r.content
    assert "case C1" in r.json()["detail"]
    # the request: redacted (no purpose, file names, manifest, findings), no private comment
    d = client.get(f"/api/requests/{rid}", headers=hdr).json()
    assert d["redacted"] and d["purpose"] == "" and d["manifest"] == {} and d["check_result"] is None
    assert all(f["path"] == "" for f in d["files"])
    text = json.dumps(d)
    # the cell value as a number of its own (a timestamp's microseconds may hold the digits)
    assert not re.search(r"(?<![\d.])143(?!\d)", text), text
    assert "row 40-59" not in text and not d["can_review"]
    assert "case C1" in d["why_not"]
    listed = [x for x in client.get("/api/requests", headers=hdr).json() if x["id"] == rid]
    assert listed and listed[0]["redacted"] and listed[0]["purpose"] == ""
    # taking part: comments (either kind, request or file thread) and decisions refused
    for vis in ("public", "private"):
        for path in (f"/api/requests/{rid}/comments", f"/api/requests/{rid}/files/{fid}/comments"):
            r = client.post(path, headers=hdr, json={"body": "looks fine to me", "visibility": vis})
            assert r.status_code == 403, (path, vis, r.text)
    for decision in ("approve", "changes", "reject"):
        r = client.post(f"/api/requests/{rid}/reviews", headers=hdr,
                        json={"decision": decision, "reason": "checked every cell carefully"})
        assert r.status_code == 403
    # the pages: no rendered table, no chart, no decision form, the reason shown
    _login(client, who)
    page = client.get(f"/requests/{rid}")
    assert page.status_code == 200
    assert ">143<" not in page.text and "40-59" not in page.text and 'class="data"' not in page.text
    assert 'id="decide"' not in page.text and "case C1" in page.text
    assert "row 40-59" not in page.text
    assert client.get(f"/requests/{rid}/files/{fid}/counts.svg").status_code == 404
    r = client.post(f"/requests/{rid}/comment", data={"body": "ok", "visibility": "private"})
    assert r.status_code == 403
    # nothing they tried left a comment or a review
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()
    assert not d["reviews"]


def test_an_independent_reviewer_still_sees_everything(client, inside):
    world = inside
    rid, fid = _request(client, world)
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("rev2"))
    assert r.status_code == 200 and r.content == COUNTS_OK
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()
    assert not d["redacted"] and d["files"][0]["path"] == "counts.csv" and d["can_review"]
    _login(client, "rev2")
    page = client.get(f"/requests/{rid}")
    assert ">143<" in page.text and "40-59" in page.text and 'id="decide"' in page.text
    assert client.get(f"/requests/{rid}/files/{fid}/counts.svg").status_code == 200


def test_a_requester_holding_the_reviewer_role_sees_their_request_redacted_outside(client, world):
    """carol is a reviewer and a member of C1: her own unreviewed request is hers to read
    inside her session only, like any requester's."""
    r = submit(client, world, who="carol")
    rid = r.json()["id"]
    d = client.get(f"/api/requests/{rid}", headers=world.auth("carol")).json()
    assert d["redacted"] and d["purpose"] == "" and d["manifest"] == {}
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["files"][0]["id"]
    assert client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("carol")).status_code == 403


@pytest.mark.parametrize("who", list(INSIDE))
def test_released_requests_are_readable_by_anyone_who_may_view(one_review_client, inside, who):
    """Once independent review approved it (one review under this policy), nothing is left to
    protect from people inside the case: the summary is no longer redacted."""
    client, world = one_review_client, inside
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": "all cells are at least six"})
    assert r.status_code == 200, r.text
    d = client.get(f"/api/requests/{rid}", headers=world.auth(who)).json()
    assert d["state"] in ("approved", "released") and not d["redacted"]
