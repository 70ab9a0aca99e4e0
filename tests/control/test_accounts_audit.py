"""Accounts (A1, A2, A4, A6), the audit sample and sign-off (A6), retention (A5), and the
audit-chain check run through the ``enclave audit verify`` command."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from enclave.accounts import service as acc
from enclave.accounts.passwords import verify_password
from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.audit.sampling import service as sampling
from enclave.cases import service as cases
from enclave.cases.errors import BadInput, Forbidden, Refused
from enclave.db import session_scope
from enclave.web.auth import LoginRefused, authenticate
from tests.control.conftest import PASSWORD, T0, load, mk_case, mk_user
from tests.audit.people_seal import seal_people

DAY = dt.timedelta(days=1)


def test_temporary_staff_account_refused(people, policy):
    """A2: no accounts for temporary staff, whoever asks."""
    with session_scope(people) as db:
        admin = load(db, "admin")
        with pytest.raises(Refused, match="temporary") as e:
            acc.create_account(db, policy, admin, username="tim", password="Sturdy-Pass-2026",
                               employment="temporary", now=T0)
        assert e.value.rule == "A2"
        u = acc.create_account(db, policy, admin, username="cleo", password="Sturdy-Pass-2026",
                               employment="contract", now=T0)
        assert u.employment == "contract"


def test_delegated_account_creation(people, policy):
    """A1: an officer creates researcher accounts of its own unit only; a researcher none."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        mk_case(db, policy, alice, admin=admin)  # alice becomes designated officer of her case
        with pytest.raises(Forbidden):
            acc.create_account(db, policy, bob, username="x1", password="Sturdy-Pass-2026", now=T0)
        with pytest.raises(Forbidden, match="researcher role"):
            acc.create_account(db, policy, alice, username="x2", password="Sturdy-Pass-2026",
                               unit=alice.unit, roles=["admin"], now=T0)
        with pytest.raises(Forbidden, match="own unit"):
            acc.create_account(db, policy, alice, username="x3", password="Sturdy-Pass-2026",
                               unit="Elsewhere", now=T0)
        made = acc.create_account(db, policy, alice, username="x4", password="Sturdy-Pass-2026",
                                  unit=alice.unit, now=T0)
        assert made.created_by == "alice" and acc.can_manage_account(alice, made)
        assert not acc.can_manage_account(alice, bob)
        with pytest.raises(Forbidden):
            acc.revoke_account(db, alice, bob, reason="x", now=T0)


def test_password_policy_and_change(people, policy):
    """A4: weak passwords refused with every reason; an expired password can still be changed."""
    with session_scope(people) as db:
        admin = load(db, "admin")
        with pytest.raises(BadInput, match="at least 12 characters") as e:
            acc.create_account(db, policy, admin, username="weak", password="short1A", now=T0)
        assert e.value.rule == "A4"
        alice = load(db, "alice")
        alice.password_changed_at = T0 - 100 * DAY
    with session_scope(people) as db:
        with pytest.raises(LoginRefused, match="older than 90 days"):
            authenticate(db, "alice", PASSWORD, policy=policy, now=T0)
    with session_scope(people) as db:
        with pytest.raises(Refused, match="Wrong"):
            acc.change_password(db, policy, username="alice", old="nope", new="Fresh-Pass-2026!", now=T0)
        with pytest.raises(BadInput, match="must differ"):
            acc.change_password(db, policy, username="alice", old=PASSWORD, new=PASSWORD, now=T0)
        with pytest.raises(BadInput, match="missing"):
            acc.change_password(db, policy, username="alice", old=PASSWORD, new="alllowercaseletters", now=T0)
        acc.change_password(db, policy, username="alice", old=PASSWORD, new="Fresh-Pass-2026!", now=T0)
    with session_scope(people) as db:
        assert authenticate(db, "alice", "Fresh-Pass-2026!", policy=policy, now=T0).username == "alice"


