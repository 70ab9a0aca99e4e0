"""Round 3 of the sandbox probe: run INSIDE a sandbox by ``test_boundary_round3.py``, as
one script with ``boundary_probe3_shared.py`` appended (which holds ``run``, ``meet`` and the
entry point; the sandbox sees no test package to import from).

Each member is one attempt; the result is ``"ok"`` when it went through, else the errno name
(or what killed it).  ``run(cfg)`` tries the members that need nobody outside; ``meet(cfg)``
then sets up what another session on the host could see (locks and watches on the shared
read-only files, an abstract socket), writes ``<flag>.ready`` in the workspace, waits for
``<flag>.go`` while the host plays the other session, and reads what reached it.
x86_64 syscall numbers.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import mmap
import os
import select
import signal
import socket
import struct
import sys
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

NR = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
      "userfaultfd": 323, "perf_event_open": 298, "bpf": 321, "keyctl": 250, "add_key": 248,
      "request_key": 249, "name_to_handle_at": 303, "open_by_handle_at": 304,
      "process_vm_readv": 310, "process_vm_writev": 311, "ptrace": 101, "pidfd_open": 434,
      "pidfd_getfd": 438, "pidfd_send_signal": 424, "personality": 135, "mount": 165,
      "umount2": 166, "pivot_root": 155, "unshare": 272, "setns": 308, "clone": 56,
      "clone3": 435, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
      "fspick": 433, "open_tree": 428, "mount_setattr": 442, "kexec_load": 246,
      "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
      "iopl": 172, "ioperm": 173, "quotactl": 179, "quotactl_fd": 443, "acct": 163,
      "swapon": 167, "swapoff": 168, "reboot": 169, "syslog": 103, "vhangup": 153,
      "modify_ldt": 154, "seccomp": 317, "settimeofday": 164, "clock_settime": 227,
      "clock_adjtime": 305, "adjtimex": 159, "sethostname": 170, "setdomainname": 171,
      "lookup_dcookie": 212, "process_madvise": 440, "move_pages": 279, "migrate_pages": 256,
      "kcmp": 312, "fanotify_init": 300, "fanotify_mark": 301, "mq_open": 240,
      "io_setup": 206, "mbind": 237, "set_mempolicy_home_node": 450, "uselib": 134,
      "nfsservctl": 180, "vmsplice": 278, "remap_file_pages": 216, "mincore": 27,
      "sysfs": 139, "ustat": 136, "futex_wake": 454, "map_shadow_stack": 453,
      "memfd_secret": 447, "landlock_restrict_self": 446, "sched_setattr": 314,
      "ioprio_set": 251, "setpriority": 141, "mlockall": 151, "inotify_init1": 294,
      "inotify_add_watch": 254, "getpid": 39}


def errname(e: int) -> str:
    return errno.errorcode.get(e, str(e))


def in_child(fn, timeout: float = 20) -> str:
    """fn() in a fork: 'ok' (None or >= 0), else the errno name, or what killed it."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn()
            out = "ok" if res is None or (isinstance(res, int) and res >= 0) else \
                errname(ctypes.get_errno())
        except OSError as e:
            out = errname(e.errno) if e.errno else str(e)
        except BaseException as e:  # noqa: BLE001 - reported, never raised in the child
            out = type(e).__name__ + ": " + str(e)[:120]
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    deadline = time.monotonic() + timeout
    chunks = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([r], [], [], 0.2)
        if ready:
            part = os.read(r, 4096)
            if not part:
                break
            chunks += part
    os.close(r)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    if not chunks and os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return chunks.decode() or "killed"


def sys_(name_or_nr, *args) -> int:
    nr = NR[name_or_nr] if isinstance(name_or_nr, str) else name_or_nr
    res = _libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a
                                             for a in args])
    if res < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return res


def call(name, *args) -> str:
    def attempt():
        res = sys_(name, *args)
        if name in ("clone",) and res == 0:
            os._exit(0)
        return None
    return in_child(attempt)


def attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except OSError as e:
        return errname(e.errno) if e.errno else str(e)[:120]
    except Exception as e:  # noqa: BLE001
        return type(e).__name__ + ": " + str(e)[:120]


def buf(n=256):
    return ctypes.create_string_buffer(n)


# ---------------------------------------------------------------- kernel interfaces
def _kernel(out: dict) -> None:
    b = buf(4096)
    io = {"io_uring_setup_sqpoll": ("io_uring_setup", 4, _uring_params(0x2)),
          "io_uring_setup_plain": ("io_uring_setup", 1, _uring_params(0)),
          "io_uring_enter": ("io_uring_enter", 0, 0, 0, 0, 0, 0),
          "io_uring_register": ("io_uring_register", 0, 0, 0, 0),
          "userfaultfd_kernel": ("userfaultfd", 0), "userfaultfd_cloexec": ("userfaultfd", 0o2000001),
          "perf_sw_clock": ("perf_event_open", _perf_attr(1, 0), 0, -1, -1, 0),
          "perf_hw_cycles_any_cpu": ("perf_event_open", _perf_attr(0, 0), -1, 0, -1, 0),
          "perf_tracepoint": ("perf_event_open", _perf_attr(2, 1), -1, 0, -1, 0),
          "bpf_map_create": ("bpf", 0, _bpf_map_attr(), 72),
          "bpf_prog_load": ("bpf", 5, buf(128), 128),
          "bpf_obj_get": ("bpf", 7, buf(128), 128),
          "keyctl_get_keyring_id": ("keyctl", 0, -3, 0), "keyctl_describe": ("keyctl", 6, -3, b, 256),
          "keyctl_join_named": ("keyctl", 1, b"_ses.enclave"),
          "add_key_user_session": ("add_key", b"user", b"r3", b"v", 1, -3),
          "add_key_keyring": ("add_key", b"keyring", b"r3", 0, 0, -4),
          "request_key_user": ("request_key", b"user", b"r3", 0, -3),
          "fanotify_init_notif": ("fanotify_init", 0, 0),
          "fanotify_init_report_fid": ("fanotify_init", 0x200, 0),
          "fanotify_mark": ("fanotify_mark", 0, 0, 0, -100, b"/usr"),
          "name_to_handle_at_usr": ("name_to_handle_at", -100, b"/usr", _handle(), buf(8), 0),
          "open_by_handle_at_root": ("open_by_handle_at", -100, _handle(), 0),
          "personality_read_implies_exec": ("personality", 0x0400000),
          "personality_mmap_page_zero": ("personality", 0x0100000),
          "personality_addr_compat": ("personality", 0x0200000),
          "personality_addr_limit_32bit": ("personality", 0x0800000),
          "personality_svr4": ("personality", 0x0001 | 0x0100000 | 0x4000000),
          "mount_bind": ("mount", b"/tmp", b"/var/tmp", 0, 0x1000, 0),
          "mount_remount_rw": ("mount", 0, b"/", 0, 0x20, 0),
          "umount_lazy_workspace": ("umount2", b"/workspace", 2),
          "pivot_root": ("pivot_root", b"/tmp", b"/tmp"),
          "move_mount": ("move_mount", -100, b"/tmp", -100, b"/var/tmp", 0),
          "fsopen_proc": ("fsopen", b"proc", 0), "fsopen_cgroup": ("fsopen", b"cgroup2", 0),
          "fspick_root": ("fspick", -100, b"/", 0),
          "fsconfig": ("fsconfig", 0, 0, 0, 0, 0), "fsmount": ("fsmount", 0, 0, 0),
          "open_tree_clone": ("open_tree", -100, b"/usr", 1 | 0x80000),
          "mount_setattr_rw": ("mount_setattr", -100, b"/", 0, buf(32), 32),
          "unshare_files": ("unshare", 0x400), "unshare_fs": ("unshare", 0x200),
          "unshare_zero": ("unshare", 0), "unshare_sysvsem": ("unshare", 0x40000),
          "unshare_newuser_newns": ("unshare", 0x10000000 | 0x20000),
          "setns_pid1_mnt": ("setns", -1, 0x20000),
          "kexec_load": ("kexec_load", 0, 0, 0, 0), "kexec_file_load": ("kexec_file_load", -1, -1, 0, b"", 4),
          "init_module": ("init_module", b, 16, b""), "finit_module": ("finit_module", 0, b"", 0),
          "delete_module": ("delete_module", b"loop", 0o4000),
          "iopl_3": ("iopl", 3), "ioperm_80": ("ioperm", 0x80, 1, 1),
          "quotactl_getfmt": ("quotactl", 0x800004, b"/tmp", 0, b),
          "quotactl_fd": ("quotactl_fd", 0, 0x800004, 0, b),
          "acct_off": ("acct", 0), "acct_on": ("acct", b"/tmp/acct"),
          "swapon": ("swapon", b"/tmp/swap", 0), "swapoff": ("swapoff", b"/tmp/swap"),
          "reboot_cad_off": ("reboot", 0xfee1dead, 672274793, 0, 0),
          "syslog_size": ("syslog", 10, 0, 0), "syslog_read_all": ("syslog", 3, b, 4096),
          "vhangup": ("vhangup",),
          "modify_ldt_write": ("modify_ldt", 1, _ldt_entry(), 16),
          "modify_ldt_read_default": ("modify_ldt", 2, b, 16),
          "settimeofday": ("settimeofday", 0, b), "clock_settime": ("clock_settime", 0, b),
          "clock_adjtime_read": ("clock_adjtime", 0, b), "adjtimex_read": ("adjtimex", b),
          "sethostname": ("sethostname", b"x", 1), "setdomainname": ("setdomainname", b"x", 1),
          "lookup_dcookie": ("lookup_dcookie", 0, b, 16), "nfsservctl": ("nfsservctl", 0, 0, 0),
          "uselib": ("uselib", b"/usr/lib/x86_64-linux-gnu/libc.so.6"),
          "move_pages_self": ("move_pages", 0, 0, 0, 0, 0, 0),
          "migrate_pages_self": ("migrate_pages", 0, 64, b, b),
          "process_madvise": ("process_madvise", -1, 0, 0, 0, 0),
          "kcmp_self": ("kcmp", os.getpid(), os.getpid(), 0, 0, 0),
          "mq_open": ("mq_open", b"r3", 0o100 | 2, 0o600, 0),
          "io_setup": ("io_setup", 1, ctypes.byref(ctypes.c_ulong(0))),
          "vmsplice": ("vmsplice", 1, 0, 0, 0), "mincore": ("mincore", 0, 4096, b),
          "remap_file_pages": ("remap_file_pages", 0, 4096, 0, 0, 0),
          "memfd_secret": ("memfd_secret", 0), "map_shadow_stack": ("map_shadow_stack", 0, 4096, 0),
          "set_mempolicy_home_node": ("set_mempolicy_home_node", 0, 4096, 0, 0),
          "sysfs": ("sysfs", 3), "ustat": ("ustat", 0, b)}
    for member, (name, *args) in io.items():
        out[member] = call(name, *args)
    # namespaced clone, including flags above bit 31 and with CLONE_NEWUSER set by clone3
    for member, flags in (("clone_newuser_vfork", 0x10000000 | 0x4000 | 17),
                          ("clone_newns_thread", 0x20000 | 17),
                          ("clone_newpid_high_bits", (1 << 40) | 0x20000000 | 17),
                          ("clone_newnet_newuser", 0x40000000 | 0x10000000 | 17)):
        out[member] = call("clone", flags, 0, 0, 0, 0)
    for member, flags in (("clone3_newuser", 0x10000000), ("clone3_into_cgroup", 1 << 33),
                          ("clone3_plain", 0)):
        args = buf(88)
        ctypes.memmove(args, struct.pack("=QQQQQQQQQQQ", flags, 0, 0, 0, 17, 0, 0, 0, 0,
                                         0, 0), 88)
        out[member] = call("clone3", args, 88)
    # x32 and the 32-bit entry: another syscall table (the filter kills)
    out["x32_getpid"] = in_child(lambda: sys_(0x40000000 | 39))
    out["int80_getpid"] = in_child(_int80_getpid)


