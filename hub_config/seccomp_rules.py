"""One rule model for every seccomp filter of a session: the native sandbox's two layers and
the Kubernetes node profile are both rendered from it, so they cannot drift apart (S1, S7).

A :class:`Rule` is a syscall name, an action (``None``: allow; a number: fail with that errno)
and argument comparisons, ANDed.  The constants - what is refused and why - stay in
:mod:`hub_config.seccomp_filter` (the deny layer) and :mod:`hub_config.seccomp_allow` (the
default-deny allow layer); this module turns them into rules (:func:`deny_layer`,
:func:`allow_layer`), compiles rules with libseccomp (:func:`compile_rules`) and writes the one
filter a container runtime can load (:func:`oci_profile`).

Why the profile is not just the two lists side by side: an OCI profile is ONE filter, and what
libseccomp does when an unconditional rule and conditional ones of another action meet on one
syscall, or when an ALLOW and an ERRNO rule match the same call, is not something to rest a
boundary on (runc and crun may link different libseccomp versions).  So the profile's default
is the allow layer's (ENOSYS), and every syscall the deny layer refuses only for some arguments
(``clone``, ``socket``, ``fcntl``...) is allowed only by *permit* clauses that are the exact
complement of its refusals: an ALLOW rule and an ERRNO rule never match the same call, so the
result is the same whatever order the runtime's libseccomp gives them.  The complements are
made here from the same constants (:func:`guards`; the closings with a switch point are read
through ``seccomp_filter.refuse_*``); ``tests/docker/test_k8s_seccomp_parity.py`` evaluates
both compiled programs on the same calls.

Not expressible in a profile, and said in ``docs/deployment.md``: the kill of another
architecture's syscall table (the runtime's own bad-arch action applies) and the launcher's
answers to ``sysinfo``/``statfs``/``flock`` (a pod has no launcher: the runtime shows the node's),
its refusal of non-private futexes on shared files' pages and its bound on file mappings.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass

OPS = {"NE": "SCMP_CMP_NE", "LT": "SCMP_CMP_LT", "LE": "SCMP_CMP_LE", "EQ": "SCMP_CMP_EQ",
       "GE": "SCMP_CMP_GE", "GT": "SCMP_CMP_GT", "MASKED_EQ": "SCMP_CMP_MASKED_EQ"}
LOW32 = 0xFFFFFFFF


@dataclass(frozen=True)
class Cmp:
    """Argument ``index`` compared: ``op`` against ``value``; for MASKED_EQ ``(arg & mask) ==
    value``."""
    index: int
    op: str
    value: int
    mask: int = 0

    def __post_init__(self) -> None:
        if self.op not in OPS or not 0 <= self.index <= 5:
            raise ValueError(f"seccomp comparison {self!r}: unknown operator or argument")


@dataclass(frozen=True)
class Rule:
    syscall: str
    errno: int | None  # None: allow
    args: tuple[Cmp, ...] = ()

    def __post_init__(self) -> None:
        # one comparison per argument: runc ORs several on one index, libseccomp refuses them
        if len({c.index for c in self.args}) != len(self.args):
            raise ValueError(f"seccomp rule {self!r}: two comparisons of one argument")


def _eq(i: int, v: int) -> Cmp:
    return Cmp(i, "EQ", v)


def _bits(i: int, mask: int, value: int) -> Cmp:
    return Cmp(i, "MASKED_EQ", value, mask)


def _low32_not_in(i: int, values) -> list[tuple[Cmp, ...]]:
    """Permit clauses for "the low 32 bits are none of ``values``": for each value and bit, the
    values sharing its higher bits with that bit flipped, where no listed value lies."""
    vals = {v & LOW32 for v in values}
    out = []
    for v in sorted(vals):
        for b in range(31, -1, -1):
            mask = (LOW32 >> b) << b
            want = (v ^ 1 << b) & mask
            if not any(x & mask == want for x in vals):
                out.append((_bits(i, mask, want),))
    return list(dict.fromkeys(out))


def _low32_not(i: int, value: int) -> list[tuple[Cmp, ...]]:
    return _low32_not_in(i, (value,))


def guards() -> dict[str, tuple[list[Rule], list[tuple[Cmp, ...]]]]:
    """Every syscall the deny layer refuses for some arguments only: ``{name: (refusals,
    permit clauses)}``, the clauses exactly the calls no refusal matches."""
    from hub_config import seccomp_filter as f

    eperm = errno.EPERM
    g: dict[str, tuple[list[Rule], list[tuple[Cmp, ...]]]] = {}

    def any_bit(name: str, i: int, bits, err: int) -> None:
        g[name] = ([Rule(name, err, (_bits(i, b, b),)) for b in bits],
                   [(_bits(i, sum(set(bits)), 0),)])

    def low32_is(name: str, i: int, value: int, err: int) -> None:
        g[name] = ([Rule(name, err, (_bits(i, LOW32, value),))], _low32_not(i, value))

    def sockopts(name: str, level: int, optnames, err: int) -> None:
        """Refused where the low 32 bits of the level (argument 1) are ``level`` and of the
        option name (argument 2) one of ``optnames``; permitted where either differs."""
        g[name] = ([Rule(name, err, (_bits(1, LOW32, level), _bits(2, LOW32, opt)))
                    for opt in optnames],
                   _low32_not(1, level) + _low32_not_in(2, optnames))

    # the closings with a switch point each (seccomp_filter: None drops them)
    reads = f.refuse_read_reports() or {}
    evict = f.refuse_eviction() or {}
    serial = f.refuse_serial_numbers() or {}
    any_bit("clone", 0, (*f.NAMESPACE_FLAGS, *serial.get("clone_flags", ())), eperm)
    any_bit("personality", 0, f.PERSONALITY_FLAGS, eperm)
    if reads:
        any_bit("inotify_add_watch", 2, reads["inotify_events"], eperm)  # arg 2: event mask
        any_bit("preadv2", 5, (reads["rwf_nowait"],), errno.EOPNOTSUPP)  # arg 5: RWF_* flags
        low32_is("fcntl", 1, reads["f_notify"], eperm)
    low32_is("madvise", 2, f.MADV_MERGEABLE, errno.EINVAL)
    # flags refused with EPERM: the hugetlb pool; code from memory (round 11)
    flagged: dict[str, tuple[int, list[int]]] = {}
    for table in (f.refuse_huge_pages() or {}, f.refuse_exec_from_memory() or {}):
        for name, (arg, flag) in table.items():
            if flagged.setdefault(name, (arg, []))[0] != arg:
                raise ValueError(f"{name}: flags refused in two arguments")
            flagged[name][1].append(flag)
    for name, (arg, flags) in flagged.items():
        any_bit(name, arg, flags, eperm)
    if evict:  # fadvise64(fd, offset, len, advice): answered 0, done nothing
        g["fadvise64"] = ([Rule("fadvise64", 0, (_bits(3, LOW32, evict["fadvise"]),))],
                          _low32_not(3, evict["fadvise"]))
    # socket: the family, then within IPv4/IPv6 the type (low four bits) and the protocol
    refuse = [Rule("socket", errno.EAFNOSUPPORT, (_eq(0, fam),))
              for fam in range(64) if fam not in f.ALLOWED_FAMILIES]
    refuse.append(Rule("socket", errno.EAFNOSUPPORT, (Cmp(0, "GE", 64),)))
    permit: list[tuple[Cmp, ...]] = [(_eq(0, 1),)]  # AF_UNIX: any type and protocol
    top = max(f.INET_PROTOCOLS)
    for fam in f.INET_FAMILIES:
        refuse += [Rule("socket", errno.ESOCKTNOSUPPORT, (_eq(0, fam), _bits(1, 0xF, typ)))
                   for typ in range(16) if typ not in f.INET_TYPES]
        refuse += [Rule("socket", errno.EPROTONOSUPPORT, (_eq(0, fam), _eq(2, proto)))
                   for proto in range(1, top + 1) if proto not in f.INET_PROTOCOLS]
        refuse.append(Rule("socket", errno.EPROTONOSUPPORT, (_eq(0, fam), Cmp(2, "GT", top))))
        permit += [(_eq(0, fam), _bits(1, 0xF, typ), _eq(2, proto))
                   for typ in f.INET_TYPES for proto in f.INET_PROTOCOLS]
    # netlink: the routing protocol only
    refuse.append(Rule("socket", errno.EPROTONOSUPPORT, (_eq(0, 16), Cmp(2, "NE", 0))))
    permit.append((_eq(0, 16), _eq(2, 0)))
    g["socket"] = (refuse, permit)
    # socketpair: unix pairs only
    g["socketpair"] = ([Rule("socketpair", errno.EAFNOSUPPORT, (Cmp(0, "NE", 1),))],
                       [(_eq(0, 1),)])
    for call in ("getsockopt", "setsockopt"):
        if serial.get(call):
            sockopts(call, f.SOL_SOCKET, serial[call], eperm)
    # ioctl: the requests refused with EPERM; the allow layer lists the ones that run
    g["ioctl"] = ([Rule("ioctl", eperm, (_bits(1, LOW32, req),))
                   for req in (f.TIOCSTI, f.TIOCLINUX, f.TIOCSETD)], [])
    return g


def deny_layer() -> list[Rule]:
    """The first layer (allow by default): names refused outright, then the guards."""
    from hub_config import seccomp_filter as f

    outright = (*f.DENIED, *(f.refuse_serial_numbers() or {}).get("outright", ()))
    rules = [Rule(name, errno.EPERM) for name in outright]
    # clone3 passes its flags in memory a filter cannot read: ENOSYS, the C library falls
    # back to clone, whose flags are checked
    rules.append(Rule("clone3", errno.ENOSYS))
    for refusals, _permit in guards().values():
        rules += refusals
    return rules


def allow_layer() -> list[Rule]:
    """The second layer (default ENOSYS): names allowed, ioctl/prctl only for listed requests
    (compared on the low 32 bits: the kernel reads both as ``unsigned int``/``int``)."""
    from hub_config import seccomp_allow as a

    rules = [Rule(name, None) for name in dict.fromkeys(a.ALLOWED)]
    rules += [Rule("ioctl", None, (_bits(1, LOW32, req),)) for req in a.IOCTL_ALLOWED.values()]
    rules += [Rule("prctl", None, (_bits(0, LOW32, opt),)) for opt in a.PRCTL_ALLOWED.values()]
    return rules


def compile_rules(rules: list[Rule], default: int):
    """A libseccomp filter of ``rules`` (for the native arch; libseccomp adds the x32/i386
    handling).  A name this libseccomp has no number for here is skipped: nothing can call it
    through the filter's syscall table."""
    import pyseccomp as sc

    f = sc.SyscallFilter(default)
    for r in rules:
        action = sc.ALLOW if r.errno is None else sc.ERRNO(r.errno)
        args = [sc.Arg(c.index, getattr(sc, c.op), *((c.mask, c.value) if c.op == "MASKED_EQ"
                                                     else (c.value,))) for c in r.args]
        try:
            f.add_rule(action, r.syscall, *args)
        except (OSError, ValueError, RuntimeError) as e:
            if isinstance(e, OSError) and e.errno not in (errno.EDOM, errno.EFAULT, errno.EINVAL):
                raise
    return f


