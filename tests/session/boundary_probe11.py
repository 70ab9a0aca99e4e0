"""Runs in a real sandbox (round 11, S1): tries to execute bytes that were never a file on an
exec-allowed mount, then does the honest things a session does.  argv: a writable folder of the
shared workspace.  Prints RESULT <json>: {member: "ran" | errno name | other failure}."""
import ctypes
import errno
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile

FDS_AT_START = sorted(int(x) for x in os.listdir("/proc/self/fd"))  # one is the listing's
WS = sys.argv[1]
ECHO = "/usr/bin/echo"
LDSO = "/lib64/ld-linux-x86-64.so.2"
LIB = next(p for p in ("/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1")
           if os.path.exists(p))
LIBC = next(p for p in ("/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6")
            if os.path.exists(p))
CAT, MAPS = "/usr/bin/cat", "/proc/self/maps"
MARK = "RAN11"
MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_NOEXEC_SEAL, MFD_EXEC = 1, 2, 8, 0x10
AT_EMPTY_PATH = 0x1000
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.syscall.restype = ctypes.c_long
out = {}


def name(e: BaseException) -> str:
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return f"{type(e).__name__}: {e}"[:120]


def fill(fd: int, src: str) -> int:
    with open(src, "rb") as f:
        data = f.read()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return fd


def memfd(flags: int = 0, src: str = ECHO) -> int:
    fd = libc.syscall(319, b"p", ctypes.c_uint(flags))  # memfd_create with raw flags
    if fd < 0:
        raise OSError(ctypes.get_errno(), "memfd_create")
    return fill(fd, src)


def spawn(argv: list[str], fds=()) -> str:
    """A program started the usual way (fork + execve): "ran" when it printed the mark."""
    try:
        p = subprocess.run(argv, pass_fds=tuple(fds), capture_output=True, text=True,
                           timeout=30)
    except OSError as e:
        return name(e)
    if MARK in p.stdout:
        return "ran"
    err = p.stderr.strip().splitlines()
    return f"exit {p.returncode}: {err[-1][:160] if err else ''}"


