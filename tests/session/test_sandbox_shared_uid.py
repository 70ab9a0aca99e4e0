"""Sandboxes that share a uid - the brokers of one case's members (uid = broker_uid_base + case
id), or a researcher's overnight run beside her session - each get their own process cap (the
pids cgroup), not one cap shared through the uid: RLIMIT_NPROC counts every process and thread
of a uid host-wide, so with it one member's broker starved the next (found with 20 sessions of
one case, bench/session_density.py).  Without cgroups (only where the policy allows that) the
rlimit is still the cap."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest


pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root")]

HOLD = ("import os, time\n"
        "kids = []\n"
        "for i in range({n}):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(30); os._exit(0)\n"
        "    kids.append(pid)\n"
        "open('/workspace/{flag}', 'w').close()\n"
        "print('HOLDING', len(kids), flush=True)\n"
        "time.sleep(30)\n")
FORK = ("import os, time\n"
        "kids = []\n"
        "for i in range({n}):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(2); os._exit(0)\n"
        "    kids.append(pid)\n"
        "print('FORKED', len(kids), flush=True)\n")


@pytest.mark.parametrize("cgroups", [True, False])
def test_same_uid_sandboxes_do_not_share_a_process_cap(world, cgroups):
    lim = {"memory_mb": 512, "cpu_percent": 50, "max_processes": 16}
    tag = "cg" if cgroups else "nocg"
    # one uid for both sandboxes of a case, but not the other parameter's (run in parallel,
    # its processes would count against this one's rlimit)
    uid = world.uid_for(f"broker-uid-{tag}")
    a = world.spec(name=f"brokerA{tag}", uid=uid, gid=uid, limits=lim, require_limits=cgroups)
    b = world.spec(name=f"brokerB{tag}", uid=uid, gid=uid, limits=lim, require_limits=cgroups)
    if not cgroups:
        a["cgroup_root"] = b["cgroup_root"] = str(world.root / "no-cgroups-here")
    ws = world.projects / "c1" / "workspace"
    flag = f"held-{tag}"
    (ws / flag).unlink(missing_ok=True)
    path = world.root / "sandbox" / f"{a['name']}.json"
    path.write_text(json.dumps(a))
    holder = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                               sys.executable, "-c", HOLD.format(n=12, flag=flag)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (ws / flag).exists():
            assert holder.poll() is None and time.monotonic() < deadline, Path_log(a)
            time.sleep(0.05)
        code, log, err = world.run(b, [sys.executable, "-c", FORK.format(n=12)])
    finally:
        holder.kill()
        holder.wait(10)
    forked = int(log.split("FORKED ")[1].split()[0])
    if cgroups:
        assert forked == 12, log + err  # its own 16, whatever the other sandbox of the uid holds
    else:
        assert forked < 12, log + err   # the fallback rlimit: one cap for the uid


def Path_log(spec) -> str:  # noqa: N802 - a message for a failed wait
    from pathlib import Path

    p = Path(spec["log"])
    return p.read_text(errors="replace")[-2000:] if p.exists() else "(no log)"
