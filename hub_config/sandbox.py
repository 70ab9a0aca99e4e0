"""The session launcher: ``python -m hub_config.sandbox SPEC.json -- CMD...`` (run as root).

It puts the single-user server in fresh mount, network, PID, IPC and UTS namespaces, builds a
new root out of read-only bind mounts (system, Python, the approved packages, the case's data)
plus a writable per-case workspace, private /tmp and a minimal /dev, brings up loopback only,
applies the policy's resource limits, sets no_new_privs, drops to the researcher's own uid and
execs the command.  Python 3.11 has no ``os.unshare``, so the syscalls go through ctypes.

The parent stays outside the PID namespace: the spawner signals it, it forwards the signal to
the session's PID 1, and when PID 1 exits the kernel kills everything left in the namespace.
The parent also ends the session when its own parent (the hub) dies.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import resource
import signal
import socket
import struct
import sys
from pathlib import Path

from hub_config.lifetime import end_with_parent

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(RuntimeError):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        e = ctypes.get_errno()
        raise SandboxError(f"{what}: {os.strerror(e)} (errno {errno.errorcode.get(e, e)})")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None):
    _check(_libc.mount(src.encode() if src else None, target.encode(),
                       fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                       data.encode() if data else None), f"mount {src} -> {target}")


def _bind(src: str, dst: str, *, readonly: bool, extra: int = MS_NOSUID | MS_NODEV) -> None:
    _mount(src, dst, None, MS_BIND | MS_REC)
    # A bind mount ignores flags on creation: remount to make it read-only / nosuid / nodev.
    _mount(None, dst, None, MS_BIND | MS_REMOUNT | extra | (MS_RDONLY if readonly else 0))


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


# ---------------------------------------------------------------- resource limits
class Limits:
    """cgroup v2 if the unified hierarchy is writable, else cgroup v1 controllers, and always
    RLIMIT_NPROC (per uid); RLIMIT_AS only when no memory cgroup could be made."""

    def __init__(self, name: str, memory_mb: int, cpu_percent: int, max_processes: int) -> None:
        self.name, self.memory_mb = name, memory_mb
        self.cpu_percent, self.max_processes = cpu_percent, max_processes
        self.made: list[tuple[Path, Path]] = []  # (new cgroup dir, original cgroup dir)
        self.used: list[str] = []

    @staticmethod
    def _own(controller: str) -> str:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, ctrls, path = line.split(":", 2)
            if controller in ctrls.split(","):
                return path
        return "/"

    def _make(self, root: Path, files: dict[str, str], label: str) -> bool:
        try:
            d = root / f"enclave-{self.name}"
            d.mkdir(exist_ok=True)
            for f, v in files.items():
                (d / f).write_text(v)
            (d / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            return False
        self.made.append((d, root))
        self.used.append(label)
        return True

    def apply(self) -> None:
        mem = str(self.memory_mb * 1024 * 1024)
        period = 100000
        quota = self.cpu_percent * period // 100
        v2 = Path("/sys/fs/cgroup")
        have_mem = False
        if (v2 / "cgroup.controllers").exists():
            ok = self._make(v2 / self._own("").lstrip("/"), {
                "memory.max": mem, "pids.max": str(self.max_processes),
                "cpu.max": f"{quota} {period}"}, "cgroup2 memory+pids+cpu")
            have_mem = ok
        else:
            have_mem = self._make(v2 / "memory" / self._own("memory").lstrip("/"),
                                  {"memory.limit_in_bytes": mem}, "cgroup1 memory")
            self._make(v2 / "pids" / self._own("pids").lstrip("/"),
                       {"pids.max": str(self.max_processes)}, "cgroup1 pids")
            self._make(v2 / "cpu" / self._own("cpu").lstrip("/"),
                       {"cpu.cfs_period_us": str(period), "cpu.cfs_quota_us": str(quota)},
                       "cgroup1 cpu")
        self.use_rlimit_as = not have_mem

    def rlimits(self) -> None:
        """In the child, before dropping privileges."""
        resource.setrlimit(resource.RLIMIT_NPROC, (self.max_processes, self.max_processes))
        if self.use_rlimit_as:
            cap = self.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dumps of case data

    def release(self) -> None:
        for d, original in self.made:
            try:
                (original / "cgroup.procs").write_text(str(os.getpid()))
                d.rmdir()
            except OSError:
                pass


# ---------------------------------------------------------------- the new root
def _prepare_root(spec: dict) -> None:
    root = spec["root"]
    os.makedirs(root, exist_ok=True)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m")

    def inside(p: str) -> str:
        return os.path.join(root, p.lstrip("/"))

    for link, target in spec.get("symlinks", {}).items():
        os.makedirs(os.path.dirname(inside(link)), exist_ok=True)
        os.symlink(target, inside(link))
    # tmpfs first: binds below /tmp (socket dirs) must sit on top of the private /tmp.
    for dst in spec["tmpfs"]:
        os.makedirs(inside(dst), exist_ok=True)
        _mount("tmpfs", inside(dst), "tmpfs", MS_NOSUID | MS_NODEV,
               f"mode=1777,size={spec.get('tmpfs_mb', 512)}m")
    for src, dst in spec["ro_binds"]:
        t = inside(dst)
        if os.path.isdir(src):
            os.makedirs(t, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(t), exist_ok=True)
            Path(t).touch()
        _bind(src, t, readonly=True)
    for src, dst in spec["rw_binds"]:
        os.makedirs(inside(dst), exist_ok=True)
        _bind(src, inside(dst), readonly=False)
    # /dev: only harmless character devices, bound from the host one by one (no block, no USB).
    dev = inside("/dev")
    os.makedirs(dev, exist_ok=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k")
    for name in DEVICES:
        Path(dev, name).touch()
        _bind(f"/dev/{name}", f"{dev}/{name}", readonly=False, extra=MS_NOSUID | MS_NOEXEC)
    os.makedirs(f"{dev}/pts")
    _mount("devpts", f"{dev}/pts", "devpts", MS_NOSUID | MS_NOEXEC,
           "newinstance,ptmxmode=0666,mode=0620")
    os.symlink("pts/ptmx", f"{dev}/ptmx")
    os.makedirs(f"{dev}/shm")
    _mount("tmpfs", f"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m")
    for i, n in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", f"{dev}/{n}")
    os.symlink("/proc/self/fd", f"{dev}/fd")
    # Generated files (passwd, group, hosts, resolv.conf) bound read-only into /etc.
    gen = inside("/.enclave")
    os.makedirs(gen)
    for dst, content in spec.get("files", {}).items():
        p = os.path.join(gen, dst.strip("/").replace("/", "_"))
        Path(p).write_text(content)
        os.chmod(p, 0o644)
        if not os.path.exists(inside(dst)):  # /etc is not bound whole: make the mount point
            os.makedirs(os.path.dirname(inside(dst)), exist_ok=True)
            Path(inside(dst)).touch()
        _bind(p, inside(dst), readonly=True)
    os.makedirs(inside("/proc"), exist_ok=True)
    _mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    # Swap roots and drop the old one: the host tree is then unreachable by any path.
    old = inside("/.oldroot")
    os.makedirs(old)
    nr = SYS_PIVOT_ROOT.get(os.uname().machine)
    if nr is None:
        raise SandboxError(f"pivot_root syscall number unknown for {os.uname().machine}")
    _check(_libc.syscall(nr, root.encode(), old.encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.oldroot", MNT_DETACH), "umount old root")
    os.rmdir("/.oldroot")
    # The root tmpfs itself read-only: the session can write only to its binds and tmpfses.
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _child(spec: dict, limits: Limits, argv: list[str]) -> None:
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl PDEATHSIG")
    socket.sethostname(spec.get("hostname", "enclave"))
    _loopback_up()
    _prepare_root(spec)
    limits.rlimits()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl NO_NEW_PRIVS")
    uid, gid = int(spec["uid"]), int(spec["gid"])
    if uid == 0 or gid == 0:
        raise SandboxError("refusing to run a session as root")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)  # from root to an unprivileged uid: all capabilities are dropped
    # Changing credentials cleared the parent-death signal: set it again, so that killing the
    # launcher (even with SIGKILL) kills the session.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl PDEATHSIG")
    os.umask(0o007)
    os.chdir(spec.get("cwd", "/"))
    os.execvpe(argv[0], argv, os.environ)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m hub_config.sandbox SPEC.json -- CMD...", file=sys.stderr)
        return 2
    # Fail closed: if whoever started the launcher dies (the hub, SIGKILLed or crashed), the
    # session ends as if stopped - otherwise it would outlive its slot with no warden to end
    # it while the proxy kept routing to it.  SIGTERM is forwarded to the session below.
    if not end_with_parent(signal.SIGTERM):  # the parent died before prctl took effect
        return 1
    spec = json.loads(Path(argv[0]).read_text())
    cmd = argv[2:]
    lim = spec["limits"]
    limits = Limits(spec["name"], lim["memory_mb"], lim["cpu_percent"], lim["max_processes"])
    limits.apply()
    print(f"enclave sandbox {spec['name']}: limits via {', '.join(limits.used) or 'none'}"
          f"{' + RLIMIT_AS' if limits.use_rlimit_as else ''} + RLIMIT_NPROC", file=sys.stderr)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS),
           "unshare")
    pid = os.fork()
    if pid == 0:
        try:
            _child(spec, limits, cmd)
        except BaseException as e:  # never fall back to running unsandboxed
            print(f"enclave sandbox {spec['name']}: {e}", file=sys.stderr)
            os._exit(70)
    # Parent: forward stop signals to the session's PID 1 and wait for it.
    def forward(signum, _frame):
        try:
            os.kill(pid, signal.SIGTERM if signum != signal.SIGKILL else signum)
        except ProcessLookupError:
            pass
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    limits.release()
    return os.waitstatus_to_exitcode(status) if status else 0


if __name__ == "__main__":
    sys.exit(main())
