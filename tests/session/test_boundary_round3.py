"""Round 3 of the sandbox boundary (S1, S7): members no earlier probe tried, in the REAL sandbox.

Real bubblewrap, both seccomp layers, Landlock, cgroups and an unprivileged uid of its own
(``conftest.world``).  ``boundary_probe3.run`` tries, each in a fork: the kernel interfaces
(io_uring, userfaultfd, perf, bpf, keyrings, fanotify, file handles, personality flags, every
mount API, unshare/setns/clone/clone3 with namespace flags, kexec, modules, iopl/ioperm, quotas,
acct, swap, reboot, syslog, vhangup, LDT, clocks, NUMA moves, x32 and ``int 0x80``), the
sandbox's root-owned init (its /proc entries, pidfd, ptrace, signals, scheduling), seccomp
re-entry meant to loosen, every netlink protocol and socket family but the allowed ones, the
host's abstract socket, terminals and consoles, the host's System V and POSIX IPC, and
resource exhaustion (scratch tmpfs fill, fork and thread bombs).  ``boundary_probe3.meet``
stands for one session while the host stands for another: watches and notifications on the
shared read-only files, their free space, locks on them (all closed in this round), an
abstract socket each way.  The lifetime
tests kill the launcher under a daemonised session.  Each refused member has, where one
exists, the ordinary counterpart that must still work.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.session import boundary_probe3 as bp
from tests.session.boundary_probe import in_child

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]

PROBE = Path(bp.__file__).read_text() + "\n" + \
    Path(bp.__file__).with_name("boundary_probe3_shared.py").read_text()
# bound from the host (its free space moves with everyone's writes) / the sandbox's own
STATFS_SHARED = ["/usr", "/usr/bin", "/etc/ssl", os.path.dirname(os.__file__), "/workspace"]
STATFS_OWN = ["/tmp", "/var/tmp", "/dev/shm"]
LIMITS = {"memory_mb": 512, "cpu_percent": 100, "max_processes": 32, "scratch_mb": 16}
STDLIB = os.path.dirname(os.__file__)  # bound read-only into every sandbox at the same path
_libc = ctypes.CDLL(None, use_errno=True)


def _result(log: str) -> dict:
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])


@pytest.fixture(scope="module")
def host_objects():
    """What another session (or the host) holds: System V objects under a known key, a POSIX
    shared-memory file, an abstract socket."""
    key = 0x5E3C0000 + os.getpid() % 65536
    shm = _libc.shmget(key, 4096, 0o1666)
    sem = _libc.semget(key, 1, 0o1666)
    msg = _libc.msgget(key, 0o1666)
    assert min(shm, sem, msg) >= 0
    posix = f"enclave-r3-{os.getpid()}"
    Path("/dev/shm", posix).write_text("host's\n")
    ab = socket.socket(socket.AF_UNIX)
    name = f"\0enclave-r3-host-{os.getpid()}"
    ab.bind(name)
    ab.listen()
    yield {"abstract_host": name, "ipc_key": key, "shm_id": shm, "posix_shm": posix}
    ab.close()
    _libc.shmctl(shm, 0, None), _libc.semctl(sem, 0, 0), _libc.msgctl(msg, 0, None)
    Path("/dev/shm", posix).unlink()


@pytest.fixture(scope="module")
def r3(world, host_objects):
    cfg = {**host_objects, "fill_mb": 64, "shared_file": os.path.join(STDLIB, "abc.py"),
           "statfs_paths": STATFS_SHARED + STATFS_OWN}
    code, log, err = world.run(world.spec(name="round3", limits=LIMITS),
                               [sys.executable, "-c", PROBE, "run", json.dumps(cfg)],
                               timeout=300)
    assert code == 0, (log + err)[-3000:]
    return _result(log)


# ------------------------------------------------------------------ kernel interfaces
KERNEL_EPERM = [
    "io_uring_setup_sqpoll", "io_uring_setup_plain", "io_uring_enter", "io_uring_register",
    "userfaultfd_kernel", "userfaultfd_cloexec", "perf_sw_clock", "perf_hw_cycles_any_cpu",
    "perf_tracepoint", "bpf_map_create", "bpf_prog_load", "bpf_obj_get",
    "keyctl_get_keyring_id", "keyctl_describe", "keyctl_join_named", "add_key_user_session",
    "add_key_keyring", "request_key_user", "fanotify_init_notif", "fanotify_init_report_fid",
    "name_to_handle_at_usr", "open_by_handle_at_root", "personality_read_implies_exec",
    "personality_mmap_page_zero", "personality_addr_compat", "personality_addr_limit_32bit",
    "personality_svr4", "mount_bind", "mount_remount_rw", "umount_lazy_workspace",
    "pivot_root", "move_mount", "fsopen_proc", "fsopen_cgroup", "fspick_root", "fsconfig",
    "fsmount", "open_tree_clone", "mount_setattr_rw", "unshare_files", "unshare_fs",
    "unshare_zero", "unshare_sysvsem", "unshare_newuser_newns", "setns_pid1_mnt",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "iopl_3",
    "ioperm_80", "quotactl_getfmt", "quotactl_fd", "acct_off", "acct_on", "swapon", "swapoff",
    "reboot_cad_off", "syslog_size", "syslog_read_all", "vhangup", "modify_ldt_write",
    "modify_ldt_read_default", "settimeofday", "clock_settime", "clock_adjtime_read",
    "adjtimex_read", "sethostname", "setdomainname", "lookup_dcookie", "nfsservctl", "uselib",
    "move_pages_self", "migrate_pages_self", "process_madvise", "kcmp_self",
    "clone_newuser_vfork", "clone_newns_thread", "clone_newpid_high_bits",
    "clone_newnet_newuser"]
KERNEL_ENOSYS = ["fanotify_mark", "mq_open", "io_setup", "vmsplice", "mincore",
                 "remap_file_pages", "memfd_secret", "map_shadow_stack",
                 "set_mempolicy_home_node", "sysfs", "ustat", "clone3_newuser",
                 "clone3_into_cgroup", "clone3_plain"]


@pytest.mark.parametrize("member", KERNEL_EPERM)
def test_kernel_interface_refused_by_the_deny_list(r3, member):
    assert r3[member] == "EPERM", r3[member]


@pytest.mark.parametrize("member", KERNEL_ENOSYS)
def test_kernel_interface_absent_for_the_session(r3, member):
    # the allow-list's answer (clone3: the C library falls back to clone, which is checked)
    assert r3[member] == "ENOSYS", r3[member]


@pytest.mark.parametrize("member", ["x32_getpid", "int80_getpid"])
def test_another_syscall_table_kills(r3, member):
    assert r3[member] == f"killed by signal {signal.SIGSYS}", r3[member]


# ------------------------------------------------------- the sandbox's init (root's)
INIT_REFUSED = ["proc_root_of_init", "proc_cwd_of_init", "proc_exe_of_init",
                "proc_environ_of_init", "proc_mem_of_init", "proc_syscall_of_init",
                "proc_stack_of_init", "proc_auxv_of_init", "proc_maps_of_init",
                "proc_pagemap_of_init", "proc_personality_of_init",
                "proc_timerslack_ns_of_init", "proc_fd_of_init", "proc_task_comm_of_init",
                "pidfd_send_signal_init", "pidfd_getfd_init", "kill_init",
                "ptrace_seize_init", "process_vm_readv_init", "setns_pidfd_init",
                "proc_ns_open_init", "oom_adj_init", "setpriority_init",
                "sched_setaffinity_init", "ioprio_set_init"]


def test_the_only_other_process_is_the_sandboxs_init(r3):
    assert r3["foreign_pids"] == [1] and len(r3["pids"]) <= 3, r3["pids"]


@pytest.mark.parametrize("member", INIT_REFUSED)
def test_init_cannot_be_read_signalled_or_steered(r3, member):
    assert r3[member] in ("EACCES", "EPERM"), r3[member]


# --------------------------------------------------------------- seccomp re-entry
@pytest.mark.parametrize("member,expected", [
    ("seccomp_allow_all_then_unshare", "EPERM"),   # a stacked filter never loosens
    ("seccomp_spec_allow_then_bpf", "EPERM"),
    ("seccomp_new_listener", "EBUSY"),             # the launcher's sysinfo listener is there
])
def test_seccomp_reentry_does_not_loosen(r3, member, expected):
    assert r3[member] == expected, r3[member]


def test_restricting_itself_further_still_works(r3):
    assert r3["landlock_restrict_more"] == "ok"


# ----------------------------------------------------------------- ways to the host
@pytest.mark.parametrize("proto", sorted(bp.NETLINK))
@pytest.mark.parametrize("kind", ["netlink", "netlink_dgram"])
def test_netlink_other_than_route_refused(r3, proto, kind):
    assert r3[f"{kind}_{proto}"] == "EPROTONOSUPPORT", r3[f"{kind}_{proto}"]


@pytest.mark.parametrize("family", sorted(bp.FAMILIES))
def test_socket_family_refused_for_every_type(r3, family):
    got = {typ: r3[f"family_{family}_{typ}"] for typ in (1, 2, 3, 5)}
    assert set(got.values()) == {"EAFNOSUPPORT"}, got


def test_unix_and_netlink_route_still_open(r3):
    assert r3["unix_ok"] == "ok" and r3["netlink_route_ok"] == "ok"


def test_the_hosts_abstract_socket_is_not_there(r3):
    assert r3["abstract_host"] == "ECONNREFUSED"
    assert r3["abstract_autobind_scan"] == "ECONNREFUSED"
    assert r3["proc_net_unix_names_host"] is False and r3["proc_net_unix_lines"] == 1


@pytest.mark.parametrize("dev", ["/dev/tty", "/dev/console", "/dev/tty0", "/dev/tty1",
                                 "/dev/ttyS0", "/dev/vcs", "/dev/vcsa", "/dev/pts/0"])
def test_no_console_or_other_terminal(r3, dev):
    # /dev/tty: no controlling terminal (a new session); the rest are not in its /dev
    assert r3[f"open_{dev.replace('/', '_')}"] in ("ENOENT", "ENXIO")


@pytest.mark.parametrize("member", ["tiocsti_pty", "tioclinux_pty", "tioccons_pty",
                                    "tiocsctty_steal"])
def test_terminal_injection_refused(r3, member):
    assert r3[member] in ("EPERM", "ENOSYS"), r3[member]


def test_own_terminals_still_open(r3):
    assert r3["open__dev_ptmx"] == "ok" and r3["pts_listing"] == ["ptmx"]


@pytest.mark.parametrize("member,expected", [
    ("shmget_host", "ENOENT"), ("semget_host", "ENOENT"), ("msgget_host", "ENOENT"),
    ("shm_id_host", "EINVAL")])
def test_ipc_of_the_host_is_not_shared(r3, member, expected):
    assert r3[member] == expected, r3[member]


def test_ipc_namespace_is_its_own(r3):
    assert r3["sysvipc_host_key"] is False and r3["posix_shm_host"] is False
    assert r3["dev_mqueue"] is False
    assert r3["ipc_own_shm"] == "ok"  # its own segments still work (X11 MIT-SHM)


@pytest.mark.parametrize("member", ["preadv2_nowait", "preadv2_nowait_hipri",
                                    "preadv2_nowait_high_bits"])
def test_page_cache_residency_of_a_shared_file_is_not_told(r3, member):
    assert r3[member] == errno.errorcode[errno.EOPNOTSUPP], r3[member]  # ENOTSUP: same number


def test_ordinary_preadv2_still_reads(r3):
    assert r3["preadv2_plain"] == "ok" and r3["preadv2_hipri"] == "ok"


# ------------------------------------------------- free space of the host's file system
@pytest.mark.parametrize("path", STATFS_SHARED)
def test_statfs_of_a_host_file_system_tells_no_free_space(r3, path):
    blocks, bfree, bavail, ffree = r3["statfs"][path]
    assert blocks > 0 and (bfree, bavail, ffree) == (0, 0, 0), r3["statfs"][path]


def test_fstatfs_of_a_host_file_tells_no_free_space(r3):
    assert r3["fstatfs_usr"][0] > 0 and r3["fstatfs_usr"][1:] == [0, 0, 0]


@pytest.mark.parametrize("path", STATFS_OWN)
def test_statfs_of_its_own_scratch_is_real(r3, path):
    blocks, bfree, bavail, ffree = r3["statfs"][path]
    assert blocks == LIMITS["scratch_mb"] << 20 >> 12 and 0 < bfree <= blocks and ffree > 0


def test_statfs_ordinary_uses(r3):
    before, after = r3["statfs_own_moves"]
    assert after < before  # its own writes show in its own scratch
    assert r3["statfs_relative"][1] > 0  # "." is its home (tmpfs)
    assert r3["statfs_missing"] == "ENOENT"
    assert r3["statfs_bad_pointer"] == "EFAULT" and r3["fstatfs_bad_buffer"] == "EFAULT"
    assert r3["fstatfs_bad_fd"] == "EBADF"
    code, text = r3["df"]
    assert code == 0 and " /tmp" in text
    threaded = r3["statfs_thread"]  # answered for a thread too (its own pidfd)
    assert threaded["statfs"]["/usr"][1:] == [0, 0, 0] and threaded["statfs"]["/tmp"][1] > 0
    assert threaded["fstatfs"] == "ok" and threaded["flock"] == "ok"


def test_the_answer_hides_free_space_only_off_the_sandboxs_own():
    """The launcher's decision on its own: a host file system answered as full, one of the
    sandbox's own as it is (rules_index switch: hide_free)."""
    from hub_config import statfs_notify

    fd = os.open("/usr/bin/true", os.O_RDONLY)
    try:
        real = os.fstatvfs(fd)
        hidden = struct.unpack_from("=7q", statfs_notify.answer_for(fd, set()))
        own = struct.unpack_from("=7q", statfs_notify.answer_for(fd, {os.fstat(fd).st_dev}))
    finally:
        os.close(fd)
    assert real.f_bfree > 0 and real.f_ffree > 0  # the control: the host's figures
    assert hidden[2] == real.f_blocks and hidden[3:5] == (0, 0) and hidden[6] == 0
    assert own[3] > 0 and own[6] > 0