def fork_do(fn) -> str:
    """``fn`` in a forked child (it may execve): "ran" when the child printed the mark,
    else the errno name it reported."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(w, 1)
            fn()
            os.write(w, b"returned")
        except OSError as e:
            os.write(w, name(e).encode())
        except BaseException as e:  # noqa: BLE001 - reported
            os.write(w, name(e).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    text = data.decode(errors="replace")
    return "ran" if MARK in text else text.strip()[:160]


def raw_execveat(fd: int, path: bytes, flags: int):
    argv = (ctypes.c_char_p * 3)(b"x", MARK.encode(), None)
    envp = (ctypes.c_char_p * 1)(None)
    libc.syscall(322, ctypes.c_int(fd), ctypes.c_char_p(path), argv, envp, ctypes.c_int(flags))
    raise OSError(ctypes.get_errno(), "execveat")


def member(key: str, fn) -> None:
    try:
        out[key] = fn()
    except Exception as e:  # noqa: BLE001 - the refusal is the answer
        out[key] = name(e)


def dlopen(path: str) -> str:
    ctypes.CDLL(path)
    return "ran"


def map_exec(path_or_fd, later: bool) -> str:
    """PROT_EXEC mapping of a file: at once, or PROT_READ first and mprotect to exec."""
    fd = path_or_fd if isinstance(path_or_fd, int) else os.open(path_or_fd, os.O_RDONLY)
    prot = 1 if later else 5  # PROT_READ | PROT_EXEC
    addr = libc.mmap(None, 4096, prot, 2, fd, 0)  # MAP_PRIVATE
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    if later and libc.mprotect(addr, 4096, 5) != 0:
        raise OSError(ctypes.get_errno(), "mprotect")
    return "ran"


def loaded(argv: list[str], path: str, env: dict | None = None) -> str:
    """A system program started with a planted library: "ran" when ``path`` is among its
    mappings (it reads its own /proc/self/maps)."""
    p = subprocess.run(argv, env={"PATH": "/usr/bin:/bin", **(env or {})},
                       capture_output=True, text=True, timeout=30)
    if any(path in line and "x" in line.split()[1] for line in p.stdout.splitlines()):
        return "ran"  # mapped executable (a failed load may leave its first page readable)
    err = p.stderr.strip().splitlines()
    return f"not loaded (exit {p.returncode}: {err[-1][:160] if err else ''})"


def planted(where: str, src: str = ECHO, mode: int = 0o755) -> str:
    os.makedirs(os.path.dirname(where), exist_ok=True)
    shutil.copyfile(src, where)
    os.chmod(where, mode)
    return where


# ---------------------------------------------------------------- memfd members
member("memfd_flags0_create", lambda: (memfd(0), "ran")[1])
member("memfd_mfd_exec_create", lambda: (memfd(MFD_EXEC), "ran")[1])
fd0 = None
try:
    fd0 = memfd(0)
except OSError:
    pass
if fd0 is not None:
    member("memfd_proc_self_fd", lambda: spawn([f"/proc/self/fd/{fd0}", MARK], [fd0]))
    member("memfd_dev_fd", lambda: spawn([f"/dev/fd/{fd0}", MARK], [fd0]))
    member("memfd_fexecve", lambda: fork_do(lambda: os.execve(fd0, ["x", MARK], {})))
    member("memfd_execveat_empty", lambda: fork_do(lambda: raw_execveat(fd0, b"", AT_EMPTY_PATH)))
    member("memfd_ldso", lambda: spawn([LDSO, f"/proc/self/fd/{fd0}", MARK], [fd0]))
    member("memfd_chmod_x", lambda: (os.fchmod(fd0, 0o755), "ran")[1])
    member("memfd_chmod_then_exec", lambda: spawn([f"/proc/self/fd/{fd0}", MARK], [fd0]))
member("memfd_noexec_seal_exec", lambda: spawn(
    [f"/proc/self/fd/{(f := memfd(MFD_NOEXEC_SEAL))}", MARK], [f]))
member("memfd_dlopen", lambda: dlopen(f"/proc/self/fd/{memfd(0, LIB)}"))
member("memfd_mmap_exec", lambda: map_exec(memfd(0, LIB), False))
member("memfd_mprotect_exec", lambda: map_exec(memfd(0, LIB), True))
# a memfd re-opened through /proc (a new open file of the same inode)
member("memfd_reopen_exec", lambda: spawn(
    [f"/proc/{os.getpid()}/fd/{memfd(0)}", MARK]))

# ----------------------------------------------- scratch, /dev/shm, O_TMPFILE, deleted files
SCRATCH = {"tmp": "/tmp/r11", "devshm": "/dev/shm/r11", "vartmp": "/var/tmp/r11",
           "home": os.path.expanduser("~/r11"), "workspace": os.path.join(WS, "r11")}
for key, d in SCRATCH.items():
    try:
        prog = planted(os.path.join(d, "prog"))
        lib = planted(os.path.join(d, "lib.so"), LIB, 0o644)
    except OSError as e:
        out[f"{key}_plant"] = name(e)
        continue
    member(f"{key}_exec", lambda: spawn([prog, MARK]))
    member(f"{key}_ldso", lambda: spawn([LDSO, prog, MARK]))
    member(f"{key}_dlopen", lambda: dlopen(lib))
    member(f"{key}_mmap_exec", lambda: map_exec(lib, False))
    member(f"{key}_mprotect_exec", lambda: map_exec(lib, True))
    try:  # the C library's name, for a search path that would put this copy first
        planted(os.path.join(d, "libc.so.6"), LIBC, 0o755)
    except OSError as e:
        out[f"{key}_plant_libc"] = name(e)
    member(f"{key}_ldso_preload", lambda: loaded([LDSO, "--preload", lib, CAT, MAPS], lib))
    member(f"{key}_ldso_library_path", lambda: loaded(
        [LDSO, "--library-path", d, CAT, MAPS], os.path.join(d, "libc.so.6")))
    member(f"{key}_env_preload", lambda: loaded([CAT, MAPS], lib, {"LD_PRELOAD": lib}))
    member(f"{key}_env_library_path", lambda: loaded(
        [CAT, MAPS], os.path.join(d, "libc.so.6"), {"LD_LIBRARY_PATH": d}))
    member(f"{key}_env_audit", lambda: loaded([CAT, MAPS], lib, {"LD_AUDIT": lib}))

    def via_fd(prefix: str, p=prog) -> str:
        fd = os.open(p, os.O_RDONLY)
        return spawn([f"{prefix}/{fd}", MARK], [fd])
    member(f"{key}_proc_self_fd", lambda: via_fd("/proc/self/fd"))
    member(f"{key}_dev_fd", lambda: via_fd("/dev/fd"))
    member(f"{key}_fexecve", lambda: fork_do(lambda: os.execve(os.open(prog, os.O_RDONLY),
                                                             ["x", MARK], {})))
    member(f"{key}_execveat_dirfd", lambda: fork_do(lambda: raw_execveat(
        os.open(d, os.O_RDONLY | os.O_DIRECTORY), b"prog", 0)))

    def deleted(p=prog) -> str:
        fd = os.open(p, os.O_RDONLY)
        os.unlink(p)
        return spawn([f"/proc/self/fd/{fd}", MARK], [fd])
    member(f"{key}_deleted_fd", deleted)

    def tmpfile(dirname=d) -> str:
        fd = os.open(dirname, os.O_TMPFILE | os.O_RDWR, 0o755)
        fill(fd, ECHO)
        return spawn([f"/proc/self/fd/{fd}", MARK], [fd])
    member(f"{key}_o_tmpfile", tmpfile)

# ------------------------------------------------- System V segments, shared anonymous memory
def sysv(exec_flag: bool) -> str:
    shmid = libc.shmget(0, 1 << 16, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    libc.shmat.restype = ctypes.c_void_p
    try:
        addr = libc.shmat(shmid, None, 0o100000 if exec_flag else 0)  # SHM_EXEC
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "shmat")
        if not exec_flag and libc.mprotect(ctypes.c_void_p(addr), 1 << 16, 5) != 0:
            raise OSError(ctypes.get_errno(), "mprotect")
        return "ran"
    finally:
        libc.shmctl(shmid, 0, None)  # IPC_RMID


member("sysv_shmat_exec", lambda: sysv(True))
member("sysv_mprotect_exec", lambda: sysv(False))


def shared_anon_mprotect() -> str:
    addr = libc.mmap(None, 4096, 3, 0x21, -1, 0)  # MAP_SHARED | MAP_ANONYMOUS, RW
    if libc.mprotect(addr, 4096, 5) != 0:
        raise OSError(ctypes.get_errno(), "mprotect")
    return "ran"


member("shared_anon_mprotect_exec", shared_anon_mprotect)


def memfd_map_files() -> str:
    fd = memfd(0, LIB)
    addr = libc.mmap(None, 4096, 1, 2, fd, 0)
    link = f"/proc/self/map_files/{addr:x}-{addr + 4096:x}"
    return spawn([link, MARK])


member("memfd_map_files_exec", memfd_map_files)


def anon_private_rwx() -> str:
    """Left by design (JIT compilers, ctypes): private anonymous memory made executable."""
    addr = libc.mmap(None, 4096, 7, 0x22, -1, 0)  # RWX, MAP_PRIVATE | MAP_ANONYMOUS
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    ctypes.memmove(addr, b"\xb8\x2a\x00\x00\x00\xc3", 6)  # mov eax, 42; ret
    return "ran" if ctypes.CFUNCTYPE(ctypes.c_int)(addr)() == 42 else "bad"


member("anon_private_rwx", anon_private_rwx)

# ------------------------------------------------------------------ the next classes (part 2)
out["caps"] = {k: v.split()[0] for k, v in (
    line.split(":", 1) for line in open("/proc/self/status") if line.startswith(
        ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp:")))}
out["memfd_noexec_sysctl"] = open("/proc/sys/vm/memfd_noexec").read().strip()
member("memfd_noexec_lowered", lambda: (open("/proc/sys/vm/memfd_noexec", "w").write("0"),
                                        "written")[1])
for what in ("environ", "mem", "fd", "root/", "ns/pid", "cwd/"):
    member(f"pid1_{what}", lambda: (os.listdir(f"/proc/1/{what}") if what.endswith(("fd", "/"))
                                    else open(f"/proc/1/{what}", "rb").read(1), "read")[1])
member("pid1_kill", lambda: (os.kill(1, 15), "signalled")[1])
member("signal_all", lambda: (os.kill(-1, 0), "reached")[1])
RAW = {  # name: (number, args) - each must be refused
    "userfaultfd": (323, (0,)), "io_uring_setup": (425, (4, 0)), "bpf": (321, (0, 0, 0)),
    "perf_event_open": (298, (0, 0, -1, -1, 0)), "keyctl": (250, (0, 0)),
    "add_key": (248, (b"user", b"k", b"v", 1, -2)),
    "unshare_user": (272, (0x10000000,)), "unshare_ns": (272, (0x00020000,)),
    "setns": (308, (0, 0)), "ptrace_attach": (101, (16, 1, 0, 0)),
    "process_vm_readv": (310, (1, 0, 0, 0, 0, 0)), "kcmp": (312, (1, 1, 0, 0, 0)),
    "pidfd_open": (434, (1, 0)), "pidfd_getfd": (438, (0, 0, 0)),
    "open_by_handle_at": (304, (0, 0, 0)), "fanotify_init": (300, (0, 0)),
    "mount": (165, (b"none", b"/tmp", b"tmpfs", 0, 0)), "memfd_secret": (447, (0,)),
    "init_module": (175, (0, 0, b"")), "syslog": (103, (3, 0, 0)),
    "unknown_nr": (1999, ()),
}
for key, (nr, args) in RAW.items():
    res = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a
                                            for a in args])
    out[f"sys_{key}"] = "returned" if res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
HOST_KEY = int(sys.argv[2]) if len(sys.argv) > 2 else 0
if HOST_KEY:
    member("sysv_host_key", lambda: ("attached" if libc.shmget(HOST_KEY, 0, 0) >= 0 else
                                     errno.errorcode.get(ctypes.get_errno(), "?")))
    import socket as _socket

    def abstract() -> str:
        s = _socket.socket(_socket.AF_UNIX)
        s.connect(f"\0enclave-r11-{HOST_KEY}")
        return "connected"
    member("abstract_host_socket", abstract)

# ------------------------------------------------------------- the honest paths (controls)
HONEST = {
    "python": "print('ok')",
    "ctypes_libm": "import ctypes, ctypes.util; m = ctypes.CDLL(ctypes.util.find_library('m'));"
                   "m.cos.restype = ctypes.c_double; m.cos.argtypes = [ctypes.c_double];"
                   "print('ok' if m.cos(0.0) == 1.0 else 'bad')",
    "ctypes_callback": "import ctypes; F = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int);"
                       "f = F(lambda x: x + 1); print('ok' if f(1) == 2 else 'bad')",
    "multiprocessing": "import multiprocessing as mp\nif __name__ == '__main__':\n"
                       "    with mp.Pool(2) as p: print('ok' if p.map(abs, [-1, -2]) == [1, 2] "
                       "else 'bad')",
    "mp_shared_memory": "from multiprocessing import shared_memory as s; m = s.SharedMemory("
                        "create=True, size=64); m.buf[0] = 7; print('ok'); m.close(); m.unlink()",
    "numpy_pandas": "import numpy as np, pandas as pd; "
                    "print('ok' if pd.DataFrame({'a': np.arange(5)}).a.sum() == 10 else 'bad')",
    "duckdb": "import duckdb; print('ok' if duckdb.sql('select 41+1').fetchall()[0][0] == 42 "
              "else 'bad')",
    "matplotlib": "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt;"
                  "plt.plot([1, 2]); plt.savefig('/tmp/r11.png'); print('ok')",
    "memfd_shared_map": "import mmap, os; fd = os.memfd_create('x'); os.ftruncate(fd, 4096);"
                        "m = mmap.mmap(fd, 4096); m[:2] = b'ok'; print(m[:2].decode())",
    "sysv_shared": "import ctypes; c = ctypes.CDLL(None); i = c.shmget(0, 4096, 0o1600);"
                   "c.shmat.restype = ctypes.c_void_p; a = c.shmat(i, None, 0);"
                   "ctypes.memmove(a, b'ok', 2); print(ctypes.string_at(a, 2).decode());"
                   "c.shmctl(i, 0, None)",
    "memfd_plain": "import os; fd = os.memfd_create('x'); os.write(fd, b'abc');"
                   "print('ok' if os.pread(fd, 3, 0) == b'abc' else 'bad')",
    "subprocess_system": "import subprocess; print(subprocess.run(['/bin/sh', '-c', 'echo ok'],"
                         " capture_output=True, text=True).stdout.strip())",
}
for key, code in HONEST.items():
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=180, cwd=cwd)
    out[f"honest_{key}"] = "ok" if p.stdout.strip().endswith("ok") else \
        f"exit {p.returncode}: {(p.stdout + p.stderr)[-300:]}"
chromium = "/usr/lib/chromium/chromium"
if os.path.exists(chromium):
    with tempfile.TemporaryDirectory() as prof:
        try:
            p = subprocess.run([chromium, "--headless", "--no-sandbox", "--no-zygote",
                                "--disable-gpu", "--disable-dev-shm-usage",
                                f"--user-data-dir={prof}", "--dump-dom",
                                "data:text/html,<p id=x>RAN11-chromium</p><script>"
                                "document.getElementById('x').textContent += '-js'</script>"],
                               capture_output=True, text=True, timeout=120)
            out["honest_chromium"] = "ok" if "RAN11-chromium-js" in p.stdout else \
                f"exit {p.returncode}: {p.stderr[-400:]}"
        except subprocess.TimeoutExpired:
            out["honest_chromium"] = "timeout"
out["fds_at_start"] = FDS_AT_START
print("RESULT " + json.dumps(out), flush=True)
