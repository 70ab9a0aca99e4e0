"""Only the system's programs run in a sandbox; signals and abstract sockets stay inside (S1).

Every place a session can write - ``/tmp``, ``/var/tmp``, its home, ``/dev/shm``, the shared
``/workspace`` (and its imports) - used to run any program put there: a binary brought in
through the browser or written by a kernel, or one member's file that another member runs
(``!./tool`` in the shared workspace).  Landlock (Linux >= 5.13), applied inside bwrap by the
shim before ``setpriv``, now lets ``execve`` open a file only beneath the read-only system
directories the spawner names (``/usr`` and the Python prefix): default deny for execution,
whatever the path, link or mount.  Every process of the session inherits the restriction and
cannot lift it.

With Landlock ABI >= 6 the same domain is *scoped*: a session can neither signal nor connect to
an abstract unix socket of a process outside its own sandbox (the network and PID namespaces
already hide them; this holds even if a namespace were shared).

Not covered, by Landlock's design: a program in a memfd (``memfd_create`` + ``execveat``) - a
file of no file system - and ``mmap(PROT_EXEC)`` of a file, which ``ld.so`` uses.  The latter is
closed by ``noexec`` on every writable mount (scratch, the workspace, the socket directory:
``sandbox_devices``, ``workspace_disk``), the former since round 11 by ``vm.memfd_noexec`` in
the sandbox's PID namespace (``sandbox_memfd``) and the launcher's refusal of code mapped from
shared memory (``seccomp_execmap``).
"""
from __future__ import annotations

import ctypes
import os
import struct

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446  # x86_64 (same on every arch)
CREATE_RULESET_VERSION = 1
ACCESS_FS_EXECUTE = 1
RULE_PATH_BENEATH = 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2  # ABI 6
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)


class ExecGuardError(OSError):
    pass


def _check(res: int, what: str) -> int:
    if res < 0:
        e = ctypes.get_errno()
        raise ExecGuardError(e, f"landlock {what}: {os.strerror(e)}")
    return res


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when it has none (or it is disabled)."""
    res = _libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(res, 0)


def restrict(exec_dirs: list[str]) -> int:
    """Execution only beneath ``exec_dirs`` (and scoping when the kernel has it) for this
    process and all it starts.  Raises when the kernel cannot: the caller refuses to start
    the session (fail closed).  Returns the ABI used."""
    version = abi()
    if version < 1:
        raise ExecGuardError(0, "landlock is not available in this kernel")
    if not exec_dirs:
        raise ExecGuardError(0, "no directory named for programs")
    # struct landlock_ruleset_attr {u64 handled_access_fs, handled_access_net, scoped}
    if version >= 6:
        attr = struct.pack("=QQQ", ACCESS_FS_EXECUTE, 0,
                           SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    else:
        attr = struct.pack("=Q", ACCESS_FS_EXECUTE)
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _check(_libc.syscall(CREATE_RULESET, buf, ctypes.c_size_t(len(attr)),
                                   ctypes.c_uint32(0)), "create_ruleset")
    try:
        for d in exec_dirs:
            fd = os.open(d, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                # struct landlock_path_beneath_attr {u64 allowed_access; s32 parent_fd} packed
                rule = ctypes.create_string_buffer(struct.pack("=Qi", ACCESS_FS_EXECUTE, fd), 12)
                _check(_libc.syscall(ADD_RULE, ctypes.c_int(ruleset),
                                     ctypes.c_int(RULE_PATH_BENEATH), rule, ctypes.c_uint32(0)),
                       f"add_rule {d}")
            finally:
                os.close(fd)
        # without CAP_SYS_ADMIN Landlock needs no_new_privs (setpriv sets it anyway)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _check(_libc.syscall(RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "restrict_self")
    finally:
        os.close(ruleset)
    return version
