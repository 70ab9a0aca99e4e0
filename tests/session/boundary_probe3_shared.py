"""Round 3 of the sandbox probe, second half: what touches the files every sandbox shares
(free space, locks, watches), privileged settings, ``run`` and ``meet``.  Appended to
``boundary_probe3.py`` (its helpers: ``in_child``, ``sys_``, ``attempt``...) and run inside a
sandbox as one script: ``python -c TEXT run|meet CFG``.
"""
import ctypes
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time

# ------------------------------------------------- free space of the host's file system
def statfs_of(paths) -> dict:
    out = {}
    for p in paths:
        try:
            st = os.statvfs(p)
            out[p] = [st.f_blocks, st.f_bfree, st.f_bavail, st.f_ffree]
        except OSError as e:
            out[p] = errname(e.errno)
    return out


def _statfs(out: dict, cfg: dict) -> None:
    import subprocess

    out["statfs"] = statfs_of(cfg["statfs_paths"])
    fd = os.open("/usr/bin/true", os.O_RDONLY)
    st = os.fstatvfs(fd)
    os.close(fd)
    out["fstatfs_usr"] = [st.f_blocks, st.f_bfree, st.f_bavail, st.f_ffree]
    own = os.statvfs("/tmp")
    with open("/tmp/statfs-own.bin", "wb") as f:
        f.write(b"x" * (2 << 20))
    after = os.statvfs("/tmp")
    os.unlink("/tmp/statfs-own.bin")
    out["statfs_own_moves"] = [own.f_bfree, after.f_bfree]
    out["statfs_relative"] = statfs_of(["."])["."]
    out["statfs_missing"] = statfs_of(["/nonexistent/x"])["/nonexistent/x"]
    out["statfs_bad_pointer"] = in_child(lambda: sys_(137, 1, buf(120)))
    out["fstatfs_bad_fd"] = in_child(lambda: sys_(138, 987, buf(120)))
    out["fstatfs_bad_buffer"] = in_child(lambda: sys_(138, 0, 8))
    import threading  # the calls from a thread that is not the group's leader

    threaded = {}
    t = threading.Thread(target=lambda: threaded.update(
        statfs=statfs_of(["/usr", "/tmp"]), fstatfs=attempt(lambda: os.fstatvfs(0)),
        flock=attempt(lambda: fcntl.flock(os.open("/tmp", os.O_RDONLY), fcntl.LOCK_SH))))
    t.start()
    t.join(20)
    out["statfs_thread"] = threaded
    df = subprocess.run(["df", "-k"], capture_output=True, text=True)
    out["df"] = [df.returncode, df.stdout]


