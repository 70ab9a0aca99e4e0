"""The data roots' files (warehouse, projects) as a backup reads them and a restore writes them
back - never through a link, never from anything but a plain file, never past a size.

The projects area holds every case's workspace, which the case's sessions write.  A member can
plant there a symbolic link named ``x.json`` to a key, the state database or
``/proc/<pid>/environ``, a FIFO, a file with a name that is not UTF-8, a tree deeper than any
path, or swap a file for a link between a check and a read.  The backup runs as root: with
``rglob`` + ``is_file`` + ``copy2`` it followed such a link and copied the target into the
backup's manifests (which are not sealed), and a restore wrote that copy back into the workspace
as a plain file the session could read - and wrote through a directory link planted since.

So: every directory is opened relative to its parent's descriptor with ``O_NOFOLLOW``; every
file with ``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat`` after opening (a plain file
with one link); the size cap holds while reading.  What is not kept is listed, with the reason,
never read.  A restore creates each missing directory and file the same way (``O_EXCL``).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

MAX_DEPTH = 64          # deeper directories are listed, not entered (one descriptor per level)
MAX_REL_BYTES = 1024    # a longer relative path is listed, not copied (the backup's own limits)
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_ROOT = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC   # the operator's root may be a link itself
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class NotPlain(Exception):
    """A path that is a link, a special file, has other links, or changed while read."""


@dataclass
class Entry:
    rel: str             # relative path, '/'-separated; undecodable bytes as \xNN
    size: int
    data: bytes | None   # the bytes, when wanted and kept
    mode: int = 0o600
    skipped: str = ""    # why it was listed instead of read ('' = a plain file)


def _shown(name: str) -> tuple[str, bool]:
    """The name for JSON and logs; False when it is not UTF-8 (never copied: it could not be
    written into the backup's manifest)."""
    raw = os.fsencode(name)
    try:
        raw.decode("utf-8")
        return name, True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), False


def read_plain(dir_fd: int, name: str, cap: int) -> tuple[bytes | None, os.stat_result]:
    """The bytes of the plain file ``name`` in ``dir_fd`` (None when it is bigger than
    ``cap``); NotPlain for a link, FIFO, device, socket or a file with more than one link."""
    try:
        fd = os.open(name, _FILE, dir_fd=dir_fd)
    except OSError as e:
        raise NotPlain(f"{name!r}: cannot be opened without following a link "
                                f"({os.strerror(e.errno)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotPlain(f"{name!r}: not a plain file")
        if st.st_nlink != 1:   # a hard link: its other name may be anyone's file
            raise NotPlain(f"{name!r}: has {st.st_nlink} links")
        if st.st_size > cap:
            return None, st
        chunks, got = [], 0
        while got <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:          # grew while read
            return None, st
        return b"".join(chunks), st
    finally:
        os.close(fd)


def walk(root: Path, want, cap: int) -> Iterator[Entry]:
    """Every entry under ``root``, depth first, by name; ``want(rel)`` says whose bytes to read
    (up to ``cap``).  A missing root yields nothing."""
    try:
        top = os.open(root, _ROOT)
    except FileNotFoundError:
        return
    yield from _walk(top, "", 0, want, cap, True)


def _walk(dfd: int, prefix: str, depth: int, want, cap: int, utf8_above: bool
          ) -> Iterator[Entry]:
    try:
        items = []
        with os.scandir(dfd) as it:   # names and lstat only: nothing is followed here
            for e in it:
                try:
                    items.append((e.name, e.stat(follow_symlinks=False)))
                except FileNotFoundError:   # gone since listed (a session renames as we walk)
                    continue
        items.sort()
        for name, lst in items:
            shown, utf8 = _shown(name)
            utf8 = utf8 and utf8_above   # an escaped folder name is not the folder's name
            rel = f"{prefix}{shown}"
            if stat.S_ISDIR(lst.st_mode):
                if depth + 1 >= MAX_DEPTH:
                    yield Entry(rel, 0, None, skipped=f"deeper than {MAX_DEPTH} directories")
                    continue
                try:
                    sub = os.open(name, _DIR, dir_fd=dfd)
                except OSError as e:   # swapped for a link or a file since listed
                    yield Entry(rel, 0, None, skipped=f"directory changed: {os.strerror(e.errno)}")
                    continue
                yield from _walk(sub, f"{rel}/", depth + 1, want, cap, utf8)
                continue
            if stat.S_ISLNK(lst.st_mode):
                yield Entry(rel, lst.st_size, None, skipped="symbolic link (not followed)")
                continue
            if not stat.S_ISREG(lst.st_mode):
                yield Entry(rel, 0, None, skipped="not a plain file")
                continue
            if not utf8 or len(rel.encode()) > MAX_REL_BYTES or not want(rel):
                why = "" if utf8 and len(rel.encode()) <= MAX_REL_BYTES else \
                    ("name is not UTF-8" if not utf8 else f"path longer than {MAX_REL_BYTES} bytes")
                yield Entry(rel, lst.st_size, None, skipped=why)
                continue
            try:
                data, st = read_plain(dfd, name, cap)
            except NotPlain as e:
                yield Entry(rel, lst.st_size, None, skipped=str(e))
                continue
            yield Entry(rel, st.st_size if data is None else len(data), data,
                        mode=st.st_mode & 0o777)
    finally:
        os.close(dfd)


def _open_dirs(root: Path, parts: list[str], create: bool) -> int:
    """A descriptor of ``root/parts...``, each step without following a link (made 0o755 when
    ``create``).  NotPlain when a step is a link or not a directory."""
    fd = os.open(root, _ROOT)
    try:
        for part in parts:
            if part in ("", ".", "..") or "/" in part:
                raise NotPlain(f"{part!r}: not a plain path component")
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                nxt = os.open(part, _DIR, dir_fd=fd)
            except OSError as e:
                raise NotPlain(f"{part!r}: not a directory of its own "
                                        f"({os.strerror(e.errno)})") from None
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def compare_or_write(root: Path, rel: str, data: bytes, mode: int = 0o644) -> str:
    """Put ``data`` at ``root/rel`` if nothing is there: 'restored'; 'same' or 'differs' if a
    plain file is; NotPlain when a link, special file or a directory link is in the way."""
    parts = rel.split("/")
    dfd = _open_dirs(root, parts[:-1], create=True)
    try:
        try:
            fd = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, mode & 0o777, dir_fd=dfd)
        except FileExistsError:
            have, _ = read_plain(dfd, parts[-1], len(data))
            return "same" if have == data else "differs"
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return "restored"
    finally:
        os.close(dfd)


def write_new(dest: Path, data: bytes, mode: int) -> None:
    """A file of the backup being written (a directory root owns; still no link followed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode & 0o777 & ~0o022)
    finally:
        os.close(fd)
