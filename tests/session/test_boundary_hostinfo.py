"""No figure of the host, and no host path, is readable from inside a sandbox (S1, S7).

One sandbox reads everything a session could learn the machine's state from - ``/proc``'s
memory, CPU, load, uptime/idle, vmstat, disk, pressure and cgroup files, ``/proc/sys``
counters, ``/proc/net``, ``/sys``, its own cgroup and mount table - twice, while
the host (standing for other sessions) forks, allocates, writes, opens sockets and sends
traffic in between.  Compared with the host's own values: no host figure appears, nothing but
the few accepted ``/proc/net`` lines moves, and no host directory of the enclave's state or of
another case is named.
"""
from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest

from tests.session.host_work import read_while_host_works

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 probe")]

FILES = ["meminfo", "stat", "uptime", "loadavg", "vmstat", "diskstats", "cgroups", "zoneinfo",
         "buddyinfo", "interrupts", "softirqs", "swaps", "partitions", "cpuinfo",
         "sys/fs/file-nr", "sys/fs/inode-nr", "sys/fs/dentry-state", "sys/kernel/pty/nr",
         "self/cgroup", "self/mountinfo", "self/mounts"]
# The machine's figures in /proc/net (softnet_stat moves with another namespace's loopback
# traffic; sockstat/protocols carry the host's TCP/UDP memory): root-only in a sandbox's own
# namespace (proc_mask.close_net); the per-namespace files tools read stay.
NET_CLOSED = ["softnet_stat", "sockstat", "sockstat6", "protocols", "ptype", "rt_cache",
              "nf_conntrack", "fib_triestat", "psched", "dev_mcast"]
NET_OPEN = ["dev", "tcp", "tcp6", "udp", "unix", "route", "netstat", "snmp", "if_inet6"]

PROBE = r"""
import ctypes, errno, json, os, sys, time
def read(p):
    try:
        with open(p, "rb") as f:
            return f.read(1 << 18).decode("latin-1")
    except OSError as e:
        return "unreadable: " + errno.errorcode.get(e.errno, "?")
def listing(p):
    try:
        return sorted(os.listdir(p))
    except OSError as e:
        return "unreadable: " + errno.errorcode.get(e.errno, "?")
def net():
    out = {}
    for root, dirs, files in os.walk("/proc/self/net"):
        for f in files:
            p = os.path.join(root, f)
            out[p.replace("/proc/self/net", "/proc/net")] = read(p)
    return out
files = json.loads(sys.argv[1])
a = {f: read("/proc/" + f) for f in files}
na = net()
libc = ctypes.CDLL(None, use_errno=True)
import struct
def sysinfo_call():
    buf = ctypes.create_string_buffer(112)
    r = libc.syscall(ctypes.c_long(99), buf)  # sysinfo
    if r != 0:
        return errno.errorcode.get(ctypes.get_errno(), "?")
    f = struct.unpack("=q3Q6QHH4xQQI4x", buf.raw)
    return {"uptime": f[0], "loads": list(f[1:4]), "totalram": f[4], "freeram": f[5],
            "sharedram": f[6], "bufferram": f[7], "totalswap": f[8], "freeswap": f[9],
            "procs": f[10], "mem_unit": f[14]}
sysinfo = sysinfo_call()
sysinfo_threads = []
import threading
for _ in range(4):  # several callers at once: each gets its answer
    t = threading.Thread(target=lambda: sysinfo_threads.append(sysinfo_call()))
    t.start()
for t in threading.enumerate():
    if t is not threading.current_thread():
        t.join()
open("/workspace/hostinfo.ready", "w").close()
while not os.path.exists("/workspace/hostinfo.go"):
    time.sleep(0.05)
b = {f: read("/proc/" + f) for f in files}
nb = net()
direct = {}
for n in json.loads(sys.argv[2]):
    direct[n] = read("/proc/net/" + n)
print("RESULT " + json.dumps({"net_direct": direct,
    "files": a, "changed": sorted(f for f in files if a[f] != b[f]),
    "net_changed": sorted(p for p in na if na[p] != nb.get(p)), "net": na,
    "sys": listing("/sys"), "sys_cgroup": listing("/sys/fs/cgroup"),
    "sys_cpu": listing("/sys/devices/system/cpu"), "pressure": listing("/proc/pressure"),
    "sysinfo": sysinfo, "sysinfo_threads": sysinfo_threads, "cpus": os.cpu_count(),
    "phys_pages": os.sysconf("SC_PHYS_PAGES")}))
"""


