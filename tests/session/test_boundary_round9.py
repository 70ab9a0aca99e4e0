"""Round 9 of the sandbox boundary (S1, S7), in REAL sandboxes (bubblewrap, both seccomp layers,
the launcher's notification filter: ``conftest.world``), probe program ``boundary_probe9.py``.

1. **Code from scratch** (found open, closed): Landlock refused ``execve`` of a program written
   into ``/tmp``, ``/var/tmp``, the home or ``/dev/shm``, but bwrap's ``--tmpfs`` mounts were
   ``exec``, so every way that only *maps* a file's code ran it: ``ld.so /tmp/prog``,
   ``ctypes.CDLL`` of a planted library, ``LD_PRELOAD`` of it into a subprocess, an extension
   module imported from there, ``mmap(PROT_EXEC)`` (``test_without_the_close_scratch_code_
   runs``).  The launcher now mounts each scratch tmpfs ``noexec,nosuid,nodev`` itself
   (``hub_config.sandbox_devices.make_scratch``) and bwrap binds it in place.  The workspace
   image was ``noexec`` already (``test_workspace_quota.py``).
2. **Scheduling above other sessions** (closed by default deny): the sandbox inherited the hub's
   ``RLIMIT_RTPRIO``/``RLIMIT_NICE``; under a hub started with real-time priority allowed, a
   session's ``SCHED_FIFO`` threads sit outside the CPU cgroup's share and quota.  The launcher
   now sets both to 0 (``hub_config.sandbox.pinned_rlimits``).  On this host the hub's own are
   0 already, so the sandbox run shows the result and the in-process test the launcher's part.
3. **The machine's huge pages** (found open, closed): ``mmap(MAP_HUGETLB)`` took pages of the
   host's hugetlb pool (``vm.nr_hugepages``: PostgreSQL's, other sessions'), outside the memory
   cgroup's limit, and how many a session could still take told what the others held - with
   4 pages set aside for the check, a sandbox got 1 while another process held 3, and 4 when
   none was held.  The deny layer now refuses ``MAP_HUGETLB``, ``SHM_HUGETLB`` and
   ``MFD_HUGETLB`` (``seccomp_filter.refuse_huge_pages``); the tests below need no pool.
4. **Discovery**: every place the session can write is ``noexec``.
5. **The host's swap** (found open on cgroup v1, closed): ``memory.limit_in_bytes`` bounds RAM
   alone; with a 256 MB swap file on this host a 256 MB sandbox held 384 MB, the rest of its
   memory (case data) in the host's swap on disk.  The v1 plan now also writes
   ``memory.memsw.limit_in_bytes`` = the limit and ``memory.swappiness`` 0
   (``cgroups.swap_limit``; a host with swap but no swap accounting refuses the sandbox).
"""
from __future__ import annotations

import json
import mmap
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub_config import sandbox as sandbox_mod
from hub_config import sandbox_devices
from tests.session import boundary_probe9 as bp
from tests.session import probe_runs
from tests.session.test_sandbox import HUB_SECRETS

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 paths")]

PROBE = Path(bp.__file__).read_text()
LIMITS = {"memory_mb": 512, "cpu_percent": 100, "max_processes": 64, "scratch_mb": 16}
MEMBERS = ("execve", "ld_so", "dlopen", "preload", "import", "mmap_exec")
REFUSED = {"execve": "EACCES", "ld_so": "rc127 map-refused", "dlopen": "refused",
           "preload": "refused", "import": "refused", "mmap_exec": "EPERM"}
# the launcher with the close switched off (the demonstration that the hole is real)
UNGUARDED = ("import runpy, sys; from hub_config import sandbox_devices as d; "
             "d.scratch_options = lambda: 'nosuid,nodev'; sys.argv = sys.argv[1:]; "
             "runpy.run_module('hub_config.sandbox', run_name='__main__')")


def _places(name: str) -> list[str]:
    return ["/tmp", "/var/tmp", f"/home/{name}", "/dev/shm"]


def _run(world, name: str, mode: str, guarded: bool = True) -> dict:
    spec = world.spec(name=name, limits=LIMITS)
    path = world.root / "sandbox" / f"{name}.json"
    path.write_text(json.dumps(spec))
    head = [sys.executable, "-m", "hub_config.sandbox"] if guarded else \
        [sys.executable, "-c", UNGUARDED, "hub_config.sandbox"]
    p = subprocess.run([*head, str(path), "--", sys.executable, "-c", PROBE, mode,
                        json.dumps({"places": _places(name)})], capture_output=True,
                       text=True, timeout=180, env={**os.environ, **HUB_SECRETS})
    log = Path(spec["log"]).read_text()
    assert p.returncode == 0 and "RESULT " in log, (log + p.stderr)[-3000:]
    return probe_runs.result(log)


