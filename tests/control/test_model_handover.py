"""E8: an imaging case's AI-model deliverables are handed over after it ends; while one is
overdue, its applicant's next application is refused.  Over the control plane's HTTP API, on
SQLite and PostgreSQL, kept in the sealed audit log."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.audit import verify_chain
from enclave.cases.models import Case
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import T0, Clock, bearer, load, mk_case
from tests.identity.helpers import FormClient

DIGEST = "ab" * 32
MODEL = {"name": "chest-xray-densenet v3", "kind": "weights", "sha256": DIGEST,
         "note": "trained on the case's extract"}
NEW_CASE = {"title": "a follow-up study", "case_type": "government"}


@pytest.fixture
def world(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        img = mk_case(db, policy, alice, admin=admin, imaging=True, period_months=3,
                      members=[(bob, None)])
        img.period_end = T0 + dt.timedelta(days=10)
        codes = img.code, None
    clock = Clock(T0)
    return FormClient(create_app(people, policy, clock=clock)), clock, people, codes


def test_an_overdue_handover_refuses_the_next_application_until_accepted(world):
    c, clock, url, (img, _) = world
    alice, boss = bearer(c, "alice"), bearer(c, "boss")
    # within the period and the grace days: applying is as before
    clock.t = T0 + dt.timedelta(days=10 + 29)
    r = c.post("/api/cases", json=NEW_CASE, headers=alice)
    assert r.status_code == 201, r.text
    # past them, with nothing handed over: refused, naming the case and the rule
    clock.t = T0 + dt.timedelta(days=10 + 31)
    r = c.post("/api/cases", json=NEW_CASE, headers=alice)
    assert r.status_code == 409 and r.json()["rule"] == "E8" and img in r.json()["detail"], r.text
    # delivered but not yet accepted: still refused
    r = c.post(f"/api/cases/{img}/model-handover", json={"items": [MODEL], "statement": ""},
               headers=alice)
    assert r.status_code == 201, r.text
    assert r.json()["delivered"]["items"][0]["sha256"] == DIGEST and r.json()["accepted"] is None
    assert c.post("/api/cases", json=NEW_CASE, headers=alice).status_code == 409
    # accepted by the committee: the next application goes in
    r = c.post(f"/api/cases/{img}/model-handover/accept", json={"note": "weights received"},
               headers=boss)
    assert r.status_code == 200 and r.json()["accepted"]["by"] == "boss", r.text
    r = c.post("/api/cases", json=NEW_CASE, headers=alice)
    assert r.status_code == 201, r.text
    # final once accepted
    r = c.post(f"/api/cases/{img}/model-handover", json={"items": [MODEL]}, headers=alice)
    assert r.status_code == 409 and "final" in r.json()["detail"], r.text
    with session_scope(url) as db:
        assert verify_chain(db) == []


def test_no_model_trained_is_a_handover_with_its_reason(world):
    c, clock, _, (img, _) = world
    alice, steward = bearer(c, "alice"), bearer(c, "steward")
    clock.t = T0 + dt.timedelta(days=60)
    r = c.post(f"/api/cases/{img}/model-handover", json={"items": [], "statement": "short"},
               headers=alice)
    assert r.status_code == 422 and "statement" in r.json()["detail"], r.text
    r = c.post(f"/api/cases/{img}/model-handover",
               json={"items": [], "statement": "No model was trained: descriptive statistics only."},
               headers=alice)
    assert r.status_code == 201, r.text
    r = c.post(f"/api/cases/{img}/model-handover/accept", json={}, headers=steward)
    assert r.status_code == 200, r.text
    assert c.post("/api/cases", json=NEW_CASE, headers=alice).status_code == 201


@pytest.mark.parametrize("who,path,body,status,words", [
    ("bob", "", {"items": [MODEL]}, 403, "applicant or a current officer"),      # a member
    ("carol", "", {"items": [MODEL]}, 404, "No case"),                          # outsider
    ("alice", "/accept", {}, 403, "committee or a data steward"),                # her own
    ("bob", "/accept", {}, 403, "committee or a data steward"),
    ("alice", "", {"items": [{**MODEL, "sha256": None}]}, 422, "sha256"),       # a file: digest
    ("alice", "", {"items": [{**MODEL, "kind": "dataset"}]}, 422, "kind"),      # not a deliverable
    ("alice", "", {"items": [{**MODEL, "sha256": "12"}]}, 422, "sha256"),
])
def test_who_may_deliver_and_accept_and_what_is_refused(world, who, path, body, status, words):
    c, clock, _, (img, _) = world
    clock.t = T0 + dt.timedelta(days=60)
    r = c.post(f"/api/cases/{img}/model-handover{path}", json=body, headers=bearer(c, who))
    assert r.status_code == status and words in r.text, r.text
    assert c.get(f"/api/cases/{img}/model-handover",
                 headers=bearer(c, "alice")).json()["accepted"] is None


def test_accepting_needs_a_delivery_and_a_plain_case_has_none(world, policy):
    c, clock, url, (img, _) = world
    with session_scope(url) as db:
        admin, alice_u = load(db, "admin", "alice")
        plain = mk_case(db, policy, alice_u, admin=admin).code
    boss, alice = bearer(c, "boss"), bearer(c, "alice")
    r = c.post(f"/api/cases/{img}/model-handover/accept", json={}, headers=boss)
    assert r.status_code == 409 and "delivered nothing" in r.json()["detail"], r.text
    r = c.post(f"/api/cases/{plain}/model-handover", json={"items": [MODEL]}, headers=alice)
    assert r.status_code == 409 and "not an imaging case" in r.json()["detail"], r.text


def test_a_purged_imaging_case_still_takes_its_applicants_handover(world):
    """The purge removes the members; the applicant still hands over (and is still owed)."""
    c, clock, url, (img, _) = world
    with session_scope(url) as db:
        case = db.query(Case).filter_by(code=img).one()
        case.status = "purged"
        for m in case.members:
            m.removed_at = T0 + dt.timedelta(days=11)
    clock.t = T0 + dt.timedelta(days=90)
    alice = bearer(c, "alice")
    assert c.post("/api/cases", json=NEW_CASE, headers=alice).status_code == 409
    r = c.post(f"/api/cases/{img}/model-handover", json={"items": [MODEL]}, headers=alice)
    assert r.status_code == 201, r.text
