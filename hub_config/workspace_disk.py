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


def mount_source(path: Path) -> str | None:
    """What is mounted exactly at ``path`` in the hub's mount namespace (its source), or None."""
    target = os.path.realpath(path)
    found = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields = left.split()
            if _unescape(fields[4]) == target:
                found = right.split()[1]  # the last mount on that point is the visible one
    return found


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


def _mount(image: Path, at: Path) -> None:
    _run(["mount", "-t", "ext4", "-o", "loop,nosuid,nodev,noatime", str(image), str(at)])
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
        source = mount_source(ws)
        if source is not None:
            if _loop_backing(source) == str(image.resolve()):
                return
            raise WorkspaceDiskError(f"{ws} is a mount of {source}, not of its image")
        if os.path.islink(image) or (image.exists() and not image.is_file()):
            raise WorkspaceDiskError(f"{image} is not a plain file")
        fresh = not image.exists()
        if fresh:
            _make_image(image, size_mb)
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

