"""The JSON API refuses what a role may not do (403) and what a rule forbids (409, naming it)."""
from __future__ import annotations

import datetime as dt

import pytest
from tests.identity.helpers import FormClient as TestClient

from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, SPEC, T0, load, mk_case, mk_user
from tests.identity.draft_version_kit import seen


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
    assert client.post(f"/api/cases/{code}/approve", json={"version": seen(client, code, alice)}, headers=alice).status_code == 403
    assert client.get(f"/api/cases/{code}", headers=bob).status_code == 404  # not bob's
    r = client.post(f"/api/cases/{code}/approve", json={"version": seen(client, code, admin)}, headers=admin)
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


def test_page_forms_end_to_end(client, people, policy):
    """Every page and form renders and acts (templates are exercised, errors are pages)."""
    import re

    alice = TestClient(client.app)
    assert alice.get("/cases", follow_redirects=False).headers["location"].startswith("/login")
    alice.post("/login", data={"username": "alice", "password": PASSWORD})
    spec = '{"files": {"H_NHI_OPDTE": {"years": [2020], "columns": ["ID"]}}}'
    r = alice.post("/cases", data={"title": "Gov", "case_type": "government", "extract_spec": spec})
    assert r.status_code == 200 and "Application" in r.text
    code = re.search(r"/cases/(C\d{4}-\d{4})", str(r.url)).group(1)
    r = alice.post("/cases", data={"title": "Res", "case_type": "research", "extract_spec": "{bad"})
    assert r.status_code == 422 and "not JSON" in r.text
    admin = TestClient(client.app)
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    page = admin.get(f"/cases/{code}").text
    # what the decision rests on is on the page: purpose, IRB, the data requested as a table
    assert 'id="purpose"' in page and 'id="irb"' in page and "<td>H_NHI_OPDTE</td><td>2020</td><td>ID</td>" in page
    r = admin.post(f"/cases/{code}/approve", data={"working_days": "2"})       # not confirmed
    assert r.status_code == 422 and "Tick the box" in r.text
    version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)   # the version read (A1)
    r = admin.post(f"/cases/{code}/approve", data={"working_days": "2", "confirm": "yes", "version": "0" * 20})
    assert r.status_code == 409 and "changed after you read it" in r.text
    r = admin.post(f"/cases/{code}/approve", data={"working_days": "2", "confirm": "yes", "version": version})
    assert "Approved" in r.text and "0.0 / 2.0" in r.text
    fee = re.search(r'name="amount" type="number" min="0" value="(\d+)"', r.text).group(1)
    assert "Payment recorded" in admin.post(f"/cases/{code}/payment", data={"amount": fee}).text
    assert "Software declared" in alice.post(f"/cases/{code}/software", data={"name": "QGIS"}).text
    r = alice.post(f"/cases/{code}/changes", data={"kind": "columns", "payload": '{"columns": {"H_NHI_OPDTE": ["T_DOT"]}}'})
    assert "Change requested" in r.text
    assert "Extension requested" in alice.post(f"/cases/{code}/extensions", data={"days": "30"}).text
    r = alice.post("/bookings", data={"case_code": code, "date": "2026-11-24", "slot": "morning"})
    assert "Booked" in r.text
    r = alice.post("/bookings", data={"case_code": code, "date": "2026-11-28", "slot": "morning"})
    assert r.status_code == 409 and "Saturday" in r.text
    assert "BEGIN:VCALENDAR" in alice.get("/calendar.ics").text
    for path in ("/", "/calendar", "/calendar?start=2026-12-21", "/announcements", "/password", "/accounts"):
        assert alice.get(path).status_code == 200, path
    for path in ("/accounts", "/audit/samples", "/violations", f"/cases/{code}", "/calendar"):
        assert admin.get(path).status_code == 200, path
    r = admin.post("/accounts", data={"username": "newbie", "password": "Sturdy-Pass-2026", "unit": "X",
                                      "employment": "contract", "role": "researcher"})
    assert "newbie created" in r.text
    r = admin.post("/accounts/review", data={"revoke": []})
    assert "Review recorded" in r.text
    assert "Violation recorded" in admin.post("/violations", data={"username": "bob", "kind": "pi_notified",
                                                                    "case_code": code, "reason": "x"}).text
    r = admin.post("/announcements", data={"title": "維護公告", "body": "<p>週五<script>x()</script></p>", "keywords": "maint"},
                   files=[("files", ("note.txt", b"hello", "text/plain"))])
    assert "Published" in r.text and "<script>" not in r.text
    assert "維護公告" in alice.get("/announcements?q=maint").text
    r = alice.post("/password", data={"username": "alice", "old_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and "at least 12" in r.text
    r = alice.post("/logout", follow_redirects=False)
    assert r.status_code == 303 and alice.get("/", follow_redirects=False).status_code == 303
