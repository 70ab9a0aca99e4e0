"""``seed_demo`` for ``enclave up`` (idempotent, demo accounts can log in, current slot booked)
and the control-plane command groups end to end."""
from __future__ import annotations

import datetime as dt
import json
import re

import pyotp
import pytest

from sqlalchemy import func, select
from typer.testing import CliRunner

from enclave.bookings.models import Booking
from enclave.cases.models import Case
from enclave.cli.main import app
from enclave.db import session_scope, upgrade
from enclave.demo import seed_demo
from enclave.web.auth import authenticate
from tests.control.conftest import T0


def test_seed_demo_is_idempotent(demo_policy, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    first = seed_demo(url, demo_policy, now=T0)
    again = seed_demo(url, demo_policy, now=T0 + dt.timedelta(minutes=5))
    assert first["case_code"] == again["case_code"]
    assert first["booking"] is not None and first["booking"] == again["booking"]
    assert set(first["extract_spec"]["files"]) == {"H_NHI_OPDTE", "H_NHI_ENROL"}
    roles = {a["role"] for a in first["accounts"]}
    assert {"admin", "reviewer", "steward", "researcher", "supervisor"} <= roles
    with session_scope(url) as db:
        assert db.execute(select(func.count()).select_from(Case)).scalar_one() == 1
        # the current slot and the one that follows on (round the clock in the demo policy)
        assert db.execute(select(func.count()).select_from(Booking)).scalar_one() == 2
        case = db.execute(select(Case)).scalar_one()
        assert case.status == "active" and case.paid_at is not None
        for acct in first["accounts"]:
            otp = pyotp.TOTP(acct["totp_secret"]).at(T0) if acct["totp_secret"] else None
            assert authenticate(db, acct["username"], acct["password"], policy=demo_policy, now=T0, otp=otp)


@pytest.mark.parametrize("before_end", [dt.timedelta(minutes=2), dt.timedelta(seconds=1),
                                        dt.timedelta(hours=3, minutes=59)])
def test_a_demo_brought_up_near_its_slot_end_keeps_its_session_past_it(demo_policy, tmp_path, before_end):
    """The demo's session must not end minutes after `enclave up`: when it comes up just before
    a slot boundary, the researcher's session runs on through the next slot (the podman
    deployment test once spawned after the boundary and found no session)."""
    from enclave.bookings import calendar as cal
    from hub_config.slot_api import session_end

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    slot = cal.slot_at(T0, demo_policy)
    now = slot.ends_at - before_end
    seed_demo(url, demo_policy, now=now)
    with session_scope(url) as db:
        end = session_end(db, "researcher", now)
        after = session_end(db, "researcher", slot.ends_at + dt.timedelta(minutes=5))
    hours = demo_policy.sessions.round_the_clock_slot_hours
    assert end == slot.ends_at + dt.timedelta(hours=hours), (now, end)
    assert after == end  # the hub's gate still lets the researcher in after the boundary


def test_demo_staff_need_their_second_factor(demo_policy, tmp_path):
    """A4: the bring-up enclave asks staff (and the PI, the demo case's officer) for a TOTP code
    like the deployed policy does; the secrets are enrolled by seed_demo and printed by up."""
    from enclave.identity.login import LoginRefused

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    accts = {a["username"]: a for a in seed_demo(url, demo_policy, now=T0)["accounts"]}
    assert set(demo_policy.accounts.mfa_required_roles) >= {"admin", "reviewer", "steward", "committee"}
    staff = [n for n in ("admin", "reviewer1", "reviewer2", "steward", "supervisor", "researcher")]
    # a second run keeps the enrolled secrets (the printed ones stay valid)
    again = {a["username"]: a for a in seed_demo(url, demo_policy, now=T0 + dt.timedelta(minutes=1))["accounts"]}
    for i, name in enumerate(staff):
        a = accts[name]
        assert a["totp_secret"] and again[name]["totp_secret"] == a["totp_secret"]
        when = T0 + dt.timedelta(minutes=10 + i)
        with session_scope(url) as db:
            with pytest.raises(LoginRefused):
                authenticate(db, name, a["password"], policy=demo_policy, now=when)
        with session_scope(url) as db:
            with pytest.raises(LoginRefused):
                authenticate(db, name, a["password"], policy=demo_policy, now=when, otp="000000")
        with session_scope(url) as db:
            code = pyotp.TOTP(a["totp_secret"]).at(when + dt.timedelta(minutes=2))
            assert authenticate(db, name, a["password"], policy=demo_policy,
                                now=when + dt.timedelta(minutes=2), otp=code)


def test_cli_groups(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv("ENCLAVE_HOME", str(tmp_path))
    monkeypatch.setenv("ENCLAVE_DB_URL", url)
    upgrade(url)
    from policies import current_policy

    seed_demo(url, current_policy(), now=dt.datetime.now(dt.timezone.utc))
    run = CliRunner().invoke

    def ok(*args, code=0):
        res = run(app, list(args))
        assert res.exit_code == code, (args, res.stdout, res.stderr)
        return res.stdout

    out = ok("account", "create", "dora", "--password", "Sturdy-Pass-2026", "--unit", "Lab", "--as", "admin")
    # A4: the second factor is enrolled with a one-time code, not on first use
    assert re.search(r"enrolment code .*: [A-Z2-9]{4}(-[A-Z2-9]{4}){3}$", out.strip())
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}\n", ok("account", "enrolment-code", "dora", "--as", "admin"))
    out = run(app, ["account", "create", "tim", "--password", "Sturdy-Pass-2026", "--employment", "temporary"])
    assert out.exit_code == 1 and "A2" in out.stderr
    code = json.loads(ok("case", "create", "--title", "Gov study", "--type", "government", "--as", "dora",
                         "--json"))["code"]
    ok("case", "approve", code, "--working-days", "3")
    ok("case", "pay", code, "--amount", "100000")
    cases = json.loads(ok("case", "list", "--json", "--as", "admin"))
    assert {c["code"]: c["status"] for c in cases}[code] == "active"
    slots = json.loads(ok("booking", "slots", "--days", "14", "--json"))
    day = next(d for d in slots if d["slots"] and d["date"] > slots[0]["date"])
    booked = json.loads(ok("booking", "book", code, day["date"], day["slots"][0]["name"], "--as", "dora", "--json"))
    assert booked[0]["seat"] == 1
    ok("booking", "ics", "--out", str(tmp_path / "b.ics"), "--as", "dora")
    assert "BEGIN:VEVENT" in (tmp_path / "b.ics").read_text()
    ok("booking", "cancel", str(booked[0]["id"]), "--as", "dora")
    sample = json.loads(ok("audit", "sample", "create", "--json", "--as", "admin"))
    out = run(app, ["audit", "sample", "sign", str(sample["sample_id"]), "--as", "admin"])
    assert out.exit_code == 1 and "cannot sign" in out.stderr
    ok("audit", "sample", "sign", str(sample["sample_id"]), "--as", "supervisor", "--note", "ok")
    ok("violation", "record", "dora", "--kind", "future_applications_refused", "--reason", "test")
    out = run(app, ["case", "create", "--title", "again", "--type", "government", "--as", "dora"])
    assert out.exit_code == 1 and "A8" in out.stderr
    ok("announce", "publish", "--title", "Closed on Friday", "--keywords", "closure")
    assert json.loads(ok("announce", "list", "--q", "closure", "--json"))["total"] == 1
    assert json.loads(ok("purge", "run", "--dry-run", "--json")) == []
    assert json.loads(ok("account", "review", "--json"))["idle"] == []
    ok("audit", "verify")
