"""The sandbox spawner: one single-user server per booked session, inside its own namespaces.

The server listens on a unix socket in a per-user directory (the only thing the proxy can
reach); the hub API and the warden are reached over unix sockets bound read-only into the
sandbox.  ``start`` refuses unless the pre-spawn hook found an active booking for this user.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from subprocess import Popen
from urllib.parse import quote

from jupyterhub.spawner import LocalProcessSpawner
from tornado import web
from traitlets import Dict, Unicode

PROJECT_PACKAGES = ("enclave", "policies", "hub_config")
SESSION_JUPYTER_CONFIG = "/opt/enclave/jupyter"


def unix_url(sock: str, path: str = "") -> str:
    return f"http+unix://{quote(sock, safe='')}{path}"


def python_prefix() -> str:
    return os.path.realpath(sys.base_prefix)


def package_dirs() -> dict[str, str]:
    import importlib

    out = {}
    for name in PROJECT_PACKAGES:
        mod = importlib.import_module(name)
        out[name] = os.path.dirname(os.path.realpath(mod.__file__))
    return out


class EnclaveSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose process is ``hub_config.sandbox`` wrapping the server."""

    projects_dir = Unicode(config=True, help="Root of the case extracts: <dir>/<case>/data.")
    socket_root = Unicode(config=True, help="Short, lower-case dir for all unix sockets.")
    sandbox_root = Unicode(config=True, help="Where sandbox specs and root mountpoints live.")
    system_config_dir = Unicode(config=True, help="Read-only Jupyter config for sessions.")
    egress_url = Unicode("", config=True, help="EGRESS_URL given to sessions (http+unix://…).")
    limits = Dict(config=True, help="memory_mb, cpu_percent, max_processes from the policy.")
    id_bases = Dict(config=True, help="uid_base and gid_base from the policy.")

    # set by the pre-spawn hook (hub_config.auth.booking_pre_spawn_hook)
    enclave: dict | None = None

    def user_env(self, env):
        env["USER"] = self.user.name
        env["HOME"] = f"/home/{self.user.name}"
        env["SHELL"] = "/bin/sh"
        return env

    @property
    def session_dir(self) -> Path:
        return Path(self.socket_root) / "sessions" / self.user.name

    @property
    def socket_path(self) -> str:
        return str(self.session_dir / "jupyter.sock")

    def get_env(self):
        env = super().get_env()
        base_url = self.server.base_url if self.server else "/"
        env["JUPYTERHUB_SERVICE_URL"] = unix_url(self.socket_path, base_url)
        env["PATH"] = f"{python_prefix()}/bin:/usr/local/bin:/usr/bin:/bin"
        env["JUPYTER_CONFIG_PATH"] = SESSION_JUPYTER_CONFIG
        env["PYTHONNOUSERSITE"] = "1"  # P11: only the approved, read-only system packages
        env["JUPYTER_RUNTIME_DIR"] = "/tmp/jupyter-runtime"
        env["MPLCONFIGDIR"] = "/tmp/matplotlib"
        if self.enclave:
            env["ENCLAVE_CASE"] = self.enclave["case_code"]
            env["ENCLAVE_CASE_DATA"] = "/case/data"
            env["ENCLAVE_WORKSPACE"] = "/workspace"
            env["ENCLAVE_WARDEN_URL"] = unix_url(str(Path(self.socket_root) / "hub" /
                                                     "warden.sock"))
            env["ENCLAVE_PURPOSE_MIN_LENGTH"] = str(self.enclave.get("purpose_min_length", 10))
        if self.egress_url:
            env["EGRESS_URL"] = self.egress_url
            env["EGRESS_REVIEW_URL"] = self.egress_url  # name used by egress_review.client
        return env

    def get_args(self):
        # The singleuser extension only reads host/port from JUPYTERHUB_SERVICE_URL; the unix
        # socket must be given to the server itself.  0600: only the session uid (and root:
        # hub and proxy) can connect.
        return [*super().get_args(), f"--ServerApp.sock={self.socket_path}",
                "--ServerApp.sock_mode=0600"]

    def make_preexec_fn(self, name):
        return None  # the launcher drops privileges itself, after building the sandbox

    def _spec(self) -> dict:
        info = self.enclave
        return build_spec(
            name=self.user.name, uid=int(self.id_bases["uid_base"]) + int(info["user_id"]),
            gid=int(self.id_bases["gid_base"]) + int(info["case_id"]),
            case_code=info["case_code"], projects_dir=Path(self.projects_dir),
            socket_root=Path(self.socket_root), sandbox_root=Path(self.sandbox_root),
            system_config_dir=self.system_config_dir, limits=dict(self.limits),
            egress_url=self.egress_url)

    async def start(self):
        if not self.enclave:
            raise web.HTTPError(403, "no active booking for this session")
        spec = self._spec()
        spec_path = Path(self.sandbox_root) / f"{self.user.name}.json"
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(spec_path.parent, 0o700)
        spec_path.write_text(json.dumps(spec))
        env = self.get_env()
        cmd = [sys.executable, "-m", "hub_config.sandbox", str(spec_path), "--",
               *self.cmd, *self.get_args()]
        self.log.info("Spawning sandboxed server for %s (case %s, uid %s)", self.user.name,
                      self.enclave["case_code"], spec["uid"])
        self.proc = Popen(cmd, env=env, start_new_session=True, **self.popen_kwargs)
        self.pid = self.proc.pid
        return unix_url(self.socket_path)


