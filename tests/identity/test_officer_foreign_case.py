"""A1: an officer administers the researchers it created only while they work on no other PI's
case.  Before, the officer who created an account kept resetting its password and second factor
after the person joined another case - and with the one-time password, logged in as them into
that case.  Every account action is tried; the account's own case work stays the control."""
from __future__ import annotations

import pytest

from tests.identity.test_officer_account_reach import ACTIONS, officer  # noqa: F401
from tests.identity.test_self_decision import SPEC


def _join_bobs_case(api):
    bob = api.token("bob")
    r = api.http.post("/api/cases", json={"title": "Bob's study", "case_type": "government",
                                          "extract_spec": SPEC, "members": [{"username": "carol"}]},
                      headers=bob)
    assert r.status_code == 201, r.text
    return r.json()["code"], bob


@pytest.mark.parametrize("path,body", ACTIONS)
def test_the_creator_loses_reach_once_the_account_works_on_another_case(officer, path, body):  # noqa: F811
    api, alice, admin = officer
    _join_bobs_case(api)
    r = api.http.post(f"/api/accounts/carol/{path}", json=body, headers=alice)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.delete("/api/accounts/carol/roles/researcher", headers=alice)
    assert r.status_code == 403, r.text
    # the centre admin still manages the account
    assert api.http.post("/api/accounts/carol/enrolment-code", headers=admin).status_code in (200, 409)

