"""The query broker: the only way a session reaches its case's data (A3).

One broker per session (interactive server or overnight job), started by the spawner outside
the session's sandbox, in a sandbox of its own (``hub_config.sandbox``) that holds the case's
extract read-only at ``/case/data`` and nothing of any other case, no network, and runs as the
case's broker uid (``broker_uid_base`` + case id), which is not the session's uid.  The session
itself has no copy of the data: it can only send SQL to this broker over a unix socket bound
into its sandbox.

For each request the broker

1. checks the ``Authorization`` header against the one credential it was started with (the
   session's hub token, or the overnight job's token) - another session's or a forged
   credential is refused;
2. refuses statements other than queries and scratch tables (no COPY, ATTACH, INSTALL/LOAD,
   SET, PRAGMA, EXPORT ...), before anything runs or is logged;
3. has the warden append the audit record (account and case decided by the warden from that
   credential, time, SQL, purpose) - if that fails, nothing of the query leaves the broker;
4. runs it in an in-memory DuckDB whose views read the extract, with external access off
   except for ``/case/data`` and the configuration locked, and returns Arrow IPC, refusing
   results over the policy's row/byte caps.

Steps 3 and 4 overlap for a statement proved read-only (:mod:`hub_config.broker_readonly`): it
starts while the record is written, and its result or error is held until the warden has
answered 201 (the record durable); on a refused or failed record it is interrupted and
discarded, and the session gets the refusal alone.  Every other statement starts only after
the 201.

``dicom_file(DICOM_FILE)`` in a query returns an image of the extract, decrypted in memory
with the case's key (``datasets.dicom_crypto``); nothing decrypted is written to disk.

It also makes the researcher's checked tables (``/api/aggregate``, :mod:`hub_config.broker_tables`):
it runs the aggregation of ``egress_review.safe_tables`` on the case's data and seals the
units and contributions behind every cell with the per-case provenance key - a key the
session never holds (E6: seals cannot be forged from the kernel).

Its HTTP side (h11 framing, a thread per connection, Arrow IPC out) is
:mod:`hub_config.broker_http`.
Run as ``python -m hub_config.broker`` (environment: see :func:`main`).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
from tornado import httpserver, netutil

from hub_config import broker_readonly as RO
from hub_config import broker_statements as STATEMENTS
from hub_config.http import MAX_SQL_CHARS

log = logging.getLogger("enclave.broker")

# Queries, and the researcher's own in-memory scratch tables; nothing that touches files,
# settings, extensions or other databases (what an EXPLAIN runs and what a CREATE makes are
# checked too: hub_config.broker_statements).
ALLOWED_STATEMENTS = STATEMENTS.ALLOWED


class LogRefused(RuntimeError):
    """The audit record could not be written; nothing of the query left the broker (a
    read-only query started alongside was interrupted and dropped)."""


class QueryLog(Protocol):
    def purpose(self, purpose: str) -> None: ...
    def query(self, purpose: str, sql: str, params: Any) -> None: ...


class WardenLog:
    """Writes purpose/query records through the hub's warden, presenting the session's own
    credential: the warden - not the broker, not the session - decides account and case."""

    def __init__(self, url: str, authorization: str, case_code: str | None = None) -> None:
        from enclave.core.http import Client

        self.case_code = case_code
        # a kept connection, not httpx: this round trip precedes every query (issue 18)
        self.client = Client(url, {"Authorization": authorization}, timeout=30)

    def _post(self, body: dict) -> dict:
        from enclave.core.http import WireError

        if self.case_code:
            body["case"] = self.case_code  # the warden refuses a record for another case
        try:
            r = self.client.post("/api/session-log", body)
        except WireError as e:
            raise LogRefused(f"the query log is unreachable ({e}); nothing was run") from e
        if r.status_code != 201:
            try:
                msg = r.json().get("error", r.text)
            except ValueError:
                msg = r.text
            raise LogRefused(f"the query log refused the record ({r.status_code}: {msg}); "
                             f"nothing was run")
        return r.json()

    def purpose(self, purpose: str) -> None:
        self._post({"event": "purpose", "purpose": purpose})

    def query(self, purpose: str, sql: str, params: Any) -> None:
        self._post({"event": "query", "purpose": purpose, "sql": sql, "params": params,
                    "client_ts": dt.datetime.now(dt.timezone.utc).isoformat()})


def name_thread(name: str) -> None:
    """Give the calling thread a kernel name (``/proc/<pid>/task/<tid>/comm``, ``top -H``), so
    an operator - and bench/broker_query.py - can tell the broker's own threads from DuckDB's
    and pyarrow's when splitting its CPU (issue 18).  Best effort: names are cosmetic."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


