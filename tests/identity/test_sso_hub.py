"""Single sign-on into the real JupyterHub over HTTP (#15): the hub's own handlers
(``/hub/sso/start``, ``/hub/sso/callback``) and its ``refresh_user``/logout, against a control
plane under uvicorn.  A replayed code, a code pushed into another browser (no state), a forged
state and a review service's code are refused; logging out on the hub ends the control-plane
log-in; logging out on the control plane ends the hub's at its next check."""
from __future__ import annotations

import os
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from enclave.db import session_scope
from tests.control.conftest import load
from tests.identity.helpers import csrf_token, enrol_totp, form_login, serve
from tests.services.hub import PASSWORD, HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")
REFRESH = 5


@pytest.fixture
def world(monkeypatch):
    from enclave.web.app import create_app
    from policies import load_policy

    hub = HubHarness(sessions_yaml=f"auth_refresh_seconds: {REFRESH}\n")
    hub.add_user("hank", roles=("admin", "reviewer"))
    with session_scope(hub.db_url) as db:
        totp = enrol_totp(db, load(db, "hank"))
    app = create_app(hub.db_url, load_policy(hub.opts.policy_dir))
    try:
        with serve(app) as control:
            app.state.sso_callbacks = {"hub": [hub.url], "review": ["http://review.example"]}
            monkeypatch.setenv("ENCLAVE_SSO_URL", control)
            hub.start()
            c = httpx.Client(base_url=control, timeout=30)
            r = form_login(c, control, "hank", PASSWORD, totp.now())
            assert r.status_code == 303, r.text
            yield hub, control, c
            c.close()
    finally:
        hub.stop()


def _hub_client(hub) -> httpx.Client:
    return httpx.Client(base_url=hub.url, timeout=60)


def _code(hub_client: httpx.Client, control: httpx.Client) -> str:
    r = hub_client.get("/hub/sso/start")
    assert r.status_code == 302, r.text
    r = control.get(r.headers["location"])
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _signed_in(h: httpx.Client) -> bool:
    r = h.get("/hub/home")
    return r.status_code == 200


def test_hub_sso_refusals_and_single_logout(world):
    hub, control, c = world
    h = _hub_client(hub)
    cb = _code(h, c)
    assert cb.startswith(hub.url + "/hub/sso/callback?code=")
    r = h.get(cb)
    assert r.status_code == 302 and "/hub/login" not in r.headers["location"], r.text
    assert _signed_in(h)
    # the same code again (the browser's state restored): refused
    h2 = _hub_client(hub)
    h2.get("/hub/sso/start")
    state = parse_qs(urlsplit(cb).query)["state"][0]
    h2.cookies.set("enclave_sso_state", state, path="/hub/sso/")
    r = h2.get(cb)
    assert r.status_code == 403 and "already used" in r.text
    # someone else's code in a browser without its state; a forged state in the address
    victim = _hub_client(hub)
    r = victim.get(_code(h2, c))
    assert r.status_code == 403 and "state value" in r.text and not _signed_in(victim)
    cb3 = _code(h2, c)
    code3 = parse_qs(urlsplit(cb3).query)["code"][0]
    r = h2.get(f"/hub/sso/callback?code={code3}&state=forged-state-value-000")
    assert r.status_code == 403 and "state value" in r.text and not _signed_in(h2)
    # a code and its state copied from a callback address, posted to the hub's login form
    leaked = _code(h2, c)
    q = parse_qs(urlsplit(leaked).query)
    thief = _hub_client(hub)
    thief.get("/hub/login")
    xsrf = thief.cookies.get("_xsrf", path="/hub/") or thief.cookies.get("_xsrf") or ""
    r = thief.post("/hub/login", data={"username": "hank", "password": "", "_xsrf": xsrf, "sso_code": q["code"][0],
                                       "sso_state": q["state"][0], "sso_callback": hub.url + "/hub/sso/callback"})
    assert r.status_code == 403 and "callback address only" in r.text and not _signed_in(thief)
    thief.close()
    # a code for another front end presented at the hub
    r = h2.get("/hub/sso/start")
    hub_state = parse_qs(urlsplit(r.headers["location"]).query)["state"][0]
    r = c.get("/sso/authorize", params={"front_end": "review", "state": hub_state,
                                        "redirect_uri": "http://review.example/sso/callback"})
    other = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    r = h2.get(f"/hub/sso/callback?code={other}&state={hub_state}")
    assert r.status_code == 403 and "another front end" in r.text and not _signed_in(h2)
    # the hub's logout ends the control plane's log-in (and every front end's)
    assert c.get("/accounts").status_code == 200
    h.get("/hub/logout")
    assert c.get("/accounts").status_code == 303
    for x in (h, h2, victim):
        x.close()


def test_control_plane_logout_ends_the_hub_log_in(world):
    hub, control, c = world
    h = _hub_client(hub)
    assert h.get(_code(h, c)).status_code == 302 and _signed_in(h)
    r = c.post("/logout", data={"csrf_token": csrf_token(c.cookies.get("enclave_session"))},
               headers={"origin": control})
    assert r.status_code == 303
    time.sleep(REFRESH + 1)   # the hub's next re-check of the log-in
    assert not _signed_in(h)
    h.close()
