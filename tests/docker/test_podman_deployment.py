"""The container deployment, built and run for real under podman (no Docker engine exists here;
Debian's podman runs without a daemon): docker/build-images.sh makes a Debian base with
mmdebstrap and the enclave image on top; podman-compose brings docker/compose.yaml up (PostgreSQL,
init, hub with the bubblewrap sandbox, control plane, review service, release area); a driver
in a container on the internal network logs in, spawns a session, submits from the kernel,
has two reviewers approve and fetches the file (tests/docker/podman_driver.py); from this host
only the release area's published port answers, and only the release area has a way off the
internal network.

Runs by default. It is skipped only when this host's kernel refuses containers (namespaces, or
podman itself), with the refusal as the reason; missing tools fail it under CI, where
scripts/setup.sh installs them. Names resolve from /etc/hosts (fixed addresses in compose.yaml),
never through a container DNS server, which is switched off on both networks."""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.services.net import free_port

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/nhi-enclave:dev"
CONF = ROOT / "docker" / "podman" / "containers.conf"
COMPOSE = [sys.executable, "-m", "podman_compose"]  # the Python package (>= 1.6), not Debian's 1.0
SERVICES = ("db", "init", "hub", "control", "review", "release")

pytestmark = [pytest.mark.slow, pytest.mark.podman]