def merged() -> list[Rule]:
    """The two layers as one filter with default ENOSYS, ALLOW and ERRNO never overlapping
    (see the module's docstring).  Raises if the model would make them overlap."""
    g = guards()
    deny = deny_layer()
    out = [r for r in deny if r.syscall not in g]  # outright refusals
    refused = {r.syscall for r in out if not r.args}
    conditional_allow = {r.syscall for r in allow_layer() if r.errno is None and r.args}
    for r in allow_layer():
        if r.syscall in refused:  # listed, refused outright by the first layer: it wins
            continue
        if r.syscall in g and not r.args:  # allowed, but guarded: only its permit clauses
            continue
        if r.args and r.syscall in g:
            denied = {c.value for x in g[r.syscall][0] for c in x.args}
            if any(c.value in denied for c in r.args):
                raise ValueError(f"{r.syscall}: a request both allowed and refused")
        out.append(r)
    for name, (refusals, permit) in g.items():
        out += refusals
        if name not in conditional_allow:  # the allow layer lets every call of it through
            out += [Rule(name, None, clause) for clause in permit]
    # the default already answers ENOSYS (libseccomp refuses a rule equal to the default)
    return [r for r in out if r.errno != errno.ENOSYS]


def _oci_arg(c: Cmp) -> dict:
    if c.op == "MASKED_EQ":  # OCI: value is the mask, valueTwo what the masked argument equals
        return {"index": c.index, "value": c.mask, "valueTwo": c.value, "op": OPS[c.op]}
    return {"index": c.index, "value": c.value, "valueTwo": 0, "op": OPS[c.op]}


