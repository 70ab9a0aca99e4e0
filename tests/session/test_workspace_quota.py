"""A session cannot fill the host's disk (S1).

The workspace is a file system of the policy's size (``hub_config.workspace_disk``: an ext4
image loop-mounted at the workspace path), the scratch file systems are size-limited tmpfs.
A kernel writing until the write fails - to the workspace, /tmp, /var/tmp, its home, /dev/shm,
in one file or many, with write, fallocate or truncate-and-fill - gets ENOSPC inside, and the
host's free space drops by at most the workspace's size.  Tried here with a 16 MB workspace
and 8 MB scratch; without the image the same writes go on past the size, onto the host.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="loop mounts and the sandbox need root")

WS_MB, SCRATCH_MB = 16, 8

FILL = r"""
import errno, json, os, sys
CHUNK = b"\xa5" * (1 << 20)
def fill(target, how):
    total, err = 0, None
    try:
        if how == "one_file":
            with open(target, "wb", buffering=0) as f:
                while total < 200 << 20:
                    total += f.write(CHUNK)
                os.fsync(f.fileno())
        elif how == "many_files":
            os.makedirs(target, exist_ok=True)
            for i in range(400):
                with open(f"{target}/f{i}", "wb") as f:
                    f.write(CHUNK[: 512 << 10])
                    f.flush()
                    os.fsync(f.fileno())
                total += 512 << 10
        elif how == "fallocate":
            fd = os.open(target, os.O_CREAT | os.O_WRONLY, 0o600)
            try:
                os.posix_fallocate(fd, 0, 200 << 20)
                total = 200 << 20
            finally:
                os.close(fd)
        elif how == "sparse_then_fill":
            with open(target, "wb") as f:
                f.truncate(200 << 20)
                f.seek(0)
                while total < 200 << 20:
                    total += f.write(CHUNK)
                    f.flush()
                os.fsync(f.fileno())
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
    return {"bytes": total, "error": err}
out = {}
for key, target, how in json.loads(sys.argv[1]):
    out[key] = fill(target, how)
    if key != "ws_keep":  # room again for the next way of filling
        if os.path.isdir(target):
            for n in os.listdir(target):
                os.unlink(os.path.join(target, n))
        elif os.path.exists(target):
            os.unlink(target)
