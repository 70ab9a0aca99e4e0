"""The control plane's access matrix (A1): every route (API and pages, every method) is declared
in ``enclave/web/access.py``, and every person the table does not allow - by role, or by their
relation to the object's case - is refused (401/403/404, or the log-in page) when calling it with
the ids of real objects of their own case and of another case.  Routes are enumerated from the
app, so a new route is called without editing this test, and one without a table entry fails."""
from __future__ import annotations

import datetime as dt

import json
import re

import pytest
from fastapi.testclient import TestClient

from enclave.web import access
from tests.control.conftest import T0, without_mfa
from tests.identity.access_world import DAY, PEOPLE, build, relation

PAYLOAD = {"files": {"H_NHI_DDTE": {"years": [2020], "columns": ["ID"]}}}
# calls each person must be refused at least (allowed ones are not made)
MIN_TRIED = {"admin": 0, "boss": 95, "steward": 135, "rev": 150, "pi_a": 110, "alice": 140, "pi_b": 110,
             "bob": 140, "former": 150, "norole": 150, "suspended": 195, "revoked": 195}
ACCOUNT = {"username": "newacct", "password": "Correct-Horse-42x-new", "unit": "NTU Hospital"}


def _json(key: str, o: dict, other: dict) -> dict | None:
    """A valid JSON body for each API route, so a refusal is about who calls, not what."""
    tail = key.split(" ", 1)[1]
    return {
        "/api/cases": {"title": "t", "case_type": "government"},
        "/api/cases/{code}/approve": {}, "/api/cases/{code}/payment": {"amount": 1},
        "/api/cases/{code}/changes": {"kind": "files", "payload": PAYLOAD},
        "/api/cases/{code}/extensions": {"days": 30},
        "/api/cases/{code}/software": {"name": "R", "version": "4", "purpose": "x"},
        "/api/changes/{change_id}/decision": {"approve": True},
        "/api/extensions/{ext_id}/decision": {"approve": True},
        "/api/software/{decl_id}/decision": {"approve": True},
        "/api/cases/{code}/working-days": {"days": 1},
        "/api/cases/{code}/working-days/transfer": {"to_case": other["code"], "days": 1},
        "/api/cases/{code}/extract/give-up": {"reason": "finished with the claims"},
        "/api/cases/{code}/model-handover": {"items": [], "statement": "no model was trained in this case"},
        "/api/cases/{code}/model-handover/accept": {"note": "checked"},
        "/api/audit/internal": {"scope": "the yearly internal audit"},
        "/api/audit/internal/{audit_id}/findings": {"finding": "a sample unsigned", "severity": "low"},
        "/api/audit/internal/{audit_id}/close": {"conclusion": "controls work as described"},
        "/api/cases/{code}/members": {"username": "rev"}, "/api/cases/{code}/handover": {},
        "/api/cases/{code}/publications": {"title": "p", "published_on": "2026-01-01", "cites_source": True},
        "/api/bookings": {"case_code": o["code"], "date": DAY.isoformat(), "slot": "afternoon"},
        "/api/accounts": ACCOUNT, "/api/accounts/{username}/revoke": {"reason": "x"},
        "/api/accounts/{username}/left": {"reason": "departed"}, "/api/accounts/review": {"revoke": []},
        "/api/audit/samples": {}, "/api/audit/samples/{sample_id}/anomalies": {"note": "x"},
        "/api/audit/samples/{sample_id}/signoff": {"note": ""},
        "/api/violations": {"username": o["member"], "case_code": o["code"], "kind": "pi_notified",
                            "reason": "x"},
        "/api/accounts/{username}/roles": {"role": "researcher"},
        "/api/accounts/{username}/suspend": {"reason": "x"}, "/api/accounts/{username}/reinstate": {"reason": "x"},
        "/api/accounts/{username}/reset-password": {}, "/api/seats/{number}": {"addresses": ["10.0.0.9"]},
        "/api/seats/{number}/retire": {"reason": "x"}, "/api/mfa/enrol": {},
        "/api/webauthn/register/finish": {"credential": {}}, "/api/webauthn/register/begin": {},
        "/api/accounts/{username}/accreditations": {"kind": "training",
                                                    "completed_on": (T0 - dt.timedelta(days=1)).date().isoformat()},
        "/api/accounts/{username}/accreditations/withdraw": {"kind": "training", "reason": "x"},
    }.get(tail)        # None: the route reads no body


