"""Grant/revoke a role, suspend, reinstate, reset a password, unlock - over real HTTP: each
allowed only to whoever may decide it (never on oneself), each audited, each taking effect."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from tests.control.conftest import PASSWORD

ACTIONS = [  # (method, path, body, audited action)
    ("post", "/api/accounts/{u}/roles", {"role": "steward"}, "role.granted"),
    ("delete", "/api/accounts/{u}/roles/researcher", None, "role.revoked"),
    ("post", "/api/accounts/{u}/suspend", {"reason": "on leave"}, "account.suspended"),
    ("post", "/api/accounts/{u}/reset-password", {"reset_mfa": True}, "account.password_reset"),
    ("post", "/api/accounts/{u}/unlock", None, "account.unlocked"),
]


def call(api, method, path, body, who):
    kw = {"headers": who}
    if body is not None:
        kw["json"] = body
    return getattr(api.http, method)(path, **kw)


def audited(db_url, action, subject) -> bool:
    with session_scope(db_url) as db:
        return db.execute(select(AuditRecord.seq).where(AuditRecord.action == action,
                                                       AuditRecord.subject == subject)).first() is not None


def test_non_admins_cannot_administer_accounts(control):
    for actor in ("alice", "boss", "steward", "rev"):
        who = control.token(actor)
        for method, path, body, _action in ACTIONS:
            r = call(control, method, path.format(u="bob"), body, who)
            assert r.status_code == 403 and r.json()["rule"] == "A1", (actor, path, r.text)


@pytest.mark.parametrize("method,path,body,action", ACTIONS)
def test_nobody_administers_their_own_account(control, method, path, body, action):
    r = call(control, method, path.format(u="admin"), body, control.token("admin"))
    assert r.status_code == 403 and "your own" in r.json()["detail"], r.text


@pytest.mark.parametrize("method,path,body,action", ACTIONS)
def test_the_admin_administers_others_and_it_is_audited(control, people_db, method, path, body, action):
    r = call(control, method, path.format(u="bob"), body, control.token("admin"))
    assert r.status_code == 200, r.text
    assert audited(people_db, action, "bob")


def test_suspension_ends_sessions_and_log_ins_until_reinstated(control):
    api = control
    admin, bob = api.token("admin"), api.token("bob")
    assert api.http.get("/api/me", headers=bob).status_code == 200
    assert api.http.post("/api/accounts/bob/suspend", json={"reason": "x"}, headers=admin).status_code == 200
    assert api.http.get("/api/me", headers=bob).status_code == 401
    r = api.http.post("/api/token", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 401 and "suspended" in r.json()["detail"]
    assert api.http.post("/api/accounts/bob/reinstate", json={"reason": "back"}, headers=admin).status_code == 200
    assert api.http.get("/api/me", headers=api.token("bob")).status_code == 200


def test_a_reset_password_must_be_changed_before_logging_in(control):
    api = control
    r = api.http.post("/api/accounts/bob/reset-password", json={}, headers=api.token("admin"))
    one_time = r.json()["one_time_password"]
    r = api.http.post("/api/token", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 401                                       # the old one is gone
    r = api.http.post("/api/token", json={"username": "bob", "password": one_time})
    assert r.status_code == 401 and "change it" in r.json()["detail"]  # expired at once (A4)
    r = api.http.post("/api/password", json={"username": "bob", "old_password": one_time,
                                             "new_password": "Brand-New-Pass-77"})
    assert r.status_code == 200, r.text
    assert api.http.get("/api/me", headers=api.token("bob", "Brand-New-Pass-77")).status_code == 200


def test_a_granted_role_works_and_a_revoked_one_stops(control):
    api = control
    admin = api.token("admin")
    bob = api.token("bob")
    assert api.http.get("/api/accounts/review", headers=bob).status_code == 403
    assert api.http.post("/api/accounts/bob/roles", json={"role": "admin"}, headers=admin).status_code == 200
    assert api.http.get("/api/accounts/review", headers=bob).status_code == 200
    # the new admin still cannot act on itself, nor undo the granting admin
    assert api.http.delete("/api/accounts/bob/roles/admin", headers=bob).status_code == 403
    assert api.http.delete("/api/accounts/bob/roles/admin", headers=admin).status_code == 200
    assert api.http.get("/api/accounts/review", headers=bob).status_code == 403
    r = api.http.post("/api/accounts/bob/roles", json={"role": "emperor"}, headers=admin)
    assert r.status_code == 422


def test_an_officer_grants_only_researcher_to_accounts_it_created(control):
    api = control
    admin = api.token("admin")
    api.http.post("/api/accounts/alice/roles", json={"role": "officer"}, headers=admin)
    alice = api.token("alice")
    r = api.http.post("/api/accounts", json={"username": "newbie", "password": "Sturdy-Pass-2026x",
                                             "unit": "NTU Hospital"}, headers=alice)
    assert r.status_code == 201, r.text
    assert api.http.post("/api/accounts/newbie/roles", json={"role": "reviewer"}, headers=alice).status_code == 403
    assert api.http.post("/api/accounts/bob/suspend", json={"reason": "x"}, headers=alice).status_code == 403
    assert api.http.post("/api/accounts/newbie/suspend", json={"reason": "x"}, headers=alice).status_code == 200
