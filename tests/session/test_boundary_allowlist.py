"""The default-deny seccomp layer (S1, S7): a syscall no one listed never runs.

The deny-list (``seccomp_filter.build``) names what is refused; a syscall it does not name -
one the kernel gained later, or an old one nobody thought of - used to pass.  The allow-list
(``seccomp_allow``) is stacked on it.  Checked three ways:

* every x86_64 syscall number 0-511 that is not on the allow-list answers ENOSYS or the
  deny-list's error with both layers loaded (as root, in a throw-away namespace), whatever it is;
* a set of calls that work for root without any filter (the control) and were never on the
  deny-list - new mount-table, LSM, xattr and memory calls, old AIO, message queues, page-cache
  probes - answer ENOSYS with the filters, and work with the deny-list alone (so the test fails
  when the allow-list is off);
* inside the real sandbox the same calls answer ENOSYS, and ordinary work (pandas, pyarrow,
  DuckDB, matplotlib, threads, processes, multiprocessing, a shell's tools, git, ZMQ, IPv6 on
  loopback) still runs.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import sys

import pytest

from tests.session.boundary_probe import in_child

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the control runs "
                                                           "syscalls unfiltered)"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]

libc = ctypes.CDLL(None, use_errno=True)
ALLOW_ERRNOS = {errno.ENOSYS, errno.EPERM, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT,
                errno.ESOCKTNOSUPPORT}


def _call(nr: int, *args) -> int:
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a
                                          for a in args])
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def _page() -> int:
    import mmap

    m = mmap.mmap(-1, 4096)
    return ctypes.addressof(ctypes.c_char.from_buffer(m))


def _buf(n=256):
    return ctypes.create_string_buffer(n)


# Calls a session never needs, none of them on the deny-list, each working for root with no
# filter (x86_64 numbers; new ones from kernels 6.5-6.17).
UNLISTED = {
    "mincore": lambda: _call(27, _page(), 4096, _buf(1)),
    "io_setup": lambda: _call(206, 1, ctypes.byref(ctypes.c_ulong(0))),
    "mq_open": lambda: _call(240, b"enclave-probe", os.O_CREAT | os.O_RDWR, 0o600, 0),
    "vmsplice": lambda: _call(278, os.pipe()[1], 0, 0, 0),
    "remap_file_pages": lambda: _call(216, _page(), 4096, 0, 0, 0),
    "sysfs": lambda: _call(139, 3),  # number of file-system types
    "memfd_secret": lambda: os.close(_call(447, 0)),
    "cachestat": lambda: _call(451, os.open("/etc/hostname", os.O_RDONLY), _buf(16), _buf(40),
                               0),
    "mseal": lambda: _call(462, _page(), 4096, 0),
    "statmount": lambda: _call(457, _statmount_req(), _buf(4096), 4096, 0),
    "listmount": lambda: _call(458, _listmount_req(), _buf(64), 8, 0),
    "lsm_list_modules": lambda: _call(461, _buf(64), ctypes.byref(ctypes.c_uint32(64)), 0),
    "getxattrat": lambda: _xattrat(464),
    "open_tree_attr": lambda: os.close(_call(467, -100, b"/", 1 | 0x80000, 0, 0)),
    "file_getattr": lambda: _call(468, -100, b"/", _buf(64), 24, 0),
}


def _statmount_req():
    # struct mnt_id_req {u32 size; u32 spare; u64 mnt_id; u64 param; u64 mnt_ns_id}: the root
    # mount of this namespace, asked by its unique id (statx STATX_MNT_ID_UNIQUE)
    stx = _buf(256)
    _call(332, -100, b"/", 0, 0x4000, stx)  # statx(AT_FDCWD, "/", 0, STATX_MNT_ID_UNIQUE)
    mnt_id = int.from_bytes(stx.raw[144:152], "little")
    req = _buf(32)
    ctypes.memmove(req, (24).to_bytes(4, "little") + b"\0" * 4 + mnt_id.to_bytes(8, "little")
                   + (1).to_bytes(8, "little"), 24)
    return req


def _listmount_req():
    req = _buf(32)
    # LSMT_ROOT = 0xffffffffffffffff: the mounts below this namespace's root
    ctypes.memmove(req, (24).to_bytes(4, "little") + b"\0" * 4 + b"\xff" * 8 + b"\0" * 8, 24)
    return req


def _xattrat(nr):
    args = _buf(24)  # struct xattr_args {u64 value; u32 size; u32 flags}: size 0 = length
    return _call(nr, -100, b"/etc/hostname", 0, b"user.none", args, 16)


def _outcome(fn, layers: str) -> str:
    def attempt():
        from hub_config import seccomp_allow, seccomp_filter

        if layers != "none":
            if libc.prctl(38, 1, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "no_new_privs")
            if layers == "both":
                seccomp_allow.build().load()
            seccomp_filter.build().load()
        return fn()
    return in_child(attempt)


@pytest.mark.parametrize("call", sorted(UNLISTED))
def test_a_call_no_one_listed_is_refused(call):
    control = _outcome(UNLISTED[call], "deny-list")
    # the control: with only the deny-list it reaches the kernel (works, or fails on its own
    # merits - never the filter's answer)
    assert control not in ("ENOSYS", "EPERM"), control
    assert _outcome(UNLISTED[call], "both") == "ENOSYS"


def test_every_syscall_number_off_the_list_is_refused():
    """All of 0-511 but the listed ones, called with zero arguments under both layers, in a
    child that first takes private mount/UTS/IPC namespaces (root, before the filters)."""
    import pyseccomp as sc

    from hub_config.seccomp_allow import ALLOWED

    listed = set()
    for name in ALLOWED:
        try:
            listed.add(sc.resolve_syscall(sc.Arch.X86_64, name))
        except (OSError, ValueError):
            pass
    # 335 uretprobe, 336 uprobe: the kernel (6.15+) passes them past seccomp by design; they
    # serve only a uprobe trampoline (anyone else: SIGILL / ENXIO), so they reach nothing
    unlisted = [nr for nr in range(512) if nr not in listed and nr not in (335, 336)]
    assert len(unlisted) > 100

    def sweep():
        _call(272, 0x00020000 | 0x04000000 | 0x08000000)  # unshare NEWNS|NEWUTS|NEWIPC
        from hub_config import seccomp_allow, seccomp_filter

        libc.prctl(38, 1, 0, 0, 0)
        seccomp_allow.build().load()
        seccomp_filter.build().load()
        bad = {}
        for nr in unlisted:
            r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(0)] * 6)
            e = ctypes.get_errno()
            if r >= 0 or e not in ALLOW_ERRNOS:
                bad[nr] = (r, errno.errorcode.get(e, e))
        if bad:
            raise AssertionError(bad)

    assert in_child(sweep) == "ok"


WORKLOAD = r"""
import asyncio, json, os, socket, sqlite3, subprocess, threading
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
import numpy as np, pandas as pd, pyarrow.parquet as pq, duckdb, zmq
os.environ["MPLCONFIGDIR"] = "/tmp/mpl"
import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
out = {}
df = pd.DataFrame({"a": np.arange(5000), "b": np.random.rand(5000)})
df.to_parquet("/tmp/x.parquet"); out["parquet"] = pq.read_table("/tmp/x.parquet").num_rows
out["duckdb"] = duckdb.connect().execute("select count(*) from '/tmp/x.parquet'").fetchone()[0]
plt.plot([1, 2, 3]); plt.savefig("/tmp/x.png"); plt.savefig("/tmp/x.svg")
out["svd"] = len(np.linalg.svd(np.random.rand(60, 60))[1])
with mp.Pool(2) as p: out["pool"] = p.map(abs, [-1, -2])
with ProcessPoolExecutor(1) as ex: out["executor"] = list(ex.map(abs, [-3]))
t = threading.Thread(target=lambda: None); t.start(); t.join()
c = sqlite3.connect("/tmp/x.db"); c.execute("create table t(a)"); c.commit()
async def co():
    p = await asyncio.create_subprocess_exec("true"); return await p.wait()
