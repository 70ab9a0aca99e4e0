"""The sandbox spawner: one single-user server per booked session, inside its own namespaces.

The server listens on a unix socket in a per-user directory (the only thing the proxy can
reach); the hub API and the warden are reached over unix sockets bound read-only into the
sandbox.  The case's data is NOT in the session's sandbox: the spawner starts the session's
query broker (``hub_config.broker``) in a sandbox of its own, and binds only the broker's
socket directory into the session.  ``start`` refuses unless the pre-spawn hook found an
active booking for this user.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from subprocess import Popen

from jupyterhub.spawner import LocalProcessSpawner
from tornado import web
from traitlets import Bool, Dict, Unicode

from hub_config.session_case import CaseState
from hub_config import sandbox_rc, workspace_disk
from hub_config.broker_launch import broker_socket, start_broker, stop_broker, wait_for_broker
from hub_config.sandbox_binds import (ETC_ALLOWED, PROJECT_PACKAGES, exec_dirs, log_path,
                                      package_dirs, python_prefix, system_binds, unix_url)

__all__ = ["ETC_ALLOWED", "PROJECT_PACKAGES", "EnclaveSpawner", "build_spec", "exec_dirs",
           "package_dirs", "unix_url"]

SESSION_JUPYTER_CONFIG = "/opt/enclave/jupyter"
WORKSPACE = "/workspace"
# The kernel's working directory is the notebook's folder in the case's shared workspace, which
# every member can write: nothing found there may run in this member's kernel.  IPython puts it
# on sys.path ahead of site-packages unless told not to (a module planted as pandas.py), and pdb
# - %debug, breakpoint() - runs the commands of a .pdbrc there (and in the home).  A read-only
# system config turns both off.
_NO_CWD = "c.InteractiveShellApp.ignore_cwd = True\n"
_NO_PDBRC = ("import inspect as _inspect, pdb as _pdb\n"
             "_pdb.Pdb.__init__.__defaults__ = tuple(\n"
             "    False if p.name == 'readrc' else p.default\n"
             "    for p in _inspect.signature(_pdb.Pdb.__init__).parameters.values()\n"
             "    if p.default is not p.empty)\n")


def kernel_config() -> str:
    """The kernel's read-only IPython config (/etc/ipython/ipython_kernel_config.py)."""
    return ("# Written by hub_config.spawner: nothing in the workspace runs at start or in pdb.\n"
            + _NO_CWD + _NO_PDBRC
            # ./matplotlibrc (figure.hooks, animation.ffmpeg_path...) is set aside
            + sandbox_rc.kernel_lines())