def _uring_params(flags):
    p = buf(120)
    ctypes.memmove(ctypes.addressof(p) + 8, struct.pack("=I", flags), 4)
    return p


def _perf_attr(type_, config):
    a = buf(128)  # struct perf_event_attr: type u32, size u32, config u64 ...
    ctypes.memmove(a, struct.pack("=IIQ", type_, 128, config), 16)
    return a


def _bpf_map_attr():
    a = buf(72)  # BPF_MAP_TYPE_ARRAY, key 4, value 4, 1 entry
    ctypes.memmove(a, struct.pack("=IIII", 2, 4, 4, 1), 16)
    return a


def _handle():
    h = buf(136)
    ctypes.memmove(h, struct.pack("=Ii", 128, 0), 8)
    return h


def _ldt_entry():
    e = buf(16)
    ctypes.memmove(e, struct.pack("=IIII", 0, 0, 0xfffff, 0x51), 16)
    return e


def _int80_getpid():
    """``mov eax, 20; int 0x80; ret`` in an executable page: the i386 getpid."""
    code = bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3])
    m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    m.write(code)
    fn = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
    return fn()


# ------------------------------------------------- other processes (the init, root's)
def _others(out: dict) -> None:
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    out["pids"] = pids
    me = os.getpid()
    foreign = [p for p in pids if p != me and _uid_of(p) != os.getuid()]
    out["foreign_pids"] = foreign
    target = foreign[0] if foreign else 1
    for what in ("root", "cwd", "exe"):
        out[f"proc_{what}_of_init"] = attempt(lambda what=what: os.listdir(
            f"/proc/{target}/{what}") if what != "exe" else os.readlink(f"/proc/{target}/exe"))
    for what in ("environ", "mem", "syscall", "stack", "auxv", "maps", "pagemap",
                 "personality", "timerslack_ns"):
        out[f"proc_{what}_of_init"] = attempt(
            lambda what=what: open(f"/proc/{target}/{what}", "rb").read(64))
    out["proc_fd_of_init"] = attempt(lambda: os.listdir(f"/proc/{target}/fd"))
    out["proc_map_files_self"] = attempt(lambda: os.listdir("/proc/self/map_files"))
    out["proc_task_comm_of_init"] = attempt(lambda: _write(f"/proc/{target}/comm", "x"))
    out["pidfd_open_init"] = call("pidfd_open", target, 0)

    def pidfd_kill():
        fd = sys_("pidfd_open", target, 0)
        return sys_("pidfd_send_signal", fd, signal.SIGKILL, 0, 0)
    out["pidfd_send_signal_init"] = in_child(pidfd_kill)
    out["pidfd_getfd_init"] = in_child(lambda: sys_("pidfd_getfd", sys_("pidfd_open", target, 0),
                                                    0, 0))
    out["kill_init"] = attempt(lambda: os.kill(target, signal.SIGTERM))
    out["kill_all"] = in_child(lambda: os.kill(-1, 0))  # signal 0: who could be reached
    out["ptrace_seize_init"] = call("ptrace", 0x4206, target, 0, 0)
    out["process_vm_readv_init"] = call("process_vm_readv", target, buf(16), 1, buf(16), 1, 0)
    out["setns_pidfd_init"] = in_child(lambda: sys_("setns", sys_("pidfd_open", target, 0),
                                                    0x20000))
    out["proc_ns_open_init"] = attempt(lambda: os.open(f"/proc/{target}/ns/mnt", os.O_RDONLY))
    out["fsetown_init"] = attempt(_fsetown(target))
    # the oom score of another process; and its scheduling
    out["oom_adj_init"] = attempt(lambda: _write(f"/proc/{target}/oom_score_adj", "1000"))
    out["setpriority_init"] = attempt(lambda: os.setpriority(os.PRIO_PROCESS, target, 19))
    out["sched_setaffinity_init"] = attempt(lambda: os.sched_setaffinity(target, {0}))
    out["ioprio_set_init"] = call("ioprio_set", 1, target, (3 << 13))