def test_yearly_review_lists_and_revokes(people, policy):
    """A6: duplicate, idle, reassigned, departed and retired accounts are listed and revoked."""
    now = T0 + 400 * DAY
    with session_scope(people) as db:
        admin = load(db, "admin")
        for u in load(db, "alice", "bob", "carol", "boss", "steward", "admin"):
            u.last_login_at = now - DAY
        mk_user(db, "dup1", email="same@x.tw").last_login_at = now
        mk_user(db, "dup2", email="Same@X.tw").last_login_at = now
        mk_user(db, "sleepy")  # created at T0, never logged in: idle
        for name, why in (("gone", "departed"), ("old", "retired"), ("moved", "reassigned")):
            u = mk_user(db, name)
            u.last_login_at = now
            acc.mark_left(db, admin, u, reason=why, when=now - DAY)
        found = acc.account_review(db, policy, now)
        names = {k: sorted(r["username"] for r in v) for k, v in found.items()}
        assert names == {"duplicate": ["dup1", "dup2"], "idle": ["sleepy"], "reassigned": ["moved"],
                         "departed": ["gone"], "retired": ["old"]}
        with pytest.raises(BadInput, match="Not listed"):
            acc.record_review(db, policy, admin, now, ["alice"])
        acc.record_review(db, policy, admin, now, ["dup2", "sleepy", "gone", "old", "moved"])
        assert load(db, "gone").status == "revoked"
        assert {r["username"] for v in acc.account_review(db, policy, now).values() for r in v} == set()
        logged = db.execute(select(AuditRecord).where(AuditRecord.action == "account.review")).scalar_one()
        assert logged.detail["revoked"] == ["dup2", "sleepy", "gone", "old", "moved"]


def _fill_log(db, names, now):
    """Records over six months: many in the first week, a few later, per account."""
    start = now - dt.timedelta(days=182)
    for name in names:
        for i in range(30):
            append(db, AuditEntry("session", name, "query", reason="early"), now=start + dt.timedelta(hours=i))
        for m in range(1, 6):
            append(db, AuditEntry("session", name, "query", reason=f"month {m}"), now=start + m * 30 * DAY)
    append(db, AuditEntry("session", "quiet", "query", reason="only one"), now=now - DAY)


def test_audit_sample_twenty_percent_ten_records_spread_over_time(people, policy):
    """A6: ≥20% of accounts, ≥10 records each (all if fewer), spread over the window."""
    now = T0
    with session_scope(people) as db:
        for i in range(12):
            mk_user(db, f"user{i:02d}")
        mk_user(db, "quiet")
        names = [f"user{i:02d}" for i in range(12)] + ["alice", "bob", "carol"]
        _fill_log(db, names, now)
        admin = load(db, "admin")
        s = sampling.create_sample(db, policy, admin, now=now, seed=7)
        total = s.accounts_total
        assert total == 19 and s.accounts_sampled == math.ceil(0.2 * total) == 4
        for item in s.items:
            recs = db.execute(select(AuditRecord).where(AuditRecord.seq.in_(item.record_seqs))).scalars().all()
            assert all(r.actor == item.username for r in recs)
            if item.records_available >= 10:
                assert len(item.record_seqs) == 10
                # 30 of 35 records sit in the first two days: without stratification ~9 of 10
                # picks land there; stratified, every later month with records is covered.
                later = {r.reason for r in recs if r.reason != "early"}
                assert len(later) >= 4, later
            else:
                assert len(item.record_seqs) == item.records_available
        # the next sample prefers accounts not sampled yet (coverage over periods)
        first = {i.username for i in s.items}
        s2 = sampling.create_sample(db, policy, admin, now=now + DAY, seed=8)
        assert not first & {i.username for i in s2.items}


def test_stratified_pick_takes_all_when_fewer():
    import random

    t = T0
    recs = [(i, t + dt.timedelta(days=i)) for i in range(1, 6)]
    assert sampling.stratified_pick(recs, t, t + 10 * DAY, 10, random.Random(1)) == [1, 2, 3, 4, 5]


def test_sign_off_by_another_supervisor_is_audited(people, policy):
    """A6: the drawer cannot sign; anomalies are recorded; the sign-off is in the audit log
    with the report hash; a signed sample no longer changes."""
    with session_scope(people) as db:
        _fill_log(db, ["alice", "bob"], T0)
        admin, boss, alice = load(db, "admin", "boss", "alice")
        s = sampling.create_sample(db, policy, admin, now=T0, seed=1)
        sid = s.id
        with pytest.raises(Refused, match="cannot sign"):
            sampling.sign_off(db, policy, admin, s, now=T0)
        with pytest.raises(Forbidden):
            sampling.sign_off(db, policy, alice, s, now=T0)
        seq = s.items[0].record_seqs[0] if s.items[0].record_seqs else None
        sampling.record_anomaly(db, policy, boss, s, note="query outside office hours", username=s.items[0].username,
                                record_seq=seq, now=T0)
        with pytest.raises(BadInput, match="not in sample"):
            sampling.record_anomaly(db, policy, boss, s, note="x", record_seq=10**9, now=T0)
        sampling.sign_off(db, policy, boss, s, note="checked", now=T0)
        with pytest.raises(Refused, match="signed off"):
            sampling.record_anomaly(db, policy, boss, s, note="late", now=T0)
    with session_scope(people) as db:
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "audit_sample.signed")).scalar_one()
        s = sampling.get_sample(db, sid)
        assert rec.actor == "boss" and rec.detail["report_sha256"] == s.report_sha256
        assert rec.detail["anomalies"] == 1
        assert sampling._report_hash(db, s) == s.report_sha256