print("RESULT " + json.dumps(out))
"""

CASES = [
    ("ws_one_file", "/workspace/fill.bin", "one_file"),
    ("ws_many_files", "/workspace/many", "many_files"),
    ("ws_fallocate", "/workspace/falloc.bin", "fallocate"),
    ("ws_sparse_then_fill", "/workspace/sparse.bin", "sparse_then_fill"),
    ("tmp_one_file", "/tmp/fill.bin", "one_file"),
    ("var_tmp_fallocate", "/var/tmp/falloc.bin", "fallocate"),
    ("home_many_files", "/home/quota/many", "many_files"),
    ("shm_one_file", "/dev/shm/fill.bin", "one_file"),
    ("ws_keep", "/workspace/kept.bin", "one_file"),  # left in place: seen from the host
]


@pytest.fixture(scope="module")
def world():
    from hub_config import workspace_disk
    from tests.session.test_sandbox import World

    w = World()
    yield w
    workspace_disk.release_all(w.projects)
    subprocess.run(["rm", "-rf", str(w.root)])


def _limits(**kw):
    return {"memory_mb": 1024, "cpu_percent": 100, "max_processes": 64,
            "workspace_mb": WS_MB, "scratch_mb": SCRATCH_MB, **kw}


@pytest.fixture(scope="module")
def filled(world):
    before = os.statvfs(world.root)
    code, log, err = world.run(world.spec(name="quota", uid=201302, limits=_limits()),
                               [sys.executable, "-c", FILL, json.dumps(CASES)], timeout=180)
    assert code == 0, (log + err)[-3000:]
    after = os.statvfs(world.root)
    res = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    res["host_drop"] = (before.f_bavail - after.f_bavail) * before.f_frsize
    return res


@pytest.mark.parametrize("key", [k for k, _, _ in CASES])
def test_writing_without_end_stops_at_the_size(filled, key):
    got = filled[key]
    limit = (WS_MB if key.startswith("ws_") else SCRATCH_MB) << 20
    assert got["error"] == "ENOSPC", got
    assert got["bytes"] <= limit, got


def test_the_host_keeps_its_free_space(filled, world):
    from hub_config import workspace_disk

    image = world.projects / "c1" / workspace_disk.IMAGE_NAME
    assert workspace_disk.host_bytes(image) <= (WS_MB + 1) << 20
    # kept.bin alone would take 200 MB of the host without the image; the margin is for
    # whatever else runs on the host meanwhile
    assert filled["host_drop"] <= 100 << 20, filled["host_drop"]


def test_the_workspace_is_the_mounted_image_and_shared(filled, world):
    from hub_config import workspace_disk

    ws = world.projects / "c1" / "workspace"
    src = workspace_disk.mount_source(ws)
    assert src and src.startswith("/dev/loop"), src
    kept = ws / "kept.bin"
    assert kept.is_file() and 0 < kept.stat().st_size <= WS_MB << 20
    # a second member of the case: the same file system, mounted once
    code, log, err = world.run(world.spec(name="quota2", uid=201303, limits=_limits()),
                               ["sh", "-c", "ls /workspace; df -k /workspace | tail -1"])
    assert code == 0 and "kept.bin" in log, (log + err)[-2000:]
    mounts = [line for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if line.split()[4] == str(ws)]
    assert len(mounts) == 1, mounts
    assert int(log.strip().splitlines()[-1].split()[1]) <= WS_MB * 1024


def test_an_existing_workspace_is_moved_in_and_kept(world):
    from hub_config import workspace_disk

    ws = world.projects / "c2" / "workspace"
    ws.mkdir(parents=True, exist_ok=True)
    (ws / "analysis.ipynb").write_text('{"cells": []}')
    (ws / "sub").mkdir(exist_ok=True)
    (ws / "sub" / "notes.txt").write_text("kept\n")
    workspace_disk.ensure(ws, WS_MB)
    assert workspace_disk.mount_source(ws).startswith("/dev/loop")
    assert (ws / "analysis.ipynb").read_text() == '{"cells": []}'
    assert (ws / "sub" / "notes.txt").read_text() == "kept\n"
    aside = list((world.projects / "c2").glob("workspace.pre-quota-*"))
    assert len(aside) == 1 and (aside[0] / "sub" / "notes.txt").is_file()
    workspace_disk.ensure(ws, WS_MB)  # again: nothing changes
    assert len(list((world.projects / "c2").glob("workspace.pre-quota-*"))) == 1


@pytest.mark.parametrize("size", [0, 1, 7])
def test_a_size_below_the_minimum_is_refused(world, size):
    from hub_config import workspace_disk

    with pytest.raises(workspace_disk.WorkspaceDiskError):
        workspace_disk.ensure(world.projects / "c2" / "workspace", size)


def test_the_policy_sets_the_sizes():
    from policies.sections.sessions import SessionPolicy

    fields = SessionPolicy.model_fields
    assert fields["workspace_quota_mb"].default >= 1024
    assert fields["scratch_tmpfs_mb"].default <= fields["sandbox_memory_mb"].default


SPAM = r"""
import os, sys
chunk = b"y" * 65536
for _ in range(320):  # 20 MB through stdout and 20 MB through stderr
    os.write(1, chunk)
    os.write(2, chunk)
open("/workspace/spam.done", "w").write("done")
"""


def test_the_log_file_on_the_host_is_capped(world):
    """stdout/stderr go to a log file on the host: at most the policy's size per run, the
    rest dropped - and the session is not blocked by it (it finishes its work)."""
    spec = world.spec(name="spam", uid=201304, limits=_limits(log_mb=1))
    log = Path(spec["log"])
    before = log.stat().st_size if log.exists() else 0
    code, text, err = world.run(spec, [sys.executable, "-c", SPAM], timeout=120)
    assert code == 0, err[-2000:]
    assert (world.projects / "c1" / "workspace" / "spam.done").read_text() == "done"
    grew = log.stat().st_size - before
    assert grew <= (1 << 20) + 4096, grew
    assert "log cut at 1 MB" in text


def test_a_workspace_larger_than_the_size_is_refused_and_kept(world):
    """Moving in fails when the old workspace does not fit: the start is refused, the files
    stay where they were, and no half-filled image is left to hide them."""
    from hub_config import workspace_disk

    case = world.projects / "c3"
    ws = case / "workspace"
    ws.mkdir(parents=True, exist_ok=True)
    (ws / "big.bin").write_bytes(os.urandom(12 << 20))
    with pytest.raises(workspace_disk.WorkspaceDiskError):
        workspace_disk.ensure(ws, 8)
    assert workspace_disk.mount_source(ws) is None
    assert (ws / "big.bin").stat().st_size == 12 << 20
    assert not (case / workspace_disk.IMAGE_NAME).exists()
    assert not list(case.glob("workspace.pre-quota-*"))


NOEXEC = r"""
import ctypes, ctypes.util, errno, json, mmap, os, shutil, subprocess
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = "ok"
    except OSError as e:
        out[name] = errno.errorcode.get(e.errno, str(e.errno))
    except subprocess.CalledProcessError as e:
        out[name] = "exit %d" % e.returncode
