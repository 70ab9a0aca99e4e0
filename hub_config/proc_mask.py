"""What of the host's ``/proc`` a sandbox sees: a default-deny view (S1, S7).

bubblewrap mounts a ``/proc`` of the sandbox's own PID namespace, but most of its top level is
the *machine's*: CPU times (``stat``), load, memory, interrupts, disk and page-cache counters,
pressure stall figures, open-file and inode counts in ``/proc/sys/fs``, ext4 allocator state
under ``/proc/fs``.  Every one of them moves when another session works, so two sessions on
one host (other cases, other people) could signal to each other through them, and they tell
a session what others are doing.

The launcher therefore covers, after the mount, every top-level entry that is not the
session's own (its processes, ``self``, its network and IPC namespaces, mounts, uptime) or a
fixed description of the kernel:

* a few files programs read for sizes and CPU counts (``ps`` needs ``stat``'s boot time, glibc
  counts CPUs from it without ``/sys``, allocators read ``meminfo``) are frozen: the content
  the launcher read when the session started, read-only;
* ``loadavg`` says zero load;
* every other file (known or not - a top-level entry added by a later kernel included) reads
  as empty, every other directory is an empty read-only tmpfs;
* the counters of ``/proc/sys`` (itself read-only) that follow the whole machine are frozen too.

Not closed: time itself (a session can still time its own work against another's load), and
``sysinfo(2)`` (glibc sizes memory with it).
"""
from __future__ import annotations

import os
import stat

PROC = "/proc"
# The session's own (per process / namespace), or a fixed description of the kernel.
LIVE = frozenset({"self", "thread-self", "net", "sys", "sysvipc", "mounts", "uptime",
                  "filesystems", "version"})
# Frozen at start: read by ordinary programs, world-readable, the same for any reader.
FROZEN = frozenset({"stat", "meminfo", "cpuinfo", "vmstat", "zoneinfo",
                    "buddyinfo", "interrupts", "softirqs", "diskstats", "cgroups", "swaps",
                    "partitions", "devices", "crypto", "misc", "consoles", "execdomains"})
# Said, not read: the host's load and process count at start are nobody's business.
NEUTRAL = {"loadavg": b"0.00 0.00 0.00 1/1 1\n"}
# Machine-wide counters inside /proc/sys.
FROZEN_SYS = ("sys/fs/dentry-state", "sys/fs/file-nr", "sys/fs/inode-nr", "sys/fs/inode-state",
              "sys/fs/aio-nr", "sys/kernel/pty/nr", "sys/fs/quota/lookups",
              "sys/fs/quota/drops", "sys/fs/quota/reads", "sys/fs/quota/writes",
              "sys/fs/quota/cache_hits", "sys/fs/quota/allocated_dquots",
              "sys/fs/quota/free_dquots", "sys/fs/quota/syncs")


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(1 << 20)


def masks(proc: str = PROC) -> tuple[dict[str, bytes], list[str]]:
    """``({sandbox path: content}, [directories to cover])`` from the host's ``/proc`` now."""
    files: dict[str, bytes] = {}
    dirs: list[str] = []
    for name in sorted(os.listdir(proc)):
        if name.isdigit() or name in LIVE:
            continue
        path = os.path.join(proc, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue  # self, thread-self, mounts, net: the session's own
        if stat.S_ISDIR(st.st_mode):
            dirs.append(f"{PROC}/{name}")
            continue
        content = NEUTRAL.get(name, b"")
        if name in FROZEN and st.st_mode & stat.S_IROTH:
            try:
                content = _read(path)
            except OSError:
                content = b""
        files[f"{PROC}/{name}"] = content
    for rel in FROZEN_SYS:
        path = os.path.join(proc, rel)
        try:
            files[f"{PROC}/{rel}"] = _read(path)
        except OSError:
            continue  # not on this kernel
    return files, dirs
