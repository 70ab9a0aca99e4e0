"""``statfs``/``fstatfs`` without the host's free space, locks on shared files unseen (S1, S7).

The read-only system, Python and package directories, the hub's and broker's socket
directories (and a workspace that is not an image of its own) are bind mounts of the host's
file system.  ``statfs`` on any of them told the host file system's free blocks and inodes,
which move with every other session's writes - its log output, its files - a channel between
sessions of different cases with no timing in it, the kind ``proc_mask`` closes in ``/proc``.
A filter can refuse ``statfs`` but not answer it, and refusing breaks ``df``,
``shutil.disk_usage`` and the programs that size caches by free space.

So both calls go to the launcher the way ``sysinfo`` does (:mod:`hub_config.sysinfo_notify`:
one seccomp user-notification filter, its listener handed to the launcher; a process may hold
only one listener, so this shim loads the one filter for every call answered here, sysinfo
included, and replaces that module's shim in the launch).  The launcher
resolves the caller's path inside the caller's own root (``openat2`` ``RESOLVE_IN_ROOT`` from
``/proc/PID/root``; a relative path from its working directory) or takes its descriptor
(``pidfd_getfd``), and answers the real ``struct statfs`` - with free blocks, available blocks
and free inodes 0 unless the file system is one of the sandbox's own (its tmpfs mounts,
``/dev``, ``/proc``, a workspace image).  Default deny: a file system not known to be the
sandbox's own is answered as full.  The answer is figures only; a path the caller could not
search gets figures too, never more than what ``df`` shows of the session's own mounts.

Locks are the same kind of channel: a shared read-only file is one inode for every session,
so a ``flock`` or a POSIX/OFD read lock one session takes on it, another saw (``flock`` with
``LOCK_NB``, ``F_GETLK``).  ``flock`` and the two lock *queries* come here too: on a file of
any mount but the sandbox's own writable ones (scratch, ``/dev/shm``, the workspace, its socket
directory - told apart by mount id) ``flock`` locks nothing and answers 0, ``F_GETLK``/
``F_OFD_GETLK`` answer ``F_UNLCK``; on its own files ``flock`` is done here on the caller's
open file description (a duplicate of it: the lock is the caller's) and a wait for it, like
``F_GETLK`` (whose owner is the calling process), is left to the kernel
(``SECCOMP_USER_NOTIF_FLAG_CONTINUE``).  Taking and releasing POSIX locks (``F_SETLK*``,
sqlite's and DuckDB's) is never asked.  What is left: a session that swaps the descriptor
between this check and the kernel's run of a continued call (a race it must win each time)
gets a real wait or query on a shared file.

Futexes are the same kind of channel (:mod:`hub_config.seccomp_futex`): every futex call
without ``FUTEX_PRIVATE_FLAG`` and every ``futex_waitv`` comes here; a call keyed on a page of
a file of any mount but the sandbox's own writable ones (or a special mapping) is refused
(EPERM), any other is left to the kernel (CONTINUE).  Left: a session that remaps the address
(or rewrites a ``futex_waitv`` entry) between this check and the kernel's run.

Every ``mmap`` of a file comes here too, to bound the files a process holds through mappings
after ``close()`` (:mod:`hub_config.seccomp_mapcount`: ENOMEM at the cap, else CONTINUE), and
every ``mmap`` of a file and ``mprotect`` asking for ``PROT_EXEC``, whose code must not come from
a memfd or shared memory segment (:mod:`hub_config.seccomp_execmap`: EACCES, else CONTINUE).
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys
import time

from hub_config import seccomp_futex as sf
from hub_config import seccomp_execmap as sx
from hub_config import seccomp_mapcount as smc
from hub_config import sysinfo_notify as si

STATFS_NR, FSTATFS_NR, PIDFD_OPEN_NR, PIDFD_GETFD_NR, OPENAT2_NR = 137, 138, 434, 438, 437
FCNTL_NR, FLOCK_NR, STATX_NR = 72, 73, 332
F_GETLK, F_OFD_GETLK = 5, 36  # the lock queries; F_SETLK* run unasked (sqlite, DuckDB)
FLOCK_SIZE = 32  # struct flock on x86_64
CONTINUE = 1  # SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the call as made
PIDFD_THREAD = os.O_EXCL  # pidfd_open of a thread, not its group (Linux 6.9)
NOTIFIED = ("sysinfo", "statfs", "fstatfs", "flock")
STATFS_SIZE = 120  # struct statfs on x86_64
FREE_FIELDS = (24, 32, 48)  # f_bfree, f_bavail, f_ffree (8 bytes each)
RESOLVE_NO_MAGICLINKS, RESOLVE_IN_ROOT = 0x02, 0x10
PATH_MAX = 4096
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _sys(nr: int, *args) -> int:
    res = _libc.syscall(ctypes.c_long(nr), *args)
    if res < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return res


def _fstatfs(fd: int) -> bytearray:
    out = ctypes.create_string_buffer(STATFS_SIZE)
    _sys(FSTATFS_NR, ctypes.c_long(fd), out)
    return bytearray(out.raw)


def _open_in_root(root_fd: int, path: str) -> int:
    """``path`` (absolute inside the sandbox) opened O_PATH beneath ``root_fd``, symlinks
    resolved as the sandbox sees them."""
    how = ctypes.create_string_buffer(struct.pack("=QQQ", os.O_PATH | os.O_CLOEXEC, 0,
                                                  RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), 24)
    return _sys(OPENAT2_NR, ctypes.c_long(root_fd), ctypes.c_char_p(path.encode()), how,
                ctypes.c_long(24))


def _pidfd(tid: int) -> int:
    """A pidfd of the calling *thread* (its descriptor table: a thread may have one of its
    own); PIDFD_THREAD needs Linux 6.9 - before it, the thread group's leader."""
    try:
        return _sys(PIDFD_OPEN_NR, ctypes.c_long(tid), ctypes.c_long(PIDFD_THREAD))
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
    with open(f"/proc/{tid}/status") as f:
        tgid = next(int(line.split()[1]) for line in f if line.startswith("Tgid:"))
    return _sys(PIDFD_OPEN_NR, ctypes.c_long(tgid), ctypes.c_long(0))


