"""The broker gives back what a query's buffers left behind once its session is quiet (issue 18).

pyarrow's allocator (mimalloc) keeps the pages of a query's batches for the next query: a broker
that answered a few 1 M-row aggregates held ~100 MB more than at its start, one that returned a
200 k-row result ~250 MB more, for the rest of the session - while its researcher reads or
writes for an hour, and with dozens of sessions on a node that is most of the node's memory
(``bench/broker_memory.py``). Handing them back costs 2-3 ms of CPU, and taking the pages again
costs the next queries ~30-40 ms (page faults over ~200 MB): too much after every query (a
tenth of an aggregate), little once per pause in the researcher's work. So each request
re-arms a timer, and only when none came for ``after_s`` seconds (15: longer than the gaps
between a notebook's cells, shorter than reading a result) are the allocator's free pages
returned to the system.

Releasing while a query runs (one that outlasts the quiet time) is safe: only free pages go.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import threading
import time

log = logging.getLogger("enclave.broker")

QUIET_SECONDS = 15.0


@functools.lru_cache(maxsize=1)
def _libc_trim():
    """glibc's ``malloc_trim`` (Python's and DuckDB's large frees), or None elsewhere; looked
    up once (``find_library`` runs ``ldconfig``)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _libc_trim()
    if trim is not None:
        trim(0)


def quiet_seconds(env=os.environ) -> float:
    """``ENCLAVE_BROKER_RELEASE_AFTER_S`` (0: never release), else :data:`QUIET_SECONDS`."""
    raw = env.get("ENCLAVE_BROKER_RELEASE_AFTER_S", "").strip()
    if not raw:
        return QUIET_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"ENCLAVE_BROKER_RELEASE_AFTER_S={raw!r} is not a number of seconds") \
            from None
    if value < 0:
        raise ValueError(f"ENCLAVE_BROKER_RELEASE_AFTER_S={raw!r} is negative")
    return value


class ReleaseWhenQuiet:
    """``touch()`` at each request's start and end, from any thread (it only notes the time);
    ``after_s`` seconds after the last touch the free memory is released by :meth:`run`, on
    the thread that runs it - the broker's main thread (pyarrow's pool released from another
    thread gave nothing back: test_broker_memory); without one, the first touch starts a
    thread for it.  ``after_s`` 0 switches it off.  ``releases`` counts them."""

    def __init__(self, after_s: float, release=release_free_memory) -> None:
        self.after_s, self._release = after_s, release
        self._last = 0.0
        self._armed = False
        self._cv = threading.Condition()
        self._running = False
        self.releases = 0

    def touch(self) -> None:
        if self.after_s <= 0:
            return
        self._last = time.monotonic()
        if self._armed:   # the waiting run() reads _last again before it releases
            return
        with self._cv:
            self._armed = True
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, name="broker-release", daemon=True).start()
            self._cv.notify()

    def run(self) -> None:
        """Release after each quiet spell, on this thread, forever (switched off: just wait)."""
        with self._cv:
            self._running = True
        self._loop()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._armed:
                    self._cv.wait()
                # quiet for after_s since the last touch? (a touch meanwhile moves _last on)
                while (left := self._last + self.after_s - time.monotonic()) > 0:
                    self._cv.wait(left)
                self._armed = False
            try:
                self._release()
                self.releases += 1
            except Exception:   # a failed release costs memory, never a query
                log.exception("releasing the broker's free memory failed")
