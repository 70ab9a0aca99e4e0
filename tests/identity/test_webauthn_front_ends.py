"""A security key (A4) added on the control plane logs in on the review service and the release area
too, with the same steps and server-side checks (enclave.web.webauthn_login), and an API client
gets a token with it (``/api/token``).  Every app is served by uvicorn on its own loopback port
and reached as ``localhost``: the RP ID (the host name) is shared, the origins are not.

The key is the software authenticator of tests/identity/softkey.py, so each answer can be made
wrong in one way: replayed, made for another front end's origin, begun on one front end and
finished on another.  Refusals are audited under the front end's name and counted by the one
lock-out, whichever front end they happened on."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select

from enclave.db import session_scope
from tests.control.conftest import PASSWORD
from tests.identity.helpers import COOKIE, form_login, serve
from tests.identity.softkey import SoftKey
from tests.identity.test_mfa import Clock
from tests.identity.test_webauthn import Page, add_key, begin_login, failures, finish_login, issue_code

# who uses which front end, and the page only a logged-in person of that kind sees
FRONT = {"review": ("rev", "/queue", "internal"), "release": ("alice", "/downloads", "external")}


@pytest.fixture
def clock():
    return Clock()


@contextlib.contextmanager
def _localhost(app):
    with serve(app) as base:
        yield base.replace("127.0.0.1", "localhost")   # an RP ID must be a host name


@pytest.fixture
def fronts(people_db, nhi_policy, clock, tmp_path):
    """The control plane, the review service (internal) and the release area (external), one
    state database, each on its own port."""
    from egress_review.api import create_app as egress_app
    from enclave.web.app import create_app as control_app

    def egress(mode):
        return egress_app(people_db, nhi_policy, store_dir=tmp_path / "store", release_dir=tmp_path / "release",
                          clock=clock, recover_on_start=False, mode=mode)

    pages = []

    def page(base):
        pages.append(Page(base))
        return pages[-1]

    with _localhost(control_app(people_db, nhi_policy, clock=clock)) as control, \
            _localhost(egress("internal")) as review, _localhost(egress("external")) as release:
        yield {"control": control, "review": review, "release": release, "page": page}
    for p in pages:
        p.close()


def key_on_control(fronts, db_url, name, clock) -> SoftKey:
    """``name`` adds a key on the control plane's two-step page (enrol-only session for staff)."""
    page = fronts["page"](fronts["control"])
    assert page.log_in_with_password(name).status_code == 303
    key = SoftKey()
    r = add_key(page, key, issue_code(db_url, name, clock))
    assert r.status_code == 200, r.text
    return key


def audit_rows(db_url, who):
    from enclave.audit.models import AuditRecord

    with session_scope(db_url) as db:
        rows = db.execute(select(AuditRecord).where(AuditRecord.actor == who).order_by(AuditRecord.seq)).scalars()
        return [(r.component, r.action, r.reason or "", r.detail or {}) for r in rows]


def failure_places(db_url, who) -> list[str]:
    from enclave.identity.models import LoginFailure

    with session_scope(db_url) as db:
        return list(db.execute(select(LoginFailure.front_end).where(LoginFailure.username == who)).scalars())


@pytest.mark.parametrize("front", ["review", "release"])
def test_a_key_added_on_the_control_plane_logs_in_here_and_the_password_alone_does_not(
        fronts, people_db, nhi_policy, clock, front):
    name, landing, _ = FRONT[front]
    key = key_on_control(fronts, people_db, name, clock)
    base = fronts[front]
    page = fronts["page"](base)
    login_page = page.http.get("/login").text
    assert 'id="key-login"' in login_page and "/assets/webauthn.js" in login_page
    assert "navigator.credentials.get" in page.http.get("/assets/webauthn.js").text   # the one script
    # the password alone: refused, pointing at the key, counted here under this front end's name
    r = form_login(page.http, base, name, PASSWORD, next_url=landing)
    assert r.status_code == 401 and "使用安全金鑰" in r.text and "security key" in r.text
    assert page.http.get(landing).status_code == 303                       # still not logged in
    assert failure_places(people_db, name) == [front]
    # password + key: a session of this front end
    begun = begin_login(page, name)
    assert begun.status_code == 200, begun.text
    pk = begun.json()["publicKey"]
    assert pk["rpId"] == "localhost" and [c["id"] for c in pk["allowCredentials"]] == [key.id]
    r = finish_login(page, begun.json()["attempt"], key.get(pk, base))
    assert r.status_code == 200 and page.http.cookies.get(COOKIE)
    assert page.http.get(landing).status_code == 200
    logins = [(c, d.get("factor")) for c, a, _, d in audit_rows(people_db, name) if a == "login"]
    assert logins[-1] == (front, "webauthn")
    assert failures(people_db, name) == 0                                   # a success clears the count


