"""The sandbox launcher on its own (no hub): bubblewrap + the seccomp filter + cgroups (S1, S7).

Real namespaces, real mounts, a real unprivileged uid, real cgroups; needs root (the hub runs
as root).  ``boundary_probe.py`` runs inside and tries each attack; ``tests/hub/
test_boundary.py`` repeats the important ones from inside a real kernel behind the real hub.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from hub_config.lockdown import write_system_config
from hub_config.sandbox import EXIT_REFUSED
from hub_config.spawner import build_spec

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64",
                                 reason="the probe uses x86_64 syscall numbers")]

PROBE = (Path(__file__).parent / "boundary_probe.py").read_text()
ALLOWED_CHAR_DEVICES = {"1:3", "1:5", "1:7", "1:8", "1:9", "5:0", "5:2"}  # null zero full
#                                                     random urandom tty ptmx
HUB_SECRETS = {"CONFIGPROXY_AUTH_TOKEN": "proxy-secret", "JPY_COOKIE_SECRET": "cookie-secret",
               "ENCLAVE_DB_URL": "sqlite:////secret.db", "ENCLAVE_HUB_CONFIG": "/hub.json",
               # the release store's credentials, should a host set them for its steward tools
               "ENCLAVE_S3_ACCESS_KEY_ID": "steward-key", "ENCLAVE_S3_SECRET_ACCESS_KEY": "s3cret",
               "ENCLAVE_S3_SECRET_ACCESS_KEY_FILE": "/run/secrets/s3", "ENCLAVE_S3_ENDPOINT":
               "https://store:9000", "ENCLAVE_RELEASES_URL": "s3://warehouse/r",
               "ENCLAVE_KEYS": "/var/enclave/keys"}


class World:
    """One throw-away host world per test process.  Each sandbox name gets a uid of its own,
    drawn from a block of this process's (pid-derived): tests of one module running in
    parallel (xdist) or another run of the suite never share a uid, so a check that looks
    for a uid's processes or a cgroup's members sees only its own sandbox."""

    UID_BLOCK = 256
    _taken = 0  # uids handed out in this process, over every World (modules share a process)

    def __init__(self) -> None:
        self.uid_base = 1_000_000 + (os.getpid() % 15_000) * self.UID_BLOCK
        self.uids: dict[str, int] = {}
        self.root = Path(tempfile.mkdtemp(prefix="encsb", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.projects = self.root / "projects"
        for code in ("c1", "c2"):
            (self.projects / code / "data").mkdir(parents=True)
            (self.projects / code / "data" / "SECRET.txt").write_text(f"{code} data\n")
        for d in ("sock/hub", "sock/sessions", "sandbox"):
            (self.root / d).mkdir(parents=True)
        os.chmod(self.root / "sandbox", 0o700)
        self.cfg = write_system_config(self.root / "jupyter")
        self.hub_log = self.root / "hub.log"  # stands for the hub's own log
        self.hub_log.write_text("demo password: Corr3ct-Horse\n")
        os.chmod(self.hub_log, 0o644)  # even world-readable, it is not in the sandbox
        self.host_file = self.root / "host-root-file"
        self.host_file.write_text("root's\n")
        os.chmod(self.host_file, 0o644)

    def uid_for(self, name: str) -> int:
        if name not in self.uids:
            assert World._taken < self.UID_BLOCK, "more sandbox names than the uid block"
            self.uids[name] = self.uid_base + World._taken
            World._taken += 1
        return self.uids[name]

    def spec(self, name="ann", uid=None, gid=301234, case="c1", **kw) -> dict:
        uid = self.uid_for(name) if uid is None else uid
        limits = kw.pop("limits", {"memory_mb": 1024, "cpu_percent": 50, "max_processes": 64})
        spec = build_spec(name=name, uid=uid, gid=gid, case_code=case,
                          projects_dir=self.projects, socket_root=self.root / "sock",
                          sandbox_root=self.root / "sandbox", system_config_dir=str(self.cfg),
                          limits=limits, **kw)
        return spec

    def run(self, spec: dict, cmd: list[str], env: dict | None = None,
            timeout: float = 90) -> tuple[int, str, str]:
        path = self.root / "sandbox" / f"{spec['name']}.json"
        path.write_text(json.dumps(spec))
        log = Path(spec["log"])
        before = log.stat().st_size if log.is_file() else 0
        p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--", *cmd],
                           capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, **HUB_SECRETS, "PYTHONNOUSERSITE": "1",
                                **(env or {})})
        text = log.read_bytes()[before:].decode(errors="replace") \
            if log.is_file() and not log.is_symlink() else ""
        return p.returncode, text, p.stdout + p.stderr


@pytest.fixture(scope="module")
def world():
    w = World()
    yield w
    subprocess.run(["rm", "-rf", str(w.root)])


@pytest.fixture(scope="module")
def probe(world):
    """One sandboxed run of every attack (see boundary_probe.py)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener6 = socket.socket(socket.AF_INET6)
    listener6.bind(("::1", 0))
    listener6.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # would echo, if ever reached
    udp.bind(("127.0.0.1", 0))
    other = world.root / "sock" / "sessions" / "bob"
    other.mkdir()
    (other / "notes.txt").write_text("bob's\n")
    cfg = {"host_port": listener.getsockname()[1], "host_port6": listener6.getsockname()[1],
           "host_udp_port": udp.getsockname()[1],
           "host_files": {"hub_log": str(world.hub_log), "host_file": str(world.host_file),
                          "other_case": str(world.projects / "c2" / "data" / "SECRET.txt"),
                          "own_case_data": str(world.projects / "c1" / "data" / "SECRET.txt"),
                          "other_session": str(other / "notes.txt"),
                          "other_session_log": str(world.root / "sandbox" / "logs" / "bob.log"),
                          "shadow": "/etc/shadow", "root_home": "/root/.bash_history",
                          "kmsg": "/dev/kmsg", "mem": "/dev/mem", "disk": "/dev/sda",
                          "kcore": "/proc/kcore"},
           "write_targets": {"hub_log": str(world.hub_log), "usr": "/usr/evil",
                             "etc_passwd": "/etc/passwd", "root": "/evil",
                             "case_data": str(world.projects / "c1" / "data" / "x"),
                             "host_file": str(world.host_file)}}
    (world.root / "sandbox" / "logs").mkdir(exist_ok=True)
    (world.root / "sandbox" / "logs" / "bob.log").write_text("bob's session log\n")
    try:
        code, log, err = world.run(world.spec(), [sys.executable, "-c", PROBE, json.dumps(cfg)])
    finally:
        listener.close(), listener6.close()
        udp.setblocking(False)
        try:
            world.udp_reached = udp.recvfrom(16)
        except BlockingIOError:
            world.udp_reached = None
        udp.close()
    assert code == 0, err + log
    assert world.hub_log.read_text() == "demo password: Corr3ct-Horse\n"
    assert world.host_file.read_text() == "root's\n"
    return json.loads(log.strip().splitlines()[-1])


