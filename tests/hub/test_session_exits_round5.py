"""Round 5: a kernel's and a browser's exits above the syscall layer (S1, S4, S7, D4).

A real hub and proxy, real sandboxed servers for ann and bob (case C1) and carl (case C2).

* The hub API from inside ann's kernel: every route the hub serves - taken from the same lists
  ``JupyterHub.init_handlers`` joins (the authenticator's handlers, JupyterHub's pages and API)
  - is requested with every method its handler implements, with the session's own token and
  with the other users' names; a route the test does not know fails it.  Then every token-like
  string the kernel can read (its environment, readable ``/proc/*/environ``, files under
  ``/etc``, ``/home``, ``/tmp``, ``/workspace``, ``/run``) is presented to the hub: none may be
  anyone else's or carry more than the session's token.
* The session's server through the proxy, as the booked seat's browser: every route of the
  real single-user server (its tornado rules, enumerated from the running application's
  handler list in ``tests/hub/browser_channel_handlers.py``) is requested with a concrete path
  and every method; no response carries the bytes of a file the kernel wrote (raw, base64 or
  hex), and nothing but the checked save path takes a body.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import pytest

from enclave.db import utcnow
from tests.services.hub import HubHarness

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox spawner needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 probe")]

CASES = {"ann": "C1", "bob": "C1", "carl": "C2"}
PROBE = Path(__file__).with_name("session_exits_probe.py")


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    now = utcnow()
    for name in CASES:
        h.add_user(name)
    h.add_case("C1", ["ann", "bob"])
    h.add_case("C2", ["carl"], tables={"other": [{"pid": "zz"}]})
    for name, case in CASES.items():
        h.add_booking(name, case, now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))
    try:
        h.start()
        h.people = {}
        for name in CASES:
            u = h.user(name)
            assert u.login().status_code == 302
            u.make_token()
            u.spawn()
            h.people[name] = u
        yield h
    except BaseException:
        print(h.log_text()[-6000:])
        raise
    finally:
        h.stop()


def run_json(u, code: str, env: dict | None = None) -> dict:
    """Run code that sets RESULT in u's kernel; RESULT comes back through the workspace."""
    name = f".r5-{time.monotonic_ns()}.json"
    pre = "".join(f"import os\nos.environ[{k!r}] = {v!r}\n" for k, v in (env or {}).items())
    out = u.execute(pre + code + f"\nimport json as _j\nopen('/workspace/{name}', 'w')"
                    f".write(_j.dumps(RESULT))\nprint('DONE')\n", timeout=300)
    path = u.hub.settings.projects_dir / CASES[u.name] / "workspace" / name
    assert path.exists(), out[-3000:]
    try:
        return json.loads(path.read_text())
    finally:
        path.unlink()


# ------------------------------------------------------------------ the hub API from a kernel

def hub_routes() -> list[tuple[str, type]]:
    """The hub's routes as JupyterHub.init_handlers joins them (no extra_handlers configured)."""
    from jupyterhub import apihandlers, handlers

    from hub_config.auth import EnclaveAuthenticator

    out = [(p, c) for p, c, *_ in EnclaveAuthenticator().get_handlers(None)]
    out += [(p, c) for p, c, *_ in handlers.default_handlers + apihandlers.default_handlers]
    return out + [("/logo", None), ("/api/(.*)", apihandlers.base.API404)]


def methods(cls) -> list[str]:
    from tornado import web

    if cls is None:
        return ["GET"]
    return [m.upper() for m in ("get", "post", "put", "patch", "delete")
            if getattr(cls, m) is not getattr(web.RequestHandler, m)]


