"""CPU, memory and process limits of one sandbox, as a cgroup of its own (S1).

cgroup v2 when ``/sys/fs/cgroup`` is the unified hierarchy with the memory, pids and cpu
controllers available; else the cgroup v1 ``memory``, ``pids`` and ``cpu`` hierarchies
(this project's machines: v1 controllers, writable by root; the v2 mount is a hybrid one with
no controllers).  The limits are all-or-nothing: :meth:`Limits.apply` raises
:class:`LimitsUnavailable` naming what failed unless every limit was written, and the caller
decides with the policy (``sandbox_require_cgroups``) whether a session may start anyway.
"""
from __future__ import annotations

import itertools
import os
import signal
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CFS_PERIOD_US = 100_000
# Socket buffers a v1 sandbox may hold (TCP, UDP): v1 charges them to no memory limit unless
# memory.kmem.tcp.limit_in_bytes is set, and the kernel's tcp_mem/udp_mem are machine-wide -
# round 8: a sandbox of 256 MB queued 2 231 MB on loopback TCP, the host's whole tcp_mem hard
# limit (every TCP socket of the host and of every session then starved).  v2 charges them to
# memory.max already.  A session's loopback (ZMQ, its kiosk) needs a few MB.
SOCKET_MEMORY_MAX = 64 * 1024 * 1024


class LimitsUnavailable(RuntimeError):
    pass


def _mount_root(mount_point: Path) -> str:
    """Which part of its hierarchy is mounted at ``mount_point`` (mountinfo's 4th field): '/'
    on a host; the container's own cgroup inside a container (podman, Kubernetes)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return "/"
    found = "/"
    for line in lines:
        f = line.split(" ")
        if len(f) > 4 and f[4] == str(mount_point):
            found = f[3]  # the last mount on a point is the one in effect
    return found


def _own(root: Path, controller: str) -> str:
    """This process's cgroup path in ``controller``'s hierarchy ('' for the v2 one), relative
    to where that hierarchy is mounted."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if (controller == "" and ctrls == "") or controller in ctrls.split(","):
            mounted = _mount_root(root / controller if controller else root)
            if mounted != "/" and (path == mounted or path.startswith(mounted.rstrip("/") + "/")):
                path = path[len(mounted):]
            return path.lstrip("/")
    return ""


