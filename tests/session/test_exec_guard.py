"""hub_config.exec_guard on its own (S1): a process restricted as a session's shim restricts
itself runs programs only from the named directories, and - Landlock ABI >= 6 - cannot signal
or reach an abstract unix socket of a process outside its domain, even as root in the same
namespaces (the sandbox adds PID and network namespaces on top; ``test_sandbox.py`` tries the
programs inside a real one).  Each case runs once restricted and once not (the control), so
the test fails when the guard does nothing."""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from hub_config import exec_guard
from hub_config.spawner import exec_dirs

pytestmark = [pytest.mark.skipif(exec_guard.abi() < 1, reason="no Landlock in this kernel"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]


def _in_child(restricted: bool, attempts) -> dict:
    """Run each attempt in a fork (restricted or not); {name: 'ok' or errno name}."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = {}
        try:
            if restricted:
                exec_guard.restrict(exec_dirs())
            for name, fn in attempts.items():
                try:
                    fn()
                    out[name] = "ok"
                except OSError as e:
                    out[name] = errno.errorcode.get(e.errno, str(e.errno))
                except subprocess.CalledProcessError as e:
                    out[name] = f"exit {e.returncode}"
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            out["error"] = repr(e)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        raw = f.read()
    os.waitpid(pid, 0)
    return json.loads(raw)


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    d = tmp_path_factory.mktemp("written")
    shutil.copy("/usr/bin/true", d / "true")
    os.chmod(d / "true", 0o755)
    (d / "script.sh").write_text("#!/bin/sh\nexit 0\n")
    os.chmod(d / "script.sh", 0o755)
    return d


@pytest.fixture(scope="module")
def abstract_listener():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    name = f"\0enclave-exec-guard-test-{os.getpid()}"
    s.bind(name)
    s.listen(8)
    yield name
    s.close()


def _connect(name):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(name)


def _run(argv):
    subprocess.run(argv, check=True, timeout=20)


def _own_child_signalled():
    """Ordinary: a process of the domain signals its own child (a kernel's interrupt)."""
    kid = subprocess.Popen(["/usr/bin/sleep", "30"])
    try:
        kid.send_signal(signal.SIGINT)
    finally:
        kid.wait(10)


def _own_abstract_socket():
    """Ordinary: a socket bound inside the domain (X server's abstract socket) is reachable."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(f"\0enclave-exec-guard-own-{os.getpid()}")
        s.listen(1)
        _connect(f"\0enclave-exec-guard-own-{os.getpid()}")


def _attempts(place, abstract):
    parent = os.getpid()  # the test process: outside the child's domain
    return {
        "exec_written": lambda: _run([str(place / "true")]),
        "exec_script": lambda: _run([str(place / "script.sh")]),
        "exec_written_by_fd": lambda: _run(
            ["/bin/sh", "-c", f"exec 3<{place / 'true'}; exec /proc/self/fd/3"]),
        "signal_outside": lambda: os.kill(parent, signal.SIGURG),  # ignored by default
        "abstract_outside": lambda: _connect(abstract),
        # ordinary work that must keep running
        "run_usr": lambda: _run(["/usr/bin/true"]),
        "run_python": lambda: _run([sys.executable, "-c", "pass"]),
        "run_sh_script": lambda: _run(["/bin/sh", str(place / "script.sh")]),
        "signal_own_child": _own_child_signalled,
        "abstract_own": _own_abstract_socket,
    }


REFUSED = ["exec_written", "exec_script", "exec_written_by_fd", "signal_outside",
           "abstract_outside"]
ORDINARY = ["run_usr", "run_python", "run_sh_script", "signal_own_child", "abstract_own"]


@pytest.fixture(scope="module")
def outcomes(place, abstract_listener):
    return {"restricted": _in_child(True, _attempts(place, abstract_listener)),
            "control": _in_child(False, _attempts(place, abstract_listener))}


@pytest.mark.parametrize("attempt", REFUSED)
def test_refused_when_restricted_and_working_without(outcomes, attempt):
    if attempt in ("signal_outside", "abstract_outside") and exec_guard.abi() < 6:
        pytest.skip("Landlock scoping needs ABI 6")
    assert "error" not in outcomes["restricted"], outcomes["restricted"]
    assert outcomes["control"][attempt] == "ok", outcomes["control"]
    assert outcomes["restricted"][attempt] != "ok", outcomes["restricted"]
    if attempt.startswith(("signal", "abstract")):
        assert outcomes["restricted"][attempt] == "EPERM"


@pytest.mark.parametrize("attempt", ORDINARY)
def test_ordinary_work_keeps_running(outcomes, attempt):
    assert outcomes["restricted"][attempt] == "ok", outcomes["restricted"]


@pytest.mark.parametrize("dirs", [["/tmp"], ["/"], ["/usr", "/dev/shm"], ["/workspace"]],
                         ids=["tmp", "root", "shm", "workspace"])
def test_launcher_refuses_a_writable_program_directory(dirs):
    """A spec naming a writable place (or one that holds one) for programs is refused."""
    from hub_config.sandbox import SandboxError, exec_dirs as spec_exec_dirs

    spec = {"exec_dirs": dirs, "tmpfs": ["/tmp", "/home/ann", "/var/tmp"],
            "rw_binds": [["/x", "/workspace"]]}
    with pytest.raises(SandboxError):
        spec_exec_dirs(spec)
    assert spec_exec_dirs({**spec, "exec_dirs": exec_dirs()}) == exec_dirs()
