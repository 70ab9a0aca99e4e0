"""The second seccomp layer: a default-deny ALLOW-list (S1, S7).

``seccomp_filter.build()`` refuses named syscalls and argument patterns; everything it does
not name passes.  That is a deny-list: a syscall the kernel gains later (``listmount``,
``statmount``, ``lsm_*``, ``mseal``, the ``*xattrat`` family, ``open_tree_attr``...), or an old
one nobody thought of, reaches the kernel.  This filter is stacked on top (the kernel applies
both and the stricter answer wins): only the syscalls below run; anything else answers
``ENOSYS`` - the answer a program gets on an older kernel, so the C library and runtimes fall
back (``clone3`` to ``clone``, ``statx`` to ``newfstatat``...).

The list is what a Python session, its kernels and subprocesses (pandas, pyarrow, DuckDB,
matplotlib, ZMQ, tornado, git, a shell), the query broker and the remote desktop (Xtigervnc,
Chromium) were seen to call - measured by running them under this filter in ``LOG`` mode
(``docs/sessions.md``) - grouped by what they do.  ``ioctl`` and ``prctl`` are allowed only for
the request values listed (``IOCTL_ALLOWED``, ``PRCTL_ALLOWED``).  The other argument checks
(namespace flags of ``clone``, socket families, ``personality``) stay in the first layer.

Left out on purpose, though harmless-looking: old AIO (``io_setup``...), POSIX message queues,
``vmsplice``, ``remap_file_pages``, ``mincore`` (page-cache state of shared files: a timing
channel between sessions), ``memfd_secret``, ``fanotify_mark``, ``quotactl``, ``ustat``,
``sysfs``, ``_sysctl``, ``lookup_dcookie``, ``*_old`` epoll calls, ``process_mrelease``,
``listmount``/``statmount``, ``lsm_*``, ``cachestat``, ``map_shadow_stack``, ``mseal``,
``*xattrat``, ``file_getattr``/``file_setattr``, ``open_tree_attr``, the ``futex_wake``
family.  ``pidfd_open`` stays listed but the first layer refuses it (EPERM: pidfs inode numbers count
every process on the machine; ``seccomp_filter.refuse_serial_numbers``).

Kept though the kernel would tell the whole machine's load, free memory and process count:
``sysinfo`` (glibc's ``sysconf(_SC_PHYS_PAGES)`` has no other source; Chromium dies when it
reads 0).  A third filter hands every sysinfo call to the launcher, which answers with the
session's own figures (:mod:`hub_config.sysinfo_notify`).
"""
from __future__ import annotations

import errno

import pyseccomp as sc

ALLOWED = (
    # files and directories
    "read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "lseek",
    "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
    "stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access",
    "faccessat", "faccessat2", "getdents", "getdents64", "getcwd", "chdir", "fchdir",
    "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat",
    "unlink", "unlinkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod", "fchmod",
    "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "umask", "truncate",
    "ftruncate", "fallocate", "fadvise64", "readahead", "fsync", "fdatasync", "sync",
    "syncfs", "sync_file_range", "flock", "fcntl", "dup", "dup2", "dup3", "utime", "utimes",
    "utimensat", "futimesat", "mknod", "mknodat", "sendfile", "copy_file_range", "splice",
    "tee", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    "memfd_create",
    # memory
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mlock", "mlock2",
    "munlock", "mlockall", "munlockall", "membarrier", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "get_mempolicy", "set_mempolicy", "mbind",
    # processes, threads, identity (no capability is left to make the set* calls matter)
    "clone", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
    "waitid", "kill", "tkill", "tgkill", "getpid", "getppid", "gettid", "getpgid", "setpgid",
    "getpgrp", "getsid", "setsid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "getgroups", "setuid", "setgid", "setreuid", "setregid", "setresuid",
    "setresgid", "setgroups", "setfsuid", "setfsgid", "capget", "capset",
    "arch_prctl", "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex",
    "futex_waitv", "getrlimit", "setrlimit", "prlimit64", "getrusage", "getpriority",
    "setpriority", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
    "sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_getattr",
    "sched_setattr", "sched_get_priority_max", "sched_get_priority_min",
    "sched_rr_get_interval", "ioprio_get", "ioprio_set", "personality", "seccomp",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "pidfd_open",
    "pidfd_send_signal", "uname", "sysinfo", "getcpu", "times", "getrandom", "umask",
    # signals and time
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "pause",
    "alarm", "getitimer", "setitimer", "nanosleep", "clock_nanosleep", "clock_gettime",
    "clock_getres", "gettimeofday", "time", "timer_create", "timer_settime", "timer_gettime",
    "timer_getoverrun", "timer_delete", "timerfd_create", "timerfd_settime", "timerfd_gettime",
    "restart_syscall",
    # waiting on descriptors
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
    "signalfd4", "pipe", "pipe2",
    # sockets (families, types and protocols are checked by the first layer)
    "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "shutdown",
    "getsockname", "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom",
    "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
    # System V IPC of the sandbox's own IPC namespace (X11 MIT-SHM between Xtigervnc and
    # Chromium)
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
    "msgget", "msgsnd", "msgrcv", "msgctl",
)

