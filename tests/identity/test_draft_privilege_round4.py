"""A1/E4, round 4: a filing is decided on the rights of whoever holds them when it is decided.

* **A pending request outlived its filer's right to file it.**  A case officer's staff change,
  column change, extension or software declaration waited for a decider; meanwhile the officer
  was suspended, revoked, recorded as left or handed the case over - and a decider's approval
  still applied it: the former officer's change added people and columns to a case they no
  longer led, extended it, installed their software.  Now an approval re-checks the filing as if
  it were filed at that moment (``enclave.cases.standing``): a request that no longer stands can
  only be refused.
* **A pending request outlived the case's state.**  The same requests were approved on a closed,
  void or purged case (a staff change added members to a case that had ended), and changes and
  software on a suspended one (a breach being looked into).  The case must be in a state the
  request could be filed in (an extension may be asked while suspended, so it may be approved).
* **Two deciders at once both decided.**  On PostgreSQL two committee members approving the same
  draft case, extension, change or software declaration both found it pending: two approval
  records, the case's fees charged twice and the last writer's terms kept.  The item is now
  re-read under a row lock before it is decided (``enclave.cases.standing.lock_for_decision``).
* **An egress approval released files to a suspended, revoked or departed requester** who was
  still listed on the case (``egress_review.workflow.release_hold``).

Safe counterparts: the same requests approved while everything stands, a departure recorded for
a later date, the new officer's own request after a handover, and refusing a lapsed request.
The control plane over real HTTP on SQLite and PostgreSQL; the review service as the other
egress tests drive it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.cases.models import Case, ChangeRequest, Extension, SoftwareDeclaration
from enclave.db import session_scope
from tests.egress_workflow.conftest import clock, dirs, policy, submit, world  # noqa: F401 (fixtures)
from tests.egress_workflow.conftest import client as review_client  # noqa: F401
from tests.identity.test_self_decision import SPEC
from tests.identity.draft_version_kit import seen

GOOD = "all cells are at least six persons; margins and totals checked"
KINDS = ("extension", "staff", "columns", "software")
DECISION = {"extension": "extensions", "staff": "changes", "columns": "changes", "software": "software"}
MODEL = {"extension": Extension, "staff": ChangeRequest, "columns": ChangeRequest,
         "software": SoftwareDeclaration}


def _running_case(api) -> str:
    """alice applies (she is its officer), boss2 approves, the admin records the payment."""
    alice = api.token("alice")
    r = api.http.post("/api/cases", json={"title": "Standing", "case_type": "government",
                                          "extract_spec": SPEC}, headers=alice)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 10, "version": seen(api.http, code, api.token("boss2"))}, headers=api.token("boss2"))
    assert r.status_code == 200, r.text
    r = api.http.post(f"/api/cases/{code}/payment", json={"amount": r.json()["fees_due"]},
                      headers=api.token("admin"))
    assert r.status_code == 200 and r.json()["status"] in ("approved", "active"), r.text
    return code


def _file_all(api, code, who="alice") -> dict[str, int]:
    """Every request a case officer files, one of each kind (each must be filed: pending)."""
    hdr = api.token(who)
    bodies = {
        "extension": (f"/api/cases/{code}/extensions", {"days": 30}),
        "staff": (f"/api/cases/{code}/changes", {"kind": "staff", "payload": {"add": ["bob"]}}),
        "columns": (f"/api/cases/{code}/changes", {"kind": "columns",
                                                   "payload": {"columns": {"H_NHI_OPDTE": ["T_DOT"]}}}),
        "software": (f"/api/cases/{code}/software", {"name": "QGIS"}),
    }
    ids = {}
    for kind, (path, body) in bodies.items():
        r = api.http.post(path, json=body, headers=hdr)
        assert r.status_code == 201 and r.json()["status"] == "pending", (kind, r.text)
        ids[kind] = r.json()["id"]
    return ids


def _case_facts(url, code) -> dict:
    """What an approval would change: the members, the extract's columns, the period."""
    with session_scope(url) as db:
        c = db.execute(select(Case).where(Case.code == code)).scalar_one()
        members = {db.get(User, m.user_id).username for m in c.members if m.removed_at is None}
        return {"bob": "bob" in members, "columns": list(c.extract_spec["files"]["H_NHI_OPDTE"]["columns"]),
                "period_end": c.period_end}


