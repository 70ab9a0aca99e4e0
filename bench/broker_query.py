"""In-session query through the broker vs raw DuckDB on the same extract (issue #18), the
extract encrypted at rest as the builder writes it (O3).

The broker path is the real one a session uses: ``enclave.session.query.BrokerConnection``
over a unix socket to ``python -m hub_config.broker`` (its own process, Arrow IPC back), which
has every query recorded before anything of it leaves: the aggregate, proved read-only, runs
while its record is written and is held until the 201.  "broker_serial" is the same aggregate
written ``FROM main.claims``, which the proof does not accept (qualified names wait), so it
runs only after the 201 as every query did before - the overlap's gain, in the same run.
The log's receiver here is a stand-in for the hub's
warden (a small HTTP/1.1 server on a unix socket that answers 201, keeping the connection as
the real one does): the warden lives inside a running hub, and what is measured is the
broker's own cost.  The broker runs unsandboxed here (the sandbox's cost is
bench/session_spawn.py's subject).

"raw" is DuckDB in this process reading the SAME encrypted files the same way (a view over
``parquet_crypto.dataset``: pyarrow decrypts as DuckDB scans).  What encryption costs is
measured apart, on a plain copy written by the same writer (same schema, same row groups):
the same pyarrow path without decryption, and DuckDB's own Parquet reader on it.

CPU is the sum over every thread of the client process (with the stand-in warden) and the
broker process, from /proc/<pid>/task/*/schedstat (nanoseconds; the machine's 2 cores are
shared, so CPU ratios are steadier than wall-clock ones).  Samples alternate which side runs
first.  Target: aggregate ≤ 1.05× raw.

With ``--with-warden`` the broker logs to the real warden instead (``hub_config.warden``'s
record server in a thread of this process, so its CPU is in the count; SQLite state DB, keyed audit chain
and signed checkpoint journal in a temporary home; an overnight job token, so no hub is asked
who the caller is - an interactive session's token adds that hub call per record).

    python bench/broker_query.py [--pairs 8] [--reps 10] [--json]
    python bench/broker_query.py --with-warden [--pairs 12 --reps 10]   # broker + real warden
    python bench/broker_query.py --with-warden --cpu-cap 1   # broker and raw on 1 core's threads
    python bench/broker_query.py --warden     # the real warden's record alone, per query
                                              # (1 broker, then 8 posting at once)
    python bench/broker_query.py --warden --postgres   # the same on PostgreSQL (fsync on)
    python bench/broker_query.py --threads 200 [--pairs 3]   # CPU per query by thread, broker vs raw
    python bench/broker_query.py --big-split [--pairs 8]   # the 2 M-row result, CPU by thread
    python bench/broker_query.py --ablate [--pairs 6]   # the record's CPU with each guarantee
                                                        # switched off in turn (bench only)
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.services.unix_http import Answer201 as _Warden, serve  # noqa: E402
AGG = "SELECT g, count(*) AS n, avg(x) AS mean_x, sum(y) AS sum_y FROM claims GROUP BY g ORDER BY g"
BIG = "SELECT * FROM wide"
AGG_SERIAL = AGG.replace("FROM claims", "FROM main.claims")   # not proved: waits


def _cpu(pid: int) -> float:
    """CPU seconds of all live threads of ``pid`` (ns resolution); /proc/<pid>/stat's 10 ms
    ticks where schedstat is missing."""
    total, seen = 0, False
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
            seen = True
        except (OSError, ValueError, IndexError):
            continue   # a thread that ended between listing and reading
    if seen:
        return total / 1e9
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU_CAP = 0   # --cpu-cap: DuckDB and Arrow threads of the broker and of raw alike (0: all cores)
KEY = bytes(range(32))   # the bench case's data key (O3), as the spawner would hand it over
SCOPE = "case:BENCH"
QUERIES = {"claims": "SELECT i AS id, i % 500 AS g, random() * 100 AS x, (i % 17)::BIGINT AS y "
                     "FROM range(1000000) t(i)",
           "wide": "SELECT i AS id, i % 97 AS a, random() AS b, 'code' || (i % 1000) AS c "
                   "FROM range(2000000) t(i)"}


def make_extract(d: Path, plain: Path) -> None:
    """The extract as the builder writes it (encrypted with the case key), and a plain copy of
    the same rows by the same writer (only the encryption differs)."""
    from datasets import parquet_crypto as PC

    con = duckdb.connect()
    for t, q in QUERIES.items():
        con.execute(f"CREATE TABLE {t} AS {q}")
        for where, scope in ((d, PC.Scope(SCOPE, KEY)), (plain, PC.Scope(SCOPE, None, False))):
            PC.write_reader(where / f"{t}.parquet", PC.arrow_reader(con, f"SELECT * FROM {t}"),
                            scope)
    con.close()


def _raw_connections(data: Path, plain: Path) -> dict:
    from datasets import parquet_crypto as PC

    out = {"raw": duckdb.connect(), "plain_pyarrow": duckdb.connect(),
           "plain_duckdb": duckdb.connect()}
    if CPU_CAP:   # raw gets the same compute threads as the capped broker
        import pyarrow as pa

        pa.set_cpu_count(CPU_CAP)
        for con in out.values():
            con.execute(f"SET threads={CPU_CAP}")
    for t in QUERIES:
        PC.register(out["raw"], t, PC.dataset([data / f"{t}.parquet"], PC.Scope(SCOPE, KEY)))
        PC.register(out["plain_pyarrow"], t, PC.dataset([plain / f"{t}.parquet"],
                                                        PC.Scope(SCOPE, None, False)))
        out["plain_duckdb"].execute(f"CREATE VIEW {t} AS SELECT * FROM "
                                    f"read_parquet('{plain / (t + '.parquet')}')")
    return out


def _start_broker(tmp: Path, data: Path, warden_url: str | None = None,
                  auth: str = "token bench", case: str = "BENCH"):
    """The broker process; its log goes to ``warden_url`` (the real warden) or, without it, to
    the stand-in started here (returned, to be shut down; None with the real one)."""
    bsock = tmp / "broker.sock"
    warden = None
    if warden_url is None:
        wsock = tmp / "warden.sock"
        warden = serve(wsock, _Warden)
        warden_url = f"http+unix://{quote(str(wsock), safe='')}/"
    env = dict(os.environ, ENCLAVE_BROKER_SOCKET=str(bsock), ENCLAVE_BROKER_AUTH=auth,
               ENCLAVE_WARDEN_URL=warden_url,
               ENCLAVE_CASE=case, ENCLAVE_CASE_DATA=str(data), ENCLAVE_DATA_KEY=KEY.hex(),
               ENCLAVE_QUERY_MAX_ROWS="3000000", ENCLAVE_QUERY_MAX_BYTES=str(2**31))
    if CPU_CAP:   # the spawner's cap on the broker's compute threads (policy: broker CPUs)
        env["ENCLAVE_BROKER_THREADS"] = str(CPU_CAP)
    broker = subprocess.Popen([sys.executable, "-m", "hub_config.broker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        if bsock.exists():
            break
        time.sleep(0.05)
    return warden, broker, f"http+unix://{quote(str(bsock), safe='')}/"


def real_warden(tmp: Path, url: str | None = None):
    """The hub's warden (``hub_config.warden``, its record server ``warden_http``) on a unix
    socket in a thread of this process - so its CPU is in this process's count - with a fresh SQLite state DB, master key
    and checkpoint journal under ``tmp``, one researcher, case and overnight booking running
    now, and a registered job token (so no hub is needed for whoami: the record is the same).
    Returns (url, Authorization value, case code, stop, the Warden)."""
    os.environ.update(ENCLAVE_HOME=str(tmp / "home"), ENCLAVE_KEYS=str(tmp / "keys"),
                      ENCLAVE_AUDIT_JOURNAL=str(tmp / "journal"))
    from enclave.db import upgrade
    from hub_config.warden import Warden
    from policies import load_policy
    from tests.services.warden_thread import WardenThread
    from tests.session.conftest import Rows

    url = url or f"sqlite:///{tmp / 'state.db'}"
    upgrade(url)
    rows = Rows(url)
    rows.user("ann")
    rows.case("BENCH", ["ann"])   # the extract's case (its key's scope)
    booking = rows.booking("ann", "BENCH", -5, 600, kind="overnight")

    class Runner:
        tokens = {"tok": ("ann", booking)}

        def sweep(self):
            return None

    warden = Warden(url, load_policy(), "http://127.0.0.1:9/hub/api", "unused", runner=Runner())
    served = WardenThread(warden, str(tmp / "real-warden.sock"))
    return (f"http+unix://{quote(served.sock, safe='')}/", "job tok", "BENCH", served.close, warden)


def _time_writer_steps() -> dict[str, int]:
    """Accumulate the record writer's thread CPU (ns) in each step of ``Recorder.write``: the
    gate, the chain's lock and head, the append, the checkpoint, and the whole write."""
    from hub_config import warden_record as WR

    acc: dict[str, int] = {}

    def timed(fn, name):
        def run(*a, **k):
            t = time.thread_time_ns()
            try:
                return fn(*a, **k)
            finally:
                acc[name] = acc.get(name, 0) + time.thread_time_ns() - t
        return run

    WR.gate.check = timed(WR.gate.check, "gate")   # this bench process only
    for name in ("open_chain", "append_to", "checkpoint"):
        setattr(WR, name, timed(getattr(WR, name), name))
    WR.Recorder.write = timed(WR.Recorder.write, "write")
    return acc


