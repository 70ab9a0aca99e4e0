"""Attacks on the session boundary, run INSIDE a sandbox (a launcher run or a real kernel).

``run(cfg)`` tries each attack and returns ``{name: outcome}``: ``"ok"`` when the attempt
succeeded (a hole), else the errno name or exception.  Each syscall attempt runs in a forked
child so that one that works (a new user namespace...) cannot change the rest of the probe.
The tests send this file's source into the sandbox and assert on the JSON it prints.
x86_64 syscall numbers (the tests skip elsewhere).
"""
import ctypes
import errno
import json
import os
import socket
import stat
import subprocess

NR = {"clone": 56, "clone3": 435, "unshare": 272, "setns": 308, "mount": 165, "umount2": 166,
      "pivot_root": 155, "chroot": 161, "io_uring_setup": 425, "keyctl": 250, "add_key": 248,
      "request_key": 249, "ptrace": 101, "process_vm_readv": 310, "pidfd_open": 434,
      "pidfd_getfd": 438, "bpf": 321, "perf_event_open": 298, "init_module": 175,
      "finit_module": 313, "delete_module": 176, "kexec_load": 246, "userfaultfd": 323,
      "personality": 135, "open_by_handle_at": 304, "name_to_handle_at": 303, "fsopen": 430,
      "open_tree": 428, "move_mount": 429, "acct": 163, "swapon": 167, "syslog": 103,
      "modify_ldt": 154, "uselib": 134, "kcmp": 312, "process_vm_writev": 311,
      "fanotify_init": 300}
NAMESPACES = {"user": 0x10000000, "mount": 0x00020000, "net": 0x40000000, "pid": 0x20000000,
              "ipc": 0x08000000, "uts": 0x04000000, "cgroup": 0x02000000, "time": 0x00000080}
_libc = ctypes.CDLL(None, use_errno=True)