@pytest.mark.parametrize("front", ["review", "release"])
def test_replayed_and_other_origin_answers_are_refused(fronts, people_db, nhi_policy, clock, front):
    name, landing, _ = FRONT[front]
    key = key_on_control(fronts, people_db, name, clock)
    base, other = fronts[front], fronts["release" if front == "review" else "review"]
    page = fronts["page"](base)
    # replay: the answer that logged in once does not log in again
    begun = begin_login(page, name).json()
    answer = key.get(begun["publicKey"], base)
    assert finish_login(page, begun["attempt"], answer).status_code == 200
    replay = fronts["page"](base)
    r = finish_login(replay, begun["attempt"], answer)
    assert r.status_code == 401 and "used already" in r.json()["detail"] and replay.http.cookies.get(COOKIE) is None
    # an answer the browser made on the control plane's origin (a relayed challenge)
    fresh = fronts["page"](base)
    begun = begin_login(fresh, name).json()
    r = finish_login(fresh, begun["attempt"], key.get(begun["publicKey"], fronts["control"]))
    assert r.status_code == 401 and "origin" in r.json()["detail"].lower()
    # a challenge asked for here, answered (correctly for here) on the other front end
    begun = begin_login(fresh, name).json()
    elsewhere = fronts["page"](other)
    r = finish_login(elsewhere, begun["attempt"], key.get(begun["publicKey"], base))
    assert r.status_code == 401 and "another origin" in r.json()["detail"]
    assert elsewhere.http.cookies.get(COOKIE) is None and fresh.http.cookies.get(COOKIE) is None
    # a cross-site page cannot even start a key log-in (the CSRF guard's Origin check)
    r = fresh.post("/api/webauthn/login/begin", {"username": name, "password": PASSWORD},
                   origin="https://evil.example")
    assert r.status_code == 403 and "cross-site" in r.json()["detail"]
    refused = [(c, why) for c, a, why, _ in audit_rows(people_db, name) if a == "login.refused"]
    other_name = "release" if front == "review" else "review"
    assert refused == [(front, "WebAuthn challenge replayed"),
                       (front, refused[1][1]), (other_name, f"WebAuthn challenge of {base} answered at {other}")]
    assert "origin" in refused[1][1].lower()
    assert sorted(failure_places(people_db, name)) == sorted([front, front, other_name])


def test_wrong_answers_on_the_review_service_lock_the_account_everywhere(fronts, people_db, nhi_policy, clock):
    limit = nhi_policy.accounts.login_max_failures
    key = key_on_control(fronts, people_db, "rev", clock)
    review = fronts["page"](fronts["review"])
    for _ in range(limit):
        begun = begin_login(review, "rev").json()
        r = finish_login(review, begun["attempt"], key.get(begun["publicKey"], "https://evil.example"))
        assert r.status_code == 401
    for front in ("control", "release", "review"):                  # one lock-out for every front end
        r = begin_login(fronts["page"](fronts[front]), "rev")
        assert r.status_code == 401 and "locked" in r.json()["detail"], front
    assert any(c == "review" and a == "login.locked" for c, a, _, _ in audit_rows(people_db, "rev"))


def test_an_api_token_with_password_and_key(fronts, people_db, nhi_policy, clock):
    key = key_on_control(fronts, people_db, "alice", clock)
    base = fronts["control"]
    client = fronts["page"](base).http       # an API client: no cookie, no Origin header
    r = client.post("/api/token", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 401 and "/api/webauthn/login/begin" in r.json()["detail"]
    begun = client.post("/api/webauthn/login/begin", json={"username": "alice", "password": PASSWORD}).json()
    answer = key.get(begun["publicKey"], base)
    r = client.post("/api/token", json={"attempt": begun["attempt"], "credential": answer})
    assert r.status_code == 200, r.text
    me = client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200 and me.json()["username"] == "alice"
    r = client.post("/api/token", json={"attempt": begun["attempt"], "credential": answer})    # replay
    assert r.status_code == 401 and "used already" in r.json()["detail"]
    # a challenge of the review service is no token's on the control plane
    begun = begin_login(fronts["page"](fronts["review"]), "alice").json()
    r = client.post("/api/token", json={"attempt": begun["attempt"],
                                        "credential": key.get(begun["publicKey"], fronts["review"])})
    assert r.status_code == 401 and "another origin" in r.json()["detail"]
    # half of each way is no way
    r = client.post("/api/token", json={"username": "alice", "attempt": begun["attempt"], "credential": answer})
    assert r.status_code == 422
    r = client.post("/api/token", json={"attempt": begun["attempt"]})
    assert r.status_code == 422