# ------------------------------------------------ more than its share, or root's settings
def _privilege(out: dict) -> None:
    import resource

    sched = struct.pack("=i", 50)
    out["sched_fifo"] = in_child(lambda: sys_(144, 0, 1, ctypes.create_string_buffer(sched)))
    out["sched_rr"] = in_child(lambda: sys_(144, 0, 2, ctypes.create_string_buffer(sched)))
    attr = buf(56)  # struct sched_attr: SCHED_DEADLINE 10 ms every 20 ms
    ctypes.memmove(attr, struct.pack("=IIQiIQQQ", 56, 6, 0, 0, 0, 10_000_000, 20_000_000,
                                     20_000_000), 48)
    out["sched_deadline"] = in_child(lambda: sys_("sched_setattr", 0, attr, 0))
    out["nice_negative"] = in_child(lambda: os.setpriority(os.PRIO_PROCESS, 0, -5))
    out["ioprio_realtime"] = call("ioprio_set", 1, 0, (1 << 13) | 0)
    out["timer_alarm_clock"] = in_child(lambda: sys_(222, 8, 0, buf(8)))  # REALTIME_ALARM
    out["rlimit_core_raise"] = in_child(lambda: resource.setrlimit(resource.RLIMIT_CORE,
                                                                   (1 << 20, 1 << 20)))
    out["rlimit_nofile_raise"] = in_child(lambda: resource.setrlimit(
        resource.RLIMIT_NOFILE, (1 << 20, 1 << 20)))
    out["oom_score_adj_lower"] = attempt(lambda: _write("/proc/self/oom_score_adj", "-1000"))
    out["oom_score_adj_raise"] = attempt(lambda: _write("/proc/self/oom_score_adj", "500"))
    for label, path in (("drop_caches", "/proc/sys/vm/drop_caches"),
                        ("sysrq_trigger", "/proc/sysrq-trigger"),
                        ("core_pattern", "/proc/sys/kernel/core_pattern"),
                        ("hostname_sysctl", "/proc/sys/kernel/hostname"),
                        ("dev_new_file", "/dev/planted"), ("etc_new_file", "/etc/planted"),
                        ("root_new_file", "/planted")):
        out[f"write_{label}"] = attempt(lambda path=path: _write(path, "1"))
    own = "/tmp/chown-me"
    open(own, "w").close()
    out["chown_to_root"] = attempt(lambda: os.chown(own, 0, 0))
    out["chgrp_to_root"] = attempt(lambda: os.chown(own, -1, 0))
    out["chmod_own"] = attempt(lambda: os.chmod(own, 0o600))

    def ksm():
        m = mmap.mmap(-1, 1 << 16)
        return _libc.madvise(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(m))),
                             ctypes.c_size_t(1 << 16), 12)  # MADV_MERGEABLE
    out["madvise_mergeable"] = in_child(ksm)

    def dontneed():
        m = mmap.mmap(-1, 1 << 16)
        return _libc.madvise(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(m))),
                             ctypes.c_size_t(1 << 16), 4)  # MADV_DONTNEED: ordinary
    out["madvise_dontneed"] = in_child(dontneed)


# ------------------------------------------- locks: its own files real, shared ones not
def _locks(out: dict, cfg: dict) -> None:
    import threading

    def pair(path, create=True):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if create else \
            os.open(path, os.O_RDONLY)
        return fd, os.open(path, os.O_RDONLY)

    for label, path, create in (("tmp", "/tmp/lock-own", True),
                                ("workspace", "/workspace/.lock-r3", True),
                                ("shm", "/dev/shm/lock-own", True),
                                ("dev_null", "/dev/null", False),
                                ("usr", "/usr/bin/true", False),
                                ("stdlib", cfg["shared_file"], False)):
        a, b = pair(path, create)
        try:
            first = attempt(lambda: fcntl.flock(a, fcntl.LOCK_EX | fcntl.LOCK_NB))
            second = attempt(lambda: fcntl.flock(b, fcntl.LOCK_EX | fcntl.LOCK_NB))
            out[f"flock_two_{label}"] = [first, second]
        finally:
            os.close(a), os.close(b)
    # a blocking flock on its own file waits for the holder, then gets the lock
    a, b = pair("/tmp/lock-wait")
    fcntl.flock(a, fcntl.LOCK_EX)
    got = []
    t = threading.Thread(target=lambda: (fcntl.flock(b, fcntl.LOCK_EX), got.append(
        time.monotonic())))
    start = time.monotonic()
    t.start()
    time.sleep(0.3)
    fcntl.flock(a, fcntl.LOCK_UN)
    t.join(5)
    out["flock_blocking_waits"] = bool(got) and got[0] - start >= 0.25
    os.close(a), os.close(b)
    out["flock_bad_op"] = attempt(lambda: fcntl.flock(os.open("/usr/bin/true", os.O_RDONLY), 0))
    out["flock_bad_fd"] = attempt(lambda: fcntl.flock(987, fcntl.LOCK_SH))
    # F_GETLK / F_OFD_GETLK on its own file see a child's / another description's lock
    own = "/tmp/lock-getlk"
    fd = os.open(own, os.O_RDWR | os.O_CREAT, 0o600)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        fcntl.lockf(os.open(own, os.O_RDWR), fcntl.LOCK_EX)
        os.write(w, b"x")
        time.sleep(30)
        os._exit(0)
    os.read(r, 1)
    query = struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0)
    out["getlk_own_sees_child"] = struct.unpack("hhqqi4x", fcntl.fcntl(
        fd, fcntl.F_GETLK, query))[0] == fcntl.F_WRLCK
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    ofd_a, ofd_b = os.open(own, os.O_RDWR), os.open(own, os.O_RDWR)
    fcntl.fcntl(ofd_a, 37, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))  # F_OFD_SETLK
    out["ofd_getlk_own_sees_other"] = struct.unpack("hhqqi4x", fcntl.fcntl(
        ofd_b, 36, query))[0] == fcntl.F_WRLCK
    out["ofd_getlk_bad_pid"] = attempt(lambda: fcntl.fcntl(
        ofd_b, 36, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 7)))
    out["getlk_bad_type"] = attempt(lambda: fcntl.fcntl(
        fd, fcntl.F_GETLK, struct.pack("hhqqi4x", 9, 0, 0, 0, 0)))
    for x in (fd, ofd_a, ofd_b, r, w):
        os.close(x)


