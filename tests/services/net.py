"""Loopback plumbing the tests share: a free TCP port, the control plane (enclave.web) as a
real uvicorn subprocess, and ending a service's process group."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import httpx

# The hub's own port picker: one way to choose a port, in the product and in its tests.
from hub_config.launch import free_port

__all__ = ["free_port", "control_plane", "end_group"]


@contextlib.contextmanager
def control_plane(env: dict[str, str], what: str = "the control plane"):
    """``enclave.web.app`` under uvicorn in its own process group with exactly ``env``; yields
    its base URL once /login answers, and ends the group (SIGTERM, then SIGKILL) afterwards."""
    import pytest

    # uvicorn gets a socket bound here (--fd), not a port found free: a parallel test worker
    # could take a released port and this test would talk to its control plane
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                             "enclave.web.app:create_app", "--fd", str(listener.fileno()),
                             "--log-level", "warning"],
                            env=env, start_new_session=True, pass_fds=(listener.fileno(),))
    listener.close()   # the child holds it now
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"{what} did not start")
        yield base
    finally:
        end_group(proc)


def end_group(proc: subprocess.Popen, timeout: float = 20, must_exit: bool = False) -> None:
    """SIGTERM to the process group ``proc`` leads (started with start_new_session); SIGKILL
    if it has not exited within ``timeout``.  ``must_exit``: that is a failure (TimeoutExpired
    raised after the kill), for tests of a clean shutdown."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
        if must_exit:
            raise
