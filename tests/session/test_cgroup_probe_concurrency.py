"""S1: the hub's check that a session's cgroup limits can be applied, run by several spawns at
once.  Each probe made a directory named after the hub's pid, so the second of two spawns at
once found the first's and was refused (503, "limits cannot be applied"), and a full run of the
hub tests saw a user's server missing.  Every probe now has a name of its own."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from hub_config import cgroups

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are written as root")


def test_probes_at_the_same_moment_all_find_the_limits_applicable():
    alone = cgroups.available()
    if alone is not None:
        pytest.skip(f"no cgroup limits on this host: {alone}")
    for _ in range(5):
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda _: cgroups.available(), range(16)))
        assert got == [None] * 16, [g for g in got if g]
    # and nothing of the probes is left behind
    left = [p for p in cgroups.Path(cgroups.CGROUP_ROOT).rglob("enclave-probe-*")]
    assert left == [], left