def build_spec(*, name: str, uid: int, gid: int, case_code: str, projects_dir: Path,
               socket_root: Path, sandbox_root: Path, system_config_dir: str, limits: dict,
               egress_url: str = "") -> dict:
    """The sandbox description handed to ``hub_config.sandbox`` (and prepare the host dirs)."""
    case_dir = projects_dir / case_code
    data = case_dir / "data"
    if not data.is_dir():
        raise web.HTTPError(503, f"the extract for case {case_code} is not ready")
    ws = case_dir / "workspace"
    ws.mkdir(parents=True, exist_ok=True)
    os.chown(ws, 0, gid)
    os.chmod(ws, 0o2770)  # case members share it through the case group
    sess = socket_root / "sessions" / name
    if sess.exists():
        shutil.rmtree(sess)
    sess.mkdir(parents=True)
    os.chown(sess, uid, gid)
    os.chmod(sess, 0o700)
    hub_socks = socket_root / "hub"
    prefix = python_prefix()
    ro = [["/usr", "/usr"], ["/etc", "/etc"], [system_config_dir, SESSION_JUPYTER_CONFIG],
          [str(data), "/case/data"], [str(hub_socks), str(hub_socks)]]
    if not prefix.startswith("/usr/"):
        ro.append([prefix, prefix])
    for pkg_dir in package_dirs().values():
        ro.append([pkg_dir, pkg_dir])
    egress_sock = _unix_socket_of(egress_url)
    if egress_sock:
        ro.append([os.path.dirname(egress_sock), os.path.dirname(egress_sock)])
    group = f"case-{case_code.lower()}"
    return {
        "name": name,
        "root": str(sandbox_root / name),
        "uid": uid, "gid": gid, "cwd": "/workspace", "hostname": "enclave",
        "symlinks": {p: f"usr{p}" for p in ("/bin", "/lib", "/lib64", "/sbin")
                     if os.path.islink(p)},
        "ro_binds": ro,
        "rw_binds": [[str(ws), "/workspace"], [str(sess), str(sess)]],
        "tmpfs": ["/tmp", f"/home/{name}", "/var/tmp"],
        "files": {
            "/etc/passwd": f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
                           f"{name}:x:{uid}:{gid}:{name}:/home/{name}:/bin/sh\n",
            "/etc/group": f"root:x:0:\n{group}:x:{gid}:{name}\n",
            "/etc/hosts": "127.0.0.1 localhost enclave\n::1 localhost\n",
            "/etc/resolv.conf": "# no name service in the enclave (S7)\n",
        },
        "limits": limits,
    }


def _unix_socket_of(url: str) -> str | None:
    from urllib.parse import unquote, urlparse

    if not url.startswith("http+unix://"):
        return None
    return unquote(url[len("http+unix://"):].split("/", 1)[0])


class PlainSpawner(LocalProcessSpawner):
    """Baseline for the benchmark only: an unsandboxed local process on a TCP port."""

    def user_env(self, env):
        env["USER"] = self.user.name
        env["HOME"] = f"/tmp/plain-home-{self.user.name}"
        os.makedirs(env["HOME"], exist_ok=True)
        return env

    def make_preexec_fn(self, name):
        return None