@pytest.mark.parametrize("cpu_percent,spent,pause", [
    (50, 0.010, 0.010), (25, 0.003, 0.009), (10, 0.001, 0.009), (100, 0.5, 0.0),
    (200, 0.5, 0.0), (0, 0.001, 0.099), (50, 0.0, 0.0)])
def test_the_launchers_answers_are_held_to_the_sessions_cpu_share(cpu_percent, spent, pause):
    """The launcher answers outside the session's cgroup; after each answer it waits so that
    its time answering stays within the session's CPU share (rules_index switch: pause_for)."""
    from hub_config.statfs_notify import pause_for

    assert pause_for(spent, cpu_percent) == pytest.approx(pause, abs=1e-9)


# --------------------------------------------- more than its share, or root's settings
@pytest.mark.parametrize("member,refused", [
    ("sched_fifo", {"EPERM"}), ("sched_rr", {"EPERM"}), ("sched_deadline", {"EPERM"}),
    ("nice_negative", {"EACCES"}), ("ioprio_realtime", {"EPERM"}),
    ("timer_alarm_clock", {"EPERM", "ENOTSUP"}), ("oom_score_adj_lower", {"EACCES"}),
    ("write_drop_caches", {"EACCES", "EROFS"}), ("write_sysrq_trigger", {"EACCES", "EROFS", "ENOENT"}),
    ("write_core_pattern", {"EACCES", "EROFS"}), ("write_hostname_sysctl", {"EACCES", "EROFS"}),
    ("write_dev_new_file", {"EACCES", "EROFS"}), ("write_etc_new_file", {"EACCES", "EROFS"}),
    ("write_root_new_file", {"EACCES", "EROFS"}), ("chown_to_root", {"EPERM"}),
    ("chgrp_to_root", {"EPERM"}), ("madvise_mergeable", {"EINVAL"})])
