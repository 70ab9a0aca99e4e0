"""Nobody approves, reviews or signs off what they applied for, requested, drew or belong to;
a role comes only from a decision by someone entitled to grant it (A1, A6, A7, A8) - every
decision endpoint of the control plane tried over real HTTP by the person it concerns."""
from __future__ import annotations

import pytest

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from sqlalchemy import select
from tests.identity.draft_version_kit import seen

SPEC = {"files": {"H_NHI_OPDTE": {"years": [2020], "columns": ["ID", "FUNC_DATE"]}}}


def gov_case(api, who) -> str:
    r = api.http.post("/api/cases", json={"title": "Own study", "case_type": "government",
                                          "extract_spec": SPEC}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()["code"]


def roles_of(api, admin, name) -> list[str]:
    rows = api.http.get("/api/accounts", headers=admin).json()
    return next(u["roles"] for u in rows if u["username"] == name)


@pytest.fixture
def own_case(control):
    """boss (committee) applies for a case; boss2 (committee) approves it; boss then asks for
    an extension, a change, software, and registers a publication."""
    api = control
    boss, boss2, admin = api.token("boss"), api.token("boss2"), api.token("admin")
    code = gov_case(api, boss)
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 10, "version": seen(api.http, code, boss)}, headers=boss)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text   # own application
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 10, "version": seen(api.http, code, boss2)}, headers=boss2)
    assert r.status_code == 200, r.text
    fees = r.json()["fees_due"]
    assert api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=boss).status_code == 403
    assert api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=admin).status_code == 200
    ids = {
        "extensions": api.http.post(f"/api/cases/{code}/extensions", json={"days": 30}, headers=boss).json()["id"],
        "changes": api.http.post(f"/api/cases/{code}/changes", json={
            "kind": "columns", "payload": {"columns": {"H_NHI_OPDTE": ["T_DOT"]}}}, headers=boss).json()["id"],
        "software": api.http.post(f"/api/cases/{code}/software", json={"name": "QGIS"}, headers=boss).json()["id"],
        "publications": api.http.post(f"/api/cases/{code}/publications", json={
            "title": "Paper", "published_on": "2026-01-01", "cites_source": True}, headers=boss).json()["id"],
    }
    return api, code, ids, {"boss": boss, "boss2": boss2, "admin": admin}


DECISIONS = [  # (path template, body) of every decision on something boss asked for
    ("/api/extensions/{extensions}/decision", {"approve": True}),
    ("/api/changes/{changes}/decision", {"approve": True}),
    ("/api/software/{software}/decision", {"approve": True}),
    ("/api/publications/{publications}/copy", None),
]


@pytest.mark.parametrize("path,body", DECISIONS)
def test_the_applicant_cannot_decide_on_their_own_requests(own_case, path, body):
    api, code, ids, who = own_case
    url = path.format(**ids)
    r = api.http.post(url, json=body, headers=who["boss"])
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(url, json=body, headers=who["boss2"])  # someone else may
    assert r.status_code == 200, r.text


def test_a_member_cannot_decide_and_nobody_hands_a_case_to_themselves(own_case):
    api, code, ids, who = own_case
    # boss2 joins the case through a staff change decided by admin; then boss2 is conflicted.
    api.http.post(f"/api/changes/{ids['changes']}/decision", json={"approve": False}, headers=who["admin"])
    r = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": "boss2"}, headers=who["boss2"])
    assert r.status_code == 403, r.text   # would make themselves officer
    r = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": "admin2"}, headers=who["boss"])
    assert r.status_code == 403, r.text   # boss is the case's own officer
    ext = api.http.post(f"/api/extensions/{ids['extensions']}/decision", json={"approve": True},
                        headers=who["admin"])
    assert ext.status_code == 200


def test_a_staff_change_adding_the_decider_is_not_theirs_to_decide(control):
    api = control
    alice, admin, admin2, boss = api.token("alice"), api.token("admin"), api.token("admin2"), api.token("boss")
    code = gov_case(api, alice)
    fees = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss).json()["fees_due"]
    api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=admin)
    cid = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": {"add": ["admin"]}},
                        headers=alice).json()["id"]
    r = api.http.post(f"/api/changes/{cid}/decision", json={"approve": True}, headers=admin)
    assert r.status_code == 403, r.text
    r = api.http.post(f"/api/changes/{cid}/decision", json={"approve": True}, headers=admin2)
    assert r.status_code == 200, r.text


