"""Round 4 of the sandbox probe, run INSIDE a sandbox by ``test_boundary_round4.py`` (one
self-contained script: the sandbox sees no test package).

``meet``: reads every counter a session can see - every readable file of ``/proc`` outside
its processes, all of ``/proc/sys``, its ``/proc/net``, ``/sys`` if there is one - and the
inode numbers the kernel hands out (pipes, sockets, memfds, pidfds), its own pids, the
fault-around residency of a shared file; writes ``<flag>.ready`` in the workspace, waits for
``<flag>.go`` while the host plays another session moving every machine-wide counter, then
reads them all again.  ``run``: the kernel 6.x syscalls, ioctls and prctls no earlier round
tried, /dev and /sys, and their ordinary counterparts.  x86_64 numbers.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import mmap
import os
import socket
import sys
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
SKIP_TOP = {"self", "thread-self", "kmsg", "kcore", "kpagecount", "kpageflags", "kpagecgroup",
            "sysrq-trigger", "pagetypeinfo"}


def errname(e: int) -> str:
    return errno.errorcode.get(e, str(e))


def sys_(nr: int, *args) -> int:
    res = _libc.syscall(ctypes.c_long(nr), *(ctypes.c_ulong(a & 0xFFFFFFFFFFFFFFFF)
                                             if isinstance(a, int) else a for a in args))
    if res < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return res


def attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except OSError as e:
        return errname(e.errno)


def in_child(fn) -> str:
    """fn() in a fork: its ``attempt`` answer, or the signal that killed it."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.write(w, attempt(fn).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    _, status = os.waitpid(pid, 0)
    return text if os.WIFEXITED(status) else f"killed by signal {os.WTERMSIG(status)}"


def _readable_files(top: str, skip_digits: bool):
    for root, dirs, files in os.walk(top, followlinks=False):
        if skip_digits:
            dirs[:] = [d for d in dirs if not d.isdigit() and d not in SKIP_TOP]
            files = [f for f in files if f not in SKIP_TOP]
        for f in files:
            p = os.path.join(root, f)
            try:
                with open(p, "rb") as h:
                    yield p, h.read(1 << 20)
            except OSError:
                continue


def snapshot() -> dict[str, str]:
    out = {}
    for top, skip in (("/proc", True), ("/proc/self/net", False), ("/sys", False)):
        if not os.path.isdir(top):
            continue
        for p, data in _readable_files(top, skip):
            if p.startswith("/proc/self/net") or not p.startswith(("/proc/self", "/proc/net")):
                out[p] = hashlib.sha256(data).hexdigest()[:16] + " " + \
                    data[:200].decode("ascii", "replace")
    return out


def inode_numbers() -> dict[str, int]:
    r, w = os.pipe()
    s1, s2 = socket.socketpair()
    tcp = socket.socket()
    m = os.memfd_create("probe4")
    with open("/tmp/probe4-own", "w"):
        pass
    out = {"tmp_file": os.stat("/tmp/probe4-own").st_ino,"pipe": os.fstat(r).st_ino, "socketpair": os.fstat(s1.fileno()).st_ino,
           "tcp": os.fstat(tcp.fileno()).st_ino, "memfd": os.fstat(m).st_ino}
    child = os.fork()
    if child == 0:
        time.sleep(5)
        os._exit(0)
    try:  # pidfs: a new process's pidfd inode number
        pfd = os.pidfd_open(child)
        out["pidfd_child"] = os.fstat(pfd).st_ino
        os.close(pfd)
    except OSError as e:
        out["pidfd_child"] = errname(e.errno)
    os.kill(child, 9)
    os.waitpid(child, 0)
    for fd in (r, w, m):
        os.close(fd)
    os.unlink("/tmp/probe4-own")
    try:
        with socket.socket(socket.AF_UNIX) as c:
            out["socket_cookie"] = int.from_bytes(c.getsockopt(socket.SOL_SOCKET, 57, 8),
                                                  "little")
    except OSError as e:
        out["socket_cookie"] = errname(e.errno)
    s1.close(), s2.close(), tcp.close()
    return out