def test_no_privileged_setting(r3, member, refused):
    assert r3[member] in refused, r3[member]


@pytest.mark.parametrize("member", ["rlimit_core_raise", "rlimit_nofile_raise"])
def test_hard_limits_cannot_be_raised(r3, member):
    assert r3[member].startswith("ValueError: not allowed to raise"), r3[member]


def test_ordinary_settings_still_work(r3):
    assert r3["oom_score_adj_raise"] == "ok" and r3["chmod_own"] == "ok"
    assert r3["madvise_dontneed"] == "ok"


# ---------------------------------------------------------------------- resources
@pytest.mark.parametrize("place", ["/tmp", "/var/tmp", "/dev/shm", "/home/round3"])
def test_scratch_fill_stops_at_its_size(r3, place):
    got = r3[f"fill_{place}"]
    assert got["error"] == "ENOSPC" and got["mb"] <= LIMITS["scratch_mb"], got


@pytest.mark.parametrize("bomb", ["fork_bomb", "thread_bomb"])
def test_process_and_thread_bombs_stop_at_the_pids_cap(r3, bomb):
    assert 0 < r3[bomb] < LIMITS["max_processes"], r3[bomb]


def test_no_core_dumps(r3):
    assert r3["rlimit_core"] == [0, 0]


def test_inode_exhaustion_of_scratch_is_charged_to_the_session(world):
    """Empty files cost no tmpfs size, only kernel memory: that memory is the session's
    (its memory cgroup) - the file loop ends killed, not after a million inodes."""
    script = ("import os\nos.mkdir('/tmp/d')\nfor n in range(1_500_000):\n"
              "    os.close(os.open(f'/tmp/d/{n}', os.O_CREAT | os.O_WRONLY, 0o600))\n"
              "print('RESULT ALL-CREATED', flush=True)\n")
    code, log, err = world.run(world.spec(name="inodes", limits={
        "memory_mb": 96, "cpu_percent": 100, "max_processes": 16, "scratch_mb": 16}),
        [sys.executable, "-c", script], timeout=300)
    assert code == 128 + signal.SIGKILL and "ALL-CREATED" not in log, (code, log[-500:])


