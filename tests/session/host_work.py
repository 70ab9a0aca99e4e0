"""One sandbox read twice while the host works in between - shared by the /proc and host
information tests (``test_boundary_proc.py``, ``test_boundary_hostinfo.py``).

The script inside writes ``/workspace/<flag>.ready`` after its first read and waits for
``/workspace/<flag>.go`` before the second; :func:`read_while_host_works` runs the host's
activity (standing for other sessions) between the two and returns the script's ``RESULT``
JSON line.
"""
from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def host_activity(tmp: Path, *, port: int | None = None, forks: int = 150,
                  files: int = 2000, ptys: int = 20, memory_mb: int = 150, disk_mb: int = 16,
                  cgroups: int = 3, busy_loop: int = 200_000) -> None:
    """What other sessions' work does to the machine's counters: processes, CPU, open files
    and terminals, memory touched, a synced write, cgroups made, and (``port``) TCP traffic."""
    kids = [subprocess.Popen(["sh", "-c", f"i=0; while [ $i -lt {busy_loop} ]; do "
                                          f"i=$((i+1)); done"]) for _ in range(2)]
    for _ in range(forks):
        subprocess.run(["true"])
    socks = []
    if port:
        for _ in range(200):
            c = socket.create_connection(("127.0.0.1", port))
            c.sendall(b"x" * 4096)
            socks.append(c)
    held = [open(tmp / f"f{i}", "w") for i in range(files)]
    terminals = [pty.openpty() for _ in range(ptys)]
    blob = bytearray(memory_mb << 20)
    for i in range(0, len(blob), 4096):
        blob[i] = 1
    with open(tmp / "big", "wb") as f:
        f.write(os.urandom(disk_mb << 20))
        f.flush()
        os.fsync(f.fileno())
    cg = [Path(f"/sys/fs/cgroup/pids/enclave-probe-{os.getpid()}-{i}") for i in range(cgroups)]
    for c in cg:
        try:
            c.mkdir()
        except OSError:
            pass
    time.sleep(1.5)
    for c in cg:
        try:
            c.rmdir()
        except OSError:
            pass
    for s in socks:
        s.close()
    for f in held:
        f.close()
    for m, s in terminals:
        os.close(m), os.close(s)
    for k in kids:
        k.kill(), k.wait()
    del blob


def read_while_host_works(world, spec: dict, script: str, args: list[str], flag: str,
                          **activity) -> dict:
    """Run ``script`` in the sandbox of ``spec``; between its two reads the host works
    (``host_activity(**activity)``).  Returns the script's RESULT."""
    path = world.root / "sandbox" / f"{spec['name']}.json"
    path.write_text(json.dumps(spec))
    ws = world.projects / "c1" / "workspace"
    for f in ("ready", "go"):
        (ws / f"{flag}.{f}").unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c", script, *args])
    try:
        deadline = time.monotonic() + 90
        while not (ws / f"{flag}.ready").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        with tempfile.TemporaryDirectory() as tmp:
            host_activity(Path(tmp), **activity)
        (ws / f"{flag}.go").touch()
        assert proc.wait(120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        for f in ("ready", "go"):
            (ws / f"{flag}.{f}").unlink(missing_ok=True)
    log = Path(spec["log"]).read_text()
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
