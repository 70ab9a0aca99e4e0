"""The Kubernetes session profile and the native sandbox's filter are one rule model (S1, S7).

``hub_config.seccomp_rules`` renders both: the native sandbox's two stacked layers (deny list,
default-deny allow list) and the OCI profile the kubelet loads - ONE filter, default ENOSYS,
every argument rule of both layers.  Checked here: every rule of the native layers has its
counterpart in the profile; the profile is well-formed OCI seccomp JSON; and, compiled by
libseccomp as a runtime does, it gives the same answer as the two native layers stacked, for
every listed syscall and the boundary values of every argument rule (``seccomp_eval`` runs the
compiled programs; the last tests check that evaluator against the kernel itself and run
ordinary Python under the profile).
"""
from __future__ import annotations

import ctypes
import errno
import itertools
import json
import os
import subprocess
import sys

import jsonschema
import pytest
import pyseccomp as sc

from enclave.deploy.k8s.security import seccomp_profile
from hub_config import seccomp_allow, seccomp_filter, seccomp_rules
from tests.docker import seccomp_eval as ev

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 numbers")

PROFILE = seccomp_profile()
DENY, ALLOW = seccomp_rules.deny_layer(), seccomp_rules.allow_layer()
# newer than some of the lists, or left out on purpose: the default answer must be the same
UNLISTED = ["mseal", "cachestat", "process_mrelease", "memfd_secret", "map_shadow_stack",
            "listmount", "statmount", "lsm_get_self_attr", "lsm_set_self_attr",
            "lsm_list_modules", "setxattrat", "getxattrat", "open_tree_attr", "mincore",
            "io_setup", "mq_open", "vmsplice", "remap_file_pages", "fanotify_mark",
            "futex_wake", "futex_wait", "futex_requeue"]


def _oci(rule: seccomp_rules.Rule) -> dict:
    e = {"names": [rule.syscall]}
    e.update({"action": "SCMP_ACT_ALLOW"} if rule.errno is None else
             {"action": "SCMP_ACT_ERRNO", "errnoRet": rule.errno})
    if rule.args:
        e["args"] = [seccomp_rules._oci_arg(c) for c in rule.args]
    return e


def _named(action: str, errno_ret=None) -> set[str]:
    return {n for e in PROFILE["syscalls"] if e["action"] == action and "args" not in e
            and e.get("errnoRet") == errno_ret for n in e["names"]}


GUARDED = sorted(seccomp_rules.guards())


@pytest.mark.parametrize("rule", [r for r in DENY if r.args], ids=lambda r: r.syscall)
def test_every_argument_refusal_of_the_native_filter_is_in_the_profile(rule):
    assert _oci(rule) in PROFILE["syscalls"]


def test_every_outright_refusal_is_in_the_profile():
    outright = {r.syscall for r in DENY if not r.args and r.errno == errno.EPERM}
    assert outright == set(seccomp_filter.DENIED) | {"pidfd_open"}
    assert outright <= _named("SCMP_ACT_ERRNO", 1)
    # clone3 (ENOSYS natively): the profile's default answer, never allowed
    assert all("clone3" not in e["names"] for e in PROFILE["syscalls"])
    assert PROFILE["defaultAction"] == "SCMP_ACT_ERRNO" and PROFILE["defaultErrnoRet"] == 38


@pytest.mark.parametrize("rule", [r for r in ALLOW if r.args], ids=lambda r: r.syscall)
def test_every_allowed_ioctl_and_prctl_request_is_in_the_profile(rule):
    assert _oci(rule) in PROFILE["syscalls"]


def test_every_allowed_name_is_allowed_or_guarded_in_the_profile():
    outright = {r.syscall for r in DENY if not r.args and r.errno == errno.EPERM}
    names = {r.syscall for r in ALLOW if not r.args} - outright  # the first layer wins
    plain = _named("SCMP_ACT_ALLOW")
    assert names - set(GUARDED) == plain and not outright & plain
    for name in set(GUARDED) & names:  # allowed only through its permit clauses
        assert not {name} & plain
        assert any(e["names"] == [name] and e["action"] == "SCMP_ACT_ALLOW"
                   for e in PROFILE["syscalls"]), name