# --------------------------------------- what one session could tell another (the host)
def _shared() -> dict:
    return {"flock_ex": f"{STDLIB}/abc.py", "flock_sh": f"{STDLIB}/ast.py",
            "posix_rd": f"{STDLIB}/bisect.py", "ofd_rd": f"{STDLIB}/bz2.py",
            "watch_file": f"{STDLIB}/calendar.py", "watch_dir": f"{STDLIB}/json",
            "host_flock_ex": f"{STDLIB}/cmd.py", "host_posix_wr_probe": f"{STDLIB}/code.py"}


@pytest.fixture(scope="module")
def meet(world):
    """The sandbox sets its watches, locks and socket; the host (another session) then
    probes the locks and the socket, takes locks of its own and opens the watched files."""
    shared = _shared()
    cfg = {"shared": shared, "flag": "round3meet", "statfs_paths": STATFS_SHARED,
           "abstract_inside": f"\0enclave-r3-inside-{os.getpid()}"}
    spec = world.spec(name="round3meet", limits=LIMITS)
    path = world.root / "sandbox" / "round3meet.json"
    path.write_text(json.dumps(spec))
    ws = world.projects / "c1" / "workspace"
    for f in ("ready", "go"):
        (ws / f"round3meet.{f}").unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c", PROBE, "meet", json.dumps(cfg)])
    host: dict = {}
    held = []
    try:
        deadline = time.monotonic() + 90
        while not (ws / "round3meet.ready").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        for how in ("flock_ex", "flock_sh"):
            fd = os.open(shared[how], os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                host[f"sees_{how}"] = False
            except BlockingIOError:
                host[f"sees_{how}"] = True
            finally:
                os.close(fd)
        for how in ("posix_rd", "ofd_rd"):
            fd = os.open(shared[how], os.O_RDONLY)
            res = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK,
                                                             0, 0, 0, 0))
            host[f"sees_{how}"] = struct.unpack("hhqqi4x", res)[0] != fcntl.F_UNLCK
            os.close(fd)
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(cfg["abstract_inside"])
                host["abstract_inside"] = "ok"
            except OSError as e:
                host["abstract_inside"] = errno.errorcode.get(e.errno, str(e))
        held.append(os.open(shared["host_flock_ex"], os.O_RDONLY))
        fcntl.flock(held[-1], fcntl.LOCK_EX)
        held.append(os.open(shared["host_posix_wr_probe"], os.O_RDONLY))
        fcntl.lockf(held[-1], fcntl.LOCK_SH)
        with open(world.root / "other-session-writes.bin", "wb") as f:  # host file system
            f.write(os.urandom(16 << 20))
            f.flush()
            os.fsync(f.fileno())
        os.unlink(world.root / "other-session-writes.bin")
        with open(world.root / "other-session-keeps.bin", "wb") as f:
            f.write(os.urandom(8 << 20))
            f.flush()
            os.fsync(f.fileno())
        for _ in range(3):  # another session reading the shared files
            Path(shared["watch_file"]).read_bytes()
            Path(shared["watch_dir"], "decoder.py").read_bytes()
        (ws / "round3meet.go").touch()
        assert proc.wait(90) == 0
    finally:
        for fd in held:
            os.close(fd)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for f in ("ready", "go"):
            (ws / f"round3meet.{f}").unlink(missing_ok=True)
    return {"inside": _result(Path(spec["log"]).read_text()), "host": host}