def test_runs_as_the_sessions_own_uid_with_no_privilege(world, probe):
    assert probe["uid"] == world.uid_for("ann") and probe["gid"] == 301234 and probe["groups"] == []
    st = probe["status"]
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(st[cap], 16) == 0, (cap, st[cap])  # bounding set empty too
    assert st["NoNewPrivs"] == "1"
    assert st["Seccomp"] == "2"  # the filter is loaded
    for attempt in ("setuid0", "cmd_setuid_mount", "mknod_block"):
        assert probe[attempt] != "ok", attempt


NAMESPACE_ATTEMPTS = [f"{how}_{ns}" for how in ("unshare", "clone")
                      for ns in ("user", "mount", "net", "pid", "ipc", "uts", "cgroup", "time")]


@pytest.mark.parametrize("attempt", NAMESPACE_ATTEMPTS + [
    "cmd_unshare_U", "cmd_unshare_Ur", "cmd_unshare_Urn", "cmd_unshare_m", "setns_net",
    "clone3", "mount_tmpfs", "umount_proc", "pivot_root", "chroot", "fsopen", "open_tree"])
def test_no_new_namespace_and_no_mount(probe, attempt):
    assert probe[attempt] != "ok", probe[attempt]
    if attempt == "clone3":
        assert probe[attempt] == "ENOSYS"  # the C library falls back to clone, which is checked
    elif attempt.startswith(("unshare_", "clone_user", "cmd_unshare_U")):
        # EPERM from the filter (an unprivileged user namespace is allowed on this kernel)
        assert probe[attempt] == "EPERM" or "Operation not permitted" in probe[attempt]


@pytest.mark.parametrize("attempt", [
    "io_uring_setup", "keyctl_join", "add_key", "request_key", "ptrace_traceme",
    "process_vm_readv", "pidfd_getfd", "bpf", "perf_event_open", "init_module", "finit_module",
    "delete_module", "kexec_load", "userfaultfd", "personality_no_aslr", "open_by_handle_at",
    "name_to_handle_at", "acct", "syslog", "modify_ldt", "uselib", "kcmp_sibling",
    "process_vm_writev", "ptrace_attach_sibling", "fanotify_init"])