def _status(url, kind, rid) -> str:
    with session_scope(url) as db:
        return db.get(MODEL[kind], rid).status


def _set_case(url, code, status):
    with session_scope(url) as db:
        db.execute(select(Case).where(Case.code == code)).scalar_one().status = status


def _set_account(url, name, status):
    with session_scope(url) as db:
        db.execute(select(User).where(User.username == name)).scalar_one().status = status


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


# each way a filing stops standing, and the kinds it takes down (an extension may be asked
# while the case is suspended, so a case suspension leaves it standing)
LAPSES = {
    "filer suspended": (lambda api, url, code: api.http.post(
        "/api/accounts/alice/suspend", json={"reason": "breach"}, headers=api.token("admin")), KINDS),
    # an officer's account is revoked only after a handover (A7); any state but active lapses
    "filer revoked": (lambda api, url, code: _set_account(url, "alice", "revoked"), KINDS),
    "filer left": (lambda api, url, code: api.http.post(
        "/api/accounts/alice/left", json={"reason": "departed", "when": _today()},
        headers=api.token("admin")), KINDS),
    "handed over": (lambda api, url, code: api.http.post(
        f"/api/cases/{code}/handover", json={"new_officer": "admin2"}, headers=api.token("boss")), KINDS),
    "case suspended": (lambda api, url, code: _set_case(url, code, "suspended"), ("staff", "columns", "software")),
    "case void": (lambda api, url, code: _set_case(url, code, "void"), KINDS),
    "case closed": (lambda api, url, code: _set_case(url, code, "closed"), KINDS),
    "case purged": (lambda api, url, code: _set_case(url, code, "purged"), KINDS),
}


@pytest.mark.parametrize("lapse", list(LAPSES))
def test_a_request_that_no_longer_stands_is_not_approved(control, people_db, lapse):
    api = control
    code = _running_case(api)
    ids = _file_all(api, code)
    act, lapsed_kinds = LAPSES[lapse]
    r = act(api, people_db, code)
    assert r is None or r.status_code == 200, r.text
    before = _case_facts(people_db, code)
    boss = api.token("boss")
    for kind in KINDS:
        r = api.http.post(f"/api/{DECISION[kind]}/{ids[kind]}/decision", json={"approve": True}, headers=boss)
        if kind in lapsed_kinds:
            assert r.status_code == 409 and r.json()["rule"] == "A1", (lapse, kind, r.text)
            assert "no longer stands" in r.json()["detail"], r.text
            assert _status(people_db, kind, ids[kind]) == "pending", (lapse, kind)
        else:
            assert r.status_code == 200 and r.json()["status"] == "approved", (lapse, kind, r.text)
    after = _case_facts(people_db, code)
    assert after["bob"] is False and "T_DOT" not in after["columns"], (lapse, after)
    if "extension" in lapsed_kinds:
        assert after["period_end"] == before["period_end"], lapse
    # a request that lapsed can still be refused (the queue is cleared, nothing applied)
    for kind in lapsed_kinds:
        if _status(people_db, kind, ids[kind]) != "pending":
            continue
        r = api.http.post(f"/api/{DECISION[kind]}/{ids[kind]}/decision", json={"approve": False},
                          headers=boss)
        assert r.status_code == 200 and r.json()["status"] == "refused", (lapse, kind, r.text)
    assert _case_facts(people_db, code)["bob"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_a_request_that_still_stands_is_approved(control, people_db, kind):
    """The safe counterpart of every kind: nothing changed since the filing."""
    api = control
    code = _running_case(api)
    ids = _file_all(api, code)
    r = api.http.post(f"/api/{DECISION[kind]}/{ids[kind]}/decision", json={"approve": True},
                      headers=api.token("boss"))
    assert r.status_code == 200 and r.json()["status"] == "approved", (kind, r.text)
    facts = _case_facts(people_db, code)
    assert {"staff": facts["bob"], "columns": "T_DOT" in facts["columns"], "software": True,
            "extension": facts["period_end"] is not None}[kind]


def test_a_departure_recorded_for_later_leaves_the_request_standing(control, people_db):
    api = control
    code = _running_case(api)
    ids = _file_all(api, code)
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60)).date().isoformat()
    r = api.http.post("/api/accounts/alice/left", json={"reason": "retired", "when": later},
                      headers=api.token("admin"))
    assert r.status_code == 200, r.text
    r = api.http.post(f"/api/changes/{ids['staff']}/decision", json={"approve": True}, headers=api.token("boss"))
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert _case_facts(people_db, code)["bob"] is True