def test_filing_a_draft_grants_no_role_approval_does_and_the_end_removes_it(control, people_db):
    api = control
    alice, admin, boss = api.token("alice"), api.token("admin"), api.token("boss")
    code = gov_case(api, alice)
    assert "officer" not in roles_of(api, admin, "alice")
    # and so she cannot create accounts (the attack in #15)
    r = api.http.post("/api/accounts", json={"username": "mallory", "password": "Sturdy-Pass-2026x",
                                             "unit": "NTU Hospital"}, headers=alice)
    assert r.status_code == 403, r.text
    api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss)
    assert "officer" in roles_of(api, admin, "alice")
    # the officer changes (A7): alice's case-granted role goes with the case
    r = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": "bob"}, headers=boss)
    assert r.status_code == 200, r.text
    assert "officer" not in roles_of(api, admin, "alice")
    assert "officer" in roles_of(api, admin, "bob")
    with session_scope(people_db) as db:
        actions = [(r.action, r.subject) for r in db.execute(select(AuditRecord).where(
            AuditRecord.action.in_(("role.granted", "role.revoked")))).scalars()]
    assert ("role.granted", "alice") in actions and ("role.revoked", "alice") in actions


def test_a_voided_case_takes_the_officer_role_with_it(people_db, nhi_policy):
    import datetime as dt

    from enclave.web.app import create_app
    from tests.control.conftest import without_mfa
    from tests.identity.conftest import Api
    from tests.identity.helpers import serve

    pol = without_mfa(nhi_policy)
    now = {"t": dt.datetime.now(dt.timezone.utc)}
    with serve(create_app(people_db, pol, clock=lambda: now["t"])) as base:
        api = Api(base)
        alice, admin, boss = api.token("alice"), api.token("admin"), api.token("boss")
        code = gov_case(api, alice)
        api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss)
        assert "officer" in roles_of(api, admin, "alice")
        now["t"] += dt.timedelta(days=pol.cases.payment_deadline_days + 1)
        assert api.http.get(f"/api/cases/{code}", headers=admin).json()["status"] == "void"
        assert "officer" not in roles_of(api, admin, "alice")
        api.close()


def test_the_sampler_cannot_review_the_sample_nor_anyone_their_own_records(control):
    api = control
    admin, admin2, boss = api.token("admin"), api.token("admin2"), api.token("boss")
    r = api.http.post("/api/audit/samples", json={}, headers=admin)
    assert r.status_code == 201, r.text
    sample = r.json()
    sid = sample["sample_id"]
    for item in sample["accounts"]:
        r = api.http.post(f"/api/audit/samples/{sid}/items/{item['item_id']}/reviewed", headers=admin)
        assert r.status_code == 403 and r.json()["rule"] == "A6", r.text
        r = api.http.post(f"/api/audit/samples/{sid}/items/{item['item_id']}/reviewed", headers=boss)
        assert r.status_code == (403 if item["username"] == "boss" else 200), r.text
    assert api.http.post(f"/api/audit/samples/{sid}/signoff", json={}, headers=admin).status_code in (403, 409)
    assert api.http.post(f"/api/audit/samples/{sid}/signoff", json={}, headers=admin2).status_code == 200


def test_nobody_lifts_a_violation_recorded_against_themselves(control):
    api = control
    admin, admin2 = api.token("admin"), api.token("admin2")
    vid = api.http.post("/api/violations", json={"username": "admin", "kind": "asked_to_leave",
                                                 "reason": "tailgating"}, headers=admin2).json()["id"]
    admin = api.token("admin")  # asked to leave ended the old sessions
    r = api.http.post(f"/api/violations/{vid}/lift", headers=admin)
    assert r.status_code == 403 and r.json()["rule"] == "A8", r.text
    assert api.http.post(f"/api/violations/{vid}/lift", headers=admin2).status_code == 200
