"""``enclave up``: bring the whole enclave up with working defaults.

Steps, each idempotent so ``up`` can be re-run: migrate the state DB → master key → synthetic
source files loaded as a warehouse release → demo people, case and booking → the demo case's
extract → TLS certificates (a local CA on first start, or the operator's: enclave/tls.py) →
start the hub, the control-plane web app and the egress-review service, every one on HTTPS
(plain HTTP only on the unix sockets inside the host), and keep them running until Ctrl-C (or
return at once with ``--no-serve``).
"""
from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field

import typer

from enclave.cli.output import JSON_HELP, console, emit_json


@dataclass
class Service:
    name: str
    argv: list[str]
    url: str
    proc: subprocess.Popen | None = field(default=None, repr=False)


def _wait_http(url: str, timeout: float = 60.0, verify: ssl.SSLContext | bool = True) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # < 400, not < 500: the hub's proxy answers 404 before the hub has added its route
            if httpx.get(url, timeout=2.0, follow_redirects=False, verify=verify).status_code < 400:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def prepare(*, rows: int, now=None) -> dict:
    """Everything but the servers; returns what a person needs to log in."""
    import datetime as dt

    from datasets.demo import build_demo_release
    from enclave.extracts import build_case_extract
    from deidentify.keys import create_master_key
    from enclave.db import upgrade
    from enclave.demo import seed_demo
    from enclave.settings import get_settings
    from policies import current_policy

    settings = get_settings()
    policy = current_policy()
    now = now or dt.datetime.now(dt.timezone.utc)
    console.print(f"[bold]policy[/] {policy.name}{' (DEMO: open round the clock)' if policy.demo else ''}")
    upgrade(settings.db_url)
    console.print(f"[bold]state database[/] {settings.db_url}")
    key = settings.keys_dir / "master.key"
    if not key.exists():
        create_master_key(key)
        console.print(f"[bold]master key[/] created at {key} (keep it outside the data)")
    release = build_demo_release(settings, rows=rows)
    console.print(f"[bold]warehouse release[/] {release}")
    demo = seed_demo(settings.db_url, policy, now=now)
    extract = settings.projects_dir / demo["case_code"] / "data"
    if extract.exists():  # an extract is built once per approved spec; re-running up keeps it
        console.print(f"[bold]demo case[/] {demo['case_code']} extract already at {extract}")
    else:
        # the demo set is synthetic: its small birthday/sex classes are published with this
        # recorded reason, as a steward would have to record one for real data (D3)
        extract = build_case_extract(demo["case_code"], settings=settings, policy=policy, actor="demo",
                                     k_override="demo: synthetic data set, no real persons",
                                     now=now).path
        console.print(f"[bold]demo case[/] {demo['case_code']} extract at {extract}")
    return {"release": str(release), "extract": str(extract), **demo}


def hub_api_socket_url() -> str:
    """The hub's own API on its unix socket (jupyterhub_config.py: <socket root>/hub/hub.sock),
    so services inside the host check hub tokens without TCP."""
    from hub_config.launch import socket_root_for
    from hub_config.spawner import unix_url

    from enclave.settings import get_settings

    return unix_url(str(socket_root_for(get_settings()) / "hub" / "hub.sock"), "/hub/api")


def services(host: str, ports: dict[str, int], certs) -> list[Service]:
    """The processes of a one-host enclave, each front end on HTTPS with ``certs``.

    The egress-review service runs twice: its *internal* side (reviewer pages, request API,
    import review) on a loopback port and on the unix socket that sessions see, and its
    *external* side (log-in and the release area only) on the port that faces outside.
    """
    from hub_config.launch import egress_socket_path, egress_url_for

    py = sys.executable
    tls = ["--ssl-certfile", str(certs.cert), "--ssl-keyfile", str(certs.key)]
    return [
        Service("control plane", [py, "-m", "uvicorn", "--factory", "enclave.web.app:create_app",
                                  "--host", host, "--port", str(ports["control"]), *tls],
                f"https://{host}:{ports['control']}/"),
        Service("egress review (internal)",
                [py, "-m", "egress_review.serve", "--mode", "internal", "--host", host,
                 "--port", str(ports["review"]), "--uds", str(egress_socket_path()),
                 "--hub-api-url", hub_api_socket_url(), *tls],
                f"https://{host}:{ports['review']}/"),
        Service("release area (external)",
                [py, "-m", "egress_review.serve", "--mode", "external", "--host", host,
                 "--port", str(ports["egress"]), *tls],
                f"https://{host}:{ports['egress']}/"),
        Service("jupyterhub", [py, "-m", "hub_config.launch", "--port", str(ports["hub"]),
                               "--bind-host", host, "--egress-url", egress_url_for(),
                               "--ssl-cert", str(certs.cert), "--ssl-key", str(certs.key)],
                f"https://{host}:{ports['hub']}/hub/login"),
    ]


