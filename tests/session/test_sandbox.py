"""The namespace launcher on its own (no hub): what a session process can and cannot do.

Real namespaces, real mounts, a real unprivileged uid; needs root (the hub runs as root).
The hub tests repeat the important checks from inside a real kernel.  The case's extract is
not mounted in a session (the query broker has it, tests/hub and test_overnight).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from hub_config.lockdown import write_system_config
from hub_config.spawner import build_spec

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root")

PROBE = textwrap.dedent(r'''
    import json, os, socket, resource
    out = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
           "dev": sorted(os.listdir("/dev")), "root": sorted(os.listdir("/"))}
    def attempt(name, fn):
        try:
            fn(); out[name] = "ok"
        except Exception as e:
            out[name] = type(e).__name__ + ": " + str(e)
    attempt("public", lambda: socket.create_connection(("1.1.1.1", 80), timeout=3))
    attempt("host_loopback", lambda: socket.create_connection(("127.0.0.1", HOSTPORT), timeout=3))
    attempt("dns", lambda: socket.getaddrinfo("example.com", 443))
    attempt("other_case", lambda: open(OTHER).read())
    attempt("write_data", lambda: open("/case/data/new.txt", "w").write("x"))
    attempt("read_data", lambda: open("/case/data/SECRET.txt").read())
    attempt("write_ws", lambda: open("/workspace/result.txt", "w").write("x"))
    attempt("write_usr", lambda: open("/usr/evil", "w").write("x"))
    attempt("write_root", lambda: open("/evil", "w").write("x"))
    attempt("mknod", lambda: os.mknod("/tmp/sda", 0o600 | 0o060000, os.makedev(8, 0)))
    attempt("setuid0", lambda: os.setuid(0))
    attempt("shadow", lambda: open("/etc/shadow").read())
    out["case_dir"] = os.path.exists("/case")
    out["root_home"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []
    out["nnp"] = [l for l in open("/proc/self/status") if l.startswith("NoNewPrivs")][0].split()[1]
    out["pids_visible"] = len([p for p in os.listdir("/proc") if p.isdigit()])
    out["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    out["cgroup"] = open("/proc/self/cgroup").read()
    out["ifaces"] = sorted(os.listdir("/sys/class/net")) if os.path.exists("/sys/class/net") else [n for _, n in socket.if_nameindex()]
    import enclave.session  # the approved project package is importable, read-only
    print(json.dumps(out))
''')


def test_sandbox_confines_a_session(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="encsb", dir="/tmp"))
    try:
        projects = root / "projects"
        for code in ("c1", "c2"):
            (projects / code / "data").mkdir(parents=True)
            (projects / code / "data" / "SECRET.txt").write_text(f"{code} data\n")
        (root / "sock" / "hub").mkdir(parents=True)
        (root / "sock" / "sessions").mkdir(parents=True)
        cfg = write_system_config(root / "jupyter")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        spec = build_spec(name="ann", uid=201234, gid=301234, case_code="c1",
                          projects_dir=projects, socket_root=root / "sock",
                          sandbox_root=root / "sandbox", system_config_dir=str(cfg),
                          limits={"memory_mb": 1024, "cpu_percent": 50, "max_processes": 64})
        (root / "sandbox").mkdir()
        spec_path = root / "sandbox" / "ann.json"
        spec_path.write_text(json.dumps(spec))
        probe = PROBE.replace("HOSTPORT", str(listener.getsockname()[1])).replace(
            "OTHER", repr(str(projects / "c2" / "data" / "SECRET.txt")))
        p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(spec_path), "--",
                            sys.executable, "-c", probe], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "PYTHONNOUSERSITE": "1"})
        listener.close()
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["rm", "-rf", str(root)])
    assert out["uid"] == 201234 and out["gid"] == 301234 and out["groups"] == []
    assert "Network is unreachable" in out["public"]
    assert "Connection refused" in out["host_loopback"]  # the sandbox's own loopback is empty
    assert out["dns"] != "ok"
    assert "No such file" in out["other_case"]
    # A3: the case's data is not in the session at all (only the query broker has it)
    assert "No such file" in out["read_data"] and out["write_data"] != "ok"
    assert out["case_dir"] is False and out["write_ws"] == "ok"
    assert "Read-only" in out["write_usr"] and "Read-only" in out["write_root"]
    assert out["mknod"] != "ok" and out["setuid0"] != "ok" and out["shadow"] != "ok"
    # /root holds at most the bound Python prefix (pyenv), nothing else of the host's home
    assert set(out["root_home"]) <= {".pyenv"}
    assert set(out["dev"]) <= {"null", "zero", "full", "random", "urandom", "tty", "pts",
                               "ptmx", "shm", "fd", "stdin", "stdout", "stderr"}
    assert not any(d.startswith(("sd", "vd", "nvme", "bus", "usb", "loop", "mem", "kmsg"))
                   for d in out["dev"])
    assert out["nnp"] == "1"
    assert out["pids_visible"] <= 3  # a PID namespace: only the session's own processes
    assert out["nproc"] == 64
    assert out["ifaces"] == ["lo"]
    if os.access("/sys/fs/cgroup/memory", os.W_OK) or Path("/sys/fs/cgroup/cgroup.controllers").exists():
        assert "enclave-ann" in out["cgroup"]  # memory/pids/cpu limits from a cgroup


def test_launcher_refuses_root_uid(tmp_path):
    spec = {"name": "x", "root": str(tmp_path / "r"), "uid": 0, "gid": 0, "ro_binds": [],
            "rw_binds": [], "tmpfs": [], "limits": {"memory_mb": 512, "cpu_percent": 50,
                                                     "max_processes": 32}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--", "/bin/true"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "refusing to run a session as root" in p.stderr
