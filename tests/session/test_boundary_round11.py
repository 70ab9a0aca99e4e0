"""Round 11 of the sandbox boundary (S1, also S2/A3), in REAL sandboxes: executing bytes that
were never a file on an exec-allowed mount.  Probe ``boundary_probe11.py``.

1. **memfd** (found open, closed): ``memfd_create`` + ``execve("/proc/self/fd/N")``,
   ``/dev/fd/N``, ``fexecve``, ``execveat(fd, "", AT_EMPTY_PATH)``, ``ld.so /proc/self/fd/N``,
   ``dlopen`` of it, ``mmap``/``mprotect`` ``PROT_EXEC`` of it all ran a program of the
   session's.  Now the sandbox's PID namespace has ``vm.memfd_noexec`` = 2
   (``sandbox_memfd``), the deny filter refuses ``AT_EMPTY_PATH``, ``SHM_EXEC`` and
   ``MFD_EXEC`` (``seccomp_filter.refuse_exec_from_memory``) and the launcher refuses code
   mapped from the kernel's shared-memory files (``seccomp_execmap``).
2. **A library in a read-write bind** (found open, closed): a workspace that is a host
   directory (no image) and the session's socket directory were ``exec`` mounts - ``ld.so``,
   ``dlopen``, ``mmap(PROT_EXEC)`` of a file there ran; they are now bound from a ``noexec``
   bind (``sandbox_devices.make_binds``).
3. **Seen shut already** (kept as tests): scratch (``/tmp``, ``/var/tmp``, the home,
   ``/dev/shm``), ``O_TMPFILE``, a deleted file's ``/proc/self/fd`` link, ``LD_PRELOAD``/
   ``LD_LIBRARY_PATH``/``LD_AUDIT``/``--preload``/``--library-path``, ``map_files``.
4. **The next classes** (all found shut): capabilities left to the session, ``/proc/1``, signals
   beyond the sandbox, new namespaces, keyring, bpf, perf, io_uring, userfaultfd, ptrace,
   handle opens, a host System V key, a host abstract socket, inherited descriptors.

The honest paths run in the same sandbox: Python, ctypes of system libraries and callbacks,
multiprocessing, shared memory (POSIX, memfd, System V), numpy/pandas, DuckDB, matplotlib,
system programs, and the headless Chromium sessions use.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub_config import sandbox as sandbox_mod
from hub_config import sandbox_devices, sandbox_memfd, seccomp_execmap, seccomp_filter

from tests.session import probe_runs
from tests.session.test_sandbox import HUB_SECRETS

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64",
                                 reason="the probe uses x86_64 syscall numbers")]

PROBE = (Path(__file__).parent / "boundary_probe11.py").read_text()
LIMITS = {"memory_mb": 2048, "cpu_percent": 100, "max_processes": 128, "scratch_mb": 64}
REFUSED = ("EACCES", "EPERM", "failed to map segment")   # the loader says EPERM this way
libc = ctypes.CDLL(None, use_errno=True)


def _env(name: str) -> dict:
    return {"HOME": f"/home/{name}", "USER": name, "MPLCONFIGDIR": "/tmp/matplotlib",
            "PYTHONNOUSERSITE": "1", "LANG": "C.UTF-8",
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin"}


@pytest.fixture(scope="module")
def run(world):
    """One sandbox (the workspace a host directory: the weaker layout) running the probe, with
    a System V segment and an abstract socket of the host's it must not reach."""
    spec = world.spec(name="r11bob", limits=LIMITS)
    ws = world.projects / "c1" / "workspace"
    os.chmod(ws, 0o777)
    path = world.root / "sandbox" / "r11bob.json"
    path.write_text(json.dumps(spec))
    key = 0x51100000 + os.getpid()
    shm = libc.shmget(key, 4096, 0o1600)
    host_sock = socket.socket(socket.AF_UNIX)
    host_sock.bind(f"\0enclave-r11-{key}")
    host_sock.listen()
    host_before = Path("/proc/sys/vm/memfd_noexec").read_text()
    log_path = Path(spec["log"])
    before = log_path.stat().st_size if log_path.is_file() else 0
    try:
        p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                            sys.executable, "-c", PROBE, "/workspace", str(key)],
                           capture_output=True, text=True, timeout=600,
                           env={**HUB_SECRETS, **_env("r11bob")})
    finally:
        libc.shmctl(shm, 0, None)
        host_sock.close()
    log = log_path.read_bytes()[before:].decode(errors="replace")
    assert p.returncode == 0 and "RESULT " in log, (log + p.stderr)[-3000:]
    got = probe_runs.result(log)
    got["host_before"] = host_before
    got["host_after"] = Path("/proc/sys/vm/memfd_noexec").read_text()
    return got