def test_no_rule_compares_one_argument_twice():
    # runc ORs comparisons of one argument within an entry; libseccomp refuses them
    for e in PROFILE["syscalls"]:
        idx = [a["index"] for a in e.get("args", [])]
        assert len(idx) == len(set(idx)), e


# the OCI runtime-spec's LinuxSeccomp, written out as a JSON schema
_U64 = {"type": "integer", "minimum": 0, "maximum": 2 ** 64 - 1}
_ACTIONS = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
            "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
            "SCMP_ACT_NOTIFY"]
OCI_SECCOMP = {
    "type": "object", "required": ["defaultAction"], "additionalProperties": False,
    "properties": {
        "defaultAction": {"enum": _ACTIONS},
        "defaultErrnoRet": {"type": "integer", "minimum": 0, "maximum": 2 ** 32 - 1},
        "architectures": {"type": "array", "items": {"enum": [
            "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
            "SCMP_ARCH_AARCH64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X"]}},
        "flags": {"type": "array", "items": {"type": "string"}},
        "syscalls": {"type": "array", "items": {
            "type": "object", "required": ["names", "action"], "additionalProperties": False,
            "properties": {
                "names": {"type": "array", "minItems": 1,
                          "items": {"type": "string", "pattern": "^[a-z0-9_]+$"}},
                "action": {"enum": _ACTIONS},
                "errnoRet": {"type": "integer", "minimum": 0, "maximum": 2 ** 32 - 1},
                "args": {"type": "array", "maxItems": 6, "items": {
                    "type": "object", "required": ["index", "value", "op"],
                    "additionalProperties": False,
                    "properties": {"index": {"type": "integer", "minimum": 0, "maximum": 5},
                                   "value": _U64, "valueTwo": _U64,
                                   "op": {"enum": list(seccomp_rules.OPS.values())}}}}}}}}}


def test_the_profile_is_valid_oci_seccomp_json():
    text = json.dumps(PROFILE)
    jsonschema.validate(json.loads(text), OCI_SECCOMP)
    for e in PROFILE["syscalls"]:  # an errno only where the action takes one
        assert ("errnoRet" in e) == (e["action"] == "SCMP_ACT_ERRNO"), e


@pytest.mark.parametrize("bad", [{"defaultAction": "SCMP_ACT_ALLOW_ALL"},
                                 {"syscalls": [{"names": [], "action": "SCMP_ACT_ALLOW"}]},
                                 {"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                                                "args": [{"index": 6, "value": 0,
                                                          "op": "SCMP_CMP_EQ"}]}]}])
def test_the_schema_check_refuses_a_malformed_profile(bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**PROFILE, **bad}, OCI_SECCOMP)


# ------------------------------------------------------------------ same answers
@pytest.fixture(scope="module")
def programs():
    return ([ev.export(seccomp_allow.build()), ev.export(seccomp_filter.build())],
            ev.export(seccomp_rules.compile_oci(PROFILE)))


def _candidates(name: str, index: int, joint_only: bool = False) -> list[int]:
    """Boundary values of every comparison of argument ``index`` and values beside them
    (``joint_only``: of rules comparing more than one argument, without the neighbours - each
    value of one argument is also tried with the others at their joint values)."""
    vals = {0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 1 << 32, 1 << 31}
    for r in [*DENY, *ALLOW, *seccomp_rules.merged()]:
        if r.syscall != name or (joint_only and len(r.args) < 2):
            continue
        for c in (c for c in r.args if c.index == index):
            for v in (c.value, c.mask):
                bits = [1 << b for b in range(64) if v >> b & 1] if c.op == "MASKED_EQ" else []
                vals.update([v, v | 1 << 32, *bits] if joint_only else
                            [v, v + 1, v - 1, v | 1 << 32, v | 0x80800, *bits])
    return sorted(x & 0xFFFFFFFFFFFFFFFF for x in vals)