def test_after_a_handover_the_new_officers_own_request_is_approved(control, people_db):
    """The old officer's filing lapses; the one who leads the case now files it again."""
    api = control
    code = _running_case(api)
    old = _file_all(api, code)
    boss = api.token("boss")
    r = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": "admin2"}, headers=boss)
    assert r.status_code == 200, r.text
    r = api.http.post(f"/api/changes/{old['staff']}/decision", json={"approve": True}, headers=boss)
    assert r.status_code == 409, r.text
    assert api.http.post(f"/api/changes/{old['staff']}/decision", json={"approve": False},
                         headers=boss).status_code == 200
    r = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": {"add": ["bob"]}},
                      headers=api.token("admin2"))
    assert r.status_code == 201, r.text
    r = api.http.post(f"/api/changes/{r.json()['id']}/decision", json={"approve": True}, headers=boss)
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert _case_facts(people_db, code)["bob"] is True


def test_the_html_decision_pages_refuse_a_lapsed_request_too(control, people_db):
    """The pages call the same services: a staff change by a suspended officer stays pending,
    and the same form approves it once the officer is reinstated."""
    import httpx

    from enclave.identity.sessions import csrf_token
    from tests.control.conftest import PASSWORD
    from tests.identity.helpers import COOKIE, form_login

    api = control
    code = _running_case(api)
    ids = _file_all(api, code)
    admin = api.token("admin")
    assert api.http.post("/api/accounts/alice/suspend", json={"reason": "breach"}, headers=admin).status_code == 200
    with httpx.Client(base_url=api.base, timeout=30) as browser:
        assert form_login(browser, api.base, "boss", PASSWORD).status_code in (200, 303)

        def decide():
            return browser.post(f"/changes/{ids['staff']}/decide", headers={"origin": api.base},
                                data={"decision": "approve", "csrf_token": csrf_token(browser.cookies.get(COOKIE))})

        r = decide()
        assert r.status_code == 409, (r.status_code, r.text[:300])
        assert _status(people_db, "staff", ids["staff"]) == "pending"
        assert _case_facts(people_db, code)["bob"] is False
        r = api.http.post("/api/accounts/alice/reinstate", json={"reason": "cleared"}, headers=admin)
        assert r.status_code == 200, r.text
        assert decide().status_code in (200, 303)
    assert _status(people_db, "staff", ids["staff"]) == "approved"
    assert _case_facts(people_db, code)["bob"] is True


# --------------------------------------------------------------- egress: the requester's account

def _account(world, who, how):
    with session_scope(world.db_url) as db:
        u = db.get(User, world.ids[who])
        if how == "left":
            u.left_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        elif how == "left later":
            u.left_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
        elif how != "active":
            u.status = how


@pytest.mark.parametrize("how", ["suspended", "revoked", "left", "active", "left later"])
def test_no_release_to_a_requester_whose_account_no_longer_stands(review_client, world, how):  # noqa: F811
    client = review_client
    rid = submit(client, world).json()["id"]
    _account(world, "alice", how)
    codes = [client.post(f"/api/requests/{rid}/reviews", headers=world.auth(who),
                         json={"decision": "approve", "reason": GOOD}).status_code for who in ("rev1", "rev2")]
    state = client.get(f"/api/requests/{rid}", headers=world.auth("rev3")).json()["state"]
    if how in ("active", "left later"):
        assert codes == [200, 200] and state in ("approved", "released"), (how, codes, state)
    else:
        assert codes[0] == 409 and state not in ("approved", "released"), (how, codes, state)


# --------------------------------------------------------------- two deciders at once

def _race_world(url, policy, what):
    """A government case of 'pi' (approved unless ``what`` is the case itself) and, pending on
    it, the request ``what`` names; deciders boss and boss2.  Returns (model, id, case code)."""
    from enclave.cases import service as cases
    from enclave.cases.changes import request_change
    from tests.control.conftest import T0, mk_case, mk_user

    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        mk_user(db, "boss2", "committee")
        pi = mk_user(db, "pi")
        mk_user(db, "nia")
        mk_user(db, "noa")
        c = mk_case(db, policy, pi, admin=admin, case_type="government", working_days=10,
                    approve=what != "case", pay=what != "payment")
        made = {"case": lambda: c, "payment": lambda: c, "handover": lambda: c,
                "extension": lambda: cases.request_extension(db, policy, pi, c, days=30, now=T0),
                "columns": lambda: request_change(db, policy, pi, c, kind="columns",
                                                  payload={"columns": {"H_NHI_OPDTE": ["T_DOT"]}}, now=T0),
                "software": lambda: cases.declare_software(db, pi, c, name="QGIS", now=T0)}[what]()
        db.flush()
        return type(made), made.id, c.code


