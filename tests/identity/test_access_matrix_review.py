"""The review service's access matrix (E4, O2, D4): every route of the review service, release
area and import review is declared in ``enclave/web/access.py``, and every person the table does
not allow is refused (401/403/404, or the log-in page) with real ids of requests, files and
imports of their own case and of another; a draft is nobody's but its author's on any route."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from enclave.accounts.models import User, UserRole
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, upgrade, utcnow
from enclave.web import access
from enclave.web.auth import issue_token
from tests.egress_workflow.conftest import COUNTS_OK, make_world, manifest, nhi_policy, password_hash

# beyond the egress world (alice, bob, carol = reviewer in C1, rev1-3, com1, mallory in C2):
EXTRA = {"former": (("researcher",), "C1", True), "norole": ((), None, False),
         "admin": (("admin",), None, False), "steward": (("steward",), None, False),
         "suspended": (("researcher",), "C1", False), "revoked": (("researcher",), "C1", False)}
PERSONS = ["alice", "bob", "carol", "rev1", "com1", "mallory", *EXTRA]
MEMBERS = {"C1": {"alice", "bob", "carol", "suspended", "revoked"}, "C2": {"mallory"}}
FORMER = {"C1": {"former"}, "C2": set()}
REQUESTER = {"C1": "alice", "C2": "mallory"}
OTHER = {"C1": "C2", "C2": "C1"}
# calls each person must be refused at least (the allowed ones are not made): a shrinking count
# means routes stopped being tried
MIN_TRIED = {"alice": 34, "bob": 46, "carol": 27, "rev1": 22, "com1": 22, "mallory": 34, "former": 52,
             "norole": 52, "admin": 50, "steward": 50, "suspended": 66, "revoked": 66}


def _submit(c, w, who, case, draft=False):
    r = c.post("/api/requests", headers=w.auth(who), data={"manifest": json.dumps(manifest(case)),
                                                          **({"draft": "true"} if draft else {})},
               files=[("files", ("counts.csv", COUNTS_OK, "text/csv"))])
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from egress_review.api import create_app
    from egress_review.ingress.models import ImportFile, ImportRequest

    root = tmp_path_factory.mktemp("review-access")
    url = f"sqlite:///{root / 'state.db'}"
    upgrade(url)
    w = make_world(url, nhi_policy(reviews_required=1))
    with session_scope(url) as db:
        c1 = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        for name, (roles, case, removed) in EXTRA.items():
            u = User(username=name, password_hash=password_hash(), password_changed_at=utcnow())
            for r in roles:
                u.roles.append(UserRole(role=r))
            db.add(u)
            db.flush()
            w.ids[name] = u.id
            if case:
                db.add(CaseMember(case_id=c1.id, user_id=u.id, removed_at=utcnow() if removed else None))
            w.tokens[name] = issue_token(db, u, kind="api", lifetime=dt.timedelta(days=1), factor="totp")
    app = create_app(url, w.policy, store_dir=root / "s", release_dir=root / "r", recover_on_start=False)
    objs = {}
    with TestClient(app) as c:
        for case in ("C1", "C2"):
            who = REQUESTER[case]
            rel = _submit(c, w, who, case)
            r = c.post(f"/api/requests/{rel}/reviews", headers=w.auth("rev1"),
                       json={"decision": "approve", "reason": "every cell is large enough"})
            assert r.json()["state"] == "released", r.text
            checked, draft = _submit(c, w, who, case), _submit(c, w, who, case, draft=True)
            fid = {rid: c.get(f"/api/requests/{rid}", headers=w.auth(who)).json()["files"][0]["id"]
                   for rid in (rel, checked, draft)}
            objs[case] = {"released": (rel, fid[rel]), "checked": (checked, fid[checked]),
                          "draft": (draft, fid[draft])}
    with session_scope(url) as db:
        for case in ("C1", "C2"):
            imp = ImportRequest(case_code=case, requester_id=w.ids[REQUESTER[case]], purpose="bring in",
                                state="in_review", verdict="pass", manifest={}, manifest_sha256="0" * 64) \
                if hasattr(ImportRequest, "manifest") else \
                ImportRequest(case_code=case, requester_id=w.ids[REQUESTER[case]], purpose="bring in",
                              state="in_review", verdict="pass")
            imp.files.append(ImportFile(ordinal=0, path="ref.txt", kind="reference", size=3, sha256="0" * 64))
            db.add(imp)
            db.flush()
            objs[case]["import"] = imp.id
        for name in ("suspended", "revoked"):
            db.get(User, w.ids[name]).status = name
    return w, objs, app


def relation(name: str, case: str) -> set[str]:
    out = set()
    if name == REQUESTER[case]:
        out.add("own")
    if name in MEMBERS[case]:
        out.add("member")
    reviewer = name in ("carol", "rev1", "com1")
    if reviewer and name not in MEMBERS[case] | FORMER[case]:
        out.add("independent")
    return out


ROLES = {"alice": set(), "bob": set(), "carol": {"reviewer"}, "rev1": {"reviewer"}, "com1": {"committee"},
         "mallory": set(), "former": set(), "norole": set(), "admin": {"admin"}, "steward": {"steward"},
         "suspended": set(), "revoked": set()}


def allowed(name: str, acc: access.Access, case: str) -> bool:
    if not acc.login:
        return True
    if name in ("suspended", "revoked"):
        return False
    if acc.roles is not None and not ROLES[name] & set(acc.roles):
        return False
    if acc.case:
        return bool(ROLES[name] & set(acc.any_case)) or bool(relation(name, case) & set(acc.case))
    return True


def _state(path: str) -> str:
    if path.startswith(("/api/releases", "/downloads")):
        return "released"
    return "draft" if path.endswith("/submit") else "checked"


def _call(c, w, objs, name, key, case, state=None):
    method, path = key.split(" ", 1)
    o = objs[case]
    rid, fid = o[state or _state(path)]
    vals = {"rid": o["import"] if "/imports/" in path else rid, "fid": fid, "path": "ref.txt"}
    url = re.sub(r"\{(\w+)(:path)?\}", lambda m: str(vals[m.group(1)]), path)
    kw: dict = {"headers": w.auth(name)}
    files = [("files", ("counts.csv", COUNTS_OK, "text/csv"))]
    body = {
        "POST /api/precheck": dict(data={"manifest": json.dumps(manifest(case))}, files=files),
        "POST /api/requests": dict(data={"manifest": json.dumps(manifest(case))}, files=files),
        "POST /api/imports": dict(data={"case_code": case, "purpose": "x", "files_json": json.dumps(
            [{"path": "ref.txt", "kind": "reference"}])}, files=[("uploads", ("ref.txt", b"abc", "text/plain"))]),
        "POST /imports/new": dict(data={"case_code": case, "purpose": "x", "kind": "reference"},
                                  files=[("uploads", ("ref.txt", b"abc", "text/plain"))]),
        "POST /api/imports/share": dict(json={"source_request_id": o["released"][0], "paths": ["counts.csv"],
                                              "target_case": OTHER[case], "purpose": "x"}),
        "POST /api/requests/{rid}/withdraw": dict(json={"reason": "x"}),
        "POST /api/requests/{rid}/reviews": dict(json={"decision": "approve", "reason": "every cell large"}),
        "POST /requests/{rid}/review": dict(data={"decision": "approve", "reason": "every cell large"}),
        "POST /api/imports/{rid}/review": dict(json={"decision": "approve", "reason": "fine"}),
        "POST /imports/{rid}/review": dict(data={"decision": "approve", "reason": "fine"}),
        "POST /api/releases/{rid}/zip": dict(json={"password": "a-long-password-1"}),
        "POST /downloads/{rid}/zip": dict(data={"password": "a-long-password-1"}),
    }.get(key)
    if body is None and "comment" in path:
        body = dict(json={"body": "hello"}) if path.startswith("/api/") else dict(data={"body": "hello"})
    kw.update(body or {})
    return c.request(method, url, **kw)


def _refused(r) -> bool:
    if r.status_code in (401, 403, 404):
        return True
    return r.status_code in (302, 303, 307) and r.headers.get("location", "").startswith("/login")


def test_every_route_is_declared(world):
    w, objs, app = world
    assert access.undeclared(app, access.REVIEW) == []
    assert len(access.route_keys(app)) >= 45


@pytest.mark.parametrize("person", PERSONS, ids=PERSONS)
def test_everyone_is_refused_what_the_table_does_not_allow(world, person):
    w, objs, app = world
    bad, tried = [], 0
    with TestClient(app, follow_redirects=False) as c:
        for key in access.route_keys(app):
            acc = access.REVIEW[key]
            for case in ("C1", "C2"):
                if allowed(person, acc, case):
                    continue
                r = _call(c, w, objs, person, key, case)
                tried += 1
                if not _refused(r):
                    bad.append((key, case, r.status_code, r.text[:160]))
    assert bad == [], f"{person}: {len(bad)} of {tried} calls not refused: {bad}"
    assert tried >= MIN_TRIED[person], tried     # the matrix really called the routes


@pytest.mark.parametrize("person", [p for p in PERSONS if p not in ("alice", "mallory")],
                         ids=[p for p in PERSONS if p not in ("alice", "mallory")])
def test_a_draft_is_nobody_elses_on_any_route(world, person):
    """Whatever the role, another person's draft answers 401/403/404 on every request route."""
    w, objs, app = world
    bad = []
    with TestClient(app, follow_redirects=False) as c:
        for key in access.route_keys(app):
            if "{rid}" not in key or "/imports/" in key or key.split(" ", 1)[1].startswith(("/api/releases", "/downloads")):
                continue
            for case in ("C1", "C2"):
                r = _call(c, w, objs, person, key, case, state="draft")
                if not _refused(r):
                    bad.append((key, case, r.status_code, r.text[:120]))
    assert bad == []


