"""A researcher submits from a session with the JupyterHub API token: a real JupyterHub (dummy
authenticator, real configurable-http-proxy) vouches for the token, the egress service maps the
hub user to the enclave account."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest

from egress_review.client import EgressClient, EgressClientError
from tests.egress_workflow.conftest import COUNTS_OK, home_with_world, make_world, manifest
from tests.services.net import end_group, free_port

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("configurable-http-proxy") is None,
                                 reason="configurable-http-proxy (npm) is not installed")]


@pytest.fixture
def hub(tmp_path):
    d = tmp_path / "hub"
    d.mkdir()
    token = secrets.token_hex(32)
    port, hub_port = free_port(), free_port()
    (d / "jupyterhub_config.py").write_text(f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{d / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{d / 'cookie_secret'}"
c.JupyterHub.pid_file = "{d / 'hub.pid'}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.services = [{{"name": "egress-test", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "egress-test", "scopes": ["admin:users", "tokens"],
                             "services": ["egress-test"]}}]
""")
    log = (d / "hub.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(d / "jupyterhub_config.py")],
                            cwd=d, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{hub_port}/hub/api"
    admin = {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(api + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((d / "hub.log").read_text()[-3000:])
            time.sleep(0.3)

        def user_token(name: str) -> str:
            httpx.post(f"{api}/users/{name}", headers=admin, timeout=10)
            r = httpx.post(f"{api}/users/{name}/tokens", headers=admin, json={"note": "session"}, timeout=10)
            r.raise_for_status()
            return r.json()["token"]

        yield api, user_token
    finally:
        end_group(proc)


class Served:
    """``python -m egress_review.serve`` as ``enclave up`` runs it: the internal app on TCP and
    the session-facing app on the sessions' unix socket, one process."""

    def __init__(self, home, db_url, api, uds, mode: str = "internal"):
        from urllib.parse import quote

        self.port = free_port()
        self.uds = uds
        self.session_url = f"http+unix://{quote(str(uds), safe='')}"
        self.tcp_url = f"http://127.0.0.1:{self.port}"
        if mode == "session":  # the session app on TCP (Kubernetes); no unix socket
            self.session_url = self.tcp_url
        env = {k: v for k, v in os.environ.items() if not k.startswith("EGRESS_")}
        from enclave.settings import get_settings

        # the audit chain make_world began is keyed with this process's master key
        env.update(ENCLAVE_HOME=str(home), ENCLAVE_DB_URL=db_url, ENCLAVE_KEYS=str(get_settings().keys_dir))
        self.log = (home / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "egress_review.serve", "--mode", mode, "--port",
             str(self.port), *(["--uds", str(uds)] if mode != "session" else []),
             "--hub-api-url", api],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        from enclave.core.http import Client, WireError

        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(self.session_url, timeout=2) as c1:
                    if c1.get("/api/health").status_code == 200 and \
                            httpx.get(self.tcp_url + "/api/health", timeout=2).status_code == 200:
                        return
            except (WireError, httpx.HTTPError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "serve.log").read_text()[-3000:])
            time.sleep(0.3)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.mark.parametrize("mode", ["internal", "session"])
def test_session_submits_with_its_hub_token(hub, tmp_path, monkeypatch, mode):
    """internal: the service as one host runs it (sessions on its unix socket, reviewers on
    TCP); session: the session app alone on TCP, as a cluster runs it - the same guarantees."""
    api, user_token = hub
    home, url, _ = home_with_world(tmp_path)
    # As in a session: the egress service is reached over a unix socket (the sandbox has no TCP).
    svc = Served(home, url, api, tmp_path / "egress.sock", mode=mode)
    try:
        out = tmp_path / "out"
        out.mkdir()
        (out / "counts.csv").write_bytes(COUNTS_OK)
        alice = user_token("alice")
        # Inside the session: EGRESS_REVIEW_URL and JUPYTERHUB_API_TOKEN are in the environment.
        monkeypatch.setenv("EGRESS_REVIEW_URL", svc.session_url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", alice)
        monkeypatch.delenv("EGRESS_URL", raising=False)
        with EgressClient() as c:
            assert c.scheme == "token"
            assert c.precheck(manifest(), root=out)["verdict"] == "pass"
            sub = c.submit(manifest(), root=out)
            assert sub["state"] == "checked"
            assert [r["id"] for r in c.requests()] == [sub["id"]]
            st = c.status(sub["id"])
            assert st["requester"] == "alice"
            # Inside the session the requester sees the full, unreviewed request.
            assert st["redacted"] is False and st["files"][0]["path"] == "counts.csv"
            assert st["check_result"]["verdict"] == "pass"
        # A token the hub does not know is refused.
        with EgressClient(svc.session_url, "0" * 32, scheme="token") as c, \
                pytest.raises(EgressClientError) as e:
            c.requests()
        assert e.value.status == 401
        # A hub user without an enclave account is refused.
        with EgressClient(svc.session_url, user_token("stranger"), scheme="token") as c, \
                pytest.raises(EgressClientError) as e:
            c.requests()
        assert e.value.status == 403 and "stranger" in str(e.value.detail)

        # Issue 12: a hub token minted OUTSIDE the sandbox (the researcher's browser) is no
        # way to the unreviewed request on the internal service: refused there outright.
        for path in (("/api/requests", f"/api/requests/{sub['id']}", "/api/me")
                     if mode == "internal" else ()):
            r = httpx.get(svc.tcp_url + path, headers={"Authorization": f"token {alice}"})
            assert r.status_code == 401, (path, r.status_code, r.text[:200])
            assert "counts.csv" not in r.text

        # The session socket serves submission and the session's own requests - never the
        # reviewer app, its API, log-in, import review or the release area.
        from enclave.core.http import Client

        hdr = {"Authorization": f"token {alice}"}
        carol = {"Authorization": f"token {user_token('carol')}"}  # a reviewer in a session
        with Client(svc.session_url, timeout=10) as s:
            for method, path in [("GET", "/login"), ("POST", "/login"), ("GET", "/"),
                                 ("GET", "/requests"), ("GET", f"/requests/{sub['id']}"),
                                 ("GET", "/static/app.css"), ("GET", "/docs"),
                                 ("GET", "/openapi.json"), ("GET", "/api/imports"),
                                 ("GET", "/api/releases"), ("GET", "/downloads"),
                                 ("POST", f"/api/requests/{sub['id']}/reviews"),
                                 ("GET", f"/api/requests/{sub['id']}/files/1"),
                                 ("POST", f"/api/requests/{sub['id']}/comments")]:
                r = s.request(method, path, headers=hdr)
                assert r.status_code in (404, 405), (method, path, r.status_code)
            # only hub tokens: no enclave Bearer token, no cookie log-in on this socket
            r = s.get("/api/requests", headers={"Authorization": "Bearer " + "x" * 40})
            assert r.status_code == 401
            # a reviewer's own session sees its own requests only, not the review queue
            r = s.get("/api/requests", headers=carol)
            assert r.status_code == 200 and r.json() == []
            assert s.get(f"/api/requests/{sub['id']}", headers=carol).status_code == 404
    finally:
        svc.stop()