def test_kernel_attack_surface_refused(probe, attempt):
    # EPERM from the seccomp filter; several (io_uring, keyctl, userfaultfd in user mode,
    # personality, ptrace of oneself, process_vm_readv of oneself) work without it.
    assert probe[attempt] == "EPERM", probe[attempt]


@pytest.mark.parametrize("family", ["packet", "alg", "vsock", "key", "xdp", "bluetooth",
                                    "tipc", "nf_tables"])
def test_socket_families_refused(probe, family):
    assert probe[f"socket_{family}"] != "ok"


@pytest.mark.parametrize("ldisc", ["n_tty", "n_gsm", "n_hdlc"])
def test_line_discipline_of_a_terminal_cannot_be_switched(probe, ldisc):
    # even to the default discipline (that one works without the filter): no ldisc code path
    assert probe[f"tiocsetd_{ldisc}"] == "EPERM", probe[f"tiocsetd_{ldisc}"]


@pytest.mark.parametrize("member", ["socket_mptcp", "socket_mptcp6", "socket_udplite",
                                    "socket_udplite6", "socket_sctp", "socket_ping",
                                    "socketpair_vsock", "socketpair_packet", "socketpair_alg",
                                    "socketpair_inet"])
def test_other_inet_protocols_and_socket_pairs_refused_by_the_filter(probe, member):
    # the filter's errno, before any protocol or family code (MPTCP and UDP-Lite open without
    # it; socketpair(AF_VSOCK) reaches the vsock family and answers ENODEV)
    assert probe[member] in ("EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EAFNOSUPPORT"), probe[member]
    assert probe["socketpair_unix"] == "ok"


def test_network_is_loopback_only(probe):
    assert probe["ifaces"] == ["lo"]
    assert probe["public_net"] == "ENETUNREACH"
    assert probe["dns"] != "ok"
    assert probe["host_loopback"] == "ECONNREFUSED"  # its own, empty loopback
    assert probe["socket_netlink_route"] == "ok"  # the one netlink protocol allowed


@pytest.mark.parametrize("attempt", ["host_loopback6", "host_udp", "public_net6",
                                     "dns_udp_public", "dns_udp_stub", "dns_udp_public6",
                                     "udp_broadcast"])
def test_no_ipv6_udp_or_dns_way_out(world, probe, attempt):
    """IPv6 and UDP (DNS to a public or the host's stub resolver, broadcast, a datagram to a
    host loopback port) reach nothing outside the sandbox's own loopback."""
    assert probe[attempt] != "ok", probe[attempt]
    assert getattr(world, "udp_reached", None) is None  # the host's UDP listener got nothing


@pytest.mark.parametrize("target", ["hub_log", "host_file", "other_case", "own_case_data",
                                    "other_session", "other_session_log", "shadow",
                                    "root_home", "kmsg", "mem", "disk", "kcore"])
def test_host_files_not_readable(probe, target):
    assert probe[f"read_{target}"] != "ok"


@pytest.mark.parametrize("target", ["hub_log", "usr", "etc_passwd", "root", "case_data",
                                    "host_file"])
def test_host_files_not_writable(probe, target):
    assert probe[f"write_{target}"] != "ok"


def test_no_inherited_descriptors_and_output_not_readable_back(probe):
    assert set(probe["fds"]) <= {"0", "1", "2", "3"}  # 3: the listing itself
    assert probe["fd_targets"]["0"] == "/dev/null"
    # stdout/stderr are the session's log (outside), write-only and not re-openable
    assert probe["read_back_stdout"] == "EACCES" and probe["read_back_stderr"] == "EACCES"
    assert probe["read_fd1"] == "EBADF"


def test_devices_and_processes(probe):
    assert not [d for d, kind in probe["devices"].items() if kind.startswith("block")]
    chars = {d: kind.split()[1] for d, kind in probe["devices"].items()}
    assert {v for d, v in chars.items() if not d.startswith("/dev/pts/")} <= ALLOWED_CHAR_DEVICES
    assert len(probe["pids_visible"]) <= 3  # a PID namespace: only the session's own
    assert probe["sys_present"] is False


def test_clean_environment_and_private_cwd(probe):
    assert not set(HUB_SECRETS) & set(probe["env"])
    assert probe["cwd"] == "/home/ann"  # never the shared workspace


