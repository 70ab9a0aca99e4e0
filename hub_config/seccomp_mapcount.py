"""Files held by mappings, bounded per process (S1, S7).

``RLIMIT_NOFILE`` bounds the descriptors a sandbox holds (``sandbox.open_files_cap``), but a
mapping keeps its file after ``close()``: open, ``mmap``, close, again - round 6 saw 8 processes
hold 480 000 files that way, every one counted against the host's ``fs.file-max``, which every
session and service draws on (ENFILE for all at the end).  The kernel's own bound,
``vm.max_map_count`` (65 530), is per process and the machine's setting.

So every ``mmap`` of a file (``MAP_ANONYMOUS`` clear) goes to the launcher
(:mod:`hub_config.statfs_notify`), which keeps for each process an estimate of its file
mappings: counted exactly (the entries of ``/proc/<pid>/map_files``, one per file mapping) the
first time the process is seen and whenever the estimate reaches the cap, raised by one per
``mmap`` in between (``munmap`` is not seen: the estimate only errs high, and an exact count
corrects it).  At the cap the call is refused with ENOMEM - what the kernel answers at
``vm.max_map_count``, which programs handle.  A sandbox then holds at most ``max_processes``
times ``MAPPED_FILES_MAX`` files this way (the pids cgroup bounds the processes; threads share
one map).  The heaviest ordinary process measured (numpy, pandas, DuckDB, matplotlib, scipy,
pyarrow imported) has 1 161 file mappings.
"""
from __future__ import annotations

import errno
import os

MMAP_NR = 9
MAP_ANONYMOUS = 0x20
MAPPED_FILES_MAX = 4096  # a process; 1 161 in the heaviest ordinary one measured
KEEP_MAX = 4096  # processes remembered; beyond, forgotten (their next mmap is counted again)


def mapped_files_cap() -> int | None:
    """The switch point (policies/rules_index.yaml): None lets every file mmap through unasked
    (the round 6 state)."""
    return MAPPED_FILES_MAX


def tgid_of(tid: int) -> int:
    with open(f"/proc/{tid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"Tgid:"):
                return int(line.split()[1])
    raise OSError(errno.ESRCH, "no such process")


def count(tid: int) -> int:
    """The file mappings of ``tid``'s process, exactly."""
    return len(os.listdir(f"/proc/{tid}/map_files"))


class MapCounter:
    """The estimates of one sandbox's processes (the launcher's, one per sandbox)."""

    def __init__(self, cap: int) -> None:
        self.cap = int(cap)
        self.estimate: dict[int, int] = {}
        self.refused = 0
        self.counted = 0

    def allow(self, tid: int) -> None:
        """One more file mapping for ``tid``'s process, or ENOMEM at the cap."""
        tgid = tgid_of(tid)
        n = self.estimate.get(tgid)
        if n is None or n >= self.cap:
            if len(self.estimate) >= KEEP_MAX:
                self.estimate.clear()
            n = count(tid)
            self.counted += 1
            if n >= self.cap:
                self.estimate[tgid] = n
                self.refused += 1
                raise OSError(errno.ENOMEM, "too many file mappings in one process")
        self.estimate[tgid] = n + 1