def socket_memory(memory: int) -> int:
    """Bytes of socket buffers a cgroup v1 sandbox of ``memory`` bytes may hold: a quarter of
    its memory, at most :data:`SOCKET_MEMORY_MAX`."""
    return min(memory // 4, SOCKET_MEMORY_MAX)


def swap_limit(memory: int, parent: Path, swaps: str = "/proc/swaps") -> dict[str, str]:
    """The v1 memory cgroup files that keep a sandbox of ``memory`` bytes out of the host's swap
    (round 9; v2 writes ``memory.swap.max`` 0): v1's ``memory.limit_in_bytes`` bounds RAM
    alone - a 256 MB sandbox held 384 MB, the rest in the host's swap, case data on the host's
    disk outliving the session.  ``memory.memsw.limit_in_bytes`` equal to the limit bounds RAM
    and swap together, swappiness 0 keeps the cgroup's own reclaim from swapping.  Left out
    only where the kernel has no swap accounting (no ``memsw`` file in ``parent``) and the host
    no swap: nothing to bound.  With swap but no accounting the write fails and the sandbox is
    refused (all or nothing)."""
    files = {"memory.swappiness": "0", "memory.memsw.limit_in_bytes": str(memory)}
    if (parent / "memory.memsw.limit_in_bytes").exists():
        return files
    try:
        active = Path(swaps).read_text().splitlines()[1:]
    except OSError:
        active = ["unreadable"]
    return files if active else {}


class Limits:
    def __init__(self, name: str, memory_mb: int, cpu_percent: int, max_processes: int,
                 root: Path | str = CGROUP_ROOT) -> None:
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"cgroup name {name!r} is not a single path component")
        self.name, self.root = name, Path(root)
        self.memory = int(memory_mb) * 1024 * 1024
        self.cpu_quota = int(cpu_percent) * CFS_PERIOD_US // 100
        self.max_processes = int(max_processes)
        self.dirs: list[Path] = []
        self.mode = ""

    def _v2(self) -> bool:
        ctrl = self.root / "cgroup.controllers"
        return ctrl.exists() and {"memory", "pids", "cpu"} <= set(ctrl.read_text().split())

    def _plan(self) -> list[tuple[Path, dict[str, str]]]:
        # One cgroup per launcher (its pid in the name): two hubs on one host, or a new
        # session while the old one's launcher is still cleaning up, never share or remove
        # each other's.  Left-overs of launchers that died (SIGKILL) are removed in apply().
        leaf = f"enclave-{self.name}.{os.getpid()}"
        if self._v2():
            self.mode = "cgroup2"
            base = self.root / _own(self.root, "")
            return [(base / leaf, {"memory.max": str(self.memory), "memory.swap.max": "0",
                                   "pids.max": str(self.max_processes),
                                   "cpu.max": f"{self.cpu_quota} {CFS_PERIOD_US}"})]
        self.mode = "cgroup1"
        memory = self.root / "memory" / _own(self.root, "memory")
        return [
            (memory / leaf,
             {"memory.limit_in_bytes": str(self.memory),  # before memsw: memsw >= limit
              "memory.kmem.tcp.limit_in_bytes": str(socket_memory(self.memory)),
              **swap_limit(self.memory, memory)}),
            (self.root / "pids" / _own(self.root, "pids") / leaf,
             {"pids.max": str(self.max_processes)}),
            (self.root / "cpu" / _own(self.root, "cpu") / leaf,
             {"cpu.cfs_period_us": str(CFS_PERIOD_US), "cpu.cfs_quota_us": str(self.cpu_quota)}),
        ]

    def apply(self) -> None:
        """Create the cgroups and write every limit; on any failure remove what was made and
        raise :class:`LimitsUnavailable` (nothing half-applied is left behind)."""
        try:
            for d, files in self._plan():
                self._remove_stale(d)
                d.mkdir()
                self.dirs.append(d)
                for f, v in files.items():
                    (d / f).write_text(v)
        except OSError as e:
            self.release()
            raise LimitsUnavailable(f"cannot apply the session's cgroup limits "
                                    f"({self.mode}): {e}") from None

    def join(self) -> None:
        """Move the calling process into every cgroup (run in the child before exec)."""
        for d in self.dirs:
            with open(d / "cgroup.procs", "w") as f:
                f.write("0")

    @classmethod
    def _remove_stale(cls, d: Path) -> None:
        """Remove every sandbox's cgroup whose launcher no longer runs (a launcher killed
        outright cannot remove its own; whatever is still in one is killed first) - not only
        this name's: a name that never starts again would keep its cgroup for good."""
        try:
            siblings = list(d.parent.glob("enclave-*.*"))
        except OSError:
            return
        for old in siblings:
            pid = old.name.rsplit(".", 1)[1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                cls._remove(old)

    @staticmethod
    def _remove(d: Path) -> None:
        procs = d / "cgroup.procs"
        for _ in range(50):
            try:
                pids = [int(p) for p in procs.read_text().split()]
            except OSError:
                return
            if not pids:
                break
            for p in pids:  # nothing of the session may outlive it
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            import time

            time.sleep(0.02)
        try:
            d.rmdir()
        except OSError:
            pass

    def release(self) -> None:
        for d in self.dirs:
            self._remove(d)
        self.dirs = []

    def describe(self) -> str:
        return (f"{self.mode}: memory {self.memory // (1024 * 1024)} MiB, "
                f"cpu {self.cpu_quota * 100 // CFS_PERIOD_US} %, pids {self.max_processes}")


_PROBES = itertools.count()


def available(root: Path | str = CGROUP_ROOT) -> str | None:
    """None if a sandbox's limits can be applied here, else why not (a dry run as root)."""
    # a name of its own per probe: the hub probes before every spawn, several at once on its
    # threads, and one name per hub process made the second of two at once find the first's
    # directory - "limits cannot be applied", a session refused (503) for nothing
    probe = Limits(f"probe-{os.getpid()}-{next(_PROBES)}", 256, 50, 16, root)
    try:
        probe.apply()
    except LimitsUnavailable as e:
        return str(e)
    probe.release()
    return None