def _postgres_cpu(pg) -> float:
    """CPU seconds of the PostgreSQL cluster's live processes (postmaster and its children)."""
    with open(pg.data / "postmaster.pid") as f:
        root = int(f.readline())
    total = _cpu(root)
    for path in glob.glob(f"/proc/{root}/task/*/children"):
        with open(path) as f:
            for child in f.read().split():
                try:
                    total += _cpu(int(child))
                except OSError:
                    continue   # ended between listing and reading
    return total


def warden_cost(n: int = 200, brokers: tuple[int, ...] = (1, 8), postgres: bool = False) -> dict:
    """What the stand-in leaves out: the real warden's record, per query (the warden's server
    and the broker's client to it, in this process) - one broker posting alone, and several
    posting at once (their records share commits: ``commits`` counts the transactions).
    ``postgres``: the state DB is a PostgreSQL cluster started here with fsync on, and its
    processes' CPU is counted too (``db_cpu_ms``)."""
    from hub_config.broker import WardenLog

    tmp = Path(tempfile.mkdtemp(prefix="warden-bench-"))
    pg = None
    if postgres:
        from tests.services.postgres import PostgresServer

        pg = PostgresServer(fsync=True).start()
        db = pg.create_database()
    url, auth, case, stop, warden = real_warden(tmp, db if pg else None)
    steps = _time_writer_steps()
    out = {}
    for k in brokers:
        logs = [WardenLog(url, auth, case) for _ in range(k)]
        for w in logs:
            w.query("measuring the warden", "SELECT 0", None)
        each = max(1, n // k)

        def post(w):
            for i in range(each):
                w.query("measuring the warden", f"SELECT {i}", None)

        threads = [threading.Thread(target=post, args=(w,)) for w in logs]
        d0 = _postgres_cpu(pg) if pg else 0.0
        commits, c0, w0 = warden.recorder.commits, _cpu(os.getpid()), time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = each * k
        out[f"brokers_{k}"] = {
            "records": total, "wall_ms": round(1000 * (time.perf_counter() - w0) / total, 2),
            "cpu_ms": round(1000 * (_cpu(os.getpid()) - c0) / total, 2),
            "commits": warden.recorder.commits - commits}
        if pg:
            out[f"brokers_{k}"]["db_cpu_ms"] = round(1000 * (_postgres_cpu(pg) - d0) / total, 2)
        if k == 1:   # the writer's CPU per record by step (thread CPU time around each)
            out["writer_steps_1"] = {name: round(ns / total / 1e6, 3) for name, ns in steps.items()}
            out["writer_steps_1"]["connect, begin, commit, rest"] = round(
                out["writer_steps_1"].pop("write") - sum(out["writer_steps_1"].values()), 3)
        steps.clear()
    stop()
    if pg:
        pg.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _variants(url: str, warden) -> dict:
    """What each of the record's guarantees costs: the real record, and the record with ONE
    guarantee switched off, in this bench process only (never in the enclave) - each a context
    manager.  "no record" answers 201 without the writer: the warden's HTTP hop alone."""
    import contextlib

    from sqlalchemy import event

    from hub_config import warden_record as WR

    sync = {"mode": "FULL"}

    @event.listens_for(engine_for_url(url), "checkout")
    def _sync(dbapi_conn, *_):   # every variant pays this PRAGMA; only "no WAL fsync" sets OFF
        dbapi_conn.execute(f"PRAGMA synchronous={sync['mode']}")

    @contextlib.contextmanager
    def patched(obj, name, value):
        old = getattr(obj, name)
        setattr(obj, name, value)
        try:
            yield
        finally:
            setattr(obj, name, old)

    @contextlib.contextmanager
    def no_wal_fsync():
        sync["mode"] = "OFF"
        try:
            yield
        finally:
            sync["mode"] = "FULL"

    decided = {}

    def remembered_gate(conn, name, now, **kw):   # the first verdict, never asked again
        if name not in decided:
            decided[name] = real_gate(conn, name, now, **kw)
        return decided[name]

    real_gate = WR.gate.check

    def no_record(name, body, job_booking=None):
        return {"seq": 0}

    return {
        "all guarantees": contextlib.nullcontext,
        "no WAL fsync at commit": no_wal_fsync,
        "no checkpoint (signature, journal line, fsync)": lambda: patched(
            WR, "checkpoint", lambda chain: None),
        "no journal fsync": lambda: patched(os, "fsync", lambda fd: None),
        "gate verdict remembered": lambda: patched(WR.gate, "check", remembered_gate),
        "no record (warden answers 201 at once)": lambda: patched(
            warden.recorder, "record", no_record),
    }


def engine_for_url(url: str):
    from enclave.db import engine_for

    return engine_for(url)


def record_ablation(n: int = 200, pairs: int = 6) -> dict:
    """CPU per record (this process: the broker's client, the warden's loop and its writer),
    one broker posting alone, with each guarantee switched off in turn; ``pairs`` rounds,
    the variants' order rotated each round; medians and the cost of each guarantee (the
    full record's CPU minus the variant's)."""
    from hub_config.broker import WardenLog

    tmp = Path(tempfile.mkdtemp(prefix="record-ablation-"))
    url_db = f"sqlite:///{tmp / 'state.db'}"
    url, auth, case, stop, warden = real_warden(tmp, url_db)
    variants = _variants(url_db, warden)
    log = WardenLog(url, auth, case)
    for i in range(20):
        log.query("measuring the record", f"SELECT {i}", None)
    got: dict[str, list[float]] = {k: [] for k in variants}
    try:
        for r in range(pairs):
            names = list(variants)
            names = names[r % len(names):] + names[:r % len(names)]
            for name in names:
                with variants[name]():
                    log.query("measuring the record", "SELECT 0", None)   # the switch settles
                    c0 = _cpu(os.getpid())
                    for i in range(n):
                        log.query("measuring the record", f"SELECT {i}", None)
                    got[name].append(1000 * (_cpu(os.getpid()) - c0) / n)
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: round(statistics.median(v), 3) for k, v in got.items()}
    full = med["all guarantees"]
    return {"records_per_sample": n, "pairs": pairs, "cpu_ms_per_record": med,
            "samples": {k: [round(x, 3) for x in v] for k, v in got.items()},
            "cost_ms": {k: round(full - v, 3) for k, v in med.items() if k != "all guarantees"}}


