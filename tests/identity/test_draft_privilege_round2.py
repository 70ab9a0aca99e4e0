"""A1/E4, round 2: filing something is no right to decide on it, and being on the study is no
independence from it.

* A decider may file an application for an applicant (``applicant`` in the form); the filer was
  in nobody's conflict list, so the committee member who wrote the application - its extract
  specification and its members - could approve it alone.
* An egress reviewer named on the case's IRB certificate as an investigator (a co-author of the
  study, never made a member) counted as independent of the case's outputs, and so did the
  decider who filed the case's application: either could read the unreviewed files and approve
  them.

Control plane over real HTTP (uvicorn); the review service as the other egress tests drive it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from enclave.cases.models import Case
from enclave.core.audit import audit
from enclave.db import session_scope
from tests.egress_workflow.conftest import clock, dirs, policy, submit, world  # noqa: F401 (fixtures)
from tests.egress_workflow.conftest import client as review_client  # noqa: F401
from tests.identity.test_self_decision import SPEC
from tests.identity.draft_version_kit import seen


def _file_for(api, filer, applicant) -> str:
    r = api.http.post("/api/cases", json={"title": "Filed for another", "case_type": "government",
                                          "extract_spec": SPEC, "applicant": applicant},
                      headers=filer)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    return r.json()["code"]


def test_a_decider_does_not_approve_what_they_filed_for_someone_else(control):
    api = control
    boss, boss2, admin = api.token("boss"), api.token("boss2"), api.token("admin")
    code = _file_for(api, boss, "alice")
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    assert api.http.get(f"/api/cases/{code}", headers=boss).json()["status"] == "draft"
    # nor record its payment once another decider approved it
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss2)}, headers=boss2)
    assert r.status_code == 200, r.text
    fees = r.json()["fees_due"]
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=boss)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    assert api.http.post(f"/api/cases/{code}/payment", json={"amount": fees},
                         headers=admin).status_code == 200


def test_an_admin_filing_for_an_applicant_is_out_of_that_case_too(control):
    api = control
    code = _file_for(api, api.token("admin"), "bob")
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, api.token("admin"))}, headers=api.token("admin"))
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, api.token("boss"))}, headers=api.token("boss"))
    assert r.status_code == 200, r.text


def test_the_applicants_own_filing_leaves_other_deciders_free(control):
    """The control: alice filing her own case puts no decider in conflict."""
    api = control
    alice = api.token("alice")
    r = api.http.post("/api/cases", json={"title": "Own", "case_type": "government",
                                          "extract_spec": SPEC}, headers=alice)
    code = r.json()["code"]
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, api.token("boss"))}, headers=api.token("boss"))
    assert r.status_code == 200, r.text


# --------------------------------------------------------------- egress reviewers

SECRET = b"40-59,F,143"


def _name_on_irb(world, name):
    with session_scope(world.db_url) as db:
        c = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        c.irb_certificate = {"number": "IRB-9", "investigators": [{"name": "alice", "role": "pi"},
                                                                  {"name": name, "role": "co_pi"}]}


def _filed_by(world, name):
    """``name`` (a reviewer who also sits on the committee) filed C1's application for alice."""
    from enclave.accounts.models import User, UserRole

    with session_scope(world.db_url) as db:
        u = db.get(User, world.ids[name])
        u.roles.append(UserRole(role="committee"))
        audit(db, name, "case.created", db.execute(select(Case).where(Case.code == "C1")).scalar_one(),
              subject="alice")


@pytest.mark.parametrize("how,who", [("irb co-investigator", "rev1"), ("filed the case", "rev3")])
def test_a_reviewer_on_the_study_is_not_independent(review_client, world, how, who):  # noqa: F811
    client = review_client
    (_name_on_irb if how == "irb co-investigator" else _filed_by)(world, who)
    r = submit(client, world)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()["files"][0]["id"]
    hdr = world.auth(who)
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=hdr)
    assert r.status_code == 403 and SECRET not in r.content, r.text
    d = client.get(f"/api/requests/{rid}", headers=hdr).json()
    assert d["redacted"] and not d["can_review"] and "C1" in d["why_not"]
    r = client.post(f"/api/requests/{rid}/reviews", headers=hdr,
                    json={"decision": "approve", "reason": "checked every cell carefully"})
    assert r.status_code == 403, r.text
    # an independent reviewer is untouched
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("rev2"))
    assert r.status_code == 200 and SECRET in r.content
