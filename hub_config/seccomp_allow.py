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
(``docs/sessions.md``) - grouped by what they do.  Argument checks (namespace flags of ``clone``,
socket families, ``ioctl`` requests, ``personality``) stay in the first layer.

Left out on purpose, though harmless-looking: old AIO (``io_setup``...), POSIX message queues,
``vmsplice``, ``remap_file_pages``, ``mincore`` (page-cache state of shared files: a timing
channel between sessions), ``memfd_secret``, ``fanotify_mark``, ``quotactl``, ``ustat``,
``sysfs``, ``_sysctl``, ``lookup_dcookie``, ``*_old`` epoll calls, ``process_mrelease``,
``listmount``/``statmount``, ``lsm_*``, ``cachestat``, ``map_shadow_stack``.
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
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "ioctl",
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
    "setresgid", "setgroups", "setfsuid", "setfsgid", "capget", "capset", "prctl",
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

# Answered for anything not listed: "this kernel has no such call" - the caller's fallback.
DEFAULT_ERRNO = errno.ENOSYS


def build(default_action=None) -> sc.SyscallFilter:
    """The allow-list filter; ``default_action`` only for measuring (``sc.LOG``)."""
    f = sc.SyscallFilter(default_action if default_action is not None
                         else sc.ERRNO(DEFAULT_ERRNO))
    for name in dict.fromkeys(ALLOWED):
        try:
            f.add_rule(sc.ALLOW, name)
        except (OSError, ValueError, RuntimeError) as e:
            # a name this libseccomp has no number for on this architecture: nothing to allow
            if isinstance(e, OSError) and e.errno not in (errno.EDOM, errno.EFAULT,
                                                          errno.EINVAL):
                raise
    return f