class EnclaveSpawner(CaseState, LocalProcessSpawner):
    """LocalProcessSpawner whose process is ``hub_config.sandbox`` wrapping the server."""

    projects_dir = Unicode(config=True, help="Root of the case extracts: <dir>/<case>/data.")
    socket_root = Unicode(config=True, help="Short, lower-case dir for all unix sockets.")
    sandbox_root = Unicode(config=True, help="Where sandbox specs and root mountpoints live.")
    system_config_dir = Unicode(config=True, help="Read-only Jupyter config for sessions.")
    egress_url = Unicode("", config=True, help="EGRESS_URL given to sessions (http+unix://…).")
    limits = Dict(config=True, help="memory_mb, cpu_percent, max_processes from the policy.")
    require_limits = Bool(True, config=True,
                          help="Refuse a session whose cgroup limits cannot be applied (S1).")
    id_bases = Dict(config=True, help="uid_base and gid_base from the policy.")
    broker = Dict(config=True, help="uid_base, memory_mb, max_rows, max_bytes, "
                                    "purpose_min_length from the policy (A3/S1).")

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
        # No script directory or cwd on sys.path: a module planted in the shared workspace
        # must never shadow a package in another member's server or kernel.
        env["PYTHONSAFEPATH"] = "1"
        env["PYTHONPATH"] = sandbox_rc.SITE_DIR   # read-only: its sitecustomize guards rc files
        env["JUPYTER_RUNTIME_DIR"] = "/tmp/jupyter-runtime"
        env["MPLCONFIGDIR"] = "/tmp/matplotlib"
        if self.enclave:
            env["ENCLAVE_CASE"] = self.enclave["case_code"]
            env["ENCLAVE_WORKSPACE"] = "/workspace"
            env["ENCLAVE_BROKER_URL"] = unix_url(str(broker_socket(Path(self.socket_root),
                                                                   self.user.name)))
            env["ENCLAVE_PURPOSE_MIN_LENGTH"] = str(self.enclave.get("purpose_min_length", 10))
            # the booked slot's end (the warden enforces it; JupyterLab and the desktop show a
            # countdown that warns this many minutes before: hub_config.singleuser.slot_clock)
            if self.enclave.get("ends_at"):
                env["ENCLAVE_SLOT_END"] = str(self.enclave["ends_at"])
                env["ENCLAVE_SLOT_WARN_MINUTES"] = str(self.enclave.get("warn_minutes", 10))
            # E6: no provenance key here - the query broker seals safe_tables' units with it,
            # so nothing in the kernel can forge a seal (hub_config.broker_tables).
        if self.egress_url:
            env["EGRESS_URL"] = self.egress_url
            env["EGRESS_REVIEW_URL"] = self.egress_url  # name used by egress_review.client
        return env

    def get_args(self):
        # The singleuser extension only reads host/port from JUPYTERHUB_SERVICE_URL; the unix
        # socket must be given to the server itself.  0600: only the session uid (and root:
        # hub and proxy) can connect.
        return [*super().get_args(), f"--ServerApp.sock={self.socket_path}",
                "--ServerApp.sock_mode=0600", f"--ServerApp.root_dir={WORKSPACE}"]

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
            egress_url=self.egress_url, require_limits=self.require_limits, desktop=True)

    broker_proc: subprocess.Popen | None = None

    async def start(self):
        if not self.enclave:
            raise web.HTTPError(403, "no active booking for this session")
        info = self.enclave
        await asyncio.to_thread(self._stop_broker)
        await asyncio.to_thread(self._check_limits)
        self.broker_proc, sock = start_broker(
            name=self.user.name, case_id=int(info["case_id"]), case_code=info["case_code"],
            authorization=f"token {self.api_token}", projects_dir=Path(self.projects_dir),
            socket_root=Path(self.socket_root), sandbox_root=Path(self.sandbox_root),
            broker=dict(self.broker), max_processes=int(self.limits["max_processes"]),
            require_limits=self.require_limits)
        # The server boots while the broker starts (neither needs the other to be up yet), so
        # the broker adds nothing to login-to-ready; the spawn still fails without a broker.
        try:
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
        except Exception:
            await asyncio.to_thread(self._stop_broker)
            raise
        try:
            await seal_socket_dir(self.proc, self.session_dir, int(spec["uid"]))
            await wait_for_broker(self.broker_proc, sock)
        except Exception:
            await asyncio.to_thread(self._stop_broker)
            await super().stop(now=True)
            raise
        return unix_url(self.socket_path)

    def _check_limits(self) -> None:
        """S1: no session without its CPU/memory/pids limits unless the policy says so; either
        way the audit log says which (the launcher refuses again on its own)."""
        from enclave.audit import AuditEntry, append
        from enclave.db import session_scope
        from hub_config.cgroups import available

        why = available()
        if why is None:
            return
        with session_scope(self.authenticator.db_url) as s:
            append(s, AuditEntry(
                "hub", self.user.name,
                "session.limits_unavailable" if not self.require_limits else "session.spawn_refused",
                case_code=self.enclave["case_code"],
                reason=why + ("; started WITHOUT cgroup limits (policy sandbox_require_cgroups "
                              "is off)" if not self.require_limits else
                              "; refused (policy sandbox_require_cgroups)")))
        if self.require_limits:
            raise web.HTTPError(503, "this session's CPU/memory/process limits cannot be "
                                     "applied on this host; refused by policy")

    def _stop_broker(self) -> None:
        if self.broker_proc is not None:
            stop_broker(self.broker_proc)
            self.broker_proc = None

    async def stop(self, now=False):
        try:
            await super().stop(now=now)
        finally:
            await asyncio.to_thread(self._stop_broker)