lib = os.path.realpath("/usr/lib/x86_64-linux-gnu/" + ctypes.util.find_library("z"))
shutil.copy("/usr/bin/true", "/workspace/planted-true")
os.chmod("/workspace/planted-true", 0o755)
shutil.copy(lib, "/workspace/planted.so")
ldso = "/lib64/ld-linux-x86-64.so.2"
attempt("execve", lambda: subprocess.run(["/workspace/planted-true"], check=True))
attempt("ld_so", lambda: subprocess.run([ldso, "/workspace/planted-true"], check=True))
attempt("dlopen", lambda: ctypes.CDLL("/workspace/planted.so"))
def map_exec():
    with open("/workspace/planted.so", "rb") as f:
        mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)
attempt("mmap_exec", map_exec)
# ordinary: the same library from the system, a script read by the interpreter, data mapped
attempt("dlopen_system", lambda: ctypes.CDLL(lib))
open("/workspace/job.py", "w").write("print('job ran')\n")
attempt("python_script", lambda: subprocess.run(["python3", "/workspace/job.py"], check=True))
def map_read():
    with open("/workspace/planted.so", "rb") as f:
        mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ)
attempt("mmap_read", map_read)
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def planted(filled, world):
    code, log, err = world.run(world.spec(name="noexec", limits=_limits()),
                               [sys.executable, "-c", NOEXEC], timeout=120)
    assert code == 0, (log + err)[-3000:]
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])


@pytest.mark.parametrize("attempt", ["execve", "ld_so", "dlopen", "mmap_exec"])
def test_a_program_or_library_planted_in_the_workspace_does_not_run(planted, attempt):
    """S1: what one member writes into the shared workspace is never run or mapped executable
    in a session - by execve (exec_guard) nor through ld.so, dlopen or mmap (noexec mount)."""
    assert planted[attempt] != "ok", planted


@pytest.mark.parametrize("attempt", ["dlopen_system", "python_script", "mmap_read"])
def test_ordinary_use_of_the_workspace_still_works(planted, attempt):
    assert planted[attempt] == "ok", planted


def test_a_workspace_mounted_without_noexec_is_tightened(filled, world):
    """An image an older hub mounted (exec allowed) is remounted noexec at the next start."""
    from hub_config import workspace_disk

    ws = world.projects / "c1" / "workspace"
    subprocess.run(["mount", "-o", "remount,exec", str(ws)], check=True)
    assert "noexec" not in workspace_disk._mount_entry(ws)[1]
    workspace_disk.ensure(ws, WS_MB)
    assert {"noexec", "nosuid", "nodev"} <= workspace_disk._mount_entry(ws)[1]


def test_the_workspace_grows_to_a_raised_size_and_never_shrinks(world):
    """S1: raising sessions.workspace_quota_mb grows a case's image when it is next mounted
    (offline, after e2fsck: the first start after the hub started), with its files kept;
    while mounted it stays as it is, and a lower size never shrinks it."""
    from hub_config import workspace_disk

    ws = world.projects / "c4" / "workspace"
    ws.mkdir(parents=True, exist_ok=True)
    workspace_disk.ensure(ws, 16)
    (ws / "kept.txt").write_text("kept\n")

    def size_mb():
        st = os.statvfs(ws)
        return st.f_blocks * st.f_frsize / (1 << 20)
    small = size_mb()
    workspace_disk.ensure(ws, 24)          # mounted: unchanged until the next mount
    online = size_mb()
    assert online == small, (small, online)
    workspace_disk.release(ws)
    assert workspace_disk.mount_source(ws) is None
    workspace_disk.ensure(ws, 40)          # not mounted: offline
    offline = size_mb()
    assert offline >= online + 15, (online, offline)
    workspace_disk.ensure(ws, 16)          # never shrunk
    assert size_mb() == offline
    assert (ws / "kept.txt").read_text() == "kept\n"
    image = world.projects / "c4" / workspace_disk.IMAGE_NAME
    assert image.stat().st_size == 40 << 20
    assert workspace_disk.host_bytes(image) < 16 << 20  # still sparse
