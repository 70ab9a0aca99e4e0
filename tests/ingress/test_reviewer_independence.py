"""D4/E4: import review is decided by people independent of every case the files touch.

Before, only a current member of the target case was kept from reviewing: a reviewer who had
been removed from the case, the case's applicant, and - for a share (P13) - the members of the
case the files come from could approve the import themselves.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from enclave.cases.models import Case
from enclave.db import session_scope
from tests.egress_workflow.test_reviewer_independence import _add
from tests.ingress.conftest import CLEAN_CODE
from tests.ingress.test_workflow import _released_egress, review, share, submit


@pytest.fixture
def inside(world):
    with session_scope(world.db_url) as db:
        cases = {c.code: c for c in db.execute(select(Case)).scalars()}
        _add(db, world, "m_former", cases, member="C1", removed=True)
        _add(db, world, "src_member", cases, member="C1")
        a = _add(db, world, "applicant", cases)
        cases["C1"].applicant_id = a.id
        b = _add(db, world, "applicant2", cases)
        cases["C2"].applicant_id = b.id
    return world


@pytest.mark.parametrize("who", ["m_former", "applicant", "carol"])
def test_an_upload_into_c1_is_not_reviewed_from_inside_c1(client, inside, who):
    world = inside
    r = submit(client, world, "alice", "C1", [("prep/normalise.py", "code", CLEAN_CODE)])
    rid = r.json()["id"]
    r = review(client, world, who, rid)
    assert r.status_code == 403 and "case C1" in r.text, r.text
    assert client.get(f"/api/imports/{rid}", headers=world.auth("rev1")).json()["state"] == "in_review"


@pytest.mark.parametrize("who", ["src_member", "m_former", "applicant", "carol", "applicant2"])
def test_a_share_is_not_reviewed_from_either_case(client, inside, who):
    world = inside
    src = _released_egress(world, client)
    r = share(client, world, "alice", src, ["normalise.py"])
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = review(client, world, who, rid)
    assert r.status_code == 403, r.text
    assert "case C1" in r.text or "case C2" in r.text
    # an independent reviewer delivers it
    assert review(client, world, "rev1", rid).json()["state"] == "delivered"