def _form(key: str, o: dict) -> dict:
    tail = key.split(" ", 1)[1]
    return {
        "/cases": {"title": "t", "case_type": "government"},
        "/cases/{code}/approve": {"confirm": "yes"}, "/cases/{code}/payment": {"amount": "1"},
        "/cases/{code}/changes": {"kind": "files", "payload": json.dumps(PAYLOAD)},
        "/cases/{code}/extensions": {"days": "30"}, "/cases/{code}/software": {"name": "R"},
        "/changes/{change_id}/decide": {"decision": "approve"},
        "/extensions/{ext_id}/decide": {"decision": "approve"},
        "/software/{decl_id}/decide": {"decision": "approve"},
        "/bookings": {"case_code": o["code"], "date": DAY.isoformat(), "slot": "afternoon"},
        "/accounts": {**ACCOUNT, "username": "newacct2"}, "/accounts/{username}/revoke": {"reason": "x"},
        "/audit/samples/{sample_id}/anomalies": {"note": "x"},
        "/violations": {"username": o["member"], "case_code": o["code"], "kind": "pi_notified", "reason": "x"},
        "/queries/decide": {"seq": str(o["query_seq"]), "decision": "approved"},
        "/announcements": {"title": "t"}, "/accounts/{username}/roles": {"role": "researcher"},
        "/accounts/{username}/suspend": {"reason": "x"}, "/accounts/{username}/reinstate": {"reason": "x"},
    }.get(tail, {})


def _url(path: str, o: dict) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: str(o[m.group(1)]), path)


def _query(key: str, o: dict) -> dict:
    if key in ("GET /queries", "GET /queries.csv"):
        return {"case": o["code"]}
    return {}


def allowed(w, name: str, acc: access.Access, key: str) -> bool:
    if not acc.login:
        return True
    if PEOPLE[name][2] != "active":
        return False
    roles = w.roles[name]
    if acc.roles is not None and not roles & set(acc.roles):
        return False
    if acc.case:
        return bool(roles & set(acc.any_case)) or bool(relation(w, name, key) & set(acc.case))
    return True


def refused(r) -> bool:
    if r.status_code in (401, 403, 404):
        return True
    return r.status_code in (302, 303, 307) and r.headers.get("location", "").startswith("/login")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'state.db'}"
    return build(url, policy), policy


@pytest.fixture(scope="module")
def client(world):
    from enclave.web.app import create_app

    w, policy = world
    with TestClient(create_app(w.url, policy, clock=lambda: T0), follow_redirects=False) as c:
        yield c


def test_every_route_is_declared(world):
    """A route without an entry stops the app from being built (default deny)."""
    from fastapi import APIRouter

    from enclave.web.app import create_app

    w, policy = world
    app = create_app(w.url, policy)
    assert access.undeclared(app, access.CONTROL) == []
    assert len(access.route_keys(app)) >= 110
    extra = APIRouter()
    extra.add_api_route("/api/new-thing", lambda: {}, methods=["POST"])
    app.include_router(extra)
    assert access.undeclared(app, access.CONTROL) == ["POST /api/new-thing"]
    with pytest.raises(RuntimeError, match="new-thing"):
        access.check_declared(app, access.CONTROL)


def _calls(app):
    for key in access.route_keys(app):
        acc = access.CONTROL[key]
        if not acc.login:
            continue
        yield key, acc


@pytest.mark.parametrize("person", sorted(PEOPLE), ids=sorted(PEOPLE))
def test_everyone_is_refused_what_the_table_does_not_allow(world, client, person):
    w, _ = world
    bad, tried = [], 0
    for key, acc in _calls(client.app):
        method, path = key.split(" ", 1)
        for case_key, other in (("A", "B"), ("B", "A")):
            if allowed(w, person, acc, case_key):
                continue
            o = w.objs[case_key]
            url = _url(path, o)
            kw = {"params": _query(key, o), "headers": w.auth(person)}
            if method in ("POST", "PUT", "DELETE"):
                if path.startswith("/api/"):
                    body = _json(key, o, w.objs[other])
                    if key == "POST /api/announcements":
                        kw["data"] = {"title": "t"}
                    elif body is not None and method != "DELETE":
                        kw["json"] = body
                else:
                    kw["data"] = _form(key, o)
            r = client.request(method, url, **kw)
            tried += 1
            if not refused(r):
                bad.append((key, case_key, r.status_code, r.text[:160]))
    assert bad == [], f"{person}: {len(bad)} of {tried} calls not refused: {bad}"
    assert tried >= MIN_TRIED[person], tried     # the matrix really called the routes
