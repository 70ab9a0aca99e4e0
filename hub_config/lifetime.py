"""Processes that must not outlive the one that started them (fail closed)."""
from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def end_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` when the parent dies.  False if the parent is already
    gone (then the caller should exit); the check after prctl closes the race."""
    parent = os.getppid()
    if _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"prctl PDEATHSIG: {os.strerror(e)}")
    return os.getppid() == parent
