"""Round 6 of the sandbox probe, run INSIDE a sandbox by ``test_boundary_round6.py`` (one
self-contained script: the sandbox sees no test package).  x86_64 numbers.

Two sessions of two cases at once: ``hold`` (case c1) takes locks, sets times, makes IPC
objects, binds an abstract socket, plants files and a daemon; ``watch`` (case c2) sets its
watches and reads what it can of those, waits while ``hold`` acts again (writes, touches,
pipes), then reads again.  ``next`` is a later session (of either case) looking for what was
left.  ``bound``: the per-session bounds on open files, in-flight descriptors, inotify
instances, keys, with the ordinary counterparts (DuckDB, sqlite, watches and locks on its own
files).  Each writes ``RESULT <json>`` to its log.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import resource
import socket
import struct
import sys
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
DEVS = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
F_OFD_GETLK, F_OFD_SETLK = 36, 37
F_SETLEASE = 1024
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
SYSV_KEY = 0x72366E63  # the key both sessions use (their IPC namespaces are their own)
NR = {"shmget": 29, "semget": 64, "msgget": 68, "add_key": 248, "keyctl": 250,
      "mq_open": 240}
KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING = -4, -3
KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING = 0, 1
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVE_SELF, IN_DELETE_SELF = 2, 4, 8, 0x800, 0x400
CHANGES = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF
TRACE = "r6-trace"


def errname(e: int) -> str:
    return errno.errorcode.get(e, str(e))


def attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except OSError as e:
        return errname(e.errno)


def sys_(name: str, *args) -> int:
    res = _libc.syscall(ctypes.c_long(NR[name]), *(
        ctypes.c_long(a) if isinstance(a, int) else a for a in args))
    if res < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return res


def lock(kind: int, start: int) -> bytes:
    return struct.pack("hhqqi4x", kind, 0, start, 1, 0)


def wait_for(path: str, limit: float = 120) -> None:
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise SystemExit(f"no {path}")
        time.sleep(0.05)


def _map_page(path: str) -> int:
    """The first page of ``path`` mapped read-only (as every program maps its libraries)."""
    _libc.mmap.restype = ctypes.c_void_p
    _libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                           ctypes.c_int, ctypes.c_long]
    fd = os.open(path, os.O_RDONLY)
    try:
        return _libc.mmap(None, 4096, 1, 2, fd, 0)  # PROT_READ, MAP_PRIVATE
    finally:
        os.close(fd)


def futex_wait_shared(path: str, seconds: int, out: dict) -> None:
    """A non-private FUTEX_WAIT on a shared file's page: its key is the file's inode and
    offset, the same in every process on the machine that maps it."""
    addr = _map_page(path)
    val = ctypes.c_uint32.from_address(addr).value
    ts = (ctypes.c_long * 2)(seconds, 0)
    res = _libc.syscall(ctypes.c_long(202), ctypes.c_void_p(addr), ctypes.c_long(0),
                        ctypes.c_long(val), ts, None, ctypes.c_long(0))
    out["futex_wait"] = "woken" if res == 0 else errname(ctypes.get_errno())


def futex_wake(path: str, private: bool) -> int:
    addr = _map_page(path)
    res = _libc.syscall(ctypes.c_long(202), ctypes.c_void_p(addr),
                        ctypes.c_long(1 | (128 if private else 0)), ctypes.c_long(1 << 30),
                        None, None, ctypes.c_long(0))
    return res if res >= 0 else -ctypes.get_errno()


def pipe_ino() -> int:
    r, w = os.pipe()
    ino = os.fstat(r).st_ino
    os.close(r), os.close(w)
    return ino


def times(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns]


# ------------------------------------------------------------------ hold: the sending session
def hold(cfg: dict) -> dict:
    out: dict = {}
    keep = []
    for d in DEVS:  # write locks on the device nodes every session can open for writing
        fd = os.open(d, os.O_WRONLY)
        keep.append(fd)
        out[f"posix_{d}"] = attempt(lambda: fcntl.fcntl(fd, fcntl.F_SETLK,
                                                         lock(fcntl.F_WRLCK, 0)))
        out[f"ofd_{d}"] = attempt(lambda: fcntl.fcntl(fd, F_OFD_SETLK, lock(fcntl.F_WRLCK, 1)))
        out[f"utime_{d}"] = attempt(lambda: os.utime(d))
    for label, path in cfg["shared"].items():  # read locks, a lease, times and xattrs
        fd = os.open(path, os.O_RDONLY)
        keep.append(fd)
        out[f"posix_rd_{label}"] = attempt(lambda: fcntl.fcntl(fd, fcntl.F_SETLK,
                                                                lock(fcntl.F_RDLCK, 0)))
        out[f"ofd_rd_{label}"] = attempt(lambda: fcntl.fcntl(fd, F_OFD_SETLK,
                                                              lock(fcntl.F_RDLCK, 1)))
        out[f"flock_{label}"] = attempt(lambda: fcntl.flock(fd, fcntl.LOCK_SH))
        out[f"lease_{label}"] = attempt(lambda: fcntl.fcntl(fd, F_SETLEASE, fcntl.F_RDLCK))
        out[f"utime_{label}"] = attempt(lambda: os.utime(path))
        out[f"setxattr_{label}"] = attempt(lambda: os.setxattr(path, "user.r6", b"1"))
    # System V objects under the key the other session asks for; an abstract socket
    out["shmget"] = attempt(lambda: sys_("shmget", SYSV_KEY, 4096, IPC_CREAT | 0o666))
    out["semget"] = attempt(lambda: sys_("semget", SYSV_KEY, 1, IPC_CREAT | 0o666))
    out["msgget"] = attempt(lambda: sys_("msgget", SYSV_KEY, IPC_CREAT | 0o666))
    out["mq_open"] = attempt(lambda: sys_("mq_open", ctypes.c_char_p(b"r6q"),
                                          os.O_CREAT | os.O_RDWR, 0o666, 0))
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind(cfg["abstract"])
    abstract.listen()
    keep.append(abstract)
    out["add_key_user"] = attempt(lambda: sys_("add_key", ctypes.c_char_p(b"user"),
                                               ctypes.c_char_p(b"r6"), ctypes.c_char_p(b"x"),
                                               1, KEY_SPEC_USER_KEYRING))
    out["join_named_keyring"] = attempt(lambda: sys_("keyctl", KEYCTL_JOIN_SESSION_KEYRING,
                                                     ctypes.c_char_p(b"r6-shared")))
    _plant(out, cfg)
    import threading

    waiter = threading.Thread(target=futex_wait_shared, args=(cfg["futex_file"], 90, out))
    waiter.start()
    time.sleep(0.2)  # asleep in the kernel before the other session starts
    open(f"/workspace/{cfg['flag']}.ready", "w").close()
    wait_for(f"/workspace/{cfg['flag']}.go")
    # acting again while the other session watches: writes, touches, reads, pipes
    for d in DEVS:
        fd = os.open(d, os.O_WRONLY)
        for _ in range(20):
            attempt(lambda: os.write(fd, b"x"))
        os.close(fd)
        attempt(lambda: os.utime(d))
    for path in cfg["shared"].values():
        with open(path, "rb") as f:
            f.read()
    for _ in range(int(cfg.get("pipes", 3000))):
        r, w = os.pipe()
        os.close(r), os.close(w)
    waiter.join(100)
    open(f"/workspace/{cfg['flag']}.done", "w").close()
    return out


def _plant(out: dict, cfg: dict) -> None:
    """What a session would leave for later: files in every writable place but the
    workspace, places outside it, a daemon, crontab-like schedulers."""
    for place in ("/tmp", "/var/tmp", "/dev/shm", cfg["home"]):
        out[f"plant_{place}"] = attempt(lambda: open(f"{place}/{TRACE}", "w").write("left"))
    for place in ("/etc/cron.d", "/var/spool/cron", "/usr/lib", "/etc", "/", "/run",
                  "/var/lib", "/opt"):
        out[f"plant_outside_{place}"] = attempt(
            lambda: open(os.path.join(place, TRACE), "w").write("left"))
    for sock in ("/run/systemd/private", "/run/dbus/system_bus_socket",
                 "/run/user/0/bus", "/var/run/atd.pid"):
        def reach(sock=sock):
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(sock)
        out[f"scheduler_{sock}"] = attempt(reach)
    out["sys_cgroup_procs"] = attempt(
        lambda: open("/sys/fs/cgroup/cgroup.procs", "w").write(str(os.getpid())))
    # a daemon: double fork, setsid, ignoring every catchable signal, writing on
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            import signal

            for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(s, signal.SIG_IGN)
            mark = f"/workspace/{cfg['flag']}.daemon"
            while True:
                with open(mark, "w") as f:
                    f.write(str(time.time()))
                time.sleep(0.2)
        os._exit(0)
    os.wait()


# ------------------------------------------------------------------ watch: the other session
def watch(cfg: dict) -> dict:
    out: dict = {}
    _own_counterparts(out)  # first: its own writes to its /dev/null must not meet the watch
    ino = _libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    watched = [*DEVS, *cfg["shared"].values(), *cfg["shared_dirs"]]
    out["watches"] = {p: _libc.inotify_add_watch(ino, p.encode(), CHANGES) for p in watched}
    before = {p: times(p) for p in watched}
    keep = []
    for d in DEVS:  # the locks the other session holds, as a writer here would meet them
        fd = os.open(d, os.O_WRONLY)
        keep.append(fd)
        out[f"posix_{d}"] = attempt(lambda: fcntl.fcntl(fd, fcntl.F_SETLK,
                                                         lock(fcntl.F_WRLCK, 0)))
        out[f"ofd_{d}"] = attempt(lambda: fcntl.fcntl(fd, F_OFD_SETLK, lock(fcntl.F_WRLCK, 1)))
        out[f"getlk_{d}"] = struct.unpack("hhqqi4x", fcntl.fcntl(
            fd, fcntl.F_GETLK, lock(fcntl.F_WRLCK, 0)))[0] != fcntl.F_UNLCK
        fcntl.fcntl(fd, fcntl.F_SETLK, lock(fcntl.F_UNLCK, 0))
        fcntl.fcntl(fd, F_OFD_SETLK, lock(fcntl.F_UNLCK, 1))
    for label, path in cfg["shared"].items():  # what a read-only opener can ask
        fd = os.open(path, os.O_RDONLY)
        keep.append(fd)
        out[f"getlk_{label}"] = struct.unpack("hhqqi4x", fcntl.fcntl(
            fd, fcntl.F_GETLK, lock(fcntl.F_WRLCK, 0)))[0] != fcntl.F_UNLCK
        out[f"ofd_getlk_{label}"] = struct.unpack("hhqqi4x", fcntl.fcntl(
            fd, F_OFD_GETLK, lock(fcntl.F_WRLCK, 1)))[0] != fcntl.F_UNLCK
        out[f"flock_ex_{label}"] = attempt(lambda: fcntl.flock(fd, fcntl.LOCK_EX
                                                                | fcntl.LOCK_NB))
        out[f"getxattr_{label}"] = attempt(lambda: os.getxattr(path, "user.r6"))
    for what in ("shmget", "semget", "msgget"):
        args = (SYSV_KEY, 0, 0) if what != "msgget" else (SYSV_KEY, 0)
        out[f"find_{what}"] = attempt(lambda: sys_(what, *args))
    with socket.socket(socket.AF_UNIX) as s:
        out["abstract_connect"] = attempt(lambda: s.connect(cfg["abstract"]))
    out["user_keyring"] = attempt(lambda: sys_("keyctl", KEYCTL_GET_KEYRING_ID,
                                               KEY_SPEC_USER_KEYRING, 0))
    out["join_named_keyring"] = attempt(lambda: sys_("keyctl", KEYCTL_JOIN_SESSION_KEYRING,
                                                     ctypes.c_char_p(b"r6-shared")))
    out["dev_shm"] = sorted(os.listdir("/dev/shm"))
    out["sysvipc"] = {f: open(f"/proc/sysvipc/{f}").read().splitlines()[1:]
                      for f in ("shm", "sem", "msg")}
    out["proc_cgroup"] = open("/proc/self/cgroup").read().split()
    out["sys"] = os.path.exists("/sys/fs/cgroup")
    out["pipe_ino_before"] = pipe_ino()
    out["futex_wake_private"] = futex_wake(cfg["futex_file"], True)
    out["futex_wake_shared"] = futex_wake(cfg["futex_file"], False)
    open(f"/workspace/{cfg['flag']}.ready", "w").close()
    wait_for(f"/workspace/{cfg['flag']}.go")
    out["pipe_ino_after"] = pipe_ino()
    events = b""
    while True:
        try:
            events += os.read(ino, 1 << 16)
        except BlockingIOError:
            break
    out["events"] = _events(events, out["watches"])
    out["moved_times"] = [p for p in watched if times(p) != before[p]]
    return out


def _events(raw: bytes, watches: dict) -> dict:
    by_wd = {wd: p for p, wd in watches.items()}
    seen: dict = {}
    at = 0
    while at + 16 <= len(raw):
        wd, mask, _cookie, size = struct.unpack_from("iIII", raw, at)
        seen.setdefault(by_wd.get(wd, str(wd)), []).append(mask)
        at += 16 + size
    return seen


def _own_counterparts(out: dict) -> None:
    """Its own files: watches, locks, times and xattrs still do what programs expect."""
    own = "/tmp/own-r6"
    with open(own, "w") as f:
        f.write("x")
    ino = _libc.inotify_init1(os.O_NONBLOCK)
    _libc.inotify_add_watch(ino, own.encode(), CHANGES)
    with open(own, "a") as f:
        f.write("y")
    os.utime(own, (1, 1))
    try:
        out["own_watch_events"] = len(os.read(ino, 4096)) >= 16
    except BlockingIOError:
        out["own_watch_events"] = False
    out["own_utime"] = os.stat(own).st_mtime == 1
    out["own_xattr"] = attempt(lambda: os.setxattr(own, "user.r6", b"1"))
    fd = os.open(own, os.O_RDWR)
    fcntl.fcntl(fd, fcntl.F_SETLK, lock(fcntl.F_WRLCK, 0))
    pid = os.fork()
    if pid == 0:  # another process of this session meets the lock
        fd2 = os.open(own, os.O_RDWR)
        os._exit(0 if attempt(lambda: fcntl.fcntl(fd2, fcntl.F_SETLK,
                                                  lock(fcntl.F_WRLCK, 0))) == "EAGAIN" else 1)
    out["own_lock_seen_by_child"] = os.waitpid(pid, 0)[1] == 0
    os.close(fd)
    dn = os.open("/dev/null", os.O_RDWR)  # its own /dev/null: locked and unlocked at will
    out["dev_null_lock_own"] = attempt(lambda: fcntl.fcntl(dn, fcntl.F_SETLK,  # (with the
                                                           lock(fcntl.F_WRLCK, 0)))  # host's
    fcntl.fcntl(dn, fcntl.F_SETLK, lock(fcntl.F_UNLCK, 0))  # node, F_SETLKW waited for ever)
    out["dev_null_write"] = os.write(dn, b"abc") == 3 and os.read(dn, 3) == b""
    os.close(dn)


# ------------------------------------------------------------------ next: what was left
def next_session(cfg: dict) -> dict:
    out = {"left": {p: os.path.exists(f"{p}/{TRACE}")
                    for p in ("/tmp", "/var/tmp", "/dev/shm", cfg["home"])}}
    out["workspace"] = sorted(n for n in os.listdir("/workspace") if n.startswith("r6"))
    out["sysvipc"] = {f: open(f"/proc/sysvipc/{f}").read().splitlines()[1:]
                      for f in ("shm", "sem", "msg")}
    out["find_shm"] = attempt(lambda: sys_("shmget", SYSV_KEY, 0, 0))
    with socket.socket(socket.AF_UNIX) as s:
        out["abstract_connect"] = attempt(lambda: s.connect(cfg["abstract"]))
    out["dev_null_lock"] = attempt(lambda: fcntl.fcntl(os.open("/dev/null", os.O_WRONLY),
                                                        fcntl.F_SETLK, lock(fcntl.F_WRLCK, 0)))
    out["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    return out


# ------------------------------------------------------------------ bound: per-session bounds
def bound(cfg: dict) -> dict:
    out: dict = {}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    out["nofile"] = [soft, hard]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard + 1, hard + 1))
        out["raise_nofile"] = "ok"
    except ValueError:  # Python's word for EPERM here
        out["raise_nofile"] = "EPERM"
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    fds = []
    try:
        while len(fds) < 1 << 20:
            fds.append(os.open("/dev/null", os.O_RDONLY))
        out["open_stop"] = "none"
    except OSError as e:
        out["open_stop"] = errname(e.errno)
    out["opened"] = len(fds)
    for fd in fds:
        os.close(fd)
    out["inflight"] = _inflight(hard)
    inst = []
    while len(inst) < 4096:
        fd = _libc.inotify_init1(os.O_CLOEXEC)
        if fd < 0:
            out["inotify_stop"] = errname(ctypes.get_errno())
            break
        inst.append(fd)
    out["inotify_instances"] = len(inst)
    for fd in inst:
        os.close(fd)
    ptys = []
    try:
        while len(ptys) < 4096:
            ptys.append(os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY))
        out["pty_stop"] = "none"
    except OSError as e:
        out["pty_stop"] = errname(e.errno)
    out["ptys"] = len(ptys)
    for fd in ptys:
        os.close(fd)
    leader, follower = os.openpty()  # a terminal of its own, once the others are closed
    os.write(leader, b"hello\n")
    out["openpty_echo"] = os.read(follower, 64) == b"hello\n"
    os.close(leader), os.close(follower)
    out["add_key_session"] = attempt(lambda: sys_("add_key", ctypes.c_char_p(b"user"),
                                                  ctypes.c_char_p(b"q"), ctypes.c_char_p(b"x"),
                                                  1, KEY_SPEC_SESSION_KEYRING))
    _ordinary(out)
    return out


def _inflight(limit: int) -> dict:
    """Descriptors parked in a unix socket's queue hold files with no descriptor of their
    own; the kernel bounds them by the same RLIMIT_NOFILE (per uid).  200 a message (the
    kernel takes up to 253), non-blocking: a full queue answers EAGAIN, never hangs."""
    a, b = socket.socketpair()
    a.setblocking(False)
    sent, err = 0, "none"
    batch = [os.open("/dev/null", os.O_RDONLY) for _ in range(200)]
    try:
        while sent < 4 * limit:
            socket.send_fds(a, [b"x"], batch)
            sent += len(batch)
    except OSError as e:
        err = errname(e.errno)
    for fd in batch:
        os.close(fd)
    a.close(), b.close()
    return {"sent": sent, "stop": err}


def _ordinary(out: dict) -> None:
    import sqlite3

    db = sqlite3.connect("/tmp/r6.sqlite")
    db.execute("create table t(x)")
    db.executemany("insert into t values (?)", [(i,) for i in range(1000)])
    db.commit()
    out["sqlite"] = db.execute("select sum(x) from t").fetchone()[0]
    db.close()
    try:
        import duckdb
    except ImportError:
        out["duckdb"] = "absent"
        return
    con = duckdb.connect("/tmp/r6.duckdb")
    con.execute("SET temp_directory='/tmp/r6-spill'; SET memory_limit='64MB'")
    out["duckdb"] = con.execute("SELECT count(*), sum(i) FROM (SELECT i FROM range(3000000) t(i)"
                                " ORDER BY i DESC)").fetchone()
    con.close()
    with open("/tmp/r6-notebook.py", "w") as f:  # a pip-less script run by the interpreter
        f.write("import json, statistics\nprint(json.dumps(statistics.mean([1, 2, 3])))\n")
    import subprocess

    out["script"] = subprocess.run([sys.executable, "/tmp/r6-notebook.py"],
                                   capture_output=True, text=True, timeout=60).stdout.strip()


if __name__ == "__main__":
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    fn = {"hold": hold, "watch": watch, "next": next_session, "bound": bound}[mode]
    res = fn(cfg)
    print("RESULT " + json.dumps(res), flush=True)
    if mode == "hold":  # stays until told, holding everything (the slot's end ends it)
        wait_for(f"/workspace/{cfg['flag']}.end")
