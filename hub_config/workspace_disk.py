"""A case's workspace is a file system of its own, of the policy's size (S1).

The workspace (``<projects_dir>/<case>/workspace``, shared by the case's members, read-write in
every session) used to be a plain directory on the host's disk: a kernel writing until ENOSPC
filled the host's file system and stopped every other session, the audit writer and the
hub.  Now it is an ext4 image, ``<case>/workspace.img`` (root's, 0600, sparse: it takes on the
host only what is written, never more than its size), loop-mounted at the workspace path by
the spawner (root) before the sandbox is built.  A write beyond the size answers ENOSPC inside
the session; the host keeps its free space.  The mount stays while the hub runs (case members
share it; two mounts of one ext4 image would corrupt it) and is released when the hub exits.

A workspace that already holds files is copied into the new image once and kept beside it as
``workspace.pre-quota-<time>`` for an administrator; nothing is deleted.  Side effect that
helps the boundary too: the workspace's root in ``/proc/self/mountinfo`` is ``/`` - the
session no longer reads the host's directory names of the projects area there.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
import time
from pathlib import Path

IMAGE_NAME = "workspace.img"
MIN_MB = 8  # ext4 needs a little room of its own


class WorkspaceDiskError(RuntimeError):
    pass


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n") \
        .replace("\\134", "\\")


def _mount_entry(path: Path) -> tuple[str, set[str]] | None:
    """(source, per-mount options) of what is mounted exactly at ``path`` in the hub's mount
    namespace, or None."""
    target = os.path.realpath(path)
    found = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields = left.split()
            if _unescape(fields[4]) == target:  # the last mount on that point is the visible one
                found = (right.split()[1], set(fields[5].split(",")))
    return found


def mount_source(path: Path) -> str | None:
    """What is mounted exactly at ``path`` in the hub's mount namespace (its source), or None."""
    entry = _mount_entry(path)
    return entry[0] if entry else None


def _loop_backing(device: str) -> str | None:
    name = os.path.basename(device)
    try:
        return Path(f"/sys/block/{name}/loop/backing_file").read_text().strip()
    except OSError:
        return None


def _run(argv: list[str]) -> None:
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise WorkspaceDiskError(f"{argv[0]} failed: {(r.stderr or r.stdout).strip()[:300]}")