@pytest.fixture(scope="module")
def host():
    """The host's own values, read now (the sandbox must show none of them)."""
    out = {}
    for f in ("meminfo", "stat", "uptime", "loadavg", "vmstat", "cgroups", "sys/fs/file-nr"):
        out[f] = Path("/proc", f).read_text()
    return out


@pytest.fixture(scope="module")
def probe(world, host):
    spec = world.spec(name="hostinfo", limits={"memory_mb": 1024, "cpu_percent": 100,
                                               "max_processes": 64, "workspace_mb": 16})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    port = listener.getsockname()[1]
    try:  # the host's traffic too (the accepted /proc/net lines are the only ones to move)
        res = read_while_host_works(world, spec, PROBE, [json.dumps(FILES),
                                                         json.dumps(NET_CLOSED + NET_OPEN)],
                                    "hostinfo",
                                    port=port, forks=100, files=1000, ptys=0, memory_mb=100,
                                    disk_mb=8, cgroups=0, busy_loop=150_000)
    finally:
        listener.close()
    res["port"] = port
    res["spec"] = spec
    return res


def _numbers(text: str, least: int = 1000) -> set[str]:
    """The host's figures worth looking for: numbers large enough not to occur by chance."""
    return {n for n in re.findall(r"\d+", text) if int(n) >= least}


@pytest.mark.parametrize("name", ["meminfo", "stat", "vmstat", "sys/fs/file-nr"])
def test_no_host_figure_appears(probe, host, name):
    inside = set(re.findall(r"\d+", probe["files"][name]))
    keep = set()
    if name == "stat":  # the boot time (ps needs it) is a fixed fact, not a figure that moves
        keep = {line.split()[1] for line in host["stat"].splitlines()
                if line.startswith("btime")}
    if name == "meminfo":  # the page sizes are the architecture's
        keep = {line.split()[1] for line in host["meminfo"].splitlines()
                if line.startswith("Hugepagesize")}
    leaked = (_numbers(host[name]) - keep) & inside
    assert not leaked, sorted(leaked)[:20]


def test_meminfo_is_the_sessions_own_limit(probe):
    mem = probe["files"]["meminfo"]
    limit_kb = int(probe["spec"]["limits"]["memory_mb"]) * 1024
    assert re.search(rf"^MemTotal:\s+{limit_kb} kB$", mem, re.M), mem[:300]
    assert re.search(rf"^MemAvailable:\s+{limit_kb} kB$", mem, re.M)


def test_idle_time_load_and_cgroup_counts_are_not_the_hosts(probe, host):
    up, idle = probe["files"]["uptime"].split()
    assert idle == "0.00"
    host_idle = host["uptime"].split()[1]
    assert host_idle not in probe["files"]["uptime"]
    assert probe["files"]["loadavg"].startswith("0.00 0.00 0.00 1/1 ")
    counts = {line.split()[2] for line in probe["files"]["cgroups"].splitlines()[1:]}
    assert counts <= {"1"}, counts


@pytest.mark.parametrize("name", ["diskstats", "zoneinfo", "buddyinfo", "interrupts",
                                  "softirqs"])
def test_machine_counter_files_read_empty(probe, name):
    assert probe["files"][name] == "", probe["files"][name][:200]


def test_swaps_and_partitions_name_no_host_device(probe):
    assert probe["files"]["swaps"].count("\n") == 1
    assert probe["files"]["partitions"].strip() == "major minor  #blocks  name"
    assert "MHz" not in probe["files"]["cpuinfo"]