def test_another_sessions_writes_do_not_move_statfs(meet):
    assert meet["inside"]["statfs_before"] == meet["inside"]["statfs_after"]


@pytest.mark.parametrize("watch", ["inotify_open", "inotify_access", "inotify_close_nowrite",
                                   "inotify_all", "inotify_dir"])
def test_no_watch_for_reads_of_a_shared_file(meet, watch):
    assert meet["inside"][f"watch_{watch}"] == "EPERM", meet["inside"][f"watch_{watch}"]


def test_another_sessions_reads_reach_no_watch(meet):
    assert meet["inside"]["inotify_events"] == []
    assert meet["inside"]["dnotify_set"] == "EPERM" and meet["inside"]["dnotify_signals"] == 0


def test_watching_its_own_files_for_changes_still_works(meet):
    assert meet["inside"]["own_watch_events"] is True


def test_locks_on_its_own_files_still_work(meet):
    assert meet["inside"]["own_flock"] == "ok" and meet["inside"]["own_posix_lock"] == "ok"


def test_the_sessions_abstract_socket_is_not_reachable_from_outside(meet):
    assert meet["host"]["abstract_inside"] == "ECONNREFUSED"


def test_no_lease_on_a_shared_file(meet):
    assert meet["inside"]["lease_shared"] == "EACCES"


