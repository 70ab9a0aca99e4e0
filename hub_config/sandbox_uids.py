"""One uid, one case at a time (S7): the launcher refuses a sandbox whose uid is already running
a sandbox of another case.

A session's uid is ``sandbox_uid_base + account id`` - the researcher's, whatever the case; the
case is the gid (``sandbox_gid_base + case id``; a broker's uid and gid are both its case's).
So a researcher's overnight run of one case and her interactive session of another, or two
overnight runs, are two sandboxes of ONE uid.  The kernel keeps several limits per uid,
machine-wide, whatever the namespaces: inotify instances (``fs.inotify.max_user_instances``),
pipe buffer pages (``fs.pipe-user-pages-soft``), queued signals (``RLIMIT_SIGPENDING`` counts
the uid's), epoll watches, locked shared memory.  What one sandbox holds, the other finds
missing: round 8 read the exact counts another case's sandbox held (40 inotify instances, 20
pipes of 1 MB, 300 queued signals) - a channel between cases with no timing in it, of about
seven bits a sample.  Two sandboxes of the same case (its members' brokers, a run beside a
session of the same case) share what they may share anyway, and stay allowed.

Each launcher registers ``(launcher pid, its start time, gid)`` in ``<REGISTRY>/<uid>`` under
an exclusive lock and refuses - nothing started - if a live launcher of that uid registered
another gid.  A launcher gone (SIGKILL included) takes its sandbox with it
(``--die-with-parent``, the cgroup killed at the next start), so its line is dropped when found
dead; the start time keeps a reused pid from passing for it.  Fail closed: a registry that
cannot be opened or is not root's refuses the sandbox.
"""
from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

REGISTRY = Path("/run/enclave-sandbox-uids")


class UidInUse(RuntimeError):
    pass


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of its stat), None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rsplit(")", 1)[1].split()[19]


def _open_registry(directory: Path, uid: int) -> int:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(directory)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o077:
        raise UidInUse(f"{directory} must be a directory of root's, 0700")
    fd = os.open(directory / str(int(uid)), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                 | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_nlink != 1:
        os.close(fd)
        raise UidInUse(f"the uid registry {directory}/{uid} is not a plain file of root's")
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _read(fd: int) -> list[tuple[int, str, int]]:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 1 << 16):
        data += chunk
    out = []
    for line in data.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[2].lstrip("-").isdigit():
            out.append((int(parts[0]), parts[1], int(parts[2])))
    return out


def _write(fd: int, entries: list[tuple[int, str, int]]) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, "".join(f"{p} {t} {g}\n" for p, t, g in entries).encode())


def other_case_running(entries: list[tuple[int, str, int]], gid: int) -> int | None:
    """The gid of a live sandbox of this uid that is not ``gid``'s, else None."""
    for _pid, _started, other in entries:
        if other != gid:
            return other
    return None


def host_account(uid: int) -> str | None:
    """The host's account of ``uid`` (local, LDAP, sssd - whatever the host's name service
    knows), or None.  A session of that uid would be that account's: its processes on the host
    may trace, signal and read the memory of the session's (same uid, dumpable) - case data -
    and share its per-uid limits.  ``sandbox_uid_base`` + account id can meet one: a host
    joined to a directory maps its users to uids from 200 000 up, the base's own range."""
    import pwd

    try:
        return pwd.getpwuid(int(uid)).pw_name
    except KeyError:
        return None


def claim(uid: int, gid: int, directory: Path = REGISTRY) -> tuple[int, str]:
    """Register this launcher's sandbox of ``uid`` for case ``gid``; raises :class:`UidInUse`
    (nothing registered) while the uid runs a sandbox of another case, or if the uid is a
    host account's.  Returns what :func:`release` takes."""
    who = host_account(uid)
    if who is not None:
        raise UidInUse(f"uid {uid} is the host's account {who!r}: a session may never share a "
                       f"uid with anything outside the enclave (change sandbox_uid_base)")
    me, started = os.getpid(), _start_time(os.getpid())
    if started is None:
        raise UidInUse("this launcher's own start time cannot be read")
    fd = _open_registry(directory, uid)
    try:
        live = [e for e in _read(fd) if _start_time(e[0]) == e[1] and e[0] != me]
        other = other_case_running(live, int(gid))
        if other is not None:
            _write(fd, live)
            raise UidInUse(f"uid {uid} is running a sandbox of another case (gid {other}); "
                           f"one uid serves one case at a time: its per-uid kernel limits "
                           f"would carry data between the two")
        _write(fd, [*live, (me, started, int(gid))])
    finally:
        os.close(fd)
    return uid, started


def release(token: tuple[int, str] | None, directory: Path = REGISTRY) -> None:
    """This launcher's line removed (its sandbox has ended)."""
    if token is None:
        return
    uid, started = token
    try:
        fd = _open_registry(directory, uid)
    except (OSError, UidInUse):
        return  # a dead launcher's line is dropped by the next claim anyway
    try:
        me = os.getpid()
        _write(fd, [e for e in _read(fd) if not (e[0] == me and e[1] == started)
                    and _start_time(e[0]) == e[1]])
    finally:
        os.close(fd)
