"""Which futex addresses of a non-private futex call are the session's own (S1, S7).

A non-private (process-shared) futex is keyed by what the address maps: anonymous private
memory by the process, a file's page by the file's inode and offset - the same key for every
process on the machine that maps that page.  Every program maps its libraries and the stdlib
is one set of inodes for every sandbox, so a ``FUTEX_WAIT`` of one session on a page of a
shared read-only file was woken (and counted) by another session's ``FUTEX_WAKE`` there: a
channel between cases without timing (round 6: ~1 000 bits a second).

The seccomp filter sees only the address, so the launcher (:mod:`hub_config.statfs_notify`)
is asked for every futex call without ``FUTEX_PRIVATE_FLAG`` and every ``futex_waitv`` (rare:
contended process-shared locks only; glibc's own locks are private).  Here the caller's
mapping of each address the call keys on is looked up in ``/proc/<tid>/maps`` and, for a
file, opened through ``/proc/<tid>/map_files`` to learn its mount: the session's own when the
page is anonymous (its heap, stack, a thread stack), shared memory of the kernel's internal
mount (``MAP_SHARED|MAP_ANONYMOUS``, memfd, System V segments - reachable only through the
session's own descriptors and IPC namespace), or a file of one of the sandbox's own writable
mounts (scratch, ``/dev/shm``, the workspace).  Anything else - a read-only bind, ``[vdso]``,
a mapping that cannot be opened - is refused (EPERM): no program waits or wakes on a page it
cannot write.  ``futex_wake``/``futex_wait``/``futex_requeue`` (Linux 6.7) are not in the
allow-list (ENOSYS).
"""
from __future__ import annotations

import errno
import os
import struct

FUTEX_NR, FUTEX_WAITV_NR = 202, 449
FUTEX_NRS = (FUTEX_NR, FUTEX_WAITV_NR)
FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME = 128, 256
# commands keying a second address (uaddr2, the fifth argument): REQUEUE, CMP_REQUEUE,
# WAKE_OP, WAIT_REQUEUE_PI, CMP_REQUEUE_PI - a waiter requeued onto a file's page waits there
TWO_ADDRESSES = (3, 4, 5, 11, 12)
FUTEX2_PRIVATE = 128
WAITV_MAX, WAITV_SIZE = 128, 24  # struct futex_waitv {u64 val; u64 uaddr; u32 flags; u32 _}
# anonymous mappings without a file: private to the process whatever the futex flag says
ANON_NAMES = ("", "[heap]")
ANON_PREFIXES = ("[stack", "[anon:")


def keyed_addresses(nr: int, args, mem: int | None) -> list[int]:
    """The user addresses a non-private futex call keys on: ``uaddr`` (and ``uaddr2`` of the
    two-address commands) of ``futex``; every entry of ``futex_waitv`` without
    ``FUTEX2_PRIVATE``.  A ``futex_waitv`` array that cannot be read is the kernel's to
    refuse (EFAULT/EINVAL): nothing to check then."""
    if nr == FUTEX_NR:
        cmd = (args[1] & 0xFFFFFFFF) & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
        if args[1] & FUTEX_PRIVATE_FLAG:
            return []
        return [args[0], args[4]] if cmd in TWO_ADDRESSES else [args[0]]
    count = args[1] & 0xFFFFFFFF
    if not 0 < count <= WAITV_MAX or mem is None:
        return []
    try:
        raw = os.pread(mem, count * WAITV_SIZE, args[0])
    except OSError:
        return []
    out = []
    for i in range(len(raw) // WAITV_SIZE):
        _val, uaddr, flags = struct.unpack_from("=QQI", raw, i * WAITV_SIZE)
        if not flags & FUTEX2_PRIVATE:
            out.append(uaddr)
    return out


def read_maps(fd: int) -> bytes:
    chunks = []
    while True:
        part = os.read(fd, 1 << 16)
        if not part:
            return b"".join(chunks)
        chunks.append(part)


def find_mapping(maps: bytes, addr: int):
    """``(start, end, inode, name)`` of the mapping holding ``addr``, or None."""
    for line in maps.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        lo, _, hi = parts[0].partition(b"-")
        start, end = int(lo, 16), int(hi, 16)
        if start <= addr < end:
            name = parts[5].decode("utf-8", "surrogateescape") if len(parts) > 5 else ""
            return start, end, int(parts[4]), name
    return None


def refuse_shared_file_futex() -> bool:
    """The switch point (policies/rules_index.yaml): False lets every non-private futex
    through unasked (the round 6 state)."""
    return True


def check(tid: int, maps: bytes, addresses, own_mnts: set[int], mnt_id) -> None:
    """Raise EPERM when any of ``addresses`` maps a page that is not the session's own (see the
    module's docstring); EFAULT when one is not mapped at all.  ``mnt_id(fd)`` tells the mount
    of an open file; ``own_mnts`` holds the sandbox's own writable mounts and the kernel's
    internal shared-memory mount."""
    for addr in addresses:
        where = find_mapping(maps, addr)
        if where is None:
            raise OSError(errno.EFAULT, "futex address not mapped")
        start, end, inode, name = where
        if inode == 0:
            if name in ANON_NAMES or name.startswith(ANON_PREFIXES):
                continue
            raise OSError(errno.EPERM, f"futex on {name or 'a special mapping'}")
        try:
            fd = os.open(f"/proc/{tid}/map_files/{start:x}-{end:x}", os.O_PATH | os.O_CLOEXEC)
        except OSError:
            raise OSError(errno.EPERM, "futex on a mapping that cannot be told") from None
        try:
            mnt = mnt_id(fd)
        finally:
            os.close(fd)
        if mnt not in own_mnts:
            raise OSError(errno.EPERM, "futex on a page of a file every session maps")
