"""P11 (SATRE 1.5.01, 1.6.04): nobody reaches a case's data without the centre's data-security
training and a signed confidentiality undertaking on record - current, not withdrawn, recorded
by the admin or the person's officer, never by the person.

* the gate (log-in, spawn, every query's record, overnight runs) refuses with the reason for
  every way of lacking one: never recorded, only the other kind, lapsed, withdrawn, dated in
  the future, someone else's; the policy decides which kinds and how long they count;
* the service: who may record and withdraw, the validity from the policy, dates refused;
* over HTTP on the real control plane: the admin records, the person reads their own and
  cannot record their own, an officer only for the accounts it manages, bad input names the
  field; every change is in the audit log;
* ``enclave account accredit`` as a person runs it.
SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

import policies
from enclave.accounts import accreditation
from enclave.accounts.models import Accreditation, User
from enclave.audit.models import AuditRecord
from enclave.bookings import gate
from enclave.core.errors import BadInput, Forbidden
from enclave.db import session_scope
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.control.conftest import mk_user
from tests.session.conftest import Rows

POLICY = load_policy(POLICY_ROOT / "nhi_centre")


def _with(p, **accounts):
    return p.model_copy(update={"accounts": p.accounts.model_copy(update=accounts)})


def _decide(rows, name, minutes=0, **kw):
    with session_scope(rows.db_url) as s:
        return gate.check(s, name, rows.now + dt.timedelta(minutes=minutes), **kw)


def _add(rows, name, kind, *, completed_days=-10, expires_days=300, withdrawn=False):
    with session_scope(rows.db_url) as s:
        uid = s.scalar(select(User.id).where(User.username == name))
        s.add(Accreditation(user_id=uid, kind=kind,
                            completed_at=rows.now + dt.timedelta(days=completed_days),
                            expires_at=rows.now + dt.timedelta(days=expires_days), note="",
                            recorded_by="admin", recorded_at=rows.now - dt.timedelta(days=20),
                            withdrawn_by="admin" if withdrawn else None,
                            withdrawn_at=rows.now if withdrawn else None))


def _world(rows, name, **user):
    rows.user(name, accredited=False, **user)
    rows.case(f"K-{name}", [name])
    rows.booking(name, f"K-{name}", -5, 200)


@pytest.fixture
def rows(db_url):
    return Rows(db_url)


@pytest.fixture(autouse=True)
def _centre_policy(monkeypatch):
    monkeypatch.setattr(policies, "current_policy", lambda: POLICY)


# ------------------------------------------------------------------------------ the gate

# each way of lacking one: (records to write, the kinds the refusal must name)
LACKING = {
    "none": ([], ["training", "undertaking"]),
    "only training": ([("training", {})], ["undertaking"]),
    "only undertaking": ([("undertaking", {})], ["training"]),
    "training lapsed yesterday": ([("training", {"expires_days": -1}), ("undertaking", {})],
                                  ["training"]),
    "training lapses this minute": ([("training", {"expires_days": 0}), ("undertaking", {})],
                                    ["training"]),
    "undertaking withdrawn": ([("training", {}), ("undertaking", {"withdrawn": True})],
                              ["undertaking"]),
    "both withdrawn": ([("training", {"withdrawn": True}), ("undertaking", {"withdrawn": True})],
                       ["training", "undertaking"]),
    "training dated tomorrow": ([("training", {"completed_days": 1}), ("undertaking", {})],
                                ["training"]),
    "old lapsed and withdrawn current": ([("training", {"expires_days": -400}),
                                          ("training", {"withdrawn": True}), ("undertaking", {})],
                                         ["training"]),
}


@pytest.mark.parametrize("how", sorted(LACKING))
def test_the_gate_refuses_whoever_lacks_one_and_says_which(rows, how):
    records, lacking = LACKING[how]
    _world(rows, "ann")
    for kind, kw in records:
        _add(rows, "ann", kind, **kw)
    for load in (True, False):     # log-in/spawn, and the per-query record (no ORM row)
        d = _decide(rows, "ann", load=load)
        assert not d.allowed, (how, d.reason)
        assert "P11" in d.reason, d.reason
        for kind in ("training", "undertaking"):
            assert (accreditation.NAMES[kind] in d.reason) == (kind in lacking), (how, d.reason)


def test_both_current_lets_the_booking_decide(rows):
    _world(rows, "ann")
    _add(rows, "ann", "training")
    _add(rows, "ann", "undertaking", completed_days=-1000, expires_days=1)
    d = _decide(rows, "ann")
    assert d.allowed, d.reason
    # a newer record beside a withdrawn one counts
    _add(rows, "ann", "training", withdrawn=True)
    assert _decide(rows, "ann").allowed
    # the minute the undertaking lapses, the next check refuses (every query's record too)
    later = _decide(rows, "ann", minutes=24 * 60, load=False)
    assert not later.allowed and accreditation.NAMES["undertaking"] in later.reason


def test_someone_elses_records_do_not_count(rows):
    rows.user("bob")                 # accredited
    _world(rows, "ann")
    assert not _decide(rows, "ann").allowed
    assert "no booked slot" in _decide(rows, "bob").reason   # bob passes this check, no booking


def test_an_overnight_run_is_refused_too(rows):
    rows.user("ann", accredited=False)
    rows.case("K1", ["ann"])
    rows.booking("ann", "K1", -5, 200, kind="overnight")
    d = _decide(rows, "ann", kind="overnight", overnight_lead=dt.timedelta(hours=24))
    assert not d.allowed and "P11" in d.reason


def test_the_policy_decides_the_kinds(rows, monkeypatch):
    _world(rows, "ann")
    _add(rows, "ann", "training")
    assert not _decide(rows, "ann").allowed
    monkeypatch.setattr(policies, "current_policy",
                        lambda: _with(POLICY, accreditation_required=["training"]))
    assert _decide(rows, "ann").allowed
    monkeypatch.setattr(policies, "current_policy",
                        lambda: _with(POLICY, accreditation_required=["undertaking"]))
    d = _decide(rows, "ann")
    assert not d.allowed and accreditation.NAMES["undertaking"] in d.reason
    monkeypatch.setattr(policies, "current_policy",
                        lambda: _with(POLICY, accreditation_required=[]))
    assert _decide(rows, "ann").allowed


def test_the_account_and_booking_reasons_still_come_first_for_who_they_concern(rows):
    rows.user("cat", status="suspended", accredited=False)
    assert "suspended" in _decide(rows, "cat").reason
    assert "no enclave account" in _decide(rows, "nobody").reason


# ------------------------------------------------------------------------------ the service

@pytest.fixture
def people(db_url):
    now = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
    with session_scope(db_url) as db:
        mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        off = mk_user(db, "off", "researcher", "officer")
        mine = mk_user(db, "mine")
        mine.created_by = off.username
        mk_user(db, "other")
        db.execute(Accreditation.__table__.delete())   # start with nobody accredited
    return db_url, now


def _get(db, name):
    return db.scalar(select(User).where(User.username == name))


def test_who_may_record_and_withdraw(people):
    url, now = people
    done = now - dt.timedelta(days=3)
    with session_scope(url) as db:
        admin, off, boss = _get(db, "admin"), _get(db, "off"), _get(db, "boss")
        mine, other = _get(db, "mine"), _get(db, "other")
        accreditation.record(db, POLICY, admin, other, kind="training", completed_at=done, now=now)
        accreditation.record(db, POLICY, off, mine, kind="undertaking", completed_at=done, now=now)
        for actor, target in [(off, other), (boss, mine), (mine, mine), (other, mine),
                              (admin, admin), (off, off)]:
            with pytest.raises(Forbidden):
                accreditation.record(db, POLICY, actor, target, kind="training",
                                     completed_at=done, now=now)
            with pytest.raises(Forbidden):
                accreditation.withdraw(db, actor, target, kind="training", reason="x", now=now)
        assert accreditation.current_kinds(db, other, now) == {"training"}
        assert accreditation.withdraw(db, admin, other, kind="training", reason="a false "
                                      "certificate", now=now) == 1
        assert accreditation.current_kinds(db, other, now) == set()
        actions = [r.action for r in db.scalars(select(AuditRecord).where(
            AuditRecord.action.like("account.accredit%")))]
        assert actions == ["account.accredited", "account.accredited",
                           "account.accreditation_withdrawn"], actions


@pytest.mark.parametrize("kind, days, valid", [("training", 365, 365), ("undertaking", 1095, 1095),
                                               ("training", 30, 30), ("undertaking", 2000, 2000)])
def test_validity_comes_from_the_policy(people, kind, days, valid):
    url, now = people
    p = _with(POLICY, **{f"{kind}_valid_days": days})
    done = now - dt.timedelta(days=10)
    with session_scope(url) as db:
        row = accreditation.record(db, p, _get(db, "admin"), _get(db, "other"), kind=kind,
                                   completed_at=done, now=now)
        assert row.expires_at == done + dt.timedelta(days=valid)


@pytest.mark.parametrize("kind, completed_days, expect", [
    ("training", 1, "in the future"), ("training", -400, "no longer counts"),
    ("undertaking", -1100, "no longer counts"), ("course", -1, "kind"), ("", -1, "kind"),
])
def test_bad_records_are_refused_and_say_why(people, kind, completed_days, expect):
    url, now = people
    with session_scope(url) as db:
        with pytest.raises(BadInput, match=expect):
            accreditation.record(db, POLICY, _get(db, "admin"), _get(db, "other"), kind=kind,
                                 completed_at=now + dt.timedelta(days=completed_days), now=now)
        with pytest.raises(BadInput, match="reason"):
            accreditation.withdraw(db, _get(db, "admin"), _get(db, "other"), kind="training",
                                   reason="  ", now=now)
        assert db.scalar(select(Accreditation.id)) is None


def test_a_certificate_day_is_a_taipei_day():
    assert accreditation.day_start(dt.date(2026, 12, 7)) == dt.datetime(
        2026, 12, 6, 16, 0, tzinfo=dt.timezone.utc)


# ------------------------------------------------------------------------------ over HTTP

@pytest.fixture
def api(control, people_db):
    with session_scope(people_db) as db:
        off = mk_user(db, "off", "researcher", "officer")
        mk_user(db, "mine").created_by = off.username
        db.execute(Accreditation.__table__.delete())   # start with nobody accredited
    return control


def test_over_http_the_admin_records_and_the_person_reads(api):
    admin, alice = api.token("admin"), api.token("alice")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    r = api.http.post("/api/accounts/alice/accreditations", headers=admin,
                      json={"kind": "training", "completed_on": str(today - dt.timedelta(days=2)),
                            "note": "course 2026-11"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "training" and r.json()["recorded_by"] == "admin"
    got = api.http.get("/api/accounts/alice/accreditations", headers=alice)
    assert got.status_code == 200, got.text
    assert got.json()["missing"] == ["undertaking"]
    assert [x["kind"] for x in got.json()["records"]] == ["training"]
    # the person cannot record their own, nor read another's
    own = api.http.post("/api/accounts/alice/accreditations", headers=alice,
                        json={"kind": "undertaking", "completed_on": str(today)})
    assert own.status_code == 403, own.text
    assert api.http.get("/api/accounts/bob/accreditations", headers=alice).status_code == 403
    # withdrawn by the admin, with a reason
    w = api.http.post("/api/accounts/alice/accreditations/withdraw", headers=admin,
                      json={"kind": "training", "reason": "certificate not genuine"})
    assert w.status_code == 200 and w.json()["withdrawn"] == 1, w.text
    after = api.http.get("/api/accounts/alice/accreditations", headers=alice).json()
    assert after["missing"] == ["training", "undertaking"]
    assert after["records"][0]["withdrawn_at"]


def test_over_http_an_officer_records_only_for_its_own_accounts(api):
    off = api.token("off")
    today = str(dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date())
    body = {"kind": "undertaking", "completed_on": today}
    assert api.http.post("/api/accounts/mine/accreditations", headers=off,
                         json=body).status_code == 201
    for name in ("alice", "off", "admin"):
        r = api.http.post("/api/accounts/" + name + "/accreditations", headers=off, json=body)
        assert r.status_code == 403, (name, r.text)


@pytest.mark.parametrize("body, field", [
    ({"kind": "course", "completed_on": "2026-12-01"}, "kind"),
    ({"kind": "training", "completed_on": "01/12/2026"}, "completed_on"),
    ({"kind": "training"}, "completed_on"),
    ({"kind": "training", "completed_on": "2026-12-01", "expires_at": "2099-01-01"}, "expires_at"),
    ({"kind": "training", "completed_on": "2026-12-01", "recorded_by": "boss"}, "recorded_by"),
])
def test_over_http_bad_input_names_the_field_and_records_nothing(api, people_db, body, field):
    r = api.http.post("/api/accounts/alice/accreditations", headers=api.token("admin"), json=body)
    assert r.status_code == 422 and field in r.text, r.text
    with session_scope(people_db) as db:
        assert db.scalar(select(Accreditation.id)) is None


# ------------------------------------------------------------------------------ command line

def test_the_command_line_records_and_withdraws(people, tmp_path):
    url, now = people
    env = {**os.environ, "ENCLAVE_DB_URL": url, "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "enclave.cli.main", "account", *args],
                              env=env, capture_output=True, text=True, timeout=120)

    today = str(dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date())
    ok = run("accredit", "other", "--kind", "training", "--completed", today, "--as", "admin")
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert "counts until" in ok.stdout
    bad = run("accredit", "other", "--kind", "training", "--completed", "yesterday", "--as", "admin")
    assert bad.returncode != 0 and "--completed" in bad.stderr + bad.stdout
    self_ = run("accredit", "other", "--kind", "undertaking", "--completed", today, "--as", "other")
    assert self_.returncode != 0
    gone = run("withdraw-accreditation", "other", "--kind", "training", "--reason", "mistake",
               "--as", "admin")
    assert gone.returncode == 0 and "1 training" in gone.stdout, gone.stderr + gone.stdout
