"""``sysinfo(2)`` answered with the session's own figures, not the machine's (S1, S7).

sysinfo tells the whole machine's load averages, free memory and number of processes: a live
channel between sessions on one host.  Refusing it is not possible - glibc's
``sysconf(_SC_PHYS_PAGES)`` has no other source and Chromium (the remote desktop) dies when it
reads 0 - and a seccomp filter can only refuse a call, not answer it.  So the call is handed to
the launcher (root, outside the sandbox) through seccomp user notification:

* inside bwrap, before ``setpriv``, :func:`shim_main` loads a third filter - sysinfo ->
  ``SECCOMP_RET_USER_NOTIF`` - and sends its listener descriptor to the launcher over a socket
  pair, then executes the rest of the command (everything after it runs under the filter);
* the launcher's :class:`Answerer` thread receives each call and writes a ``struct sysinfo`` of
  the session's own into the caller's memory: uptime since the session started, zero load,
  the session's memory limit as total and free RAM, no swap, one process.

Fail closed: if the shim cannot load the filter or hand it over, the session does not start;
if the launcher goes away, the kernel answers the call with ENOSYS.
"""
from __future__ import annotations

import array
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import threading
import time

SYSINFO_NR = 99  # x86_64
# struct sysinfo (x86_64): long uptime; unsigned long loads[3], totalram, freeram, sharedram,
# bufferram, totalswap, freeswap; unsigned short procs, pad; unsigned long totalhigh, freehigh;
# unsigned int mem_unit; char _f[...]  -> 112 bytes
SYSINFO = struct.Struct("=q3Q6QHH4xQQI4x")
assert SYSINFO.size == 112
# <linux/seccomp.h> ioctls on the listener
NOTIF_RECV, NOTIF_SEND, NOTIF_ID_VALID = 0xC0502100, 0xC0182101, 0x40082102


class _Data(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int), ("arch", ctypes.c_uint32),
                ("instruction_pointer", ctypes.c_uint64), ("args", ctypes.c_uint64 * 6)]


class _Notif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("data", _Data)]


class _Resp(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


_libc = ctypes.CDLL(None, use_errno=True)


def answer_bytes(memory_mb: int, started: float) -> bytes:
    mem = int(memory_mb) << 20
    return SYSINFO.pack(int(time.monotonic() - started), 0, 0, 0, mem, mem, 0, 0, 0, 0, 1, 0,
                        0, 0, 1)


class Answerer(threading.Thread):
    """The launcher's side: answer the session's sysinfo calls until stopped."""

    def __init__(self, sock: socket.socket, memory_mb: int) -> None:
        super().__init__(daemon=True, name="sysinfo-answerer")
        self.sock, self.memory_mb, self.started = sock, int(memory_mb), time.monotonic()
        self.listener: int | None = None
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.answered = 0

    def _receive_listener(self) -> int | None:
        fds = array.array("i")
        self.sock.settimeout(60)
        try:
            msg, anc, _flags, _addr = self.sock.recvmsg(1, socket.CMSG_SPACE(4))
        except OSError:
            return None
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:4])
        return fds[0] if fds else None

    def run(self) -> None:
        try:
            self.listener = self._receive_listener()
        finally:
            self.sock.close()
            self.ready.set()
        if self.listener is None:
            return
        try:
            while not self.stopping.is_set():
                r, _, _ = select.select([self.listener], [], [], 0.5)
                if r:
                    self._one()
        except OSError:
            pass  # the sandbox is gone (ENOENT/EBADF on the listener)
        finally:
            os.close(self.listener)

    def _one(self) -> None:
        req = _Notif()
        if _libc.ioctl(self.listener, ctypes.c_ulong(NOTIF_RECV), ctypes.byref(req)) != 0:
            e = ctypes.get_errno()
            if e in (errno.EINTR, errno.ENOENT):
                return  # the caller went away meanwhile
            raise OSError(e, "SECCOMP_IOCTL_NOTIF_RECV")
        resp = _Resp(id=req.id, val=0, error=0, flags=0)
        try:
            if req.data.nr != SYSINFO_NR:
                raise OSError(errno.ENOSYS, "not sysinfo")
            fd = os.open(f"/proc/{req.pid}/mem", os.O_RDWR | os.O_CLOEXEC)
            try:
                # the pid is still the caller's (not reused) while its notification is valid
                rid = ctypes.c_uint64(req.id)
                if _libc.ioctl(self.listener, ctypes.c_ulong(NOTIF_ID_VALID),
                               ctypes.byref(rid)) != 0:
                    return
                os.pwrite(fd, answer_bytes(self.memory_mb, self.started), req.data.args[0])
            finally:
                os.close(fd)
            self.answered += 1
        except OSError as e:
            resp.val, resp.error = -1, -(e.errno or errno.EFAULT)
        _libc.ioctl(self.listener, ctypes.c_ulong(NOTIF_SEND), ctypes.byref(resp))

    def stop(self) -> None:
        self.stopping.set()


