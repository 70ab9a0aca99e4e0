"""Cross-site posts are refused on every state-changing route of both apps (enumerated from the
apps): with the victim's session cookie, a request without the CSRF token, with a wrong one, with
another session's, from another origin (including another port of the same host: every service
shares one host, so SameSite alone does not separate them), or saying nothing of its origin."""
from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from enclave.db import session_scope, utcnow
from enclave.identity.sessions import csrf_token, issue_token
from tests.control.conftest import mk_user, without_mfa
from tests.identity.helpers import COOKIE, serve
from tests.identity.routes import routes_of

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: "1" if m.group(1).endswith("id") else "x", path)


def _sessions(db_url) -> tuple[str, str]:
    with session_scope(db_url) as db:
        victim = mk_user(db, "victim", "admin", "reviewer", "committee", "steward", when=utcnow())
        other = mk_user(db, "other", "researcher", when=utcnow())
        return (issue_token(db, victim, kind="browser", lifetime=dt.timedelta(hours=1), factor="totp"),
                issue_token(db, other, kind="browser", lifetime=dt.timedelta(hours=1), factor="totp"))


def attacks(base: str, victim: str, other: str):
    good = csrf_token(victim)
    evil_port = re.sub(r":(\d+)$", lambda m: f":{int(m.group(1)) + 1}", base)
    yield "no token", {"origin": base}
    yield "wrong token", {"origin": base, "x-csrf-token": "0" * 64}
    yield "token of another session", {"origin": base, "x-csrf-token": csrf_token(other)}
    yield "evil origin", {"origin": "https://evil.example", "x-csrf-token": good}
    yield "other port of this host", {"origin": evil_port, "x-csrf-token": good}
    yield "origin null", {"origin": "null", "x-csrf-token": good}
    yield "no origin nor referer", {"x-csrf-token": good}
    yield "foreign referer", {"referer": "https://evil.example/page", "x-csrf-token": good}
    yield "form field of another session", {"origin": base, "form": csrf_token(other)}


def _apps(db_url, tmp_path, policy):
    from egress_review.api import create_app as review_app
    from enclave.web.app import create_app as control_app

    return {"control": control_app(db_url, policy),
            "review": review_app(db_url, policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                                 recover_on_start=False)}


@pytest.mark.parametrize("which", ["control", "review"])
def test_every_state_changing_route_refuses_cross_site_posts(db_url, tmp_path, nhi_policy, which):
    victim, other = _sessions(db_url)
    app = _apps(db_url, tmp_path, without_mfa(nhi_policy))[which]
    routes = [(m, r.path) for r in routes_of(app) for m in r.methods if m in UNSAFE]
    assert len(routes) >= (40 if which == "control" else 10)
    failures = []
    with serve(app) as base, httpx.Client(base_url=base, timeout=30, follow_redirects=False) as http:
        for method, path in routes:
            for name, headers in attacks(base, victim, other):
                headers = dict(headers)
                form = headers.pop("form", None)
                r = http.request(method, _url(path), headers={**headers, "cookie": f"{COOKIE}={victim}"},
                                 data={"csrf_token": form} if form else None)
                if r.status_code != 403 or "cross-site" not in r.text:
                    failures.append((method, path, name, r.status_code))
            # the same request from the page itself passes the guard (whatever the handler says)
            r = http.request(method, _url(path), headers={"origin": base, "x-csrf-token": csrf_token(victim),
                                                          "cookie": f"{COOKIE}={victim}"})
            if "cross-site" in r.text:
                failures.append((method, path, "same-origin with token", r.status_code))
    assert failures == []


@pytest.mark.parametrize("which", ["control", "review"])
def test_log_in_from_another_origin_is_refused(db_url, tmp_path, nhi_policy, which):
    app = _apps(db_url, tmp_path, without_mfa(nhi_policy))[which]
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        r = http.post("/login", data={"username": "x", "password": "y"}, headers={"origin": "https://evil.example"})
        assert r.status_code == 403 and "cross-site" in r.text


def test_api_clients_with_a_bearer_token_need_no_csrf_token(db_url, tmp_path, nhi_policy):
    victim, _ = _sessions(db_url)
    with serve(_apps(db_url, tmp_path, without_mfa(nhi_policy))["control"]) as base, \
            httpx.Client(base_url=base, timeout=30) as http:
        r = http.post("/api/audit/samples", json={}, headers={"Authorization": f"Bearer {victim}"})
        assert r.status_code == 201, r.text


def test_pages_embed_the_token_in_every_post_form(db_url, tmp_path, nhi_policy):
    victim, _ = _sessions(db_url)
    with serve(_apps(db_url, tmp_path, without_mfa(nhi_policy))["control"]) as base, \
            httpx.Client(base_url=base, timeout=30, cookies={COOKIE: victim}) as http:
        for page in ("/", "/accounts", "/audit/samples", "/violations", "/announcements", "/calendar", "/cases/new"):
            html = http.get(page).text
            forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S | re.I)
            assert forms, page
            for f in forms:
                assert f'name="csrf_token" value="{csrf_token(victim)}"' in f, (page, f[:200])


@pytest.mark.parametrize("multipart", [False, True])
def test_the_token_as_a_form_field_passes_urlencoded_and_multipart(db_url, tmp_path, nhi_policy, multipart):
    victim, other = _sessions(db_url)
    with serve(_apps(db_url, tmp_path, without_mfa(nhi_policy))["control"]) as base, \
            httpx.Client(base_url=base, timeout=30, follow_redirects=False) as http:
        for token, ok in ((csrf_token(other), False), (csrf_token(victim), True)):
            data = {"title": "Notice", "body": "<p>x</p>", "csrf_token": token}
            files = [("files", ("a.txt", b"hello", "text/plain"))] if multipart else None
            r = http.post("/announcements", data=data, files=files,
                          headers={"origin": base, "cookie": f"{COOKIE}={victim}"})
            assert (r.status_code == 303) == ok, (token == csrf_token(victim), r.status_code, r.text[:200])