EXTRA_FIELDS = {"state": "released", "approved": True, "reviewer_id": 1, "requester_id": 1, "role": "reviewer",
                "stage": "committee", "case_code": "C2", "user_id": 1, "status": "approved"}


@pytest.mark.parametrize("field", sorted(EXTRA_FIELDS), ids=sorted(EXTRA_FIELDS))
def test_extra_fields_are_refused_not_ignored(world, field):
    """Every JSON body of the review service and release area is closed (422 before anything is
    done): before, reviews, comments, withdrawals and zip downloads ignored unknown fields."""
    w, objs, app = world
    rid, fid = objs["C1"]["checked"]
    rel = objs["C1"]["released"][0]
    calls = [("rev1", f"/api/requests/{rid}/reviews", {"decision": "changes", "reason": "x"}),
             ("rev1", f"/api/requests/{rid}/comments", {"body": "hello"}),
             ("rev1", f"/api/requests/{rid}/files/{fid}/comments", {"body": "hello"}),
             ("alice", f"/api/requests/{rid}/withdraw", {"reason": "x"}),
             ("alice", f"/api/releases/{rel}/zip", {"password": "a-long-password-1"}),
             ("rev1", f"/api/imports/{objs['C1']['import']}/review", {"decision": "reject", "reason": "x"}),
             ("alice", "/api/imports/share", {"source_request_id": rel, "paths": ["counts.csv"],
                                              "target_case": "C2", "purpose": "x"})]
    with TestClient(app) as c:
        for who, url, body in calls:
            r = c.post(url, json={**body, field: EXTRA_FIELDS[field]}, headers=w.auth(who))
            assert r.status_code == 422, (url, r.status_code, r.text[:200])
        assert c.get(f"/api/requests/{rid}", headers=w.auth("alice")).json()["state"] == "checked"


