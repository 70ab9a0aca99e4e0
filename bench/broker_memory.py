"""What a session's broker holds between queries (issue 18: node sizing).

A broker process per session is started on the bench extract (``broker_query.py``'s: 1 M-row
``claims``, 2 M-row ``wide``, encrypted with the case key), answers a researcher-like burst -
ten 1 M-row aggregates, then three 200 k-row results - is left quiet, and then answers the
same burst again.  Printed per broker: anonymous memory (``/proc/<pid>/smaps_rollup``) at
open, right after the burst and after the quiet time, and the broker's CPU for the second
burst.  Pairs alternate the quiet-time release (``hub_config.broker_memory``) on and off: the
memory columns show what it gives back, the CPU column what taking those pages again costs
the first queries after a pause (the release itself runs in the pause).

    python bench/broker_memory.py [--pairs 3] [--pool mimalloc|jemalloc|system]

``--pool`` sets ``ARROW_DEFAULT_MEMORY_POOL`` for the brokers (pyarrow's allocator; the
default is mimalloc) to compare what each gives back.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import broker_query as BQ  # noqa: E402  (the bench extract and broker start)

from enclave.core.http import Client  # noqa: E402
from tests.services.proc_memory import anonymous_mb  # noqa: E402

PURPOSE = "sizing a node: what an idle broker keeps"
QUIET_S = 1.0


def burst(c: Client) -> None:
    """Ten 1 M-row aggregates, then three 200 k-row results."""
    for _ in range(10):
        assert c.post("/api/query", {"purpose": PURPOSE, "sql": BQ.AGG}).status_code == 200
    for _ in range(3):
        r = c.post("/api/query", {"purpose": PURPOSE, "sql": "SELECT * FROM wide LIMIT 200000"})
        assert r.status_code == 200


def one_broker(tmp: Path, data: Path, release: bool) -> dict:
    os.environ["ENCLAVE_BROKER_RELEASE_AFTER_S"] = str(QUIET_S if release else 0)
    run = tmp / ("on" if release else "off") / str(time.monotonic_ns())
    run.mkdir(parents=True)
    warden, broker, url = BQ._start_broker(run, data)
    try:
        c = Client(url, {"Authorization": "token bench"}, timeout=120)
        assert c.post("/api/open", {"purpose": PURPOSE}).status_code == 200
        start = anonymous_mb(broker.pid)
        burst(c)
        busy = anonymous_mb(broker.pid)
        time.sleep(QUIET_S + 1.5)
        quiet = anonymous_mb(broker.pid)
        cpu0 = BQ._cpu(broker.pid)
        burst(c)   # the researcher is back: what the pages given back cost to take again
        again_ms = 1000 * (BQ._cpu(broker.pid) - cpu0)
        return {"release": release, "start_mb": round(start), "after_burst_mb": round(busy),
                "quiet_mb": round(quiet), "next_burst_cpu_ms": round(again_ms, 1)}
    finally:
        broker.terminate()
        broker.wait(10)
        if warden is not None:
            warden.shutdown()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--pool", choices=("mimalloc", "jemalloc", "system"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.pool:
        os.environ["ARROW_DEFAULT_MEMORY_POOL"] = args.pool
    tmp = Path(tempfile.mkdtemp(prefix="broker-memory-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    BQ.make_extract(data, plain)
    rows = []
    try:
        for i in range(args.pairs):
            order = (True, False) if i % 2 == 0 else (False, True)
            for release in order:
                rows.append(one_broker(tmp, data, release))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    print(f"pyarrow pool: {args.pool or 'default (mimalloc)'}; quiet time {QUIET_S} s")
    print("release | anon MB at open | after a burst | after quiet | broker CPU of the next burst")
    for r in rows:
        print(f"{'on ' if r['release'] else 'off'}     | {r['start_mb']:>15} | {r['after_burst_mb']:>13}"
              f" | {r['quiet_mb']:>11} | {r['next_burst_cpu_ms']:>8} ms")
    for release in (True, False):
        sel = [r for r in rows if r["release"] is release]
        print(f"median, release {'on ' if release else 'off'}: kept after quiet "
              f"{statistics.median(r['quiet_mb'] - r['start_mb'] for r in sel):.0f} MB over the "
              f"open broker; CPU of the next burst {statistics.median(r['next_burst_cpu_ms'] for r in sel):.1f} ms")
    on = [r for r in rows if r["release"]]
    off = [r for r in rows if not r["release"]]
    ratios = [a["next_burst_cpu_ms"] / b["next_burst_cpu_ms"] for a, b in zip(on, off)]
    print("per pair, CPU of the next burst on/off: " + ", ".join(f"{x:.3f}" for x in ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
