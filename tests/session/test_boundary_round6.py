"""Round 6 of the sandbox boundary (S1, S7): what one session can do to or learn from ANOTHER
session, and what it can leave behind its slot - in REAL sandboxes (bubblewrap, both seccomp
layers, Landlock, cgroups, a uid of its own each: ``conftest.world``).

``two``: a session of case c1 (``boundary_probe6.hold``) and one of case c2 (``watch``) run at
once.  The first takes write locks (POSIX and OFD) on the device nodes every session opens for
writing, read locks and a lease on shared read-only files, sets their times and xattrs, makes
System V objects under a known key, a POSIX queue, keys, an abstract socket, files in every
scratch place and outside, a double-forked ignoring daemon; the second looks for all of it,
watches the same files for changes, then the first writes, touches and reads them again.  Then
the first session ends and later sessions of both cases (``next``) look for what was left; the
host looks for its processes, cgroups and device nodes.  ``bounds``: what one session may hold
of the machine's shared pools (open files, in-flight descriptors, inotify instances, keys) with
the ordinary counterparts (sqlite, DuckDB spilling, a pip-less script); the session's log over
many runs.  What stays open is in docs/sessions.md "The sandbox".
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.session import probe_runs
from tests.session import boundary_probe6 as bp

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]

PROBE = Path(bp.__file__).read_text()
LIMITS = {"memory_mb": 512, "cpu_percent": 100, "max_processes": 64, "scratch_mb": 16}
STDLIB = os.path.dirname(os.__file__)
SHARED = {"stdlib": os.path.join(STDLIB, "bisect.py"), "usr_bin": "/usr/bin/true",
          "etc": "/etc/protocols", "package": os.path.join(STDLIB, "json", "decoder.py")}
SHARED_DIRS = [os.path.join(STDLIB, "json"), "/usr/bin"]
FUTEX_FILE = os.path.join(STDLIB, "tabnanny.py")  # no other process maps it
ABSTRACT = f"\0enclave-r6-{os.getpid()}"


_result = probe_runs.result
_wait = probe_runs.wait_for


def _start(world, name: str, case: str, mode: str, cfg: dict, limits=LIMITS):
    return probe_runs.start(world, name, case, PROBE, mode, cfg, limits)


def _uid_processes(uid: int) -> list[int]:
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("Uid:") and int(line.split()[1]) == uid:
                    out.append(int(pid))
        except OSError:
            continue
    return out


@pytest.fixture(scope="module")
def two(world):
    ws1, ws2 = (world.projects / c / "workspace" for c in ("c1", "c2"))
    for p in (*SHARED.values(), *SHARED_DIRS):  # atime settled (relatime: no update for a day)
        if os.path.isfile(p):
            Path(p).read_bytes()
        else:
            os.listdir(p)
    hold_cfg = {"flag": "r6hold", "shared": SHARED, "abstract": ABSTRACT, "pipes": 3000,
                "home": "/home/r6hold", "futex_file": FUTEX_FILE}
    watch_cfg = {"flag": "r6watch", "shared": SHARED, "shared_dirs": SHARED_DIRS,
                 "abstract": ABSTRACT, "futex_file": FUTEX_FILE}
    sa, pa = _start(world, "r6hold", "c1", "hold", hold_cfg)
    pb = None
    host: dict = {}
    try:
        _wait(ws1 / "r6hold.ready", pa, sa)
        sb, pb = _start(world, "r6watch", "c2", "watch", watch_cfg)
        _wait(ws2 / "r6watch.ready", pb, sb)
        (ws1 / "r6hold.go").touch()
        _wait(ws1 / "r6hold.done", pa, sa)
        (ws2 / "r6watch.go").touch()
        assert pb.wait(120) == 0, Path(sb["log"]).read_text()[-2000:]
        uid = world.uid_for("r6hold")
        host["hold_processes_running"] = len(_uid_processes(uid))
        (ws1 / "r6hold.end").touch()  # the slot ends: the session's command returns
        assert pa.wait(120) == 0, Path(sa["log"]).read_text()[-2000:]
        mark = ws1 / "r6hold.daemon"
        host["daemon_ran"] = mark.exists()
        first = mark.read_text() if mark.exists() else None
        time.sleep(1.0)
        host["daemon_wrote_after_end"] = mark.exists() and mark.read_text() != first
        host["hold_processes_after"] = _uid_processes(uid)
        cg = Path("/sys/fs/cgroup")
        host["cgroups_after"] = [str(p) for p in cg.glob("*/**/enclave-r6hold.*")]
        devs = Path(sa["log"]).parent.parent / "devices"
        host["device_dirs_after"] = sorted(p.name for p in devs.iterdir()) \
            if devs.is_dir() else []
    finally:
        for p in (pa, pb):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    later = {}
    for name, case in (("r6hold", "c1"), ("r6next", "c2")):  # itself, and another case
        spec, proc = _start(world, name, case, "next", {"abstract": ABSTRACT,
                                                         "home": f"/home/{name}"})
        assert proc.wait(120) == 0, Path(spec["log"]).read_text()[-2000:]
        later[case] = _result(Path(spec["log"]).read_text().rsplit("limits", 1)[1])
    return {"hold": _result(Path(sa["log"]).read_text()),
            "watch": _result(Path(sb["log"]).read_text()), "host": host, "later": later}


# ------------------------------------------------------- 1. shared kernel objects as channels
@pytest.mark.parametrize("dev", bp.DEVS)
@pytest.mark.parametrize("kind", ["posix", "ofd"])
def test_a_write_lock_on_a_device_node_is_not_the_other_sessions(two, dev, kind):
    assert two["hold"][f"{kind}_{dev}"] == "ok"  # taken, on its own node
    assert two["watch"][f"{kind}_{dev}"] == "ok", two["watch"]  # EAGAIN on bwrap's shared one


@pytest.mark.parametrize("dev", bp.DEVS)
def test_a_lock_query_on_a_device_node_sees_nothing_of_the_other(two, dev):
    assert two["watch"][f"getlk_{dev}"] is False


@pytest.mark.parametrize("dev", bp.DEVS)
def test_touching_a_device_node_moves_no_other_sessions_times(two, dev):
    assert two["hold"][f"utime_{dev}"] == "ok"
    assert dev not in two["watch"]["moved_times"], two["watch"]["moved_times"]


@pytest.mark.parametrize("dev", bp.DEVS)
def test_writing_a_device_node_reaches_no_other_sessions_watch(two, dev):
    assert two["watch"]["watches"][dev] > 0  # the watch was set: change watches are allowed
    assert dev not in two["watch"]["events"], two["watch"]["events"]


@pytest.mark.parametrize("label", sorted(SHARED))
def test_a_read_lock_on_a_shared_file_is_told_to_no_other_session(two, label):
    # taken for real (sqlite/DuckDB take theirs on their own files the same way) ...
    assert two["hold"][f"posix_rd_{label}"] == "ok"
    assert two["hold"][f"ofd_rd_{label}"] == "ok"
    # ... and the other session's queries answer F_UNLCK, its flock 0 (statfs_notify)
    assert two["watch"][f"getlk_{label}"] is False
    assert two["watch"][f"ofd_getlk_{label}"] is False
    assert two["watch"][f"flock_ex_{label}"] == "ok"


@pytest.mark.parametrize("label", sorted(SHARED))
def test_no_lease_time_or_xattr_on_a_shared_file(two, label):
    assert two["hold"][f"lease_{label}"] in ("EACCES", "EAGAIN")  # not its file
    assert two["hold"][f"utime_{label}"] in ("EROFS", "EACCES", "EPERM")
    assert two["hold"][f"setxattr_{label}"] in ("EROFS", "EPERM", "ENOTSUP", "EACCES")
    assert two["watch"][f"getxattr_{label}"] in ("ENODATA", "ENOTSUP")


@pytest.mark.parametrize("path", [*SHARED.values(), *SHARED_DIRS])
def test_reading_shared_files_moves_no_times_and_no_watch(two, path):
    assert two["watch"]["watches"][path] > 0
    assert path not in two["watch"]["moved_times"]  # atime: read-only binds, no update
    assert path not in two["watch"]["events"]


@pytest.mark.parametrize("what", ["shmget", "semget", "msgget"])
def test_system_v_objects_are_per_session(two, what):
    assert two["hold"][what] == "ok"  # in its own IPC namespace
    assert two["watch"][f"find_{what}"] == "ENOENT"


def test_no_posix_queue_no_shared_shm_no_ipc_listing(two):
    assert two["hold"]["mq_open"] == "ENOSYS"
    assert two["watch"]["dev_shm"] == []
    assert two["watch"]["sysvipc"] == {"shm": [], "sem": [], "msg": []}


def test_an_abstract_socket_is_the_sessions_own(two):
    assert two["watch"]["abstract_connect"] == "ECONNREFUSED"


@pytest.mark.parametrize("member,key", [("hold", "add_key_user"), ("hold", "join_named_keyring"),
                                        ("watch", "user_keyring"),
                                        ("watch", "join_named_keyring")])
def test_no_keyring_between_sessions(two, member, key):
    assert two[member][key] == "EPERM"


def test_a_private_futex_wakes_nothing_of_another_session(two):
    assert two["watch"]["futex_wake_private"] == 0


def test_no_cgroup_file_shows_another_session(two):
    assert two["watch"]["sys"] is False
    assert all(line.endswith(":/") for line in two["watch"]["proc_cgroup"])


@pytest.mark.parametrize("key", ["own_watch_events", "own_utime", "own_lock_seen_by_child",
                                 "dev_null_write"])
def test_its_own_files_keep_their_watches_times_and_locks(two, key):
    assert two["watch"][key] is True


def test_its_own_device_node_and_xattr_still_work(two):
    assert two["watch"]["dev_null_lock_own"] == "ok"
    assert two["watch"]["own_xattr"] in ("ok", "ENOTSUP")  # tmpfs user xattrs: kernel >= 6.6


# ------------------------------------------------------- 2. state that outlives the slot
def test_the_session_ran_its_daemon_while_it_lasted(two):
    assert two["host"]["daemon_ran"] is True and two["host"]["hold_processes_running"] > 0


@pytest.mark.parametrize("key", ["daemon_wrote_after_end", "hold_processes_after",
                                 "cgroups_after", "device_dirs_after"])
def test_nothing_of_the_session_runs_or_stays_on_the_host_after_it(two, key):
    assert not two["host"][key], two["host"][key]


@pytest.mark.parametrize("place", ["/tmp", "/var/tmp", "/dev/shm", "/home"])
def test_the_session_planted_in_its_scratch(two, place):
    key = [k for k in two["hold"] if k.startswith(f"plant_{place}")]
    assert key and two["hold"][key[0]] == "ok"


@pytest.mark.parametrize("place", ["/etc/cron.d", "/var/spool/cron", "/usr/lib", "/etc", "/",
                                   "/run", "/var/lib", "/opt"])
def test_nothing_planted_outside_its_workspace_and_scratch(two, place):
    assert two["hold"][f"plant_outside_{place}"] in ("EROFS", "ENOENT", "EACCES")


@pytest.mark.parametrize("sock", ["/run/systemd/private", "/run/dbus/system_bus_socket",
                                  "/run/user/0/bus", "/var/run/atd.pid"])
def test_no_scheduler_to_leave_a_job_with(two, sock):
    assert two["hold"][f"scheduler_{sock}"] == "ENOENT"


def test_no_move_to_another_cgroup(two):
    assert two["hold"]["sys_cgroup_procs"] in ("ENOENT", "EROFS")


@pytest.mark.parametrize("case", ["c1", "c2"])
@pytest.mark.parametrize("place", ["/tmp", "/var/tmp", "/dev/shm"])
def test_the_next_session_finds_no_scratch_left(two, case, place):
    assert two["later"][case]["left"][place] is False


@pytest.mark.parametrize("case", ["c1", "c2"])
def test_the_next_session_finds_no_home_ipc_socket_or_lock_left(two, case):
    later = two["later"][case]
    assert later["left"]["/home/r6hold" if case == "c1" else "/home/r6next"] is False
    assert later["sysvipc"] == {"shm": [], "sem": [], "msg": []}
    assert later["find_shm"] == "ENOENT"
    assert later["abstract_connect"] == "ECONNREFUSED"
    assert later["dev_null_lock"] == "ok"


def test_another_case_sees_nothing_of_the_first_cases_workspace(two):
    assert not [n for n in two["later"]["c2"]["workspace"] if n.startswith("r6hold")]
    assert "r6hold.daemon" in two["later"]["c1"]["workspace"]  # the case's own work stays


# ------------------------------------------------------- 3. what one session may hold
@pytest.fixture(scope="module")
def bounds(world):
    spec, proc = _start(world, "r6bound", "c2", "bound", {})
    assert proc.wait(300) == 0, Path(spec["log"]).read_text()[-2000:]
    return _result(Path(spec["log"]).read_text())


CAP = 1024  # 65 536 files a sandbox, over LIMITS' 64 processes (sandbox.open_files_cap)


def test_open_files_are_shared_out_of_the_sandboxs_budget(bounds):
    assert bounds["nofile"] == [CAP, CAP]


def test_open_files_stop_at_the_cap(bounds):
    assert bounds["raise_nofile"] in ("EPERM", "EINVAL")
    assert bounds["open_stop"] == "EMFILE" and bounds["opened"] < CAP


def test_files_parked_in_a_socket_are_bounded_too(bounds):
    assert bounds["inflight"]["stop"] == "ETOOMANYREFS"
    # the kernel checks before adding a message's descriptors (at most 253 of them)
    assert bounds["inflight"]["sent"] <= CAP + 253


def test_inotify_instances_are_bounded(bounds):
    # the kernel's per-uid cap; every session has a uid of its own
    assert bounds["inotify_stop"] == "EMFILE" and bounds["inotify_instances"] <= 128


def test_terminals_stop_at_the_sandboxs_own_pool(bounds):
    """bwrap's devpts had no max: one session could take the machine's whole pool of
    terminals (kernel.pty.max less the host's reserve, 3 072), every other session's."""
    assert bounds["pty_stop"] == "ENOSPC" and bounds["ptys"] == 64


def test_a_terminal_still_opens_and_echoes(bounds):
    assert bounds["openpty_echo"] is True


def test_no_key_quota_to_exhaust(bounds):
    assert bounds["add_key_session"] == "EPERM"


def test_ordinary_work_within_the_bounds(bounds):
    assert bounds["sqlite"] == 499500
    if bounds["duckdb"] != "absent":
        assert bounds["duckdb"] == [3000000, 3000000 * 2999999 // 2]
    assert bounds["script"] == "2"


@pytest.mark.parametrize("spec,hard,expected", [
    ({}, 20000, 1024), ({}, 512, 512), ({"max_open_files": 4096}, 1 << 20, 4096),
    ({"max_open_files": 4096}, -1, 4096)])
def test_the_open_files_cap(spec, hard, expected):
    from hub_config.sandbox import open_files_cap

    assert open_files_cap(spec, 64, hard) == expected


def test_a_cap_too_small_to_run_is_refused():
    from hub_config.sandbox import SandboxError, open_files_cap

    with pytest.raises(SandboxError):
        open_files_cap({"max_open_files": 8}, 64, 20000)


def test_the_log_over_many_runs_stays_bounded(world):
    """The log cap held per run: a session ended and started again grew its host log without
    end.  Now a log at the cap is moved aside at the next start."""
    spec = world.spec(name="r6log", limits=LIMITS)
    spec["log_max_mb"] = 1
    out = "import sys; sys.stdout.write('x' * (3 << 19)); sys.stdout.flush()"
    for _ in range(4):
        code, _, err = world.run(spec, [sys.executable, "-c", out])
        assert code == 0, err
    log = Path(spec["log"])
    sizes = [log.stat().st_size, Path(f"{log}.1").stat().st_size]
    assert all(s < 2 * (1 << 20) + 4096 for s in sizes), sizes
    assert b"log cut at 1 MB" in log.read_bytes()  # the cap still says so


def test_a_device_node_directory_on_a_nodev_mount_is_refused(tmp_path):
    """No fallback to the shared nodes: a place where nodes cannot be opened refuses the
    sandbox (a nodev tmpfs mounted for the test)."""
    from hub_config import sandbox_devices

    mnt = tmp_path / "nodev"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "nodev,size=1m", "tmpfs", str(mnt)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with pytest.raises(sandbox_devices.DeviceError, match="nodev"):
            sandbox_devices.make(mnt / "devices", "x")
        assert not list((mnt / "devices").iterdir())  # nothing half-made
    finally:
        subprocess.run(["umount", str(mnt)])


def test_device_nodes_are_made_and_removed(tmp_path):
    from hub_config import sandbox_devices

    here, binds = sandbox_devices.make(tmp_path / "devices", "x")
    assert sorted(binds) == sorted([*(f"/dev/{n}" for n in sandbox_devices.NODES),
                                    "/dev/pts"])
    assert os.path.ismount(binds["/dev/pts"])
    for dst, src in binds.items():
        if dst == "/dev/pts":
            continue
        st, host = os.stat(src), os.stat(dst)
        assert st.st_rdev == host.st_rdev and st.st_ino != host.st_ino
        assert st.st_mode & 0o777 == 0o666 and st.st_uid == 0
    assert os.stat(here).st_mode & 0o777 == 0o700
    sandbox_devices.remove(here)
    assert not here.exists()  # the terminals' mount gone with it


def test_a_log_at_its_cap_is_moved_aside_at_the_next_open(tmp_path):
    from hub_config.sandbox import open_log

    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    log = logs / "s.log"
    os.close(open_log(str(log), 1 << 20))
    log.write_bytes(b"x" * (1 << 20))
    fd = open_log(str(log), 1 << 20)  # at the cap: moved to s.log.1, a new s.log
    os.close(fd)
    assert Path(f"{log}.1").stat().st_size == 1 << 20 and log.stat().st_size == 0
    log.write_bytes(b"y" * 100)
    os.close(open_log(str(log), 1 << 20))  # under it: kept, appended to
    assert log.read_bytes() == b"y" * 100 and Path(f"{log}.1").read_bytes()[:1] == b"x"
