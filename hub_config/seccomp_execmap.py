"""No code mapped from the kernel's shared-memory files (S1, round 11).

With ``vm.memfd_noexec`` = 2 (:mod:`hub_config.sandbox_memfd`) no memfd can be *executed*, and
every writable mount of a sandbox is ``noexec`` (scratch, the workspace, its sockets), so the
kernel refuses ``PROT_EXEC`` mappings of their files.  One place was left where a session
writes a file and may map it executable: the kernel's internal shared-memory mount, which
holds memfds, System V segments and shared anonymous memory.  ``ld.so /proc/self/fd/N``,
``dlopen("/proc/self/fd/N")`` or a plain ``mmap(PROT_EXEC)`` of a memfd ran its code, and so
did ``mprotect(PROT_EXEC)`` of such a mapping made readable first.

So ``mmap`` with ``PROT_EXEC`` of a file, and ``mprotect``/``pkey_mprotect`` with
``PROT_EXEC``, go to the launcher (:mod:`hub_config.statfs_notify`, seccomp user
notification): a file of that mount (the same device as a memfd of the launcher's), or a range
holding a mapping of one, is refused with EACCES - what ``mprotect`` answers for a ``noexec``
file; anything else is left to the kernel (CONTINUE).  Anonymous private memory made
executable stays: JIT compilers (Chromium's V8, its 4 calls a start) and ctypes use it, and it
holds nothing a file brought in.  ``shmat(SHM_EXEC)`` is refused by the deny filter
(:data:`hub_config.seccomp_filter.SHM_EXEC`).  Left: a session that swaps the descriptor, or
remaps the range, between this check and the kernel's run of the continued call.
"""
from __future__ import annotations

import errno
import os

MMAP_NR, MPROTECT_NR, PKEY_MPROTECT_NR = 9, 10, 329  # x86_64
NRS = (MPROTECT_NR, PKEY_MPROTECT_NR)
PROT_EXEC = 0x4
MAP_ANONYMOUS = 0x20


def refuse_shared_memory_code() -> bool:
    """The switch point (policies/rules_index.yaml): False lets a memfd's code be mapped
    executable again (the round 10 state)."""
    return True


def add_rules(f, sc) -> None:
    """The calls the launcher decides (in the shim's notification filter)."""
    exec_bit = sc.Arg(2, sc.MASKED_EQ, PROT_EXEC, PROT_EXEC)
    f.add_rule(sc.NOTIFY, "mmap", exec_bit, sc.Arg(3, sc.MASKED_EQ, MAP_ANONYMOUS, 0))
    f.add_rule(sc.NOTIFY, "mprotect", exec_bit)
    f.add_rule(sc.NOTIFY, "pkey_mprotect", exec_bit)


def shm_device() -> int:
    """The device of the kernel's shared-memory mount (a memfd's ``st_dev``)."""
    fd = os.memfd_create("enclave-shm-dev", os.MFD_CLOEXEC)
    try:
        return os.fstat(fd).st_dev
    finally:
        os.close(fd)


def check_file(fd: int, shm_dev: int) -> None:
    """EACCES for a file of the shared-memory mount (``fd``: a duplicate of the caller's)."""
    if os.fstat(fd).st_dev == shm_dev:
        raise OSError(errno.EACCES, "code from a memfd or shared memory segment")


def check_range(pid: int, addr: int, length: int, shm_dev: int) -> None:
    """EACCES when ``[addr, addr + length)`` of ``pid``'s memory holds a mapping of a file of
    the shared-memory mount (``/proc/PID/maps``: its device column)."""
    end = addr + max(int(length), 1)
    major, minor = os.major(shm_dev), os.minor(shm_dev)
    with open(f"/proc/{pid}/maps", "rb") as f:
        for line in f:
            parts = line.split(None, 5)
            lo, _, hi = parts[0].partition(b"-")
            if int(hi, 16) <= addr or int(lo, 16) >= end or parts[4] == b"0":
                continue
            dev_major, _, dev_minor = parts[3].partition(b":")
            if int(dev_major, 16) == major and int(dev_minor, 16) == minor:
                raise OSError(errno.EACCES, "code from a memfd or shared memory segment")


def decide(tid: int, nr: int, args, shm_dev: int, caller_fd) -> None:
    """The launcher's decision on a notified ``mmap``/``mprotect``/``pkey_mprotect`` of
    thread ``tid`` (``args``: the call's six arguments; ``caller_fd(n)``: a duplicate of the
    caller's descriptor ``n``, or None when it has none): EACCES raised for code from the
    shared-memory mount; returns when the kernel may run the call."""
    if not refuse_shared_memory_code():
        return
    if nr in NRS:
        if args[2] & PROT_EXEC:
            check_range(tid, args[0], args[1], shm_dev)
        return
    if nr != MMAP_NR or not args[2] & PROT_EXEC or args[3] & MAP_ANONYMOUS:
        return
    fd = caller_fd(args[4] & 0xFFFFFFFF)
    if fd is None:
        return  # not a descriptor of the caller's: the kernel answers EBADF
    try:
        check_file(fd, shm_dev)
    finally:
        os.close(fd)
