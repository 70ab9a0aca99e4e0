"""No program from a memfd in a sandbox: the sandbox's PID namespace gets ``vm.memfd_noexec``
= 2 before the session's first process runs (S1, round 11).

Landlock (:mod:`hub_config.exec_guard`) lets ``execve`` open files only beneath the system
directories, but a memfd is a file of no file system, which Landlock never sees: a kernel could
``memfd_create``, write any program into it and run it - ``execve("/proc/self/fd/N")``,
``fexecve``/``execveat(fd, "", AT_EMPTY_PATH)``, ``ld.so /proc/self/fd/N``.  Since Linux 6.3
the PID namespace has its own ``vm.memfd_noexec``; at 2 every memfd is created
``MFD_NOEXEC_SEAL`` (no execute bits, and a seal that forbids adding them) and
``memfd_create(MFD_EXEC)`` is refused (EACCES).  A child namespace inherits its parent's value
and can never lower it.

Who may write it: a process *in* that namespace (the write applies to the writer's own PID
namespace, whichever ``/proc`` the file came from) holding ``CAP_SYS_ADMIN`` in its user
namespace - the host's here (no user namespace, ``sandbox`` module).  bwrap's ``/proc/sys``
is read-only, so the launcher (host root) opens the sysctl for writing and hands the descriptor
to the shim, which runs as root inside the new namespaces before ``setpriv``; bwrap keeps
``CAP_SYS_ADMIN`` for the shim alone, which writes the value, reads it back from the sandbox's
own ``/proc`` and drops the capability before anything else (``setpriv`` then drops the rest).
Fail closed: a kernel without the setting, or a value that did not hold, stops the session.
"""
from __future__ import annotations

import ctypes
import os

SYSCTL = "/proc/sys/vm/memfd_noexec"
NOEXEC_ENFORCED = 2  # MEMFD_NOEXEC_SCOPE_NOEXEC_ENFORCED
CAP_SYS_ADMIN = 21
PR_CAPBSET_DROP = 24
CAPGET_NR, CAPSET_NR = 125, 126  # x86_64
CAP_VERSION_3 = 0x20080522


class MemfdNoexecError(OSError):
    pass


def memfd_noexec_scope() -> int | None:
    """The value a sandbox's PID namespace gets (S1: programs only from the system's files).
    The switch point (policies/rules_index.yaml): None leaves the host's value (0 here), and a
    program written into a memfd runs again."""
    return NOEXEC_ENFORCED


def open_for_sandbox() -> tuple[int, int] | None:
    """``(descriptor, value)`` for the shim: the host's sysctl opened for writing (inheritable:
    handed to bwrap), or None when no value is wanted.  Raises when the kernel has no
    per-namespace setting: the launcher refuses the sandbox."""
    scope = memfd_noexec_scope()
    if scope is None:
        return None
    try:
        return os.open(SYSCTL, os.O_WRONLY), int(scope)
    except OSError as e:
        raise MemfdNoexecError(e.errno, f"{SYSCTL}: {e.strerror} (Linux >= 6.3 is needed to "
                                        f"keep programs out of memfds)") from None


def _drop_sys_admin() -> None:
    """CAP_SYS_ADMIN out of the bounding, effective, permitted and inheritable sets."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0:
        raise MemfdNoexecError(ctypes.get_errno(), "PR_CAPBSET_DROP CAP_SYS_ADMIN")
    header = (ctypes.c_uint32 * 2)(CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # two {effective, permitted, inheritable}
    if libc.syscall(CAPGET_NR, header, data) != 0:
        raise MemfdNoexecError(ctypes.get_errno(), "capget")
    for i in range(3):  # CAP_SYS_ADMIN is bit 21 of the low words
        data[i] &= ~(1 << CAP_SYS_ADMIN) & 0xFFFFFFFF
    if libc.syscall(CAPSET_NR, header, data) != 0:
        raise MemfdNoexecError(ctypes.get_errno(), "capset")


def seal_namespace(fd: int, scope: int) -> None:
    """In the shim (root, inside the sandbox's PID namespace): write ``scope`` through ``fd``,
    check the sandbox's own ``/proc`` shows it, drop CAP_SYS_ADMIN.  Raises on any failure."""
    try:
        os.write(fd, str(int(scope)).encode())
    finally:
        os.close(fd)
    with open(SYSCTL) as f:  # this PID namespace's value (bwrap's /proc is the sandbox's)
        seen = int(f.read().strip())
    if seen < scope:
        raise MemfdNoexecError(0, f"vm.memfd_noexec is {seen} in the sandbox, not {scope}")
    _drop_sys_admin()