def test_session_output_goes_to_its_log_not_the_hubs(world):
    code, log, launcher_out = world.run(
        world.spec(name="logtest"), ["/bin/sh", "-c", "echo MARK-out; echo MARK-err >&2"])
    assert code == 0
    assert "MARK-out" in log and "MARK-err" in log
    assert "MARK" not in launcher_out  # what the hub's log would get
    st = os.stat(world.spec(name="logtest")["log"])
    assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600


@pytest.mark.parametrize("plant", ["symlink", "hardlink", "fifo"])
def test_log_path_planted_is_refused(world, plant):
    """Whatever is at a log path (a link to a host file, a FIFO that would block the
    launcher), the launcher refuses it rather than writing through it."""
    spec = world.spec(name=f"plant{plant}")
    log = Path(spec["log"])
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    if plant == "symlink":
        log.symlink_to(world.host_file)
    elif plant == "hardlink":
        os.link(world.host_file, log)
    else:
        os.mkfifo(log)
    code, _, err = world.run(spec, ["/bin/true"], timeout=30)
    assert code != 0 and ("log file" in err or "Too many levels" in err
                          or "No such device" in err), err
    assert world.host_file.read_text() == "root's\n"
    log.unlink()


def _cgroup_of(pid: int, controller: str) -> str:
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if controller in ctrls.split(","):
            return path
    return ""


def test_cgroup_limits_are_applied_and_enforced(world):
    """S1: memory over the cap is killed, processes over the cap are refused, and the
    sandbox's processes sit in the session's own cgroup (seen from the host)."""
    spec = world.spec(name="limits", limits={"memory_mb": 256, "cpu_percent": 50,
                                             "max_processes": 16})
    ws = world.projects / "c1" / "workspace"
    script = (
        "import os, time\n"
        "open('/workspace/ready', 'w').close()\n"
        "while not os.path.exists('/workspace/go'): time.sleep(0.05)\n"
        "n = 0\n"
        "kids = []\n"
        "for i in range(40):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(5); os._exit(0)\n"
        "    kids.append(pid)\n"
        "print('FORKED', len(kids), flush=True)\n"
        "for k in kids: os.kill(k, 9)\n"
        "b = bytearray(600 * 1024 * 1024)\n"
        "for i in range(0, len(b), 4096): b[i] = 1\n"
        "print('ALLOCATED', flush=True)\n")
    path = world.root / "sandbox" / "limits.json"
    path.write_text(json.dumps(spec))
    for f in ("ready", "go"):
        (ws / f).unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (ws / "ready").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()
                and os.path.exists(f"/proc/{p}/status")
                and Path(f"/proc/{p}/status").read_text().split("Uid:")[1].split()[0]
                == str(world.uid_for("limits"))]
        assert pids
        for pid in pids:
            for ctrl in ("memory", "pids", "cpu"):
                assert f"/enclave-limits.{proc.pid}" in _cgroup_of(pid, ctrl), (ctrl, pid)
        mem_dir = Path("/sys/fs/cgroup/memory") / _cgroup_of(pids[0], "memory").lstrip("/")
        if mem_dir.exists():
            assert int((mem_dir / "memory.limit_in_bytes").read_text()) == 256 * 1024 * 1024
        (ws / "go").touch()
        code = proc.wait(90)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = Path(spec["log"]).read_text()
    forked = int(log.split("FORKED ")[1].split()[0])
    assert forked < 16  # the pids cap (16) stopped the fork loop
    assert "ALLOCATED" not in log and code != 0  # 600 MB > 256 MB cap: killed
    assert "limits cgroup" in log


def test_no_limits_no_session_unless_policy_allows(world):
    """S1: when the cgroups cannot be applied the launcher refuses (policy default), and runs
    only when the spec (from ``sandbox_require_cgroups: false``) allows it, saying so."""
    missing = world.root / "no-cgroups-here"
    refused = world.spec(name="nocg")
    refused["cgroup_root"] = str(missing)
    code, log, err = world.run(refused, ["/bin/sh", "-c", "echo RAN"])
    assert code == EXIT_REFUSED and "refused" in err and "sandbox_require_cgroups" in err
    assert "RAN" not in log
    allowed = world.spec(name="nocg2", require_limits=False)
    allowed["cgroup_root"] = str(missing)
    code, log, err = world.run(allowed, ["/bin/sh", "-c", "echo RAN"])
    assert code == 0 and "RAN" in log and "NO cgroup limits" in log


