"""What of the host's ``/proc`` a sandbox sees: a default-deny view (S1, S7).

bubblewrap mounts a ``/proc`` of the sandbox's own PID namespace, but most of its top level is
the *machine's*: CPU times (``stat``), load, memory, interrupts, disk and page-cache counters,
pressure stall figures, open-file and inode counts in ``/proc/sys/fs``, ext4 allocator state
under ``/proc/fs``, the idle time of every CPU (``uptime``).  Every one of them moves when
another session works, so two sessions on one host (other cases, other people) could signal to
each other through them, and they tell a session what others are doing.

The launcher therefore covers, after the mount, every top-level entry that is not the
session's own (its processes, ``self``, its network and IPC namespaces, mounts) or a fixed
description of the kernel, and no host figure is left in what it puts there:

* the files programs read for sizes and CPU counts are synthetic: ``stat`` has one line per
  CPU (glibc and ``nproc`` count them there without ``/sys``) with zero times and the boot time
  (ps needs it), ``meminfo`` says the session's own memory limit is all there is and all free,
  ``vmstat``, ``cgroups``, ``swaps``, ``partitions`` zero or headers only;
* ``uptime`` is the uptime at start with zero idle time (the idle time is the whole machine's),
  ``loadavg`` zero load;
* ``cpuinfo`` is the host's hardware description without the live clock (``cpu MHz``);
* every other file (known or not - a top-level entry added by a later kernel included) reads
  as empty, every other directory is an empty read-only tmpfs;
* the counters of ``/proc/sys`` (itself read-only) that follow the whole machine read zero.

``/proc/net`` cannot be covered by a mount - it is a link to ``/proc/<pid>/net``, one
directory per process, so no mount made at start covers processes started later - yet several
of its files are the machine's: ``softnet_stat`` (per-CPU packet counts: another session's
loopback traffic, in its own network namespace, moves them), the TCP/UDP memory pages in
``sockstat`` and ``protocols``, route-cache and conntrack statistics under ``stat/``.  Its
entries are, however, one set per network namespace, and their modes can be changed: so the
sysinfo shim, still root inside bwrap, calls :func:`close_net` - every entry of the sandbox's
own ``/proc/net`` but the per-namespace ones a session's tools read (``NET_KEEP``: interfaces,
its own sockets and routes, its own protocol counters) becomes root-only, default deny (an
entry a later kernel adds included).  The host's and other sandboxes' namespaces are untouched.

Not closed here: time itself (a session can still time its own work against another's load)
and ``sysinfo(2)`` (answered by the launcher instead: :mod:`hub_config.sysinfo_notify`).
"""
from __future__ import annotations

import os
import re
import stat

PROC = "/proc"
# The session's own (per process / namespace), or a fixed description of the kernel.
LIVE = frozenset({"self", "thread-self", "net", "sys", "sysvipc", "mounts",
                  "filesystems", "version"})
# Frozen at start: fixed descriptions of the kernel's drivers (change only when a module loads).
FROZEN = frozenset({"devices", "crypto", "misc", "consoles", "execdomains"})
# Said, not read: the host's load and process count are nobody's business.
NEUTRAL = {"loadavg": b"0.00 0.00 0.00 1/1 1\n",
           "swaps": b"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
           "partitions": b"major minor  #blocks  name\n\n"}
VMSTAT_KEYS = ("nr_free_pages", "nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
               "nr_active_file", "nr_dirty", "nr_writeback", "pgpgin", "pgpgout", "pswpin",
               "pswpout", "pgfault", "pgmajfault")
# Machine-wide counters inside /proc/sys: every figure reads 0.
FROZEN_SYS = ("sys/fs/dentry-state", "sys/fs/file-nr", "sys/fs/inode-nr", "sys/fs/inode-state",
              "sys/fs/aio-nr", "sys/kernel/pty/nr", "sys/fs/quota/lookups",
              "sys/fs/quota/drops", "sys/fs/quota/reads", "sys/fs/quota/writes",
              "sys/fs/quota/cache_hits", "sys/fs/quota/allocated_dquots",
              "sys/fs/quota/free_dquots", "sys/fs/quota/syncs")


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(1 << 20)


def _stat(host: bytes) -> bytes:
    """CPU lines kept by name with zero times, the boot time kept, every counter zero."""
    out = []
    for line in host.decode("ascii", "replace").splitlines():
        key = line.split(" ", 1)[0]
        if key.startswith("cpu"):
            out.append(key + (" " if key == "cpu" else "") + " 0" * 10)
        elif key == "btime":
            out.append(line)
    out += ["intr 0", "ctxt 0", "processes 0", "procs_running 1", "procs_blocked 0",
            "softirq 0 0 0 0 0 0 0 0 0 0 0"]
    return ("\n".join(out) + "\n").encode()