def in_child(fn):
    """Run fn() in a fork; 'ok' if it returned None or >= 0, else the errno name (the
    seccomp test runs its attacks through this too)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn()
            out = "ok" if res is None or res >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
        except OSError as e:
            out = errno.errorcode.get(e.errno, str(e.errno))
        except BaseException as e:  # noqa: BLE001 - report, never raise in the child
            out = type(e).__name__
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode() or "killed"
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return out


def _sys(name, *args):
    def call():
        res = _libc.syscall(NR[name], *[ctypes.c_long(a) if isinstance(a, int) else a
                                         for a in args])
        if res == 0 and name == "clone":  # a clone that worked: leave at once
            os._exit(0)
        return res
    return in_child(call)


def _try(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__ + ": " + str(e)[:200]


def _cmd(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    return "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[:200]}"


def _status():
    out = {}
    for line in open("/proc/self/status"):
        k, _, v = line.partition(":")
        if k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"):
            out[k] = v.strip()
    return out


def _devices():
    found = {}
    for root, dirs, files in os.walk("/dev"):
        for n in dirs + files:
            p = os.path.join(root, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISBLK(st.st_mode):
                found[p] = f"block {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
            elif stat.S_ISCHR(st.st_mode):
                found[p] = f"char {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    return found


def _broadcast():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        u.sendto(b"probe", ("255.255.255.255", 9))


EXEC_PLACES = {"tmp": "/tmp", "var_tmp": "/var/tmp", "dev_shm": "/dev/shm",
               "workspace": "/workspace", "home": None}  # None: the cwd (the private home)


def _exec_attempts(out):
    """Programs written where the session can write: a copied binary, a script with a
    shebang, a copy reached through a symlink; and what must still run (system programs, a
    link to one, an interpreter reading a written script)."""
    import shutil

    for label, place in EXEC_PLACES.items():
        place = place or os.getcwd()
        if not os.path.isdir(place):
            continue
        binary = os.path.join(place, "probe-true")
        script = os.path.join(place, "probe-script.sh")
        try:
            shutil.copy("/usr/bin/true", binary)
            os.chmod(binary, 0o755)
            with open(script, "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(script, 0o755)
            link = os.path.join(place, "probe-link")
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(binary, link)
            sys_link = os.path.join(place, "probe-sys-link")
            if os.path.lexists(sys_link):
                os.unlink(sys_link)
            os.symlink("/usr/bin/true", sys_link)
        except OSError as e:
            out[f"exec_setup_{label}"] = errno.errorcode.get(e.errno, str(e))
            continue
        out[f"exec_binary_{label}"] = _cmd([binary])
        out[f"exec_script_{label}"] = _cmd([script])
        out[f"exec_link_{label}"] = _cmd([link])
        out[f"exec_fd_{label}"] = _cmd_fd(binary)
        # ordinary: a link to a system program, and a shell reading the written script
        out[f"run_sys_link_{label}"] = _cmd([sys_link])
        out[f"run_sh_script_{label}"] = _cmd(["/bin/sh", script])
        for p in (binary, script, link, sys_link):
            try:
                os.unlink(p)
            except OSError:
                pass
    out["run_usr_bin"] = _cmd(["/usr/bin/env", "true"])
    out["run_bin_sh"] = _cmd(["sh", "-c", "ls / >/dev/null && id -u >/dev/null"])


def _cmd_fd(path):
    """The written program executed through an open descriptor (execveat AT_EMPTY_PATH):
    'ok' when it ran (exit 0), else the errno execveat gave."""
    fd = os.open(path, os.O_RDONLY)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _libc.syscall(322, fd, b"", (ctypes.c_char_p * 2)(b"t", None),
                      (ctypes.c_char_p * 1)(None), 0x1000)
        os.write(w, errno.errorcode.get(ctypes.get_errno(), "?").encode())
        os._exit(127)
    os.close(w), os.close(fd)
    with os.fdopen(r, "rb") as f:
        err = f.read().decode()
    _, status = os.waitpid(pid, 0)
    return "ok" if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else (err or "failed")


def run(cfg):
    out = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
           "status": _status(), "cwd": os.getcwd(), "devices": _devices(),
           "env": sorted(os.environ)}
    # --- new namespaces: by syscall and by the util-linux command a user would type
    for ns, flag in NAMESPACES.items():
        out[f"unshare_{ns}"] = _sys("unshare", flag)
        out[f"clone_{ns}"] = _sys("clone", flag | 17, 0, 0, 0, 0)  # 17 = SIGCHLD
    out["clone3"] = _sys("clone3", 0, 0)
    out["cmd_unshare_U"] = _cmd(["unshare", "-U", "id"])
    out["cmd_unshare_Ur"] = _cmd(["unshare", "-Ur", "id"])
    out["cmd_unshare_Urn"] = _cmd(["unshare", "-Urn", "true"])
    out["cmd_unshare_m"] = _cmd(["unshare", "-m", "true"])
    out["setns_net"] = in_child(lambda: _libc.syscall(
        NR["setns"], os.open("/proc/self/ns/net", os.O_RDONLY), 0))
    # --- mounts
    out["mount_tmpfs"] = _sys("mount", b"none", b"/tmp", b"tmpfs", 0, 0)
    out["umount_proc"] = _sys("umount2", b"/proc", 2)
    out["pivot_root"] = _sys("pivot_root", b"/tmp", b"/tmp")
    out["chroot"] = _sys("chroot", b"/tmp")
    out["fsopen"] = _sys("fsopen", b"tmpfs", 0)
    out["open_tree"] = _sys("open_tree", -100, b"/tmp", 1)
    # --- kernel attack surface
    params = ctypes.create_string_buffer(120)
    out["io_uring_setup"] = _sys("io_uring_setup", 4, params)
    out["keyctl_join"] = _sys("keyctl", 1, 0)  # KEYCTL_JOIN_SESSION_KEYRING
    out["add_key"] = _sys("add_key", b"user", b"k", b"v", 1, -3)
    out["request_key"] = _sys("request_key", b"user", b"k", 0, 0)
    out["ptrace_traceme"] = _sys("ptrace", 0, 0, 0, 0)
    iov = ctypes.create_string_buffer(16)
    out["process_vm_readv"] = _sys("process_vm_readv", os.getpid(), 0, 0, 0, 0, 0)
    out["pidfd_getfd"] = in_child(lambda: _libc.syscall(
        NR["pidfd_getfd"], _libc.syscall(NR["pidfd_open"], os.getppid(), 0), 0, 0))
    out["bpf"] = _sys("bpf", 0, iov, 16)
    out["perf_event_open"] = _sys("perf_event_open", iov, 0, -1, -1, 0)
    out["init_module"] = _sys("init_module", iov, 16, b"")
    out["finit_module"] = _sys("finit_module", 0, b"", 0)
    out["delete_module"] = _sys("delete_module", b"ext4", 0)
    out["kexec_load"] = _sys("kexec_load", 0, 0, 0, 0)
    out["userfaultfd"] = _sys("userfaultfd", 1)  # UFFD_USER_MODE_ONLY: needs no privilege
    out["personality_no_aslr"] = _sys("personality", 0x0040000)
    out["open_by_handle_at"] = _sys("open_by_handle_at", -100, iov, 0)
    out["name_to_handle_at"] = _sys("name_to_handle_at", -100, b"/", iov, iov, 0)
    out["acct"] = _sys("acct", b"/tmp/acct")
    out["syslog"] = _sys("syslog", 3, iov, 16)
    out["modify_ldt"] = _sys("modify_ldt", 0, iov, 16)  # reading the table needs no privilege
    out["uselib"] = _sys("uselib", b"/usr/lib/x86_64-linux-gnu/libc.so.6")
    # another process of the same uid: compared, written, attached to (all work unfiltered)
    sibling = os.fork()
    if sibling == 0:
        import time
        time.sleep(30)
        os._exit(0)
    try:
        out["kcmp_sibling"] = _sys("kcmp", os.getpid(), sibling, 0, 0, 0)  # KCMP_FILE
        out["process_vm_writev"] = _sys("process_vm_writev", sibling, iov, 1, iov, 1, 0)
        out["ptrace_attach_sibling"] = _sys("ptrace", 16, sibling, 0, 0)  # PTRACE_ATTACH
    finally:
        os.kill(sibling, 9)
        os.waitpid(sibling, 0)
    out["fanotify_init"] = _sys("fanotify_init", 0, 0)

    def tiocsetd(ldisc):
        import fcntl
        import pty
        import struct

        master, slave = pty.openpty()
        try:
            fcntl.ioctl(slave, 0x5423, struct.pack("i", ldisc))
        finally:
            os.close(master), os.close(slave)
    out["tiocsetd_n_tty"] = _try(lambda: tiocsetd(0))  # the default discipline: always there
    out["tiocsetd_n_gsm"] = _try(lambda: tiocsetd(21))
    out["tiocsetd_n_hdlc"] = _try(lambda: tiocsetd(13))
    for fam, name in ((17, "packet"), (38, "alg"), (40, "vsock"), (15, "key"), (44, "xdp"),
                      (31, "bluetooth"), (30, "tipc")):
        out[f"socket_{name}"] = _try(lambda fam=fam: socket.socket(fam, socket.SOCK_RAW).close())
    out["socket_nf_tables"] = _try(lambda: socket.socket(16, socket.SOCK_RAW, 12).close())
    out["socket_netlink_route"] = _try(lambda: socket.socket(16, socket.SOCK_RAW, 0).close())
    # IPv4/IPv6 beyond plain TCP/UDP, and socket pairs of other families (the family's code runs)
    for name, args in (("mptcp", (2, 1, 262)), ("mptcp6", (10, 1, 262)),
                       ("udplite", (2, 2, 136)), ("udplite6", (10, 2, 136)),
                       ("sctp", (2, 5, 132)), ("ping", (2, 2, 1))):
        out[f"socket_{name}"] = _try(lambda args=args: socket.socket(*args).close())
    for fam, name in ((40, "vsock"), (17, "packet"), (38, "alg"), (2, "inet")):
        out[f"socketpair_{name}"] = _try(
            lambda fam=fam: [s.close() for s in socket.socketpair(fam, socket.SOCK_DGRAM)])
    out["socketpair_unix"] = _try(lambda: [s.close() for s in socket.socketpair()])
    # --- root
    out["setuid0"] = _try(lambda: os.setuid(0))
    out["cmd_setuid_mount"] = _cmd(["mount", "-t", "tmpfs", "none", "/tmp"])  # a setuid-root binary
    out["mknod_block"] = _try(lambda: os.mknod("/tmp/sda", 0o600 | stat.S_IFBLK,
                                               os.makedev(8, 0)))
    # --- network
    out["public_net"] = _try(lambda: socket.create_connection(("1.1.1.1", 80), timeout=3))
    out["dns"] = _try(lambda: socket.getaddrinfo("example.com", 443))
    if cfg.get("host_port"):
        out["host_loopback"] = _try(lambda: socket.create_connection(
            ("127.0.0.1", cfg["host_port"]), timeout=3))
    if cfg.get("host_port6"):
        out["host_loopback6"] = _try(lambda: socket.create_connection(
            ("::1", cfg["host_port6"]), timeout=3))
    if cfg.get("host_udp_port"):
        def udp_roundtrip():  # a datagram to the host's loopback listener, awaiting its echo
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.settimeout(2)
                u.sendto(b"probe", ("127.0.0.1", cfg["host_udp_port"]))
                u.recvfrom(16)
        out["host_udp"] = _try(udp_roundtrip)
    out["public_net6"] = _try(lambda: socket.create_connection(
        ("2001:4860:4860::8888", 53), timeout=3))

    def dns_udp(server, family=socket.AF_INET):
        query = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                 b"\x07example\x03com\x00\x00\x01\x00\x01")
        with socket.socket(family, socket.SOCK_DGRAM) as u:
            u.settimeout(2)
            u.sendto(query, (server, 53))
            u.recvfrom(512)
    out["dns_udp_public"] = _try(lambda: dns_udp("8.8.8.8"))
    out["dns_udp_stub"] = _try(lambda: dns_udp("127.0.0.53"))
    out["dns_udp_public6"] = _try(lambda: dns_udp("2001:4860:4860::8888", socket.AF_INET6))
    out["udp_broadcast"] = _try(lambda: _broadcast())
    # --- the host's files: logs, other sessions, other cases, the system
    for label, path in cfg.get("host_files", {}).items():
        out[f"read_{label}"] = _try(lambda path=path: open(path, "rb").read(1))
    for label, path in cfg.get("write_targets", {}).items():
        out[f"write_{label}"] = _try(lambda path=path: open(path, "ab").write(b"x"))
    # O_NONBLOCK: when fd 1 is a pipe (a kernel's subprocess) re-opening it must not block
    out["read_back_stdout"] = _try(lambda: os.read(os.open("/proc/self/fd/1",
                                                           os.O_RDONLY | os.O_NONBLOCK), 1))
    out["read_back_stderr"] = _try(lambda: os.read(os.open("/proc/self/fd/2",
                                                           os.O_RDONLY | os.O_NONBLOCK), 1))
    out["read_fd1"] = _try(lambda: os.read(1, 1))
    out["fds"] = sorted(os.listdir("/proc/self/fd"), key=int)
    out["fd_targets"] = {}
    for fd in out["fds"]:
        try:
            out["fd_targets"][fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    out["pids_visible"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    out["sys_present"] = os.path.exists("/sys/fs/cgroup")
    out["ifaces"] = [n for _, n in socket.if_nameindex()]
    _exec_attempts(out)
    for name in ("softnet_stat", "sockstat", "protocols", "dev", "tcp"):  # closed, closed, ...
        out[f"proc_net_{name}"] = _try(lambda name=name: open(f"/proc/net/{name}").read())
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(run(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})))
