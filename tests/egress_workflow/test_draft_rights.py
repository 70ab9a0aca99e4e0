"""E4/P9: a draft carries no right from the day it was filed.

A researcher could file a draft while a member of an open case and submit it after being
removed from the case, or after the case was suspended, voided, ended or purged: submitting a
draft checked only that it was theirs.  Each change below happens between the draft and its
submission; the submission, a new request and a pre-check are refused alike, the draft stays a
draft and nothing reaches the reviewers.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from egress_review.models import EgressRequest
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from tests.egress_workflow.conftest import COUNTS_OK, manifest, submit


def _remove_member(db, world):
    m = db.execute(select(CaseMember).join(Case).where(
        Case.code == "C1", CaseMember.user_id == world.ids["alice"])).scalar_one()
    m.removed_at = utcnow()


def _status(status):
    def change(db, world):
        db.execute(select(Case).where(Case.code == "C1")).scalar_one().status = status
    return change


CHANGES = {"member removed": _remove_member, **{f"case {s}": _status(s) for s in
                                                ("suspended", "void", "ended", "purged", "draft")}}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_draft_is_submitted_only_with_the_rights_of_the_day(client, world, change):
    r = submit(client, world, draft="true")
    assert r.status_code == 201 and r.json()["state"] == "draft", r.text
    rid = r.json()["id"]
    with session_scope(world.db_url) as db:
        CHANGES[change](db, world)
    r = client.post(f"/api/requests/{rid}/submit", headers=world.auth("alice"))
    assert r.status_code == 403, r.text
    assert "C1" in r.json()["detail"]
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, rid)
        assert req.state == "draft" and req.submitted_at is None
    # reviewers see nothing; a new request and a pre-check are refused the same way
    assert all(x["id"] != rid for x in client.get("/api/requests", headers=world.auth("rev1")).json())
    assert submit(client, world).status_code == 403
    r = client.post("/api/precheck", headers=world.auth("alice"),
                    data={"manifest": json.dumps(manifest())},
                    files=[("files", ("counts.csv", COUNTS_OK, "application/octet-stream"))])
    assert r.status_code == 403


def test_an_unchanged_draft_is_submitted(client, world):
    rid = submit(client, world, draft="true").json()["id"]
    r = client.post(f"/api/requests/{rid}/submit", headers=world.auth("alice"))
    assert r.status_code == 200 and r.json()["state"] == "checked", r.text


HOLDS = {"member removed": _remove_member, **{f"case {s}": _status(s) for s in
                                             ("suspended", "void", "purged")}}


@pytest.mark.parametrize("change", list(HOLDS))
def test_an_approval_does_not_release_on_rights_lost_since_submission(one_review_client, world,
                                                                      change):
    """Approving releases the files to the requester: not when the requester left the case or
    the case was suspended, voided or purged after the request was submitted.  Changes and
    rejections are still recorded."""
    client = one_review_client
    rid = submit(client, world).json()["id"]
    with session_scope(world.db_url) as db:
        HOLDS[change](db, world)
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": "all cells are at least six"})
    assert r.status_code == 409, r.text
    assert "no longer a member" in r.json()["detail"] or change.split()[-1] in r.json()["detail"]
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, rid)
        assert req.state == "checked" and req.released_at is None and not req.reviews
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "reject", "reason": "the case was suspended"})
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.text


def test_an_ended_case_still_gets_its_submitted_results(one_review_client, world):
    client = one_review_client
    rid = submit(client, world).json()["id"]
    with session_scope(world.db_url) as db:
        _status("ended")(db, world)
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": "all cells are at least six"})
    assert r.status_code == 200 and r.json()["state"] in ("approved", "released"), r.text
