"""How many sessions fit on one node (issue #18): N sandboxed sessions on this host, each with a
kernel that has queried its case through its own broker, started one after another while the
earlier ones keep running.

    sudo python bench/session_density.py [--sessions 20] [--mode on_site] [--encrypt-at-rest on]

Prints for each session its login-to-ready time (with the number already running and the
host's load), the time from spawn to its first query answered (broker start + kernel start +
the query), and at the end the memory: resident memory of each session's processes (server,
kernel; in remote mode also the X server and kiosk browser), of the brokers, and the host's
MemAvailable drop per session, the CPU all of them use idle, and the sizing that follows for a
node (docs/deployment.md, "Sizing").  Real hub, proxy, sandbox and brokers (tests/services/
hub.py's harness) over the case's extract encrypted at rest, as the default policy has it (the
bench refuses to measure otherwise; ``off`` is for comparison).  Memory and CPU are counted for
this hub's processes only; MemAvailable is the host's, so other work moves it.  The machine is
shared: read the trend (time against sessions running), not single figures.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from session_spawn import descendants, session_rss_mb, setup  # noqa: E402
from tests.services.hub import HubHarness  # noqa: E402

QUERY = ("from enclave.session import connect\n"
         "db = connect('node sizing benchmark, counting rows')\n"
         "print('ROWS', db.sql('SELECT count(*) AS n FROM t').df()['n'][0])\n")


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load1() -> float:
    # the host is shared: the 1-minute load average beside each time says what else ran
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_seconds(uids: set[int], within: set[int]) -> float:
    """User + system CPU time of the processes in ``within`` running as one of ``uids``."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in within:
        d = Path("/proc") / str(pid)
        try:   # the real uid from status (a non-dumpable process's /proc entry is root's)
            uid = int((d / "status").read_text().split("\nUid:", 1)[1].split()[0])
            if uid not in uids:
                continue
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError, ValueError):
            continue
        total += int(fields[11]) + int(fields[12])   # utime, stime
    return total / tick


def plain_policy() -> str:
    """For comparison only: the centre's policy with data.encrypt_at_rest off."""
    from policies.loader import POLICY_ROOT

    d = Path(tempfile.mkdtemp(prefix="encpol"))
    (d / "policy.yaml").write_text(f"name: bench-plain\nextends: {POLICY_ROOT / 'nhi_centre'}\n")
    (d / "data.yaml").write_text("encrypt_at_rest: false\n")
    return str(d)