def _mnt_id(fd: int) -> int:
    """The id of the mount ``fd`` is on (statx STATX_MNT_ID)."""
    stx = ctypes.create_string_buffer(256)
    _sys(STATX_NR, ctypes.c_long(fd), ctypes.c_char_p(b""), ctypes.c_long(0x1000),
         ctypes.c_long(0x1000), stx)  # AT_EMPTY_PATH, STATX_MNT_ID
    return int.from_bytes(stx.raw[144:152], "little")


def pause_for(spent_s: float, cpu_percent: int) -> float:
    """How long to wait after ``spent_s`` of CPU so that answering uses at most
    ``cpu_percent`` of one CPU (the session's own limit); none at 100 % or more."""
    if cpu_percent >= 100 or spent_s <= 0:
        return 0.0
    return spent_s * (100 - max(1, cpu_percent)) / max(1, cpu_percent)


def hide_free(raw: bytes) -> bytes:
    """A ``struct statfs`` with free blocks, available blocks and free inodes 0."""
    out = bytearray(raw)
    for off in FREE_FIELDS:
        out[off:off + 8] = bytes(8)
    return bytes(out)


def answer_for(fd: int, own_devs: set[int]) -> bytes:
    """The statfs answer for the file at ``fd``: real on the sandbox's own file systems,
    without free space on any other (default deny)."""
    raw = bytes(_fstatfs(fd))
    return raw if os.fstat(fd).st_dev in own_devs else hide_free(raw)