def _points(name: str):
    """Every combination of the joint rules' values; each value of one argument with the
    others at each of their joint values' first few."""
    idx = sorted({c.index for r in [*DENY, *ALLOW] if r.syscall == name for c in r.args})
    if not idx:
        return [()]
    width = max(idx) + 1

    def place(combo):
        args = [0] * width
        for i, v in zip(idx, combo):
            args[i] = v
        return tuple(args)
    joint = [_candidates(name, i, joint_only=True) for i in idx]
    pts = {place(c) for c in itertools.product(*joint)}
    for k, i in enumerate(idx):
        for v in _candidates(name, i):
            for rest in itertools.product(*(j[:8] for n, j in enumerate(joint) if n != k)):
                rest = list(rest)
                rest.insert(k, v)
                pts.add(place(rest))
    return sorted(pts)


# x86_64 numbers of calls newer than Debian 12's libseccomp (2.5.4) knows by name
NEWER = {"mseal": 462, "listmount": 458, "statmount": 457, "lsm_get_self_attr": 459,
         "lsm_set_self_attr": 460, "lsm_list_modules": 461, "setxattrat": 463,
         "getxattrat": 464, "open_tree_attr": 467, "file_getattr": 468, "file_setattr": 469,
         "uretprobe": 335}


def _nr(name: str) -> int:
    try:
        nr = sc.resolve_syscall(sc.system_arch(), name)
    except (OSError, ValueError):
        nr = -1
    return nr if nr >= 0 else NEWER.get(name, -1)


NAMES = sorted(n for n in {r.syscall for r in [*DENY, *ALLOW]} | set(UNLISTED) | set(NEWER)
               if _nr(n) >= 0)  # "umount", "time"...: no such call on x86_64


@pytest.mark.parametrize("name", NAMES)
def test_the_profile_answers_as_the_native_layers(programs, name):
    local, k8s = programs
    nr = _nr(name)
    differ = []
    for args in _points(name):
        want, got = ev.verdict(ev.stacked(local, nr, args)), ev.verdict(ev.run(k8s, nr, args))
        if want != got:
            differ.append((args, want, got))
    assert differ == [], differ[:5]


@pytest.fixture(scope="module")
def service_programs():
    from enclave.deploy.k8s.security import service_seccomp_profile

    prof = service_seccomp_profile()
    jsonschema.validate(prof, OCI_SECCOMP)
    return ev.export(seccomp_filter.build()), ev.export(seccomp_rules.compile_oci(prof))


@pytest.mark.parametrize("name", sorted({r.syscall for r in DENY}))
def test_the_service_profile_answers_as_the_deny_layer(service_programs, name):
    deny, svc = service_programs
    nr = _nr(name)
    if nr < 0:
        pytest.skip(f"{name}: no such call on x86_64")
    differ = [(a, ev.verdict(ev.run(deny, nr, a)), ev.verdict(ev.run(svc, nr, a)))
              for a in _points(name)]
    assert [d for d in differ if d[1] != d[2]] == []


# ------------------------------------------- the evaluator, checked against the kernel
KERNEL_CALLS = [  # (name, nr, args); arguments a real call fails on harmlessly when allowed
    ("socket_packet", 41, (17, 3, 0)), ("socket_inet_raw", 41, (2, 3, 1)),
    ("socket_inet_sctp", 41, (2, 1, 132)), ("socket_netlink_audit", 41, (16, 3, 9)),
    ("socket_vsock", 41, (40, 1, 0)), ("socket_inet_tcp", 41, (2, 1, 6)),
    ("socket_unix_dgram", 41, (1, 2, 0)), ("socketpair_inet", 53, (2, 1, 0, 0)),
    ("ioctl_tiocsti", 16, (0xFFFFFFFF, 0x5412, 0)), ("ioctl_tcgets", 16, (0xFFFFFFFF, 0x5401, 0)),
    ("ioctl_fs_getversion", 16, (0xFFFFFFFF, 0x80087601, 0)),
    ("prctl_set_mm", 157, (35, 1, 0, 0, 0)), ("prctl_get_dumpable", 157, (3, 0, 0, 0, 0)),
    ("unshare_newuser", 272, (0x10000000,)), ("fcntl_notify", 72, (0xFFFFFFFF, 1026, 0)),
    ("fcntl_getfd", 72, (0xFFFFFFFF, 1, 0)), ("madvise_mergeable", 28, (0, 0, 12)),
    ("inotify_access", 254, (0xFFFFFFFF, 0, 1)), ("inotify_modify", 254, (0xFFFFFFFF, 0, 2)),
    ("mseal", 462, (0, 0, 0)), ("cachestat", 451, (0xFFFFFFFF, 0, 0, 0)),
    ("personality_addr_no_randomize", 135, (0x0040000,)), ("bpf", 321, (0, 0, 0)),
    ("fadvise_dontneed", 221, (0xFFFFFFFF, 0, 0, 4)), ("fadvise_willneed", 221, (0xFFFFFFFF, 0, 0, 3)),
    ("madvise_pageout", 28, (0, 0, 21)), ("pidfd_open_self", 434, (1, 0)),
    ("clone_pidfd", 56, (0x1000 | 17, 0, 0, 0, 0)),
    ("getsockopt_peerpidfd", 55, (0xFFFFFFFF, 1, 77, 0, 0)),
    ("getsockopt_peercred", 55, (0xFFFFFFFF, 1, 17, 0, 0)),
    ("getsockopt_cookie", 55, (0xFFFFFFFF, 1, 57, 0, 0))]


