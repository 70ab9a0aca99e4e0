"""The README's bring-up command, end to end, with every real part: ``enclave up`` (synthetic
data, demo case, hub + proxy + sandbox + query broker, control plane, internal review service,
external release area); the demo researcher logs in during the demo booking, queries through the
broker, builds a safe table and submits it from the kernel; two reviewers approve on the internal
service; the researcher downloads the file from the external release area; SIGTERM stops all."""
from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import certifi
import httpx
import pytest

from tests.services.demo_flow import KERNEL_CODE, printed_secrets, totp_code, web_login
from tests.services.hub import HubUser
from tests.services.net import end_group, free_port

ROOT = Path(__file__).resolve().parents[1]


class _Hub:  # what HubUser needs of a hub
    def __init__(self, port: int, log: Path) -> None:
        self.url = f"https://127.0.0.1:{port}"
        self.opts = type("opts", (), {"port": port})
        self._log = log

    def log_text(self) -> str:
        return self._log.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the hub builds namespaces: it must run as root")
def test_enclave_up_whole_flow(tmp_path, monkeypatch):
    ports = {k: free_port() for k in ("hub", "control", "egress", "review")}
    env = {**os.environ, "ENCLAVE_HOME": str(tmp_path / "var"),
           "ENCLAVE_POLICY": str(ROOT / "policies" / "demo")}
    env.pop("ENCLAVE_DB_URL", None)
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "enclave.cli.main", "up", "--rows", "3000",
             "--hub-port", str(ports["hub"]), "--control-port", str(ports["control"]),
             "--egress-port", str(ports["egress"]), "--review-port", str(ports["review"])],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 400
        while "enclave is up" not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-4000:]
            assert time.monotonic() < deadline, "enclave up did not come up"
            time.sleep(1)

        # every front end speaks HTTPS only, with a certificate from the CA that up made and
        # printed; HSTS on each; nothing answers plain HTTP on those ports
        ca = tmp_path / "var" / "tls" / "ca.pem"
        trusting = ssl.create_default_context(cafile=str(ca))
        up_log = log.read_text(errors="replace")
        assert str(ca) in up_log  # up tells people which CA to trust
        for port in ports.values():
            assert f"https://127.0.0.1:{port}/" in up_log and f"http://127.0.0.1:{port}" not in up_log
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the hub client and its websocket trust it too
        untrusting = ssl.create_default_context(cafile=certifi.where())
        for name, port in ports.items():
            path = "/hub/login" if name == "hub" else "/login"
            r = httpx.get(f"https://127.0.0.1:{port}{path}", verify=trusting, timeout=30)
            assert r.status_code == 200, (name, r.status_code)
            assert r.headers.get("strict-transport-security", "").startswith("max-age="), (name, r.headers)
            with pytest.raises(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            with pytest.raises(httpx.ConnectError):  # not trusted by anyone who has not the CA
                httpx.get(f"https://127.0.0.1:{port}{path}", verify=untrusting, timeout=10)

        # staff and the PI (the demo case's officer) log in with a TOTP code (A4): up printed
        # each secret beside the password
        secrets = printed_secrets(up_log)
        assert {"admin", "reviewer1", "reviewer2", "steward", "researcher"} <= set(secrets), up_log[-3000:]
        with httpx.Client(base_url=f"https://127.0.0.1:{ports['review']}", verify=trusting, timeout=60) as c:
            r = c.post("/login", data={"username": "reviewer1", "password": "Enclave-Demo-V1!", "next": "/"})
            assert r.status_code not in (200, 303) or "enclave_session" not in c.cookies, \
                "a reviewer logged in without the second factor"

        # researcher: log in inside the demo booking, spawn the sandboxed server, work, submit
        researcher = HubUser(_Hub(ports["hub"], log), "researcher", "Enclave-Demo-P1!")
        assert researcher.login(otp=totp_code(secrets["researcher"], "researcher")).status_code == 302
        researcher.make_token()
        assert researcher.spawn(timeout=180).status_code in (201, 202)
        out = researcher.execute(KERNEL_CODE, timeout=240)
        assert "SUBMITTED" in out and "'verdict': 'pass'" in out, out
        # the README's pre-check works inside the session and agrees (#16)
        assert "PRECHECK 0 " in out, out
        rid = int(out.split("'id': ")[1].split(",")[0])

        # the query went through the broker into the audit log, with its purpose (A3)
        from enclave.audit.models import AuditRecord
        from enclave.db import session_scope
        from sqlalchemy import select

        with session_scope(f"sqlite:///{tmp_path / 'var' / 'state.db'}") as db:
            recs = db.execute(select(AuditRecord).where(AuditRecord.actor == "researcher")).scalars().all()
            queries = [r for r in recs if r.action == "session.query"]
            assert any("H_NHI_OPDTE" in f"{r.subject} {r.detail}" and "diabetes" in (r.reason or "")
                       and r.case_code == "C2026-0001" for r in queries), \
                [(r.subject, r.reason, r.detail) for r in queries]

        # two reviewers approve on the internal service (E4)
        review = f"https://127.0.0.1:{ports['review']}"
        for name, pw in (("reviewer1", "Enclave-Demo-V1!"), ("reviewer2", "Enclave-Demo-V2!")):
            with web_login(review, name, pw, verify=trusting, secret=secrets[name]) as c:
                r = c.post(f"/api/requests/{rid}/reviews",
                           json={"decision": "approve", "reason": "counts of 42 and more persons"})
                assert r.status_code == 200, r.text
        # the review API is not on the outside host
        release = f"https://127.0.0.1:{ports['egress']}"
        with web_login(release, "reviewer1", "Enclave-Demo-V1!", verify=trusting, secret=secrets["reviewer1"]) as c:
            assert c.post(f"/api/requests/{rid}/reviews", json={"decision": "approve",
                                                               "reason": "x"}).status_code == 404
        # the researcher downloads the approved file from outside (O2)
        with web_login(release, "researcher", "Enclave-Demo-P1!", verify=trusting,
                       secret=secrets["researcher"]) as c:
            rel = c.get("/api/releases").json()
            mine = [x for x in rel if x["request_id"] == rid][0]
            f = [x for x in mine["files"] if x["path"] == "by_sex.csv"][0]
            body = c.get(f"/api/releases/{rid}/files/{f['id']}").text
            assert body.splitlines()[0] == "ID_SEX,n" and "All" in body
            assert not any(x["path"].endswith(".provenance.json") for x in mine["files"])
    finally:
        end_group(proc, timeout=60, must_exit=True)
    # children ended by SIGTERM forwarding / PDEATHSIG may still be exiting: a short grace
    deadline = time.monotonic() + 15
    while True:
        leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout
        if not leftovers.strip() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert leftovers.strip() == "", f"processes left running: {leftovers}"


def test_a_service_is_not_up_while_its_proxy_answers_404():
    """Before the hub adds its route, the proxy in front of it already answers, with 404;
    ``enclave up`` must not report the hub up (and then hand out a login page that is 404)."""
    import http.server
    import threading

    from enclave.cli.up import _wait_http

    status = {"code": 404}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/hub/login"
        assert _wait_http(url, timeout=1.5) is False
        status["code"] = 200
        assert _wait_http(url, timeout=5) is True
    finally:
        srv.shutdown()