@pytest.fixture(scope="module")
def scratch(world):
    r = _run(world, "r9scratch", "scratch")
    # nothing of the launcher's scratch is left mounted on the host once the sandbox ended
    with open("/proc/self/mountinfo") as f:
        r["host_mounts_left"] = [line for line in f if str(world.root) in line
                                 and "enclave-scratch" in line]
    return r


# ----------------------------------------------------------- 1. code from scratch: closed
@pytest.mark.parametrize("member", MEMBERS)
@pytest.mark.parametrize("place", ["tmp", "var_tmp", "home", "dev_shm"])
def test_no_program_or_library_written_into_scratch_runs(scratch, place, member):
    where = {"tmp": "/tmp", "var_tmp": "/var/tmp", "home": "/home/r9scratch",
             "dev_shm": "/dev/shm"}[place]
    got = scratch["places"][where]
    assert "plant" not in got, got  # it could write there (the attempt was made)
    assert got[member] == REFUSED[member], (where, member, got[member])


@pytest.mark.parametrize("place", ["/tmp", "/var/tmp", "/home/r9scratch", "/dev/shm"])
def test_scratch_is_noexec_nosuid_nodev_of_its_size_and_still_usable(scratch, place):
    got = scratch["places"][place]
    assert {"rw", "noexec", "nosuid", "nodev"} <= set(got["options"]), got["options"]
    assert f"size={LIMITS['scratch_mb'] * 1024}k" in got["options"]
    assert got["read_back"] == "xxx"


def test_the_systems_own_programs_and_libraries_still_load(scratch):
    """The controls: the same calls on /usr's files; ctypes callbacks (libffi closures) and a
    multiprocessing pool (semaphores in /dev/shm) - what ordinary work needs."""
    assert scratch["control"] == {"ld_so": "rc0", "dlopen": "loaded", "preload": "loaded rc0",
                                  "mmap_exec": "mapped", "import": "imported"}
    assert scratch["callback"] == 42 and scratch["pool"] == [1, 2]


def test_no_scratch_mount_is_left_on_the_host(scratch):
    assert scratch["host_mounts_left"] == []


def test_without_the_close_scratch_code_runs(world):
    """Why: the launcher with ``scratch_options`` switched back to bwrap's flags (exec) - the
    same probe loads and runs everything it planted; only ``execve`` stays refused
    (Landlock)."""
    r = _run(world, "r9open", "scratch", guarded=False)
    got = r["places"]["/tmp"]
    print(f"\nround 9 without the close, /tmp: {got}")
    assert got["execve"] == "EACCES"
    assert (got["ld_so"], got["dlopen"], got["preload"], got["import"], got["mmap_exec"]) == \
        ("rc0", "loaded", "loaded rc0", "imported", "mapped")


def test_no_place_the_session_can_write_runs_code(world):
    """Default deny, found by discovery: every mount point of a sandbox (and each directory
    right under one) the session can create a file in is ``noexec`` (and ``nosuid``,
    ``nodev``) - scratch by this round,
    the workspace by its image.  The server's socket directory is sealed (root's) before any
    kernel runs, as the spawner and the overnight runner do."""
    spec = world.spec(name="r9write", limits={**LIMITS, "workspace_mb": 16})
    sess = Path(spec["rw_binds"][1][0])
    os.chown(sess, 0, 0)
    os.chmod(sess, 0o755)
    path = world.root / "sandbox" / "r9write.json"
    path.write_text(json.dumps(spec))
    p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                        sys.executable, "-c", PROBE, "writable", "{}"], capture_output=True,
                       text=True, timeout=180, env={**os.environ, **HUB_SECRETS})
    log = Path(spec["log"]).read_text()
    assert p.returncode == 0 and "RESULT " in log, (log + p.stderr)[-3000:]
    found = probe_runs.result(log)["writable"]
    assert {"/tmp", "/var/tmp", "/home/r9write", "/dev/shm", "/workspace"} <= set(found), found
    print(f"\nround 9: writable places {sorted(found)}")
    loose = {d: w for d, w in found.items()
             if not {"noexec", "nosuid", "nodev"} <= set(w["options"])}
    assert loose == {}


