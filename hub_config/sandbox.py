"""The session launcher: ``python -m hub_config.sandbox SPEC.json -- CMD...`` (run as root).

The sandbox itself is bubblewrap (``bwrap``, Debian ``bubblewrap``), not code of ours: new
mount, PID, network, IPC, UTS and cgroup namespaces, a new root on a tmpfs with read-only
bind mounts (system, Python, the approved packages), a minimal ``/dev``, loopback only, a new
terminal session, ``--die-with-parent``, and the seccomp filter of
:mod:`hub_config.seccomp_filter` loaded just before the command runs.

No user namespace: the hub is root and each session must run as a real, unprivileged uid of
its own on the host (its files in the shared workspace belong to it, and a user namespace
would be one more thing the session could use).  So bwrap runs as root with every capability
dropped but the three ``setpriv`` needs to switch to that uid (and ``CAP_SYS_ADMIN``, which the
shim uses to set the namespace's ``vm.memfd_noexec`` and drops at once:
:mod:`hub_config.sandbox_memfd`); ``setpriv`` (util-linux) then
sets the uid/gid, clears supplementary groups, empties the capability bounding set and
``no_new_privs`` and executes the command - all under the seccomp filter already.

Around bwrap this launcher does what bwrap does not: the cgroup limits (required unless the
spec says the policy allows running without them), core-dump and process rlimits, the
session's log file (outside the sandbox, write-only for it: the session never inherits the
hub's stdout/stderr), a clean environment (an allow-list) and no inherited file descriptors
but 0-2 and those bwrap reads at start-up; it caps the session's log and answers the
session's ``sysinfo`` calls with the session's own figures (:mod:`hub_config.sysinfo_notify`)
and its ``statfs`` calls without the host's free space (:mod:`hub_config.statfs_notify`).  It stays outside the sandbox: the spawner signals
it, it forwards SIGTERM to the session's command, and it ends the sandbox when the hub dies.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath

from hub_config import (proc_mask, sandbox_devices, sandbox_memfd, sandbox_rc, sandbox_uids,
                        seccomp_filter, statfs_notify)
from hub_config.cgroups import CGROUP_ROOT, Limits, LimitsUnavailable
from hub_config.lifetime import end_with_parent

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
EXIT_REFUSED = 75  # EX_TEMPFAIL: the sandbox could not be built as the policy demands
STOP_GRACE_S = 8
LOG_MAX_MB_DEFAULT = 64  # a spec without the policy's value still gets a cap
# Open files a whole sandbox may hold, shared out over its processes (RLIMIT_NOFILE is per
# process): the host's fs.file-max counts every session's, and one session of 256 processes
# at the host's 20 000 each could take it all (measured: 30 processes held 600 000).
OPEN_FILES_PER_SANDBOX = 65536
OPEN_FILES_MIN = 1024  # what a process gets anyway (glibc's and Python's usual soft limit)

# What a sandboxed process may find in its environment: names or prefixes.  Everything else
# of the hub's environment (proxy token, cookie secret, database URL, hub config...) is dropped
# even if a spawner passed it by mistake.
ENV_ALLOWED_NAMES = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ",
                     "MPLCONFIGDIR", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "PYTHONPATH",
                     "PYTHONDONTWRITEBYTECODE", "JPY_API_TOKEN", "EGRESS_URL",
                     "EGRESS_REVIEW_URL")
ENV_ALLOWED_PREFIXES = ("JUPYTERHUB_", "JUPYTER_", "ENCLAVE_", "LC_")
ENV_DENIED = ("ENCLAVE_DB_URL", "ENCLAVE_HUB_CONFIG", "ENCLAVE_HOME", "ENCLAVE_POLICY",
              "CONFIGPROXY_AUTH_TOKEN", "JPY_COOKIE_SECRET", "JUPYTERHUB_CRYPT_KEY",
              "JUPYTERHUB_COOKIE_SECRET",
              # the steward's: the keyring's place and the release store (sessions and brokers
              # read extracts on a file system, never the store)
              "ENCLAVE_KEYS", "ENCLAVE_RELEASES_URL")
ENV_DENIED_PREFIXES = ("ENCLAVE_S3_",)   # the release store's endpoint and credentials


class SandboxError(RuntimeError):
    pass


def clean_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items()
            if k not in ENV_DENIED and not k.startswith(ENV_DENIED_PREFIXES)
            and (k in ENV_ALLOWED_NAMES or k.startswith(ENV_ALLOWED_PREFIXES))}


def _parents(path: str) -> list[str]:
    p = PurePosixPath(path)
    return [str(a) for a in reversed(p.parents) if str(a) != "/"]


def _under(path: str, dirs) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


def _data_fd(content: bytes) -> int:
    fd = os.memfd_create("enclave-file", 0)
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def exec_dirs(spec: dict) -> list[str]:
    """Where a sandboxed process may execute programs from (S1): the spec's ``exec_dirs``
    (the spawner's read-only system directories), else ``/usr`` alone - never a writable
    place, which is refused here whatever the spec says."""
    dirs = list(spec.get("exec_dirs") or ["/usr"])
    writable = [*spec.get("tmpfs", []), *(d for _, d in spec.get("rw_binds", [])),
                "/dev", "/tmp", "/var/tmp", "/home"]
    for d in dirs:
        if not d.startswith("/") or _under(d, writable) or any(_under(w, [d]) for w in writable):
            raise SandboxError(f"{d} cannot hold the programs of a sandbox: it is, or holds, "
                               f"a writable place")
    return dirs


def statfs_scope(spec: dict) -> dict:
    """Which file systems a session's statfs may see the free space of, and on which mounts
    its locks are real (S7, :mod:`hub_config.statfs_notify`): its own - never one bound from
    the host, whose free space moves with other sessions' writes and whose files every
    session can lock.  A read-write bind whose source is a mount of
    its own (the case's workspace image) is the case's, not the host's."""
    shared = [src for src, _ in spec.get("ro_binds", [])]
    own = ["/", "/dev", "/dev/shm", "/dev/pts", "/proc", *spec.get("tmpfs", [])]
    # locks are real only on its own writable mounts (the workspace is the case's)
    locks = ["/dev/shm", *spec.get("tmpfs", []), *(d for _, d in spec.get("rw_binds", []))]
    for src, dst in spec.get("rw_binds", []):
        try:
            image = os.stat(src).st_dev != os.stat(os.path.dirname(src.rstrip("/"))).st_dev
        except OSError:
            image = False
        if image:
            own.append(dst)
        else:
            shared.append(src)
    return {"shared_sources": shared, "own_points": own, "lock_points": locks}


def bwrap_argv(spec: dict, cmd: list[str], *, seccomp_fds: list[int], info_fd: int,
               data_fds: dict[str, int], proc_fds: dict[str, int] | None = None,
               proc_dirs: list[str] = (), notify_fd: int | None = None,
               devices: dict[str, str] | None = None,
               scratch: dict[str, str] | None = None,
               memfd_seal: tuple[int, int] | None = None,
               rw_sources: dict[str, str] | None = None) -> list[str]:
    """The bwrap command line for ``spec`` (see ``hub_config.spawner.build_spec``).
    ``scratch``: ``{point: host mount}`` of the launcher's noexec tmpfs for the spec's
    ``tmpfs`` points and ``/dev/shm`` (:func:`hub_config.sandbox_devices.make_scratch`);
    without it, bwrap's own (exec) tmpfs.  ``memfd_seal``: ``(descriptor, value)`` of
    :func:`hub_config.sandbox_memfd.open_for_sandbox`, written by the shim (which then alone
    holds CAP_SYS_ADMIN, and drops it)."""
    uid, gid = int(spec["uid"]), int(spec["gid"])
    if uid == 0 or gid == 0:
        raise SandboxError("refusing to run a session as root")
    if memfd_seal is not None and notify_fd is None:
        raise SandboxError("vm.memfd_noexec can only be set by the shim (no notify descriptor)")
    a = [BWRAP, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
         "--unshare-cgroup-try", "--die-with-parent", "--new-session",
         "--hostname", spec.get("hostname", "enclave"),
         "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
         "--cap-add", "CAP_SETPCAP",
         *(["--cap-add", "CAP_SYS_ADMIN"] if memfd_seal is not None else []),
         "--info-fd", str(info_fd)]
    for fd in seccomp_fds:  # the deny-list and the allow-list, both applied (seccomp_filter)
        a += ["--add-seccomp-fd", str(fd)]
    for link, target in spec.get("symlinks", {}).items():
        a += ["--symlink", target, link]
    tmpfs = sorted(spec.get("tmpfs", []), key=lambda d: d.count("/"))
    scratch = scratch or {}
    for d in tmpfs:
        if d not in scratch:
            a += ["--perms", "1777", "--size", str(int(spec.get("tmpfs_mb", 512)) << 20),
                  "--tmpfs", d]
    # rw_sources: the launcher's noexec binds of the read-write sources (sandbox_devices)
    rw_sources = rw_sources or {}
    binds = [("--ro-bind", s, d) for s, d in spec.get("ro_binds", [])] + \
            [("--bind", rw_sources.get(d, s), d) for s, d in spec.get("rw_binds", [])]
    bound = [d for _, _, d in binds]
    files = dict(spec.get("files", {}))
    # Parent directories bwrap would otherwise make 0700 (root-only): 0755 on the tmpfs root.
    wanted = sorted({p for d in [*bound, *files, *tmpfs] for p in _parents(d)
                     if not _under(p, [*bound, *spec.get("symlinks", {})])
                     and p not in tmpfs and p not in ("/dev", "/proc")},
                    key=lambda p: p.count("/"))
    # the scratch binds among those directories by depth: after their parents (0755), before
    # what is made inside them
    steps = [(p.count("/"), ["--perms", "0755", "--dir", p]) for p in wanted]
    steps += [(d.count("/"), ["--bind", scratch[d], d]) for d in tmpfs if d in scratch]
    for _depth, step in sorted(steps, key=lambda s: s[0]):
        a += step
    for opt, src, dst in sorted(binds, key=lambda b: b[2].count("/")):
        if not os.path.exists(src):
            raise SandboxError(f"bind source {src} does not exist")
        a += [opt, src, dst]
    # /dev/shm: bwrap's is a root-owned directory of the private /dev (POSIX semaphores and
    # multiprocessing failed); a tmpfs of this sandbox's own, like /tmp - never another's
    a += ["--dev", "/dev"]
    a += ["--bind", scratch["/dev/shm"], "/dev/shm"] if "/dev/shm" in scratch else \
        ["--perms", "1777", "--size", str(int(spec.get("tmpfs_mb", 512)) << 20),
         "--tmpfs", "/dev/shm"]
    a += ["--proc", "/proc"]
    # over bwrap's host nodes, nodes of this sandbox's own (locks, times and watches belong to
    # the inode: hub_config.sandbox_devices)
    for dst, src in (devices or {}).items():
        a += ["--dev-bind", src, dst]
    # the machine's counters in /proc covered or frozen (hub_config.proc_mask)
    for d in proc_dirs:
        a += ["--perms", "0555", "--size", "4096", "--tmpfs", d]
    for dst, fd in (proc_fds or {}).items():
        a += ["--perms", "0444", "--ro-bind-data", str(fd), dst]
    for dst in files:
        a += ["--perms", "0644", "--ro-bind-data", str(data_fds[dst]), dst]
    a += ["--remount-ro", "/", "--chdir", spec.get("cwd", "/")]
    a += ["--"]
    if notify_fd is not None:  # sysinfo and statfs answered by this launcher
        a += [sys.executable, "-m", "hub_config.statfs_notify", str(notify_fd)]
        for d in exec_dirs(spec):  # and programs only from these (hub_config.exec_guard)
            a += ["--exec-dir", d]
        if memfd_seal is not None:  # nor from a memfd (hub_config.sandbox_memfd)
            a += ["--memfd-noexec", f"{int(memfd_seal[0])}:{int(memfd_seal[1])}"]
        a += ["--"]
    a += [SETPRIV, f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
          "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--", *cmd]
    return a


CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")


def core_rlimit(core_pattern: str | None) -> int:
    """RLIMIT_CORE (soft = hard) for a sandbox's processes: no core dump of case data anywhere.
    0 stops a core *file*; but a ``core_pattern`` that pipes the dump to a helper (``|``:
    systemd-coredump, apport - root, on the host, outside the enclave's review) is run whatever
    the limit, except 1: the kernel's own "no helper" value (fs/coredump.c aborts the dump, and 1
    byte is below any file dump too).  A pattern handing the dump to a socket server (``@``,
    Linux >= 6.16) honours neither: the sandbox is refused.  Unreadable: 1."""
    if core_pattern is None:
        return 1
    head = core_pattern.lstrip()[:1]
    if head == "@":
        raise SandboxError("kernel.core_pattern hands crashes to a socket server, which no core "
                           "limit stops: a session's memory would leave the sandbox; set a file "
                           "pattern or a '|' helper")
    return 1 if head == "|" else 0


DEVICES_FALLBACK = Path("/dev/.enclave-sandbox-devices")


def devices_dir(spec: dict) -> Path:
    """Where the launcher makes a sandbox's own device nodes: the spec's ``devices_dir``,
    else ``devices`` beside the root-only log directory (``<sandbox_root>/devices``) - unless
    that file system is nodev (a container's volume: podman mounts them nodev), where the
    nodes could not be opened: then a directory of root's under /dev, which allows them."""
    if spec.get("devices_dir"):
        return Path(spec["devices_dir"])
    default = Path(spec["log"]).parent.parent / "devices"
    probe = default
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if os.statvfs(probe).f_flag & os.ST_NODEV:
        return DEVICES_FALLBACK
    return default


def open_files_cap(spec: dict, max_processes: int, host_hard: int) -> int:
    """RLIMIT_NOFILE for every process of the sandbox: the spec's ``max_open_files``, else the
    sandbox's share of :data:`OPEN_FILES_PER_SANDBOX` - never above the launcher's own."""
    cap = int(spec.get("max_open_files") or max(
        OPEN_FILES_MIN, OPEN_FILES_PER_SANDBOX // max(1, max_processes)))
    if cap < 64:
        raise SandboxError(f"max_open_files {cap} is too small to run a session")
    return cap if host_hard < 0 else min(cap, host_hard)  # RLIM_INFINITY is -1


def pinned_rlimits() -> dict[str, tuple[int, int]]:
    """Limits every sandboxed process gets whatever the hub was started with (S1, default
    deny): no real-time scheduling (``SCHED_FIFO``/``SCHED_RR`` tasks are outside the CPU
    cgroup's share and quota: a few would hold the host's cores) and no nice below 0 (more
    CPU than other sessions where the policy lets a sandbox run without cgroups).  The hub's
    own hard limits (a unit's ``LimitRTPRIO=``, a container's ``--ulimit``) were inherited."""
    return {"RLIMIT_RTPRIO": (0, 0), "RLIMIT_RTTIME": (0, 0), "RLIMIT_NICE": (0, 0)}


def rotate_full_log(dfd: int, name: str, max_bytes: int) -> bool:
    """``name`` (a plain file in the directory ``dfd``) moved to ``name.1`` if it has reached
    ``max_bytes``; True if it was."""
    try:
        old = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    if old.st_size < max_bytes or (old.st_mode & 0o170000) != 0o100000:
        return False
    os.rename(name, name + ".1", src_dir_fd=dfd, dst_dir_fd=dfd)
    return True


def open_log(path: str, max_bytes: int | None = None) -> int:
    """The session's log file, opened by root without following links, outside the sandbox.
    The session gets it as a write-only descriptor; the file is root's, 0600, so it cannot be
    re-opened for reading through /proc/self/fd.  A log already at ``max_bytes`` (the cap of
    one run) is moved to ``<name>.1`` first, replacing the one before: the cap held per run
    only, so a session ended and started again and again grew its log on the host's disk
    without end; now each of the two files stays under two caps (one it had reached, one
    run more)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    dfd = os.open(p.parent, os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        st = os.fstat(dfd)
        if st.st_uid != 0 or st.st_mode & 0o022:
            raise SandboxError(f"log directory {p.parent} must be root's and not group/other "
                               f"writable")
        if max_bytes is not None:
            rotate_full_log(dfd, p.name, max_bytes)
        # O_NONBLOCK: a FIFO planted at the path must not block the launcher (ENXIO instead)
        fd = os.open(p.name, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW
                     | os.O_CLOEXEC | os.O_NONBLOCK, 0o600, dir_fd=dfd)
    finally:
        os.close(dfd)
    st = os.fstat(fd)
    if st.st_nlink != 1 or st.st_uid != 0 or not (st.st_mode & 0o170000) == 0o100000:
        os.close(fd)
        raise SandboxError(f"log file {path} is not a plain file of root's with one link")
    os.fchmod(fd, 0o600)
    return fd


def copy_log(src: int, log_fd: int, max_bytes: int, name: str) -> None:
    """The session's output into its log file, up to ``max_bytes`` for this run; the rest is
    read and dropped (a full pipe would block the session), with one line saying so."""
    written, cut = 0, False
    try:
        while True:
            try:
                chunk = os.read(src, 1 << 16)
            except InterruptedError:
                continue
            if not chunk:
                break
            part = chunk[: max(0, max_bytes - written)]
            view = memoryview(part)
            while view:
                view = view[os.write(log_fd, view):]
            written += len(part)
            if len(part) < len(chunk) and not cut:
                cut = True
                os.write(log_fd, f"\n--- enclave sandbox {name}: log cut at {max_bytes >> 20} "
                                 f"MB (policy sessions.sandbox_log_max_mb); the rest of the "
                                 f"output was dropped\n".encode())
    finally:
        os.close(src)
        os.close(log_fd)


def _command_pid(init_pid: int) -> int | None:
    """The session's command: the child of bwrap's PID-1 reaper (host PID)."""
    try:
        kids = Path(f"/proc/{init_pid}/task/{init_pid}/children").read_text().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def run(spec: dict, cmd: list[str], env: dict[str, str]) -> int:
    name = spec["name"]
    lim = spec["limits"]
    limits = Limits(name, lim["memory_mb"], lim["cpu_percent"], lim["max_processes"],
                    root=spec.get("cgroup_root", str(CGROUP_ROOT)))
    log_max = int(spec.get("log_max_mb", LOG_MAX_MB_DEFAULT)) << 20
    log_fd = open_log(spec["log"], log_max)
    # no start-up config from the shared workspace: HOME, config or data dirs there (S1)
    bad_env = sandbox_rc.workspace_env(clean_env(env), spec)
    if bad_env:
        msg = f"enclave sandbox {name}: refused: {', '.join(bad_env)} name the shared workspace\n"
        os.write(log_fd, msg.encode())
        os.close(log_fd)
        print(msg, end="", file=sys.stderr)
        return EXIT_REFUSED
    # one uid, one case at a time: per-uid kernel limits are shared (hub_config.sandbox_uids)
    try:
        uid_claim = sandbox_uids.claim(int(spec["uid"]), int(spec["gid"]))
    except (sandbox_uids.UidInUse, OSError) as e:
        msg = f"enclave sandbox {name}: refused: {e}\n"
        os.write(log_fd, msg.encode())
        os.close(log_fd)
        print(msg, end="", file=sys.stderr)
        return EXIT_REFUSED
    try:
        return _run_claimed(spec, cmd, env, name, lim, limits, log_max, log_fd)
    finally:
        sandbox_uids.release(uid_claim)


def _run_claimed(spec: dict, cmd: list[str], env: dict[str, str], name: str, lim: dict,
                 limits: Limits, log_max: int, log_fd: int) -> int:
    capped_by_cgroup = False
    try:
        limits.apply()
        note = limits.describe()
        capped_by_cgroup = True
    except LimitsUnavailable as e:
        if spec.get("require_limits", True):
            os.close(log_fd)
            print(f"enclave sandbox {name}: refused: {e} (policy sandbox_require_cgroups)",
                  file=sys.stderr)
            return EXIT_REFUSED
        note = f"NO cgroup limits ({e}); allowed by policy"
    os.write(log_fd, f"--- enclave sandbox {name}: limits {note}\n".encode())
    fds: list[int] = []
    answer_sock = None
    dev_dir = None
    try:
        import resource

        try:
            pattern = CORE_PATTERN.read_text()
        except OSError:
            pattern = None
        core_cap = core_rlimit(pattern)  # no core dumps of case data (files or helpers)
        pinned = pinned_rlimits()  # no real-time scheduling, no negative nice
        files_cap = open_files_cap(spec, int(lim["max_processes"]),
                                   resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        try:
            dev_dir, devices = sandbox_devices.make(
                devices_dir(spec), name, int(spec.get("max_ptys", sandbox_devices.PTYS_MAX)))
            # scratch noexec: a program or library written there never runs or loads (S1)
            scratch = sandbox_devices.make_scratch(
                dev_dir, [*spec.get("tmpfs", []), "/dev/shm"],
                int(spec.get("tmpfs_mb", 512)) << 20)
            # and the read-write binds noexec too (S1, round 11)
            rw_sources = sandbox_devices.make_binds(dev_dir, spec.get("rw_binds", []))
        except sandbox_devices.DeviceError as e:
            raise SandboxError(str(e)) from e
        seccomp_fds = seccomp_filter.bpf_fds()
        fds += seccomp_fds
        try:  # S1: the sysctl the shim sets in the sandbox's PID namespace
            memfd_seal = sandbox_memfd.open_for_sandbox()
        except sandbox_memfd.MemfdNoexecError as e:
            raise SandboxError(str(e)) from e
        if memfd_seal is not None:
            fds.append(memfd_seal[0])
        data_fds = {dst: _data_fd(content.encode()) for dst, content in spec.get("files", {}).items()}
        fds += data_fds.values()
        proc_files, proc_dirs = proc_mask.masks(memory_mb=int(lim["memory_mb"]))
        proc_fds = {dst: _data_fd(content) for dst, content in proc_files.items()}
        fds += proc_fds.values()
        info_r, info_w = os.pipe()
        fds.append(info_w)
        answer_sock, shim_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        shim_fd = shim_sock.detach()
        fds.append(shim_fd)
        answerer = statfs_notify.Answerer(answer_sock, int(lim["memory_mb"]),
                                          cpu_percent=int(lim["cpu_percent"]),
                                          **statfs_scope(spec))
        argv = bwrap_argv(spec, cmd, seccomp_fds=seccomp_fds, info_fd=info_w,
                          data_fds=data_fds, proc_fds=proc_fds, proc_dirs=proc_dirs,
                          notify_fd=shim_fd, devices=devices, scratch=scratch,
                          memfd_seal=memfd_seal, rw_sources=rw_sources)
        nproc = int(lim["max_processes"])

        def child() -> None:  # root, in the child, before exec of bwrap
            import resource

            try:
                limits.join()
                resource.setrlimit(resource.RLIMIT_CORE, (core_cap, core_cap))
                for rname, pair in pinned.items():  # lowering needs no privilege
                    resource.setrlimit(getattr(resource, rname), pair)
                # RLIMIT_NPROC counts every process and thread of the *uid* host-wide, and the
                # members' brokers of one case share a uid: a per-sandbox cap there would let
                # one member's broker starve the next.  The pids cgroup caps this sandbox alone;
                # the rlimit is only the fallback where the policy lets a sandbox run without it.
                # files held open count against the host's fs.file-max, every session's
                soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
                resource.setrlimit(resource.RLIMIT_NOFILE, (
                    soft if 0 <= soft <= files_cap else files_cap, files_cap))
                if not capped_by_cgroup:
                    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
                    cap = nproc if hard == resource.RLIM_INFINITY else min(nproc, hard)
                    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))
            except BaseException as e:  # said in the session's log (stderr is it by now)
                os.write(2, f"enclave sandbox {name}: setting limits failed: {e!r}\n".encode())
                raise

        # the session writes into a pipe (root's, 0600: not re-openable through /proc/self/fd)
        # and this launcher copies at most log_max_mb of it into the log file (S1: a session
        # printing without end must not fill the host's disk)
        out_r, out_w = os.pipe()
        fds += [out_r, out_w]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                                env=clean_env(env), pass_fds=tuple(
                                    fd for fd in fds if fd not in (out_r, out_w)),
                                close_fds=True, preexec_fn=child, cwd="/")
    except BaseException:
        for fd in fds:
            os.close(fd)
        os.close(log_fd)
        if answer_sock is not None:
            answer_sock.close()
        sandbox_devices.remove(dev_dir)
        limits.release()
        raise
    fds.remove(out_r)
    for fd in fds:
        os.close(fd)
    answerer.start()
    copier = threading.Thread(target=copy_log, args=(out_r, log_fd, log_max, name),
                              daemon=True)
    copier.start()
    init_pid: list[int] = []

    def read_info() -> None:
        with os.fdopen(info_r, "rb") as f:
            raw = f.read()
        try:
            init_pid.append(int(json.loads(raw or b"{}").get("child-pid", 0)))
        except ValueError:
            return
        # bwrap's init forks the command only once every mount is made: from then on the
        # sandbox's binds hold its nodes and terminals, and the host side goes at once - a
        # launcher killed later (SIGKILL) leaves no devpts mount on the host
        for _ in range(3000):
            if proc.poll() is not None or _command_pid(init_pid[0]):
                break
            time.sleep(0.01)
        if proc.poll() is None:
            sandbox_devices.remove(dev_dir)
    reader = threading.Thread(target=read_info, daemon=True)
    reader.start()
    stopping = threading.Event()
    timers: list[threading.Timer] = []

    def stop(_signum=None, _frame=None) -> None:
        target = _command_pid(init_pid[0]) if init_pid and init_pid[0] else None
        if target:
            try:
                os.kill(target, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if not stopping.is_set():
            stopping.set()

            def hard_stop() -> None:
                if proc.poll() is None:  # bwrap dies; --die-with-parent kills the sandbox
                    proc.kill()
            # a daemon timer, cancelled once bwrap is gone: a pending timer would otherwise keep
            # this launcher alive for the whole grace period after the session has ended
            t = threading.Timer(STOP_GRACE_S, hard_stop)
            t.daemon = True
            timers.append(t)
            t.start()
        else:
            proc.kill()
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    while True:
        try:
            code = proc.wait()
            break
        except InterruptedError:
            continue
    for t in timers:
        t.cancel()
    limits.release()  # also kills anything left in the session's cgroups
    sandbox_devices.remove(dev_dir)  # its mounts are gone with its processes
    answerer.stop()
    copier.join(5)  # the rest of the session's output (its processes are gone: end of pipe)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m hub_config.sandbox SPEC.json -- CMD...", file=sys.stderr)
        return 2
    # Fail closed: if whoever started the launcher dies (the hub, SIGKILLed or crashed), the
    # session ends as if stopped - otherwise it would outlive its slot with no warden.
    if not end_with_parent(signal.SIGTERM):
        return 1
    if os.geteuid() != 0:
        print("enclave sandbox: the launcher must run as root", file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text())
    try:
        if int(spec["uid"]) == 0 or int(spec["gid"]) == 0:
            raise SandboxError("refusing to run a session as root")
        if not spec.get("log"):
            raise SandboxError("the spec names no log file (sessions never write to the hub's)")
        return run(spec, argv[2:], dict(os.environ))
    except (SandboxError, OSError) as e:  # never fall back to running unsandboxed
        print(f"enclave sandbox {spec.get('name')}: {e}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
