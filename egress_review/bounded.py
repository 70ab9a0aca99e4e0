"""Run a disclosure check with a CPU budget, in a forked child the kernel stops (E4).

The checks read whatever a requester wrote, with hundreds of patterns; one that backs off
badly (a run of digits or blank lines tried from every place it could start) turns a crafted
output or comment into minutes of CPU, and a worker of the review service is lost meanwhile.
Finding every such pattern is not enough, so the whole check runs in a child process with
``RLIMIT_CPU`` set: past the budget the kernel kills it and the caller gets
:class:`OverBudget` - a submission then waits, blocked, for a reviewer with the reason, a
comment is refused (default deny: a check that cannot finish never passes).

A thread cannot be stopped (the regular-expression engine never checks for signals) and a
pool of spare processes would not see the caller's modules as they are now; a fork does, and
costs a few milliseconds.  Only the caller's thread lives on in the child, which runs the check
alone and leaves with ``os._exit``; a child that blocks instead of computing is killed after
``wall_factor`` times its budget of elapsed time.
"""
from __future__ import annotations

import gc
import math
import os
import pickle
import resource
import select
import signal
import time
from typing import Any, Callable

WALL_FACTOR = 10        # elapsed time allowed per second of CPU (the machine may be busy)
MIN_WALL_SECONDS = 60


class OverBudget(Exception):
    """The check did not finish within its CPU budget (or stopped making progress)."""


def run_bounded(fn: Callable[..., Any], /, *args, cpu_seconds: float, what: str,
                warm: Callable[[], None] | None = None, **kwargs) -> Any:
    """``fn(*args, **kwargs)`` computed in a child with at most ``cpu_seconds`` of CPU: its
    value, or its exception raised again here; :class:`OverBudget` when the budget ran out.
    ``warm``: called here first, to load what every child would otherwise load again."""
    if warm is not None:
        warm()
    limit = max(1, math.ceil(cpu_seconds))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                               # the child: compute, send, leave
        try:
            os.close(r)
            _child(w, limit, fn, args, kwargs)
        finally:
            os._exit(0)
    os.close(w)
    try:
        data = _read_all(r, deadline=time.monotonic() + max(MIN_WALL_SECONDS, WALL_FACTOR * limit))
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise OverBudget(f"{what} made no progress for {max(MIN_WALL_SECONDS, WALL_FACTOR * limit)} s "
                         "of elapsed time; it was stopped") from None
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        raise OverBudget(f"{what} did not finish within {limit} s of CPU (its budget); it was "
                         "stopped")
    outcome, inner, text = pickle.loads(data)
    try:
        value = pickle.loads(inner)
    except Exception:                          # an exception this side cannot rebuild
        raise RuntimeError(f"{what} failed: {text}") from None
    if outcome == "raise":
        raise value
    return value


def _child(w: int, limit: int, fn, args, kwargs) -> None:
    # nothing the parent holds is collected here: a database connection's finaliser run in the
    # child would close the parent's connection (the socket is shared) - os._exit runs none
    gc.freeze()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    try:
        outcome, value = "return", fn(*args, **kwargs)
    except BaseException as e:                 # noqa: BLE001 - every failure goes back to the caller
        outcome, value = "raise", e
    text = f"{type(value).__name__}: {value}" if outcome == "raise" else ""
    try:
        inner = pickle.dumps(value)
    except Exception as e:
        outcome, text = "raise", text or f"its result could not be sent back ({e})"
        inner = pickle.dumps(RuntimeError(text))
    data = pickle.dumps((outcome, inner, text))
    view = memoryview(data)
    while view:
        view = view[os.write(w, view):]
    os.close(w)


def _read_all(fd: int, *, deadline: float) -> bytes:
    chunks = []
    poller = select.poll()       # not select(): a busy service's descriptors pass 1024
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if not poller.poll(left * 1000):
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