def tls_hosts(host: str) -> list[str]:
    """The names the front ends' certificate covers: the listen address plus
    ``$ENCLAVE_TLS_HOSTS`` (comma-separated; the service names of a container deployment)."""
    extra = [h.strip() for h in os.environ.get("ENCLAVE_TLS_HOSTS", "").split(",") if h.strip()]
    return [host, *extra]


ROLES = {"control": "control plane", "review": "egress review (internal)",
         "release": "release area (external)", "hub": "jupyterhub"}


def serve(
    role: str = typer.Argument(..., help="control | review | release | hub"),
    host: str = typer.Option("0.0.0.0", help="Address to listen on."),
    hub_port: int = typer.Option(8000), control_port: int = typer.Option(8100),
    egress_port: int = typer.Option(8200), review_port: int = typer.Option(8201),
):
    """Run one front end of an enclave that ``up --no-serve`` (or a deployment's init step)
    prepared: one process per container in a container deployment (docker/compose.yaml)."""
    from enclave.tls import TLSError, ensure_certificates

    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    try:
        certs = ensure_certificates(hosts=tls_hosts(host))
    except TLSError as e:
        raise typer.Exit(f"TLS: {e}")
    ports = {"hub": hub_port, "control": control_port, "egress": egress_port, "review": review_port}
    svc = next(s for s in services(host, ports, certs) if s.name == ROLES[role])
    os.environ["SSL_CERT_FILE"] = str(certs.bundle)
    os.execv(svc.argv[0], svc.argv)  # the service is this container's process (signals reach it)


def up(
    rows: int = typer.Option(20_000, help="Synthetic claim rows for the demo data set."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the services and wait."),
    host: str = typer.Option("127.0.0.1", help="Address the services listen on."),
    hub_port: int = typer.Option(8000), control_port: int = typer.Option(8100),
    egress_port: int = typer.Option(8200, help="Release area (the only outward-facing service)."),
    review_port: int = typer.Option(8201, help="Egress reviewers' pages (internal)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Bring the enclave up: state DB, synthetic data, demo project, TLS, hub and web services."""
    from enclave.tls import TLSError, ensure_certificates

    info = prepare(rows=rows)
    try:
        certs = ensure_certificates(hosts=tls_hosts(host))
    except TLSError as e:
        raise typer.Exit(f"TLS: {e}")
    ports = {"hub": hub_port, "control": control_port, "egress": egress_port, "review": review_port}
    info["urls"] = {"hub": f"https://{host}:{hub_port}/", "control": f"https://{host}:{control_port}/",
                    "review": f"https://{host}:{review_port}/", "release": f"https://{host}:{egress_port}/"}
    info["tls"] = {"ca": str(certs.ca), "certificate": str(certs.cert), "generated": certs.generated}
    if as_json:
        emit_json(info)
    else:
        console.print("[bold green]demo accounts[/] (demo passwords; change them for anything real):")
        for acct in info.get("accounts", []):
            totp = f"  TOTP secret {acct['totp_secret']}" if acct.get("totp_secret") else ""
            console.print(f"  {acct['role']:<11} {acct['username']:<12} {acct['password']}{totp}",
                          soft_wrap=True)
        if any(a.get("totp_secret") for a in info.get("accounts", [])):
            console.print("[bold]second factor[/] staff accounts also give a 6-digit code: add the TOTP "
                          "secret to an authenticator app, or print the current code with "
                          "python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"", soft_wrap=True)
        for name, url in info["urls"].items():
            console.print(f"  {name:<8} {url}", soft_wrap=True)
        console.print("[bold]TLS[/] every front end is HTTPS; trust this CA in your browser "
                      "(or: curl --cacert <CA> …):")
        console.print(f"  CA       {certs.ca}", soft_wrap=True)
    if not serve:
        return
    running: list[Service] = []
    # children (and what they call over HTTPS) trust the enclave's CA as well as the public roots
    env = dict(os.environ, SSL_CERT_FILE=str(certs.bundle))

    def _stop(signum, frame):  # SIGTERM (systemd, timeout, kill) stops the children too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        for svc in services(host, ports, certs):
            svc.proc = subprocess.Popen(svc.argv, env=env)
            running.append(svc)
            if not _wait_http(svc.url, verify=ssl.create_default_context(cafile=str(certs.ca))):
                raise typer.Exit(f"{svc.name} did not answer at {svc.url}")
            console.print(f"[green]up[/] {svc.name} at {svc.url}")
        console.print("enclave is up; Ctrl-C stops it")
        while all(s.proc.poll() is None for s in running):
            time.sleep(1)
        dead = [s.name for s in running if s.proc.poll() is not None]
        raise typer.Exit(f"service stopped unexpectedly: {', '.join(dead)}")
    except KeyboardInterrupt:
        pass
    finally:
        for s in reversed(running):
            if s.proc and s.proc.poll() is None:
                s.proc.send_signal(signal.SIGTERM)
        for s in running:
            if s.proc:
                try:
                    s.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
