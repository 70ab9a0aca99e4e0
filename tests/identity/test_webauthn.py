"""Security keys (WebAuthn) as the second factor (A4), over real HTTP against the control plane
(uvicorn on a loopback port, reached as ``localhost``: browsers take no IP address as RP ID).

The answers come from a software authenticator (tests/identity/softkey.py: real P-256
signatures and CBOR) so each can be made wrong in one way: no, a wrong or a spent enrolment
code; a replayed challenge; another origin or RP ID; a counter that does not increase; another
account's key.  Every refusal must be audited, and a wrong key answer counted by the lock-out
like a wrong TOTP code.  Chromium's own virtual authenticator drives the pages in
test_browser_webauthn.py."""
from __future__ import annotations

import contextlib
import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from enclave.db import session_scope
from tests.control.conftest import PASSWORD, load
from tests.identity.helpers import COOKIE, csrf_of, form_login, serve
from tests.identity.softkey import SoftKey
from tests.identity.test_mfa import Clock


@pytest.fixture
def clock():
    return Clock()


@contextlib.contextmanager
def served(db_url, policy, clock, public_origin=None):
    from enclave.web.app import create_app

    app = create_app(db_url, policy, clock=clock)
    if public_origin:
        app.state.public_origin = public_origin
    with serve(app) as base:
        yield base.replace("127.0.0.1", "localhost")