def _refused(value) -> bool:
    return isinstance(value, str) and any(r in value for r in REFUSED)


# ------------------------------------------------------------------- 1. memfd: closed
MEMFD = ("memfd_mfd_exec_create", "memfd_proc_self_fd", "memfd_dev_fd", "memfd_fexecve",
         "memfd_execveat_empty", "memfd_ldso", "memfd_chmod_x", "memfd_chmod_then_exec",
         "memfd_noexec_seal_exec", "memfd_dlopen", "memfd_mmap_exec", "memfd_mprotect_exec",
         "memfd_reopen_exec", "memfd_map_files_exec", "sysv_shmat_exec", "sysv_mprotect_exec",
         "shared_anon_mprotect_exec")


@pytest.mark.parametrize("member", MEMFD)
def test_no_program_or_code_from_a_memfd_or_shared_memory(run, member):
    assert _refused(run[member]), (member, run[member])


def test_the_sandbox_namespace_is_sealed_and_the_host_is_not(run):
    """vm.memfd_noexec is 2 inside, the session cannot lower it, the host's value is as it
    was (the setting is the sandbox's PID namespace's, not the machine's)."""
    assert run["memfd_noexec_sysctl"] == "2"
    assert run["memfd_noexec_lowered"] in ("EACCES", "EROFS", "EPERM")
    assert run["host_before"] == run["host_after"]


