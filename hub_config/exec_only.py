"""Execute-only copies of the remote desktop's programs, bound over the originals in a session.

A kernel runs as the session's uid, like the X server and the kiosk browser the session's
server starts; on a kernel without Yama a process of the same uid may open another's
``/proc/<pid>/mem`` (and ``environ``, ``fd/``) unless that process is non-dumpable.  The X
server holds the display's cookie and the VNC password, the kiosk browser its login cookie:
with their memory open to the kernel it could draw on the desktop, drive the kiosk or act as it.

Linux makes a process non-dumpable when it executes a file it may not read (``execve`` with
``would_dump``), and ELF programs need only execute permission to run.  So the hub keeps a
root-owned mode-0711 copy of each program and the sandbox binds it over the original path
(the program still finds its resources next to it).  Copies are made once per host and
version (the name carries the original's size and mtime), written to a temporary name and
renamed, so a half-written copy is never bound.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# the programs hub_config.singleuser.desktop runs (the first that exists of each)
DESKTOP_PROGRAMS = (("/usr/bin/Xtigervnc", "/usr/bin/Xvnc"), ("/usr/lib/chromium/chromium",),
                    # the browser's crash handler may read the browser's memory (crash dumps)
                    ("/usr/lib/chromium/chrome_crashpad_handler",))
DEFAULT_DIR = Path(os.environ.get("ENCLAVE_EXEC_ONLY_DIR", "/var/cache/enclave/exec-only"))
MODE = 0o711


def _copy_name(src: Path) -> str:
    st = src.stat()
    return f"{src.name}-{st.st_size}-{st.st_mtime_ns}"


def exec_only_copy(src: str | os.PathLike, cache_dir: Path = DEFAULT_DIR) -> Path:
    """The execute-only copy of ``src`` (made if missing)."""
    src = Path(os.path.realpath(src))
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(cache_dir, 0o755)
    dst = cache_dir / _copy_name(src)
    st = dst.stat() if dst.exists() else None
    if st is not None and st.st_uid == 0 and (st.st_mode & 0o7777) == MODE:
        return dst
    tmp = cache_dir / f".{dst.name}.{os.getpid()}.tmp"
    with open(src, "rb") as r, open(tmp, "wb") as w:
        shutil.copyfileobj(r, w, 1 << 20)
        w.flush()
        os.fsync(w.fileno())
    os.chown(tmp, 0, 0)
    os.chmod(tmp, MODE)
    os.replace(tmp, dst)
    return dst


def desktop_binds(cache_dir: Path = DEFAULT_DIR) -> list[list[str]]:
    """``[copy, original]`` read-only binds for each desktop program present on this host."""
    binds = []
    for names in DESKTOP_PROGRAMS:
        for name in names:
            if os.path.exists(name):
                binds.append([str(exec_only_copy(name, cache_dir)), name])
                break
    return binds