def _in_kernel(load) -> dict[str, str]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            libc.prctl(38, 1, 0, 0, 0)
            load()
            out = {}
            for name, nr, args in KERNEL_CALLS:
                res = libc.syscall(ctypes.c_long(nr), *(ctypes.c_ulong(a) for a in args))
                out[name] = "ok" if res >= 0 else errno.errorcode[ctypes.get_errno()]
            os.write(w, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    os.waitpid(pid, 0)
    return json.loads(text)


@pytest.mark.parametrize("which", ["native", "k8s"])
def test_the_evaluator_predicts_the_kernel(programs, which):
    local, k8s = programs
    if which == "native":
        got = _in_kernel(seccomp_filter.load_here)
    else:
        got = _in_kernel(lambda: seccomp_rules.compile_oci(PROFILE).load())
    for name, nr, args in KERNEL_CALLS:
        ret = ev.stacked(local, nr, args) if which == "native" else ev.run(k8s, nr, args)
        said = ev.verdict(ret)
        if said == "allow":  # the kernel ran it: worked, or failed on the descriptor -1
            assert got[name] in ("ok", "EBADF"), (name, got[name])
        else:
            assert got[name] == said, (name, got[name], said)
    # and the refusals the model exists for, in the kernel under the K8s profile
    assert got["socket_packet"] == "EAFNOSUPPORT" and got["ioctl_tiocsti"] == "EPERM"
    assert got["unshare_newuser"] == "EPERM" and got["prctl_set_mm"] == "ENOSYS"
    assert got["ioctl_tcgets"] == "EBADF" and got["socket_inet_tcp"] == "ok"
    assert got["fadvise_dontneed"] == "ok" and got["fadvise_willneed"] == "EBADF"
    assert got["pidfd_open_self"] == "EPERM" and got["clone_pidfd"] == "EPERM"
    assert got["getsockopt_peerpidfd"] == got["getsockopt_cookie"] == "EPERM"
    assert got["getsockopt_peercred"] == "EBADF"


ORDINARY = """
import json, multiprocessing, socket, sqlite3, subprocess, sys, tempfile, threading
a, b = socket.socketpair(); a.send(b'x'); assert b.recv(1) == b'x'
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
with tempfile.TemporaryDirectory() as d:
    db = sqlite3.connect(d + '/x.db'); db.execute('create table t(x)'); db.commit()
t = threading.Thread(target=lambda: None); t.start(); t.join()
with multiprocessing.Pool(2) as p: assert p.map(abs, [-1, -2]) == [1, 2]
assert subprocess.run(['/bin/true']).returncode == 0
print('ordinary ok')
"""


def test_ordinary_python_runs_under_the_k8s_profile(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE))
    loader = ("import json, sys, os, ctypes\nfrom hub_config import seccomp_rules\n"
              "ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)\n"
              "seccomp_rules.compile_oci(json.load(open(sys.argv[1]))).load()\n"
              "os.execv(sys.executable, [sys.executable, '-c', sys.argv[2]])\n")
    p = subprocess.run([sys.executable, "-c", loader, str(path), ORDINARY], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert p.returncode == 0 and "ordinary ok" in p.stdout, p.stderr[-2000:]