class Page:
    """What the pages' script sends: JSON, the page's Origin and, with a session cookie, its
    CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)

    def post(self, path: str, body: dict, origin: str | None = None) -> httpx.Response:
        headers = {"origin": origin or self.base}
        if self.http.cookies.get(COOKIE):
            headers["x-csrf-token"] = csrf_of(self.http)
        return self.http.post(path, json=body, headers=headers)

    def log_in_with_password(self, name: str) -> httpx.Response:
        return form_login(self.http, self.base, name, PASSWORD)

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def page_factory():
    pages = []

    def make(base):
        p = Page(base)
        pages.append(p)
        return p

    yield make
    for p in pages:
        p.close()


def issue_code(db_url, name, clock) -> str:
    from enclave.identity import mfa

    with session_scope(db_url) as db:
        return mfa.issue_enrolment_code(db, load(db, name), by="test-admin", now=clock.now, hours=72)


def add_key(page: Page, key: SoftKey, code: str, *, origin: str | None = None) -> httpx.Response:
    r = page.post("/api/webauthn/register/begin", {"enrolment_code": code})
    if r.status_code != 200:
        return r
    answer = key.create(r.json()["publicKey"], origin or page.base)
    return page.post("/api/webauthn/register/finish", {"enrolment_code": code, "name": "test key",
                                                       "credential": answer})


def enrolled_key(db_url, base, page_factory, name, clock) -> SoftKey:
    """``name`` (a password-only researcher) registers a key over HTTP with a fresh code."""
    page = page_factory(base)
    assert page.log_in_with_password(name).status_code == 303
    key = SoftKey()
    r = add_key(page, key, issue_code(db_url, name, clock))
    assert r.status_code == 200, r.text
    return key


def begin_login(page: Page, name: str) -> httpx.Response:
    return page.post("/api/webauthn/login/begin", {"username": name, "password": PASSWORD})


def finish_login(page: Page, attempt: str, answer: dict) -> httpx.Response:
    return page.post("/api/webauthn/login/finish", {"attempt": attempt, "credential": answer, "next": "/cases"})


def audit_of(db_url, who: str) -> list:
    from enclave.audit.models import AuditRecord

    with session_scope(db_url) as db:
        rows = db.execute(select(AuditRecord).where((AuditRecord.actor == who) | (AuditRecord.subject == who))
                          .order_by(AuditRecord.seq)).scalars().all()
        return [(r.action, r.reason or "", r.detail or {}) for r in rows]


def failures(db_url, name) -> int:
    from enclave.identity import throttle

    with session_scope(db_url) as db:
        return throttle.failures_of(db, name)


def keys_of(db_url, name) -> list:
    from enclave.identity import webauthn

    with session_scope(db_url) as db:
        return [(k.name, k.sign_count, k.rp_id) for k in webauthn.credentials(db, load(db, name))]


# ------------------------------------------------------------------ registration

def test_no_key_without_the_enrolment_code_and_none_with_a_wrong_or_spent_one(people_db, nhi_policy, clock,
                                                                              page_factory):
    with served(people_db, nhi_policy, clock) as base:
        page = page_factory(base)
        assert page.log_in_with_password("alice").status_code == 303   # the password alone ...
        key = SoftKey()
        r = add_key(page, key, "")
        assert r.status_code == 403 and "no enrolment code was issued" in r.json()["detail"]
        code = issue_code(people_db, "alice", clock)
        r = add_key(page, key, "ABCD-EFGH-JKLM-NPQR")
        assert r.status_code == 403 and "wrong" in r.json()["detail"]
        assert keys_of(people_db, "alice") == []
        assert add_key(page, key, code).status_code == 200                 # ... the code does
        assert keys_of(people_db, "alice") == [("test key", 0, "localhost")]
        # a researcher's password alone gave an enrol-only session (A4, SATRE 3.2.04), which ends
        # with the key; and the code is spent
        assert add_key(page, SoftKey(), code).status_code == 401
        from enclave.identity import mfa

        with session_scope(people_db) as db:
            assert "used already" in mfa.enrolment_code_problem(db, load(db, "alice"), code, clock.now)
        # the code is checked again when the key answers: begun with it, finished without it
        other = page_factory(base)
        assert other.log_in_with_password("bob").status_code == 303
        bob_code = issue_code(people_db, "bob", clock)
        begun = other.post("/api/webauthn/register/begin", {"enrolment_code": bob_code})
        assert begun.status_code == 200
        r = other.post("/api/webauthn/register/finish", {"enrolment_code": "", "name": "k",
                                                        "credential": SoftKey().create(begun.json()["publicKey"],
                                                                                       base)})
        assert r.status_code == 403 and keys_of(people_db, "bob") == []
        # and nobody without a session starts one
        anon = page_factory(base)
        assert anon.post("/api/webauthn/register/begin", {"enrolment_code": bob_code}).status_code == 401
    acts = [a for a, _, d in audit_of(people_db, "alice") if a in ("mfa.enrolment_code_refused", "mfa.enrolled")]
    assert acts == ["mfa.enrolment_code_refused", "mfa.enrolment_code_refused", "mfa.enrolled"]


def test_registration_answers_are_single_use_and_bound_to_origin_and_session(people_db, nhi_policy, clock,
                                                                            page_factory):
    with served(people_db, nhi_policy, clock) as base:
        page = page_factory(base)
        page.log_in_with_password("alice")
        code = issue_code(people_db, "alice", clock)
        begun = page.post("/api/webauthn/register/begin", {"enrolment_code": code}).json()["publicKey"]
        assert begun["rp"]["id"] == "localhost"
        # made for another origin: refused, and the challenge is gone with it
        bad = SoftKey().create(begun, "http://evil.example")
        r = page.post("/api/webauthn/register/finish", {"enrolment_code": code, "credential": bad})
        assert r.status_code == 400 and "origin" in r.json()["detail"].lower()
        r = page.post("/api/webauthn/register/finish", {"enrolment_code": code,
                                                        "credential": SoftKey().create(begun, base)})
        assert r.status_code == 400 and "used already" in r.json()["detail"]
        # another session of the same account cannot answer this session's challenge
        begun = page.post("/api/webauthn/register/begin", {"enrolment_code": code}).json()["publicKey"]
        second = page_factory(base)
        second.log_in_with_password("alice")
        r = second.post("/api/webauthn/register/finish", {"enrolment_code": code,
                                                          "credential": SoftKey().create(begun, base)})
        assert r.status_code == 400 and "No security-key step is waiting" in r.json()["detail"]
        # an expired challenge is refused
        clock.now += dt.timedelta(minutes=nhi_policy.accounts.webauthn_challenge_minutes, seconds=1)
        r = page.post("/api/webauthn/register/finish", {"enrolment_code": code,
                                                        "credential": SoftKey().create(begun, base)})
        assert r.status_code == 400 and "expired" in r.json()["detail"]
    assert keys_of(people_db, "alice") == []
    reasons = [why for a, why, _ in audit_of(people_db, "alice") if a == "webauthn.registration_refused"]
    assert len(reasons) == 4 and "origin" in reasons[0].lower() and "expired" in reasons[3]


# ------------------------------------------------------------------ log-in

def test_staff_enrol_a_key_with_the_code_then_log_in_with_password_and_key(people_db, nhi_policy, clock,
                                                                           page_factory):
    assert "admin" in nhi_policy.accounts.mfa_required_roles
    with served(people_db, nhi_policy, clock) as base:
        page = page_factory(base)
        r = page.log_in_with_password("admin")
        assert r.status_code == 303 and r.headers["location"] == "/mfa"      # enrol-only session
        assert "新增安全金鑰 Add a security key" in page.http.get("/mfa").text
        key = SoftKey()
        r = add_key(page, key, issue_code(people_db, "admin", clock))
        assert r.status_code == 200 and r.json()["redirect"].startswith("/login")
        assert page.http.get("/mfa").status_code == 303                     # that session ended
        # the password alone no longer logs in, on the form or the API
        r = page.log_in_with_password("admin")
        assert r.status_code == 401 and "security key" in r.text
        r = page.http.post("/api/token", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 401 and "security key" in r.json()["detail"]
        # password + key: a full session (the role's second factor is satisfied by the key)
        begun = begin_login(page, "admin").json()
        r = finish_login(page, begun["attempt"], key.get(begun["publicKey"], base))
        assert r.status_code == 200 and r.json()["redirect"] == "/cases"
        assert page.http.get("/accounts").status_code == 200
    logins = [d for a, _, d in audit_of(people_db, "admin") if a == "login"]
    assert logins[-1]["factor"] == "webauthn" and logins[-1]["second_factor"] is True
    assert keys_of(people_db, "admin")[0][1] == 1                          # the counter moved


def test_a_login_challenge_answers_once(people_db, nhi_policy, clock, page_factory):
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)
        page = page_factory(base)
        begun = begin_login(page, "alice").json()
        answer = key.get(begun["publicKey"], base)
        assert finish_login(page, begun["attempt"], answer).status_code == 200
        replay = page_factory(base)
        r = finish_login(replay, begun["attempt"], answer)
        assert r.status_code == 401 and "used already" in r.json()["detail"]
        # a fresh answer of the key to the spent challenge is no better
        r = finish_login(replay, begun["attempt"], key.get(begun["publicKey"], base))
        assert r.status_code == 401 and replay.http.cookies.get(COOKIE) is None
        # nor an answer to another attempt's challenge under this attempt
        old = begun
        begun = begin_login(page, "alice").json()
        r = finish_login(page, begun["attempt"], key.get(old["publicKey"], base))
        assert r.status_code == 401 and "challenge" in r.json()["detail"].lower()
    assert failures(people_db, "alice") == 3
    assert sum(1 for a, why, _ in audit_of(people_db, "alice")
               if a == "login.refused" and "replayed" in why) == 2


@pytest.mark.parametrize("where", ["origin", "rp_id"])
def test_an_answer_made_for_another_origin_is_refused(people_db, nhi_policy, clock, page_factory, where):
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)
        page = page_factory(base)
        begun = begin_login(page, "alice").json()
        if where == "origin":   # a look-alike site relays our challenge: the browser signs its origin
            answer = key.get(begun["publicKey"], "https://enclave-login.example")
        else:                   # the key was asked for another relying party
            answer = key.get(begun["publicKey"], base, rp_id="enclave-login.example")
        r = finish_login(page, begun["attempt"], answer)
        assert r.status_code == 401 and page.http.cookies.get(COOKIE) is None
        assert ("origin" if where == "origin" else "rp id") in r.json()["detail"].lower()
    assert failures(people_db, "alice") == 1
    assert keys_of(people_db, "alice")[0][1] == 0


def test_a_counter_that_does_not_increase_is_refused_as_a_clone_and_audited(people_db, nhi_policy, clock,
                                                                           page_factory):
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)
        page = page_factory(base)
        for _ in range(3):
            begun = begin_login(page, "alice").json()
            assert finish_login(page, begun["attempt"], key.get(begun["publicKey"], base)).status_code == 200
        assert keys_of(people_db, "alice")[0][1] == 3
        for claimed in (3, 2):     # a copy of the key that has not seen the last log-ins
            begun = begin_login(page, "alice").json()
            r = finish_login(page, begun["attempt"], key.get(begun["publicKey"], base, counter=claimed))
            assert r.status_code == 401 and "cloned" in r.json()["detail"]
        begun = begin_login(page, "alice").json()  # the genuine key, counting on, still works
        assert finish_login(page, begun["attempt"], key.get(begun["publicKey"], base)).status_code == 200
    clones = [d for a, _, d in audit_of(people_db, "alice") if a == "webauthn.counter_regression"]
    assert [(d["stored"], d["presented"]) for d in clones] == [(3, 3), (3, 2)]


def test_another_accounts_key_does_not_log_in(people_db, nhi_policy, clock, page_factory):
    with served(people_db, nhi_policy, clock) as base:
        enrolled_key(people_db, base, page_factory, "alice", clock)
        bobs = enrolled_key(people_db, base, page_factory, "bob", clock)
        page = page_factory(base)
        begun = begin_login(page, "alice").json()
        assert bobs.id not in [c["id"] for c in begun["publicKey"]["allowCredentials"]]
        r = finish_login(page, begun["attempt"], bobs.get(begun["publicKey"], base))
        assert r.status_code == 401 and "not registered to this account" in r.json()["detail"]
        assert page.http.cookies.get(COOKIE) is None
    assert failures(people_db, "alice") == 1
    assert any(a == "login.refused" and "not registered to the account" in why
               for a, why, _ in audit_of(people_db, "alice"))


def test_wrong_key_answers_lock_the_account_like_wrong_codes(people_db, nhi_policy, clock, page_factory):
    limit = nhi_policy.accounts.login_max_failures
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)
        page = page_factory(base)
        for _ in range(limit):
            begun = begin_login(page, "alice").json()
            r = finish_login(page, begun["attempt"], key.get(begun["publicKey"], "http://evil.example"))
            assert r.status_code == 401
        r = begin_login(page, "alice")                                    # locked: even the password
        assert r.status_code == 401 and "locked" in r.json()["detail"]
    assert failures(people_db, "alice") == limit
    assert any(a == "login.locked" for a, _, _ in audit_of(people_db, "alice"))


def test_the_relying_party_is_the_configured_public_origin(people_db, nhi_policy, clock, page_factory):
    public = "https://enclave.example.org"
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)        # RP ID localhost
    with served(people_db, nhi_policy, clock, public_origin=public) as base:
        page = page_factory(base)
        r = begin_login(page, "alice")       # the key was made for localhost, not for this RP ID
        assert r.status_code == 401 and "no security key registered for this service" in r.json()["detail"]
        page.log_in_with_password("bob")
        begun = page.post("/api/webauthn/register/begin",
                          {"enrolment_code": issue_code(people_db, "bob", clock)}).json()["publicKey"]
        assert begun["rp"]["id"] == "enclave.example.org"   # not the Host header the request came with
        r = page.post("/api/webauthn/register/finish", {"enrolment_code": "", "credential": key.create(begun, base)})
        assert r.status_code in (400, 403)


def test_switched_off_or_required_by_policy(people_db, nhi_policy, clock, page_factory):
    accounts = nhi_policy.accounts
    no_keys = nhi_policy.model_copy(update={"accounts": accounts.model_copy(update={"webauthn_allowed": False})})
    keys_only = nhi_policy.model_copy(update={"accounts": accounts.model_copy(
        update={"webauthn_required_roles": ["researcher"]})})
    with served(people_db, nhi_policy, clock) as base:
        key = enrolled_key(people_db, base, page_factory, "alice", clock)
    with served(people_db, no_keys, clock) as base:
        page = page_factory(base)
        assert "key-login" not in page.http.get("/login").text
        r = begin_login(page, "alice")
        assert r.status_code == 401 and "switched off" in r.json()["detail"]
        page.log_in_with_password("bob")
        r = page.post("/api/webauthn/register/begin", {"enrolment_code": issue_code(people_db, "bob", clock)})
        assert r.status_code == 403
        # a key-only account is not let in with the password alone because keys are off
        r = page_factory(base).log_in_with_password("alice")
        assert r.status_code == 401 and "switched off" in r.text
    with served(people_db, keys_only, clock) as base:
        page = page_factory(base)
        assert "使用安全金鑰 Use a security key" in page.http.get("/login").text
        r = page.log_in_with_password("bob")          # a researcher without a key: enrol first
        assert r.status_code == 303 and r.headers["location"] == "/mfa"
        begun = begin_login(page, "alice").json()
        assert finish_login(page, begun["attempt"], key.get(begun["publicKey"], base)).status_code == 200


def test_an_admin_reset_of_the_second_factor_removes_the_keys(people_db, nhi_policy, clock, page_factory):
    from tests.identity.helpers import code_at, enrol_totp

    with session_scope(people_db) as db:
        admin_totp = enrol_totp(db, load(db, "admin"))
    with served(people_db, nhi_policy, clock) as base:
        enrolled_key(people_db, base, page_factory, "alice", clock)
        assert len(keys_of(people_db, "alice")) == 1
        http = page_factory(base).http
        clock.now += dt.timedelta(seconds=30)
        r = http.post("/api/token", json={"username": "admin", "password": PASSWORD,
                                          "otp": code_at(admin_totp, clock.now)})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        r = http.post("/api/accounts/alice/reset-password", headers=h, json={"reset_mfa": True})
        assert r.status_code == 200 and r.json()["enrolment_code"]
    assert keys_of(people_db, "alice") == []
    resets = [d for a, _, d in audit_of(people_db, "alice") if a == "account.password_reset"]
    assert resets[-1]["totp_removed"] is True      # the record's name predates keys: any second factor