def oci_profile() -> dict:
    """The OCI seccomp profile (what the kubelet loads for a ``Localhost`` profile): the
    outright refusals first (EPERM, one entry), the unconditional allows (one entry), then one
    entry per conditional rule."""
    rules = merged()
    deny_names = sorted({r.syscall for r in rules if r.errno == errno.EPERM and not r.args})
    allow_names = sorted({r.syscall for r in rules if r.errno is None and not r.args})
    entries = [{"names": deny_names, "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM},
               {"names": allow_names, "action": "SCMP_ACT_ALLOW"}]
    for r in rules:
        if not r.args and (r.errno is None or r.errno == errno.EPERM):
            continue
        e = {"names": [r.syscall]}
        e.update({"action": "SCMP_ACT_ALLOW"} if r.errno is None else
                 {"action": "SCMP_ACT_ERRNO", "errnoRet": r.errno})
        if r.args:
            e["args"] = [_oci_arg(c) for c in r.args]
        entries.append(e)
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno.ENOSYS,
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": entries}


def deny_only_profile() -> dict:
    """The first layer alone as an OCI profile (default allow, every refusal with its errno):
    for pods that are not sessions (PostgreSQL, the proxy...), whose syscalls the allow list
    was never measured on.  No ALLOW rule in it, so no overlap to order."""
    entries = []
    for r in deny_layer():
        e = {"names": [r.syscall], "action": "SCMP_ACT_ERRNO", "errnoRet": r.errno}
        if r.args:
            e["args"] = [_oci_arg(c) for c in r.args]
        entries.append(e)
    return {"defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": entries}


def compile_oci(profile: dict):
    """The filter a runtime builds from ``profile`` (as runc does with libseccomp: the default
    action, then every entry's names with its action and ANDed arguments), for the native
    architecture - to check a profile on a node, and what the parity test evaluates.  Refuses
    what it does not understand."""
    import pyseccomp as sc

    def action(d: dict, key: str = "action", ret: str = "errnoRet") -> int:
        if d[key] == "SCMP_ACT_ALLOW":
            return sc.ALLOW
        if d[key] == "SCMP_ACT_ERRNO" and isinstance(d.get(ret), int):
            return sc.ERRNO(d[ret])
        raise ValueError(f"seccomp profile: action {d[key]!r} not understood here")

    ops = {v: k for k, v in OPS.items()}
    default = action(profile, "defaultAction", "defaultErrnoRet")
    f = sc.SyscallFilter(default)
    for e in profile["syscalls"]:
        act = action(e)
        args = []
        for a in e.get("args", []):
            op = ops[a["op"]]
            args.append(sc.Arg(a["index"], getattr(sc, op), a["value"], a.get("valueTwo", 0)))
        for name in e["names"]:
            if act == default:
                continue  # runc skips these too
            try:
                f.add_rule(act, name, *args)
            except OSError as ex:
                if ex.errno not in (errno.EDOM, errno.EFAULT, errno.EINVAL):
                    raise
    return f