def _prepare_workspace(ws: Path, gid: int) -> None:
    """root:case-group 2770, changed through a descriptor that refuses a symbolic link."""
    try:
        ws.mkdir(parents=True)
    except FileExistsError:
        pass
    fd = os.open(ws, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchown(fd, 0, gid)
        os.fchmod(fd, 0o2770)  # case members share it through the case group
    finally:
        os.close(fd)


def _prepare_imports(case_dir: Path, ws: Path) -> Path:
    """The case's import deliveries (D4: ``<case>/imports``, written only by import review)
    and their mount point ``<workspace>/imports``: root's, 0555, made through the workspace's
    descriptor.  Anything a member left under that name (a folder, a file, a link) is moved
    aside first, never followed or deleted."""
    delivered = case_dir / "imports"
    delivered.mkdir(exist_ok=True)
    fd = os.open(delivered, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchown(fd, 0, 0)
        os.fchmod(fd, 0o755)
    finally:
        os.close(fd)
    wfd = os.open(ws, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            st = os.stat("imports", dir_fd=wfd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None and not (stat.S_ISDIR(st.st_mode) and st.st_uid == 0
                                   and not _has_entries(wfd, "imports")):
            os.rename("imports", f"imports.moved-{int(time.time())}-{os.getpid()}",
                      src_dir_fd=wfd, dst_dir_fd=wfd)
            st = None
        if st is None:
            os.mkdir("imports", 0o555, dir_fd=wfd)
        mfd = os.open("imports", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=wfd)
        try:
            os.fchown(mfd, 0, 0)
            os.fchmod(mfd, 0o555)
        finally:
            os.close(mfd)
    finally:
        os.close(wfd)
    return delivered


def _has_entries(dir_fd: int, name: str) -> bool:
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    try:
        return bool(os.listdir(fd))
    finally:
        os.close(fd)


def build_spec(*, name: str, uid: int, gid: int, case_code: str, projects_dir: Path,
               socket_root: Path, sandbox_root: Path, system_config_dir: str, limits: dict,
               egress_url: str = "", broker_name: str | None = None,
               require_limits: bool = True, log_name: str | None = None,
               desktop: bool = False) -> dict:
    """The sandbox description handed to ``hub_config.sandbox`` (and prepare the host dirs).
    ``desktop``: the remote desktop's programs as execute-only copies (``hub_config.exec_only``:
    their processes are then non-dumpable, so a kernel cannot read their memory)."""
    case_dir = projects_dir / case_code
    data = case_dir / "data"
    if not data.is_dir():
        raise web.HTTPError(503, f"the extract for case {case_code} is not ready")
    ws = case_dir / "workspace"
    if limits.get("workspace_mb") is not None:  # the policy's size: a file system of its own
        try:
            workspace_disk.ensure(ws, int(limits["workspace_mb"]))
        except workspace_disk.WorkspaceDiskError as e:
            raise web.HTTPError(503, f"the workspace of case {case_code} is not ready: {e}")
    _prepare_workspace(ws, gid)
    delivered = _prepare_imports(case_dir, ws)
    sess = socket_root / "sessions" / name
    if sess.exists():
        shutil.rmtree(sess)
    sess.mkdir(parents=True)
    os.chown(sess, uid, gid)
    os.chmod(sess, 0o700)
    hub_socks = socket_root / "hub"
    # No /case/data: the session reaches the extract only through its broker's socket.
    broker_dir = broker_socket(socket_root, broker_name or name).parent
    broker_dir.mkdir(parents=True, exist_ok=True)  # normally made by start_broker first
    ro = [*system_binds(), [str(hub_socks), str(hub_socks)], [str(broker_dir), str(broker_dir)],
          [str(delivered), f"{WORKSPACE}/imports"]]  # read-only over the read-write workspace
    if desktop:
        from hub_config.exec_only import desktop_binds

        ro += desktop_binds()
    egress_sock = _unix_socket_of(egress_url)
    if egress_sock:
        ro.append([os.path.dirname(egress_sock), os.path.dirname(egress_sock)])
    group = f"case-{case_code.lower()}"
    return {
        "name": log_name or name, "log": log_path(sandbox_root, log_name or name),
        "require_limits": bool(require_limits),
        # cwd: the private home, never the shared workspace (see PYTHONSAFEPATH in get_env)
        "uid": uid, "gid": gid, "cwd": f"/home/{name}", "hostname": "enclave",
        "symlinks": {p: f"usr{p}" for p in ("/bin", "/lib", "/lib64", "/sbin")
                     if os.path.islink(p)},
        "ro_binds": ro,
        "exec_dirs": exec_dirs(),
        "rw_binds": [[str(ws), WORKSPACE], [str(sess), str(sess)]],
        "tmpfs": ["/tmp", f"/home/{name}", "/var/tmp"],
        # each scratch tmpfs (and /dev/shm) at most this size; its pages count against the
        # session's memory cgroup, so together they cannot exceed the memory limit either
        "tmpfs_mb": int(limits.get("scratch_mb", 512)),
        "log_max_mb": int(limits.get("log_mb", 64)),  # the session's log file, per run
        "files": {
            "/etc/passwd": f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
                           f"{name}:x:{uid}:{gid}:{name}:/home/{name}:/bin/sh\n",
            "/etc/group": f"root:x:0:\n{group}:x:{gid}:{name}\n",
            "/etc/hosts": "127.0.0.1 localhost enclave\n::1 localhost\n",
            "/etc/resolv.conf": "# no name service in the enclave (S7)\n",
            "/etc/ipython/ipython_kernel_config.py": kernel_config(),
            **sandbox_rc.site_files(),
            **_config_files(system_config_dir),
        },
        "limits": limits,
    }


def _config_files(directory: str) -> dict[str, str]:
    """The read-only Jupyter config as files of the sandbox's own (``--ro-bind-data``), not a
    bind of the host directory: a bind shows its host path (the hub's state directory) in
    ``/proc/self/mountinfo``."""
    out = {}
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for n in sorted(names):
            path = os.path.join(root, n)
            if os.path.isfile(path) and not os.path.islink(path):
                rel = os.path.relpath(path, directory)
                out[f"{SESSION_JUPYTER_CONFIG}/{rel}"] = Path(path).read_text()
    return out


async def seal_socket_dir(proc: subprocess.Popen, sess: Path, uid: int,
                          timeout: float = 120) -> None:
    """Once the server has bound ``jupyter.sock``, give its directory to root (0755): the
    session can then neither remove nor replace the socket the proxy routes to.  Done before
    the spawn returns, so before the proxy routes anything there and before any kernel runs."""
    import stat

    started = time.monotonic()
    fd = os.open(sess, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        while True:
            try:
                st = os.stat("jupyter.sock", dir_fd=fd, follow_symlinks=False)
                if stat.S_ISSOCK(st.st_mode) and st.st_uid == uid:
                    break
            except FileNotFoundError:
                pass
            if proc.poll() is not None:
                raise web.HTTPError(503, f"the session's server exited ({proc.returncode})")
            if time.monotonic() - started > timeout:
                raise web.HTTPError(503, "the session's server did not open its socket in time")
            await asyncio.sleep(0.05)
        os.fchown(fd, 0, 0)
        os.fchmod(fd, 0o755)
    finally:
        os.close(fd)


def _unix_socket_of(url: str) -> str | None:
    from urllib.parse import unquote

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
