"""Run a compiled seccomp program (classic BPF, as libseccomp exports it) on one syscall, the way
the kernel does - to compare two filters on many calls without making them.  Checked against
the kernel itself in ``test_k8s_seccomp_parity`` (same calls, loaded for real in a child).
"""
from __future__ import annotations

import struct
import tempfile

AUDIT_ARCH_X86_64 = 0xC000003E
M32 = 0xFFFFFFFF


def export(filt) -> list[tuple[int, int, int, int]]:
    with tempfile.TemporaryFile() as t:
        filt.export_bpf(t)
        t.seek(0)
        raw = t.read()
    return [struct.unpack_from("=HBBI", raw, i) for i in range(0, len(raw), 8)]


def _data(nr: int, args, arch: int = AUDIT_ARCH_X86_64) -> bytes:
    a = [int(x) & 0xFFFFFFFFFFFFFFFF for x in args] + [0] * (6 - len(args))
    return struct.pack("=iIQ6Q", nr, arch, 0, *a)


def run(prog, nr: int, args=(), arch: int = AUDIT_ARCH_X86_64) -> int:
    data = _data(nr, args, arch)
    A = X = 0
    mem = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        cls = code & 0x07
        if cls == 0x00:  # BPF_LD
            mode = code & 0xE0
            if mode == 0x20:  # ABS, word
                A = struct.unpack_from("=I", data, k)[0]
            elif mode == 0x00:  # IMM
                A = k
            elif mode == 0x60:  # MEM
                A = mem[k]
            else:
                raise ValueError(f"ld mode {code:#x}")
        elif cls == 0x01:  # BPF_LDX
            X = mem[k] if code & 0xE0 == 0x60 else k
        elif cls == 0x02:  # BPF_ST
            mem[k] = A
        elif cls == 0x03:  # BPF_STX
            mem[k] = X
        elif cls == 0x04:  # BPF_ALU
            src = X if code & 0x08 else k
            op = code & 0xF0
            if op == 0x50:
                A &= src
            elif op == 0x40:
                A |= src
            elif op == 0xA0:
                A ^= src
            elif op == 0x00:
                A = (A + src) & M32
            elif op == 0x10:
                A = (A - src) & M32
            elif op == 0x70:
                A >>= src
            elif op == 0x60:
                A = (A << (src & 31)) & M32
            else:
                raise ValueError(f"alu op {code:#x}")
        elif cls == 0x05:  # BPF_JMP
            op = code & 0xF0
            src = X if code & 0x08 else k
            if op == 0x00:
                pc += k
                continue
            if op == 0x10:
                cond = A == src
            elif op == 0x20:
                cond = A > src
            elif op == 0x30:
                cond = A >= src
            elif op == 0x40:
                cond = bool(A & src)
            else:
                raise ValueError(f"jmp op {code:#x}")
            pc += jt if cond else jf
        elif cls == 0x06:  # BPF_RET
            return k if not code & 0x10 else A  # K or A
        elif cls == 0x07:  # BPF_MISC
            if code & 0xF8 == 0x00:
                X = A
            else:
                A = X
        else:
            raise ValueError(f"opcode {code:#x}")


def stacked(progs, nr: int, args=()) -> int:
    """Several filters loaded in this order: the kernel runs the newest first and keeps the
    result of highest precedence (action compared as signed); on a tie, the newest."""
    ret = 0x7FFF0000  # SECCOMP_RET_ALLOW
    for prog in reversed(progs):
        cur = run(prog, nr, args)
        if _signed(cur & 0xFFFF0000) < _signed(ret & 0xFFFF0000):
            ret = cur
    return ret


def _signed(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


def verdict(ret: int) -> str:
    action = ret & 0xFFFF0000
    if action == 0x7FFF0000:
        return "allow"
    if action == 0x00050000:
        import errno

        # errno 0: the call answered 0 without being made
        return errno.errorcode.get(ret & 0xFFFF, "ok") if ret & 0xFFFF else "ok"
    return f"action {action:#x}"