def check_at_rest(h: HubHarness, encrypted: bool) -> int:
    """Refuse to measure unless the hub's policy and every Parquet file of the case's extract
    are as asked (the sizing figures are for the default: encrypted at rest)."""
    from datasets.parquet_crypto import is_encrypted
    from policies import load_policy

    if load_policy(h.opts.policy_dir).data.encrypt_at_rest != encrypted:
        raise SystemExit(f"the hub's policy has data.encrypt_at_rest "
                         f"{'off' if encrypted else 'on'}, not as asked")
    files = sorted((h.settings.projects_dir / "B1" / "data").glob("*.parquet"))
    wrong = [f.name for f in files if is_encrypted(f) != encrypted]
    if not files or wrong:
        raise SystemExit(f"the case's extract is not {'encrypted' if encrypted else 'plain'} "
                         f"at rest: {wrong or 'no files'}")
    return len(files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--mode", choices=("on_site", "remote"), default="on_site")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--encrypt-at-rest", choices=("on", "off"), default="on",
                    help="off: a policy copy with data.encrypt_at_rest off, to compare (the "
                         "sizing figures are for on, the default)")
    a = ap.parse_args()
    from policies import load_policy

    encrypted = a.encrypt_at_rest == "on"
    policy_dir = ""
    if not encrypted:   # the extract writer reads the current policy, the hub its policy_dir
        policy_dir = os.environ["ENCLAVE_POLICY"] = plain_policy()
    pol = load_policy(None)
    h = HubHarness(access_mode=a.mode, policy_dir=policy_dir)
    names = [f"dense{i:02d}" for i in range(a.sessions)]
    rows = []
    try:
        setup(h, names)
        files = check_at_rest(h, encrypted)
        if not a.json:
            print(f"extract {'encrypted' if encrypted else 'PLAIN (comparison only)'} at rest "
                  f"(O3): {files} Parquet files", flush=True)
        h.start()
        base_uid = pol.sessions.sandbox_uid_base
        broker_uid = pol.sessions.broker_uid_base + 1  # the one case B1 (id 1)
        free0 = mem_available_mb()
        for i, n in enumerate(names):
            u = h.user(n)
            t0 = time.perf_counter()
            assert u.login().status_code == 302
            u.make_token()
            u.spawn(timeout=600)
            ready = time.perf_counter() - t0
            t1 = time.perf_counter()
            out = u.execute(QUERY, timeout=600)
            assert "ROWS 100" in out, out
            first_query = time.perf_counter() - t1
            load = load1()
            rows.append({"session": i + 1, "running_before": i, "login_to_ready_s": round(ready, 2),
                         "first_query_s": round(first_query, 2), "load1": load})
            if not a.json:
                print(f"session {i + 1:3d}: ready {ready:6.2f} s, kernel + broker + first query "
                      f"{first_query:6.2f} s ({i} running, host load {load:.2f})", flush=True)
        time.sleep(5)
        # what the idle sessions and brokers cost in CPU while nobody works in them
        # (only this hub's processes: tests on the same host run sessions as the same uids)
        ours = descendants(h.proc.pid)
        uids = {base_uid + k + 1 for k in range(len(names))} | {broker_uid}
        c0, t0 = cpu_seconds(uids, ours), time.perf_counter()
        time.sleep(20)
        idle_cpu = (cpu_seconds(uids, ours) - c0) / (time.perf_counter() - t0)
        ours = descendants(h.proc.pid)
        sess = [session_rss_mb(base_uid + k + 1, ours) for k in range(len(names))]
        brokers = session_rss_mb(broker_uid, ours)
        drop = free0 - mem_available_mb()
    finally:
        h.stop()
        if policy_dir:
            shutil.rmtree(policy_dir, ignore_errors=True)
    n = len(names)
    out = {"mode": a.mode, "sessions": n, "encrypted_at_rest": encrypted, "per_session": rows,
           "login_to_ready_first5_median_s": statistics.median(r["login_to_ready_s"] for r in rows[:5]),
           "login_to_ready_last5_median_s": statistics.median(r["login_to_ready_s"] for r in rows[-5:]),
           "first_query_median_s": statistics.median(r["first_query_s"] for r in rows),
           "session_rss_median_mb": round(statistics.median(sess)),
           "broker_rss_per_session_mb": round(brokers / n),
           "memavailable_drop_per_session_mb": round(drop / n),
           "idle_cpu_all_sessions_percent_of_a_core": round(100 * idle_cpu, 1)}
    per = max(out["memavailable_drop_per_session_mb"],
              out["session_rss_median_mb"] + out["broker_rss_per_session_mb"])
    out["sessions_per_64gib_node_by_memory"] = int(64 * 1024 * 0.8 // max(per, 1))
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"login-to-ready: median of the first 5 {out['login_to_ready_first5_median_s']:.2f} s, "
              f"of the last 5 {out['login_to_ready_last5_median_s']:.2f} s ({n} sessions)")
        print(f"kernel + broker + first query: median {out['first_query_median_s']:.2f} s")
        print(f"memory per session: {out['session_rss_median_mb']} MB session processes + "
              f"{out['broker_rss_per_session_mb']} MB broker (RSS); host MemAvailable fell "
              f"{out['memavailable_drop_per_session_mb']} MB per session")
        print(f"idle CPU of the {n} sessions and their brokers together: "
              f"{out['idle_cpu_all_sessions_percent_of_a_core']} % of one core")
        print(f"sizing: a 64 GiB node at 80 % memory holds about "
              f"{out['sessions_per_64gib_node_by_memory']} such sessions (memory bound; CPU is "
              f"bounded by the policy's per-session share)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
