"""A1/A5, audit round 8: roles and case memberships written straight into the state DB.

Round 7 read the case tables' decisions against the sealed log; the rights themselves are rows
too.  An account's roles (``user_roles``) decide what it may do everywhere and a live case
membership (``case_members``) lets a person book the case and read its data, but neither carries
a seal: with SQL and no key one could give an account the admin or steward role, rename a role,
create an account with a role, make an outsider a member or a member the officer, bring back a
member a staff change removed, or rewrite the approved change's names - and ``verify`` passed.
Now ``verify`` replays the sealed records that give and take these rights
(``enclave.audit.people_index``, kind ``people-index``) and reports each row they do not bear
out, naming the record that should have made it.  Rights given and taken through the
application (roles granted and revoked, staff changes, officer handover, directory roles) still
verify.  SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from enclave.audit.people_index import KIND
from enclave.audit.verify import verify_audit
from enclave.cases import service as cases
from enclave.cases.changes import decide_change, request_change
from enclave.db import session_scope
from enclave.identity import roles
from tests.audit.people_seal import seal_people
from tests.control.conftest import T0, load, mk_case, mk_user, people, policy, url  # noqa: F401 (fixtures)


def problems(url):  # noqa: F811
    with session_scope(url) as s:
        return verify_audit(s, require_witness=False)


@pytest.fixture
def world(enclave_home, url, people, policy):  # noqa: F811
    """alice's paid case A with bob and dave (dave removed by an approved staff change), carol of
    another unit outside it; carol was a reviewer once (granted and revoked by the admin)."""
    with session_scope(url) as db:
        mk_user(db, "dave")
        seal_people(db)
        admin, alice, bob, dave, carol = load(db, "admin", "alice", "bob", "dave", "carol")
        a = mk_case(db, policy, alice, admin=admin, members=[(bob, None), (dave, None)])
        c = request_change(db, policy, alice, a, kind="staff", payload={"remove": ["dave"]}, now=T0)
        decide_change(db, policy, admin, c, approve=True, now=T0)
        roles.grant_role(db, admin, carol, "reviewer", now=T0)
        roles.revoke_role(db, admin, carol, "reviewer", now=T0)
        ids = {"A": a.code, "a_id": a.id, "change": c.id,
               **{n: u.id for n, u in (("alice", alice), ("bob", bob), ("dave", dave), ("carol", carol),
                                       ("admin", admin))}}
    return url, ids


def _run(url, ids, steps):
    with session_scope(url) as db:
        for sql in steps:
            names = {k: v for k, v in ids.items() if f":{k}" in sql}
            if ":t" in sql:
                names["t"] = T0
            db.execute(text(sql), names)


def _role_insert(who: str, role: str) -> list[str]:
    return [f"INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (:{who}, '{role}', 'admin', :t)"]


ROLE_ATTACKS = {
    **{f"{role} given to bob": _role_insert("bob", role)
       for role in ("admin", "committee", "steward", "reviewer", "officer")},
    "revoked reviewer put back": _role_insert("carol", "reviewer"),
    "bob's researcher role renamed admin": ["UPDATE user_roles SET role = 'admin' WHERE user_id = :bob"],
    "the admin role moved to bob": ["UPDATE user_roles SET user_id = :bob WHERE user_id = :admin"],
    "granted_by says directory": ["INSERT INTO user_roles (user_id, role, granted_by, granted_at) "
                                  "VALUES (:bob, 'steward', 'directory', :t)"],
    "granted_by says a case approval": ["INSERT INTO user_roles (user_id, role, granted_by, granted_at) "
                                        "VALUES (:bob, 'officer', 'case:C2026-0001:boss', :t)"],
}

MEMBER_ATTACKS = {
    "outsider made a member": ["INSERT INTO case_members (case_id, user_id, role, added_at) "
                               "VALUES (:a_id, :carol, 'member', :t)"],
    "outsider made the officer": ["INSERT INTO case_members (case_id, user_id, role, added_at) "
                                  "VALUES (:a_id, :carol, 'pi', :t)"],
    "member made the officer": ["UPDATE case_members SET role = 'pi' WHERE user_id = :bob AND case_id = :a_id"],
    "member made co-PI": ["UPDATE case_members SET role = 'co_pi' WHERE user_id = :bob AND case_id = :a_id"],
    "removed member brought back": ["UPDATE case_members SET removed_at = NULL WHERE user_id = :dave"],
    "membership moved to an outsider": ["UPDATE case_members SET user_id = :carol WHERE user_id = :bob"],
    "the officer's row moved": ["UPDATE case_members SET user_id = :carol WHERE user_id = :alice"],
}


STATUS_ATTACKS = {
    "suspended account made active": (lambda db, admin, u: __import__("enclave.accounts.lifecycle", fromlist=["x"])
                                      .suspend(db, admin, u, reason="inquiry", now=T0)),
    "revoked account made active": (lambda db, admin, u: __import__("enclave.accounts.service", fromlist=["x"])
                                    .revoke_account(db, admin, u, reason="left", now=T0)),
}


@pytest.mark.parametrize("attack", list(STATUS_ATTACKS))
def test_an_account_brought_back_by_sql_fails_verify(world, attack):
    """A5 round 8: a suspension lifted or a revocation undone in the DB (the account's rights all
    come back with it) is not borne out by the sealed status; the revoked member's membership
    brought back neither."""
    url, ids = world
    with session_scope(url) as db:
        admin, bob = load(db, "admin", "bob")
        STATUS_ATTACKS[attack](db, admin, bob)
    assert problems(url) == []        # done through the application: verifies
    _run(url, ids, ["UPDATE users SET status = 'active' WHERE id = :bob",
                    "UPDATE case_members SET removed_at = NULL WHERE user_id = :bob"])
    found = [p.message for p in problems(url) if p.kind == KIND]
    assert any("bob is active" in m for m in found), found
    if "revoked" in attack:
        assert any("bob is a member" in m for m in found), found


def test_an_untouched_world_verifies(world):
    url, _ = world
    assert problems(url) == []


@pytest.mark.parametrize("attack", list(ROLE_ATTACKS))
def test_a_role_written_into_the_db_fails_verify(world, attack):
    url, ids = world
    _run(url, ids, ROLE_ATTACKS[attack])
    found = [p for p in problems(url) if p.kind == KIND]
    assert found, attack
    assert "role" in found[0].message and "outside the application" in found[0].message
    assert "account.created or role.granted" in found[0].message   # the record that should have made it


@pytest.mark.parametrize("attack", list(MEMBER_ATTACKS))
def test_a_membership_written_into_the_db_fails_verify(world, attack):
    url, ids = world
    _run(url, ids, MEMBER_ATTACKS[attack])
    found = [p for p in problems(url) if p.kind == KIND]
    assert found, attack
    assert ids["A"] in found[0].message and "outside the application" in found[0].message


def test_an_account_created_in_the_db_with_a_role_fails_verify(world):
    from enclave.accounts.models import User, UserRole

    url, _ = world
    with session_scope(url) as db:
        u = User(username="mallory", display_name="M", unit="NTU Hospital", employment="permanent",
                 password_hash="x", password_changed_at=T0, status="active", created_at=T0, created_by="admin")
        u.roles.append(UserRole(role="steward", granted_by="admin", granted_at=T0))
        db.add(u)
    found = [p for p in problems(url) if p.kind == KIND]
    assert found and "mallory" in found[0].message and "steward" in found[0].message


def test_a_rewritten_staff_change_does_not_make_a_member(world):
    """The approved change's names are sealed with the decision: a payload rewritten to add
    carol (and her row added) is not borne out by the record."""
    from enclave.cases.models import CaseMember, ChangeRequest

    url, ids = world
    with session_scope(url) as db:
        cr = db.get(ChangeRequest, ids["change"])
        cr.payload = {"add": ["carol"], "remove": ["dave"]}
        db.add(CaseMember(case_id=ids["a_id"], user_id=ids["carol"], role="member", added_at=T0))
    found = [p for p in problems(url) if p.kind == KIND]
    assert found and "carol" in found[0].message


LATER = T0 + dt.timedelta(days=200)   # staff may change once every 6 months (P7)


def test_rights_given_through_the_application_verify(world, policy):  # noqa: F811
    """No over-blocking: a role granted, a member added by an approved staff change, the removed
    member added back by another, an officer handover, a role revoked - all verify."""
    from enclave.cases.officers import handover_officer

    url, ids = world
    with session_scope(url) as db:
        admin, boss, bob = load(db, "admin", "boss", "bob")
        a = cases.get_case(db, ids["A"])
        roles.grant_role(db, admin, bob, "reviewer", now=T0)
        c = request_change(db, policy, load(db, "alice"), a, kind="staff",
                           payload={"add": ["dave", "carol"], "proofs": {"carol": "letter"}}, now=LATER)
        decide_change(db, policy, admin, c, approve=True, now=LATER)
        handover_officer(db, policy, boss, a, bob, now=T0)
        roles.revoke_role(db, admin, bob, "reviewer", now=T0)
    assert problems(url) == []

