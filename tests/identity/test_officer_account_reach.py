"""A designated officer manages only the researcher accounts it created (A1). Once the centre
admin gives such an account any other role, its creator must not reset its password or second
factor, suspend, reinstate, unlock or revoke it - a reset hands the officer that role. Real HTTP."""
from __future__ import annotations

import pytest

from tests.control.conftest import PASSWORD
from tests.identity.test_self_decision import gov_case
from tests.identity.draft_version_kit import seen

ACTIONS = [  # (path under /api/accounts/<name>, body)
    ("reset-password", {}),
    ("reset-password", {"reset_mfa": True}),
    ("enrolment-code", None),
    ("suspend", {"reason": "r"}),
    ("unlock", None),
    ("revoke", {"reason": "r"}),
]


@pytest.fixture
def officer(control):
    """alice is an officer (her case approved) and created account 'carol'."""
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    code = gov_case(api, alice)
    assert api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss).status_code == 200
    alice = api.token("alice")
    r = api.http.post("/api/accounts", json={"username": "carol", "password": PASSWORD,
                                             "unit": "NTU Hospital"}, headers=alice)
    assert r.status_code == 201, r.text
    return api, alice, api.token("admin")


@pytest.mark.parametrize("role", ["admin", "committee", "reviewer", "steward"])
@pytest.mark.parametrize("path,body", ACTIONS)
def test_the_creator_loses_reach_once_the_account_holds_another_role(officer, role, path, body):
    api, alice, admin = officer
    r = api.http.post("/api/accounts/carol/roles", json={"role": role}, headers=admin)
    assert r.status_code == 200, r.text
    r = api.http.post(f"/api/accounts/carol/{path}", json=body, headers=alice)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text


@pytest.mark.parametrize("path,body", [a for a in ACTIONS if a[0] != "unlock"])
def test_the_creator_still_manages_a_plain_researcher(officer, path, body):
    api, alice, admin = officer
    r = api.http.post(f"/api/accounts/carol/{path}", json=body, headers=alice)
    assert r.status_code in (200, 409), r.text  # 409: e.g. no second factor to replace
    assert r.status_code == 200 or path == "enrolment-code", r.text