def test_no_session_sees_a_lock_on_a_shared_file(meet):
    """A lock on a shared read-only file is seen by every holder of that inode: flock both
    ways, a POSIX/OFD read lock through F_GETLK.  Now a flock on a file of any mount but the
    sandbox's own writable ones is answered without locking, and F_GETLK/F_OFD_GETLK there
    answer F_UNLCK (hub_config.statfs_notify).  (The host, root and unfiltered, still sees a
    session's POSIX read locks; another session asks through its own launcher.)"""
    assert meet["host"]["sees_flock_ex"] is False and meet["host"]["sees_flock_sh"] is False
    assert meet["inside"]["sees_host_flock"] is False
    assert meet["inside"]["sees_host_posix_lock"] is False
    assert meet["inside"]["sees_host_posix_lock_ofd"] is False


@pytest.mark.parametrize("place,expected", [
    ("tmp", ["ok", "EAGAIN"]), ("workspace", ["ok", "EAGAIN"]), ("shm", ["ok", "EAGAIN"]),
    ("dev_null", ["ok", "ok"]), ("usr", ["ok", "ok"]), ("stdlib", ["ok", "ok"])])
def test_flock_is_real_on_its_own_mounts_and_nothing_on_shared_ones(r3, place, expected):
    # two open descriptions, each asking LOCK_EX|LOCK_NB: the second fails only where the
    # lock is real (scratch, /dev/shm, the case's workspace)
    assert r3[f"flock_two_{place}"] == expected, r3[f"flock_two_{place}"]


def test_lock_semantics_on_its_own_files(r3):
    assert r3["flock_blocking_waits"] is True  # a blocking flock waits for the holder
    assert r3["getlk_own_sees_child"] is True  # F_GETLK: the kernel's own answer
    assert r3["ofd_getlk_own_sees_other"] is True  # F_OFD_GETLK: asked on its description
    assert r3["flock_bad_op"] == "EINVAL" and r3["flock_bad_fd"] == "EBADF"
    assert r3["ofd_getlk_bad_pid"] == "EINVAL" and r3["getlk_bad_type"] == "EINVAL"


