"""A hub that dies (SIGKILL, crash) takes its sessions and its proxy with it (S2: fail closed).

Sessions outliving the hub would run past their slot end: the warden, which cuts sessions
off, is a hub service and dies with it, while the proxy keeps routing to the servers.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import time

from enclave.db import utcnow
from hub_config.launch import socket_root_for
from tests.services.hub import HubHarness
from tests.session.conftest import broker_pids


def _pids(match) -> list[int]:
    """Processes for which ``match(cmdline, environ)`` (raw bytes from /proc) holds."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            env = open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            continue
        if match(cmd, env):
            out.append(int(pid))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _session_pids(spec_path: str) -> list[int]:
    """Sandbox launchers and the processes they started for this session's spec file."""
    return _pids(lambda cmd, env: b"hub_config.sandbox" in cmd and spec_path.encode() in cmd)


def _server_pids(name: str) -> list[int]:
    """Single-user servers of ``name`` (their cmdline names the user's unix socket)."""
    # the server itself (hub_config.session_server wraps jupyterhub.singleuser), not the bwrap
    # and setpriv that start it inside the sandbox
    return _pids(lambda cmd, env: (b"hub_config.session_server" in cmd or b"jupyterhub.singleuser" in cmd)
                 and os.path.basename(cmd.split(b"\0")[0]).startswith(b"python")
                 and b"hub_config.sandbox" not in cmd and f"/sessions/{name}/".encode() in cmd)


def _warden_pids(socket_root: str) -> list[int]:
    return _pids(lambda cmd, env: b"hub_config.warden" in cmd
                 and f"ENCLAVE_WARDEN_SOCKET={socket_root}".encode() in env)


def test_sessions_end_when_the_hub_is_killed():
    h = HubHarness()
    now = utcnow()
    h.add_user("gina")
    h.add_case("K1", ["gina"], tables={"t": [{"x": 1}]})
    h.add_booking("gina", "K1", now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))
    h.start()
    hub_pid = h.proc.pid
    try:
        gina = h.user("gina")
        assert gina.login().status_code == 302
        gina.make_token()
        gina.spawn()
        spec = str(h.settings.run_dir)  # every launcher's spec file lives under the run dir
        socks = str(socket_root_for(h.settings))
        assert _warden_pids(socks), "the hub's warden service should be running"
        assert _server_pids("gina"), "the session server should be running"
        assert broker_pids("/broker/gina/"), "the session's query broker should be running"
        assert _session_pids(spec)
        proxy_pid = int((h.settings.run_dir / "hub" / "proxy.pid").read_text())
        assert _alive(proxy_pid)
        os.kill(hub_pid, signal.SIGKILL)  # no clean shutdown: no chance to stop servers
        h.proc.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (_server_pids("gina") or broker_pids("/broker/gina/")
                                               or _session_pids(spec) or _warden_pids(socks)
                                               or _alive(proxy_pid)):
            time.sleep(0.5)
        assert _server_pids("gina") == []
        assert broker_pids("/broker/gina/") == []
        assert _session_pids(spec) == []
        assert _warden_pids(socks) == []  # no warden sweeping a dead hub
        assert not _alive(proxy_pid), "the proxy must not keep serving the port of a dead hub"
    finally:
        try:  # the proxy and services were in the hub's process group
            os.killpg(hub_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # the proxy runs in a session of its own; if the test failed, no leftovers
        pidfile = h.settings.run_dir / "hub" / "proxy.pid"
        leftovers = [int(pidfile.read_text())] if pidfile.exists() else []
        leftovers += _session_pids(str(h.settings.run_dir))
        leftovers += _warden_pids(str(socket_root_for(h.settings)))
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        h.stop()