def test_the_shim_kept_no_capability_for_the_session(run):
    """CAP_SYS_ADMIN is kept for the shim alone: the session's processes hold nothing."""
    caps = run["caps"]
    assert {caps[k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == \
        {"0000000000000000"}, caps
    assert caps["NoNewPrivs"] == "1" and caps["Seccomp"] == "2", caps


# ------------------------------------------- 2 and 3. scratch, workspace, the loader: closed
PLACES = ("tmp", "devshm", "vartmp", "home", "workspace")
WAYS = ("exec", "ldso", "dlopen", "mmap_exec", "mprotect_exec", "ldso_preload",
        "ldso_library_path", "env_preload", "env_library_path", "env_audit", "proc_self_fd",
        "dev_fd", "fexecve", "execveat_dirfd", "deleted_fd", "o_tmpfile")


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("place", PLACES)
def test_nothing_written_in_a_writable_place_runs_or_loads(run, place, way):
    got = run[f"{place}_{way}"]
    assert _refused(got) or got.startswith("not loaded"), (place, way, got)
    assert run.get(f"{place}_plant") is None   # the files were written: the refusal is real


# ----------------------------------------------------------- 4. the next classes: shut
NEXT = ("pid1_environ", "pid1_mem", "pid1_fd", "pid1_root/", "pid1_ns/pid", "pid1_cwd/",
        "pid1_kill", *(f"sys_{n}" for n in (
            "userfaultfd", "io_uring_setup", "bpf", "perf_event_open", "keyctl", "add_key",
            "unshare_user", "unshare_ns", "setns", "ptrace_attach", "process_vm_readv", "kcmp",
            "pidfd_open", "pidfd_getfd", "open_by_handle_at", "fanotify_init", "mount",
            "memfd_secret", "init_module", "syslog", "unknown_nr")))


@pytest.mark.parametrize("member", NEXT)
def test_other_processes_and_kernel_objects_are_out_of_reach(run, member):
    assert run[member] in ("EACCES", "EPERM", "ENOSYS"), (member, run[member])


def test_the_hosts_ipc_objects_and_processes_are_unseen(run):
    assert run["sysv_host_key"] == "ENOENT"           # another IPC namespace
    assert run["abstract_host_socket"] == "ECONNREFUSED"   # another network namespace
    assert run["signal_all"] == "ESRCH"                # kill(-1): nobody it may signal


def test_no_descriptor_is_inherited_but_the_standard_three(run):
    assert run["fds_at_start"] == [0, 1, 2, 3], run["fds_at_start"]   # 3: the listing's


# ------------------------------------------------------------ the honest paths (controls)
HONEST = ("python", "ctypes_libm", "ctypes_callback", "multiprocessing", "mp_shared_memory",
          "numpy_pandas", "duckdb", "matplotlib", "memfd_shared_map", "sysv_shared",
          "memfd_plain", "subprocess_system")


@pytest.mark.parametrize("key", HONEST)
def test_honest_work_still_runs(run, key):
    assert run[f"honest_{key}"] == "ok", run[f"honest_{key}"]


def test_chromium_still_renders_a_page_with_javascript(run):
    if not os.path.exists("/usr/lib/chromium/chromium"):
        pytest.skip("chromium not installed")
    assert run["honest_chromium"] == "ok", run["honest_chromium"]


def test_plain_memfds_and_private_jit_memory_still_work(run):
    """Left by design: a memfd for data (Chromium's shared memory) and private anonymous
    memory made executable (JIT compilers, ctypes) - it holds nothing a file brought in."""
    assert run["memfd_flags0_create"] == "ran"
    assert run["anon_private_rwx"] == "ran"


# ------------------------------------------------------- in-process checks of the switches
def _in_child(fn) -> str:
    """``fn()`` in a forked child; its string result (or the errno name it raised)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            res = fn()
        except OSError as e:
            res = errno.errorcode.get(e.errno or 0, str(e))
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            res = f"{type(e).__name__}: {e}"
        os.write(w, str(res).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return data.decode() or "exec'd (the child became another program)"


def test_a_sealed_pid_namespace_refuses_memfd_programs():
    """sandbox_memfd in-process: the sysctl opened as the launcher does, written by a process
    in a new PID namespace as the shim does; there a memfd's program cannot run, the value
    cannot be lowered, CAP_SYS_ADMIN is gone.  Switch memfd_noexec_scope -> None: fails."""
    seal = sandbox_memfd.open_for_sandbox()
    assert seal is not None, "no vm.memfd_noexec for the sandbox"

    host_before = Path(sandbox_memfd.SYSCTL).read_text()

    def in_new_namespace() -> str:
        if libc.unshare(0x20000000) != 0:  # CLONE_NEWPID: this process's children
            raise OSError(ctypes.get_errno(), "unshare")
        pid = os.fork()
        if pid:
            _, status = os.waitpid(pid, 0)
            os._exit(os.waitstatus_to_exitcode(status))
        sandbox_memfd.seal_namespace(*seal)
        fd = os.memfd_create("prog")
        with open("/usr/bin/true", "rb") as f:
            os.write(fd, f.read())
        results = []
        for attempt in (lambda: os.fchmod(fd, 0o755),
                        lambda: os.execv(f"/proc/self/fd/{fd}", ["x"]),
                        lambda: Path(sandbox_memfd.SYSCTL).write_text("0")):
            try:
                attempt()
                results.append("done")
            except OSError as e:
                results.append(errno.errorcode[e.errno])
        status = Path("/proc/self/status").read_text()
        eff = next(int(x.split()[1], 16) for x in status.splitlines() if x.startswith("CapEff"))
        results.append("admin" if eff & (1 << sandbox_memfd.CAP_SYS_ADMIN) else "no-admin")
        os.write(1, " ".join(results).encode())  # the parent's pipe is not ours: stdout
        os._exit(0)

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        try:
            in_new_namespace()
        finally:
            os._exit(3)
    os.close(w)
    out = b""
    while chunk := os.read(r, 4096):
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    os.close(seal[0])
    assert out.decode().split() == ["EPERM", "EACCES", "EPERM", "no-admin"], out
    assert Path(sandbox_memfd.SYSCTL).read_text() == host_before   # the host's is not touched


def test_the_launcher_hands_the_seal_to_the_shim(world):
    """bwrap's command line: CAP_SYS_ADMIN for the shim and --memfd-noexec FD:2 (S1)."""
    seal = sandbox_memfd.open_for_sandbox()
    assert seal is not None
    try:
        spec = world.spec(name="r11argv", limits=LIMITS)
        argv = sandbox_mod.bwrap_argv(spec, ["/bin/true"], seccomp_fds=[], info_fd=9,
                                      data_fds={d: 9 for d in spec["files"]}, notify_fd=8,
                                      memfd_seal=seal)
    finally:
        os.close(seal[0])
    assert argv[argv.index("--memfd-noexec") + 1] == f"{seal[0]}:2"
    assert "CAP_SYS_ADMIN" in argv
    with pytest.raises(sandbox_mod.SandboxError):
        sandbox_mod.bwrap_argv(spec, ["/bin/true"], seccomp_fds=[], info_fd=9,
                               data_fds={d: 9 for d in spec["files"]}, memfd_seal=(7, 2))


def _filtered(fn) -> str:
    def run() -> str:
        seccomp_filter.load_here()
        return fn()
    return _in_child(run)


def test_the_deny_filter_refuses_exec_from_a_descriptor_or_segment():
    """seccomp_filter in-process: fexecve of a system program, shmat(SHM_EXEC),
    memfd_create(MFD_EXEC) refused EPERM.  Switch refuse_exec_from_memory -> None: fails."""
    def fexecve() -> str:
        fd = os.open("/usr/bin/true", os.O_RDONLY)
        os.execve(fd, ["true"], {})
        return "returned"

    def shm_exec() -> str:
        shmid = libc.shmget(0, 4096, 0o1600)
        libc.shmat.restype = ctypes.c_void_p
        addr = libc.shmat(shmid, None, seccomp_filter.SHM_EXEC)
        err = ctypes.get_errno()
        libc.shmctl(shmid, 0, None)
        return "attached" if addr not in (None, ctypes.c_void_p(-1).value) else \
            errno.errorcode[err]

    def mfd_exec() -> str:
        fd = libc.syscall(319, b"x", ctypes.c_uint(seccomp_filter.MFD_EXEC))
        return "created" if fd >= 0 else errno.errorcode[ctypes.get_errno()]

    assert [_filtered(f) for f in (fexecve, shm_exec, mfd_exec)] == ["EPERM"] * 3


def test_the_deny_filter_still_runs_programs_by_path():
    assert _filtered(lambda: str(subprocess.run(["/usr/bin/true"]).returncode)) == "0"


def test_the_launchers_decision_on_code_from_shared_memory():
    """seccomp_execmap.decide in-process, on this process's own memfd and mappings: mmap
    PROT_EXEC of a memfd and mprotect PROT_EXEC of its mapping refused EACCES; of a system
    library, of anonymous memory, without PROT_EXEC: let through.  Switch
    refuse_shared_memory_code -> False: fails."""
    shm_dev = seccomp_execmap.shm_device()
    fd = os.memfd_create("lib")
    os.write(fd, b"\0" * 4096)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    lib = os.open("/usr/bin/true", os.O_RDONLY)
    mapped = libc.mmap(None, 4096, 1, 2, fd, 0)
    anon = libc.mmap(None, 4096, 3, 0x22, -1, 0)
    me = os.getpid()

    def dup_or_none(n: int) -> int | None:
        try:
            return os.dup(n)
        except OSError:
            return None

    def verdict(nr, args) -> str:
        try:
            seccomp_execmap.decide(me, nr, args, shm_dev, dup_or_none)
            return "continue"
        except OSError as e:
            return errno.errorcode[e.errno]
    mmap_nr, mprotect_nr = seccomp_execmap.MMAP_NR, seccomp_execmap.MPROTECT_NR
    try:
        got = {
            "memfd_exec_map": verdict(mmap_nr, (0, 4096, 5, 2, fd, 0)),
            "memfd_exec_protect": verdict(mprotect_nr, (mapped, 4096, 5, 0, 0, 0)),
            "memfd_pkey_protect": verdict(seccomp_execmap.PKEY_MPROTECT_NR,
                                          (mapped + 100, 1, 7, 0, 0, 0)),
            "memfd_read_map": verdict(mmap_nr, (0, 4096, 1, 1, fd, 0)),
            "system_exec_map": verdict(mmap_nr, (0, 4096, 5, 2, lib, 0)),
            "anon_exec_protect": verdict(mprotect_nr, (anon, 4096, 5, 0, 0, 0)),
            "bad_fd": verdict(mmap_nr, (0, 4096, 5, 2, 1 << 20, 0)),
        }
    finally:
        os.close(fd)
        os.close(lib)
    assert got == {"memfd_exec_map": "EACCES", "memfd_exec_protect": "EACCES",
                   "memfd_pkey_protect": "EACCES", "memfd_read_map": "continue",
                   "system_exec_map": "continue", "anon_exec_protect": "continue",
                   "bad_fd": "continue"}, got


def test_read_write_binds_are_noexec_and_removed_without_touching_their_source(tmp_path):
    """sandbox_devices.make_binds in-process: the bind is noexec (the source is not), and
    remove() unmounts it and leaves every file of the source.  Switch bind_options -> a value
    without noexec: fails."""
    src = tmp_path / "workspace"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "keep.txt").write_text("the case's work\n")
    here = tmp_path / "devices"
    here.mkdir(mode=0o700)
    try:
        binds = sandbox_devices.make_binds(here, [[str(src), "/workspace"]])
        bound = binds["/workspace"]
        assert os.statvfs(bound).f_flag & os.ST_NOEXEC
        assert (Path(bound) / "sub" / "keep.txt").read_text() == "the case's work\n"
    finally:
        sandbox_devices.remove(here)
    assert not here.exists()
    assert (src / "sub" / "keep.txt").read_text() == "the case's work\n"
