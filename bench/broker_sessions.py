"""Many sessions querying at once: the whole path (session client, broker, real warden and its
record) against raw DuckDB, per query, with K sessions at the same time (issue #18).

bench/broker_query.py measures one session alone; a national centre has dozens at once, and
the warden's writer then commits several records in one transaction (one WAL fsync and one
signed checkpoint for all of them).  Here K brokers (each its own process, as in a session,
unsandboxed) serve K client threads of this process, all posting their records to the real
warden (its record server and writer in a thread of this process, SQLite with fsync, keyed
chain, signed checkpoint journal); every client runs N aggregates over the same 1 M-row
encrypted extract.  The raw side is K processes (a session's kernel is a process of its own),
each with its own DuckDB connection over the same encrypted files, running the same N
aggregates each.

CPU is every thread of this process plus every broker or raw process (/proc schedstat), per query;
the rounds alternate which side goes first.  All K brokers use one researcher's overnight job
token (the gate's SELECT and the record are the same for each; no hub is asked who it is).

    python bench/broker_sessions.py [--sessions 1,4,8] [--queries 25] [--pairs 3] [--threads T]
    python bench/broker_sessions.py --sessions 1 --aggregates groupby,distinct,quantiles,join

``--aggregates`` runs other aggregates over the same 1 M rows (``AGGREGATES``): the path's cost
per query is about fixed (the record, the two hops), so its ratio to raw falls as the query's
own work grows; the figures show from what query cost a given ratio holds.

Each broker and each raw session gets the policy's broker compute threads (the broker's CPU cap
in whole cores; ``--threads 0``: the host's cores, as before that setting).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import broker_query as BQ  # noqa: E402


# Aggregates over the same 1 M-row extract, cheapest first; "groupby" is bench/broker_query.py's.
# Each is a single SELECT the broker proves read-only, so it runs while its record is written.
AGGREGATES = {
    "groupby": BQ.AGG,
    "distinct": "SELECT g, y, count(DISTINCT id) AS persons, avg(x) AS mean_x FROM claims "
                "GROUP BY g, y ORDER BY g, y",
    "quantiles": "SELECT g, median(x) AS med_x, quantile_cont(x, 0.9) AS p90_x, count(*) AS n "
                 "FROM claims GROUP BY g ORDER BY g",
    "join": "SELECT c.g, count(*) AS above_mean FROM claims c JOIN (SELECT g, avg(x) AS m "
            "FROM claims GROUP BY g) a ON c.g = a.g WHERE c.x > a.m GROUP BY c.g ORDER BY c.g",
}


def _raw(data: Path):
    import duckdb

    from datasets import parquet_crypto as PC

    con = duckdb.connect()
    PC.register(con, "claims", PC.dataset([data / "claims.parquet"], PC.Scope(BQ.SCOPE, BQ.KEY)))
    return con


def _raw_worker(data: str, threads: int, sql: str) -> int:
    """A raw session: one DuckDB connection; each line "N" on stdin runs N aggregates, then
    answers "done" (the parent counts this process's CPU)."""
    con = _raw(Path(data))
    if threads:   # as the broker sizes its pools (hub_config.broker, ENCLAVE_BROKER_THREADS)
        import pyarrow as pa

        con.execute(f"SET threads={threads}")
        pa.set_cpu_count(threads)
    con.sql(sql).to_arrow_table()
    print("ready", flush=True)
    for line in sys.stdin:
        for _ in range(int(line)):
            con.sql(sql).to_arrow_table()
        print("done", flush=True)
    return 0


class _RawProcess:
    def __init__(self, data: Path, threads: int, aggregate: str) -> None:
        import subprocess

        self.proc = subprocess.Popen([sys.executable, __file__, "--raw-worker", str(data),
                                      "--threads", str(threads), "--aggregates", aggregate],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        assert self.proc.stdout.readline().strip() == "ready"

    def __call__(self, n: int) -> None:
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "done"

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


def _together(workers, n: int) -> float:
    """Run ``n`` calls of each worker, all workers at once; wall seconds."""
    start = threading.Barrier(len(workers) + 1)
    errors: list[BaseException] = []

    def run(fn):
        start.wait()
        try:
            fn(n)
        except BaseException as e:   # noqa: BLE001 - reported after the join
            errors.append(e)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    start.wait()
    w0 = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - w0


def sessions(k: int, n: int, pairs: int, threads: int, aggregate: str = "groupby") -> dict:
    from enclave.session.query import BrokerConnection

    tmp = Path(tempfile.mkdtemp(prefix="broker-sessions-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    BQ.make_extract(data, plain)
    wurl, auth, case, stop, warden = BQ.real_warden(tmp)
    brokers, raws = [], []
    os.environ["ENCLAVE_BROKER_THREADS"] = str(threads)   # 0: the host's cores
    try:
        for i in range(k):
            d = tmp / f"b{i}"
            d.mkdir()
            brokers.append(BQ._start_broker(d, data, wurl, auth, case)[1:])
        conns = [BrokerConnection("benchmark of concurrent sessions", url, auth)
                 for _, url in brokers]
        raws = [_RawProcess(data, threads, aggregate) for _ in range(k)]
        sql = AGGREGATES[aggregate]

        def session(c):
            def run(n):
                for _ in range(n):
                    c.sql(sql).arrow()
            return run

        via_broker = [session(c) for c in conns]
        via_raw = raws
        _together(via_broker, 3)   # warm: plans, proofs, pooled connections, file cache
        _together(via_raw, 3)
        me = os.getpid()
        pids = [p.pid for p, _ in brokers] + [r.pid for r in raws]
        cpu = lambda: BQ._cpu(me) + sum(BQ._cpu(p) for p in pids)   # noqa: E731
        rounds = []
        for r in range(pairs):
            got = {}
            for side in (("broker", "raw") if r % 2 == 0 else ("raw", "broker")):
                commits, c0 = warden.recorder.commits, cpu()
                wall = _together(via_broker if side == "broker" else via_raw, n)
                got[side] = {"cpu_ms": round(1000 * (cpu() - c0) / (k * n), 3),
                             "wall_ms": round(1000 * wall / n, 3)}
                if side == "broker":
                    got[side]["records_per_commit"] = round(
                        k * n / max(1, warden.recorder.commits - commits), 2)
            got["cpu_ratio"] = round(got["broker"]["cpu_ms"] / got["raw"]["cpu_ms"], 3)
            got["wall_ratio"] = round(got["broker"]["wall_ms"] / got["raw"]["wall_ms"], 3)
            rounds.append(got)
        return {"sessions": k, "aggregate": aggregate, "queries_each": n, "threads": threads,
                "rounds": rounds,
                "median_cpu_ratio": round(statistics.median(x["cpu_ratio"] for x in rounds), 3),
                "median_wall_ratio": round(statistics.median(x["wall_ratio"] for x in rounds), 3),
                "median_records_per_commit": statistics.median(
                    x["broker"]["records_per_commit"] for x in rounds)}
    finally:
        for r in raws:
            r.close()
        for p, _ in brokers:
            p.terminate()
            p.wait(10)
        stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,4,8", help="comma-separated session counts")
    ap.add_argument("--queries", type=int, default=25, help="aggregates per session per round")
    ap.add_argument("--pairs", type=int, default=3, help="rounds, alternating who goes first")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--threads", type=int, default=None,
                    help="DuckDB and Arrow compute threads of each broker and raw session "
                         "(default: the policy's broker_compute_threads; 0: the host's cores)")
    ap.add_argument("--aggregates", default="groupby",
                    help="comma-separated, from: " + ", ".join(AGGREGATES))
    ap.add_argument("--raw-worker", metavar="DATA", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.threads is None:
        from policies import current_policy

        args.threads = current_policy().sessions.broker_compute_threads
    aggregates = args.aggregates.split(",")
    unknown = [a for a in aggregates if a not in AGGREGATES]
    if unknown:
        ap.error(f"unknown aggregate(s) {', '.join(unknown)}; choose from {', '.join(AGGREGATES)}")
    if args.raw_worker:
        return _raw_worker(args.raw_worker, args.threads, AGGREGATES[aggregates[0]])
    print(f"{args.queries} aggregates (1 M rows) per session per round, {args.pairs} rounds; "
          f"CPU per query, all processes", flush=True)
    for k, aggregate in [(k, a) for a in aggregates for k in args.sessions.split(",")]:
        s = sessions(int(k), args.queries, args.pairs, args.threads, aggregate)
        with open("/proc/loadavg") as f:
            s["load"] = f.read().split()[0]
        if args.json:
            print(json.dumps(s), flush=True)
            continue
        per = "  ".join(f"{x['broker']['cpu_ms']:.1f}/{x['raw']['cpu_ms']:.1f} ms "
                        f"x{x['cpu_ratio']:.3f}" for x in s["rounds"])
        print(f"{s['aggregate']:>9}, {s['sessions']:2d} sessions ({s['threads'] or 'host'} threads): "
              f"broker/raw CPU {per} | median x{s['median_cpu_ratio']}"
              f" (wall x{s['median_wall_ratio']}), records per commit "
              f"{s['median_records_per_commit']}, load {s['load']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
