"""A process's anonymous (private, not file-backed) memory, from /proc/<pid>/smaps_rollup."""
from __future__ import annotations


def anonymous_mb(pid: int) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) / 1024
    raise ValueError(f"/proc/{pid}/smaps_rollup has no Anonymous line")