class Answerer(si.Answerer):
    """sysinfo as :class:`hub_config.sysinfo_notify.Answerer`; statfs and fstatfs here.
    ``shared_sources``: host paths bound into the sandbox (their file systems are answered as
    full); ``own_points``: the sandbox's own mount points (answered as they are, unless one
    turns out to be a host file system)."""

    def __init__(self, sock: socket.socket, memory_mb: int, *, shared_sources, own_points,
                 lock_points=(), cpu_percent: int = 100):
        super().__init__(sock, memory_mb)
        self.cpu_percent = int(cpu_percent)
        self.paused = 0.0  # seconds this answerer waited to keep within the session's share
        self.lock_points = list(lock_points)
        self.lock_mnts: set[int] | None = None
        self.shared_devs = {os.stat("/").st_dev}
        for src in shared_sources:
            try:
                self.shared_devs.add(os.stat(src).st_dev)
            except OSError:
                pass
        self.own_points = list(own_points)
        self.own_devs: set[int] | None = None  # learnt inside the sandbox at the first call
        # the kernel's internal shared-memory mount (MAP_SHARED|MAP_ANONYMOUS, memfd, System V
        # segments): one mount, but its objects reach only who holds their descriptor/mapping
        shm = os.memfd_create("enclave-shm-mount", os.MFD_CLOEXEC)
        try:
            self.shm_mnt = _mnt_id(shm)
        finally:
            os.close(shm)
        self.futex_refused = 0
        self.shm_dev = sx.shm_device()  # memfds' and segments' mount (seccomp_execmap)
        cap = smc.mapped_files_cap()
        self.maps_counter = smc.MapCounter(cap) if cap is not None else None

    def _own(self, root_fd: int) -> set[int]:
        if self.own_devs is None:
            devs = set()
            for point in self.own_points:
                try:
                    fd = _open_in_root(root_fd, point)
                except OSError:
                    continue
                try:
                    devs.add(os.fstat(fd).st_dev)
                finally:
                    os.close(fd)
            self.own_devs = devs - self.shared_devs
        return self.own_devs

    def _lock_own(self, fd: int, root_fd: int) -> bool:
        """A file on one of the sandbox's own writable mounts (scratch, the workspace, its
        socket directory): its locks are the session's or its case's.  Any other mount -
        the read-only binds, device nodes such as /dev/null - is every session's."""
        return _mnt_id(fd) in self._lock_mnts(root_fd)

    def _lock_mnts(self, root_fd: int) -> set[int]:
        if self.lock_mnts is None:
            mnts = set()
            for point in self.lock_points:
                try:
                    pfd = _open_in_root(root_fd, point)
                except OSError:
                    continue
                try:
                    mnts.add(_mnt_id(pfd))
                finally:
                    os.close(pfd)
            self.lock_mnts = mnts
        return self.lock_mnts

    def _futex(self, tid: int, nr: int, args, mem: int, maps_fd: int, root_fd: int) -> None:
        """A non-private futex call: EPERM when it keys on a page that is not the session's
        own (:func:`hub_config.seccomp_futex.check`), else returns (the kernel runs it)."""
        addresses = sf.keyed_addresses(nr, args, mem)
        if not addresses:
            return
        own = self._lock_mnts(root_fd) | {self.shm_mnt}
        try:
            sf.check(tid, sf.read_maps(maps_fd), addresses, own, _mnt_id)
        except OSError as e:
            if e.errno == errno.EPERM:
                self.futex_refused += 1
            raise

    def _answer(self, fd: int, root_fd: int) -> bytes:
        return answer_for(fd, self._own(root_fd))

    def _one(self) -> None:
        # The launcher answers outside the session's cgroup: its time answering is the
        # session's work all the same, so it is held to the session's CPU share (a session
        # calling statfs in a loop from every thread would otherwise keep a core busy here).
        spent = time.thread_time()
        self._one_call()
        pause = pause_for(time.thread_time() - spent, self.cpu_percent)
        if pause > 0:
            self.paused += pause
            time.sleep(pause)

    def _one_call(self) -> None:
        req = si._Notif()
        if si._libc.ioctl(self.listener, ctypes.c_ulong(si.NOTIF_RECV), ctypes.byref(req)) != 0:
            e = ctypes.get_errno()
            if e in (errno.EINTR, errno.ENOENT):
                return  # the caller went away meanwhile
            raise OSError(e, "SECCOMP_IOCTL_NOTIF_RECV")
        resp = si._Resp(id=req.id, val=0, error=0, flags=0)
        opened: list[int] = []
        try:
            nr, args, pid = req.data.nr, req.data.args, req.pid
            if nr == smc.MMAP_NR or nr in sx.NRS:  # a file mapped, or memory made executable
                try:
                    resp.flags = self._mmap(pid, req.id, nr, args)
                except OSError as e:
                    resp.val, resp.error, resp.flags = -1, -(e.errno or errno.ENOMEM), 0
                si._libc.ioctl(self.listener, ctypes.c_ulong(si.NOTIF_SEND), ctypes.byref(resp))
                return
            if nr not in (si.SYSINFO_NR, STATFS_NR, FSTATFS_NR, FLOCK_NR, FCNTL_NR,
                          *sf.FUTEX_NRS):
                raise OSError(errno.ENOSYS, "not a call this launcher answers")
            # everything of the caller opened first, then checked still to be the caller's
            # (a pid reused after the check cannot matter: these refer to the caller's)
            mem = os.open(f"/proc/{pid}/mem", os.O_RDWR | os.O_CLOEXEC)
            opened.append(mem)
            if nr != si.SYSINFO_NR:
                root = os.open(f"/proc/{pid}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                opened.append(root)
            if nr in sf.FUTEX_NRS:  # its memory map, as the thread sees it
                maps = os.open(f"/proc/{pid}/maps", os.O_RDONLY | os.O_CLOEXEC)
                opened.append(maps)
            elif nr != si.SYSINFO_NR:
                pidfd = _pidfd(pid)
                opened.append(pidfd)
                cwd = os.readlink(f"/proc/{pid}/cwd")
            rid = ctypes.c_uint64(req.id)
            if si._libc.ioctl(self.listener, ctypes.c_ulong(si.NOTIF_ID_VALID),
                              ctypes.byref(rid)) != 0:
                return
            payload, where = None, 0
            if nr == si.SYSINFO_NR:
                payload, where = si.answer_bytes(self.memory_mb, self.started), args[0]
            elif nr in sf.FUTEX_NRS:
                self._futex(pid, nr, args, mem, maps, root)
                resp.flags = CONTINUE
            elif nr == STATFS_NR:
                path = self._path(mem, args[0])
                if not path.startswith("/"):
                    path = os.path.join(cwd if cwd.startswith("/") else "/", path)
                fd = _open_in_root(root, path)
                opened.append(fd)
                payload, where = self._answer(fd, root), args[1]
            else:  # fstatfs, flock, fcntl(F_GETLK/F_OFD_GETLK): the caller's descriptor
                fd = _sys(PIDFD_GETFD_NR, ctypes.c_long(pidfd), ctypes.c_long(
                    ctypes.c_int(args[0] & 0xFFFFFFFF).value), ctypes.c_long(0))
                opened.append(fd)
                if nr == FSTATFS_NR:
                    payload, where = self._answer(fd, root), args[1]
                else:
                    own = self._lock_own(fd, root)
                    if nr == FLOCK_NR:
                        resp.flags = self._flock(fd, args[1] & 0xFFFFFFFF, own)
                    else:
                        payload, where = self._getlk(fd, mem, args[1] & 0xFFFFFFFF, args[2],
                                                     own)
                        resp.flags = CONTINUE if payload is None else 0
            if payload is not None:
                try:  # EIO from /proc/PID/mem: an address not mapped writable in the caller
                    if os.pwrite(mem, payload, where) != len(payload):
                        raise OSError(errno.EFAULT, "short write")
                except OSError:
                    raise OSError(errno.EFAULT, "bad address") from None
            self.answered += 1
        except OSError as e:
            resp.val, resp.error, resp.flags = -1, -(e.errno or errno.EFAULT), 0
        finally:
            for fd in opened:
                os.close(fd)
        si._libc.ioctl(self.listener, ctypes.c_ulong(si.NOTIF_SEND), ctypes.byref(resp))

    def _mmap(self, tid: int, req_id: int, nr: int, args) -> int:
        """CONTINUE for a file mapping within the process's cap (ENOMEM raised beyond), and
        for memory made executable that is not a memfd's or a shared memory segment's
        (EACCES raised: :mod:`hub_config.seccomp_execmap`)."""
        sx.decide(tid, nr, args, self.shm_dev, lambda n: self._caller_fd(tid, n))
        if nr == smc.MMAP_NR and self.maps_counter is not None:
            self.maps_counter.allow(tid)
        rid = ctypes.c_uint64(req_id)  # the counts were the caller's (its pid not reused)
        if si._libc.ioctl(self.listener, ctypes.c_ulong(si.NOTIF_ID_VALID),
                          ctypes.byref(rid)) != 0:
            raise OSError(errno.ESRCH, "the caller went away")
        self.answered += 1
        return CONTINUE

    @staticmethod
    def _caller_fd(tid: int, n: int) -> int | None:
        """A duplicate of descriptor ``n`` of thread ``tid``, None when it has none."""
        try:
            pidfd = _pidfd(tid)
        except OSError:
            return None
        try:
            return _sys(PIDFD_GETFD_NR, ctypes.c_long(pidfd),
                        ctypes.c_long(ctypes.c_int(n).value), ctypes.c_long(0))
        except OSError:
            return None
        finally:
            os.close(pidfd)

    @staticmethod
    def _flock(fd: int, op: int, own: bool) -> int:
        """flock on the caller's own open file description (``fd`` is a duplicate of it, so
        the lock is the caller's): done here, without waiting.  On a shared file nothing is
        locked (no other session can see it; nobody writes those files).  A lock the caller
        waits for is left to the kernel (CONTINUE): swapping the descriptor meanwhile buys
        only a wait, and every flock another session could test with is answered here."""
        base = op & ~fcntl.LOCK_NB
        if base not in (fcntl.LOCK_SH, fcntl.LOCK_EX, fcntl.LOCK_UN):
            raise OSError(errno.EINVAL, "flock operation")
        if not own:
            return 0
        try:
            fcntl.flock(fd, op | fcntl.LOCK_NB)
        except BlockingIOError:
            if op & fcntl.LOCK_NB:
                raise
            return CONTINUE
        return 0

    @staticmethod
    def _getlk(fd: int, mem: int, cmd: int, addr: int, own: bool):
        """F_GETLK/F_OFD_GETLK: on a shared file no lock is ever seen (``F_UNLCK``); on the
        session's own, F_OFD_GETLK is asked here on the caller's open file description and
        F_GETLK (whose owner is the calling process) is left to the kernel."""
        try:
            raw = os.pread(mem, FLOCK_SIZE, addr)
        except OSError:
            raise OSError(errno.EFAULT, "bad address") from None
        if len(raw) != FLOCK_SIZE:
            raise OSError(errno.EFAULT, "bad address")
        if struct.unpack_from("=h", raw)[0] not in (fcntl.F_RDLCK, fcntl.F_WRLCK, fcntl.F_UNLCK):
            raise OSError(errno.EINVAL, "lock type")
        if not own:
            return struct.pack("=h", fcntl.F_UNLCK) + raw[2:], addr
        if cmd == F_OFD_GETLK:
            return fcntl.fcntl(fd, F_OFD_GETLK, raw), addr
        return None, addr

    @staticmethod
    def _path(mem: int, addr: int) -> str:
        raw = b""
        while len(raw) < PATH_MAX:  # page by page: a string may end just before a hole
            step = 4096 - (addr + len(raw)) % 4096
            try:
                part = os.pread(mem, step, addr + len(raw))
            except OSError:
                raise OSError(errno.EFAULT, "bad address") from None
            if not part:
                raise OSError(errno.EFAULT, "bad address")
            raw += part
            if b"\0" in part:
                break
        if b"\0" not in raw:
            raise OSError(errno.ENAMETOOLONG, "path too long")
        raw = raw.split(b"\0", 1)[0]
        if not raw:
            raise OSError(errno.ENOENT, "empty path")
        return raw.decode("utf-8", "surrogateescape")


def shim_main(argv: list[str]) -> int:
    """``python -m hub_config.statfs_notify FD [--exec-dir DIR]... -- CMD...`` inside bwrap:
    :func:`hub_config.sysinfo_notify.shim_main` with statfs, fstatfs, flock and the lock
    queries handed over too."""
    def add_rules(f, sc) -> None:
        for name in NOTIFIED:
            f.add_rule(sc.NOTIFY, name)
        for cmd in (F_GETLK, F_OFD_GETLK):
            f.add_rule(sc.NOTIFY, "fcntl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, cmd))
        if sf.refuse_shared_file_futex():  # non-private futexes: keyed by a file's page
            f.add_rule(sc.NOTIFY, "futex", sc.Arg(1, sc.MASKED_EQ, sf.FUTEX_PRIVATE_FLAG, 0))
            f.add_rule(sc.NOTIFY, "futex_waitv")
        if smc.mapped_files_cap() is not None:  # a file mapped (not MAP_ANONYMOUS)
            f.add_rule(sc.NOTIFY, "mmap", sc.Arg(3, sc.MASKED_EQ, smc.MAP_ANONYMOUS, 0))
        if sx.refuse_shared_memory_code():  # code mapped from a memfd or segment (round 11)
            sx.add_rules(f, sc)

    return si.shim_main(argv, prog="hub_config.statfs_notify", add_rules=add_rules)


if __name__ == "__main__":
    sys.exit(shim_main(sys.argv[1:]))
