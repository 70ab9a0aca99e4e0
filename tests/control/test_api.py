"""The JSON API refuses what a role may not do (403) and what a rule forbids (409, naming it)."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, SPEC, T0, load, mk_case, mk_user


@pytest.fixture
def client(people, policy):
    app = create_app(people, policy, clock=lambda: T0)
    return TestClient(app)


def login(client, name):
    r = client.post("/api/token", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_api_roles_and_rules(client, people, policy):
    assert client.get("/api/cases").status_code == 401
    assert client.post("/api/token", json={"username": "alice", "password": "nope"}).status_code == 401
    alice, admin, bob = login(client, "alice"), login(client, "admin"), login(client, "bob")
    body = {"title": "Diabetes", "case_type": "research", "extract_spec": SPEC,
            "irb_certificate": {"number": "IRB-1", "investigators": [{"name": "alice", "role": "pi"}]}}
    r = client.post("/api/cases", json=body, headers=alice)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert client.post(f"/api/cases/{code}/approve", json={}, headers=alice).status_code == 403
    assert client.get(f"/api/cases/{code}", headers=bob).status_code == 404  # not bob's
    r = client.post(f"/api/cases/{code}/approve", json={}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    fees = r.json()["fees_due"]
    r = client.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=admin)
    assert r.json()["status"] == "active"
    r = client.post("/api/bookings", json={"case_code": code, "date": "2026-11-28", "slot": "morning"},
                    headers=alice)
    assert r.status_code == 409 and r.json()["rule"] == "S2"
    r = client.post("/api/bookings", json={"case_code": code, "date": "2026-11-24", "slot": "day"}, headers=alice)
    assert r.status_code == 201 and [b["slot_name"] for b in r.json()] == ["morning", "afternoon"]
    ics = client.get("/api/bookings.ics", headers=alice)
    assert ics.headers["content-type"].startswith("text/calendar") and ics.text.count("BEGIN:VEVENT") == 2
    r = client.post(f"/api/cases/{code}/changes", json={"kind": "columns",
                                                        "payload": {"columns": {"H_NHI_OPDTE": ["T_DOT"]}}},
                    headers=alice)
    assert r.status_code == 201
    change = r.json()["id"]
    assert client.post(f"/api/changes/{change}/decision", json={"approve": True}, headers=alice).status_code == 403
    assert client.post(f"/api/changes/{change}/decision", json={"approve": True}, headers=admin).json()["status"] == "approved"
    r = client.post("/api/accounts", json={"username": "temp1", "password": "Sturdy-Pass-2026",
                                           "employment": "temporary"}, headers=admin)
    assert r.status_code == 409 and r.json()["rule"] == "A2"
    assert client.get("/api/violations", headers=alice).status_code == 403
    assert client.post("/api/audit/samples", json={}, headers=alice).status_code == 403


def test_late_payment_voids_through_api(people, policy):
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        code = mk_case(db, policy, alice, admin=admin, pay=False).code
    late = TestClient(create_app(people, policy, clock=lambda: T0 + dt.timedelta(days=15)))
    r = late.post(f"/api/cases/{code}/payment", json={"amount": 10**6}, headers=login(late, "admin"))
    assert r.status_code == 409 and r.json()["rule"] == "P10"
    assert late.get(f"/api/cases/{code}", headers=login(late, "admin")).json()["status"] == "void"  # committed


def test_nul_bytes_refused(client):
    admin = login(client, "admin")
    r = client.post("/api/accounts", content=b'{"username": "a\\u0000b", "password": "x"}',
                    headers={**admin, "content-type": "application/json"})
    assert r.status_code == 422


def test_pages_hide_what_user_cannot_do(client, people, policy):
    """A1: approve buttons, admin menus are absent for a researcher; the admin sees them."""
    with session_scope(people) as db:
        alice = load(db, "alice")
        code = mk_case(db, policy, alice, approve=False).code
    client.post("/login", data={"username": "alice", "password": PASSWORD})
    page = client.get(f"/cases/{code}").text
    assert "/approve" not in page and "/violations" not in page and "/audit/samples" not in page
    assert client.get("/violations").status_code == 403
    admin = TestClient(client.app)
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    page = admin.get(f"/cases/{code}").text
    assert f"/cases/{code}/approve" in page and "/violations" in page