def shim_main(argv: list[str], *, prog: str = "hub_config.sysinfo_notify", add_rules=None) -> int:
    """``python -m <prog> FD [--exec-dir DIR]... [--memfd-noexec FD:N] -- CMD...`` inside
    bwrap: set the PID namespace's ``vm.memfd_noexec`` (:mod:`hub_config.sandbox_memfd`),
    load the filter (``add_rules(filter, pyseccomp)`` says which calls go to the launcher;
    default ``sysinfo``), hand its listener over FD, restrict execution to the DIRs
    (:mod:`hub_config.exec_guard`), execute CMD."""
    exec_dirs, rest, memfd_seal = [], argv[1:], None
    while len(rest) >= 2 and rest[0] in ("--exec-dir", "--memfd-noexec"):
        if rest[0] == "--exec-dir":
            exec_dirs.append(rest[1])
        else:  # "FD:VALUE" - the sysctl the launcher opened (hub_config.sandbox_memfd)
            fd, _, value = rest[1].partition(":")
            memfd_seal = (int(fd), int(value))
        rest = rest[2:]
    if not argv or len(rest) < 2 or rest[0] != "--":
        print(f"usage: python -m {prog} FD [--exec-dir DIR]... -- CMD...", file=sys.stderr)
        return 2
    if memfd_seal is not None:  # S1: no program from a memfd, before anything else runs
        from hub_config.sandbox_memfd import seal_namespace

        try:
            seal_namespace(*memfd_seal)
        except (OSError, ValueError) as e:  # fail closed
            print(f"enclave sandbox: memfds not made non-executable: {e}", file=sys.stderr)
            return 70
    import pyseccomp as sc

    sock = socket.socket(fileno=int(argv[0]))
    try:
        f = sc.SyscallFilter(sc.ALLOW)
        if add_rules is None:
            f.add_rule(sc.NOTIFY, "sysinfo")
        else:
            add_rules(f, sc)
        f.load()
        listener = sc._libseccomp.seccomp_notify_fd(f._filter)  # noqa: SLF001 - no public API
        if listener < 0:
            raise OSError(-listener, "seccomp_notify_fd")
        sock.sendmsg([b"L"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               array.array("i", [listener]).tobytes())])
        os.close(listener)
    except Exception as e:  # fail closed: no session without the answerer
        print(f"enclave sandbox: notification filter not loaded: {e}", file=sys.stderr)
        return 70
    finally:
        sock.close()
    from hub_config.proc_mask import close_net

    try:  # the machine's figures in this namespace's /proc/net, root-only (proc_mask)
        close_net()
    except OSError as e:
        print(f"enclave sandbox: /proc/net not closed: {e}", file=sys.stderr)
        return 70
    if exec_dirs:
        from hub_config.exec_guard import restrict

        try:
            restrict(exec_dirs)
        except OSError as e:  # fail closed: no session that could run a program it wrote
            print(f"enclave sandbox: execution not restricted: {e}", file=sys.stderr)
            return 70
    os.execv(rest[1], rest[1:])
    return 127


if __name__ == "__main__":
    sys.exit(shim_main(sys.argv[1:]))