def test_audit_records_survive_purge_and_cannot_be_deleted(people, policy, tmp_path):
    """A5: nothing deletes audit records - not the purge, not a direct DELETE."""
    from enclave.purge.service import run_purge

    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        code, end = c.code, c.period_end
    with session_scope(people) as db:
        before = db.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq)).all()
    done = run_purge(people, policy, now=end + DAY, projects_dir=tmp_path)
    assert [d["case"] for d in done] == [code]
    with session_scope(people) as db:
        after = db.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq)).all()
        assert after[:len(before)] == before and len(after) > len(before)
    with pytest.raises(DBAPIError, match="append-only"):
        with session_scope(people) as db:
            db.execute(text("DELETE FROM audit_records WHERE case_code = :c"), {"c": code})
    assert policy.accounts.audit_retention_years >= 3


def _cli(url, *args):
    """Run the ``enclave`` command line in-process (typer's runner) against ``url``."""
    from typer.testing import CliRunner

    from enclave.cli.main import app

    res = CliRunner().invoke(app, list(args), env={"ENCLAVE_DB_URL": url})
    return subprocess.CompletedProcess(args, res.exit_code, res.stdout, res.stderr)


def _tamper(url, sql):
    with session_scope(url) as db:
        if db.get_bind().dialect.name == "sqlite":
            db.execute(text("DROP TRIGGER IF EXISTS audit_records_no_update"))
            db.execute(text("DROP TRIGGER IF EXISTS audit_records_no_delete"))
        else:
            db.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        for s in sql if isinstance(sql, list) else [sql]:
            db.execute(text(s))


@pytest.mark.parametrize("attack,kind,seq", [
    ("UPDATE audit_records SET reason='nothing to see' WHERE seq=4", "edited", 4),
    ("DELETE FROM audit_records WHERE seq=3", "deleted", 3),
    (["UPDATE audit_records SET seq = -seq WHERE seq IN (2, 3)",
      "UPDATE audit_records SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0"], "reordered", None),
])
def test_audit_verify_command_pinpoints_tampering(db_url, attack, kind, seq):
    """The ``enclave audit verify`` command finds an edited, a deleted and a reordered record
    in a log written by the control plane."""
    policy = __import__("policies").load_policy()
    with session_scope(db_url) as db:
        admin = mk_user(db, "admin", "admin")
        alice = mk_user(db, "alice")
        seal_people(db)   # their creation sealed, as the accounts service does (people index, A5 round 8)
        c = mk_case(db, policy, alice, admin=admin)  # case.created, .approved, .paid
        cases.request_extension(db, policy, alice, c, days=30, now=T0)
        cases.declare_software(db, alice, c, name="R", now=T0)
    ok = _cli(db_url, "audit", "verify", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    _tamper(db_url, attack)
    bad = _cli(db_url, "audit", "verify", "--json")
    assert bad.returncode == 1
    problems = json.loads(bad.stdout)["problems"]
    if kind == "reordered":
        assert problems and {p["seq"] for p in problems} <= {2, 3, 4}
        assert {p["kind"] for p in problems} <= {"reordered", "edited"}
    else:
        assert (seq, kind) in [(p["seq"], p["kind"]) for p in problems]
    if kind == "edited":  # once through the installed executable, human-readable
        exe = subprocess.run([sys.executable, "-m", "enclave.cli.main", "audit", "verify"], capture_output=True,
                             text=True, env=dict(os.environ, ENCLAVE_DB_URL=db_url), timeout=300)
        assert exe.returncode == 1 and f"record {seq}: edited" in exe.stderr
