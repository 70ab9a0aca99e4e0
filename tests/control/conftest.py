"""Fixtures for the control plane: a policy, a fixed clock, people and cases in a few lines."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.accounts.models import User, UserRole
from enclave.accounts.passwords import hash_password
from enclave.cases import service as cases
from enclave.db import session_scope, upgrade
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.services.accredit import accredit

PASSWORD = "Correct-Horse-42x"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is deliberately slow
# Monday 23 Nov 2026, 09:00 in Taipei (01:00 UTC): inside the morning slot of an open day.
T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
IRB = lambda name, role="pi": {"number": "IRB-2026-001", "board": "NTU IRB",  # noqa: E731
                              "investigators": [{"name": name, "role": role}]}
SPEC = {"files": {"H_NHI_OPDTE": {"years": [2020, 2021], "columns": ["ID", "FUNC_DATE", "ICD9CM_CODE"]}}}


class Clock:
    """A clock the test moves (``create_app(..., clock=clock)``)."""

    def __init__(self, t: dt.datetime) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t


def bearer(client, name: str) -> dict:
    """The Authorization header of ``name``'s API token (password log-in)."""
    r = client.post("/api/token", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def without_mfa(p):
    """The deployed policy with no role needing TOTP: these tests are about the rules behind
    the log-in; the second factor has its own tests over HTTP (tests/identity)."""
    return p.model_copy(update={"accounts": p.accounts.model_copy(update={"mfa_required_roles": []})})


@pytest.fixture
def policy():
    return without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))


@pytest.fixture
def demo_policy():
    return load_policy(POLICY_ROOT / "demo")


@pytest.fixture
def url(db_url):
    """Every control-plane rule test runs on SQLite and on the real PostgreSQL."""
    return db_url


def mk_user(db, name, *roles, unit="NTU Hospital", employment="permanent", region=None, email=None,
            display_name="", when=T0):
    u = User(username=name, display_name=display_name or name.title(), unit=unit, employment=employment,
             region=region, email=email, password_hash=_HASH, password_changed_at=when, status="active",
             created_at=when, created_by="test")
    for r in roles or ("researcher",):
        u.roles.append(UserRole(role=r, granted_by="test", granted_at=when))
    db.add(u)
    db.flush()
    accredit(db, u, when)
    return u


def mk_case(db, policy, applicant, *, admin=None, now=T0, case_type="research", imaging=False,
            approve=True, pay=True, period_months=None, working_days=None, seats=None, spec=SPEC,
            priority_class="independent", members=()):
    c = cases.create_case(db, policy, applicant, applicant=applicant, title=f"Study of {applicant.username}",
                          case_type=case_type, imaging=imaging, priority_class=priority_class,
                          irb_certificate=IRB(applicant.username) if case_type == "research" else None,
                          extract_spec=spec, members=members, now=now)
    if approve:
        cases.approve_case(db, policy, admin, c, now=now, period_months=period_months,
                           working_days=working_days, seats=seats)
        if pay:
            cases.record_payment(db, policy, admin, c, amount=c.fees_due, now=now)
    return c


@pytest.fixture
def people(url):
    """admin, committee member, steward, two researchers of one unit, one of another unit."""
    with session_scope(url) as db:
        mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        mk_user(db, "steward", "steward")
        mk_user(db, "alice")
        mk_user(db, "bob")
        mk_user(db, "carol", unit="Other University")
    return url


def load(db, *names):
    out = [cases.get_user(db, n) for n in names]
    return out[0] if len(out) == 1 else out