def _make_image(image: Path, size_mb: int) -> None:
    fd = os.open(image, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        os.ftruncate(fd, int(size_mb) << 20)  # sparse: host blocks only as they are written
    finally:
        os.close(fd)
    # -m 0: no blocks reserved for root (nothing runs as root in there); no lost+found use
    _run(["mkfs.ext4", "-q", "-F", "-m", "0", "-L", "workspace", "-E",
          "root_owner=0:0,lazy_itable_init=1,nodiscard", str(image)])


# noexec: the workspace is shared by the case's members - a program or library one of them
# writes there must never be run or mapped executable by another (S1; exec_guard covers execve
# from every writable place, noexec also mmap(PROT_EXEC), which ld.so and ctypes use)
MOUNT_OPTIONS = ("nosuid", "nodev", "noexec")


def _mount(image: Path, at: Path) -> None:
    _run(["mount", "-t", "ext4", "-o", ",".join(("loop", *MOUNT_OPTIONS, "noatime")),
          str(image), str(at)])
    lost = at / "lost+found"
    try:
        if lost.is_dir() and not lost.is_symlink() and not any(lost.iterdir()):
            lost.rmdir()  # e2fsck makes it again if ever needed
    except OSError:
        pass


def ensure(ws: Path, size_mb: int) -> None:
    """Mount the case's workspace image at ``ws`` (made first if missing); idempotent, and
    serialised per case (members may start at the same moment)."""
    if int(size_mb) < MIN_MB:
        raise WorkspaceDiskError(f"workspace size {size_mb} MB is below {MIN_MB} MB")
    case_dir = ws.parent
    image = case_dir / IMAGE_NAME
    lock_fd = os.open(case_dir / ".workspace.lock",
                      os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        entry = _mount_entry(ws)
        if entry is not None:
            source, options = entry
            if _loop_backing(source) != str(image.resolve()):
                raise WorkspaceDiskError(f"{ws} is a mount of {source}, not of its image")
            if not set(MOUNT_OPTIONS) <= options:  # mounted by an older hub: tighten it
                _run(["mount", "-o", ",".join(("remount", *MOUNT_OPTIONS)), str(ws)])
            return  # a raised size takes effect at the next mount (_grow)
        if os.path.islink(image) or (image.exists() and not image.is_file()):
            raise WorkspaceDiskError(f"{image} is not a plain file")
        fresh = not image.exists()
        if fresh:
            _make_image(image, size_mb)
        else:
            _grow(image, int(size_mb))
        ws.mkdir(exist_ok=True)
        if ws.is_symlink() or not ws.is_dir():
            raise WorkspaceDiskError(f"{ws} is not a directory")
        if fresh and any(ws.iterdir()):
            try:
                _move_in(ws, image)
            except BaseException:
                image.unlink()  # too big for the size, or cp failed: the next start tries again
                raise
        _mount(image, ws)
    finally:
        os.close(lock_fd)


def _grow(image: Path, size_mb: int) -> bool:
    """The policy's size raised: the image and its file system grow to it, offline (after a
    check) before the image is mounted - so at the first start after the hub started.  (ext4
    can grow mounted, but the resize ioctl needs CAP_SYS_RESOURCE, which a hub in a container
    may lack; a half-grown image must never be left.)  Never shrunk: a smaller size in the
    policy leaves a bigger image as it is (files would be lost); the administrator decides."""
    want = int(size_mb) << 20
    if os.stat(image).st_size >= want:
        return False
    r = subprocess.run(["e2fsck", "-f", "-p", str(image)], capture_output=True, text=True,
                       timeout=300)
    if r.returncode >= 4:  # 1-2: errors corrected; 4 and above: left uncorrected
        raise WorkspaceDiskError(f"e2fsck of {image} failed: {r.stdout.strip()[-300:]}")
    fd = os.open(image, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        old = os.fstat(fd).st_size
        os.ftruncate(fd, want)  # sparse: the host gives blocks only as they are written
    finally:
        os.close(fd)
    try:
        _run(["resize2fs", str(image)])
    except WorkspaceDiskError:
        os.truncate(image, old)  # the file system was not touched: the image as it was
        raise
    return True


def _move_in(ws: Path, image: Path) -> None:
    """Copy an existing workspace into its new image; keep the old one aside, untouched."""
    stage = Path(tempfile.mkdtemp(prefix=".ws-stage-", dir=ws.parent))
    try:
        _mount(image, stage)
        try:
            _run(["cp", "-a", "--", f"{ws}/.", f"{stage}/"])
        finally:
            _run(["umount", str(stage)])
    finally:
        stage.rmdir()
    aside = ws.parent / f"workspace.pre-quota-{int(time.time())}"
    os.rename(ws, aside)
    os.chmod(aside, 0o700)
    ws.mkdir()


def release(ws: Path) -> bool:
    """Unmount the workspace image (lazily: a process still inside lets go later)."""
    source = mount_source(ws)
    if source is None or _loop_backing(source) is None:
        return False
    _run(["umount", "-l", str(ws)])
    return True


def release_all(projects_dir: Path) -> list[str]:
    """Every case's workspace image under ``projects_dir`` (the hub's exit)."""
    done = []
    try:
        cases = sorted(p for p in Path(projects_dir).iterdir() if p.is_dir())
    except OSError:
        return done
    for case in cases:
        try:
            if (case / IMAGE_NAME).is_file() and release(case / "workspace"):
                done.append(case.name)
        except (OSError, WorkspaceDiskError):
            continue
    return done


def host_bytes(image: Path) -> int:
    """Bytes the image really takes on the host's disk."""
    return os.stat(image).st_blocks * 512

