"""Round 3 of the sandbox probe: run INSIDE a sandbox by ``test_boundary_round3.py``.

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


# ------------------------------------------------- free space of the host's file system
def statfs_of(paths) -> dict:
    out = {}
    for p in paths:
        try:
            st = os.statvfs(p)
            out[p] = [st.f_blocks, st.f_bfree, st.f_bavail, st.f_ffree]
        except OSError as e:
            out[p] = errname(e.errno)
    return out


def _statfs(out: dict, cfg: dict) -> None:
    import subprocess

    out["statfs"] = statfs_of(cfg["statfs_paths"])
    fd = os.open("/usr/bin/true", os.O_RDONLY)
    st = os.fstatvfs(fd)
    os.close(fd)
    out["fstatfs_usr"] = [st.f_blocks, st.f_bfree, st.f_bavail, st.f_ffree]
    own = os.statvfs("/tmp")
    with open("/tmp/statfs-own.bin", "wb") as f:
        f.write(b"x" * (2 << 20))
    after = os.statvfs("/tmp")
    os.unlink("/tmp/statfs-own.bin")
    out["statfs_own_moves"] = [own.f_bfree, after.f_bfree]
    out["statfs_relative"] = statfs_of(["."])["."]
    out["statfs_missing"] = statfs_of(["/nonexistent/x"])["/nonexistent/x"]
    out["statfs_bad_pointer"] = in_child(lambda: sys_(137, 1, buf(120)))
    out["fstatfs_bad_fd"] = in_child(lambda: sys_(138, 987, buf(120)))
    out["fstatfs_bad_buffer"] = in_child(lambda: sys_(138, 0, 8))
    import threading  # the calls from a thread that is not the group's leader

    threaded = {}
    t = threading.Thread(target=lambda: threaded.update(
        statfs=statfs_of(["/usr", "/tmp"]), fstatfs=attempt(lambda: os.fstatvfs(0)),
        flock=attempt(lambda: fcntl.flock(os.open("/tmp", os.O_RDONLY), fcntl.LOCK_SH))))
    t.start()
    t.join(20)
    out["statfs_thread"] = threaded
    df = subprocess.run(["df", "-k"], capture_output=True, text=True)
    out["df"] = [df.returncode, df.stdout]


# ------------------------------------------------ more than its share, or root's settings
def _privilege(out: dict) -> None:
    import resource

    sched = struct.pack("=i", 50)
    out["sched_fifo"] = in_child(lambda: sys_(144, 0, 1, ctypes.create_string_buffer(sched)))
    out["sched_rr"] = in_child(lambda: sys_(144, 0, 2, ctypes.create_string_buffer(sched)))
    attr = buf(56)  # struct sched_attr: SCHED_DEADLINE 10 ms every 20 ms
    ctypes.memmove(attr, struct.pack("=IIQiIQQQ", 56, 6, 0, 0, 0, 10_000_000, 20_000_000,
                                     20_000_000), 48)
    out["sched_deadline"] = in_child(lambda: sys_("sched_setattr", 0, attr, 0))
    out["nice_negative"] = in_child(lambda: os.setpriority(os.PRIO_PROCESS, 0, -5))
    out["ioprio_realtime"] = call("ioprio_set", 1, 0, (1 << 13) | 0)
    out["timer_alarm_clock"] = in_child(lambda: sys_(222, 8, 0, buf(8)))  # REALTIME_ALARM
    out["rlimit_core_raise"] = in_child(lambda: resource.setrlimit(resource.RLIMIT_CORE,
                                                                   (1 << 20, 1 << 20)))
    out["rlimit_nofile_raise"] = in_child(lambda: resource.setrlimit(
        resource.RLIMIT_NOFILE, (1 << 20, 1 << 20)))
    out["oom_score_adj_lower"] = attempt(lambda: _write("/proc/self/oom_score_adj", "-1000"))
    out["oom_score_adj_raise"] = attempt(lambda: _write("/proc/self/oom_score_adj", "500"))
    for label, path in (("drop_caches", "/proc/sys/vm/drop_caches"),
                        ("sysrq_trigger", "/proc/sysrq-trigger"),
                        ("core_pattern", "/proc/sys/kernel/core_pattern"),
                        ("hostname_sysctl", "/proc/sys/kernel/hostname"),
                        ("dev_new_file", "/dev/planted"), ("etc_new_file", "/etc/planted"),
                        ("root_new_file", "/planted")):
        out[f"write_{label}"] = attempt(lambda path=path: _write(path, "1"))
    own = "/tmp/chown-me"
    open(own, "w").close()
    out["chown_to_root"] = attempt(lambda: os.chown(own, 0, 0))
    out["chgrp_to_root"] = attempt(lambda: os.chown(own, -1, 0))
    out["chmod_own"] = attempt(lambda: os.chmod(own, 0o600))

    def ksm():
        m = mmap.mmap(-1, 1 << 16)
        return _libc.madvise(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(m))),
                             ctypes.c_size_t(1 << 16), 12)  # MADV_MERGEABLE
    out["madvise_mergeable"] = in_child(ksm)

    def dontneed():
        m = mmap.mmap(-1, 1 << 16)
        return _libc.madvise(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(m))),
                             ctypes.c_size_t(1 << 16), 4)  # MADV_DONTNEED: ordinary
    out["madvise_dontneed"] = in_child(dontneed)


# ------------------------------------------- locks: its own files real, shared ones not
def _locks(out: dict, cfg: dict) -> None:
    import threading

    def pair(path, create=True):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if create else \
            os.open(path, os.O_RDONLY)
        return fd, os.open(path, os.O_RDONLY)

    for label, path, create in (("tmp", "/tmp/lock-own", True),
                                ("workspace", "/workspace/.lock-r3", True),
                                ("shm", "/dev/shm/lock-own", True),
                                ("dev_null", "/dev/null", False),
                                ("usr", "/usr/bin/true", False),
                                ("stdlib", cfg["shared_file"], False)):
        a, b = pair(path, create)
        try:
            first = attempt(lambda: fcntl.flock(a, fcntl.LOCK_EX | fcntl.LOCK_NB))
            second = attempt(lambda: fcntl.flock(b, fcntl.LOCK_EX | fcntl.LOCK_NB))
            out[f"flock_two_{label}"] = [first, second]
        finally:
            os.close(a), os.close(b)
    # a blocking flock on its own file waits for the holder, then gets the lock
    a, b = pair("/tmp/lock-wait")
    fcntl.flock(a, fcntl.LOCK_EX)
    got = []
    t = threading.Thread(target=lambda: (fcntl.flock(b, fcntl.LOCK_EX), got.append(
        time.monotonic())))
    start = time.monotonic()
    t.start()
    time.sleep(0.3)
    fcntl.flock(a, fcntl.LOCK_UN)
    t.join(5)
    out["flock_blocking_waits"] = bool(got) and got[0] - start >= 0.25
    os.close(a), os.close(b)
    out["flock_bad_op"] = attempt(lambda: fcntl.flock(os.open("/usr/bin/true", os.O_RDONLY), 0))
    out["flock_bad_fd"] = attempt(lambda: fcntl.flock(987, fcntl.LOCK_SH))
    # F_GETLK / F_OFD_GETLK on its own file see a child's / another description's lock
    own = "/tmp/lock-getlk"
    fd = os.open(own, os.O_RDWR | os.O_CREAT, 0o600)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        fcntl.lockf(os.open(own, os.O_RDWR), fcntl.LOCK_EX)
        os.write(w, b"x")
        time.sleep(30)
        os._exit(0)
    os.read(r, 1)
    query = struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0)
    out["getlk_own_sees_child"] = struct.unpack("hhqqi4x", fcntl.fcntl(
        fd, fcntl.F_GETLK, query))[0] == fcntl.F_WRLCK
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    ofd_a, ofd_b = os.open(own, os.O_RDWR), os.open(own, os.O_RDWR)
    fcntl.fcntl(ofd_a, 37, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))  # F_OFD_SETLK
    out["ofd_getlk_own_sees_other"] = struct.unpack("hhqqi4x", fcntl.fcntl(
        ofd_b, 36, query))[0] == fcntl.F_WRLCK
    out["ofd_getlk_bad_pid"] = attempt(lambda: fcntl.fcntl(
        ofd_b, 36, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 7)))
    out["getlk_bad_type"] = attempt(lambda: fcntl.fcntl(
        fd, fcntl.F_GETLK, struct.pack("hhqqi4x", 9, 0, 0, 0, 0)))
    for x in (fd, ofd_a, ofd_b, r, w):
        os.close(x)


def run(cfg: dict) -> dict:
    out: dict = {"uid": os.getuid()}
    _locks(out, cfg)
    _privilege(out)
    _statfs(out, cfg)
    _kernel(out)
    _others(out)
    _reentry(out)
    _ways_out(out, cfg)
    _resources(out, cfg)
    return out


# ------------------------------------------- what a second session could meet (with the host)
IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN = 1, 2, 4, 8, 16, 32
IN_ALL = 0xFFF


def meet(cfg: dict) -> dict:
    """Locks, watches and notifications on the shared read-only files; the host acts between
    ``ready`` and ``go`` (``test_boundary_round3.host_side``)."""
    out: dict = {}
    shared = cfg["shared"]  # {label: path of a read-only file every sandbox sees}
    held = {}
    # 1. locks this session takes (the host then tests whether it sees them)
    for how in ("flock_ex", "flock_sh", "posix_rd", "ofd_rd"):
        path = shared[how]
        try:
            fd = os.open(path, os.O_RDONLY)
            if how == "flock_ex":
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif how == "flock_sh":
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            elif how == "posix_rd":
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            else:
                fcntl.fcntl(fd, 37, struct.pack("hhqqi4x", fcntl.F_RDLCK, 0, 0, 0, 0))
            held[how] = fd
            out[f"take_{how}"] = "ok"
        except OSError as e:
            out[f"take_{how}"] = errname(e.errno)
    # a lease on a file of root's (needs ownership or CAP_LEASE)
    out["lease_shared"] = attempt(lambda: fcntl.fcntl(os.open(shared["watch_file"], os.O_RDONLY),
                                                      fcntl.F_SETLEASE, fcntl.F_RDLCK))
    # 2. watches on what the host (another session) will open
    watches = {}
    try:
        ino = sys_("inotify_init1", os.O_NONBLOCK)
        for label, mask in (("inotify_open", IN_OPEN), ("inotify_access", IN_ACCESS),
                            ("inotify_close_nowrite", IN_CLOSE_NOWRITE),
                            ("inotify_all", IN_ALL)):
            try:
                watches[sys_("inotify_add_watch", ino, shared["watch_file"].encode(), mask)] = label
                out[f"watch_{label}"] = "ok"
            except OSError as e:
                out[f"watch_{label}"] = errname(e.errno)
        try:
            wd = sys_("inotify_add_watch", ino, shared["watch_dir"].encode(), IN_OPEN | IN_ACCESS)
            watches[wd] = "inotify_dir"
            out["watch_inotify_dir"] = "ok"
        except OSError as e:
            out["watch_inotify_dir"] = errname(e.errno)
    except OSError as e:
        ino = None
        out["inotify_init"] = errname(e.errno)
    got_signal = []
    signal.signal(signal.SIGRTMIN + 1, lambda *_: got_signal.append(1))
    try:
        dfd = os.open(shared["watch_dir"], os.O_RDONLY | os.O_DIRECTORY)
        fcntl.fcntl(dfd, fcntl.F_SETSIG, signal.SIGRTMIN + 1)
        fcntl.fcntl(dfd, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT)
        out["dnotify_set"] = "ok"
    except OSError as e:
        out["dnotify_set"] = errname(e.errno)
    # ordinary: a watch on the session's own scratch file
    own = "/tmp/own-watched"
    open(own, "w").close()
    try:
        own_ino = sys_("inotify_init1", os.O_NONBLOCK)
        sys_("inotify_add_watch", own_ino, own.encode(), IN_MODIFY | IN_CLOSE_WRITE)
        with open(own, "w") as f:
            f.write("x")
        time.sleep(0.2)
        out["own_watch_events"] = len(os.read(own_ino, 4096)) > 0
    except OSError as e:
        out["own_watch_events"] = errname(e.errno)
    # ordinary: locks on its own files (sqlite/DuckDB-style)
    own_lock = os.open("/tmp/own.lock", os.O_RDWR | os.O_CREAT, 0o600)
    out["own_flock"] = attempt(lambda: fcntl.flock(own_lock, fcntl.LOCK_EX | fcntl.LOCK_NB))
    out["own_posix_lock"] = attempt(lambda: fcntl.lockf(own_lock, fcntl.LOCK_EX | fcntl.LOCK_NB))
    # an abstract socket of this session (the host tries to reach it)
    ab = socket.socket(socket.AF_UNIX)
    ab.bind(cfg["abstract_inside"])
    ab.listen()
    before = statfs_of(cfg["statfs_paths"])
    flag = cfg["flag"]
    open(f"/workspace/{flag}.ready", "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(f"/workspace/{flag}.go") and time.monotonic() < deadline:
        time.sleep(0.05)
    # 3. what the host did: its writes, its locks, and its opens of the watched file
    after = statfs_of(cfg["statfs_paths"])
    out["statfs_before"], out["statfs_after"] = before, after
    for how in ("host_flock_ex", "host_posix_wr_probe"):
        path = shared[how]
        fd = os.open(path, os.O_RDONLY)
        try:
            if how == "host_flock_ex":
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                out["sees_host_flock"] = False
            else:  # F_GETLK / F_OFD_GETLK for a write lock: does it name a holder?
                res = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK,
                                                                 0, 0, 0, 0))
                out["sees_host_posix_lock"] = struct.unpack("hhqqi4x", res)[0] != fcntl.F_UNLCK
                res = fcntl.fcntl(fd, 36, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
                out["sees_host_posix_lock_ofd"] = \
                    struct.unpack("hhqqi4x", res)[0] != fcntl.F_UNLCK
        except OSError as e:
            if how == "host_flock_ex":
                out["sees_host_flock"] = errname(e.errno) in ("EWOULDBLOCK", "EAGAIN")
            else:
                out["sees_host_posix_lock"] = errname(e.errno)
        finally:
            os.close(fd)
    time.sleep(0.3)
    if ino is not None:
        events = []
        try:
            data = os.read(ino, 65536)
            i = 0
            while i + 16 <= len(data):
                wd, mask, _cookie, ln = struct.unpack_from("iIII", data, i)
                events.append([watches.get(wd, wd), mask])
                i += 16 + ln
        except BlockingIOError:
            pass
        out["inotify_events"] = events
    out["dnotify_signals"] = len(got_signal)
    for fd in held.values():
        os.close(fd)
    ab.close()
    return out


if __name__ == "__main__":
    cfg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    res = meet(cfg) if sys.argv[1:2] == ["meet"] else run(cfg)
    print("RESULT " + json.dumps(res), flush=True)
