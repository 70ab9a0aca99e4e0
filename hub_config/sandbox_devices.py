"""Device nodes of a sandbox's own (S1/S7): ``/dev/null``, ``zero``, ``full``, ``random``,
``urandom`` and ``tty`` made fresh for each sandbox, bound over bwrap's.

bwrap's ``--dev`` binds the host's nodes, so every session opened the *same inodes*, writable
by all (0666): a POSIX or OFD write lock one session took on ``/dev/null`` another saw as
EAGAIN, a ``touch /dev/null`` moved the times another read with ``stat``, a write raised
``IN_MODIFY`` in another's inotify watch - channels between cases with no timing in them, and
a lock or time left after the slot.  Locks, times and watches belong to the inode, not to the
device: a node of the same device numbers made by the launcher (root) for this sandbox alone
keeps them to it, while reads and writes reach the same driver as before.

``/dev/pts``: bwrap's devpts instance is the sandbox's own but has no ``max``, and every
instance but the host's draws on one machine-wide pool (``kernel.pty.max`` less
``kernel.pty.reserve``: 3 072 here) - one session could take every terminal of every other, and
learn how many the others hold by taking the rest.  The launcher mounts an instance of
:data:`PTYS_MAX` terminals for the sandbox and binds it over bwrap's.

Scratch (``/tmp``, ``/var/tmp``, the home, ``/dev/shm``; round 9): bwrap's ``--tmpfs`` takes no
mount options, so its scratch was ``exec``: Landlock refuses ``execve`` there, but the loader
(``ld.so /tmp/prog``), ``dlopen``/``ctypes.CDLL`` of a planted library, ``LD_PRELOAD`` of one
into a subprocess and an extension module imported from scratch map its code with ``mmap``,
which Landlock does not see - a program written into scratch ran all the same (the workspace
image is ``noexec`` for this already).  The launcher mounts each scratch tmpfs here
``noexec,nosuid,nodev`` (:func:`scratch_options`) and bwrap binds it in place (a bind keeps
its mount's flags).  The read-write binds - the case's workspace (an image of its own is
``noexec`` already; a host directory was not) and the session's socket directory - are bound
the same way from a ``noexec`` bind the launcher makes here (:func:`make_binds`, round 11).
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

# what bwrap's --dev binds from the host (its private devpts and ptmx are its own already)
NODES = ("null", "zero", "full", "random", "urandom", "tty")
PTYS_MAX = 64  # terminals a sandbox may open at once (a remote desktop's few, tools' own)


class DeviceError(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(top: Path) -> None:
    """Node directories of launchers that are gone (one killed outright cannot remove its
    own); they hold nothing but device nodes and the terminals' mount, root's."""
    for d in top.iterdir():
        pid = d.name.rsplit(".", 1)[-1]
        if d.is_dir() and not d.is_symlink() and pid.isdigit() and not _alive(int(pid)):
            remove(d)


def _mount_pts(where: Path, ptys: int) -> None:
    where.mkdir(mode=0o755)
    r = subprocess.run([shutil.which("mount") or "/usr/bin/mount", "-t", "devpts", "-o",
                        f"newinstance,ptmxmode=0666,mode=0620,max={int(ptys)}", "devpts",
                        str(where)], capture_output=True, text=True)
    if r.returncode:
        raise DeviceError(f"cannot mount the sandbox's terminals: {r.stderr.strip()}")


def make(top: Path, name: str, ptys: int = PTYS_MAX) -> tuple[Path, dict[str, str]]:
    """A directory ``top/<name>.<launcher pid>`` (root's, 0700) holding this sandbox's nodes;
    returns it and ``{"/dev/null": "<dir>/null", ...}`` for bwrap's ``--dev-bind``.  Refuses
    (nothing left behind) where nodes cannot be made or opened: a session falls back to the
    shared nodes never."""
    top.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(top)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
        raise DeviceError(f"{top} must be a directory of root's, not group/other writable")
    if os.statvfs(top).f_flag & os.ST_NODEV:
        raise DeviceError(f"{top} is on a nodev file system: a sandbox's own device nodes "
                          f"could not be opened there")
    _remove_stale(top)
    here = top / f"{name}.{os.getpid()}"
    remove(here)  # a launcher of the same pid before (its terminals unmounted first)
    here.mkdir(mode=0o700)
    binds = {}
    try:
        for node in NODES:
            host = os.stat(f"/dev/{node}")
            if not stat.S_ISCHR(host.st_mode):
                raise DeviceError(f"/dev/{node} on the host is not a character device")
            path = here / node
            os.mknod(path, stat.S_IFCHR | 0o666, host.st_rdev)
            os.chmod(path, 0o666)  # the umask must not narrow what every process may open
            binds[f"/dev/{node}"] = str(path)
        if ptys:
            _mount_pts(here / "pts", ptys)
        for dst, path in binds.items():  # reachable (a nodev mount would answer EACCES);
            if dst != "/dev/tty":          # tty needs a controlling terminal (ENXIO)
                os.close(os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK))
    except (OSError, DeviceError) as e:
        remove(here)
        raise DeviceError(f"cannot make the sandbox's own device nodes in {here}: {e}") from e
    if ptys:
        binds["/dev/pts"] = str(here / "pts")
    return here, binds


def scratch_options() -> str:
    """Mount options of a sandbox's scratch tmpfs (the switch point of round 9's close): no
    program, library or set-id file of a writable place runs or loads."""
    return "nosuid,nodev,noexec"


def make_scratch(here: Path, points: list[str], size_bytes: int) -> dict[str, str]:
    """A tmpfs of ``size_bytes`` (mode 1777, :func:`scratch_options`) for each sandbox path in
    ``points``, mounted in ``here`` (a directory of :func:`make`); returns ``{point: host
    mount}`` for bwrap's ``--bind``.  Its pages are charged to the memory cgroup of whoever
    writes them, the session's, as bwrap's own tmpfs was.  Refuses when a mount fails (the
    caller removes ``here``)."""
    out = {}
    for i, point in enumerate(points):
        where = here / f"scratch{i}"
        where.mkdir(mode=0o700)
        r = subprocess.run([shutil.which("mount") or "/usr/bin/mount", "-t", "tmpfs", "-o",
                            f"{scratch_options()},mode=1777,size={int(size_bytes)}",
                            "enclave-scratch", str(where)], capture_output=True, text=True)
        if r.returncode:
            raise DeviceError(f"cannot mount the sandbox's scratch {point}: {r.stderr.strip()}")
        out[point] = str(where)
    return out


def bind_options() -> str:
    """Mount options of a sandbox's read-write binds (the workspace, its socket directory;
    round 11, S1) - the switch point: a library or program a member left in a writable host
    directory bound in (a workspace that is not an image of its own) is never mapped
    executable, as in scratch."""
    return "nosuid,nodev,noexec"


def make_binds(here: Path, binds: list[list[str]]) -> dict[str, str]:
    """For each ``[source, point]`` a bind of ``source`` in ``here`` remounted
    :func:`bind_options`; returns ``{point: host mount}`` for bwrap's ``--bind`` (a bind keeps
    its mount's flags).  Refuses when a mount fails (the caller removes ``here``)."""
    mount = shutil.which("mount") or "/usr/bin/mount"
    out = {}
    for i, (src, point) in enumerate(binds):
        where = here / f"bind{i}"
        where.mkdir(mode=0o700)
        for argv in ([mount, "--bind", src, str(where)],
                     [mount, "-o", f"remount,bind,{bind_options()}", str(where)]):
            r = subprocess.run(argv, capture_output=True, text=True)
            if r.returncode:
                raise DeviceError(f"cannot bind {src} for {point} {bind_options()}: "
                                  f"{r.stderr.strip()}")
        out[point] = str(where)
    return out


