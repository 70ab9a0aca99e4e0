"""A1/P8/P10, round 5: working days that were never paid for, moved to a case that was.

* **Days of an unpaid case moved to a paid one.**  A government case's working days are granted
  at approval and paid with the case's fees (P10).  ``/api/cases/{code}/working-days/transfer``
  read only "same applicant, both have an allowance": the officer had a case approved for 50
  days, never paid it, moved 40 of them to a paid case of 1 day (200 over real HTTP) and let the
  unpaid one void - 40 working days for nothing.  The same from a void, suspended (under
  inquiry), purged or draft case, or an ended one never paid.  Now days leave only a paid case
  that is active or ended (``enclave.cases.standing.unpaid_days``).
* **Two transfers at once spent the same days twice.**  On PostgreSQL two requests moving all
  of a case's unused days to two other cases both read them unused: both succeeded, the
  applicant gained the days once more.  Both cases are now re-read under a row lock (in id
  order) before the days are counted (``standing.lock_cases``).

Safe counterparts: a paid, active case's days move; a paid case's days move after it ended; the
refusal leaves both cases as they were.  Real HTTP on SQLite and PostgreSQL; the race with two
sessions held at the point both have read the source."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from enclave.cases.models import Case
from enclave.db import session_scope
from tests.identity.test_self_decision import SPEC
from tests.identity.draft_version_kit import seen


def _gov(api, days: int, pay: bool = True) -> str:
    """A government case of alice approved for ``days`` working days (paid unless told)."""
    r = api.http.post("/api/cases", json={"title": "Days", "case_type": "government", "extract_spec": SPEC},
                      headers=api.token("alice"))
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": days, "version": seen(api.http, code, api.token("boss2"))}, headers=api.token("boss2"))
    assert r.status_code == 200, r.text
    if pay:
        r = api.http.post(f"/api/cases/{code}/payment", json={"amount": r.json()["fees_due"]},
                          headers=api.token("admin"))
        assert r.status_code == 200 and r.json()["status"] == "active", r.text
    return code


def _draft(api) -> str:
    r = api.http.post("/api/cases", json={"title": "Draft", "case_type": "government", "extract_spec": SPEC},
                      headers=api.token("alice"))
    assert r.status_code == 201, r.text
    return r.json()["code"]


def _half_days(url, *codes) -> dict:
    with session_scope(url) as db:
        return {c: db.execute(select(Case.half_days_approved).where(Case.code == c)).scalar_one() for c in codes}


def _set(url, code, **fields):
    with session_scope(url) as db:
        c = db.execute(select(Case).where(Case.code == code)).scalar_one()
        for k, v in fields.items():
            setattr(c, k, v)


def _void_by_time(api, url, code):
    """The payment deadline passed: the next read of the case voids it (P10)."""
    _set(url, code, payment_due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    r = api.http.get(f"/api/cases/{code}", headers=api.token("alice"))
    assert r.json()["status"] == "void", r.text


# each way a case's days are not (or no longer) paid-for days it may give away
SOURCES = {
    "approved, not paid": lambda api, url: _gov(api, 50, pay=False),
    "void, never paid": lambda api, url: (lambda c: (_void_by_time(api, url, c), c)[1])(_gov(api, 50, pay=False)),
    "ended, never paid": lambda api, url: (lambda c: (_set(url, c, status="ended"), c)[1])(_gov(api, 50, pay=False)),
    "suspended (paid)": lambda api, url: (lambda c: (_set(url, c, status="suspended"), c)[1])(_gov(api, 50)),
    "purged (paid)": lambda api, url: (lambda c: (_set(url, c, status="purged"), c)[1])(_gov(api, 50)),
    "void (paid, set)": lambda api, url: (lambda c: (_set(url, c, status="void"), c)[1])(_gov(api, 50)),
    "active, paid_at cleared": lambda api, url: (lambda c: (_set(url, c, paid_at=None), c)[1])(_gov(api, 50)),
    "draft given days": lambda api, url: (lambda c: (_set(url, c, half_days_approved=100), c)[1])(_draft(api)),
}


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("days", [1, 40])
def test_unpaid_days_do_not_move(control, people_db, source, days):
    api = control
    src = SOURCES[source](api, people_db)
    dst = _gov(api, 1)
    before = _half_days(people_db, src, dst)
    r = api.http.post(f"/api/cases/{src}/working-days/transfer", json={"to_case": dst, "days": days},
                      headers=api.token("alice"))
    assert r.status_code == 409 and r.json()["rule"] == "P8", (source, r.status_code, r.text)
    assert _half_days(people_db, src, dst) == before, source


@pytest.mark.parametrize("ended", [False, True], ids=["active", "ended"])
def test_paid_days_still_move(control, people_db, ended):
    api = control
    src, dst = _gov(api, 50), _gov(api, 1)
    if ended:
        _set(people_db, src, status="ended")
    r = api.http.post(f"/api/cases/{src}/working-days/transfer", json={"to_case": dst, "days": 40},
                      headers=api.token("alice"))
    assert r.status_code == 200, r.text
    assert _half_days(people_db, src, dst) == {src: 20, dst: 82}


def test_two_transfers_at_once_spend_the_days_once(enclave_home, db_url):
    """Both requests read the source's unused days before either moves them (held there on
    PostgreSQL until both have read); one moves them, the other finds too few."""
    from enclave.accounts.models import User
    from enclave.cases import service as cases
    from enclave.core.errors import Refused
    from policies import load_policy
    from policies.loader import POLICY_ROOT
    from tests.control.conftest import mk_case, mk_user, without_mfa

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    with session_scope(db_url) as db:
        admin = mk_user(db, "admin", "admin")
        pi = mk_user(db, "pi")
        codes = [mk_case(db, policy, pi, admin=admin, case_type="government", working_days=d).code
                 for d in (10, 1, 1)]
    src, targets = codes[0], codes[1:]
    both_read = threading.Barrier(2, timeout=10) if db_url.startswith("postgresql") else None
    out: list[str] = []

    def move(target):
        try:
            with session_scope(db_url) as db:
                who = db.execute(select(User).where(User.username == "pi")).scalar_one()
                s, t = cases.get_case(db, src), cases.get_case(db, target)
                s.half_days_approved  # noqa: B018 - read while unspent
                if both_read is not None:
                    both_read.wait()
                cases.transfer_working_days(db, policy, who, s, t, days=10,
                                             now=dt.datetime.now(dt.timezone.utc))
            out.append("moved")
        except Refused as e:
            out.append(f"refused: {e}")

    threads = [threading.Thread(target=move, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o.split(":")[0] for o in out) == ["moved", "refused"], out
    got = _half_days(db_url, *codes)
    assert got[src] == 0 and sorted(got[t] for t in targets) == [2, 22], got


# ------------------------------------------------------------------ a decider who works with the PI

def _case(api, who="alice", members=(), approve_by="boss2", pay=True) -> str:
    """A government case of ``who`` naming ``members``, approved by ``approve_by`` (None: a draft)."""
    r = api.http.post("/api/cases", json={"title": "Colleagues", "case_type": "government", "extract_spec": SPEC},
                      headers=api.token(who))
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    for m in members:
        r = api.http.post(f"/api/cases/{code}/members", json={"username": m}, headers=api.token(who))
        assert r.status_code == 200, r.text
    if approve_by:
        r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, api.token(approve_by))}, headers=api.token(approve_by))
        assert r.status_code == 200, r.text
        if pay:
            r = api.http.post(f"/api/cases/{code}/payment", json={"amount": r.json()["fees_due"]},
                              headers=api.token("steward"))
            assert r.status_code == 200, r.text
    return code


def _leave(api, code, who):
    """``who`` leaves ``code`` by an approved staff change (a former member)."""
    r = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": {"remove": [who]}},
                      headers=api.token("alice"))
    assert r.status_code == 201, r.text
    r = api.http.post(f"/api/changes/{r.json()['id']}/decision", json={"approve": True}, headers=api.token("boss2"))
    assert r.status_code == 200, r.text


# how boss (committee) comes to work with alice on another, approved case
TIES = {
    "member of the PI's other case": lambda api: _case(api, members=("boss",)),
    "member of it, not yet paid": lambda api: _case(api, members=("boss",), pay=False),
    "former member of it": lambda api: (lambda c: (_leave(api, c, "boss"), c)[1])(_case(api, members=("boss",))),
    "fellow member of a third person's case": lambda api: _case(api, who="bob", members=("alice", "boss")),
    "PI of a case the PI works on": lambda api: _case(api, who="boss", members=("alice",)),
}


def _decisions(api, code) -> dict:
    """Every decision boss could take on alice's new case: its approval, then on a running one
    its payment, extension, change and software declaration."""
    boss = api.token("boss")
    out = {"approve": api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss)}, headers=boss)}
    boss2 = api.token("boss2")
    r = out["approve"] if out["approve"].status_code == 200 else api.http.post(
        f"/api/cases/{code}/approve", json={"working_days": 5, "version": seen(api.http, code, boss2)}, headers=boss2)
    assert r.status_code == 200, r.text
    fees = {"amount": r.json()["fees_due"]}
    out["payment"] = api.http.post(f"/api/cases/{code}/payment", json=fees, headers=boss)
    if out["payment"].status_code != 200:
        r = api.http.post(f"/api/cases/{code}/payment", json=fees, headers=api.token("steward"))
        assert r.status_code == 200, r.text
    alice = api.token("alice")
    ext = api.http.post(f"/api/cases/{code}/extensions", json={"days": 30}, headers=alice).json()["id"]
    chg = api.http.post(f"/api/cases/{code}/changes", json={"kind": "staff", "payload": {"add": ["bob"]}},
                        headers=alice).json()["id"]
    sw = api.http.post(f"/api/cases/{code}/software", json={"name": "QGIS"}, headers=alice).json()["id"]
    for kind, path in (("extension", f"/api/extensions/{ext}/decision"), ("change", f"/api/changes/{chg}/decision"),
                       ("software", f"/api/software/{sw}/decision")):
        out[kind] = api.http.post(path, json={"approve": True}, headers=boss)
    out["handover"] = api.http.post(f"/api/cases/{code}/handover", json={"new_officer": "admin2"}, headers=boss)
    return out


@pytest.mark.parametrize("tie", list(TIES))
def test_a_decider_who_works_with_the_pi_does_not_decide(control, people_db, tie):
    api = control
    TIES[tie](api)
    code = _case(api, approve_by=None)
    for what, r in _decisions(api, code).items():
        assert r.status_code == 403 and r.json()["rule"] == "A1", (tie, what, r.status_code, r.text)


def test_a_decider_named_only_on_a_draft_still_decides(control, people_db):
    """A draft never approved makes nobody a colleague: naming a decider on one must not choose
    who decides the applicant's cases."""
    api = control
    _case(api, members=("boss",), approve_by=None)
    _case(api, who="bob", members=("boss",))       # boss works with bob, not with alice
    code = _case(api, approve_by=None)
    for what, r in _decisions(api, code).items():
        assert r.status_code == 200, (what, r.status_code, r.text)
