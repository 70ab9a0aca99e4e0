"""Round 9 of the sandbox probe, run INSIDE a sandbox by ``test_boundary_round9.py`` (one
self-contained script: the sandbox sees no test package).  x86_64.

``scratch``: a program or library the session writes into a scratch place (``/tmp``,
``/var/tmp``, its home, ``/dev/shm``) must never run or load.  ``execve`` of it was refused
already (Landlock); the ways that only *map* its code were not: the loader (``ld.so PROG``),
``dlopen`` (``ctypes.CDLL``), ``LD_PRELOAD`` of it into a subprocess, an extension module
imported from there, ``mmap(PROT_EXEC)`` of it.  Every member is tried in every place, each
beside a control that must still work (the same calls on the system's own files, ordinary use
of scratch).  ``sched``: real-time scheduling and a negative nice.  ``huge``: pages of the
machine's hugetlb pool, each way the kernel hands them out.  ``writable``: every place the
session can write, found by discovery.  Writes ``RESULT <json>``.
"""
from __future__ import annotations

import ctypes
import errno
import importlib.machinery
import importlib.util
import json
import mmap
import os
import shutil
import subprocess
import sys

LDSO = "/lib64/ld-linux-x86-64.so.2"
PROGRAM = "/usr/bin/true"
LIBRARY = "/usr/lib/x86_64-linux-gnu/libz.so.1"


def _errname(e: OSError) -> str:
    return errno.errorcode.get(e.errno or 0, str(e))


def _plant(place: str, tag: str) -> dict:
    """Copies of a program, a library and an extension module in ``place``."""
    src_ext = importlib.util.find_spec("_json").origin
    out = {"prog": f"{place}/{tag}-prog", "lib": f"{place}/{tag}-lib.so",
           "ext": f"{place}/{tag}_json.{os.path.basename(src_ext).split('.', 1)[1]}"}
    for key, src in (("prog", PROGRAM), ("lib", LIBRARY), ("ext", src_ext)):
        shutil.copyfile(src, out[key])
        os.chmod(out[key], 0o755)
    return out


def _execve(path: str) -> str:
    try:
        return f"rc{subprocess.run([path], capture_output=True).returncode}"
    except OSError as e:
        return _errname(e)


def _ldso(path: str) -> str:
    r = subprocess.run([LDSO, path], capture_output=True, text=True)
    return f"rc{r.returncode}" + (" map-refused" if "failed to map segment" in r.stderr else "")


def _dlopen(path: str) -> str:
    try:
        ctypes.CDLL(path)
        return "loaded"
    except OSError:
        return "refused"


def _preload(path: str) -> str:
    """LD_PRELOAD of ``path`` into a system program: the loader says it cannot preload it
    (and runs the program without it) - or loads it silently."""
    r = subprocess.run([PROGRAM], env={"LD_PRELOAD": path}, capture_output=True, text=True)
    return "refused" if "cannot be preloaded" in r.stderr else f"loaded rc{r.returncode}"


def _import(path: str) -> str:
    name = "_json"  # the module's init function names it; the file name is the planted one
    try:
        loader = importlib.machinery.ExtensionFileLoader(name, path)
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return "imported"
    except ImportError:
        return "refused"


def _mmap_exec(path: str) -> str:
    with open(path, "rb") as f:
        try:
            m = mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)
            m.close()
            return "mapped"
        except OSError as e:
            return _errname(e)


def _mount_options(point: str) -> list[str]:
    with open("/proc/self/mounts") as f:
        rows = [line.split() for line in f]
    opts = [r[3].split(",") for r in rows if r[1] == point]
    return opts[-1] if opts else []


def scratch(cfg: dict) -> dict:
    out: dict = {"places": {}}
    for place in cfg["places"]:
        got: dict = {"options": _mount_options(place)}
        try:
            files = _plant(place, "r9")
        except OSError as e:
            got["plant"] = _errname(e)
            out["places"][place] = got
            continue
        got["execve"] = _execve(files["prog"])
        got["ld_so"] = _ldso(files["prog"])
        got["dlopen"] = _dlopen(files["lib"])
        got["preload"] = _preload(files["lib"])
        got["import"] = _import(files["ext"])
        got["mmap_exec"] = _mmap_exec(files["lib"])
        # ordinary use of scratch still works: write, read back, map for reading
        with open(f"{place}/r9-data", "wb") as f:
            f.write(b"x" * 10000)
        with open(f"{place}/r9-data", "rb") as f:
            m = mmap.mmap(f.fileno(), 10000, prot=mmap.PROT_READ)
            got["read_back"] = m[:3].decode()
            m.close()
        out["places"][place] = got
    # controls: the same calls on the system's own files still run
    out["control"] = {"ld_so": _ldso(PROGRAM), "dlopen": _dlopen(LIBRARY),
                      "preload": _preload(LIBRARY), "mmap_exec": _mmap_exec(LIBRARY),
                      "import": _import(importlib.util.find_spec("_json").origin)}
    # what ordinary work needs of scratch and anonymous memory: ctypes callbacks (libffi
    # closures), a multiprocessing pool (semaphores in /dev/shm)
    cb = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)
    out["callback"] = cb(41)
    import multiprocessing as mp

    with mp.Pool(2) as pool:
        out["pool"] = pool.map(abs, [-1, -2])
    return out