def _thread_cpu(pid: int) -> dict[int, int]:
    """CPU nanoseconds of each live thread of ``pid``."""
    out = {}
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                out[int(path.split("/")[-2])] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return out


def _comm(pid: int, tid: int) -> str:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


# the broker names its event loop's request threads (hub_config.broker.name_thread); the
# query's thread is named too, but a thread inherits its creator's name, and DuckDB's and
# pyarrow's pools are started by the query's thread: so everything else in the broker process
# is the query's work, as the raw query's caller thread and the same pools are in this one
_REQUEST = "request threads (body, warden round trip, IPC)"
_QUERY = "the query (its thread, DuckDB's and pyarrow's)"


def _split_broker(pid: int, before: dict[int, int], after: dict[int, int]) -> dict[str, int]:
    out = {"main thread (event loop)": 0, _REQUEST: 0, _QUERY: 0}
    for tid, ns in after.items():
        key = "main thread (event loop)" if tid == pid else \
            _REQUEST if _comm(pid, tid) == "broker-request" else _QUERY
        out[key] += ns - before.get(tid, 0)
    return out


def thread_split(n: int, pairs: int = 3) -> dict:
    """Where the whole path's CPU goes, per query: ``pairs`` rounds, each ``n`` aggregates
    through the broker and the real warden and ``n`` raw queries in this process, alternating
    which goes first (the machine is shared: like is compared with like in the same minute).
    Each thread's CPU from /proc/<pid>/task/<tid>/schedstat: this process's threads by name
    (the session's client, the warden's server loop, its record writer); the broker's split
    into its event loop, its request threads and the rest - the query's thread and DuckDB's
    and pyarrow's pools, set against the raw query's CPU in this process (its caller, the main
    thread, and the same pools)."""
    from enclave.session.query import BrokerConnection

    tmp = Path(tempfile.mkdtemp(prefix="broker-bench-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    make_extract(data, plain)
    wurl, auth, case, stop, _ = real_warden(tmp)
    _, broker, url = _start_broker(tmp, data, wurl, auth, case)
    try:
        conn = BrokerConnection("benchmark of the broker's overhead", url, auth)
        raw = _raw_connections(data, plain)["raw"]
        for _ in range(10):   # warm: plans, proofs, pooled connections
            conn.sql(AGG).arrow()
            raw.sql(AGG).to_arrow_table()
        me = os.getpid()
        ms = lambda d: round(d / n / 1e6, 3)   # noqa: E731 - ns over n queries, as ms

        def via_broker() -> dict:
            a, b0, w0 = _thread_cpu(me), _thread_cpu(broker.pid), time.perf_counter()
            for _ in range(n):
                conn.sql(AGG).arrow()
            wall = time.perf_counter() - w0
            z, b1 = _thread_cpu(me), _thread_cpu(broker.pid)
            names = {t.native_id: t.name for t in threading.enumerate()}
            names[threading.get_native_id()] = "client (BrokerConnection)"
            mine: dict[str, float] = {}
            for tid, ns in z.items():   # unnamed: the raw connection's pools (idle here)
                key = names.get(tid, "other threads")
                mine[key] = round(mine.get(key, 0) + ms(ns - a.get(tid, 0)), 3)
            theirs = {k: ms(v) for k, v in _split_broker(broker.pid, b0, b1).items()}
            return {"wall_ms": round(1000 * wall / n, 3), "this_process": mine,
                    "broker_process": theirs,
                    "total": round(sum(mine.values()) + sum(theirs.values()), 3)}

        def via_raw() -> dict:
            c0, w0 = _cpu(me), time.perf_counter()
            for _ in range(n):
                raw.sql(AGG).to_arrow_table()
            return {"wall_ms": round(1000 * (time.perf_counter() - w0) / n, 3),
                    "cpu_ms": ms((_cpu(me) - c0) * 1e9)}

        rounds = []
        for i in range(pairs):
            got = {}
            for name in (("broker", "raw") if i % 2 == 0 else ("raw", "broker")):
                got[name] = via_broker() if name == "broker" else via_raw()
            b, r = got["broker"], got["raw"]
            work = b["broker_process"][_QUERY]
            rounds.append({**got, "query_work_broker_vs_raw": round(work / r["cpu_ms"], 3),
                           "cpu_ratio": round(b["total"] / r["cpu_ms"], 3),
                           "wall_ratio": round(b["wall_ms"] / r["wall_ms"], 3)})
        med = lambda k: round(statistics.median(x[k] for x in rounds), 3)   # noqa: E731
        return {"queries_per_round": n, "rounds": rounds,
                "median_cpu_ratio": med("cpu_ratio"), "median_wall_ratio": med("wall_ratio"),
                "median_query_work_broker_vs_raw": med("query_work_broker_vs_raw")}
    finally:
        broker.terminate()
        broker.wait(10)
        stop()
        shutil.rmtree(tmp, ignore_errors=True)


def big_split(pairs: int = 8) -> dict:
    """The 2 M-row result (~70 MB of Arrow) through the broker (stand-in warden) and raw,
    ``pairs`` rounds alternating which goes first; the broker's side split by thread as in
    :func:`thread_split`, and this process's into receiving the bytes and decoding them."""
    import pyarrow as pa

    from enclave.session.query import BrokerConnection

    tmp = Path(tempfile.mkdtemp(prefix="broker-bench-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    make_extract(data, plain)
    warden, broker, url = _start_broker(tmp, data)
    got: dict[str, list[float]] = {}
    note = lambda k, v: got.setdefault(k, []).append(v)   # noqa: E731
    try:
        conn = BrokerConnection("benchmark of the broker's overhead", url, "token bench")
        raw = _raw_connections(data, plain)["raw"]
        me = os.getpid()
        for _ in range(2):   # warm
            conn.sql(BIG).arrow()
            raw.sql(BIG).to_arrow_table()
        for i in range(pairs):
            for side in (("broker", "raw") if i % 2 == 0 else ("raw", "broker")):
                if side == "raw":
                    c0, w0 = _cpu(me), time.perf_counter()
                    raw.sql(BIG).to_arrow_table()
                    note("raw cpu", 1000 * (_cpu(me) - c0))
                    note("raw wall", 1000 * (time.perf_counter() - w0))
                    continue
                c0, b0, w0 = _cpu(me), _thread_cpu(broker.pid), time.perf_counter()
                r = conn._post("/api/query", {"purpose": conn.purpose, "sql": BIG, "params": None})
                c1 = _cpu(me)
                with pa.ipc.open_stream(pa.py_buffer(r.content)) as reader:
                    reader.read_all()
                c2, b1 = _cpu(me), _thread_cpu(broker.pid)
                note("broker wall", 1000 * (time.perf_counter() - w0))
                note("client: request and receive", 1000 * (c1 - c0))
                note("client: Arrow decode", 1000 * (c2 - c1))
                for k, v in _split_broker(broker.pid, b0, b1).items():
                    note(f"broker: {k}", v / 1e6)
                note("broker cpu", 1000 * (c2 - c0) + sum(_split_broker(broker.pid, b0, b1)
                                                          .values()) / 1e6)
    finally:
        broker.terminate()
        broker.wait(10)
        warden.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: round(statistics.median(v), 2) for k, v in got.items()}
    return {"rows": 2_000_000, "pairs": pairs, "median_ms": med,
            "cpu_ratio": round(med["broker cpu"] / med["raw cpu"], 3),
            "wall_ratio": round(med["broker wall"] / med["raw wall"], 3),
            "rows_per_cpu_s": {"broker": round(2e9 / med["broker cpu"]),
                               "raw": round(2e9 / med["raw cpu"])}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=8, help="samples each way (with --threads: "
                    "rounds of N queries each way)")
    ap.add_argument("--reps", type=int, default=10, help="queries per timed sample")
    ap.add_argument("--big", type=int, default=3, help="2 M-row results each way")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--warden", action="store_true",
                    help="only time the real warden's query record (SQLite), per query")
    ap.add_argument("--postgres", action="store_true",
                    help="with --warden: the state DB on PostgreSQL (fsync on), its CPU counted")
    ap.add_argument("--with-warden", action="store_true",
                    help="the broker logs to the real warden (its CPU counted), not the stand-in")
    ap.add_argument("--big-split", action="store_true",
                    help="only the 2 M-row result, broker vs raw, its CPU split by thread")
    ap.add_argument("--ablate", action="store_true",
                    help="only the record's CPU with each guarantee switched off in turn "
                         "(this bench process only), per record")
    ap.add_argument("--threads", type=int, default=0, metavar="N",
                    help="only split the whole path's CPU per query by thread, over N queries")
    ap.add_argument("--cpu-cap", type=int, default=0, metavar="N",
                    help="the broker's compute threads capped at N (ENCLAVE_BROKER_THREADS, as "
                         "the spawner sets from the policy) and raw DuckDB/Arrow at N too: the "
                         "rest of the host's cores are left to the warden and the hops")
    args = ap.parse_args()
    global CPU_CAP
    CPU_CAP = args.cpu_cap
    if args.big_split:
        print(json.dumps(big_split(args.pairs), indent=1))
        return 0
    if args.ablate:
        print(json.dumps(record_ablation(pairs=args.pairs), indent=1))
        return 0
    if args.threads:
        print(json.dumps(thread_split(args.threads, args.pairs), indent=1))
        return 0
    if args.warden:
        print(json.dumps(warden_cost(postgres=args.postgres)))
        return 0
    from enclave.session.query import BrokerConnection

    tmp = Path(tempfile.mkdtemp(prefix="broker-bench-"))
    data, plain = tmp / "data", tmp / "plain"
    data.mkdir()
    plain.mkdir()
    make_extract(data, plain)
    stop_real = None
    if args.with_warden:
        wurl, auth, case, stop_real, _ = real_warden(tmp)
        warden, broker, url = _start_broker(tmp, data, wurl, auth, case)
    else:
        auth = "token bench"
        warden, broker, url = _start_broker(tmp, data)
    try:
        conn = BrokerConnection("benchmark of the broker's overhead", url, auth)
        cons = _raw_connections(data, plain)
        me = os.getpid()

        split = {}   # run name -> [this process's CPU, the broker's CPU] over all samples

        def timed(fn, n=1, name=None):
            c0, b0, w0 = _cpu(me), _cpu(broker.pid), time.perf_counter()
            for _ in range(n):
                out = fn()
            mine, theirs = _cpu(me) - c0, _cpu(broker.pid) - b0
            if name is not None:
                acc = split.setdefault(name, [0.0, 0.0])
                acc[0] += mine
                acc[1] += theirs
            return time.perf_counter() - w0, mine + theirs, out

        runs = {"broker": lambda q: conn.sql(q).arrow(),
                "broker_serial": lambda q: conn.sql(AGG_SERIAL if q == AGG else q).arrow()}
        runs.update({k: (lambda q, c=c: c.sql(q).to_arrow_table()) for k, c in cons.items()})
        for fn in runs.values():   # warm (file cache, first plans)
            fn(AGG)
        samples = {k: [] for k in runs}
        pairs = []
        for i in range(args.pairs):
            order = list(runs)
            order = order[i % len(order):] + order[:i % len(order)]   # rotate who goes first
            res = {}
            for name in order:
                res[name] = timed(lambda: runs[name](AGG), args.reps, name)
                samples[name].append(res[name][:2])
            assert res["broker"][2].num_rows == res["raw"][2].num_rows == 500
            assert res["broker_serial"][2].num_rows == 500
            pairs.append({"broker_s": res["broker"][0], "raw_s": res["raw"][0],
                          "broker_cpu": res["broker"][1], "raw_cpu": res["raw"][1],
                          "wall_ratio": res["broker"][0] / res["raw"][0],
                          "cpu_ratio": res["broker"][1] / max(res["raw"][1], 1e-9),
                          "serial_wall_ratio": res["broker_serial"][0] / res["raw"][0],
                          "serial_cpu_ratio": res["broker_serial"][1] / max(res["raw"][1], 1e-9)})
        big = {}
        for k in range(args.big):
            for name in (("broker", "raw") if k % 2 == 0 else ("raw", "broker")):
                wall, cpu, tbl = timed(lambda: runs[name](BIG))
                big.setdefault(name, []).append((wall, cpu, tbl.num_rows))
        per_q = {k: {"wall_ms": round(1000 * statistics.median(w for w, _ in v) / args.reps, 2),
                     "cpu_ms": round(1000 * statistics.median(c for _, c in v) / args.reps, 2)}
                 for k, v in samples.items()}
        big_out = {k: {"rows": v[0][2], "seconds": round(statistics.median(w for w, _, _ in v), 3),
                       "cpu_s": round(statistics.median(c for _, c, _ in v), 3),
                       "rows_per_s": round(v[0][2] / statistics.median(w for w, _, _ in v)),
                       "rows_per_cpu_s": round(v[0][2] / statistics.median(c for _, c, _ in v))}
                   for k, v in big.items()}
        out = {"aggregate_rows": 1_000_000, "reps_per_sample": args.reps,
               "warden": "real (hub_config.warden, SQLite)" if args.with_warden else "stand-in",
               "cpu_cap": CPU_CAP or "all cores",
               "pairs": [{k: round(v, 4) for k, v in p.items()} for p in pairs],
               "median_wall_ratio": round(statistics.median(p["wall_ratio"] for p in pairs), 3),
               "median_cpu_ratio": round(statistics.median(p["cpu_ratio"] for p in pairs), 3),
               "serial_median_wall_ratio": round(statistics.median(
                   p["serial_wall_ratio"] for p in pairs), 3),
               "serial_median_cpu_ratio": round(statistics.median(
                   p["serial_cpu_ratio"] for p in pairs), 3),
               "total_cpu_ratio": round(sum(p["broker_cpu"] for p in pairs)
                                        / sum(p["raw_cpu"] for p in pairs), 3),
               "target_ratio": 1.05, "per_query": per_q,
               "encryption_cpu_ratio": round(per_q["raw"]["cpu_ms"]
                                             / per_q["plain_pyarrow"]["cpu_ms"], 3),
               "pyarrow_path_cpu_ratio": round(per_q["plain_pyarrow"]["cpu_ms"]
                                               / per_q["plain_duckdb"]["cpu_ms"], 3),
               "result_2m": big_out}
        if big_out:   # --big 0 leaves the 2 M-row comparison out
            out["result_2m_wall_ratio"] = round(big_out["broker"]["seconds"]
                                                / big_out["raw"]["seconds"], 3)
            out["result_2m_cpu_ratio"] = round(big_out["broker"]["cpu_s"]
                                               / big_out["raw"]["cpu_s"], 3)
        out["target_met_cpu"] = out["median_cpu_ratio"] <= 1.05
        # where a query's CPU is: this process (client, and the warden with --with-warden)
        # and the broker process, mean ms per query over every sample
        out["cpu_ms_by_process"] = {
            k: {"this_process": round(1000 * a / (args.pairs * args.reps), 2),
                "broker_process": round(1000 * b / (args.pairs * args.reps), 2)}
            for k, (a, b) in split.items()}
        if args.json:
            print(json.dumps(out, indent=1))
            return 0
        print(f"warden: {out['warden']}")
        for p in out["pairs"]:
            print(f"aggregate x{args.reps}: broker {p['broker_s']:.3f}s ({p['broker_cpu']:.3f} CPU-s)"
                  f"  raw {p['raw_s']:.3f}s ({p['raw_cpu']:.3f} CPU-s)  wall x{p['wall_ratio']:.2f}"
                  f"  cpu x{p['cpu_ratio']:.3f}")
        print(f"median: wall x{out['median_wall_ratio']}  cpu x{out['median_cpu_ratio']}  "
              f"(all pairs' CPU x{out['total_cpu_ratio']}; target <= 1.05)")
        print(f"serial (record, then query; same run): wall x{out['serial_median_wall_ratio']}  "
              f"cpu x{out['serial_median_cpu_ratio']}")
        for k, v in per_q.items():
            print(f"  per query, {k:14s} {v['wall_ms']:7.2f} ms wall {v['cpu_ms']:7.2f} ms CPU")
        for k, v in out["cpu_ms_by_process"].items():
            print(f"  CPU per query, {k:14s} this process {v['this_process']:6.2f} ms, "
                  f"broker process {v['broker_process']:6.2f} ms")
        print(f"encryption at rest (O3): encrypted / plain on the same pyarrow path "
              f"x{out['encryption_cpu_ratio']} CPU; pyarrow path / DuckDB's own reader on the "
              f"plain file x{out['pyarrow_path_cpu_ratio']} CPU")
        for k, v in big_out.items():
            print(f"2 M-row result via {k}: {v['seconds']}s, {v['rows_per_s']:,} rows/s, "
                  f"{v['cpu_s']} CPU-s ({v['rows_per_cpu_s']:,} rows per CPU-s)")
        if big_out:
            print(f"2 M-row result broker / raw: wall x{out['result_2m_wall_ratio']}  "
                  f"cpu x{out['result_2m_cpu_ratio']}")
        return 0
    finally:
        broker.terminate()
        broker.wait(10)
        if warden is not None:
            warden.shutdown()
        if stop_real is not None:
            stop_real()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