# ------------------------------ the same rules against root, without them (the control)
def _inotify(mask):
    def go():
        fd = bp.sys_("inotify_init1", 0)
        bp.sys_("inotify_add_watch", fd, f"{STDLIB}/abc.py".encode(), mask)
    return go


def _dnotify():
    fd = os.open(STDLIB, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.fcntl(fd, fcntl.F_NOTIFY, fcntl.DN_ACCESS)


def _nowait():
    fd = os.open(f"{STDLIB}/abc.py", os.O_RDONLY)
    os.preadv(fd, [bytearray(16)], 0, os.RWF_NOWAIT)


RULES = {"inotify_open": _inotify(0x20), "inotify_access": _inotify(0x1),
         "inotify_close_nowrite": _inotify(0x10), "inotify_all_events": _inotify(0xFFF),
         "inotify_open_with_mask_add": _inotify(0x20 | 0x20000000), "dnotify": _dnotify,
         "preadv2_nowait": _nowait}


@pytest.mark.parametrize("member", sorted(RULES))
def test_the_filter_is_what_refuses(member):
    def filtered():
        from hub_config.seccomp_filter import load_here

        load_here()
        return RULES[member]()
    assert in_child(RULES[member]) == "ok"  # the control: the kernel has it
    assert in_child(filtered) in ("EPERM", errno.errorcode[errno.EOPNOTSUPP])


def test_change_watches_pass_the_filter():
    def filtered():
        from hub_config.seccomp_filter import load_here

        load_here()
        # IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE | IN_CREATE | IN_DELETE (glib,
        # Chromium, watchdog's change events)
        return _inotify(0x2 | 0x4 | 0x8 | 0xC0 | 0x100 | 0x200 | 0x400 | 0x800)()
    assert in_child(filtered) == "ok"


# ------------------------------------------------------------------------- lifetime
DAEMON = r"""
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        os.chdir("/")
        while True:
            time.sleep(0.2)
    os._exit(0)
time.sleep(0.5)
"""


def _uid_processes(uid: int) -> list[int]:
    out = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{p}/status").read_text().split("Uid:")[1].split()[0] == str(uid):
                out.append(int(p))
        except (OSError, IndexError):
            pass
    return out


@pytest.mark.parametrize("how", ["launcher_sigkill", "launcher_sigterm", "hub_dies"])
def test_a_daemonised_child_does_not_outlive_the_launcher(world, how):
    """A double-forked, setsid, signal-ignoring child of the session: whether the launcher is
    killed outright, stopped, or the hub that started it dies, nothing of the uid remains."""
    name = f"daemon{how.split('_')[-1]}"
    spec = world.spec(name=name, limits=LIMITS)
    path = world.root / "sandbox" / f"{name}.json"
    path.write_text(json.dumps(spec))
    ws = world.projects / "c1" / "workspace"
    ready = ws / f"{name}.ready"
    ready.unlink(missing_ok=True)
    script = DAEMON + f"open('/workspace/{name}.ready', 'w').close()\ntime.sleep(600)\n"
    launch = [sys.executable, "-m", "hub_config.sandbox", str(path), "--", sys.executable,
              "-c", script]
    if how == "hub_dies":  # a stand-in hub: it starts the launcher and is SIGKILLed
        hub = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time\n"
                                "subprocess.Popen(sys.argv[1:]); time.sleep(600)\n", *launch])
    else:
        hub = subprocess.Popen(launch)
    uid = world.uid_for(name)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert hub.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert len(_uid_processes(uid)) >= 2  # the session and its daemon
        hub.send_signal(signal.SIGTERM if how == "launcher_sigterm" else signal.SIGKILL)
        hub.wait(30)
        deadline = time.monotonic() + 40
        while _uid_processes(uid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _uid_processes(uid) == []
        if how == "launcher_sigkill":  # its cgroups stay until the next sandbox starts
            code, _, err = world.run(world.spec(name="aftersigkill", limits=LIMITS),
                                     ["/bin/true"])
            assert code == 0, err
            left = [p for ctrl in ("memory", "pids", "cpu") for p in
                    Path("/sys/fs/cgroup", ctrl).rglob(f"enclave-{name}.{hub.pid}")]
            assert left == []
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait()
        for p in _uid_processes(uid):
            os.kill(p, signal.SIGKILL)
