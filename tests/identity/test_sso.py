"""Single sign-on over real HTTP (#15): the control plane, the review service and the release
area each under uvicorn on its own port; each front end has its own httpx client (its own
cookie jar, as if on its own host name), and redirects are followed by hand so every hop can be
tampered with.  Tried: code replay, a code for another front end, forged and missing state, open
redirects through the callback and ``next`` (many spellings), an expired code, a code after
logout, a parent log-in that ended, a role needing a second factor whose log-in had none, and
single logout from every side."""
from __future__ import annotations

import contextlib
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from enclave.db import session_scope, utcnow
from tests.control.conftest import PASSWORD, load, without_mfa
from tests.identity.helpers import COOKIE, csrf_token, enrol_totp, form_login, serve


@contextlib.contextmanager
def enclave(db_url, tmp_path, control_policy, front_policy, *, control_clock=None):
    from egress_review.api import create_app as egress_app
    from enclave.web.app import create_app as control_app

    def egress(mode):
        app = egress_app(db_url, front_policy, store_dir=tmp_path / "store", release_dir=tmp_path / "release",
                         recover_on_start=False, mode=mode)
        return app

    capp = control_app(db_url, control_policy, clock=control_clock)
    rapp, xapp = egress("internal"), egress("external")
    with serve(capp) as control, serve(rapp) as review, serve(xapp) as release:
        capp.state.sso_callbacks = {"review": [review], "release": [release]}
        rapp.state.sso_url = xapp.state.sso_url = control
        yield {"control": control, "review": review, "release": release}


class Browser:
    """One person's browser: a cookie jar per front end (as on separate host names)."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.jar = {k: httpx.Client(base_url=v, timeout=30) for k, v in urls.items()}

    def close(self) -> None:
        for c in self.jar.values():
            c.close()

    def login_control(self, name: str, otp: str = "") -> None:
        r = form_login(self.jar["control"], self.urls["control"], name, PASSWORD, otp)
        assert r.status_code == 303 and r.headers["location"] == "/", r.text

    def start(self, fe: str, next_url: str = "/") -> str:
        """The front end's 「以單一登入」 link: the control plane's authorize address."""
        r = self.jar[fe].get("/sso/start", params={"next": next_url})
        assert r.status_code == 303, r.text
        return r.headers["location"]

    def authorize(self, url: str) -> httpx.Response:
        return self.jar["control"].get(url)

    def code_for(self, fe: str, next_url: str = "/") -> str:
        """Start on ``fe`` and let the (logged-in) control plane answer: the callback address."""
        r = self.authorize(self.start(fe, next_url))
        assert r.status_code == 303, r.text
        return r.headers["location"]

    def callback(self, fe: str, url: str) -> httpx.Response:
        return self.jar[fe].get(url)

    def sso(self, fe: str, next_url: str = "/") -> httpx.Response:
        return self.callback(fe, self.code_for(fe, next_url))

    def signed_in(self, fe: str) -> bool:
        page = {"control": "/accounts", "review": "/queue", "release": "/downloads"}[fe]
        r = self.jar[fe].get(page)
        if r.status_code == 303:
            assert "/login" in r.headers["location"]
            return False
        assert r.status_code in (200, 403), r.text
        return True

    def logout(self, fe: str) -> None:
        c = self.jar[fe]
        token = c.cookies.get(COOKIE)
        r = c.post("/logout", data={"csrf_token": csrf_token(token)}, headers={"origin": self.urls[fe]})
        assert r.status_code == 303, r.text


def _audit(db_url, action: str) -> list:
    from enclave.audit.models import AuditRecord

    with session_scope(db_url) as s:
        rows = s.execute(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)).scalars()
        return [(r.component, r.actor, r.reason) for r in rows]


def landing(r: httpx.Response) -> str | None:
    """Where a successful callback's page sends the browser (a same-origin hop), else None."""
    if r.status_code != 200 or 'http-equiv="refresh"' not in r.text:
        return None
    return r.text.split("url=", 1)[1].split('"', 1)[0].replace("&amp;", "&")


