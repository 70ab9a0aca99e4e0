"""What an interactive session's query record costs in the hub (issue #18).

The warden identifies the caller of every record from its credential.  An overnight job's token
it knows itself; an interactive session's hub token it asks the hub about - ``GET /hub/api/user``
with that token (``hub_config.warden.Warden.whoami``) - on every record, so that a token revoked
at the slot's end stops the very next query.  ``bench/broker_query.py --with-warden`` posts with
a job token, so this round trip is not in its figures; this bench measures it against a real hub
(``tests/services/hub.py``'s harness: JupyterHub with the enclave's configuration, its API on
the hub's unix socket, SQLite state), through the enclave's own client (``enclave.core.http``),
as the warden calls it.

Baseline, in the same process and alternating with it: the same client's ``GET /hub/health``
on the same socket (an HTTP round trip the hub answers without looking at any token).  Per
call it prints wall time, the hub process's CPU (``/proc/<pid>/stat``) and this process's CPU,
for both, in several pairs, and the ratio of the hub's CPU.

    python bench/hub_whoami.py [--calls 200] [--pairs 4]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from enclave.core.http import Client  # noqa: E402
from enclave.db import utcnow  # noqa: E402
from hub_config.launch import socket_root_for  # noqa: E402
from tests.services.hub import HubHarness  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """utime + stime of a process and its reaped children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return sum(int(fields[k]) for k in (11, 12, 13, 14)) / TICK


def _run(fn, calls: int, hub_pid: int) -> tuple[float, float, float]:
    """(wall ms, hub CPU ms, this process's CPU ms) per call."""
    h0, c0, w0 = _cpu_s(hub_pid), time.process_time(), time.perf_counter()
    for _ in range(calls):
        fn()
    w, c, h = time.perf_counter() - w0, time.process_time() - c0, _cpu_s(hub_pid) - h0
    return w / calls * 1000, h / calls * 1000, c / calls * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--pairs", type=int, default=4)
    a = ap.parse_args()

    h = HubHarness().start()
    try:
        now = utcnow()
        h.add_user("whoami1")
        h.add_case("W1", ["whoami1"], tables={"t": [{"x": 1}]})
        h.add_booking("whoami1", "W1", now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))
        user = h.user("whoami1")
        assert user.login().status_code == 302
        token = user.make_token()
        sock = socket_root_for(h.settings) / "hub" / "hub.sock"
        api = Client(f"http+unix://{quote(str(sock), safe='')}/hub/api", timeout=30)
        hub = Client(f"http+unix://{quote(str(sock), safe='')}/hub", timeout=30)
        auth = {"Authorization": f"token {token}"}

        def whoami() -> None:
            r = api.request("GET", "user", headers=auth)
            assert r.status_code == 200 and r.json()["name"] == "whoami1", r.status_code

        def health() -> None:
            assert hub.request("GET", "health").status_code == 200

        for fn in (whoami, health):      # connections open, caches warm
            for _ in range(20):
                fn()
        pid = h.proc.pid
        ratios = []
        for k in range(a.pairs):
            order = (whoami, health) if k % 2 == 0 else (health, whoami)
            got = {fn.__name__: _run(fn, a.calls, pid) for fn in order}
            (ww, wh, wc), (bw, bh, bc) = got["whoami"], got["health"]
            ratios.append(wh / bh if bh else float("inf"))
            print(f"pair {k + 1}: whoami {ww:.2f} ms wall, hub {wh:.2f} ms CPU, caller {wc:.2f} ms CPU | "
                  f"health {bw:.2f} ms wall, hub {bh:.2f} ms CPU, caller {bc:.2f} ms CPU | "
                  f"hub CPU whoami/health x{ratios[-1]:.2f}")
        print(f"median hub CPU ratio whoami/health x{statistics.median(ratios):.2f} over {a.pairs} pairs "
              f"of {a.calls} calls (the hub's CPU includes its own background work)")
    finally:
        h.stop()


if __name__ == "__main__":
    main()
