"""The seccomp filter's socket rules (S1), against ROOT: only unix, plain TCP/UDP, netlink-route.

A refused family was still reachable two ways: an IPv4/IPv6 socket of another type or protocol
(MPTCP, UDP-Lite, SCTP, L2TP, SMC, raw, ping...: protocol code, or its module loaded on demand)
and ``socketpair``, which creates its sockets through the same family code as ``socket``
(``socketpair(AF_VSOCK, ...)`` ran the vsock family's create while ``socket(AF_VSOCK)`` was
refused).  Each member runs in a forked child, once with the filter, and the answer must be
the filter's (EPERM-class errno from before the family code runs), not the kernel's own.
"""
from __future__ import annotations

import os
import socket

import pytest

from tests.session.boundary_probe import in_child

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the controls open raw "
                                                           "sockets)"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")]

SOCK_NONBLOCK, SOCK_CLOEXEC = socket.SOCK_NONBLOCK, socket.SOCK_CLOEXEC
# (family, type, protocol): an IPv4/IPv6 socket other than plain TCP or UDP
INET_OTHER = {
    "mptcp4": (2, 1, 262), "mptcp6": (10, 1, 262),
    "mptcp4_nonblock": (2, 1 | SOCK_NONBLOCK | SOCK_CLOEXEC, 262),
    "udplite4": (2, 2, 136), "udplite6": (10, 2, 136),
    "sctp4_stream": (2, 1, 132), "sctp4_seqpacket": (2, 5, 132), "sctp6": (10, 5, 132),
    "sctp_by_type": (2, 5, 0), "l2tp_ip": (2, 2, 115), "smc": (2, 1, 256),
    "dccp": (2, 6, 33), "raw4": (2, 3, 255), "raw6": (10, 3, 255),
    "raw4_icmp": (2, 3, 1), "ping4": (2, 2, 1), "ping6": (10, 2, 58), "rdm": (2, 4, 0),
    "packet_type": (2, 10, 0), "igmp": (2, 3, 2), "gre": (2, 3, 47),
    "tcp_high_bits": (2, 1, 6 | (1 << 32)), "negative_protocol": (2, 1, -1),
}
# Those the unfiltered kernel here lets root open (the controls).
WORKS_UNFILTERED = {"mptcp4", "mptcp6", "mptcp4_nonblock", "udplite4", "udplite6", "raw4",
                    "raw6", "raw4_icmp", "igmp", "gre"}
# socketpair of every family but unix, several types each
PAIRS = {f"pair_{fam}_{typ}": (fam, typ) for fam in (2, 10, 16, 17, 30, 38, 40, 41, 43, 44)
         for typ in (1, 2, 5)}


def _raw_socket(fam, typ, proto):
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(41, ctypes.c_long(fam), ctypes.c_long(typ), ctypes.c_long(proto))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "socket")
    os.close(fd)


def _pair(fam, typ):
    a, b = socket.socketpair(fam, typ)
    a.close(), b.close()


def _filtered(fn):
    def attempt():
        from hub_config.seccomp_filter import load_here

        load_here()
        return fn()
    return in_child(attempt)


@pytest.mark.parametrize("name", sorted(INET_OTHER))
def test_inet_sockets_other_than_tcp_and_udp_are_refused(name):
    fam, typ, proto = INET_OTHER[name]
    attempt = lambda: _raw_socket(fam, typ, proto)  # noqa: E731
    if name in WORKS_UNFILTERED:
        assert in_child(attempt) == "ok"  # the control: the kernel has it
    # the filter's answer (the kernel's own would come after its protocol lookup and autoload)
    # (those the kernel lacks here are kept: a host that has their module must refuse them too)
    assert _filtered(attempt) in ("EPROTONOSUPPORT", "ESOCKTNOSUPPORT")


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_socketpair_of_any_family_but_unix_is_refused(name):
    fam, typ = PAIRS[name]
    # the filter answers EAFNOSUPPORT before any family code; unfiltered, the kernel runs the
    # family's create (vsock: ENODEV, inet/packet: EOPNOTSUPP/ESOCKTNOSUPPORT after it)
    assert _filtered(lambda: _pair(fam, typ)) == "EAFNOSUPPORT"


def test_tcp_udp_and_unix_pairs_still_work():
    def ordinary():
        for fam in (2, 10):
            for typ, proto in ((1, 0), (1, 6), (2, 0), (2, 17),
                               (1 | SOCK_NONBLOCK | SOCK_CLOEXEC, 6), (2 | SOCK_CLOEXEC, 17)):
                _raw_socket(fam, typ, proto)
        for typ in (1, 2, 5):
            _pair(1, typ)
        with socket.create_server(("127.0.0.1", 0)) as srv:
            socket.create_connection(srv.getsockname()).close()
    assert _filtered(ordinary) == "ok"