def _write(path: str, text: str) -> None:
    """Written and closed here: an error at close is not lost to the garbage collector."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _uid_of(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def _fsetown(target):
    def go():
        r, w = os.pipe()
        fcntl.fcntl(r, fcntl.F_SETOWN, target)
        fcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC)
        os.write(w, b"x")
        if fcntl.fcntl(r, fcntl.F_GETOWN) != target:
            raise OSError(errno.EPERM, "owner not set")
    return go


# ------------------------------------------------ seccomp re-entry, landlock
def _reentry(out: dict) -> None:
    def loosen():
        # a filter that allows everything, stacked on the session's: unshare must still fail
        prog = struct.pack("=HBBI", 0x06, 0, 0, 0x7FFF0000)  # BPF_RET | BPF_K, ALLOW
        fprog = struct.pack("=HxxxxxxQ", 1, ctypes.addressof(ctypes.create_string_buffer(prog)))
        p = ctypes.create_string_buffer(prog)
        fprog = ctypes.create_string_buffer(struct.pack("=H6xQ", 1, ctypes.addressof(p)))
        _libc.prctl(38, 1, 0, 0, 0)
        sys_("seccomp", 1, 0, fprog)  # SECCOMP_SET_MODE_FILTER
        return sys_("unshare", 0x10000000)
    out["seccomp_allow_all_then_unshare"] = in_child(loosen)

    def spec_allow():
        prog = struct.pack("=HBBI", 0x06, 0, 0, 0x7FFF0000)
        p = ctypes.create_string_buffer(prog)
        fprog = ctypes.create_string_buffer(struct.pack("=H6xQ", 1, ctypes.addressof(p)))
        sys_("seccomp", 1, 4, fprog)  # SECCOMP_FILTER_FLAG_SPEC_ALLOW
        return sys_("bpf", 0, _bpf_map_attr(), 72)
    out["seccomp_spec_allow_then_bpf"] = in_child(spec_allow)

    def listener():
        prog = struct.pack("=HBBI", 0x06, 0, 0, 0x7FC00000)  # USER_NOTIF for everything
        p = ctypes.create_string_buffer(prog)
        fprog = ctypes.create_string_buffer(struct.pack("=H6xQ", 1, ctypes.addressof(p)))
        fd = sys_("seccomp", 1, 8, fprog)  # NEW_LISTENER: the process answers itself
        os.close(fd)
        return 0
    out["seccomp_new_listener"] = in_child(listener)
    out["prctl_seccomp_strict"] = in_child(lambda: (_libc.prctl(22, 1, 0, 0, 0), os._exit(0)))
    out["landlock_restrict_more"] = in_child(_landlock_more)


def _landlock_more():
    attr = buf(24)
    ctypes.memmove(attr, struct.pack("=QQQ", 1, 0, 0), 24)
    rs = sys_(444, attr, 24, 0)
    _libc.prctl(38, 1, 0, 0, 0)
    return sys_(446, rs, 0)


# ---------------------------------------------------------------- ways to the host
NETLINK = {"usersock": 2, "firewall": 3, "sock_diag": 4, "nflog": 5, "xfrm": 6,
           "selinux": 7, "iscsi": 8, "audit": 9, "fib_lookup": 10, "connector": 11,
           "netfilter": 12, "ip6_fw": 13, "dnrtmsg": 14, "kobject_uevent": 15, "generic": 16,
           "scsitransport": 18, "ecryptfs": 19, "rdma": 20, "crypto": 21, "smc": 22,
           "proto_high": 31, "proto_negative": -1}
FAMILIES = {"ax25": 3, "ipx": 4, "appletalk": 5, "netrom": 6, "bridge": 7, "atmpvc": 8,
            "x25": 9, "rose": 11, "decnet": 12, "netbeui": 13, "security": 14, "key": 15,
            "packet": 17, "ash": 18, "econet": 19, "atmsvc": 20, "rds": 21, "sna": 22,
            "irda": 23, "pppox": 24, "wanpipe": 25, "llc": 26, "ib": 27, "mpls": 28, "can": 29,
            "tipc": 30, "bluetooth": 31, "iucv": 32, "rxrpc": 33, "isdn": 34, "phonet": 35,
            "ieee802154": 36, "caif": 37, "alg": 38, "nfc": 39, "vsock": 40, "kcm": 41,
            "qipcrtr": 42, "smc": 43, "xdp": 44, "mctp": 45, "fam_46": 46, "fam_63": 63,
            "fam_64": 64, "fam_huge": 1 << 32 | 1}


def _raw_socket(fam, typ, proto=0):
    fd = _libc.syscall(ctypes.c_long(41), ctypes.c_long(fam), ctypes.c_long(typ),
                       ctypes.c_long(proto))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "socket")
    os.close(fd)


def _ways_out(out: dict, cfg: dict) -> None:
    for name, proto in NETLINK.items():
        out[f"netlink_{name}"] = attempt(lambda proto=proto: _raw_socket(16, 3, proto))
        out[f"netlink_dgram_{name}"] = attempt(lambda proto=proto: _raw_socket(16, 2, proto))
    out["netlink_route_ok"] = attempt(lambda: _raw_socket(16, 3, 0))
    for name, fam in FAMILIES.items():
        for typ in (1, 2, 3, 5):
            out[f"family_{name}_{typ}"] = attempt(lambda fam=fam, typ=typ: _raw_socket(fam, typ))
    out["unix_ok"] = attempt(lambda: _raw_socket(1, 1))
    # the host's abstract socket (another network namespace: not there)
    for key, path in (("abstract_host", cfg["abstract_host"]),
                      ("abstract_autobind_scan", "\0" + "00001")):
        def connect(path=path):
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(path)
        out[key] = attempt(connect)
    out["proc_net_unix_names_host"] = cfg["abstract_host"][1:] in _read("/proc/net/unix")
    out["proc_net_unix_lines"] = len(_read("/proc/net/unix").splitlines())
    # terminals: the controlling one, consoles, other sessions' ptys
    for dev in ("/dev/tty", "/dev/console", "/dev/tty0", "/dev/tty1", "/dev/ttyS0",
                "/dev/vcs", "/dev/vcsa", "/dev/pts/0", "/dev/ptmx"):
        out[f"open_{dev.replace('/', '_')}"] = attempt(lambda dev=dev: os.close(
            os.open(dev, os.O_RDWR | os.O_NOCTTY)))
    out["pts_listing"] = sorted(os.listdir("/dev/pts"))
    out["tiocsti_pty"] = _pty_ioctl(0x5412, struct.pack("B", ord("x")))
    out["tioclinux_pty"] = _pty_ioctl(0x541C, struct.pack("B", 12))
    out["tioccons_pty"] = _pty_ioctl(0x541D, b"")
    out["tiocsctty_steal"] = _pty_ioctl(0x540E, struct.pack("i", 1))
    # System V / POSIX IPC: the host's objects (another IPC namespace: not there)
    out["shmget_host"] = call_libc("shmget", cfg["ipc_key"], 0, 0)
    out["semget_host"] = call_libc("semget", cfg["ipc_key"], 0, 0)
    out["msgget_host"] = call_libc("msgget", cfg["ipc_key"], 0, 0)
    out["shm_id_host"] = call_libc("shmat", cfg["shm_id"], 0, 0o10000)  # SHM_RDONLY
    out["sysvipc_host_key"] = f"{cfg['ipc_key']:10d}" in _read("/proc/sysvipc/shm")
    out["posix_shm_host"] = os.path.exists("/dev/shm/" + cfg["posix_shm"])
    out["ipc_own_shm"] = call_libc("shmget", 0, 4096, 0o1600)  # IPC_PRIVATE: its own
    out["dev_mqueue"] = os.path.exists("/dev/mqueue")
    # page-cache residency of a shared file without timing: RWF_NOWAIT answers EAGAIN for
    # what is not cached (the probe mincore was refused for)
    out.update(_nowait(cfg["shared_file"]))


def _nowait(path: str) -> dict:
    out = {}
    fd = os.open(path, os.O_RDONLY)
    try:
        for member, flags in (("preadv2_nowait", 0x8), ("preadv2_nowait_hipri", 0x8 | 0x1),
                              ("preadv2_nowait_high_bits", 0x8 | (1 << 40)),
                              ("preadv2_plain", 0), ("preadv2_hipri", 0x1)):
            data = buf(4096)
            iov = buf(16)
            ctypes.memmove(iov, struct.pack("=QQ", ctypes.addressof(data), 4096), 16)
            out[member] = in_child(lambda flags=flags, iov=iov: sys_(327, fd, iov, 1, 0, 0,
                                                                     flags))
    finally:
        os.close(fd)
    return out


def call_libc(fn, *args) -> str:
    f = getattr(_libc, fn)
    f.restype = ctypes.c_void_p if fn == "shmat" else ctypes.c_int
    res = f(*[ctypes.c_int(a) for a in args])
    if fn == "shmat":
        return "ok" if res not in (None, ctypes.c_void_p(-1).value) else \
            errname(ctypes.get_errno())
    return "ok" if res >= 0 else errname(ctypes.get_errno())


def _pty_ioctl(req, arg):
    import pty

    master, slave = pty.openpty()
    try:
        a = ctypes.create_string_buffer(arg or b"\0" * 8, max(len(arg), 8))
        r = _libc.ioctl(slave, ctypes.c_ulong(req), a)
        return "ok" if r >= 0 else errname(ctypes.get_errno())
    finally:
        os.close(master), os.close(slave)


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return f"unreadable: {errname(e.errno)}"


# ---------------------------------------------------------------- resources
def _resources(out: dict, cfg: dict) -> None:
    import resource

    out["rlimit_core"] = list(resource.getrlimit(resource.RLIMIT_CORE))
    out["rlimit_nofile"] = list(resource.getrlimit(resource.RLIMIT_NOFILE))
    out["rlimit_nproc"] = list(resource.getrlimit(resource.RLIMIT_NPROC))
    out["rlimit_memlock"] = list(resource.getrlimit(resource.RLIMIT_MEMLOCK))
    out["dumpable"] = _libc.prctl(3, 0, 0, 0, 0)
    # fill the scratch tmpfs: it must stop at its size
    for place in ("/tmp", "/var/tmp", "/dev/shm", os.getcwd()):
        out[f"fill_{place}"] = _fill(os.path.join(place, "fill.bin"), cfg["fill_mb"])
    # fork bomb within the pids cap
    out["fork_bomb"] = _fork_count()
    # threads count too
    out["thread_bomb"] = _thread_count()


def _fill(path: str, limit_mb: int) -> dict:
    written = 0
    err = "none"
    chunk = b"\0" * (1 << 20)
    try:
        with open(path, "wb") as f:
            while written < limit_mb << 20:
                f.write(chunk)
                written += len(chunk)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        err = errname(e.errno)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return {"mb": written >> 20, "error": err}


def _fork_count() -> int:
    kids = []
    try:
        for _ in range(400):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            kids.append(pid)
    except OSError:
        pass
    for k in kids:
        os.kill(k, signal.SIGKILL)
        os.waitpid(k, 0)
    return len(kids)


def _thread_count() -> int:
    import threading

    stop = threading.Event()
    threads = []
    try:
        for _ in range(400):
            t = threading.Thread(target=stop.wait, daemon=True)
            t.start()
            threads.append(t)
    except RuntimeError:
        pass
    stop.set()
    for t in threads:
        t.join()
    return len(threads)