def test_nothing_moves_while_the_host_works(probe):
    assert probe["changed"] == [], probe["changed"]
    assert probe["net_changed"] == [], probe["net_changed"]


@pytest.mark.parametrize("name", NET_CLOSED)
def test_machine_wide_net_files_are_closed(probe, name):
    """S1/S7: /proc/net entries other than the namespace's own are root-only inside."""
    if not os.path.exists(f"/proc/self/net/{name}"):
        pytest.skip(f"/proc/net/{name} not on this kernel")
    assert probe["net_direct"][name] == "unreadable: EACCES", probe["net_direct"][name][:200]
    # the host's own namespace is untouched
    assert os.stat(f"/proc/self/net/{name}").st_mode & 0o044  # not made 0400 here


@pytest.mark.parametrize("name", NET_OPEN)
def test_the_namespaces_own_net_files_stay_readable(probe, name):
    assert not probe["net_direct"][name].startswith("unreadable"), probe["net_direct"][name]


def test_sysinfo_answers_the_sessions_own_figures(probe):
    """sysinfo(2) cannot be refused (glibc sizes memory with it; Chromium dies on 0): the
    launcher answers it (hub_config.sysinfo_notify) - the session's memory limit, zero load,
    one process, its own uptime - never the machine's."""
    import ctypes

    host = (ctypes.c_byte * 112)()
    assert ctypes.CDLL(None).sysinfo(host) == 0
    host_procs = int.from_bytes(bytes(host)[80:82], "little")
    limit = int(probe["spec"]["limits"]["memory_mb"]) << 20
    for got in [probe["sysinfo"], *probe["sysinfo_threads"]]:
        assert isinstance(got, dict), got
        assert got["totalram"] * got["mem_unit"] == limit and got["freeram"] == got["totalram"]
        assert got["loads"] == [0, 0, 0] and got["procs"] == 1 and got["totalswap"] == 0
        assert 0 <= got["uptime"] < 600
    assert host_procs > 1  # the machine's count, which the session no longer reads
    assert len(probe["sysinfo_threads"]) == 4
    assert probe["phys_pages"] == limit // os.sysconf("SC_PAGE_SIZE")
    assert probe["cpus"] == os.cpu_count()


def test_no_sys_and_no_host_cgroup(probe):
    assert probe["sys"].startswith("unreadable: ENOENT")
    assert probe["sys_cgroup"].startswith("unreadable")
    assert probe["sys_cpu"].startswith("unreadable")
    assert probe["pressure"] == []
    for line in probe["files"]["self/cgroup"].splitlines():
        assert line.rsplit(":", 1)[1] == "/", line  # its own cgroup namespace: no host path


def test_network_files_show_only_the_sandboxs_own(probe):
    net = probe["net"]
    devs = [line.split(":")[0].strip() for line in net["/proc/net/dev"].splitlines()[2:]]
    assert devs == ["lo"]
    port_hex = f":{probe['port']:04X}"
    assert port_hex not in net["/proc/net/tcp"]  # the host's listener is not listed
    assert "/tmp/encsb" not in net.get("/proc/net/unix", "")


def test_mount_table_names_no_host_directory(probe, world):
    """mountinfo shows each bind's source path inside its file system: the workspace is a
    file system of its own (root "/", hub_config.workspace_disk), the Jupyter config is data,
    not a bind of the hub's directory; no other case appears.  (The case's read-only imports
    directory still shows its path under the projects area: the session's own case.)"""
    info = probe["files"]["self/mountinfo"]
    assert str(world.projects / "c1" / "workspace") not in info
    assert str(world.cfg) not in info
    assert "/c2" not in info and str(world.root / "hub.log") not in info
    ws = [line for line in info.splitlines() if line.split()[4] == "/workspace"]
    assert len(ws) == 1 and ws[0].split()[3] == "/", ws
