"""A1/E4, round 3: what someone files or types grants nothing until a person with authority
decides - the next members of the class.

* **A second spelling of a directory name was a second account.**  A directory (LDAP) matches
  ``uid`` case- and width-insensitively, so "LENA", a full-width "ｌena" or "lena " bound as lena
  and the enclave, comparing names exactly, created a new account for each: with the directory's
  roles, in no case's conflict list, unlocked by lena's lock-out and untouched by lena's
  revocation.  Now a directory log-in takes only the one spelling of a user name
  (``enclave.accounts.models.USERNAME_RE``) and the directory's own ``uid`` must be it
  (``enclave.identity.login``, ``enclave.identity.directory``).  Real OpenLDAP slapd.
* **A look-alike name on an IRB certificate was independence.**  The investigators a case's
  application names were compared with accounts by lower-casing: "ｒev1", "rеv1" (Cyrillic е),
  "REV 1" or "rev\u200b1" named nobody, so the reviewer the certificate meant stayed
  independent of the case and read and approved its outputs.  Now names are compared as
  skeletons (``enclave.identity.names``).
* **A review outlived its author's independence.**  A reviewer's approval counted toward the
  decision even after the reviewer joined the case, lost the role or was suspended; and the
  committee approved on a first-stage approval that no longer stood.  Now only approvals whose
  authors could still write them decide (``egress_review.review_stages.counted_reviews``); a
  committee stage whose first stage lost an approval goes back to the reviewers.
* **A replaced version could still be approved.**  A resubmission (``supersedes``) left the
  version it replaced open to review: approving it released what the requester had replaced.
* **A generated matrix** over every create or edit route of the control plane: as each kind of
  person, whatever one files comes back undecided and changes nothing of one's own roles.

The review service as the other egress tests drive it; the control plane over real HTTP."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from enclave.accounts.models import User, UserRole
from enclave.audit.models import AuditRecord
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from tests.egress_workflow.conftest import clock, dirs, policy, submit, world  # noqa: F401 (fixtures)
from tests.egress_workflow.conftest import client as review_client  # noqa: F401

SECRET = b"40-59,F,143"
GOOD = "all cells are at least six persons; margins and totals checked"


# --------------------------------------------------------------- directory spellings (LDAP)

@pytest.fixture(scope="module")
def slapd():
    from tests.services.slapd import SlapdServer, slapd_bin

    if slapd_bin() is None:
        pytest.skip("slapd not installed")
    srv = SlapdServer().start()
    from tests.identity.test_ldap_login import PW

    srv.add_user("lena", PW, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2))
    srv.add_group("enclave-reviewers", ["lena"])
    yield srv
    srv.stop()


SPELLINGS = ["LENA", "Lena", "\uff4cena", "lena ", " lena", "lena\n"]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=["upper", "title", "fullwidth", "trailing", "leading",
                                                     "newline"])
def test_a_second_spelling_of_a_directory_name_is_no_second_account(slapd, db_url, spelling):
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    from enclave.identity.directory import LoginRefused
    from enclave.identity.login import login
    from tests.control.conftest import without_mfa
    from tests.identity.test_ldap_login import PW, directory

    pol = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    now = utcnow()
    with session_scope(db_url) as db:   # the control: lena herself logs in, a reviewer
        assert login(db, "lena", PW, policy=pol, client="t", front_end="control", now=now,
                     directory=directory(slapd)).user.role_names == ["reviewer"]
    with session_scope(db_url) as db:   # then her account is revoked
        db.execute(select(User).where(User.username == "lena")).scalar_one().status = "revoked"
    with session_scope(db_url) as db:
        with pytest.raises(LoginRefused):
            login(db, spelling, PW, policy=pol, client="t", front_end="control", now=now,
                  directory=directory(slapd))
    with session_scope(db_url) as db:
        assert db.execute(select(User.username)).scalars().all() == ["lena"]


# --------------------------------------------------------------- IRB look-alikes

def _irb(world, *names):
    with session_scope(world.db_url) as db:
        c = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        c.irb_certificate = {"number": "IRB-9", "investigators": [{"name": "alice", "role": "pi"}] + [
            {"name": n, "role": "co_pi"} for n in names]}


@pytest.mark.parametrize("name", ["\uff52ev1", "r\u0435v1", "REV 1", "rev\u200b1", "Rev-1", "r\u00e9v1"],
                         ids=["fullwidth", "cyrillic", "spaced", "zero-width", "hyphen", "accent"])
def test_a_look_alike_name_on_the_irb_is_still_the_reviewer(review_client, world, name):  # noqa: F811
    client = review_client
    _irb(world, name)
    r = submit(client, world)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()["files"][0]["id"]
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("rev1"))
    assert r.status_code == 403 and SECRET not in r.content, r.text
    r = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": GOOD})
    assert r.status_code == 403, r.text
    # the control: rev2, named nowhere, reads and reviews
    assert SECRET in client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("rev2")).content


# --------------------------------------------------------------- reviews that no longer stand

def _join_case(world, who):
    with session_scope(world.db_url) as db:
        c = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        c.members.append(CaseMember(user_id=world.ids[who], role="member", added_at=utcnow()))


def _lose_role(world, who):
    with session_scope(world.db_url) as db:
        u = db.get(User, world.ids[who])
        for r in list(u.roles):
            if r.role == "reviewer":
                u.roles.remove(r)


def _suspend(world, who):
    with session_scope(world.db_url) as db:
        db.get(User, world.ids[who]).status = "suspended"


def _review(client, world, rid, who, decision="approve"):
    return client.post(f"/api/requests/{rid}/reviews", headers=world.auth(who),
                       json={"decision": decision, "reason": GOOD})


def _state(client, world, rid):
    return client.get(f"/api/requests/{rid}", headers=world.auth("rev3")).json()


@pytest.mark.parametrize("change", [_join_case, _lose_role, _suspend], ids=["joins case", "loses role",
                                                                            "suspended"])
def test_an_approval_stops_counting_when_its_author_could_not_write_it(review_client, world, change):  # noqa: F811
    client = review_client
    rid = submit(client, world).json()["id"]
    assert _review(client, world, rid, "rev1").status_code == 200
    change(world, "rev1")
    r = _review(client, world, rid, "rev2")
    assert r.status_code == 200, r.text
    d = _state(client, world, rid)
    assert d["state"] == "in_review", d["state"]          # rev1's approval no longer decides
    assert _review(client, world, rid, "rev3").status_code == 200
    assert _state(client, world, rid)["state"] in ("approved", "released")


def test_a_refusal_by_a_reviewer_who_later_joined_still_counts(review_client, world):  # noqa: F811
    """Default deny: a reviewer independent when asking for changes saw a reason to stop."""
    client = review_client
    rid = submit(client, world).json()["id"]
    assert _review(client, world, rid, "rev1", "changes").status_code == 200
    _join_case(world, "rev1")
    assert _review(client, world, rid, "rev2").status_code == 200
    assert _state(client, world, rid)["state"] == "changes_requested"


def test_the_committee_does_not_approve_on_a_first_stage_that_no_longer_stands(review_client, world):  # noqa: F811
    from egress_review.models import EgressRequest

    client = review_client
    rid = submit(client, world).json()["id"]
    with session_scope(world.db_url) as db:
        db.get(EgressRequest, rid).needs_committee = True
    assert _review(client, world, rid, "rev1").status_code == 200
    assert _review(client, world, rid, "rev2").status_code == 200
    assert _state(client, world, rid)["stage"] == "committee"
    _join_case(world, "rev1")
    assert _review(client, world, rid, "com1").status_code == 200
    d = _state(client, world, rid)
    assert d["state"] == "in_review" and d["stage"] == "review", (d["state"], d["stage"])
    with session_scope(world.db_url) as db:
        assert db.execute(select(AuditRecord).where(AuditRecord.action == "egress.review_reopened")).first()
    # a new independent reviewer: the first stage stands again, the committee's decision decides
    assert _review(client, world, rid, "rev3").status_code == 200
    assert _state(client, world, rid)["state"] in ("approved", "released")


def test_a_replaced_version_is_not_approved(review_client, world):  # noqa: F811
    client = review_client
    old = submit(client, world).json()["id"]
    assert _review(client, world, old, "rev1").status_code == 200
    new = submit(client, world, supersedes=str(old)).json()["id"]
    r = _review(client, world, old, "rev2")
    assert r.status_code == 409 and str(new) in r.json()["detail"], r.text
    assert _state(client, world, old)["state"] == "in_review"
    # the control: the new version is reviewed as usual
    assert _review(client, world, new, "rev1").status_code == 200
    assert _review(client, world, new, "rev2").status_code == 200
    assert _state(client, world, new)["state"] in ("approved", "released")


# --------------------------------------------------------------- a generated matrix

@pytest.fixture(scope="module")
def control_world(tmp_path_factory, request):
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    from tests.control.conftest import without_mfa
    from tests.fresh_db import fresh_sqlite
    from tests.identity.access_world import build

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    url = fresh_sqlite(request, tmp_path_factory.mktemp("round3") / "state.db")   # build: no migration left
    return build(url, policy), policy


@pytest.fixture(scope="module")
def control_served(control_world):
    """The control plane on the matrix's database, served once for every person: the people
    already share that database, and the app itself holds only its database URL, policy and
    clock (lock-outs, sessions and filings live in the database)."""
    from enclave.web.app import create_app
    from tests.control.conftest import T0
    from tests.identity.helpers import serve

    w, policy = control_world
    app = create_app(w.url, policy, clock=lambda: T0)
    with serve(app) as base:
        yield app, base


# routes that decide (their callers are the authority), and the few that are not filings
DECIDING = ("/approve", "/decision", "/decide", "/payment", "/handover", "/roles", "/revoke", "/suspend",
            "/reinstate", "/left", "/review", "/lift", "/signoff", "/reviewed", "/copy", "/unlock",
            "/reset", "/enrolment-code", "/retire", "/mfa/", "/webauthn/", "/token", "/password",
            "/login", "/logout", "/mfa", "/queries/decide")
UNDECIDED = {"draft", "pending", "requested", "submitted", "declared", "booked", "waiting", None}


def _filing_routes(app) -> list[tuple[str, str]]:
    from enclave.web.access import route_keys

    out = []
    for key in route_keys(app):
        method, path = key.split(" ", 1)
        if method in ("POST", "PUT") and path.startswith("/api/") and not any(d in path for d in DECIDING):
            out.append((method, path))
    return out


def _decided_cases(http, hdr) -> set[str]:
    return {c["code"] for c in http.get("/api/cases", headers=hdr).json() if c.get("status") != "draft"}


@pytest.mark.parametrize("person", ["pi_a", "alice", "rev", "steward", "norole", "former"])
def test_filing_anything_grants_nothing(control_world, control_served, person):
    """As each kind of person, every create/edit route of the control plane that is not a
    decision: what it files comes back undecided, and the filer's roles and reach are what they
    were - the same roles, no decision route newly allowed, no case newly visible."""
    from tests.identity.access_world import DAY
    from tests.identity.test_access_matrix import _json, _url
    from tests.identity.test_self_decision import SPEC

    w, policy = control_world
    app, base = control_served
    tried, made = 0, []
    with httpx.Client(base_url=base, timeout=60) as http:
        hdr = w.auth(person)
        before = http.get("/api/me", headers=hdr).json()
        cases_before = _decided_cases(http, hdr)
        for method, path in _filing_routes(app):
            for key, other in (("A", "B"), ("B", "A")):
                body = _json(f"{method} {path}", w.objs[key], w.objs[other])
                if path == "/api/cases":     # a complete application, so it is really filed
                    body = {**body, "extract_spec": SPEC, "title": f"filed by {person}"}
                kw = {"data": {"title": "t"}} if path == "/api/announcements" else {"json": body or {}}
                r = http.request(method, _url(path, w.objs[key]), headers=hdr, **kw)
                tried += 1
                if r.status_code < 300 and r.headers.get("content-type", "").startswith("application/json"):
                    out = r.json()
                    status = out.get("status") if isinstance(out, dict) else None
                    made.append((path, status))
                    assert status in UNDECIDED or path in ("/api/cases/{code}/working-days",
                                                           "/api/cases/{code}/working-days/transfer",
                                                           "/api/cases/{code}/publications",
                                                           "/api/cases/{code}/members",
                                                           "/api/announcements", "/api/accounts",
                                                           "/api/seats/{number}", "/api/violations",
                                                           "/api/audit/samples"), (person, path, out)
        drafts = [c["code"] for c in http.get("/api/cases", headers=hdr).json() if c.get("status") == "draft"]
        for code in drafts:     # a draft's people: named on it, they get nothing of it yet
            r = http.post(f"/api/cases/{code}/members", headers=hdr, json={"username": "alice"})
            alice = w.auth("alice")
            for kind, url, body in (("booking", "/api/bookings", {"case_code": code, "date": DAY.isoformat(),
                                                                  "slot": "afternoon"}),
                                    ("extension", f"/api/cases/{code}/extensions", {"days": 30}),
                                    ("software", f"/api/cases/{code}/software", {"name": "R"})):
                r = http.post(url, headers=alice, json=body)
                # a software declaration may be filed with the application: it waits, as the case
                assert r.status_code in (400, 403, 404, 409, 422) or (
                    kind == "software" and r.json().get("status") == "pending"), (person, kind, r.text)
        after = http.get("/api/me", headers=hdr).json()
        assert after.get("roles") == before.get("roles"), (person, made)
        assert _decided_cases(http, hdr) == cases_before, made      # own drafts aside
        for d in ("/api/changes/1/decision", "/api/extensions/1/decision", "/api/software/1/decision"):
            assert http.post(d, headers=hdr, json={"approve": True}).status_code in (401, 403, 404), (person, d)
    assert tried >= 20 and made, (tried, made)