# ----------------------------------------------------------- the launcher's part (in-process)
def test_the_launchers_scratch_is_noexec(tmp_path):
    """``make_scratch`` as the launcher calls it: each point a tmpfs of its own, noexec (root
    itself cannot map code from it), nosuid, nodev, 1777; ``remove`` leaves nothing mounted."""
    here, _binds = sandbox_devices.make(tmp_path / "devices", "r9", ptys=0)
    try:
        points = sandbox_devices.make_scratch(here, ["/tmp", "/dev/shm"], 1 << 20)
        assert sorted(points) == ["/dev/shm", "/tmp"]
        for host in points.values():
            flags = os.statvfs(host).f_flag
            assert flags & os.ST_NOEXEC and flags & os.ST_NOSUID and flags & os.ST_NODEV
            assert oct(os.stat(host).st_mode & 0o7777) == "0o1777"
            lib = Path(host) / "lib.so"
            shutil.copyfile(bp.LIBRARY, lib)
            with open(lib, "rb") as f, pytest.raises(PermissionError):
                mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)
        assert len({os.stat(h).st_dev for h in points.values()}) == 2
    finally:
        sandbox_devices.remove(here)
    assert not here.exists()
    with open("/proc/self/mountinfo") as f:
        assert str(here) not in f.read()


def test_a_killed_launchers_scratch_is_unmounted_by_the_next_start(tmp_path):
    """A launcher SIGKILLed before its command started leaves its scratch mounted on the host
    (root's 0700 directory); the next sandbox's start finds the launcher gone and unmounts it."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    top = tmp_path / "devices"
    stale, _ = sandbox_devices.make(top, "r9stale", ptys=0)
    stale = stale.rename(top / f"r9stale.{dead.pid}")
    sandbox_devices.make_scratch(stale, ["/tmp"], 1 << 20)
    (stale / "scratch0" / "left").write_text("x")
    here, _ = sandbox_devices.make(top, "r9next", ptys=0)
    try:
        assert not stale.exists()
        with open("/proc/self/mountinfo") as f:
            assert str(stale) not in f.read()
    finally:
        sandbox_devices.remove(here)


def test_bwrap_binds_the_launchers_scratch_instead_of_its_own_tmpfs(world):
    spec = world.spec(name="r9argv", limits=LIMITS)
    scratch = {p: f"/host/scratch{i}" for i, p in enumerate([*spec["tmpfs"], "/dev/shm"])}
    argv = sandbox_mod.bwrap_argv(spec, ["true"], seccomp_fds=[], info_fd=9, data_fds={
        d: 0 for d in spec["files"]}, scratch=scratch)
    joined = " ".join(argv)
    for point, host in scratch.items():
        assert f"--bind {host} {point} " in joined
        assert f"--tmpfs {point} " not in joined
    # a scratch point is bound after its parent is made 0755, and before what is made in it
    home = argv.index(scratch["/home/r9argv"])
    assert argv.index("/home") < home
    inner = [i for i, a in enumerate(argv) if a.startswith("/tmp/") and argv[i - 1] == "--dir"]
    assert all(i > argv.index(scratch["/tmp"]) for i in inner)


# ----------------------------------------------------------- 3. the hugetlb pool: closed
HUGE_WAYS = ("mmap", "shmget", "memfd_create")


@pytest.fixture(scope="module")
def huge(world):
    return _run(world, "r9huge", "huge")


@pytest.mark.parametrize("way", HUGE_WAYS)
def test_no_huge_page_of_the_machines_pool_in_a_sandbox(huge, way):
    """EPERM from the filter - the kernel's own answer on this host (no pool) is ENOMEM for
    mmap and shmget and a memfd for memfd_create, so the filter is what answered."""
    assert huge[way] == "EPERM", huge


def test_ordinary_memory_segments_and_memfds_still_come(huge):
    assert (huge["shmget_plain"], huge["memfd_plain"]) == ("ok", "ok")


def _in_child(fn, filtered: bool) -> dict:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            if filtered:
                from hub_config.seccomp_filter import load_here

                load_here()
            os.write(w, json.dumps(fn()).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    os.waitpid(pid, 0)
    return json.loads(text)


def test_the_filter_is_what_refuses_huge_pages():
    """The same three calls without and with the filter: without it the kernel answers (a
    page, or ENOMEM where the host has no pool), with it every one is EPERM."""
    bare = _in_child(bp.huge_attempts, filtered=False)
    assert all(bare[w] in ("ok", "ENOMEM") for w in HUGE_WAYS), bare
    assert bare["memfd_create"] == "ok"  # a hugetlb memfd is made whatever the pool holds
    filtered = _in_child(bp.huge_attempts, filtered=True)
    assert {w: filtered[w] for w in HUGE_WAYS} == dict.fromkeys(HUGE_WAYS, "EPERM")
    assert (filtered["shmget_plain"], filtered["memfd_plain"]) == ("ok", "ok")


# ----------------------------------------------------------- 5. the host's swap: closed (v1)
SWAP_LIMITS = {"memory_mb": 256, "cpu_percent": 100, "max_processes": 64, "scratch_mb": 16}


def test_the_v1_plan_keeps_a_sandbox_out_of_the_hosts_swap(tmp_path):
    """What ``Limits`` writes on a cgroup v1 host with swap accounting: RAM and swap together
    bounded by the memory limit (written after it: the kernel refuses memsw below the limit),
    and the cgroup's reclaim never swapping."""
    from hub_config import cgroups

    parent = tmp_path / "memory" / cgroups._own(tmp_path, "memory")
    parent.mkdir(parents=True)
    (parent / "memory.memsw.limit_in_bytes").write_text("")
    lim = cgroups.Limits("r9swap", 256, 50, 16, root=tmp_path)
    if lim._v2():
        pytest.skip("cgroup v2 host: memory.swap.max 0 (round 2)")
    mem = [files for d, files in lim._plan() if "/memory/" in str(d)][0]
    keys = list(mem)
    assert mem["memory.memsw.limit_in_bytes"] == mem["memory.limit_in_bytes"] == str(256 << 20)
    assert keys.index("memory.limit_in_bytes") < keys.index("memory.memsw.limit_in_bytes")
    assert mem["memory.swappiness"] == "0"