def writable(_cfg: dict) -> dict:
    """Every mount point of the sandbox (and the directories right under each), with whether
    this session can create a file there and the mount's options: discovery, not a list."""
    with open("/proc/self/mounts") as f:
        rows = [line.split() for line in f]
    options = {}
    for r in rows:
        options[r[1].encode().decode("unicode_escape")] = r[3].split(",")
    seen: dict = {}
    for point in sorted(options):
        dirs = [point]
        try:
            dirs += [os.path.join(point, d) for d in sorted(os.listdir(point))[:50]]
        except OSError:
            pass
        for d in dirs:
            if d in seen or not os.path.isdir(d) or os.path.islink(d) or \
                    d.startswith("/proc/") and d != "/proc":
                continue
            try:
                fd = os.open(os.path.join(d, ".r9-w"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o700)
                os.close(fd)
                os.unlink(os.path.join(d, ".r9-w"))
                ok = True
            except OSError:
                ok = False
            if ok:
                mount = max((m for m in options if d == m or d.startswith(m.rstrip("/") + "/")),
                            key=len)
                seen[d] = {"mount": mount, "options": options[mount]}
    return {"writable": seen}


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
MAP_HUGETLB, SHM_HUGETLB, MFD_HUGETLB = 0x40000, 0o4000, 0x4
HUGE = 2 << 20


def huge_attempts() -> dict:
    """One huge page asked for each way the kernel hands them out (x86_64 numbers): the
    answer, or ``ok`` (and the page touched, so the pool's page is really taken)."""
    out = {}
    res = _libc.syscall(ctypes.c_long(9), ctypes.c_long(0), ctypes.c_long(HUGE),  # mmap
                        ctypes.c_long(3), ctypes.c_long(0x22 | MAP_HUGETLB), ctypes.c_long(-1),
                        ctypes.c_long(0))
    if res < 0:
        out["mmap"] = errno.errorcode[ctypes.get_errno()]
    else:
        ctypes.memset(res, 1, 1)
        out["mmap"] = "ok"
    res = _libc.syscall(ctypes.c_long(29), ctypes.c_long(0), ctypes.c_long(HUGE),  # shmget
                        ctypes.c_long(0o1600 | SHM_HUGETLB))
    out["shmget"] = "ok" if res >= 0 else errno.errorcode[ctypes.get_errno()]
    if res >= 0:
        _libc.syscall(ctypes.c_long(31), ctypes.c_long(res), ctypes.c_long(0),  # IPC_RMID
                      ctypes.c_long(0))
    res = _libc.syscall(ctypes.c_long(319), ctypes.c_char_p(b"r9"),  # memfd_create
                        ctypes.c_long(MFD_HUGETLB))
    out["memfd_create"] = "ok" if res >= 0 else errno.errorcode[ctypes.get_errno()]
    if res >= 0:
        os.close(res)
    # controls: ordinary anonymous memory, System V segments and memfds still come
    m = mmap.mmap(-1, HUGE)
    m[0] = 1
    m.close()
    res = _libc.syscall(ctypes.c_long(29), ctypes.c_long(0), ctypes.c_long(4096),
                        ctypes.c_long(0o1600))
    out["shmget_plain"] = "ok" if res >= 0 else errno.errorcode[ctypes.get_errno()]
    if res >= 0:
        _libc.syscall(ctypes.c_long(31), ctypes.c_long(res), ctypes.c_long(0), ctypes.c_long(0))
    fd = os.memfd_create("r9plain", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.close(fd)
    out["memfd_plain"] = "ok"
    return out


def huge(_cfg: dict) -> dict:
    return huge_attempts()


def sched(_cfg: dict) -> dict:
    import resource

    out = {"rtprio": list(resource.getrlimit(resource.RLIMIT_RTPRIO)),
           "nice_limit": list(resource.getrlimit(resource.RLIMIT_NICE))}
    for policy in ("SCHED_FIFO", "SCHED_RR"):
        try:
            os.sched_setscheduler(0, getattr(os, policy), os.sched_param(1))
            out[policy] = "set"
        except OSError as e:
            out[policy] = _errname(e)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -1)
        out["nice_down"] = "set"
    except OSError as e:
        out["nice_down"] = _errname(e)
    try:
        resource.setrlimit(resource.RLIMIT_RTPRIO, (1, 1))
        out["raise_rtprio"] = "raised"
    except (OSError, ValueError) as e:
        out["raise_rtprio"] = type(e).__name__
    return out


def main() -> None:
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    print("RESULT " + json.dumps({"scratch": scratch, "sched": sched, "writable": writable,
                                     "huge": huge}[mode](cfg)), flush=True)


if __name__ == "__main__":
    main()