# every hub route -> the concrete paths tried (SELF = ann, SAME = bob of her case, OTHER = carl)
HUB_PATHS: dict[str, list[str]] = {
    "": [""],
    "/login": ["/login"],
    "/logout": ["/logout"],
    r"/api/enclave/cutoff/([^/]+)": ["/api/enclave/cutoff/SELF", "/api/enclave/cutoff/SAME",
                                     "/api/enclave/cutoff/OTHER"],
    "/api/enclave/slot": ["/api/enclave/slot"],
    "/webauthn/login/begin": ["/webauthn/login/begin"],
    "/webauthn.js": ["/webauthn.js"],
    "/sso/start": ["/sso/start"],
    "/sso/callback": ["/sso/callback"],
    r"/user/(?P<user_name>[^/]+)(?P<user_path>/.*)?": [
        "/user/SELF/", "/user/SAME/", "/user/OTHER/", "/user/SELF/api/contents", "/user/SAME/api/contents", "/user/OTHER/api/kernels"],
    "/user-redirect/(.*)?": ["/user-redirect/api/contents"],
    "/security/csp-report": ["/security/csp-report"],
    "/": ["/"],
    "/home": ["/home"],
    "/admin": ["/admin"],
    "/spawn-pending/([^/]+)": ["/spawn-pending/SELF", "/spawn-pending/OTHER"],
    "/spawn-pending/([^/]+)/([^/]+)": ["/spawn-pending/SELF/x", "/spawn-pending/OTHER/x"],
    "/spawn": ["/spawn"],
    "/spawn/([^/]+)": ["/spawn/SELF", "/spawn/SAME", "/spawn/OTHER"],
    "/spawn/([^/]+)/([^/]+)": ["/spawn/SELF/second", "/spawn/OTHER/x"],
    "/token": ["/token"],
    "/accept-share": ["/accept-share?code=x"],
    r"/error/(\d+)": ["/error/502"],
    "/health$": ["/health"],
    "/api/health$": ["/api/health"],
    "/metrics$": ["/metrics"],
    "/api/metrics$": ["/api/metrics"],
    "/api/authorizations/cookie/([^/]+)(?:/([^/]+))?": ["/api/authorizations/cookie/jupyterhub-session-id/x"],
    "/api/authorizations/token/([^/]+)": ["/api/authorizations/token/TOKEN_OTHER"],
    "/api/authorizations/token": ["/api/authorizations/token"],
    "/api/oauth2/authorize": [
        "/api/oauth2/authorize?client_id=jupyterhub-user-SAME&response_type=code"
        "&redirect_uri=%2Fuser%2FSAME%2Foauth_callback",
        "/api/oauth2/authorize?client_id=jupyterhub-user-SELF&response_type=code"
        "&redirect_uri=%2Fuser%2FSELF%2Foauth_callback&scope=admin%3Ausers"],
    "/api/oauth2/token": ["/api/oauth2/token"],
    "/api/shutdown": ["/api/shutdown"],
    "/api/?": ["/api/"],
    "/api/info": ["/api/info"],
    "/api/proxy": ["/api/proxy"],
    "/api/user": ["/api/user"],
    "/api/users": ["/api/users"],
    "/api/users/([^/]+)": ["/api/users/SELF", "/api/users/SAME", "/api/users/OTHER"],
    "/api/users/([^/]+)/server": ["/api/users/SELF/server", "/api/users/SAME/server",
                                  "/api/users/OTHER/server"],
    "/api/users/([^/]+)/server/progress": ["/api/users/SAME/server/progress"],
    "/api/users/([^/]+)/tokens": ["/api/users/SELF/tokens", "/api/users/SAME/tokens"],
    "/api/users/([^/]+)/tokens/([^/]*)": ["/api/users/SELF/tokens/a1",
                                          "/api/users/SAME/tokens/a1"],
    "/api/users/([^/]+)/servers/([^/]*)": ["/api/users/SELF/servers/second",
                                           "/api/users/SAME/servers/"],
    "/api/users/([^/]+)/servers/([^/]*)/progress": ["/api/users/SAME/servers//progress"],
    "/api/users/([^/]+)/activity": ["/api/users/SAME/activity", "/api/users/OTHER/activity"],
    "/api/users/([^/]+)/admin-access": ["/api/users/SAME/admin-access"],
    "/api/groups": ["/api/groups"],
    "/api/groups/([^/]+)": ["/api/groups/g5"],
    "/api/groups/([^/]+)/users": ["/api/groups/g5/users"],
    "/api/groups/([^/]+)/properties": ["/api/groups/g5/properties"],
    "/api/services": ["/api/services"],
    "/api/services/([^/]+)": ["/api/services/enclave-warden"],
    "/api/shares/([^/]+)": ["/api/shares/SELF", "/api/shares/SAME"],
    "/api/shares/([^/]+)/([^/]*)": ["/api/shares/SELF/", "/api/shares/SAME/"],
    "/api/users/([^/]+)/shared": ["/api/users/SELF/shared", "/api/users/SAME/shared"],
    "/api/groups/([^/]+)/shared": ["/api/groups/g5/shared"],
    "/api/users/([^/]+)/shared/([^/]+)/([^/]*)": ["/api/users/SAME/shared/SELF/",
                                                 "/api/users/SELF/shared/SAME/"],
    "/api/groups/([^/]+)/shared/([^/]+)/([^/]*)": ["/api/groups/g5/shared/SELF/"],
    "/api/share-codes/([^/]+)": ["/api/share-codes/SELF", "/api/share-codes/SAME"],
    "/api/share-codes/([^/]+)/([^/]*)": ["/api/share-codes/SELF/", "/api/share-codes/SAME/"],
    "/logo": ["/logo"],
    "/api/(.*)": ["/api/nothing-here"],
}

# bodies a caller with the rights would send: a refusal must not be a "bad request" that a
# better body would pass
BODIES = {
    "/api/users/SELF/tokens": {"note": "r5", "scopes": ["admin:users"]},
    "/api/users/SAME/tokens": {"note": "r5"},
    "/api/users": {"usernames": ["evil5"]},
    "/api/users/SELF": {"admin": True, "name": "SELF"},
    "/api/proxy": {},
    "/api/shares/SELF": {"user": "SAME"},
    "/api/shares/SELF/": {"user": "SAME"},
    "/api/share-codes/SELF": {},
    "/api/share-codes/SELF/": {},
    "/api/groups/g5/users": {"users": ["SELF"]},
    "/api/groups/g5/properties": {"x": 1},
    "/api/users/SAME/activity": {"last_activity": "2030-01-01T00:00:00Z"},
    "/api/users/OTHER/activity": {"last_activity": "2030-01-01T00:00:00Z"},
}

