"""How many sessions fit on one node (issue #18): N sandboxed sessions on this host, each with a
kernel that has queried its case through its own broker, started one after another while the
earlier ones keep running.

    sudo python bench/session_density.py [--sessions 20] [--mode on_site]

Prints for each session its login-to-ready time (with the number already running), the time
from spawn to its first query answered (broker start + kernel start + the query), and at the
end the memory: resident memory of each session's processes (server, kernel; in remote mode
also the X server and kiosk browser), of the brokers, and the host's MemAvailable drop per
session - with the sizing that follows for a node (docs/deployment.md, "Sizing").  Real hub,
proxy, sandbox and brokers (tests/services/hub.py's harness); the machine is shared, so read the
trend (time against sessions running), not single figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from session_spawn import session_rss_mb, setup  # noqa: E402
from tests.services.hub import HubHarness  # noqa: E402

QUERY = ("from enclave.session import connect\n"
         "db = connect('node sizing benchmark, counting rows')\n"
         "print('ROWS', db.sql('SELECT count(*) AS n FROM t').df()['n'][0])\n")


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--mode", choices=("on_site", "remote"), default="on_site")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    from policies import load_policy

    pol = load_policy(None)
    h = HubHarness(access_mode=a.mode)
    names = [f"dense{i:02d}" for i in range(a.sessions)]
    rows = []
    try:
        setup(h, names)
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
            rows.append({"session": i + 1, "running_before": i, "login_to_ready_s": round(ready, 2),
                         "first_query_s": round(first_query, 2)})
            if not a.json:
                print(f"session {i + 1:3d}: ready {ready:6.2f} s, kernel + broker + first query "
                      f"{first_query:6.2f} s ({i} running)", flush=True)
        time.sleep(5)
        sess = [session_rss_mb(base_uid + k + 1) for k in range(len(names))]
        brokers = session_rss_mb(broker_uid)
        drop = free0 - mem_available_mb()
    finally:
        h.stop()
    n = len(names)
    out = {"mode": a.mode, "sessions": n, "per_session": rows,
           "login_to_ready_first5_median_s": statistics.median(r["login_to_ready_s"] for r in rows[:5]),
           "login_to_ready_last5_median_s": statistics.median(r["login_to_ready_s"] for r in rows[-5:]),
           "first_query_median_s": statistics.median(r["first_query_s"] for r in rows),
           "session_rss_median_mb": round(statistics.median(sess)),
           "broker_rss_per_session_mb": round(brokers / n),
           "memavailable_drop_per_session_mb": round(drop / n)}
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
        print(f"sizing: a 64 GiB node at 80 % memory holds about "
              f"{out['sessions_per_64gib_node_by_memory']} such sessions (memory bound; CPU is "
              f"bounded by the policy's per-session share)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
