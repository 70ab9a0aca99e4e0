"""A2/A4 log-in rules and server-side sessions, on SQLite and PostgreSQL."""
import datetime as dt

import pytest

from enclave.accounts.models import User, UserRole
from enclave.accounts.passwords import hash_password, password_problems
from enclave.audit import verify_chain
from enclave.db import session_scope, utcnow
from enclave.web.auth import LoginRefused, authenticate, issue_token, revoke_all_for_user, user_for_token
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.services.authenticator import researcher_code

POLICY = load_policy(POLICY_ROOT / "nhi_centre")
GOOD = "Correct-Horse-42x"


def make_user(db, name="alice", *, changed_days_ago=1, employment="permanent", status="active"):
    u = User(username=name, password_hash=hash_password(GOOD), employment=employment, status=status,
             password_changed_at=utcnow() - dt.timedelta(days=changed_days_ago))
    u.roles.append(UserRole(role="researcher"))
    db.add(u)
    db.flush()
    return u


def test_login_ok_and_token_round_trip(db_url):
    with session_scope(db_url) as db:
        make_user(db)
    code = researcher_code(db_url, "alice")   # A4: the deployed policy asks researchers a second factor
    with session_scope(db_url) as db:
        u = authenticate(db, "alice", GOOD, policy=POLICY, otp=code)
        tok = issue_token(db, u, lifetime=dt.timedelta(hours=1), factor="totp")
    with session_scope(db_url) as db:
        assert user_for_token(db, tok).username == "alice"
        assert user_for_token(db, tok + "x") is None
        revoke_all_for_user(db, u.id)
    with session_scope(db_url) as db:
        assert user_for_token(db, tok) is None
        assert verify_chain(db) == []


@pytest.mark.parametrize("kw,password,why", [
    ({}, "wrong-Password-1", "Wrong user name or password"),
    ({"changed_days_ago": 91}, GOOD, "older than 90 days"),          # A4
    ({"employment": "temporary"}, GOOD, "permanent or contract"),     # A2
    ({"status": "suspended"}, GOOD, "suspended"),
])
def test_login_refused_with_reason(db_url, kw, password, why):
    with session_scope(db_url) as db:
        make_user(db, **kw)
    with session_scope(db_url) as db:
        with pytest.raises(LoginRefused, match=why):
            authenticate(db, "alice", password, policy=POLICY)


def test_a_researcher_without_a_second_factor_is_sent_to_enrol(db_url):
    """A4 / SATRE 3.2.04: the password alone no longer opens a researcher's session."""
    with session_scope(db_url) as db:
        make_user(db)
    with session_scope(db_url) as db:
        with pytest.raises(LoginRefused, match="one-time code"):
            authenticate(db, "alice", GOOD, policy=POLICY)


def test_unknown_user_gets_same_message_as_wrong_password(db_url):
    with session_scope(db_url) as db:
        with pytest.raises(LoginRefused, match="Wrong user name or password"):
            authenticate(db, "nobody", GOOD, policy=POLICY)


def test_expired_token_is_refused(db_url):
    with session_scope(db_url) as db:
        u = make_user(db)
        tok = issue_token(db, u, lifetime=dt.timedelta(seconds=-1), factor="totp")
    with session_scope(db_url) as db:
        assert user_for_token(db, tok) is None


def test_password_policy_a4():
    a = POLICY.accounts
    assert password_problems("short1A!", a)
    assert any("mix" in p for p in password_problems("alllowercaseletters", a))
    assert any("user name" in p for p in password_problems("Alice-Secret-99", a, username="alice"))
    assert password_problems(GOOD, a, username="bob") == []