# ioctl and prctl are two syscalls with hundreds of operations each; only the requests below
# run (compared on the low 32 bits: the kernel reads both as ``unsigned int``/``int``), any
# other request answers ENOSYS like an unlisted syscall.  Measured with strace on Python,
# numpy, pandas, pyarrow, DuckDB, matplotlib, an IPython kernel over ZMQ, ps/top/free/git/cp,
# setpriv, Xtigervnc and Chromium (what failed there with ENOTTY anyway - ethtool, wireless
# and f2fs probes - is left out).  Refused this way, among others: TIOCSTI/TIOCLINUX/TIOCCONS
# (typing into or redirecting a terminal), TIOCSETD, SIOCETHTOOL and every SIOCS* interface
# change, the loop/block/DRM/KVM/USB/filesystem ioctls, PR_SET_MM (rewriting the process's
# own memory map description), PR_SET_SECUREBITS, PR_SET_IO_FLUSHER, PR_SCHED_CORE (core
# scheduling cookies of other tasks), PR_SET_MEMORY_MERGE (KSM page merging: a timing
# channel between sessions), PR_SET_SYSCALL_USER_DISPATCH, PR_TASK_PERF_EVENTS_*.
IOCTL_ALLOWED = {
    # terminals (a pty in the sandbox: isatty, window size, job control, raw mode)
    "TCGETS": 0x5401, "TCSETS": 0x5402, "TCSETSW": 0x5403, "TCSETSF": 0x5404,
    "TCSBRK": 0x5409, "TCXONC": 0x540A, "TCFLSH": 0x540B, "TIOCSCTTY": 0x540E,
    "TIOCGPGRP": 0x540F, "TIOCSPGRP": 0x5410, "TIOCOUTQ": 0x5411, "TIOCGWINSZ": 0x5413,
    "TIOCSWINSZ": 0x5414, "FIONREAD": 0x541B, "TIOCPKT": 0x5420, "FIONBIO": 0x5421,
    "TIOCNOTTY": 0x5422, "TIOCGSID": 0x5429, "TCGETS2": 0x802C542A, "TCSETS2": 0x402C542B,
    "TCSETSW2": 0x402C542C, "TCSETSF2": 0x402C542D, "TIOCGPTN": 0x80045430,
    "TIOCSPTLCK": 0x40045431, "TIOCGDEV": 0x80045432, "TIOCGPTLCK": 0x80045439,
    "TIOCGPTPEER": 0x5441, "FIONCLEX": 0x5450, "FIOCLEX": 0x5451, "FIOASYNC": 0x5452,
    # sockets: reading the namespace's own interfaces (only lo), queue sizes
    "SIOCATMARK": 0x8905, "SIOCGSTAMP": 0x8906, "SIOCGIFNAME": 0x8910,
    "SIOCGIFCONF": 0x8912, "SIOCGIFFLAGS": 0x8913, "SIOCGIFADDR": 0x8915,
    "SIOCGIFBRDADDR": 0x8919, "SIOCGIFNETMASK": 0x891B, "SIOCGIFMTU": 0x8921,
    "SIOCGIFHWADDR": 0x8927, "SIOCGIFINDEX": 0x8933,
    # files: block size, flags (lsattr), extent maps and reflink copies (cp tries FICLONE)
    "FIGETBSZ": 0x2, "FS_IOC_GETFLAGS": 0x80086601, "FS_IOC_FIEMAP": 0xC020660B,
    "FICLONE": 0x40049409, "FICLONERANGE": 0x4020940D,
}
PRCTL_ALLOWED = {
    "PR_SET_PDEATHSIG": 1, "PR_GET_PDEATHSIG": 2, "PR_GET_DUMPABLE": 3, "PR_SET_DUMPABLE": 4,
    "PR_GET_KEEPCAPS": 7, "PR_SET_KEEPCAPS": 8, "PR_SET_NAME": 15, "PR_GET_NAME": 16,
    "PR_GET_SECCOMP": 21, "PR_SET_SECCOMP": 22, "PR_CAPBSET_READ": 23, "PR_CAPBSET_DROP": 24,
    "PR_GET_SECUREBITS": 27, "PR_SET_TIMERSLACK": 29, "PR_GET_TIMERSLACK": 30,
    "PR_SET_CHILD_SUBREAPER": 36, "PR_GET_CHILD_SUBREAPER": 37, "PR_SET_NO_NEW_PRIVS": 38,
    "PR_GET_NO_NEW_PRIVS": 39, "PR_SET_THP_DISABLE": 41, "PR_GET_THP_DISABLE": 42,
    "PR_CAP_AMBIENT": 47, "PR_GET_SPECULATION_CTRL": 52, "PR_SET_SPECULATION_CTRL": 53,
    "PR_SET_VMA": 0x53564D41, "PR_SET_PTRACER": 0x59616D61,
}

# Answered for anything not listed: "this kernel has no such call" - the caller's fallback.
DEFAULT_ERRNO = errno.ENOSYS


def build(default_action=None) -> sc.SyscallFilter:
    """The allow-list filter, compiled from the one rule model (:mod:`hub_config.seccomp_rules`);
    ``default_action`` only for measuring (``sc.LOG``).  A request of ioctl/prctl not listed
    falls through to the default answer, ENOSYS."""
    from hub_config import seccomp_rules

    return seccomp_rules.compile_rules(
        seccomp_rules.allow_layer(),
        default_action if default_action is not None else sc.ERRNO(DEFAULT_ERRNO))
