"""O2/E4: a release goes to a current member of a case in good standing.  Membership and case
status were checked when the request was filed and when it was approved, but not at download:
a requester removed from the case (or whose case was suspended, voided or purged) after the
release kept downloading its files and answering its threads from outside until the window
closed.  Each way of losing the right is tried on each way out; the control still downloads."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from tests.egress_workflow.conftest import submit

LOSSES = {
    "removed": lambda db, c, uid: _member(db, c, uid).__setattr__("removed_at", utcnow()),
    "suspended": lambda db, c, uid: setattr(c, "status", "suspended"),
    "void": lambda db, c, uid: setattr(c, "status", "void"),
    "purged": lambda db, c, uid: setattr(c, "status", "purged"),
}


def _member(db, case, uid):
    return db.execute(select(CaseMember).where(CaseMember.case_id == case.id,
                                               CaseMember.user_id == uid)).scalar_one()


def _released(client, world):
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": "all cells >= 6"})
    assert r.json()["state"] == "released", r.text
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["files"][0]["id"]
    return rid, fid


def _ways_out(client, world, rid, fid):
    h = world.auth("alice")
    yield "api file", client.get(f"/api/releases/{rid}/files/{fid}", headers=h)
    yield "api zip", client.post(f"/api/releases/{rid}/zip", headers=h, json={"password": "a-long-password-1"})


def test_a_member_of_a_case_in_good_standing_downloads(one_review_client, world):
    rid, fid = _released(one_review_client, world)
    for label, r in _ways_out(one_review_client, world, rid, fid):
        assert r.status_code == 200, (label, r.text)


@pytest.mark.parametrize("loss", sorted(LOSSES), ids=sorted(LOSSES))
def test_losing_the_case_stops_the_download(one_review_client, world, loss):
    client = one_review_client
    rid, fid = _released(client, world)
    with session_scope(world.db_url) as db:
        c = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        LOSSES[loss](db, c, world.ids["alice"])
    for label, r in _ways_out(client, world, rid, fid):
        assert r.status_code == 403, (label, r.status_code, r.text[:200])
        assert b"20-39" not in r.content
    # the listing still shows the request (its own), but nothing comes out of it
    assert client.get("/api/releases", headers=world.auth("alice")).status_code == 200