def _decide(db, policy, who, model, rid, what):
    from enclave.cases import service as cases
    from enclave.cases.changes import decide_change
    from tests.control.conftest import T0

    row = db.get(model, rid)
    if what == "payment":
        return cases.record_payment(db, policy, who, row, amount=row.fees_due, now=T0)
    if what == "handover":
        from enclave.cases.officers import handover_officer

        new = cases.get_user(db, "nia" if who.username == "boss" else "noa")
        return handover_officer(db, policy, who, row, new, now=T0)
    if what == "case":
        return cases.approve_case(db, policy, who, row, now=T0, working_days=5 if who.username == "boss" else 20)
    fn = {"extension": cases.decide_extension, "software": cases.decide_software}.get(what)
    if what == "columns":
        return decide_change(db, policy, who, row, approve=True, now=T0)
    if what == "software":
        return fn(db, who, row, approve=True, now=T0)
    return fn(db, policy, who, row, approve=True, now=T0)


APPROVED = {"case": "case.approved", "payment": "case.paid", "handover": "officer.granted", "extension": "case.extension_approved", "columns": "case.change_approved",
            "software": "software.approved"}


@pytest.mark.parametrize("what", list(APPROVED))
def test_two_deciders_at_once_decide_once(enclave_home, db_url, what):
    """Both deciders read the item while it is pending (on PostgreSQL they are held at that
    point until both have read it); exactly one decision is taken, the other is refused as
    already decided: one approval record, the fees charged once."""
    import threading

    from enclave.audit.models import AuditRecord
    from enclave.cases.models import Charge
    from enclave.core.errors import Refused
    from policies import load_policy
    from policies.loader import POLICY_ROOT
    from tests.control.conftest import without_mfa

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    model, rid, code = _race_world(db_url, policy, what)
    both_read = threading.Barrier(2, timeout=10) if db_url.startswith("postgresql") else None
    out: list[str] = []

    def decider(name):
        try:
            with session_scope(db_url) as db:
                who = db.execute(select(User).where(User.username == name)).scalar_one()
                db.get(model, rid).status      # noqa: B018 - read while pending
                if both_read is not None:
                    both_read.wait()
                _decide(db, policy, who, model, rid, what)
            out.append("decided")
        except Refused as e:
            out.append(f"refused: {e}")

    threads = [threading.Thread(target=decider, args=(n,)) for n in ("boss", "boss2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if what == "handover":     # the second handover follows the first: one officer, never two
        assert out == ["decided", "decided"], out
        with session_scope(db_url) as db:
            c = db.execute(select(Case).where(Case.code == code)).scalar_one()
            officers = [m for m in c.members if m.removed_at is None and m.role in ("pi", "officer")]
            assert len(officers) == 1, [(m.user_id, m.role) for m in officers]
            holders = db.execute(select(User).where(User.username.in_(("pi", "nia", "noa")))).scalars().all()
            assert sorted(u.username for u in holders if u.has_role("officer")) == \
                [db.get(User, officers[0].user_id).username]
        return
    assert sorted(o.split(":")[0] for o in out) == ["decided", "refused"], out
    refusal = next(o for o in out if o.startswith("refused"))
    assert "already" in refusal or "not a draft" in refusal or "no payment is awaited" in refusal, out
    with session_scope(db_url) as db:
        n = db.execute(select(AuditRecord).where(AuditRecord.action == APPROVED[what],
                                                 AuditRecord.case_code == code)).all()
        assert len(n) == 1, (what, len(n))
        if what == "case":
            c = db.execute(select(Case).where(Case.code == code)).scalar_one()
            charges = db.execute(select(Charge).where(Charge.case_id == c.id)).scalars().all()
            assert sum(ch.amount for ch in charges) == c.fees_due and c.approved_by in ("boss", "boss2")
            assert c.half_days_approved == (10 if c.approved_by == "boss" else 40)
