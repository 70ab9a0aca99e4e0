"""A6: one internal audit a year - opened, findings recorded, closed - over the control plane's
HTTP API and its audit page, on SQLite and PostgreSQL; kept in the sealed audit log."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.audit import verify_chain
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0, Clock, bearer, mk_user
from tests.identity.helpers import FormClient

SCOPE = "2026: samples signed, account review done, anomalies followed up, chain verified"
DONE = "Controls work as described; one low finding to follow up."


@pytest.fixture
def world(people, policy):
    with session_scope(people) as db:
        mk_user(db, "audra", "committee")            # the internal auditor
        mk_user(db, "twohats", "committee", "admin")  # an auditor who is also an admin
    clock = Clock(T0)
    return FormClient(create_app(people, policy, clock=clock)), clock, people


def test_an_internal_audit_is_opened_recorded_and_closed_by_an_auditor(world):
    c, clock, url = world
    audra, admin = bearer(c, "audra"), bearer(c, "admin")
    r = c.get("/api/audit/internal", headers=admin)
    assert r.status_code == 200 and "no internal audit has been closed yet" in r.json()["due"]
    r = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=audra)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    # one open at a time
    r = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=audra)
    assert r.status_code == 409 and "still open" in r.json()["detail"], r.text
    r = c.post(f"/api/audit/internal/{aid}/findings", json={"finding": "sample 3 was signed late",
                                                            "severity": "low"}, headers=audra)
    assert r.status_code == 201, r.text
    r = c.post(f"/api/audit/internal/{aid}/findings", json={"finding": "two accounts idle > 1 year",
                                                            "severity": "medium"}, headers=audra)
    assert r.status_code == 201, r.text
    assert c.get("/api/audit/internal", headers=admin).json()["due"] is not None   # open: not done
    clock.t = T0 + dt.timedelta(days=20)
    r = c.post(f"/api/audit/internal/{aid}/close", json={"conclusion": DONE}, headers=audra)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["closed_by"] == "audra" and len(body["findings"]) == 2
    got = c.get("/api/audit/internal", headers=admin).json()
    assert got["due"] is None and got["audits"][0]["conclusion"] == DONE
    # a closed audit takes no more findings and is not closed twice
    r = c.post(f"/api/audit/internal/{aid}/findings", json={"finding": "added after the close",
                                                            "severity": "high"}, headers=audra)
    assert r.status_code == 409 and "was closed" in r.json()["detail"], r.text
    r = c.post(f"/api/audit/internal/{aid}/close", json={"conclusion": DONE}, headers=audra)
    assert r.status_code == 409
    # due again once the interval has passed since the close (policy: 12 months)
    clock.t = T0 + dt.timedelta(days=20 + 366)
    due = c.get("/api/audit/internal", headers=admin).json()["due"]
    assert due and "more than 12 months ago" in due
    with session_scope(url) as db:
        assert verify_chain(db) == []


@pytest.mark.parametrize("who,status,why", [
    ("admin", 403, "carried out by committee"),
    ("twohats", 403, "does not audit the administration"),
    ("alice", 403, "carried out by committee"),
    ("steward", 403, "carried out by committee"),
])
def test_only_an_auditor_who_is_not_an_admin_opens_or_closes_one(world, who, status, why):
    c, clock, _ = world
    h = bearer(c, who)
    r = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=h)
    assert r.status_code == status and why in r.json()["detail"], r.text
    aid = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=bearer(c, "audra")).json()["id"]
    for path, body in ((f"/api/audit/internal/{aid}/findings", {"finding": "a finding of mine",
                                                                 "severity": "low"}),
                       (f"/api/audit/internal/{aid}/close", {"conclusion": DONE})):
        r = c.post(path, json=body, headers=h)
        assert r.status_code == status and why in r.json()["detail"], (path, r.text)


@pytest.mark.parametrize("path_tail,body,field", [
    ("", {"scope": "short"}, "scope"),
    ("/findings", {"finding": "tiny", "severity": "low"}, "finding"),
    ("/findings", {"finding": "a long enough finding", "severity": "critical"}, "severity"),
    ("/close", {"conclusion": "ok"}, "conclusion"),
])
def test_bad_input_names_the_field_and_writes_nothing(world, path_tail, body, field):
    c, _, url = world
    audra = bearer(c, "audra")
    aid = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=audra).json()["id"]
    path = "/api/audit/internal" + (f"/{aid}{path_tail}" if path_tail else "")
    before = c.get("/api/audit/internal", headers=audra).json()["audits"]
    r = c.post(path, json=body, headers=audra)
    assert r.status_code == 422 and field in r.text, r.text
    assert c.get("/api/audit/internal", headers=audra).json()["audits"] == before
    assert c.post("/api/audit/internal/999999/close", json={"conclusion": DONE},
                  headers=audra).status_code == 404


def test_the_audit_page_shows_when_one_is_due(world):
    c, clock, _ = world
    assert c.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 200
    page = c.get("/audit/samples").text
    assert 'id="internal-audit-due"' in page and "應辦理內部稽核" in page
    audra = bearer(c, "audra")
    aid = c.post("/api/audit/internal", json={"scope": SCOPE}, headers=audra).json()["id"]
    c.post(f"/api/audit/internal/{aid}/close", json={"conclusion": DONE}, headers=audra)
    page = c.get("/audit/samples").text
    assert "本期已完成" in page and f'data-audit="{aid}"' in page and DONE in page
