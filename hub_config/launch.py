"""Bring-up of the hub: write its runtime settings, then run ``jupyterhub`` with our config.

``run_hub`` (foreground, for ``enclave up``) and ``start_hub`` (background ``Popen``, for tests
and the benchmark) both write ``<run_dir>/hub/hub.json`` and start
``jupyterhub -f hub_config/jupyterhub_config.py`` with ``ENCLAVE_HUB_CONFIG`` pointing at it.
The hub needs root: it creates namespaces, bind mounts and per-researcher uids.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from enclave.settings import EnclaveSettings, get_settings
from hub_config.lockdown import write_system_config

CONFIG_FILE = Path(__file__).resolve().parent / "jupyterhub_config.py"


@dataclass
class HubOptions:
    port: int = 8000                # public (proxy) port on 127.0.0.1
    proxy_api_port: int = 8001
    backend: str = "local"          # local | ldap
    ldap: dict = field(default_factory=dict)  # server_uri, user_dn_template, group_search_base,
    #                                           group_filter, group_roles
    policy_dir: str = ""            # '' = $ENCLAVE_POLICY or the NHI centre policy
    egress_url: str = ""            # http+unix://… of the egress-review service
    spawner: str = "sandbox"        # sandbox | plain (benchmark baseline only)
    bind_host: str = "127.0.0.1"
    ssl_cert: str = ""              # PEM certificate (chain) and key: the proxy serves HTTPS
    ssl_key: str = ""               # (enclave/tls.py makes them; '' = plain HTTP, tests only)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def socket_root_for(settings: EnclaveSettings) -> Path:
    """Unix socket paths must be short (108 bytes) and lower-case (urlparse lower-cases the
    host part of http+unix URLs).  Use <run_dir>/sock when it qualifies, else /tmp."""
    cand = settings.run_dir / "sock"
    if str(cand) == str(cand).lower() and len(str(cand)) <= 60:
        return cand
    digest = hashlib.sha256(str(settings.home).encode()).hexdigest()[:10]
    return Path(f"/tmp/enclave-sock-{digest}")


def egress_socket_path(settings: EnclaveSettings | None = None) -> Path:
    """Where the egress-review service should also listen (``uvicorn --uds``) so sessions,
    which have no TCP at all, can reach it; its directory is bound into every sandbox."""
    p = socket_root_for(settings or get_settings()) / "egress" / "egress.sock"
    p.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(p.parent, 0o755)
    return p


def egress_url_for(settings: EnclaveSettings | None = None) -> str:
    """The ``HubOptions.egress_url`` / ``--egress-url`` matching :func:`egress_socket_path`."""
    from hub_config.spawner import unix_url

    return unix_url(str(egress_socket_path(settings)))


def prepare(settings: EnclaveSettings | None = None, opts: HubOptions | None = None) -> Path:
    """Create the hub's directories and write hub.json; returns its path."""
    settings = settings or get_settings()
    opts = opts or HubOptions()
    if opts.backend not in ("local", "ldap"):
        raise ValueError(f"HubOptions.backend: {opts.backend!r} is not 'local' or 'ldap'")
    if opts.backend == "ldap":
        missing = [k for k in ("server_uri", "user_dn_template", "group_search_base")
                   if not opts.ldap.get(k)]
        if missing:
            raise ValueError(f"HubOptions.ldap: missing {', '.join(missing)}")
    state = settings.run_dir / "hub"
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    socks = socket_root_for(settings)
    (socks / "hub").mkdir(parents=True, exist_ok=True)
    (socks / "warden").mkdir(parents=True, exist_ok=True)
    (socks / "sessions").mkdir(parents=True, exist_ok=True)
    os.chmod(socks, 0o755)
    os.chmod(socks / "hub", 0o755)
    os.chmod(socks / "warden", 0o755)  # bound into query brokers only, never into a session
    os.chmod(socks / "sessions", 0o711)  # sessions cannot list each other's socket dirs
    sandbox = settings.run_dir / "sandbox"
    sandbox.mkdir(parents=True, exist_ok=True)
    os.chmod(sandbox, 0o700)
    jupyter_etc = state / "session-jupyter"
    if jupyter_etc.exists():
        shutil.rmtree(jupyter_etc)
    write_system_config(jupyter_etc)
    settings.projects_dir.mkdir(parents=True, exist_ok=True)
    cfg = {**asdict(opts), "db_url": settings.db_url, "state_dir": str(state),
           "socket_root": str(socks), "sandbox_root": str(sandbox),
           "projects_dir": str(settings.projects_dir), "session_jupyter": str(jupyter_etc),
           "home": str(settings.home)}
    path = state / "hub.json"
    path.write_text(json.dumps(cfg, indent=1))
    os.chmod(path, 0o600)
    return path