def test_the_session_socket_serves_only_declared_routes(tmp_path):
    from egress_review.api.session_app import create_session_app

    app = create_session_app(db_url=f"sqlite:///{tmp_path / 's.db'}", policy=nhi_policy(),
                             store_dir=tmp_path / "s", release_dir=tmp_path / "r")
    keys = access.route_keys(app)
    assert len(keys) == 9 and access.undeclared(app, access.SESSION) == []
    assert all(access.SESSION[k].case in ((), ("own",), ("member",)) for k in keys)   # requester-only


def _variants(url: str, rid: int) -> list[str]:
    return [url + "/", url.upper(), "/" + url, url.replace("/", "//", 2), url.replace("/api/", "/API/"),
            url.replace(f"/{rid}", f"/x/../{rid}"), url.replace(f"/{rid}", f"/x/%2e%2e/{rid}"),
            url.replace(f"/{rid}", f"/%{ord(str(rid)[0]):02X}{str(rid)[1:]}"), url.replace(f"/{rid}", f"/{rid}%00"),
            url.replace(f"/{rid}", f"/0{rid}"), url.replace(f"/{rid}", f"/+{rid}")]


@pytest.mark.parametrize("person", ["bob", "mallory", "carol", "former", "norole"],
                         ids=["member", "other-case", "reviewer-in-case", "former", "no-role"])
def test_path_tricks_and_method_overrides_reach_nothing_refused(world, person):
    """Another spelling of a refused path, or a method-override header, never reaches the object:
    an error (not found, method not allowed, invalid, or the same refusal) every time."""
    w, objs, app = world
    bad, tried = [], 0
    with TestClient(app, follow_redirects=True) as c:
        for key in access.route_keys(app):
            method, path = key.split(" ", 1)
            acc = access.REVIEW[key]
            if "{rid}" not in path or allowed(person, acc, "C1"):
                continue
            o = objs["C1"]
            rid, fid = o[_state(path)]
            rid = o["import"] if "/imports/" in path else rid
            url = re.sub(r"\{(\w+)(:path)?\}", lambda m: str({"rid": rid, "fid": fid, "path": "ref.txt"}[m.group(1)]), path)
            for v in _variants(url, rid):
                r = c.request(method, v, headers=w.auth(person),
                              **({"json": {"decision": "approve", "reason": "every cell large", "body": "x",
                                           "password": "a-long-password-1"}} if method == "POST" else {}))
                tried += 1
                if r.status_code < 400 or r.status_code == 500:
                    bad.append((key, v, r.status_code))
            for verb in ("GET", "POST"):
                if verb == method:
                    continue
                r = c.request(verb, url, headers={**w.auth(person), "X-HTTP-Method-Override": method})
                tried += 1
                if r.status_code < 400 or (r.status_code == 200 and verb == "GET" and f"GET {path}" not in access.REVIEW):
                    if f"{verb} {path}" not in access.REVIEW or not allowed(person, access.REVIEW[f"{verb} {path}"], "C1"):
                        bad.append((key, verb, "override", r.status_code))
    assert bad == [] and tried >= 50, (tried, bad[:20])