@pytest.mark.parametrize("swaps, planned", [
    ("Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1024 0 -2\n", True),
    ("Filename\tType\tSize\tUsed\tPriority\n", False)])
def test_without_swap_accounting_only_a_host_without_swap_goes_unbounded(tmp_path, swaps,
                                                                         planned):
    """No ``memsw`` file: with swap on the host the files are planned all the same (their
    write fails, the sandbox is refused - all or nothing); without swap nothing is bounded."""
    from hub_config import cgroups

    (tmp_path / "swaps").write_text(swaps)
    got = cgroups.swap_limit(1 << 28, tmp_path, str(tmp_path / "swaps"))
    assert bool(got) is planned
    if planned:
        assert got["memory.memsw.limit_in_bytes"] == str(1 << 28)


def test_a_sandbox_holds_no_more_than_its_memory_with_the_hosts_swap(world):
    """Real: a 256 MB sandbox writing 384 MB is ended at its limit (measured before the close
    with a 256 MB swap file on this host: it held all 384 MB, 128 MB and more of it in the
    host's swap).  Only where the host has swap: without it there is nothing to go to."""
    if len(Path("/proc/swaps").read_text().splitlines()) < 2:
        pytest.skip("no swap on this host (checked with a temporary swap file in round 9)")
    spec = world.spec(name="r9swapped", limits=SWAP_LIMITS)
    path = world.root / "sandbox" / "r9swapped.json"
    path.write_text(json.dumps(spec))
    code = ("import mmap, os\nheld = []\nfor i in range(48):\n    m = mmap.mmap(-1, 8 << 20)\n"
            "    m.write(os.urandom(1 << 20) * 8)\n    held.append(m)\nprint('HELD', len(held) * 8)")
    p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                        sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=180, env={**os.environ, **HUB_SECRETS})
    log = Path(spec["log"]).read_text()
    assert "HELD 384" not in log and p.returncode != 0, log[-2000:]


# ----------------------------------------------------------- 2. scheduling: default deny
def test_no_real_time_scheduling_and_no_negative_nice(world):
    r = _run(world, "r9sched", "sched")
    assert r["rtprio"] == [0, 0] and r["nice_limit"] == [0, 0]
    assert r["SCHED_FIFO"] == "EPERM" and r["SCHED_RR"] == "EPERM"
    assert r["nice_down"] == "EACCES" and r["raise_rtprio"] == "ValueError"


def test_the_launcher_pins_scheduling_limits_whatever_the_hub_has():
    """What the launcher sets in every sandbox's first process (the hub's own limits are not
    looked at): real-time priority, real-time CPU time and the nice ceiling all 0."""
    pinned = sandbox_mod.pinned_rlimits()
    assert pinned.get("RLIMIT_RTPRIO") == (0, 0)
    assert pinned.get("RLIMIT_NICE") == (0, 0)
    assert pinned.get("RLIMIT_RTTIME") == (0, 0)
