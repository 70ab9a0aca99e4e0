"""A refusal is not reset by filing the same bytes again (E4): withdrawing a request a reviewer
refused (or that was rejected / sent back) and submitting the same file - renamed, with other
files, as a draft submitted later, or by another member of the case - no longer gets two
fresh reviewers to release it: after their approvals the committee decides, and the audit log
names the earlier request.  Changed bytes, a withdrawal before any refusal, and the same bytes
in another case go the ordinary way (two approvals release)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from tests.egress_workflow.conftest import COUNTS_OK, manifest, submit, table_spec

OTHER = b"age_group,sex,n\n20-39,F,121\n20-39,M,99\n40-59,F,140\n40-59,M,133\n"


def _review(client, w, who, rid, decision, reason="cells checked against the threshold"):
    r = client.post(f"/api/requests/{rid}/reviews", headers=w.auth(who),
                    json={"decision": decision, "reason": reason})
    assert r.status_code == 200, r.text
    return r.json()


def _withdraw(client, w, rid, who="alice"):
    r = client.post(f"/api/requests/{rid}/withdraw", headers=w.auth(who), json={"reason": "again"})
    assert r.status_code == 200, r.text


def _file(client, w, who="alice", files=None, case="C1", **form) -> int:
    files = files or {"counts.csv": COUNTS_OK}
    man = manifest(case=case, files=[table_spec(p) for p in files])
    r = submit(client, w, who=who, man=man, files=files, **form)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _refuse(client, w, how: str) -> None:
    """A first request of counts.csv, refused in the way named."""
    rid = _file(client, w)
    if how in ("reject_withdraw", "changes_withdraw"):
        _review(client, w, "rev1", rid, how.split("_")[0])
        _withdraw(client, w, rid)
    elif how == "rejected":
        _review(client, w, "rev1", rid, "reject")
        _review(client, w, "rev2", rid, "approve")
    elif how == "changes_requested":
        _review(client, w, "rev1", rid, "changes")
        _review(client, w, "rev2", rid, "changes")
    elif how in ("withdrawn_unreviewed", "approve_withdraw"):
        if how == "approve_withdraw":
            _review(client, w, "rev1", rid, "approve")
        _withdraw(client, w, rid)


def _two_approvals(client, w, rid) -> dict:
    _review(client, w, "rev2", rid, "approve")
    return _review(client, w, "rev3", rid, "approve")


REFUSALS = ["reject_withdraw", "changes_withdraw", "rejected", "changes_requested"]
COMEBACKS = {
    "same": lambda c, w: _file(c, w),
    "renamed": lambda c, w: _file(c, w, files={"final_table.csv": COUNTS_OK}),
    "with_another_file": lambda c, w: _file(c, w, files={"other.csv": OTHER, "counts.csv": COUNTS_OK}),
    "other_member": lambda c, w: _file(c, w, who="bob"),
}


@pytest.mark.parametrize("how", REFUSALS, ids=REFUSALS)
@pytest.mark.parametrize("back", sorted(COMEBACKS), ids=sorted(COMEBACKS))
def test_refused_bytes_coming_back_need_the_committee(client, world, how, back):
    w = world
    _refuse(client, w, how)
    rid = COMEBACKS[back](client, w)
    d = _two_approvals(client, w, rid)
    assert d["state"] == "in_review" and d["needs_committee"] is True, (d["state"], d["needs_committee"])
    with session_scope(w.db_url) as db:
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "egress.refused_files_back",
                                                   AuditRecord.subject == f"egress_request:{rid}")).scalar_one()
        assert rec.detail["earlier_request"] < rid
    # the ordinary committee path still ends it
    assert _review(client, w, "com1", rid, "approve")["state"] == "released"


def test_a_draft_submitted_after_the_refusal_needs_the_committee(client, world):
    w = world
    draft = _file(client, w, draft="true")
    _refuse(client, w, "reject_withdraw")
    r = client.post(f"/api/requests/{draft}/submit", headers=w.auth("alice"))
    assert r.status_code == 200, r.text
    d = _two_approvals(client, w, draft)
    assert d["state"] == "in_review" and d["needs_committee"] is True


ORDINARY = {
    "changed_bytes": lambda c, w: (_refuse(c, w, "rejected"), _file(c, w, files={"counts.csv": OTHER}))[1],
    "withdrawn_unreviewed": lambda c, w: (_refuse(c, w, "withdrawn_unreviewed"), _file(c, w))[1],
    "approve_withdraw": lambda c, w: (_refuse(c, w, "approve_withdraw"), _file(c, w))[1],
    "other_case": lambda c, w: (_refuse(c, w, "rejected"), _file(c, w, who="mallory", case="C2"))[1],
}


@pytest.mark.parametrize("name", sorted(ORDINARY), ids=sorted(ORDINARY))
def test_new_results_go_the_ordinary_way(client, world, name):
    w = world
    rid = ORDINARY[name](client, w)
    d = _two_approvals(client, w, rid)
    assert d["state"] == "released" and d["needs_committee"] is False, json.dumps(d)[:300]