def hub_command(config_json: Path) -> tuple[list[str], dict[str, str]]:
    jh = shutil.which("jupyterhub") or os.path.join(os.path.dirname(sys.executable), "jupyterhub")
    env = dict(os.environ, ENCLAVE_HUB_CONFIG=str(config_json))
    cfg = json.loads(config_json.read_text())
    env["ENCLAVE_HOME"] = cfg["home"]
    argv = [jh, "-f", str(CONFIG_FILE)]
    if cfg.get("ssl_cert"):  # command-line config outranks the config file (traitlets)
        argv += [f"--JupyterHub.ssl_cert={cfg['ssl_cert']}", f"--JupyterHub.ssl_key={cfg['ssl_key']}",
                 f"--JupyterHub.bind_url=https://{cfg['bind_host']}:{cfg['port']}/"]
    return argv, env


def run_hub(settings: EnclaveSettings | None = None, opts: HubOptions | None = None) -> int:
    """Run the hub in the foreground until it exits (Ctrl-C stops it and its sessions)."""
    if os.geteuid() != 0:
        raise PermissionError("the hub must run as root: it builds namespaces and drops each "
                              "session to its own uid")
    import signal

    settings = settings or get_settings()
    argv, env = hub_command(prepare(settings, opts))
    proc = subprocess.Popen(argv, env=env, cwd=str(settings.run_dir / "hub"))

    def forward(signum, _frame):  # SIGTERM/SIGINT to us: let the hub stop its sessions cleanly
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    old = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return proc.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def start_hub(settings: EnclaveSettings, opts: HubOptions, log_path: Path,
              timeout: float = 60) -> subprocess.Popen:
    """Start the hub in the background and wait until /hub/health answers through the proxy."""
    import httpx

    argv, env = hub_command(prepare(settings, opts))
    log = open(log_path, "ab")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=str(settings.run_dir / "hub"), start_new_session=True)
    url = f"http://127.0.0.1:{opts.port}/hub/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited ({proc.returncode}); see {log_path}:\n"
                               + Path(log_path).read_text()[-3000:])
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_hub(proc)
    raise RuntimeError(f"jupyterhub not healthy within {timeout}s; see {log_path}")


def stop_hub(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the hub (it stops its proxy, services and sessions), then wait."""
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    """``python -m hub_config.launch``: run the hub in the foreground (used by ``enclave up``)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m hub_config.launch",
                                 description="Run the enclave's JupyterHub (needs root).")
    ap.add_argument("--port", type=int, default=8000, help="public proxy port (127.0.0.1)")
    ap.add_argument("--proxy-api-port", type=int, default=0, help="CHP API port (0: any free)")
    ap.add_argument("--bind-host", default="127.0.0.1")
    ap.add_argument("--policy", default="", help="policy directory (default $ENCLAVE_POLICY)")
    ap.add_argument("--backend", choices=("local", "ldap"), default="local")
    ap.add_argument("--ldap-uri", default="")
    ap.add_argument("--ldap-user-dn-template", default="")
    ap.add_argument("--ldap-group-base", default="")
    ap.add_argument("--ldap-group-role", action="append", default=[], metavar="CN=ROLE",
                    help="directory group cn mapped to an enclave role (repeatable)")
    ap.add_argument("--egress-url", default="",
                    help="egress-review service for sessions: http+unix://<quoted socket path>")
    ap.add_argument("--ssl-cert", default="", help="PEM certificate the proxy serves (HTTPS)")
    ap.add_argument("--ssl-key", default="", help="its PEM private key")
    a = ap.parse_args(argv)
    if bool(a.ssl_cert) != bool(a.ssl_key):
        ap.error("give --ssl-cert and --ssl-key together")
    roles = {}
    for item in a.ldap_group_role:
        cn, sep, role = item.partition("=")
        if not sep or not cn or not role:
            ap.error(f"--ldap-group-role {item!r}: expected CN=ROLE")
        roles[cn] = role
    opts = HubOptions(port=a.port, proxy_api_port=a.proxy_api_port or free_port(),
                      bind_host=a.bind_host, backend=a.backend, policy_dir=a.policy,
                      egress_url=a.egress_url, ssl_cert=a.ssl_cert, ssl_key=a.ssl_key,
                      ldap={"server_uri": a.ldap_uri, "user_dn_template": a.ldap_user_dn_template,
                            "group_search_base": a.ldap_group_base, "group_roles": roles})
    try:
        return run_hub(get_settings(), opts)
    except (PermissionError, ValueError) as e:
        print(f"hub_config.launch: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
