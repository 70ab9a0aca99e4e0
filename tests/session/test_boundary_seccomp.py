"""The seccomp filter on its own, against ROOT (S1): every refusal comes from the filter.

Inside the sandbox the session also lacks capabilities, so a refused mount there does not
show the filter works.  Here each attack runs as root with all capabilities, once with the
filter loaded and once without (the control): without the filter it works, with it it is
refused.  Remove a rule and its case fails.
"""
from __future__ import annotations

import ctypes
import errno
import os
import socket
import tempfile

import pytest

from tests.session.boundary_probe import in_child

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the control runs "
                                                           "privileged syscalls)"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000


def _sys(nr, *args):
    r = libc.syscall(nr, *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def _mount_tmpfs():
    d = tempfile.mkdtemp()
    _sys(272, CLONE_NEWNS)  # control: a private mount namespace first, so nothing leaks
    if libc.mount(b"none", d.encode(), b"tmpfs", 0, None) != 0:
        raise OSError(ctypes.get_errno(), "mount")


def _clone(flags):
    def attempt():
        pid = _sys(56, flags | 17, 0, 0, 0, 0)
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return attempt


def _tiocsetd(ldisc):
    import fcntl
    import pty
    import struct

    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, 0x5423, struct.pack("i", ldisc))
    finally:
        os.close(master), os.close(slave)


ATTACKS = {
    "unshare_user": lambda: _sys(272, CLONE_NEWUSER),
    "unshare_mount": lambda: _sys(272, CLONE_NEWNS),
    "unshare_net": lambda: _sys(272, CLONE_NEWNET),
    "clone_user": _clone(CLONE_NEWUSER),
    "clone_net": _clone(CLONE_NEWNET),
    "setns": lambda: _sys(308, os.open("/proc/self/ns/net", os.O_RDONLY), 0),
    "mount": _mount_tmpfs,
    "io_uring_setup": lambda: os.close(_sys(425, 4, ctypes.create_string_buffer(120))),
    "keyctl_join_session_keyring": lambda: _sys(250, 1, 0),
    "add_key": lambda: _sys(248, b"user", b"k", b"v", 1, -2),  # KEY_SPEC_PROCESS_KEYRING
    "ptrace_traceme": lambda: _sys(101, 0, 0, 0, 0),
    "process_vm_readv": lambda: _sys(310, os.getpid(), 0, 0, 0, 0, 0),
    "userfaultfd": lambda: os.close(_sys(323, 1)),
    "personality_no_aslr": lambda: _sys(135, 0x0040000),
    "chroot": lambda: _sys(161, b"/"),
    "socket_packet": lambda: socket.socket(17, socket.SOCK_RAW).close(),
    "socket_nf_tables": lambda: socket.socket(16, socket.SOCK_RAW, 12).close(),
    "modify_ldt_read": lambda: _sys(154, 0, ctypes.create_string_buffer(64), 64),
    "tiocsetd_n_tty": lambda: _tiocsetd(0),
    "sethostname": lambda: _sys(170, b"x", 1) if _sys(272, 0x04000000) == 0 else None,
}


def _outcome(fn, with_filter: bool) -> str:
    def attempt():
        if with_filter:
            from hub_config.seccomp_filter import load_here

            load_here()
        return fn()
    return in_child(attempt)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_filter_refuses_what_root_could_do(attack):
    assert _outcome(ATTACKS[attack], with_filter=False) == "ok"  # the control: it works
    assert _outcome(ATTACKS[attack], with_filter=True) in ("EPERM", "EAFNOSUPPORT",
                                                            "EPROTONOSUPPORT")


def test_clone3_falls_back_and_ordinary_work_goes_on():
    """clone3 answers ENOSYS (flags unreadable), so fork/threads/subprocess use clone."""
    def ordinary():
        import subprocess
        import threading

        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
        assert subprocess.run(["/bin/true"]).returncode == 0
        with socket.socket(socket.AF_UNIX) as s1, socket.socket(socket.AF_INET) as s2:
            s1.close(), s2.close()
        socket.socket(16, socket.SOCK_RAW, 0).close()  # NETLINK_ROUTE stays allowed
        try:
            _sys(435, 0, 0)
        except OSError as e:
            if e.errno != errno.ENOSYS:
                raise
            return
        raise AssertionError("clone3 was not refused")
    assert _outcome(ordinary, with_filter=True) == "ok"
