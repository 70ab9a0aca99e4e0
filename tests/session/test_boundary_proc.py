"""The machine's counters in /proc are not a channel between sessions (S1, S7).

A sandbox reads every file under its /proc (but its own processes) twice; between the two
reads the host - standing for other sessions - forks hundreds of processes, allocates and
touches memory, writes and syncs a file, holds thousands of files and dozens of terminals open,
makes cgroups and loads the CPU.  Nothing but a fresh random UUID may differ (``uptime`` is
frozen at start with zero idle time).  Without ``hub_config.proc_mask`` ``stat``, ``loadavg``, ``meminfo``, ``vmstat``,
``interrupts``, ``diskstats``, ``pressure/*``, ``sys/fs/file-nr``... all moved.  Ordinary tools
(ps, top, free, nproc, ``os.cpu_count``) still work.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.session.host_work import read_while_host_works

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 probe")]

SCAN = r"""
import json, os, sys, time
def scan():
    out = {}
    for root, dirs, files in os.walk("/proc"):
        top = root[len("/proc"):].strip("/").split("/")[0]
        if top.isdigit() or top in ("self", "thread-self"):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.isdigit() and d not in ("self", "thread-self")]
        for f in files:
            try:
                with open(os.path.join(root, f), "rb") as fh:
                    out[os.path.join(root, f)] = fh.read(1 << 16).decode("latin-1")
            except OSError:
                pass
    return out
a = scan()
open("/workspace/proc.ready", "w").close()
while not os.path.exists("/workspace/proc.go"):
    time.sleep(0.05)
b = scan()
def entry(n):
    try:
        if os.path.isdir("/proc/" + n):
            return sorted(os.listdir("/proc/" + n))
        with open("/proc/" + n, "rb") as fh:
            return fh.read(1 << 16).decode("latin-1")
    except OSError as e:
        return "unreadable: " + str(e.errno)
top = {n: entry(n) for n in os.listdir("/proc") if not n.isdigit()
       and n not in ("self", "thread-self")}
print("RESULT " + json.dumps({"readable": len(a), "top": top,
                              "changed": sorted(p for p in a if a[p] != b.get(p))}))
"""


@pytest.fixture(scope="module")
def scan(world):
    return read_while_host_works(world, world.spec(name="procscan"), SCAN, [], "proc")


def test_nothing_under_proc_follows_the_machine(scan):
    assert scan["readable"] > 100  # /proc/sys and the frozen files are there to read
    assert set(scan["changed"]) <= {"/proc/sys/kernel/random/uuid"}, scan["changed"]


@pytest.mark.parametrize("name", ["kallsyms", "cmdline", "key-users", "locks", "timer_list",
                                  "slabinfo", "pagetypeinfo", "vmallocinfo", "iomem",
                                  "ioports", "keys", "kmsg", "kcore", "config.gz", "mtrr",
                                  "dma", "kpagecount", "kpageflags", "kpagecgroup"])
def test_other_host_files_read_empty(scan, name):
    if name not in scan["top"]:
        pytest.skip(f"/proc/{name} not on this kernel")
    assert scan["top"][name] == "", scan["top"][name][:200]


@pytest.mark.parametrize("name", ["pressure", "fs", "driver", "tty", "acpi", "irq", "bus"])
def test_host_directories_are_empty(scan, name):
    if name not in scan["top"]:
        pytest.skip(f"/proc/{name} not on this kernel")
    assert scan["top"][name] == []


def test_an_entry_nobody_named_is_covered_too():
    """Default deny: a top-level entry the lists do not know (a later kernel's) is emptied."""
    from hub_config import proc_mask

    with tempfile.TemporaryDirectory() as d:
        for n, body in (("stat", "cpu  1 2 3\ncpu0 1 2 3\nbtime 17\nctxt 99\n"),
                        ("brand_new_counter", "42\n"),
                        ("loadavg", "7.0 7.0 7.0 9/300 1234\n")):
            Path(d, n).write_text(body)
        Path(d, "brand_new_dir").mkdir()
        Path(d, "1234").mkdir()
        Path(d, "uptime").write_text("1 1\n")
        files, dirs = proc_mask.masks(d)
    assert files["/proc/brand_new_counter"] == b""
    # synthetic, not emptied: ps and glibc read it (CPU lines and boot time, no figure)
    assert files["/proc/stat"].startswith(b"cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
                                          b"btime 17\n") and b"99" not in files["/proc/stat"]
    assert files["/proc/loadavg"].startswith(b"0.00 0.00 0.00")
    assert dirs == ["/proc/brand_new_dir"]
    assert files["/proc/uptime"] == b"1 0.00\n"  # no idle time: the whole machine's
    assert "/proc/1234" not in dirs


def test_ordinary_tools_still_work(world):
    code, log, err = world.run(world.spec(name="proctools"), [
        sys.executable, "-c",
        "import os, subprocess, json\n"
        "r = subprocess.run(['sh', '-c', 'ps aux >/dev/null && top -b -n1 >/dev/null && "
        "free -m >/dev/null && nproc'], capture_output=True, text=True)\n"
        "print('RESULT ' + json.dumps({'rc': r.returncode, 'nproc': r.stdout.strip(), "
        "'cpus': os.cpu_count(), 'err': r.stderr[-300:]}))\n"])
    assert code == 0, (log + err)[-2000:]
    res = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    assert res["rc"] == 0, res
    assert res["cpus"] == os.cpu_count() and res["nproc"] == str(len(os.sched_getaffinity(0)))