out["asyncio"] = asyncio.run(co())
sh = ("ls -la /tmp >/dev/null && ps aux >/dev/null && date >/dev/null && id -u >/dev/null && "
      "tar czf /tmp/a.tgz /tmp/x.parquet 2>/dev/null && cp /tmp/x.db /tmp/y.db && "
      "mkfifo /tmp/ff && rm /tmp/ff && find /tmp -name x.db | grep -q x.db && "
      "git init -q /tmp/repo && git -C /tmp/repo status >/dev/null && echo shell-ok")
out["shell"] = subprocess.run(["sh", "-c", sh], capture_output=True, text=True).stdout.strip()
ctx = zmq.Context(); s = ctx.socket(zmq.REP); s.bind_to_random_port("tcp://127.0.0.1"); s.close()
ctx.term()
s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", 0)); s6.close()
print("RESULT " + json.dumps(out))
"""


def test_ordinary_work_runs_under_both_layers_in_the_sandbox(world):
    code, log, err = world.run(world.spec(name="allowwork"), [sys.executable, "-c", WORKLOAD],
                               timeout=240)
    assert code == 0, (log + err)[-3000:]
    res = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    assert res == {"parquet": 5000, "duckdb": 5000, "svd": 60, "pool": [1, 2],
                   "executor": [3], "asyncio": 0, "shell": "shell-ok"}


SANDBOX_CALLS = {"mincore": (27, "page"), "io_setup": (206, "ctx"), "mq_open": (240, "mq"),
                 "sysfs": (139, 3), "memfd_secret": (447, 0), "listmount": (458, 0),
                 "statmount": (457, 0), "lsm_list_modules": (461, 0), "mseal": (462, 0),
                 "open_tree_attr": (467, 0), "file_getattr": (468, 0), "cachestat": (451, 0),
                 "futex_wake": (454, 0), "ustat": (136, 0),
                 "fanotify_mark": (301, 0)}
IN_SANDBOX = r"""
import ctypes, errno, json, sys
libc = ctypes.CDLL(None, use_errno=True)
out = {}
for name, (nr, _) in json.loads(sys.argv[1]).items():
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(0)] * 6)
    out[name] = "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
