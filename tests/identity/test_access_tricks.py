"""Escalation classes over many routes of the control plane (A1): extra JSON fields that would
name a role, a status or an owner (mass assignment), method-override headers, path tricks
(trailing slash, case, dot segments, double slashes, encoded ids), and naming oneself or a
friend in a privileged role.  Each is tried on every route it applies to, with the people the
access table refuses; the ordinary call is the control."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.db import session_scope
from enclave.web import access
from tests.control.conftest import T0
from tests.identity.access_world import DAY
from tests.identity.test_access_matrix import _form, _json, _url, allowed, client, world  # noqa: F401

EXTRA_FIELDS = {"role": "admin", "roles": ["admin"], "approved": True, "status": "approved",
                "case_code": "C2026-9999", "user_id": 1, "requester_id": 1, "is_admin": True,
                "state": "released", "applicant_id": 1, "created_by": "admin", "granted_by": "admin"}
OVERRIDES = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"]


def _json_routes(app, w):
    for key in access.route_keys(app):
        method, path = key.split(" ", 1)
        if method in ("POST", "PUT") and path.startswith("/api/") and access.CONTROL[key].login:
            body = _json(key, w.objs["A"], w.objs["B"])
            if body is not None and key != "POST /api/announcements":
                yield key, body


@pytest.mark.parametrize("field", sorted(EXTRA_FIELDS), ids=sorted(EXTRA_FIELDS))
def test_extra_fields_are_refused_not_ignored(world, client, field):  # noqa: F811
    """Every JSON body of the API is closed: an unknown field is 422 before anything is done,
    even for the admin (who could otherwise do the thing)."""
    w, _ = world
    bad, tried = [], 0
    for key, body in _json_routes(client.app, w):
        if field in body or (key, field) == ("POST /api/accounts", "roles"):  # a real field there
            continue
        method, path = key.split(" ", 1)
        r = client.request(method, _url(path, w.objs["A"]), json={**body, field: EXTRA_FIELDS[field]},
                           headers=w.auth("admin"))
        tried += 1
        if r.status_code != 422:
            bad.append((key, r.status_code, r.text[:120]))
    assert bad == [] and tried >= 28, (tried, bad)


def _post_only(app):
    keys = access.route_keys(app)
    for key in keys:
        method, path = key.split(" ", 1)
        if method in ("POST", "PUT", "DELETE") and access.CONTROL[key].login \
                and f"GET {path}" not in keys:
            yield key


@pytest.mark.parametrize("header", OVERRIDES, ids=OVERRIDES)
def test_method_override_headers_do_nothing(world, client, header):  # noqa: F811
    """A GET (or POST to a DELETE route) carrying a method-override header is the method it is:
    it changes nothing and reaches no state-changing handler."""
    w, _ = world
    bad, tried = [], 0
    for key in _post_only(client.app):
        method, path = key.split(" ", 1)
        url = _url(path, w.objs["B"])
        for verb in ("GET", "POST") if method != "POST" else ("GET",):
            r = client.request(verb, url, headers={**w.auth("alice"), header: method},
                               params={"_method": method})
            tried += 1
            if r.status_code < 400 or r.status_code == 500:
                bad.append((key, verb, r.status_code))
    assert bad == [] and tried >= 60, (tried, bad)
    with session_scope(w.url) as db:     # the booking a DELETE override aimed at is still there
        from enclave.bookings.models import Booking

        assert db.get(Booking, w.objs["B"]["booking_id"]) is not None


def _variants(url: str, code: str) -> list[str]:
    out = [url + "/", url.upper(), url.replace("/api/", "/API/"), "/" + url, url.replace("/", "//", 2),
           url.replace(code, code.lower()), url.replace(code, "%s" % "".join(f"%{ord(c):02X}" for c in code))]
    if code in url:
        out += [url.replace(code, f"X/../{code}"), url.replace(code, f"X/%2e%2e/{code}"),
                url.replace(code, f"X%2F..%2F{code}"), url.replace(code, f"{code}%00"),
                url.replace(code, f" {code}"), url.replace(code, f"{code}%20")]
    return out


@pytest.mark.parametrize("person", ["alice", "norole", "former", "rev"], ids=["member", "no-role", "former", "reviewer"])
def test_path_tricks_reach_nothing_refused(world, client, person):  # noqa: F811
    """Whatever the spelling of a path the person is refused, the answer is an error: the route
    is not found, the method not allowed, or the same refusal - never the object."""
    w, _ = world
    bad, tried = [], 0
    with TestClient(client.app, follow_redirects=True) as c:
        for key in access.route_keys(client.app):
            method, path = key.split(" ", 1)
            acc = access.CONTROL[key]
            if not acc.login or allowed(w, person, acc, "B") or "{" not in path:
                continue
            o = w.objs["B"]
            url = _url(path, o)
            for v in _variants(url, o["code"]) + [_url(path, {**o, **{k: f"{o[k]}%2F" for k in ("ext_id",)}})]:
                kw = {"headers": w.auth(person)}
                if method in ("POST", "PUT"):
                    if path.startswith("/api/"):
                        kw["json"] = _json(key, o, w.objs["A"]) or {}
                    else:
                        kw["data"] = _form(key, o)
                r = c.request(method, v, **kw)
                tried += 1
                if r.status_code < 400 or r.status_code == 500:
                    bad.append((key, v, r.status_code))
    assert bad == [] and tried >= 200, (tried, bad[:20])


PRIVILEGED = ["admin", "committee", "steward", "reviewer", "officer"]


@pytest.mark.parametrize("role", PRIVILEGED, ids=PRIVILEGED)
def test_nobody_grants_a_privileged_role_to_themselves_or_a_friend(world, client, role):  # noqa: F811
    """Every person - the admin too, for themselves - tries to give the role to themselves and
    to a friend, over the API and the page; every try is refused and no role changes."""
    w, _ = world
    with session_scope(w.url) as db:
        before = {u.username: sorted(u.role_names) for u in db.execute(select(User)).scalars()}
    bad = []
    people = ["admin", "boss", "steward", "rev", "pi_a", "alice", "bob", "former", "norole"]
    for actor in people:
        for target in {actor, "alice", "acct_a", "bob"} - ({"alice", "acct_a", "bob"} if actor == "admin" else set()):
            for url, kw in ((f"/api/accounts/{target}/roles", {"json": {"role": role}}),
                            (f"/accounts/{target}/roles", {"data": {"role": role}})):
                r = client.post(url, headers=w.auth(actor), **kw)
                if r.status_code not in (401, 403, 404):
                    bad.append((actor, target, url, r.status_code))
    with session_scope(w.url) as db:
        after = {u.username: sorted(u.role_names) for u in db.execute(select(User)).scalars()}
    assert bad == [] and after == before


@pytest.mark.parametrize("who", ["bob", "pi_a", "boss", "rev", "former"], ids=lambda x: f"for-{x}")
def test_a_member_books_for_nobody_else(world, client, who):  # noqa: F811
    """alice (a plain member of A) books only for herself: naming anyone else is refused."""
    w, _ = world
    body = {"case_code": w.objs["A"]["code"], "date": DAY.isoformat(), "slot": "afternoon", "username": who}
    r = client.post("/api/bookings", json=body, headers=w.auth("alice"))
    assert r.status_code == 403, r.text


def test_filing_for_someone_else_or_as_officer_is_refused(world, client):  # noqa: F811
    """A researcher files a case only as its own applicant, and filing grants no role."""
    w, _ = world
    for applicant in ("bob", "boss", "admin"):
        r = client.post("/api/cases", headers=w.auth("alice"),
                        json={"title": "t", "case_type": "government", "applicant": applicant})
        assert r.status_code == 403, (applicant, r.text)
    r = client.post("/api/cases", headers=w.auth("norole"), json={"title": "t", "case_type": "government"})
    code = r.json()["code"]
    with session_scope(w.url) as db:
        u = db.execute(select(User).where(User.username == "norole")).scalar_one()
        assert u.role_names == []       # a draft's filer is its PI member, with no new role
    for key in ("POST /api/cases/{code}/approve", "POST /api/cases/{code}/payment",
                "POST /api/cases/{code}/handover"):
        method, path = key.split(" ", 1)
        body = _json(key, {**w.objs["A"], "code": code}, w.objs["B"])
        assert client.post(_url(path, {"code": code}), json=body, headers=w.auth("norole")).status_code == 403
    assert client.get("/queries", params={"case": code}, headers=w.auth("norole")).status_code == 403
    assert T0