def _mount_points() -> set[str]:
    """Every mount point of this mount namespace (``/proc/self/mountinfo``, octal escapes
    undone).  ``os.path.ismount`` misses a bind of a directory of the same file system."""
    with open("/proc/self/mountinfo", "rb") as f:
        return {os.fsdecode(line.split()[4]).encode("latin-1", "backslashreplace")
                .decode("unicode_escape").encode("latin-1").decode("utf-8", "surrogateescape")
                for line in f}


def _mounted(entry: Path) -> bool:
    return os.path.ismount(entry) or str(entry) in _mount_points()


def remove(here: Path | None) -> None:
    """The directory and its mounts - terminals, scratch - lazily (a process still holding a
    terminal keeps it until it ends; the sandbox's binds keep its scratch).  A mount that will
    not go keeps its directory: never a recursive delete into a mounted file system."""
    if here is None or not here.exists():
        return
    for entry in sorted(here.iterdir()):
        if _mounted(entry) and subprocess.run(
                [shutil.which("umount") or "/usr/bin/umount", "-l", str(entry)],
                capture_output=True).returncode:
            return
    points = _mount_points()  # a bind still there (stacked twice): never delete through it
    if any(p == str(here) or p.startswith(f"{here}/") for p in points):
        return
    shutil.rmtree(here, ignore_errors=True)