print("RESULT " + json.dumps(out))
"""


def test_unlisted_calls_answer_enosys_inside_the_sandbox(world):
    code, log, err = world.run(world.spec(name="allowprobe"),
                               [sys.executable, "-c", IN_SANDBOX, json.dumps(SANDBOX_CALLS)])
    assert code == 0, (log + err)[-2000:]
    res = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    assert res == {name: "ENOSYS" for name in SANDBOX_CALLS}, res


MEMFD_EXEC = r"""
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
out = {}
# a program from memory (memfd_create + execveat), even one marked setuid (round 11: refused)
fd = os.memfd_create("probe", 0)
with open("/usr/bin/cat", "rb") as src:
    os.write(fd, src.read())
try:
    os.fchmod(fd, 0o4755)
    out["fchmod"] = "done"
except OSError as e:
    out["fchmod"] = errno.errorcode[e.errno]
for how, path, flags in (("execveat", b"", 0x1000), ("execve_proc", None, 0)):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        argv = (ctypes.c_char_p * 3)(b"cat", b"/proc/self/status", None)
        if path is None:
            libc.execve(f"/proc/self/fd/{fd}".encode(), argv, (ctypes.c_char_p * 1)(None))
        else:
            libc.syscall(322, fd, path, argv, (ctypes.c_char_p * 1)(None), flags)
        os.write(w, errno.errorcode[ctypes.get_errno()].encode())
        os._exit(127)
    os.close(w)
    got = os.read(r, 65536).decode()
    os.waitpid(pid, 0)
    out[how] = "ran" if "Uid:" in got else got
print("RESULT " + json.dumps(out))
"""


def test_a_program_run_from_memory_does_not_run(world):
    """S1 round 11 (it ran before, as the session's uid without capabilities): a memfd cannot
    be marked executable (vm.memfd_noexec=2 seals it), fexecve is refused by the filter,
    execve of its /proc/self/fd link by the missing execute bits."""
    code, log, err = world.run(world.spec(name="memfdexec"), [sys.executable, "-c", MEMFD_EXEC])
    assert code == 0, (log + err)[-2000:]
    res = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
    assert res == {"fchmod": "EPERM", "execveat": "EPERM", "execve_proc": "EACCES"}, res