# what the session's token may do - each with why it moves nothing across sessions
ALLOWED = {
    "GET /api/enclave/slot": "its own slot's end",
    "GET /api/user": "who the token is (its own name and scopes)",
    "GET /api/users/SELF": "its own user model (name, activity)",
    "GET ": "redirect to /hub/",
    "GET /api/": "the hub's version",
    "GET /api/info": "versions; needs no rights beyond a token",
    "GET /": "redirects to the session's own page",
    "GET /home": "its own home page",
    "GET /token": "the page only; creating a token is refused at the API",
    "GET /login": "the log-in page",
    "GET /logout": "logs the session's own browser cookie out",
    "GET /health": "liveness", "GET /api/health": "liveness",
    "GET /error/502": "the hub's error page",
    "GET /logo": "the logo",
    "GET /webauthn.js": "the key log-in script",
    "GET /spawn": "redirects to its own running server",
    "GET /spawn/SELF": "redirects to its own running server",
    "POST /spawn/SELF": "its own server is already running: a redirect to it",
    "GET /spawn-pending/SELF": "its own server's progress page",
    "GET /user/SELF/": "redirect to its own server",
    "GET /user/SELF/api/contents": "redirect to its own server (the server decides)",
    "GET /user-redirect/api/contents": "redirect to its own server (the server decides)",
    "POST /security/csp-report": "the browser's CSP reports to the log",
    "GET /sso/start": "starts the browser's single sign-on (redirect)",
    "GET /sso/callback": "refused without the control plane's signed answer",
}
REFUSED = {400, 401, 403, 404, 405}
# the hub answering for a server's path on its own socket: "not running here", nothing done
NOT_ROUTED = 424
# JupyterHub's deprecated token-lookup API fails on a token it cannot find (nothing answered)
FAILS = {"GET /api/authorizations/token", "POST /api/authorizations/token/TOKEN_OTHER"}


def _concrete(path: str) -> str:
    return (path.replace("SELF", "ann").replace("SAME", "bob").replace("OTHER", "carl"))


def hub_requests() -> dict[str, list]:
    known = [p for p, _c in hub_routes()]
    unknown = [p for p in known if p not in HUB_PATHS]
    assert not unknown, f"hub routes the test does not know (add them to HUB_PATHS): {unknown}"
    assert not set(HUB_PATHS) - set(known), "HUB_PATHS names routes the hub no longer has"
    reqs = {}
    for pattern, cls in hub_routes():
        for path in HUB_PATHS[pattern]:
            for m in methods(cls):
                body = BODIES.get(path, {}) if m in ("POST", "PUT", "PATCH") else None
                if isinstance(body, dict):
                    body = json.loads(_concrete(json.dumps(body)))
                reqs[f"{m} {path}"] = [m, _concrete(path), body]
    return reqs


@pytest.fixture(scope="module")
def hub_probe(hub):
    reqs = hub_requests()
    res = run_json(hub.people["ann"], PROBE.read_text(), {"R5_REQS": json.dumps(reqs)})
    res["reqs"] = reqs
    return res


def test_every_hub_route_is_known_to_the_test():
    pats = {p for p, _c in hub_routes()}
    assert len(pats) >= 60
    assert set(ALLOWED) <= set(hub_requests())


def test_the_sessions_token_reaches_no_other_user_nor_more_rights(hub, hub_probe):
    routes = hub_probe["routes"]
    bad = {}
    for key, (status, location, text) in routes.items():
        if key in ALLOWED:
            assert status < 500, (key, status, text)
            for other in ("bob", "carl"):   # what the hub tells it names no one else
                assert f'"{other}"' not in text and f"/user/{other}/" not in location, (
                    key, text[:300])
            continue
        if key.startswith(("POST /user/", "PATCH /user/", "DELETE /user/", "PUT /user/")) \
                and status == NOT_ROUTED:
            continue
        if key in FAILS and status == 500:
            continue
        if status not in REFUSED and not (status == 302 and "/hub/login" in location):
            bad[key] = (status, location, text[:200])
    assert not bad, json.dumps(bad, indent=1)
    # the other users' servers still run (the kernel stopped nothing)
    for name in ("bob", "carl"):
        got = hub.people[name].hub_api("GET", f"/users/{name}").json()
        assert got["servers"][""]["ready"], name


def test_no_token_a_kernel_can_read_is_anyone_elses(hub, hub_probe):
    tokens = hub_probe["tokens"]
    own = [w for w, (s, name, _s2, is_own) in tokens.items() if is_own]
    assert own, "the session's own token was not among what the kernel reads"
    for where, (status, name, list_status, is_own) in tokens.items():
        if status == 200:
            assert name == "ann", (where, name)
            assert list_status in REFUSED or is_own, (where, list_status)
        else:
            assert status in (401, 403), (where, status)