def own_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def _aligned_map(fd: int, size: int) -> int:
    """Map ``size`` bytes of ``fd`` read-only at an address aligned to 64 KiB: fault-around
    maps the 16-page block around the faulting address, aligned down, so a mapping that starts
    mid-block would show fewer than 16 pages however many are cached (CI once counted 13)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    span = size + (1 << 16)
    room = libc.mmap(None, span, 0,  # PROT_NONE: a reservation
                     mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
    assert room not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
    at = (room + 0xFFFF) & ~0xFFFF
    got = libc.mmap(at, size, mmap.PROT_READ, mmap.MAP_SHARED | 0x10, fd, 0)  # MAP_FIXED
    assert got == at, os.strerror(ctypes.get_errno())
    if at > room:
        libc.munmap(room, at - room)
    if room + span > at + size:
        libc.munmap(at + size, room + span - at - size)
    return at


def residency(path: str) -> dict:
    """What the session's own counters tell of a shared file's pages in the page cache: after
    touching page 0 of a fresh mapping, how many of its pages the kernel mapped at once
    (fault-around maps only pages already cached) - read through /proc/self/pagemap and the
    mapping's Rss in /proc/self/smaps."""
    out = {}
    fd = os.open(path, os.O_RDONLY)
    size = min(os.fstat(fd).st_size, 16 * 4096) // 4096 * 4096
    lo = _aligned_map(fd, size)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    libc.madvise(lo, size, mmap.MADV_RANDOM)  # no read-ahead: only what is cached gets mapped
    ctypes.string_at(lo, 1)  # page 0 faulted in
    out["pagemap"] = attempt(lambda: open("/proc/self/pagemap", "rb").close())
    if out["pagemap"] == "ok":
        with open("/proc/self/pagemap", "rb") as pm:
            pm.seek(lo // 4096 * 8)
            raw = pm.read(8 * (size // 4096))
        out["present"] = sum(int.from_bytes(raw[i:i + 8], "little") >> 63
                             for i in range(0, len(raw), 8))
    try:
        seg = open("/proc/self/smaps").read().split(path, 1)[1]
        out["smaps_rss_kb"] = int(seg.split("Rss:", 1)[1].split()[0])
    except (OSError, IndexError):
        out["smaps_rss_kb"] = "unreadable"
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.munmap(lo, size)
    os.close(fd)
    return out


def mapcount(path: str) -> dict:
    """How many processes map page 0 of a shared file, as its own /proc files tell: numa_maps
    ``mapmax``, smaps ``Shared_Clean`` (pages others map too) for a fresh one-page mapping."""
    fd = os.open(path, os.O_RDONLY)
    mm = mmap.mmap(fd, 4096, prot=mmap.PROT_READ)
    _ = mm[0]
    out: dict = {"mapmax": None}
    try:
        for line in open("/proc/self/numa_maps"):
            if path in line:
                out["mapmax"] = int(([t for t in line.split() if t.startswith("mapmax=")]
                                     or ["mapmax=1"])[0].split("=")[1])
    except OSError as e:
        out["mapmax"] = errname(e.errno)
    seg = open("/proc/self/smaps").read().split(path, 1)[1]
    out["shared_clean_kb"] = int(seg.split("Shared_Clean:", 1)[1].split()[0])
    mm.close()
    os.close(fd)
    return out


def meet(cfg: dict) -> dict:
    flag = cfg["flag"]
    res = {"before": snapshot(), "ino_before": inode_numbers(), "pid_before": own_pid()}
    res["again"] = snapshot()  # its own reading twice: what moves with nobody else
    res["residency_before"] = residency(cfg["shared_file"])
    res["mapcount_before"] = mapcount(cfg["mapped_file"])
    open(f"/workspace/{flag}.ready", "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(f"/workspace/{flag}.go") and time.monotonic() < deadline:
        time.sleep(0.05)
    res["after"] = snapshot()
    res["ino_after"] = inode_numbers()
    res["pid_after"] = own_pid()
    res["residency_after"] = residency(cfg["shared_file"])
    res["mapcount_after"] = mapcount(cfg["mapped_file"])  # the host maps it now
    return res


# ------------------------------------------------------------------ single members
NEW_SYSCALLS = {  # x86_64: name -> (nr, args); all expected absent (ENOSYS)
    "mseal": (462, (0, 4096, 0)), "cachestat": (451, (0, 0, 0, 0)),
    "process_mrelease": (448, (0, 0)), "memfd_secret": (447, (0,)),
    "map_shadow_stack": (453, (0, 4096, 0)), "listmount": (458, (0, 0, 0, 0)),
    "statmount": (457, (0, 0, 0, 0)), "lsm_get_self_attr": (459, (0, 0, 0, 0)),
    "lsm_set_self_attr": (460, (0, 0, 0, 0)), "lsm_list_modules": (461, (0, 0, 0)),
    "setxattrat": (463, (0, 0, 0, 0, 0, 0)), "getxattrat": (464, (0, 0, 0, 0, 0, 0)),
    "listxattrat": (465, (0, 0, 0, 0, 0)), "removexattrat": (466, (0, 0, 0, 0)),
    "open_tree_attr": (467, (0, 0, 0, 0, 0)), "file_getattr": (468, (0, 0, 0, 0, 0)),
    "file_setattr": (469, (0, 0, 0, 0, 0)), "uretprobe": (335, ()), "uprobe": (336, ()),
    "futex_wake": (454, (0, 0, 1, 0)), "futex_wait": (455, (0, 0, 0, 0, 0, 0)),
    "futex_requeue": (456, (0, 0, 0, 0)), "set_mempolicy_home_node": (450, (0, 0, 0, 0)),
    "pkey_alloc_then_nothing": (-1, ()), "kexec_file_load": (320, (0, 0, 0, 0, 0)),
    "io_pgetevents": (333, (0, 0, 0, 0, 0, 0)), "rseq_bad": (-1, ()),
    "fsinfo_unassigned_470": (470, ()), "unassigned_500": (500, ()),
    "unassigned_1000": (1000, ()), "pidfd_getfd_self": (438, (0, 0, 0)),
}
NEW_SYSCALLS = {k: v for k, v in NEW_SYSCALLS.items() if v[0] >= 0}
IOCTLS = {  # requests on its own descriptors, none on the allow list
    "PIDFD_GET_INFO": ("pidfd", 0xC050FF0B), "PIDFD_GET_PID_NAMESPACE": ("pidfd", 0xFF05),
    "PIDFD_GET_USER_NAMESPACE": ("pidfd", 0xFF0A), "PIDFD_GET_MNT_NAMESPACE": ("pidfd", 0xFF03),
    "NS_GET_OWNER_UID": ("ns", 0xB704), "NS_GET_MNTNS_ID": ("mntns", 0x8008B705),
    "NS_GET_PID_FROM_PIDNS": ("ns", 0x8004B706), "FS_IOC_GETFSUUID": ("file", 0x80111500),
    "FS_IOC_GETFSSYSFSPATH": ("file", 0x80811501), "FS_IOC_GETFSLABEL": ("file", 0x81009431),
    "FS_IOC_GETFSMAP": ("file", 0xC0C0583B), "FIDEDUPERANGE": ("file", 0xC0189436),
    "FS_IOC_GET_ENCRYPTION_POLICY_EX": ("file", 0xC0096616), "FS_IOC_MEASURE_VERITY": ("file", 0xC0046686),
    "FIOQSIZE": ("file", 0x5460), "FIOGETOWN": ("sock", 0x8903), "FIOSETOWN": ("sock", 0x8901),
    "SIOCGSKNS": ("sock", 0x894C), "SIOCINQ_pipe_TIOCINQ": ("pipe", 0x4B),
    "SECCOMP_IOCTL_NOTIF_RECV": ("pipe", 0xC0502100), "TIOCGPTPEER_on_file": ("file", 0x5441 + 0x100),
    "EVIOCGVERSION": ("file", 0x80044501), "TCGETX": ("pty", 0x5432),
    "TIOCGEXCL": ("pty", 0x80045440), "TIOCGICOUNT": ("pty", 0x545D),
    "TIOCSERGETLSR": ("pty", 0x5459), "SNDCTL": ("file", 0xC0045002)}
PRCTLS = {"PR_GET_SHADOW_STACK_STATUS": 74, "PR_SET_SHADOW_STACK_STATUS": 75,
          "PR_LOCK_SHADOW_STACK_STATUS": 76, "PR_TIMER_CREATE_RESTORE_IDS": 77,
          "PR_FUTEX_HASH": 78, "PR_SET_MM_auxv": 35, "PR_SCHED_CORE_get": 62,
          "PR_GET_MDWE": 66, "PR_SET_MEMORY_MERGE": 67, "PR_RISCV_SET_ICACHE_FLUSH_CTX": 71,
          "PR_PPC_GET_DEXCR": 72, "PR_GET_TAGGED_ADDR_CTRL": 56, "PR_SVE_SET_VL": 50,
          "PR_SET_SPECULATION_CTRL_other": 0x100 + 53, "PR_GET_IO_FLUSHER": 58,
          "PR_SET_PTRACER_ANY_high": 0x59616D61 | 1 << 32}


def _fds() -> dict[str, int]:
    fds = {"file": os.open(sys.executable, os.O_RDONLY), "pipe": os.pipe()[0],
           "sock": socket.socket().detach(), "ns": os.open("/proc/self/ns/pid", os.O_RDONLY),
           "mntns": os.open("/proc/self/ns/mnt", os.O_RDONLY)}
    try:
        fds["pidfd"] = os.pidfd_open(os.getpid())
    except OSError:
        fds["pidfd"] = fds["file"]
    m = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY)
    fds["pty"] = m
    return fds


def run(cfg: dict) -> dict:
    a: dict = {}
    for name, (nr, args) in NEW_SYSCALLS.items():
        a[f"sys_{name}"] = in_child(lambda nr=nr, args=args: sys_(nr, *args))
    fds = _fds()
    buf = ctypes.create_string_buffer(512)
    for name, (kind, req) in IOCTLS.items():
        a[f"ioctl_{name}"] = attempt(lambda kind=kind, req=req: sys_(16, fds[kind], req, buf))
    for name, opt in PRCTLS.items():
        a[f"prctl_{name}"] = attempt(lambda opt=opt: sys_(157, opt, 0, 0, 0, 0))
    # ordinary counterparts
    a["ioctl_FIONREAD_pipe"] = attempt(lambda: sys_(16, fds["pipe"], 0x541B, buf))
    a["ioctl_TCGETS_pty"] = attempt(lambda: sys_(16, fds["pty"], 0x5401, buf))
    a["prctl_PR_GET_NAME"] = attempt(lambda: sys_(157, 16, buf, 0, 0, 0))
    word = ctypes.c_uint32(0)
    waitv = (ctypes.c_uint64 * 3)(0, ctypes.addressof(word), 2 | 128)  # u32, private
    a["futex_waitv_timeout"] = attempt(lambda: sys_(449, waitv, 1, 0, ctypes.byref(
        (ctypes.c_long * 2)(0, 0)), 1))  # an absolute CLOCK_MONOTONIC time long past
    a["landlock_abi"] = sys_(444, 0, 0, 1)
    a["dev"] = sorted(os.listdir("/dev"))
    a["sys_exists"] = os.path.exists("/sys") and bool(os.listdir("/sys"))
    for p in ("/sys/kernel/mm/transparent_hugepage/enabled", "/sys/fs/cgroup/cgroup.procs",
              "/sys/devices/system/cpu/online", "/sys/kernel/debug/fault_around_bytes",
              "/dev/cpu/0/msr", "/dev/mem", "/dev/kmsg", "/dev/fuse", "/dev/net/tun",
              "/dev/kvm", "/dev/loop-control", "/dev/userfaultfd", "/dev/vhost-net",
              "/dev/vsock", "/dev/snapshot", "/dev/hwrng", "/dev/port", "/dev/uinput"):
        a[f"open_{p}"] = attempt(lambda p=p: os.close(os.open(p, os.O_RDONLY)))
    for name in ("null", "zero", "urandom", "full", "random"):
        a[f"open_/dev/{name}"] = attempt(
            lambda name=name: os.close(os.open(f"/dev/{name}", os.O_RDONLY)))
    a["nproc"] = os.cpu_count()
    a.update(pidfds())
    a.update(eviction(cfg["shared_file"]))
    return a


CLONE_PIDFD, CLONE_THREAD = 0x1000, 0x10000


def pidfds() -> dict:
    """Every way to a pidfd (whose pidfs inode number counts the machine's processes)."""
    a = {}
    child = os.fork()
    if child == 0:
        time.sleep(5)
        os._exit(0)
    a["pidfd_open_child"] = attempt(lambda: os.close(os.pidfd_open(child)))
    a["pidfd_open_self"] = attempt(lambda: os.close(os.pidfd_open(os.getpid())))
    os.kill(child, 9)
    os.waitpid(child, 0)
    # an invalid combination: EINVAL from the kernel when the filter lets it through
    a["clone_pidfd"] = attempt(lambda: sys_(56, CLONE_PIDFD | CLONE_THREAD, 0, 0, 0, 0))
    x, y = socket.socketpair()
    a["so_peerpidfd"] = attempt(lambda: x.getsockopt(socket.SOL_SOCKET, 77, 4))
    a["so_passpidfd"] = attempt(lambda: x.setsockopt(socket.SOL_SOCKET, 76, 1))
    a["so_peerpidfd_high_bits"] = attempt(lambda: sys_(55, x.fileno(), 1 | 1 << 32, 77, 0, 0))
    a["so_cookie"] = attempt(lambda: x.getsockopt(socket.SOL_SOCKET, 57, 8))  # "ok" or errno
    a["so_cookie_high_bits"] = attempt(lambda: sys_(55, x.fileno(), 1, 57 | 1 << 32, 0, 0))
    a["so_peercred"] = attempt(lambda: x.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    a["so_passcred"] = attempt(lambda: x.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1))
    x.close(), y.close()
    a["fork_plain"] = in_child(lambda: os.waitpid(_fork_exit(), 0))
    a["asyncio_subprocess"] = attempt(_asyncio_subprocess)
    return a


def _fork_exit() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid


def _asyncio_subprocess() -> None:
    import asyncio

    async def go():
        p = await asyncio.create_subprocess_exec("/bin/true")
        if await p.wait() != 0:
            raise OSError(errno.ECHILD, "true failed")
    asyncio.run(go())


def eviction(path: str) -> dict:
    """Dropping a shared file's pages: answered 0, the pages stay (``present`` counts the
    mapped-around pages of a fresh mapping; 16 when all are cached)."""
    a = {}
    with open(path, "rb") as f:
        f.read()  # cached
    a["cached_first"] = residency(path)["present"]
    fd = os.open(path, os.O_RDONLY)
    a["fadvise_dontneed"] = attempt(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED))
    a["after_fadvise_dontneed"] = residency(path)["present"]
    mm = mmap.mmap(fd, 16 * 4096, prot=mmap.PROT_READ)
    for off in range(0, 16 * 4096, 4096):
        _ = mm[off]
    a["madvise_pageout"] = attempt(lambda: mm.madvise(21))
    a["madvise_cold"] = attempt(lambda: mm.madvise(20))
    mm.close()
    a["after_madvise_pageout"] = residency(path)["present"]
    a["fadvise_sequential"] = attempt(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL))
    a["fadvise_willneed"] = attempt(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED))
    a["fadvise_dontneed_high_bits"] = attempt(lambda: sys_(221, fd, 0, 0, 4 | 1 << 32))
    os.close(fd)
    own = "/tmp/own-evict.bin"  # its own file: the hint is still answered 0
    with open(own, "wb") as f:
        f.write(b"o" * 65536)
    fd = os.open(own, os.O_RDONLY)
    a["fadvise_dontneed_own"] = attempt(lambda: os.posix_fadvise(fd, 0, 0, 4))
    os.close(fd)
    return a


if __name__ == "__main__":
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    result = meet(cfg) if mode == "meet" else run(cfg)
    print("RESULT " + json.dumps(result), flush=True)
