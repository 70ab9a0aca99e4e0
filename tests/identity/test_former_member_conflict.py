"""A person who was once on a case stays conflicted after leaving it (A1): a committee member or
admin removed from a case must not then approve its extensions, changes, software, publications
or officer handover. Real HTTP against the control-plane app; the applicant and current members
were already conflicted (test_self_decision.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.identity.test_self_decision import gov_case
from tests.identity.draft_version_kit import seen


def _decide_change(api, code, payload, asker, decider):
    r = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": payload}, headers=asker)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = api.http.post(f"/api/changes/{cid}/decision", json={"approve": True}, headers=decider)
    assert r.status_code == 200, r.text


@pytest.fixture
def left_case(people_db, nhi_policy):
    """alice's active case; boss2 (committee) joined it and was removed half a year later (staff
    change at most every 6 months); alice then files an extension, a column change, software and a
    publication."""
    from enclave.web.app import create_app
    from tests.control.conftest import without_mfa
    from tests.identity.conftest import Api
    from tests.identity.helpers import serve

    pol = without_mfa(nhi_policy)  # half-years pass here: passwords' 90-day age is not the point
    pol = pol.model_copy(update={"accounts": pol.accounts.model_copy(update={"password_max_age_days": 3650})})
    now = {"t": dt.datetime.now(dt.timezone.utc)}
    with serve(create_app(people_db, pol, clock=lambda: now["t"])) as base:
        api = Api(base)
        yield _left_case(api, now)
        api.close()


def _left_case(api, now):
    alice, admin, boss = api.token("alice"), api.token("admin"), api.token("boss")
    code = gov_case(api, alice)
    fees = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss).json()["fees_due"]
    assert api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=admin).status_code == 200
    _decide_change(api, code, {"add": ["boss2"]}, alice, admin)
    now["t"] += dt.timedelta(days=186)
    alice, admin = api.token("alice"), api.token("admin")
    _decide_change(api, code, {"remove": ["boss2"]}, alice, admin)
    ids = {
        "extensions": api.http.post(f"/api/cases/{code}/extensions", json={"days": 30}, headers=alice).json()["id"],
        "changes": api.http.post(f"/api/cases/{code}/changes", json={
            "kind": "columns", "payload": {"columns": {"H_NHI_OPDTE": ["T_DOT"]}}}, headers=alice).json()["id"],
        "software": api.http.post(f"/api/cases/{code}/software", json={"name": "QGIS"}, headers=alice).json()["id"],
        "publications": api.http.post(f"/api/cases/{code}/publications", json={
            "title": "Paper", "published_on": "2026-01-01", "cites_source": True}, headers=alice).json()["id"],
    }
    api.now = now
    return api, code, ids, {"alice": alice, "boss2": api.token("boss2"), "admin2": api.token("admin2")}


DECISIONS = [
    ("/api/extensions/{extensions}/decision", {"approve": True}),
    ("/api/extensions/{extensions}/decision", {"approve": False}),
    ("/api/changes/{changes}/decision", {"approve": True}),
    ("/api/changes/{changes}/decision", {"approve": False}),
    ("/api/software/{software}/decision", {"approve": True}),
    ("/api/software/{software}/decision", {"approve": False}),
    ("/api/publications/{publications}/copy", None),
]


@pytest.mark.parametrize("path,body", DECISIONS)
def test_a_former_member_cannot_decide_on_the_case(left_case, path, body):
    api, code, ids, who = left_case
    url = path.format(**ids)
    r = api.http.post(url, json=body, headers=who["boss2"])
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(url, json=body, headers=who["admin2"])  # someone never on the case may
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("new_officer", ["bob", "boss2"])
def test_a_former_member_cannot_hand_the_case_over(left_case, new_officer):
    api, code, ids, who = left_case
    r = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": new_officer}, headers=who["boss2"])
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text


def test_a_former_member_cannot_decide_a_later_staff_change(left_case):
    api, code, ids, who = left_case
    api.now["t"] += dt.timedelta(days=186)
    who = {k: api.token(k) for k in who}
    cid = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": {"add": ["bob"]}},
                        headers=who["alice"]).json()["id"]
    r = api.http.post(f"/api/changes/{cid}/decision", json={"approve": True}, headers=who["boss2"])
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(f"/api/changes/{cid}/decision", json={"approve": True}, headers=who["admin2"])
    assert r.status_code == 200, r.text