class QueryRefused(ValueError):
    """The statement is not allowed, failed, or its result is over the caps."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def extract_tables(data_dir: Path) -> dict[str, str]:
    """Table name -> parquet path or glob, for every file or directory of parquet files."""
    out: dict[str, str] = {}
    for p in sorted(data_dir.iterdir()):
        if p.is_file() and p.suffix == ".parquet":
            out[p.stem] = str(p)
        elif p.is_dir() and any(p.rglob("*.parquet")):
            out[p.name] = str(p / "**" / "*.parquet")
    return out


def _dataset(data_dir: Path, src: str, scope):
    """The table's files as a pyarrow dataset that decrypts as it scans (O3); a plain file where
    encryption is required, or a file the case key does not open, is refused naming it."""
    from datasets import parquet_crypto as PC

    p = Path(src.split("/**/")[0])
    files = PC.parquet_files(p) if p.is_dir() else [p]
    return PC.dataset(files, scope, hive_root=p if p.is_dir() else None)


class CaseDatabase:
    """In-memory DuckDB with one view per extract table, locked down, every query recorded
    before anything of it leaves.

    The extract's Parquet is encrypted at rest with the case's key (``data_key``, given only to
    the broker - never to the session); pyarrow decrypts as DuckDB scans.  ``require_encrypted``
    (the policy's ``data.encrypt_at_rest``; on unless switched off) refuses plain files."""

    def __init__(self, data_dir: Path, log: QueryLog, *, max_rows: int, max_bytes: int,
                 purpose_min_length: int, memory_mb: int | None = None,
                 seal_key: bytes | None = None, case_code: str = "",
                 data_key: bytes | None = None, require_encrypted: bool = True,
                 threads: int | None = None) -> None:
        from datasets import parquet_crypto as PC

        if not data_dir.is_dir():
            raise FileNotFoundError(f"case data directory {data_dir} does not exist")
        self.log, self.max_rows, self.max_bytes = log, max_rows, max_bytes
        self.purpose_min_length = purpose_min_length
        self.seal_key, self.case_code = seal_key, case_code
        self.lock = threading.Lock()  # one DuckDB connection; kernels take turns
        self.con = duckdb.connect(":memory:")
        if memory_mb:  # below the broker's cgroup cap, so DuckDB spills instead of being killed
            self.con.execute(f"SET memory_limit='{int(memory_mb * 0.75)}MB'")
        if threads:   # the broker's CPU cap, not the host's cores (pyarrow decrypts and decodes)
            self.con.execute(f"SET threads={int(threads)}")
            pa.set_cpu_count(int(threads))
        self.data_dir = data_dir
        self.tables = extract_tables(data_dir)
        scope = PC.Scope(PC.case_scope(case_code), data_key, require_encrypted)
        for name, src in self.tables.items():
            PC.register(self.con, name, _dataset(data_dir, src, scope))
        self.scope = scope
        # images are sealed with the case's key too: a query reads one by its DICOM_FILE value
        # (logged like any query); read_blob on the file would give the sealed bytes only
        self.con.create_function("dicom_file", self._dicom_file, ["VARCHAR"], "BLOB",
                                 side_effects=True)
        # Only the extract may be read (the broker's own sandbox mounts it read-only, so it
        # cannot be written either); no other file, no extensions, and no way back.
        self.con.execute(f"SET allowed_directories=['{str(data_dir).rstrip('/')}/']")
        self.con.execute("SET enable_external_access=false")
        self.con.execute("SET autoinstall_known_extensions=false")
        self.con.execute("SET autoload_known_extensions=false")
        self.con.execute("SET lock_configuration=true")
        self._own_views = RO.own_views(self.con, self.tables)
        self._builtins = RO.builtin_functions(self.con)
        self._user_fns: frozenset[str] | None = None   # taken again after a CREATE
        self._catalog: RO.Catalog | None = None   # taken again after any unproved statement
        self._proved: dict[str, bool] = {}
        # texts once not proved: they wait for their record whatever the catalog becomes (the
        # safe answer), so they are not proved again - nor the catalog listed again for them
        self._unproved: set[str] = set()
        # statement kinds of SQL texts allowed before (parsing is a function of the text alone)
        self._kinds: dict[str, tuple[str, ...]] = {}
        # the worker that runs a read-only query while its record is written (under self.lock,
        # so one at a time and interrupt() can only reach that query)
        self._early = ThreadPoolExecutor(1, thread_name_prefix="query-while-logged",
                                         initializer=name_thread, initargs=("broker-query",))

    def _dicom_file(self, rel: str) -> bytes:
        """``dicom_file('dicom/<name>.dcm')``: the extract's image decrypted in memory with the
        case's key; a plain file where encryption is required, or one that does not open with
        this case's key for that name (another case's, moved, altered), is refused naming it."""
        from datasets import dicom_crypto as DC

        DC.check_rel(rel)
        path = (self.data_dir / rel).resolve()
        if not path.is_relative_to((self.data_dir / "dicom").resolve()) or not path.is_file():
            raise FileNotFoundError(f"{rel}: no such DICOM file in this case's extract")
        return DC.read_file(path, self.scope, rel)

    def dictionary(self) -> dict[str, list[dict]]:
        path = self.data_dir / "dictionary.json"
        described = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        out = {}
        with self.lock:
            for name in sorted(self.tables):
                if name in described:
                    out[name] = described[name]
                    continue
                ident = '"' + name.replace('"', '""') + '"'
                cols = self.con.execute(f"DESCRIBE {ident}").fetchall()
                out[name] = [{"column": c[0], "type": c[1], "action": "", "description": ""}
                             for c in cols]
        return out

    def check_purpose(self, purpose: Any) -> str:
        purpose = str(purpose or "").strip()
        if len(purpose) < self.purpose_min_length:
            raise QueryRefused(f"state the purpose of today's work (at least "
                               f"{self.purpose_min_length} characters, A3); got {purpose!r}")
        return purpose

    def open(self, purpose: Any) -> dict:
        purpose = self.check_purpose(purpose)
        self.log.purpose(purpose)
        return {"tables": sorted(self.tables)}

    def _check_sql(self, sql: Any) -> str:
        return self._checked(sql)[0]

    def _checked(self, sql: Any) -> tuple[str, list[str]]:
        """The SQL and its statements' kinds, or QueryRefused."""
        if not isinstance(sql, str) or not sql.strip():
            raise QueryRefused("empty SQL")
        if len(sql) > MAX_SQL_CHARS:
            raise QueryRefused(f"SQL longer than {MAX_SQL_CHARS} characters")
        known = self._kinds.get(sql)
        if known is not None:   # the same text parses the same: allowed before, allowed now
            return sql, list(known)
        with self.lock:
            try:
                kinds = STATEMENTS.kinds(self.con, sql)
            except STATEMENTS.Refused as e:
                raise QueryRefused(str(e), e.status) from e
        if len(self._kinds) >= RO.CACHE_MAX:
            self._kinds.clear()
        self._kinds[sql] = tuple(kinds)
        return sql, kinds

    def query(self, purpose: Any, sql: Any, params: Any = None) -> pa.Table:
        purpose = self.check_purpose(purpose)
        sql, kinds = self._checked(sql)
        if params is not None and not isinstance(params, (list, dict)):
            raise QueryRefused("params must be a JSON list or object")
        with self.lock:
            if kinds == ["SELECT"] and self._read_only(sql):
                return self._while_logged(purpose, sql, params)
        self.log.query(purpose, sql, params)  # raises LogRefused: then nothing runs
        with self.lock:
            self._catalog = None   # it may have changed tables or views
            if "CREATE" in kinds:
                self._user_fns = None   # or made a macro
            return self._run(sql, params)

    def _read_only(self, sql: str) -> bool:
        """Holding the lock: may ``sql`` start before its record is durable? (a proof is cached
        per text until an unproved statement runs, the only kind that can change the catalog;
        a text not proved stays not proved)"""
        if sql in self._unproved:
            return False
        try:
            if self._catalog is None:
                if self._user_fns is None:
                    self._user_fns = RO.user_functions(self.con)
                self._catalog = RO.catalog(self.con, self._own_views, self._builtins,
                                           self._user_fns)
                self._proved.clear()
            got = self._proved.get(sql)
            if got is None:
                if len(self._proved) >= RO.CACHE_MAX:
                    self._proved.clear()
                got = self._proved[sql] = RO.read_only(self.con, sql, self._catalog)
        except duckdb.Error:
            return False
        if not got:
            if len(self._unproved) >= RO.CACHE_MAX:
                self._unproved.clear()
            self._unproved.add(sql)
        return got

    def _while_logged(self, purpose: str, sql: str, params: Any) -> pa.Table:
        """Holding the lock: the query runs in the worker while the record is written; its
        result or its error is returned only after the warden's 201.  A refused or failed
        record interrupts it and is raised alone - the query's output, even an error naming a
        value, is dropped."""
        stop = threading.Event()
        fut = self._early.submit(self._run, sql, params, stop)
        try:
            self.log.query(purpose, sql, params)
        except BaseException:
            stop.set()
            # interrupt() does nothing before the query has started: repeat until it is over
            while not fut.done():
                self.con.interrupt()
                wait([fut], timeout=0.005)
            raise
        return fut.result()   # the result, or the query's own error, now that it is recorded

    def _run(self, sql: str, params: Any, stop: threading.Event | None = None) -> pa.Table:
        """Holding the lock (or its worker): run and read the result under the caps."""
        if stop is not None and stop.is_set():
            raise LogRefused("the record was refused before the query started")
        try:
            rel = self.con.sql(sql, params=params) if params is not None else \
                self.con.sql(sql)
            if rel is None:  # a statement without a result (scratch table)
                return pa.table({})
            reader = rel.to_arrow_reader(65536)
            batches, rows, size = [], 0, 0
            try:
                for batch in reader:
                    if stop is not None and stop.is_set():
                        raise LogRefused("the record was refused while the query ran")
                    rows += batch.num_rows
                    size += batch.nbytes
                    if rows > self.max_rows:
                        raise QueryRefused(f"the result has more than {self.max_rows} rows "
                                           f"(query_max_result_rows, A3/S1): aggregate, "
                                           f"filter or add LIMIT", 413)
                    if size > self.max_bytes:
                        raise QueryRefused(f"the result is larger than {self.max_bytes} "
                                           f"bytes (query_max_result_bytes, A3/S1)", 413)
                    batches.append(batch)
            finally:
                # a refused result is abandoned half-read: close it, or the connection
                # refuses every later query ("connection has an open result")
                reader.close()
            return pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.Error as e:
            raise QueryRefused(f"{type(e).__name__}: {e}") from e
        except OSError as e:   # DuckDB's error while the reader streams, as pyarrow raises it
            raise QueryRefused(str(e)) from e

    def aggregate(self, purpose: Any, sql: Any, params: Any, spec: Any,
                  figure: Any = None) -> dict:
        """A safe_tables table of one query's result, sealed (see hub_config.broker_tables)."""
        from hub_config.broker_tables import sealed_aggregate

        return sealed_aggregate(self, purpose, sql, params, spec, figure)


class BrokerConfigError(RuntimeError):
    pass


def listen(env) -> tuple[list, "ssl.SSLContext | None", str]:
    """The broker's listening sockets.  One host: a unix socket in a directory only the owning
    session has bound in (0666 inside it; the credential decides).  A cluster: TCP, and then
    HTTPS only - the credential and the rows would otherwise cross the pod network in clear,
    so a TCP address without a certificate is refused (the broker does not start)."""
    if env.get("ENCLAVE_BROKER_LISTEN"):
        host, sep, port = env["ENCLAVE_BROKER_LISTEN"].rpartition(":")
        if not sep or not port.isdigit():
            raise BrokerConfigError(f"ENCLAVE_BROKER_LISTEN={env['ENCLAVE_BROKER_LISTEN']!r} "
                                    "is not host:port")
        cert, key = env.get("ENCLAVE_BROKER_TLS_CERT"), env.get("ENCLAVE_BROKER_TLS_KEY")
        if not (cert and key):
            raise BrokerConfigError("ENCLAVE_BROKER_LISTEN needs ENCLAVE_BROKER_TLS_CERT and "
                                    "ENCLAVE_BROKER_TLS_KEY: the broker serves TCP over HTTPS only")
        import ssl

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as e:
            raise BrokerConfigError(f"broker certificate {cert} / key {key}: {e}") from e
        return netutil.bind_sockets(int(port), host.strip("[]") or None), ctx, f"https://{host}:{port}"
    if not env.get("ENCLAVE_BROKER_SOCKET"):
        raise BrokerConfigError("give ENCLAVE_BROKER_SOCKET (one host) or ENCLAVE_BROKER_LISTEN "
                                "with a certificate (a cluster)")
    sock = env["ENCLAVE_BROKER_SOCKET"]
    return [netutil.bind_unix_socket(sock, mode=0o666)], None, sock


def main() -> int:
    """Environment (set by the spawner / overnight runner, never by the session):
    ENCLAVE_BROKER_SOCKET, ENCLAVE_BROKER_AUTH (the Authorization value clients must present,
    also presented to the warden), ENCLAVE_WARDEN_URL, ENCLAVE_CASE, ENCLAVE_CASE_DATA,
    ENCLAVE_QUERY_MAX_ROWS, ENCLAVE_QUERY_MAX_BYTES, ENCLAVE_PURPOSE_MIN_LENGTH,
    ENCLAVE_BROKER_MEMORY_MB, ENCLAVE_BROKER_THREADS (its compute threads: the policy's broker
    CPU cap in whole cores), ENCLAVE_PROVENANCE_KEY (hex; the per-case sealing key, which only
    the broker's environment holds - removed from it at start), ENCLAVE_DATA_KEY (hex; the
    case's key for the extract's encrypted Parquet, O3 - removed likewise) and
    ENCLAVE_DATA_ENCRYPTED (``required`` unless ``optional``: plain files are refused).
    On a cluster, where the broker
    is a pod of its own: ENCLAVE_BROKER_LISTEN (host:port) with ENCLAVE_BROKER_TLS_CERT and
    ENCLAVE_BROKER_TLS_KEY instead of the socket (see :func:`listen`)."""
    logging.basicConfig(level=logging.INFO, format="[broker %(asctime)s] %(message)s")
    # PID 1 of its namespace: without a handler SIGTERM would be ignored, and the launcher
    # stops us by forwarding SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    env = os.environ
    auth = env.pop("ENCLAVE_BROKER_AUTH")
    key_hex = env.pop("ENCLAVE_PROVENANCE_KEY", "").strip()
    data_hex = env.pop("ENCLAVE_DATA_KEY", "").strip()
    required = env.pop("ENCLAVE_DATA_ENCRYPTED", "required").strip() != "optional"
    wlog = WardenLog(env["ENCLAVE_WARDEN_URL"], auth, env.get("ENCLAVE_CASE"))
    db = CaseDatabase(Path(env.get("ENCLAVE_CASE_DATA", "/case/data")), wlog,
                      max_rows=int(env["ENCLAVE_QUERY_MAX_ROWS"]),
                      max_bytes=int(env["ENCLAVE_QUERY_MAX_BYTES"]),
                      purpose_min_length=int(env.get("ENCLAVE_PURPOSE_MIN_LENGTH", "10")),
                      memory_mb=int(env.get("ENCLAVE_BROKER_MEMORY_MB", "0")) or None,
                      threads=int(env.get("ENCLAVE_BROKER_THREADS", "0")) or None,
                      seal_key=bytes.fromhex(key_hex) if key_hex else None,
                      case_code=env.get("ENCLAVE_CASE", ""),
                      data_key=bytes.fromhex(data_hex) if data_hex else None,
                      require_encrypted=required)
    from hub_config import broker_http
    from hub_config.broker_memory import ReleaseWhenQuiet, quiet_seconds

    try:
        quiet = ReleaseWhenQuiet(quiet_seconds(env))
        sockets, ssl_ctx, where = listen(env)
    except (BrokerConfigError, ValueError) as e:
        log.error("%s", e)
        return 2
    # read before serving and read to the end: once requests run, the connection is theirs (a
    # half-read result here made a fresh broker's first statement fail, "unfinished result")
    threads = db.con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    broker_http.serve(db, auth, sockets, ssl_ctx, quiet)   # a thread per connection
    log.info("broker for case %s listening on %s (%d tables; compute threads: DuckDB %s, "
             "Arrow %d)", env.get("ENCLAVE_CASE"), where, len(db.tables), threads, pa.cpu_count())
    quiet.run()   # the main thread waits for quiet spells and releases memory, until SIGTERM
    return 0


if __name__ == "__main__":
    # Run the importable module's main: run as __main__, this file's classes (QueryRefused,
    # LogRefused, CaseDatabase) would be other classes than those hub_config.broker_http
    # imports and catches, and every refusal would become a 500.
    from hub_config import broker as _module

    sys.exit(_module.main())