def test_launcher_refuses_root_uid(tmp_path):
    spec = {"name": "x", "uid": 0, "gid": 0, "log": str(tmp_path / "x.log"), "ro_binds": [],
            "rw_binds": [], "tmpfs": [], "limits": {"memory_mb": 512, "cpu_percent": 50,
                                                     "max_processes": 32}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--", "/bin/true"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "refusing to run a session as root" in p.stderr


def test_workspace_that_is_a_symlink_is_refused(world, tmp_path):
    """The root-side chown/chmod of the workspace never follows a link planted in its place."""
    victim = tmp_path / "victim"
    victim.mkdir()
    os.chmod(victim, 0o700)
    proj = world.projects / "c3"
    (proj / "data").mkdir(parents=True)
    (proj / "workspace").symlink_to(victim)
    with pytest.raises(OSError):
        world.spec(case="c3")
    st = victim.stat()
    assert st.st_uid == 0 and st.st_gid == 0 and stat.S_IMODE(st.st_mode) == 0o700
    shutil.rmtree(proj)


def _launch(world, name: str, script: str, setup: str = "") -> tuple[subprocess.Popen, Path]:
    """Start `script` in a sandbox; return once `setup` has run and the ready marker exists
    (so a signal sent next meets the handlers `setup` installed, not Python's defaults)."""
    spec = world.spec(name=name)
    path = world.root / "sandbox" / f"{name}.json"
    path.write_text(json.dumps(spec))
    ws = world.projects / "c1" / "workspace"
    ready = ws / f"{name}.ready"
    ready.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c",
                             setup + f"open('/workspace/{name}.ready', 'w').close()\n" + script])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return proc, ready


def _uid_processes(uid: int) -> list[int]:
    out = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and Path(f"/proc/{p}/status").read_text().split("Uid:")[1].split()[0] == str(uid):
                out.append(int(p))
        except (OSError, IndexError):
            pass
    return out


def test_a_stopped_session_ends_its_launcher_without_waiting_out_the_grace(world):
    """The hub (or the warden at slot end) stops a session by signalling the launcher; once the
    session has gone the launcher must go too - not linger for the hard-stop grace, which held
    every session stop (and every slot-end cut-off) up by STOP_GRACE_S seconds."""
    from hub_config.sandbox import STOP_GRACE_S

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        proc, _ = _launch(world, "coop", "import time\ntime.sleep(120)\n")
        try:
            proc.send_signal(sig)
            proc.wait(STOP_GRACE_S / 2)     # raises TimeoutExpired if the launcher lingers
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert _uid_processes(world.uid_for("coop")) == []


def test_a_session_that_ignores_the_stop_is_killed_after_the_grace(world):
    from hub_config.sandbox import STOP_GRACE_S

    proc, _ = _launch(world, "stubborn", "time.sleep(600)\n",
                      setup="import signal, time\n"
                            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n")
    try:
        proc.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert proc.poll() is None and _uid_processes(world.uid_for("stubborn"))  # still running inside the grace
        proc.wait(STOP_GRACE_S + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _uid_processes(world.uid_for("stubborn")) == []


EXEC_PLACES = ["tmp", "var_tmp", "dev_shm", "workspace", "home"]


@pytest.mark.parametrize("how", ["binary", "script", "link", "fd"])
@pytest.mark.parametrize("place", EXEC_PLACES)
def test_no_program_runs_from_a_writable_place(probe, place, how):
    """S1: a program the session wrote (a copied binary, a shebang script, either through a
    link or an open descriptor) does not run from scratch, /dev/shm or the shared workspace -
    only the read-only system's do (hub_config.exec_guard)."""
    assert f"exec_setup_{place}" not in probe, probe.get(f"exec_setup_{place}")
    assert probe[f"exec_{how}_{place}"] != "ok", probe[f"exec_{how}_{place}"]
    # EPERM: fexecve (execveat AT_EMPTY_PATH) is refused by the filter since round 11
    assert probe[f"exec_{how}_{place}"] in ("EACCES", "EPERM", "failed") or \
        "Permission denied" in probe[f"exec_{how}_{place}"], probe[f"exec_{how}_{place}"]


@pytest.mark.parametrize("place", EXEC_PLACES)
def test_system_programs_and_interpreters_still_run(probe, place):
    """Ordinary use: a link to a system program, a shell reading a script kept anywhere."""
    assert probe[f"run_sys_link_{place}"] == "ok", probe[f"run_sys_link_{place}"]
    assert probe[f"run_sh_script_{place}"] == "ok", probe[f"run_sh_script_{place}"]
    assert probe["run_usr_bin"] == "ok" and probe["run_bin_sh"] == "ok"