def _run(*argv, env=None, timeout=600, check=True) -> subprocess.CompletedProcess:
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if check and p.returncode:
        raise AssertionError(f"{' '.join(map(str, argv))} -> {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def _missing_tool() -> str:
    for tool in ("podman", "mmdebstrap", "unshare"):
        if not shutil.which(tool):
            return f"{tool} is not installed (scripts/setup.sh installs it)"
    if subprocess.run([*COMPOSE, "--version"], capture_output=True).returncode:
        return "the podman-compose Python package is not installed (pip install -e '.[test]')"
    return ""


def _kernel_refusal(env) -> str:
    """Empty when this host lets podman run containers; else the refusal, as the kernel said it."""
    ns = ["unshare", "--mount", "--net", "--pid", "--uts", "--ipc", "--fork", "true"]
    if os.geteuid() != 0:
        ns[1:1] = ["--user", "--map-root-user"]
    p = subprocess.run(ns, capture_output=True, text=True, timeout=60)
    if p.returncode:
        return f"the kernel refuses the namespaces containers need ({' '.join(ns)}): {p.stderr.strip()[-300:]}"
    p = subprocess.run(["podman", "info"], env=env, capture_output=True, text=True, timeout=120)
    return "" if p.returncode == 0 else f"podman cannot run here: {p.stderr.strip()[-300:]}"


def _free_subnet(env) -> str:
    """The first /24 of 10.213.x no podman network and no route of this host uses (ENCLAVE_NET)."""
    taken = []
    names = _run("podman", "network", "ls", "--format", "{{.Name}}", env=env).stdout.split()
    for net in json.loads(_run("podman", "network", "inspect", *names, env=env).stdout) if names else []:
        taken += [ipaddress.ip_network(s["subnet"]) for s in net.get("subnets") or []]
    for line in _run("ip", "-4", "route", "show", "table", "all", check=False).stdout.splitlines():
        dest = line.split()[0] if line.split() else ""
        if dest[:1].isdigit():
            taken.append(ipaddress.ip_network(dest, strict=False))
    for third in range(37, 256):
        cand = ipaddress.ip_network(f"10.213.{third}.0/24")
        if not any(cand.overlaps(t) for t in taken):
            return f"10.213.{third}"
    raise AssertionError("no free /24 in 10.213.0.0/16 for the compose networks")


class _Listener:
    """A TCP listener on every address of this host: what a container with a way off its
    network reaches as host.containers.internal."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                self.sock.accept()[0].close()
            except OSError:
                return

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    env = {**os.environ, "CONTAINERS_CONF": str(CONF)}
    missing = _missing_tool()
    if missing:
        if os.environ.get("CI"):  # CI runs scripts/setup.sh first: a missing tool is a fault
            pytest.fail(missing)
        pytest.skip(missing)
    refusal = _kernel_refusal(env)
    if refusal:
        pytest.skip(refusal)
    _run(str(ROOT / "docker" / "build-images.sh"), env=env, timeout=2400)
    project = f"enc{secrets.token_hex(3)}"
    port = free_port()
    env.update(POSTGRES_PASSWORD=secrets.token_urlsafe(18), ENCLAVE_DEMO="1",
               ENCLAVE_POLICY_DIR="/opt/enclave/policies/demo", ENCLAVE_RELEASE_PORT=str(port),
               ENCLAVE_IMAGE=IMAGE, ENCLAVE_NET=_free_subnet(env))
    compose = [*COMPOSE, "-p", project, "-f", str(ROOT / "docker" / "compose.yaml")]
    config = yaml.safe_load(_run(*compose, "config", env=env).stdout)
    listener = _Listener()
    try:
        _run(*compose, "up", "-d", env=env, timeout=600)
        init = f"{project}_init_1"
        code = _run("podman", "wait", init, env=env, timeout=900).stdout.strip()
        init_log = _run("podman", "logs", init, env=env)
        assert code == "0", init_log.stdout[-4000:] + init_log.stderr[-4000:]
        info = json.loads(init_log.stdout[init_log.stdout.index("{"):])
        yield {"project": project, "env": env, "port": port, "info": info, "config": config,
               "probe_port": listener.port}
    finally:
        listener.close()
        logs = tmp_path_factory.mktemp("podman-logs")
        for svc in SERVICES:
            p = subprocess.run(["podman", "logs", f"{project}_{svc}_1"], env=env, capture_output=True,
                               text=True)
            (logs / f"{svc}.log").write_text(p.stdout + p.stderr)
        subprocess.run([*compose, "down", "-v"], env=env, capture_output=True, timeout=300, cwd=ROOT)
        subprocess.run(["podman", "network", "rm", "-f", f"{project}_enclave", f"{project}_edge"],
                       env=env, capture_output=True, timeout=120)


def _wait_up(env, project, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = _run("podman", "logs", f"{project}_hub_1", env=env, check=False)
        if "JupyterHub is now running" in p.stdout + p.stderr:
            return
        time.sleep(2)
    raise AssertionError("hub did not come up:\n" + (p.stdout + p.stderr)[-4000:])


# Run inside a service container: its default route (if any) and whether the test's listener
# on this host answers (the same check as podman_driver.way_out).
_WAY_OUT = """
import json, socket
default = any(l.split()[1] == "00000000" for l in list(open("/proc/net/route"))[1:])
try:
    socket.create_connection(("host.containers.internal", PORT), timeout=5).close(); r = "connected"
except OSError as e:
    r = type(e).__name__ + ": " + str(e)
print(json.dumps({"default_route": default, "host_probe": r}))
"""


def test_no_container_dns_and_only_the_release_area_leaves_the_internal_network(deployment):
    env, project = deployment["env"], deployment["project"]
    nets = {n["name"]: n for n in json.loads(_run("podman", "network", "inspect", f"{project}_enclave",
                                                  f"{project}_edge", env=env).stdout)}
    assert nets[f"{project}_enclave"]["internal"] is True
    assert not any(n["dns_enabled"] for n in nets.values()), nets
    _wait_up(env, project)
    seen = {}
    for svc in ("db", "hub", "control", "review", "release"):
        out = _run("podman", "exec", f"{project}_{svc}_1", "python3", "-c",
                   _WAY_OUT.replace("PORT", str(deployment["probe_port"])), env=env).stdout
        seen[svc] = json.loads(out)
    # the release area (also on edge) reaches this host: the probe works, so the others'
    # refusals are their network's
    assert seen["release"] == {"default_route": True, "host_probe": "connected"}, seen
    for svc in ("db", "hub", "control", "review"):
        assert seen[svc]["default_route"] is False and seen[svc]["host_probe"] != "connected", seen


def test_only_the_release_area_is_published(deployment):
    env, project = deployment["env"], deployment["project"]
    published = {}
    for svc in ("db", "hub", "control", "review", "release"):
        out = _run("podman", "port", f"{project}_{svc}_1", env=env, check=False).stdout.strip()
        published[svc] = out
    assert published["release"].startswith("8200/tcp ->"), published
    assert not any(published[s] for s in ("db", "hub", "control", "review")), published
    # and from this host the release area speaks HTTPS with the deployment's own certificate
    mount = _run("podman", "volume", "inspect", "--format", "{{.Mountpoint}}",
                 f"{project}_enclave-data", env=env).stdout.strip()
    ca = Path(mount) / "tls" / "ca.pem"
    deadline = time.monotonic() + 180
    while True:
        try:
            r = httpx.get(f"https://localhost:{deployment['port']}/login",
                          verify=ssl.create_default_context(cafile=str(ca)), timeout=5)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "release area not answering on its published port"
            time.sleep(2)
    assert r.status_code == 200 and r.headers["strict-transport-security"].startswith("max-age=")


def test_a_request_end_to_end_across_containers(deployment):
    env, project = deployment["env"], deployment["project"]
    _wait_up(env, project)
    # a workstation in the centre: on the internal network at a fixed address, with the same
    # /etc/hosts entries as the services
    net = env["ENCLAVE_NET"]
    hosts = [a for h in deployment["config"]["services"]["hub"]["extra_hosts"] for a in ("--add-host", h)]
    p = _run("podman", "run", "--rm", "--network", f"{project}_enclave:ip={net}.30", *hosts,
             "-v", f"{project}_enclave-data:/var/lib/enclave:ro",
             "-v", f"{ROOT / 'tests'}:/opt/enclave/tests:ro",
             "-e", "DEMO_ACCOUNTS=" + json.dumps(deployment["info"]["accounts"]),
             "-e", "SSL_CERT_FILE=/var/lib/enclave/tls/ca.pem",
             "-e", f"HOST_PROBE=host.containers.internal:{deployment['probe_port']}",
             IMAGE, "python3", "/opt/enclave/tests/docker/podman_driver.py",
             env=env, timeout=900, check=False)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("DRIVER ")]
    if p.returncode or not lines:
        hub = _run("podman", "logs", f"{project}_hub_1", env=env, check=False)
        raise AssertionError(f"the driver failed:\n{p.stdout[-4000:]}{p.stderr[-6000:]}\n"
                             f"--- the hub's log (tail) ---\n{(hub.stdout + hub.stderr)[-6000:]}")
    seen = json.loads(lines[-1][len("DRIVER "):])
    # the internal network has no route out, not even to this host
    assert seen["way_out"]["default_route"] is False, seen
    assert seen["way_out"]["host_probe"] != "connected", seen
    for name in ("control", "review", "release", "hub"):
        assert seen[f"{name}_login_status"] == 200, seen
        assert seen[f"{name}_hsts"].startswith("max-age="), seen
    assert seen["hub_login"] == 302 and seen["spawn"] in (201, 202), seen
    assert seen["api_from_outside"] == 403, seen
    assert "SUBMITTED" in seen["kernel_output"] and "'verdict': 'pass'" in seen["kernel_output"], seen
    assert "PRECHECK 0 " in seen["kernel_output"], seen
    assert seen["reviewer1_review"] == 200 and seen["reviewer2_review"] == 200, seen
    body = seen["release_file"]["body"]
    assert body.splitlines()[0] == "ID_SEX,n" and "All" in body, body