def run(cfg: dict) -> dict:
    out: dict = {"uid": os.getuid()}
    _locks(out, cfg)
    _privilege(out)
    _statfs(out, cfg)
    _kernel(out)
    _others(out)
    _reentry(out)
    _ways_out(out, cfg)
    _resources(out, cfg)
    return out


# ------------------------------------------- what a second session could meet (with the host)
IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN = 1, 2, 4, 8, 16, 32
IN_ALL = 0xFFF


def meet(cfg: dict) -> dict:
    """Locks, watches and notifications on the shared read-only files; the host acts between
    ``ready`` and ``go`` (``test_boundary_round3.host_side``)."""
    out: dict = {}
    shared = cfg["shared"]  # {label: path of a read-only file every sandbox sees}
    held = {}
    # 1. locks this session takes (the host then tests whether it sees them)
    for how in ("flock_ex", "flock_sh", "posix_rd", "ofd_rd"):
        path = shared[how]
        try:
            fd = os.open(path, os.O_RDONLY)
            if how == "flock_ex":
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif how == "flock_sh":
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            elif how == "posix_rd":
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            else:
                fcntl.fcntl(fd, 37, struct.pack("hhqqi4x", fcntl.F_RDLCK, 0, 0, 0, 0))
            held[how] = fd
            out[f"take_{how}"] = "ok"
        except OSError as e:
            out[f"take_{how}"] = errname(e.errno)
    # a lease on a file of root's (needs ownership or CAP_LEASE)
    out["lease_shared"] = attempt(lambda: fcntl.fcntl(os.open(shared["watch_file"], os.O_RDONLY),
                                                      fcntl.F_SETLEASE, fcntl.F_RDLCK))
    # 2. watches on what the host (another session) will open
    watches = {}
    try:
        ino = sys_("inotify_init1", os.O_NONBLOCK)
        for label, mask in (("inotify_open", IN_OPEN), ("inotify_access", IN_ACCESS),
                            ("inotify_close_nowrite", IN_CLOSE_NOWRITE),
                            ("inotify_all", IN_ALL)):
            try:
                watches[sys_("inotify_add_watch", ino, shared["watch_file"].encode(), mask)] = label
                out[f"watch_{label}"] = "ok"
            except OSError as e:
                out[f"watch_{label}"] = errname(e.errno)
        try:
            wd = sys_("inotify_add_watch", ino, shared["watch_dir"].encode(), IN_OPEN | IN_ACCESS)
            watches[wd] = "inotify_dir"
            out["watch_inotify_dir"] = "ok"
        except OSError as e:
            out["watch_inotify_dir"] = errname(e.errno)
    except OSError as e:
        ino = None
        out["inotify_init"] = errname(e.errno)
    got_signal = []
    signal.signal(signal.SIGRTMIN + 1, lambda *_: got_signal.append(1))
    try:
        dfd = os.open(shared["watch_dir"], os.O_RDONLY | os.O_DIRECTORY)
        fcntl.fcntl(dfd, fcntl.F_SETSIG, signal.SIGRTMIN + 1)
        fcntl.fcntl(dfd, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT)
        out["dnotify_set"] = "ok"
    except OSError as e:
        out["dnotify_set"] = errname(e.errno)
    # ordinary: a watch on the session's own scratch file
    own = "/tmp/own-watched"
    open(own, "w").close()
    try:
        own_ino = sys_("inotify_init1", os.O_NONBLOCK)
        sys_("inotify_add_watch", own_ino, own.encode(), IN_MODIFY | IN_CLOSE_WRITE)
        with open(own, "w") as f:
            f.write("x")
        time.sleep(0.2)
        out["own_watch_events"] = len(os.read(own_ino, 4096)) > 0
    except OSError as e:
        out["own_watch_events"] = errname(e.errno)
    # ordinary: locks on its own files (sqlite/DuckDB-style)
    own_lock = os.open("/tmp/own.lock", os.O_RDWR | os.O_CREAT, 0o600)
    out["own_flock"] = attempt(lambda: fcntl.flock(own_lock, fcntl.LOCK_EX | fcntl.LOCK_NB))
    out["own_posix_lock"] = attempt(lambda: fcntl.lockf(own_lock, fcntl.LOCK_EX | fcntl.LOCK_NB))
    # an abstract socket of this session (the host tries to reach it)
    ab = socket.socket(socket.AF_UNIX)
    ab.bind(cfg["abstract_inside"])
    ab.listen()
    before = statfs_of(cfg["statfs_paths"])
    flag = cfg["flag"]
    open(f"/workspace/{flag}.ready", "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(f"/workspace/{flag}.go") and time.monotonic() < deadline:
        time.sleep(0.05)
    # 3. what the host did: its writes, its locks, and its opens of the watched file
    after = statfs_of(cfg["statfs_paths"])
    out["statfs_before"], out["statfs_after"] = before, after
    for how in ("host_flock_ex", "host_posix_wr_probe"):
        path = shared[how]
        fd = os.open(path, os.O_RDONLY)
        try:
            if how == "host_flock_ex":
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                out["sees_host_flock"] = False
            else:  # F_GETLK / F_OFD_GETLK for a write lock: does it name a holder?
                res = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK,
                                                                 0, 0, 0, 0))
                out["sees_host_posix_lock"] = struct.unpack("hhqqi4x", res)[0] != fcntl.F_UNLCK
                res = fcntl.fcntl(fd, 36, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
                out["sees_host_posix_lock_ofd"] = \
                    struct.unpack("hhqqi4x", res)[0] != fcntl.F_UNLCK
        except OSError as e:
            if how == "host_flock_ex":
                out["sees_host_flock"] = errname(e.errno) in ("EWOULDBLOCK", "EAGAIN")
            else:
                out["sees_host_posix_lock"] = errname(e.errno)
        finally:
            os.close(fd)
    time.sleep(0.3)
    if ino is not None:
        events = []
        try:
            data = os.read(ino, 65536)
            i = 0
            while i + 16 <= len(data):
                wd, mask, _cookie, ln = struct.unpack_from("iIII", data, i)
                events.append([watches.get(wd, wd), mask])
                i += 16 + ln
        except BlockingIOError:
            pass
        out["inotify_events"] = events
    out["dnotify_signals"] = len(got_signal)
    for fd in held.values():
        os.close(fd)
    ab.close()
    return out


if __name__ == "__main__":
    cfg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    res = meet(cfg) if sys.argv[1:2] == ["meet"] else run(cfg)
    print("RESULT " + json.dumps(res), flush=True)
