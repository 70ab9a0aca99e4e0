"""Someone the case's IRB certificate names as an investigator is not independent of it even when
never made a member (A1): a committee member or admin listed on the study cannot approve the
case nor decide its extensions or changes. Real HTTP against the control-plane app."""
from __future__ import annotations

import pytest

from tests.identity.test_self_decision import SPEC
from tests.identity.draft_version_kit import seen


def research_case(api, who, investigators) -> str:
    irb = {"number": "IRB-7", "investigators": [{"name": "alice", "role": "pi"}, *investigators]}
    r = api.http.post("/api/cases", json={"title": "Study", "case_type": "research", "extract_spec": SPEC,
                                          "irb_certificate": irb}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()["code"]


NAMED = [  # how an IRB certificate may name boss2 (user name boss2, display name Boss2)
    {"name": "boss2", "role": "co_pi"},
    {"name": "Boss2", "role": "co_pi"},
    {"name": " BOSS2 ", "role": "investigator"},
    {"name": "Boss2", "role": "pi"},
]


@pytest.mark.parametrize("named", NAMED)
def test_a_named_investigator_cannot_approve_or_decide(control, named):
    api = control
    alice, admin, boss, boss2 = (api.token(n) for n in ("alice", "admin", "boss", "boss2"))
    code = research_case(api, alice, [named])
    r = api.http.post(f"/api/cases/{code}/approve", json={"version": seen(api.http, code, boss2)}, headers=boss2)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(f"/api/cases/{code}/approve", json={"version": seen(api.http, code, boss)}, headers=boss)
    assert r.status_code == 200, r.text
    assert api.http.post(f"/api/cases/{code}/payment", json={"amount": r.json()["fees_due"]},
                         headers=admin).status_code == 200
    ext = api.http.post(f"/api/cases/{code}/extensions", json={"days": 30}, headers=alice).json()["id"]
    r = api.http.post(f"/api/extensions/{ext}/decision", json={"approve": True}, headers=boss2)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    chg = api.http.post(f"/api/cases/{code}/changes", json={
        "kind": "columns", "payload": {"columns": {"H_NHI_OPDTE": ["T_DOT"]}}}, headers=alice).json()["id"]
    r = api.http.post(f"/api/changes/{chg}/decision", json={"approve": True}, headers=boss2)
    assert r.status_code == 403 and r.json()["rule"] == "A1", r.text
    r = api.http.post(f"/api/changes/{chg}/decision", json={"approve": True}, headers=boss)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("others", [[], [{"name": "Dr. Lee", "role": "co_pi"}], [{"name": "boss22", "role": "co_pi"}],
                                    [{"name": "bos", "role": "co_pi"}]])
def test_a_decider_not_named_still_decides(control, others):
    api = control
    code = research_case(api, api.token("alice"), others)
    r = api.http.post(f"/api/cases/{code}/approve", json={"version": seen(api.http, code, api.token("boss2"))}, headers=api.token("boss2"))
    assert r.status_code == 200, r.text
