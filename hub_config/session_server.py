"""The session's Jupyter server, made non-dumpable before it starts (run inside the sandbox).

Kernels run as the same uid as their server.  Without this, a kernel could open
``/proc/<server>/mem`` and rewrite the running server (ptrace itself is refused by the seccomp
filter, this path is not a syscall a filter can tell apart): a non-dumpable process's /proc
files belong to root.  Kernels are started with execve, which makes them dumpable again,
so nothing else changes.
"""
from __future__ import annotations

import ctypes
import sys

PR_SET_DUMPABLE = 4


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_DUMPABLE): errno {ctypes.get_errno()}")
    from jupyterhub.singleuser import main as singleuser_main

    sys.exit(singleuser_main())


if __name__ == "__main__":
    main()
