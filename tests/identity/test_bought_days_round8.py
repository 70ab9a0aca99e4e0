"""P7/P10 (identity round 8): working days bought for a paid case count once they are paid.

Before, ``POST /api/cases/{code}/working-days`` on an active case added the days at once and only
raised ``fees_due``, which nobody was asked to pay again: days for free.  Now they wait as an
unpaid line of the ledger until the centre records their payment (``POST /api/cases/{code}/
payment`` by a decider or the steward - never the case's own people, never too little).  Days
bought before the case's first payment are settled by it and count with the case.  Control
plane over real HTTP, SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.identity.draft_version_kit import seen
from tests.identity.test_self_decision import SPEC


def _active_case(api, pay=True):
    alice, boss, steward = api.token("alice"), api.token("boss"), api.token("steward")
    r = api.http.post("/api/cases", json={"title": "Days", "case_type": "government", "extract_spec": SPEC},
                      headers=alice)
    code = r.json()["code"]
    r = api.http.post(f"/api/cases/{code}/approve", headers=boss,
                      json={"working_days": 1, "version": seen(api.http, code, boss)})
    assert r.status_code == 200, r.text
    if pay:
        r = api.http.post(f"/api/cases/{code}/payment", json={"amount": r.json()["fees_due"]}, headers=steward)
        assert r.status_code == 200 and r.json()["status"] == "active", r.text
    return code, alice, steward


def _days(api, code, who) -> float:
    return api.http.get(f"/api/cases/{code}", headers=who).json()["working_days_approved"]


def test_days_bought_for_a_paid_case_count_only_once_paid(control, nhi_policy):
    api = control
    code, alice, steward = _active_case(api)
    fee = nhi_policy.cases.fee_schedule["extra_working_day"]
    r = api.http.post(f"/api/cases/{code}/working-days", json={"days": 2}, headers=alice)
    assert r.status_code == 200, r.text
    assert r.json()["working_days_approved"] == 1           # bought, not paid: not yet usable
    for too_little in (0, 1, 2 * fee - 1):
        r = api.http.post(f"/api/cases/{code}/payment", json={"amount": too_little}, headers=steward)
        assert r.status_code == 409 and "not enough" in r.json()["detail"], r.text
        assert _days(api, code, alice) == 1
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": 2 * fee}, headers=steward)
    assert r.status_code == 200, r.text
    assert _days(api, code, alice) == 3
    # nothing more is awaited
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": 2 * fee}, headers=steward)
    assert r.status_code == 409 and _days(api, code, alice) == 3


@pytest.mark.parametrize("payer", ["alice", "bob"])
def test_the_cases_own_people_do_not_record_the_payment_of_their_days(control, nhi_policy, payer):
    api = control
    code, alice, _ = _active_case(api)
    api.http.post(f"/api/cases/{code}/working-days", json={"days": 1}, headers=alice)
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": 10**8}, headers=api.token(payer))
    assert r.status_code in (403, 404), r.text       # its officer; a researcher not on it
    assert _days(api, code, alice) == 1


def test_unpaid_bought_days_do_not_move_to_another_case(control, nhi_policy):
    api = control
    code, alice, _ = _active_case(api)
    other, _, _ = _active_case(api)
    api.http.post(f"/api/cases/{code}/working-days", json={"days": 3}, headers=alice)
    r = api.http.post(f"/api/cases/{code}/working-days/transfer", json={"to_case": other, "days": 2},
                      headers=alice)
    assert r.status_code == 409, r.text
    assert _days(api, other, alice) == 1


def test_days_bought_before_the_first_payment_count_with_the_case(control, nhi_policy):
    """No over-blocking: bought while the case is approved and unpaid, the days are in the fees
    its first payment settles, and count from then."""
    api = control
    code, alice, steward = _active_case(api, pay=False)
    r = api.http.post(f"/api/cases/{code}/working-days", json={"days": 2}, headers=alice)
    assert r.status_code == 200 and r.json()["working_days_approved"] == 3
    fees = r.json()["fees_due"]
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": fees}, headers=steward)
    assert r.status_code == 200 and r.json()["status"] == "active" and _days(api, code, alice) == 3