def _meminfo(memory_mb: int) -> bytes:
    kb = int(memory_mb) * 1024
    rows = [("MemTotal", kb), ("MemFree", kb), ("MemAvailable", kb), ("Buffers", 0),
            ("Cached", 0), ("SwapCached", 0), ("Active", 0), ("Inactive", 0),
            ("SwapTotal", 0), ("SwapFree", 0), ("Dirty", 0), ("Writeback", 0),
            ("AnonPages", 0), ("Mapped", 0), ("Shmem", 0), ("Slab", 0), ("SReclaimable", 0),
            ("SUnreclaim", 0), ("CommitLimit", kb), ("Committed_AS", 0)]
    text = "".join(f"{k + ':':<16}{v:>8} kB\n" for k, v in rows)
    return (text + "HugePages_Total:       0\nHugePages_Free:        0\n"
            "Hugepagesize:       2048 kB\n").encode()


def _cgroups(host: bytes) -> bytes:
    """Controllers and hierarchies kept, the machine-wide count of cgroups said as 1."""
    out = []
    for line in host.decode("ascii", "replace").splitlines():
        f = line.split()
        out.append(line if line.startswith("#") or len(f) != 4 else
                   f"{f[0]}\t{f[1]}\t1\t{f[3]}")
    return ("\n".join(out) + "\n").encode()


def _cpuinfo(host: bytes) -> bytes:
    return b"".join(line for line in host.splitlines(keepends=True)
                    if not line.startswith(b"cpu MHz"))


def _uptime(host: bytes) -> bytes:
    up = host.split()[0] if host.split() else b"0.00"
    return up + b" 0.00\n"


SYNTHETIC = {"stat": _stat, "cgroups": _cgroups, "cpuinfo": _cpuinfo, "uptime": _uptime,
             "vmstat": lambda _host: "".join(f"{k} 0\n" for k in VMSTAT_KEYS).encode()}


def masks(proc: str = PROC, memory_mb: int = 1024) -> tuple[dict[str, bytes], list[str]]:
    """``({sandbox path: content}, [directories to cover])`` from the host's ``/proc`` now;
    ``memory_mb``: the session's memory limit, all ``meminfo`` says there is."""
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
        if name == "meminfo":
            content = _meminfo(memory_mb)
        elif (name in FROZEN or name in SYNTHETIC) and st.st_mode & stat.S_IROTH:
            try:
                content = _read(path)
            except OSError:
                content = b""
            if name in SYNTHETIC:
                content = SYNTHETIC[name](content)
        files[f"{PROC}/{name}"] = content
    for rel in FROZEN_SYS:
        path = os.path.join(proc, rel)
        try:
            host = _read(path)
        except OSError:
            continue  # not on this kernel
        files[f"{PROC}/{rel}"] = re.sub(rb"\d+", b"0", host)
    return files, dirs


# Entries of a sandbox's own /proc/net that stay readable: one set per network namespace,
# nothing in them but the namespace's own (its loopback, sockets, routes, protocol counters),
# and what psutil, ip/ifconfig/netstat and Python read.  Everything else becomes root-only.
NET_KEEP = frozenset({"dev", "if_inet6", "tcp", "tcp6", "udp", "udp6", "udplite",
                      "udplite6", "raw", "raw6", "unix", "route", "ipv6_route", "netstat",
                      "snmp", "snmp6", "icmp", "icmp6"})


def close_net(net: str = "/proc/self/net", keep=NET_KEEP) -> list[str]:
    """Make every entry of this network namespace's ``/proc/net`` but ``keep`` root-only (run
    as root inside the sandbox, before the uid switch).  Refuses a namespace with an interface
    other than loopback: that could be the host's own, whose modes must never change."""
    with open(os.path.join(net, "dev")) as f:
        ifaces = [line.split(":")[0].strip() for line in f.read().splitlines()[2:]]
    if ifaces != ["lo"]:
        raise OSError(f"/proc/net of a namespace with interfaces {ifaces}: not a sandbox's own")
    closed = []
    for name in sorted(os.listdir(net)):
        if name in keep:
            continue
        path = os.path.join(net, name)
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            continue
        os.chmod(path, 0o500 if stat.S_ISDIR(st.st_mode) else 0o400)
        closed.append(name)
    return closed