def _refused(r: httpx.Response, words: str) -> None:
    assert r.status_code == 401, r.text
    assert "Single sign-on refused" in r.text and words in r.text
    assert COOKIE not in r.cookies


def _callback_refused(b: "Browser", db_url: str, fe: str, url: str, words: str, who: str, reason: str) -> None:
    """The callback to ``url`` on front end ``fe`` is refused saying ``words``, signs nobody in,
    and the audit keeps the refusal of ``who``'s code with ``reason``."""
    _refused(b.callback(fe, url), words)
    assert not b.signed_in(fe)
    assert (fe, who, reason) in _audit(db_url, "sso.refused")


@pytest.fixture
def world(people_db, nhi_policy, tmp_path):
    with enclave(people_db, tmp_path, without_mfa(nhi_policy), without_mfa(nhi_policy)) as urls:
        b = Browser(urls)
        yield people_db, urls, b
        b.close()


def test_one_log_in_reaches_review_and_release_and_single_logout_ends_all(world):
    db_url, urls, b = world
    assert not b.signed_in("review") and not b.signed_in("release")
    # not logged in on the control plane yet: authorize hops once, then sends to the form
    r = b.authorize(b.start("review", "/queue"))
    assert r.status_code == 200 and 'http-equiv="refresh"' in r.text
    hop = r.text.split("url=", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    r = b.authorize(hop)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fsso%2Fauthorize")
    # the form's own next brings the browser back to authorize after the log-in
    nxt = parse_qs(urlsplit(r.headers["location"]).query)["next"][0]
    r = form_login(b.jar["control"], urls["control"], "rev", PASSWORD, next_url=nxt)
    assert r.status_code == 303 and r.headers["location"] == nxt
    r = b.authorize(nxt)
    assert r.status_code == 303 and r.headers["location"].startswith(urls["review"] + "/sso/callback?code=")
    r = b.callback("review", r.headers["location"])
    assert landing(r) == "/queue"
    assert b.signed_in("review")
    assert landing(b.sso("release")) == "/" and b.signed_in("release")
    assert [a[0] for a in _audit(db_url, "sso.login")] == ["review", "release"]
    # log out on the review service: the control plane and the release area ask again
    b.logout("review")
    assert not b.signed_in("review") and not b.signed_in("control") and not b.signed_in("release")


@pytest.mark.parametrize("side", ["control", "release"])
def test_logout_anywhere_ends_the_others(world, side):
    _, _, b = world
    b.login_control("rev")
    b.sso("review")
    b.sso("release")
    assert b.signed_in("review") and b.signed_in("release") and b.signed_in("control")
    b.logout(side)
    assert not any(b.signed_in(fe) for fe in ("control", "review", "release"))


def test_replayed_code_is_refused_and_ends_the_session_it_opened(world):
    db_url, urls, b = world
    b.login_control("rev")
    cb = b.code_for("review")
    assert landing(b.callback("review", cb)) == "/" and b.signed_in("review")
    # the same code again, even with the same browser's state: refused, and the first use's
    # session ends (whoever replays a code may hold what the first one opened)
    b.jar["review"].get("/sso/start")  # a fresh state cookie for the second try
    state = parse_qs(urlsplit(cb).query)["state"][0]
    b.jar["review"].cookies.set("enclave_sso_state", f'{{"state": "{state}", "next": "/"}}', path="/sso/")
    _callback_refused(b, db_url, "review", cb, "already used", "rev", "code replayed")


def test_a_code_for_another_front_end_is_refused(world):
    db_url, urls, b = world
    b.login_control("rev")
    # the release area's state, but a code asked for the review service
    auth = b.start("release")
    q = parse_qs(urlsplit(auth).query)
    r = b.authorize(f"{urls['control']}/sso/authorize?" + httpx.QueryParams(
        {"front_end": "review", "state": q["state"][0], "redirect_uri": urls["review"] + "/sso/callback"}).__str__())
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    _callback_refused(b, db_url, "release", f"/sso/callback?code={code}&state={q['state'][0]}",
                      "another front end", "rev", "code for review")


def test_forged_or_missing_state_is_refused(world):
    db_url, urls, b = world
    b.login_control("rev")
    cb = b.code_for("review")
    code = parse_qs(urlsplit(cb).query)["code"][0]
    # another browser (no state cookie): someone else's code pushed into it - login CSRF
    victim = Browser(urls)
    try:
        _refused(victim.callback("review", cb), "state value")
        assert not victim.signed_in("review")
    finally:
        victim.close()
    # the right browser, the state in the address altered, or missing
    for forged in (f"/sso/callback?code={code}&state=forged-state-value-0000",
                   f"/sso/callback?code={code}"):
        cb2 = b.code_for("review")
        code2 = parse_qs(urlsplit(cb2).query)["code"][0]
        _refused(b.callback("review", forged.replace(code, code2)), "state value")
    assert not b.signed_in("review")
    reasons = [a[2] for a in _audit(db_url, "sso.refused")]
    assert reasons.count("state mismatch") == 3


EVIL_CALLBACKS = [
    "https://evil.example/sso/callback", "//evil.example/sso/callback", "https:evil.example/sso/callback",
    "http:\\\\evil.example\\sso\\callback", "/\\evil.example/sso/callback", "http%3A%2F%2Fevil.example%2Fsso%2Fcallback",
    "{review}/sso/callback/../../evil", "{review}@evil.example/sso/callback", "{review}.evil.example/sso/callback",
    "{review}/sso/callback?then=https://evil.example", "{review}/sso/callback#@evil.example",
    "{review}/sso/callback/", "{review}/SSO/CALLBACK", " {review}/sso/callback", "{review}/sso/callback\t",
    "{review}/sso/callback%00", "{release}/sso/callback", "javascript:alert(1)", "",
]


def test_authorize_sends_codes_only_to_registered_callbacks(world):
    db_url, urls, b = world
    b.login_control("rev")
    state = "s" * 24
    for variant in EVIL_CALLBACKS:
        uri = variant.format(**urls)
        r = b.authorize("/sso/authorize?" + str(httpx.QueryParams(
            {"front_end": "review", "state": state, "redirect_uri": uri})))
        assert r.status_code in (400, 422), (variant, r.status_code)
        assert "location" not in r.headers and "code=" not in r.text, variant
    for fe in ("control", "evil", "hub"):     # not a front end, or none registered
        r = b.authorize("/sso/authorize?" + str(httpx.QueryParams(
            {"front_end": fe, "state": state, "redirect_uri": urls["review"] + "/sso/callback"})))
        assert r.status_code == 400 and "location" not in r.headers, fe
    for bad_state in ("", "short", "x" * 201):
        r = b.authorize("/sso/authorize?" + str(httpx.QueryParams(
            {"front_end": "review", "state": bad_state, "redirect_uri": urls["review"] + "/sso/callback"})))
        assert r.status_code in (400, 422) and "location" not in r.headers
    assert len(_audit(db_url, "sso.refused")) >= len(EVIL_CALLBACKS) - 1
    assert _audit(db_url, "sso.code_issued") == []


EVIL_NEXT = ["//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "https://evil.example",
             "/\t/evil.example", "/\n/evil.example", "%2F%2Fevil.example", "/%5Cevil.example".replace("%5C", "\\"),
             " /evil", "javascript:alert(1)", "evil.example"]


def _local(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and "\\" not in location \
        and location.isprintable() and "evil" not in location.split("?")[0][:2]


def test_next_never_leaves_the_front_end(world):
    _, urls, b = world
    for nxt in EVIL_NEXT:
        # after the control plane's log-in
        c = httpx.Client(base_url=urls["control"], timeout=30)
        r = form_login(c, urls["control"], "rev", PASSWORD, next_url=nxt)
        c.close()
        assert r.status_code == 303 and r.headers["location"] == "/", (nxt, r.headers["location"])
    b.login_control("rev")
    for nxt in EVIL_NEXT:
        # after the review service's single sign-on
        r = b.sso("review", nxt)
        assert landing(r) == "/", (nxt, r.text[:300])
        # and after its own form
        c = httpx.Client(base_url=urls["review"], timeout=30)
        r = form_login(c, urls["review"], "rev", PASSWORD, next_url=nxt)
        c.close()
        assert r.status_code == 303 and _local(r.headers["location"]), (nxt, r.headers["location"])


def test_an_expired_code_is_refused(people_db, nhi_policy, tmp_path):
    # the control plane's clock ten minutes behind: its codes are already past their minute
    policy = without_mfa(nhi_policy)
    with enclave(people_db, tmp_path, policy, policy,
                 control_clock=lambda: utcnow() - dt.timedelta(minutes=10)) as urls:
        b = Browser(urls)
        try:
            b.login_control("rev")
            _callback_refused(b, people_db, "review", b.code_for("review"), "expired", "rev", "code expired")
        finally:
            b.close()


def test_a_code_after_logout_and_a_child_of_an_ended_log_in_are_refused(world):
    db_url, _, b = world
    b.login_control("alice")
    cb = b.code_for("release")
    b.logout("control")
    _callback_refused(b, db_url, "release", cb, "has ended", "alice", "parent log-in ended")
    # a child session whose parent is revoked in the shared table, not through a logout page
    b.login_control("alice")
    assert landing(b.callback("release", b.code_for("release"))) == "/" and b.signed_in("release")
    from enclave.identity.models import WebSession

    with session_scope(db_url) as s:
        for ws in s.execute(select(WebSession).where(WebSession.parent_id.is_(None),
                                                     WebSession.revoked_at.is_(None))).scalars():
            ws.revoked_at = utcnow()
    assert not b.signed_in("release")


def test_suspension_and_lock_out_end_the_front_ends_sessions(world, nhi_policy):
    db_url, urls, b = world
    b.login_control("alice")
    b.sso("release")
    assert b.signed_in("release")
    for _ in range(nhi_policy.accounts.login_max_failures):   # someone guessing alice's password
        with httpx.Client(base_url=urls["review"], timeout=30) as c:
            form_login(c, urls["review"], "alice", "wrong-password-1")
    assert not b.signed_in("release") and not b.signed_in("control")
    from enclave.accounts import lifecycle
    from enclave.identity import throttle

    with session_scope(db_url) as s:
        throttle.clear(s, "alice")
    b.login_control("bob")
    b.sso("review")
    with session_scope(db_url) as s:
        lifecycle.suspend(s, load(s, "admin"), load(s, "bob"), reason="left the project", now=utcnow())
    assert not b.signed_in("review")


def test_a_role_needing_a_second_factor_is_refused_a_log_in_without_one(people_db, nhi_policy, tmp_path):
    # the control plane lets rev in with the password alone; the review service's policy says
    # reviewers need a second factor: the code from that log-in does not open it
    with session_scope(people_db) as s:
        totp = enrol_totp(s, load(s, "steward"))
    with enclave(people_db, tmp_path, without_mfa(nhi_policy), nhi_policy) as urls:
        b = Browser(urls)
        try:
            b.login_control("rev")
            _refused(b.sso("review"), "second factor")
            assert not b.signed_in("review")
            assert ("review", "rev", "second factor required by role") in _audit(people_db, "sso.refused")
            b.logout("control")
            # a log-in with TOTP is handed on: steward gets in on the release area
            b.login_control("steward", totp.now())
            assert landing(b.sso("release")) == "/" and b.signed_in("release")
        finally:
            b.close()


@pytest.mark.parametrize("change, words", [
    ({"employment": "temporary"}, "permanent or contract"),                  # A2
    ({"password_changed_at": utcnow() - dt.timedelta(days=400)}, "older than"),   # A4
    ({"password_changed_at": None}, "older than"),                           # reset, not changed
])
def test_account_rules_that_changed_since_the_log_in_refuse_the_code(world, change, words):
    """The control-plane log-in checked the account rules when it was made; a front end's sign-in
    checks them again (the employment may have ended, the password aged or been reset since)."""
    from enclave.accounts.models import User

    db_url, urls, b = world
    b.login_control("rev")
    cb = b.code_for("review")
    with session_scope(db_url) as s:
        u = s.execute(select(User).where(User.username == "rev")).scalar_one()
        for k, v in change.items():
            setattr(u, k, v)
    _callback_refused(b, db_url, "review", cb, words, "rev", "account rules")
