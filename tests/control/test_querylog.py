"""The session query log (A3): browsing with filters, CSV for auditors, and the supervisor's
approval that nobody can give themselves and that cannot be skipped by leaving it undone."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.bookings import gate
from enclave.core.errors import BadInput, Forbidden, NotFound, Refused
from enclave.db import session_scope
from enclave.querylog.service import QueryFilter, decide, export_csv, list_queries, overdue
from tests.control.conftest import T0, mk_case, mk_user


def _q(db, who, case, sql, purpose, when):
    return append(db, AuditEntry("session", who, "session.query", case_code=case, reason=purpose,
                                 subject=sql, detail={"booking": 1}), now=when).seq


@pytest.fixture
def log(url, policy):
    """PI 'pi' with members 'mia' and 'max' on case A; 'otto' on case B; 'boss' is committee."""
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        pi, mia, mx, otto = (mk_user(db, n) for n in ("pi", "mia", "max", "otto"))
        a = mk_case(db, policy, pi, admin=admin, members=[(mia, None), (mx, None)])
        b = mk_case(db, policy, otto, admin=admin)
        seqs = {
            "mia1": _q(db, "mia", a.code, "SELECT count(*) FROM opd", "diabetes visits", T0),
            "mia2": _q(db, "mia", a.code, "SELECT * FROM enrol LIMIT 5", "check 100% coverage_",
                       T0 + dt.timedelta(hours=2)),
            "max1": _q(db, "max", a.code, "=HYPERLINK(\"http://x\")", "+formula", T0 + dt.timedelta(days=1)),
            "pi1": _q(db, "pi", a.code, "SELECT 1", "PI's own", T0 + dt.timedelta(days=2)),
            "otto1": _q(db, "otto", b.code, "SELECT 2", "other case", T0 + dt.timedelta(days=3)),
        }
        codes = {"A": a.code, "B": b.code}
    return url, seqs, codes


def _user(db, name):
    from enclave.accounts.models import User
    return db.execute(select(User).where(User.username == name)).scalar_one()


def test_filters_and_paging(log):
    url, seqs, codes = log
    with session_scope(url) as db:
        def seq_of(**kw):
            rows, total = list_queries(db, QueryFilter(**kw), limit=500)
            assert total == len(rows)
            return {r["seq"] for r in rows}

        assert seq_of() == set(seqs.values())
        assert seq_of(account="mia") == {seqs["mia1"], seqs["mia2"]}
        assert seq_of(case=codes["B"]) == {seqs["otto1"]}
        assert seq_of(since=T0 + dt.timedelta(hours=1), until=T0 + dt.timedelta(days=2)) == \
            {seqs["mia2"], seqs["max1"]}
        assert seq_of(purpose="DIABETES") == {seqs["mia1"]}
        # LIKE wildcards in the search text are literal characters
        assert seq_of(purpose="100%") == {seqs["mia2"]} and seq_of(purpose="_") == {seqs["mia2"]}
        assert seq_of(purpose="%") == {seqs["mia2"]}
        assert seq_of(status="pending") == set(seqs.values())
        page, total = list_queries(db, QueryFilter(), limit=2, offset=1)
        assert total == 5 and [r["seq"] for r in page] == sorted(seqs.values(), reverse=True)[1:3]
        assert page[0]["ts_taipei"].count(":") == 2 and "." not in page[0]["ts_taipei"]
        for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 10**12}):
            with pytest.raises(BadInput):
                list_queries(db, QueryFilter(), **bad)
    for bad in ({"status": "maybe"}, {"since": dt.datetime(2026, 1, 1)}):
        with pytest.raises(BadInput):
            QueryFilter(**bad)


def test_csv_export_for_auditors(log):
    url, seqs, _ = log
    with session_scope(url) as db:
        text = export_csv(db, QueryFilter(account="max"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0]["seq"] == str(seqs["max1"])
    assert rows[0]["ts_utc"].endswith("+00:00") and rows[0]["ts_taipei"] == "2026-11-24 09:00:00"
    # a cell a spreadsheet would run as a formula is neutralised
    assert rows[0]["sql"].startswith("'=") and rows[0]["purpose"] == "'+formula"


@pytest.mark.parametrize("actor,target,why", [
    ("mia", "mia1", "their own"),          # the querier herself
    ("max", "mia1", "PI or a holder"),     # another member is not a supervisor
    ("pi", "pi1", "their own"),            # the PI's own query needs someone else
    ("otto", "mia1", "PI or a holder"),    # PI of another case
    ("admin", "mia1", "PI or a holder"),   # the administrator is not the supervisor by default
])
def test_nobody_approves_outside_their_scope(log, policy, actor, target, why):
    url, seqs, _ = log
    with session_scope(url) as db:
        with pytest.raises(Forbidden, match=why):
            decide(db, policy, _user(db, actor), [seqs[target]], "approved", now=T0)


def test_pi_and_committee_approve_and_the_decision_is_audited(log, policy):
    url, seqs, _ = log
    with session_scope(url) as db:
        assert decide(db, policy, _user(db, "pi"), [seqs["mia1"], seqs["max1"]], "approved",
                      now=T0) == sorted([seqs["mia1"], seqs["max1"]])
        decide(db, policy, _user(db, "boss"), [seqs["pi1"]], "flagged", note="outside the purpose", now=T0)
        with pytest.raises(Refused, match="already decided"):
            decide(db, policy, _user(db, "boss"), [seqs["mia1"]], "approved", now=T0)
        with pytest.raises(BadInput, match="needs a note"):
            decide(db, policy, _user(db, "boss"), [seqs["mia2"]], "flagged", now=T0)
        with pytest.raises(NotFound):
            decide(db, policy, _user(db, "boss"), [10**9], "approved", now=T0)
        with pytest.raises(BadInput):
            decide(db, policy, _user(db, "boss"), [2**63], "approved", now=T0)
        actions = [(r.action, r.actor, r.subject) for r in db.scalars(select(AuditRecord))]
        assert ("query.approved", "pi", str(seqs["mia1"])) in actions
        assert ("query.flagged", "boss", str(seqs["pi1"])) in actions
        rows, _ = list_queries(db, QueryFilter(status="flagged"))
        assert [r["seq"] for r in rows] == [seqs["pi1"]] and rows[0]["note"] == "outside the purpose"


def test_a_batch_with_one_forbidden_query_records_nothing(log, policy):
    url, seqs, _ = log
    with session_scope(url) as db:
        with pytest.raises(Forbidden):
            decide(db, policy, _user(db, "pi"), [seqs["mia1"], seqs["pi1"]], "approved", now=T0)
        assert list_queries(db, QueryFilter(status="approved"))[1] == 0


def test_undecided_queries_past_the_window_stop_the_case(log, policy, monkeypatch):
    """A3 enforcement: the gate refuses sessions of a case whose queries wait too long;
    switching the window off (0) is the only way they would not."""
    url, seqs, codes = log
    import policies

    later = T0 + dt.timedelta(days=policy.accounts.query_approval_days, hours=3)
    with session_scope(url) as db:
        assert overdue(db, policy, codes["A"], T0 + dt.timedelta(days=1)) == 0
        assert overdue(db, policy, codes["A"], later) == 2  # mia1, mia2 are past the window
        case = db.execute(select(gate.Case).where(gate.Case.code == codes["A"])).scalar_one()
        from enclave.bookings.models import Booking
        db.add(Booking(case_id=case.id, user_id=_user(db, "mia").id, slot_name="morning",
                       starts_at=later - dt.timedelta(hours=1), ends_at=later + dt.timedelta(hours=3),
                       seat_no=1, kind="interactive", status="booked", created_at=T0))
        db.flush()
        monkeypatch.setattr(policies, "current_policy", lambda: policy)
        d = gate.check(db, "mia", later)
        assert not d.allowed and "2 logged queries awaiting a supervisor's approval" in d.reason
        off = policy.model_copy(update={"accounts": policy.accounts.model_copy(
            update={"query_approval_days": 0})})
        monkeypatch.setattr(policies, "current_policy", lambda: off)
        assert gate.check(db, "mia", later).allowed
        monkeypatch.setattr(policies, "current_policy", lambda: policy)
        decide(db, policy, _user(db, "pi"), [seqs["mia1"], seqs["mia2"]], "approved", now=later)
        assert gate.check(db, "mia", later).allowed


def test_cli_list_export_approve(log, tmp_path, monkeypatch):
    url, seqs, _ = log
    from enclave.cli.main import app

    from enclave.settings import get_settings

    # the same master key as the process that wrote the log (the audit chain is keyed with it)
    env = {"ENCLAVE_DB_URL": url, "ENCLAVE_HOME": str(tmp_path), "ENCLAVE_KEYS": str(get_settings().keys_dir)}
    r = CliRunner().invoke(app, ["querylog", "list", "--account", "mia", "--json"], env=env)
    assert r.exit_code == 0, r.output
    import json
    assert json.loads(r.stdout)["total"] == 2
    r = CliRunner().invoke(app, ["querylog", "approve", str(seqs["mia1"]), "--as", "mia"], env=env)
    assert r.exit_code == 1 and "their own" in r.output
    r = CliRunner().invoke(app, ["querylog", "approve", str(seqs["mia1"]), "--as", "pi"], env=env)
    assert r.exit_code == 0, r.output
    out = tmp_path / "q.csv"
    r = CliRunner().invoke(app, ["querylog", "export", "--out", str(out), "--status", "approved"], env=env)
    assert r.exit_code == 0, r.output
    assert [row["seq"] for row in csv.DictReader(out.open())] == [str(seqs["mia1"])]
    r = CliRunner().invoke(app, ["querylog", "list", "--since", "yesterday"], env=env)
    assert r.exit_code == 2
