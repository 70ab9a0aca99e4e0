"""Runs inside a container on the deployment's internal network (a workstation in the centre):
the demo researcher logs in to the hub with password + TOTP, spawns the sandboxed session,
queries through the broker and submits a safe table from the kernel; two reviewers approve on
the internal review service; the researcher fetches the file from the release area.  Prints
one JSON line of what it saw for tests/docker/test_podman_deployment.py to check.

The kernel is reached on the session's own socket (from the shared volume), as the remote
desktop's browser inside the session would type into it - the same shortcut as
tests/test_enclave_up.py takes."""
from __future__ import annotations

import json
import os
import socket
import sys
import time

import httpx

sys.path.insert(0, "/opt/enclave")
from tests.services.hub import HubUser  # noqa: E402
from tests.services.demo_flow import KERNEL_CODE, totp_code, web_login  # noqa: E402

CA = "/var/lib/enclave/tls/ca.pem"
SOCKETS = "/var/lib/enclave/run/sock/sessions"


class _Hub:
    url = "https://hub:8000"
    opts = type("opts", (), {"port": 8000})

    def log_text(self) -> str:
        return ""


class _User(HubUser):
    inside = True  # the kernel on the session's socket, not through the proxy (remote mode)

    def _session_socket(self) -> str:
        # Every connect (kernel start, websocket, API) goes through here: on a loaded host this
        # container's view of the shared socket directory can lag behind the hub's "ready".
        path = f"{SOCKETS}/{self.name}/jupyter.sock"
        deadline = time.monotonic() + 90
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.5)
        return path

    def start_kernel(self) -> str:
        # The hub calls the server ready once its own side answers; on a loaded host this
        # container's view of the shared socket directory has lagged behind (ENOENT once in a
        # full suite).  A connect that fails never reached the server, so trying again is safe.
        deadline = time.monotonic() + 90
        while True:
            try:
                return super().start_kernel()
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)


def way_out() -> dict:
    """Whether this container has a route off its network: a default route, or a connection to
    the test's listener on this machine (HOST_PROBE, host:port; the same probe from the edge
    network connects, so a refusal here is the network's doing). Only this machine is tried."""
    with open("/proc/net/route") as f:
        default = any(line.split()[1] == "00000000" for line in list(f)[1:])
    host, port = os.environ["HOST_PROBE"].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
        reached = "connected"
    except OSError as e:
        reached = f"{type(e).__name__}: {e}"
    return {"default_route": default, "host_probe": reached}


def main() -> None:
    accounts = json.loads(os.environ["DEMO_ACCOUNTS"])
    pw = {a["username"]: a["password"] for a in accounts}
    secret = {a["username"]: a.get("totp_secret") for a in accounts}
    seen: dict = {"way_out": way_out()}

    for name, url in (("control", "https://control:8100/login"), ("review", "https://review:8201/login"),
                      ("release", "https://release:8200/login"), ("hub", "https://hub:8000/hub/login")):
        r = httpx.get(url, verify=CA, timeout=30)
        seen[f"{name}_login_status"] = r.status_code
        seen[f"{name}_hsts"] = r.headers.get("strict-transport-security", "")

    user = _User(_Hub(), "researcher", pw["researcher"])
    user.http = httpx.Client(base_url=_Hub.url, follow_redirects=False, timeout=60, verify=CA)
    # every service name resolves from /etc/hosts (compose extra_hosts): no container DNS
    seen["hub_login"] = user.login(otp=totp_code(secret["researcher"], "researcher")).status_code
    user.make_token()
    spawned = user.spawn(timeout=300)
    seen["spawn"] = spawned.status_code
    if spawned.status_code not in (201, 202):
        # no session to reach: say why (the hub's refusal) rather than fail on its socket later
        raise SystemExit(f"the hub did not start the session: {spawned.status_code} "
                         f"{spawned.text[-2000:]}\nseen so far: {json.dumps(seen)}")
    # remote mode: from the workstation the Jupyter API answers nothing but a refusal
    seen["api_from_outside"] = user.server("GET", "/api/contents/").status_code
    out = user.execute(KERNEL_CODE, timeout=300)
    seen["kernel_output"] = out[-2000:]
    if "'id': " not in out:
        raise SystemExit(f"the kernel's submission failed:\n{out[-3000:]}")
    rid = int(out.split("'id': ")[1].split(",")[0])
    seen["request_id"] = rid

    for name in ("reviewer1", "reviewer2"):
        with web_login("https://review:8201", name, pw[name], verify=CA, secret=secret[name]) as c:
            r = c.post(f"/api/requests/{rid}/reviews",
                       json={"decision": "approve", "reason": "counts of 42 and more persons"})
            seen[f"{name}_review"] = r.status_code
    with web_login("https://release:8200", "researcher", pw["researcher"], verify=CA,
                   secret=secret["researcher"]) as c:
        mine = [x for x in c.get("/api/releases").json() if x["request_id"] == rid][0]
        f = [x for x in mine["files"] if x["path"] == "by_sex.csv"][0]
        seen["release_file"] = {"id": f["id"], "body": c.get(f"/api/releases/{rid}/files/{f['id']}").text}
    print("DRIVER " + json.dumps(seen), flush=True)


if __name__ == "__main__":
    main()
