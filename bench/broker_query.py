"""In-session query through the broker vs raw DuckDB on the same extract (issue #18), the
extract encrypted at rest as the builder writes it (O3; raw DuckDB reads the same encrypted
files through pyarrow, and a plain copy with its own reader to show what encryption costs).

The broker path is the real one a session uses: ``enclave.session.query.BrokerConnection``
over a unix socket to ``python -m hub_config.broker`` (its own process, Arrow IPC back), which
has every query logged before it runs.  The log's receiver here is a stand-in for the hub's
warden (a tiny HTTP server on a unix socket that answers 201): the warden lives inside a
running hub, and what is measured is the broker's own cost.  The broker runs unsandboxed here
(the sandbox's cost is bench/session_spawn.py's subject).

Prints, for N alternating pairs: wall time and CPU (client + broker + stand-in, from
/proc) of a 1 M-row aggregate through the broker and in raw DuckDB over the same Parquet, the
ratios, and rows/s of a 2 M-row result both ways.  Target: aggregate ≤ 1.05× raw.

    python bench/broker_query.py [--pairs 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn, UnixStreamServer
from urllib.parse import quote

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AGG = "SELECT g, count(*) AS n, avg(x) AS mean_x, sum(y) AS sum_y FROM claims GROUP BY g ORDER BY g"
BIG = "SELECT * FROM wide"


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Warden(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keeps the connection, as the hub's (tornado) warden does

    def do_POST(self):  # noqa: N802 - http.server's name
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        body = json.dumps({"seq": 1}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class _UnixHTTP(ThreadingMixIn, UnixStreamServer, HTTPServer):
    daemon_threads = True

    def server_bind(self):
        UnixStreamServer.server_bind(self)
        self.server_name, self.server_port = "warden", 0


KEY = bytes(range(32))   # the bench case's data key (O3), as the spawner would hand it over
QUERIES = {"claims": "SELECT i AS id, i % 500 AS g, random() * 100 AS x, (i % 17)::BIGINT AS y "
                     "FROM range(1000000) t(i)",
           "wide": "SELECT i AS id, i % 97 AS a, random() AS b, 'code' || (i % 1000) AS c "
                   "FROM range(2000000) t(i)"}


def make_extract(d: Path, plain: Path) -> None:
    """The extract as the builder writes it (encrypted with the case key), and a plain copy
    of the same rows for raw DuckDB's own Parquet reader."""
    from datasets import parquet_crypto as PC

    con = duckdb.connect()
    for t, q in QUERIES.items():
        con.execute(f"CREATE TABLE {t} AS {q}")
        PC.write_reader(d / f"{t}.parquet", PC.arrow_reader(con, f"SELECT * FROM {t}"),
                        PC.Scope(PC.case_scope("BENCH"), KEY))
        con.execute(f"COPY {t} TO '{plain / (t + '.parquet')}' (FORMAT parquet)")
    con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--reps", type=int, default=5, help="queries per timed sample (CPU clock ticks are 10 ms)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from enclave.session.query import BrokerConnection

    tmp = Path(tempfile.mkdtemp(prefix="broker-bench-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    make_extract(data, plain)
    wsock, bsock = tmp / "warden.sock", tmp / "broker.sock"
    warden = _UnixHTTP(str(wsock), _Warden)
    threading.Thread(target=warden.serve_forever, daemon=True).start()
    env = dict(os.environ, ENCLAVE_BROKER_SOCKET=str(bsock), ENCLAVE_BROKER_AUTH="token bench",
               ENCLAVE_WARDEN_URL=f"http+unix://{quote(str(wsock), safe='')}/",
               ENCLAVE_CASE="BENCH", ENCLAVE_CASE_DATA=str(data), ENCLAVE_DATA_KEY=KEY.hex(),
               ENCLAVE_QUERY_MAX_ROWS="3000000", ENCLAVE_QUERY_MAX_BYTES=str(2**31))
    broker = subprocess.Popen([sys.executable, "-m", "hub_config.broker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if bsock.exists():
                break
            time.sleep(0.05)
        conn = BrokerConnection("benchmark of the broker's overhead", f"http+unix://{quote(str(bsock), safe='')}/",
                                "token bench")
        from datasets import parquet_crypto as PC

        # raw DuckDB on the same encrypted files (pyarrow decrypting, as in the broker) ...
        raw = duckdb.connect()
        for t in QUERIES:
            PC.register(raw, t, PC.dataset([data / f"{t}.parquet"], PC.Scope(PC.case_scope("BENCH"), KEY)))
        # ... and on plain copies (DuckDB's own reader): what encryption costs
        raw_plain = duckdb.connect()
        for t in QUERIES:
            raw_plain.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{plain / (t + '.parquet')}')")
        me = os.getpid()

        def timed(fn):
            c0, b0, w0 = _cpu(me), _cpu(broker.pid), time.perf_counter()
            out = fn()
            return time.perf_counter() - w0, (_cpu(me) - c0) + (_cpu(broker.pid) - b0), out

        # warm both (file cache, DuckDB's first plan)
        conn.sql(AGG), raw.sql(AGG).to_arrow_table(), raw_plain.sql(AGG).to_arrow_table()
        plain_s = []
        pairs = []
        for i in range(args.pairs):
            def via_broker():
                return [conn.sql(AGG).arrow() for _ in range(args.reps)][-1]

            def via_raw():
                return [raw.sql(AGG).to_arrow_table() for _ in range(args.reps)][-1]

            order = [("broker", via_broker), ("raw", via_raw)]
            if i % 2:
                order.reverse()
            res = {name: timed(fn) for name, fn in order}
            plain_s.append(timed(lambda: [raw_plain.sql(AGG).to_arrow_table() for _ in range(args.reps)])[0])
            assert res["broker"][2].num_rows == res["raw"][2].num_rows == 500
            pairs.append({"broker_s": res["broker"][0], "raw_s": res["raw"][0],
                          "broker_cpu": res["broker"][1], "raw_cpu": res["raw"][1],
                          "wall_ratio": res["broker"][0] / res["raw"][0],
                          "cpu_ratio": res["broker"][1] / max(res["raw"][1], 1e-9)})
        big = {}
        for name, fn in (("broker", lambda: conn.sql(BIG).arrow()), ("raw", lambda: raw.sql(BIG).to_arrow_table())):
            wall, cpu, tbl = timed(fn)
            big[name] = {"rows": tbl.num_rows, "seconds": round(wall, 3), "cpu_s": round(cpu, 3),
                         "rows_per_s": round(tbl.num_rows / wall)}
        out = {"aggregate_rows": 1_000_000, "pairs": [{k: round(v, 4) for k, v in p.items()} for p in pairs],
               "median_wall_ratio": round(statistics.median(p["wall_ratio"] for p in pairs), 3),
               "median_cpu_ratio": round(statistics.median(p["cpu_ratio"] for p in pairs), 3),
               "target_wall_ratio": 1.05, "result_2m": big,
               "raw_plain_s": round(statistics.median(plain_s), 4),
               "encrypted_vs_plain_raw": round(statistics.median(p["raw_s"] for p in pairs)
                                               / statistics.median(plain_s), 2),
               "result_2m_ratio": round(big["broker"]["seconds"] / big["raw"]["seconds"], 2)}
        out["target_met"] = out["median_wall_ratio"] <= 1.05
        if args.json:
            print(json.dumps(out, indent=1))
        else:
            for p in out["pairs"]:
                print(f"aggregate x{args.reps}: broker {p['broker_s']:.3f}s ({p['broker_cpu']:.2f} CPU-s)  raw {p['raw_s']:.3f}s "
                      f"({p['raw_cpu']:.2f} CPU-s)  wall x{p['wall_ratio']:.2f}  cpu x{p['cpu_ratio']:.2f}")
            print(f"median: wall x{out['median_wall_ratio']}  cpu x{out['median_cpu_ratio']} (target <= 1.05 wall)")
            print(f"raw DuckDB on plain Parquet: {out['raw_plain_s']:.3f}s; raw on the encrypted files "
                  f"x{out['encrypted_vs_plain_raw']} of that (the cost of encryption at rest, O3)")
            for k, v in big.items():
                print(f"2 M-row result via {k}: {v['seconds']}s, {v['rows_per_s']:,} rows/s, {v['cpu_s']} CPU-s")
        return 0
    finally:
        broker.terminate()
        broker.wait(10)
        warden.shutdown()


if __name__ == "__main__":
    sys.exit(main())
