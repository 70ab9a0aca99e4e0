"""Read-only DuckDB over the case's extract, with every query logged before it runs (A3).

Inside a session the log goes to the warden over its unix socket, authenticated by the
session's hub token: the warden - not the session - decides account and case from that token
and the booking, and appends to the audit log.  If the record cannot be written the query does
not run (fail closed).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Callable, Protocol

import duckdb

DEFAULT_PURPOSE_MIN = 10


class QueryLogError(RuntimeError):
    """The query could not be logged, so it was not run."""


class QueryLog(Protocol):
    def purpose(self, purpose: str) -> None: ...
    def query(self, purpose: str, sql: str, params: Any) -> None: ...


def _unix_client(url: str, token: str, scheme: str = "token"):
    import httpx
    from urllib.parse import unquote

    if url.startswith("http+unix://"):
        sock, _, path = url[len("http+unix://"):].partition("/")
        return httpx.Client(transport=httpx.HTTPTransport(uds=unquote(sock)),
                            base_url=f"http://local/{path}",
                            headers={"Authorization": f"{scheme} {token}"}, timeout=30)
    return httpx.Client(base_url=url, headers={"Authorization": f"{scheme} {token}"}, timeout=30)


class WardenLog:
    """Posts purpose/query records to the hub's warden (the in-session default)."""

    def __init__(self, url: str, token: str, scheme: str = "token") -> None:
        self.client = _unix_client(url, token, scheme)

    def _post(self, body: dict) -> dict:
        import httpx

        try:
            r = self.client.post("/api/session-log", json=body)
        except httpx.HTTPError as e:
            raise QueryLogError(f"the query log is unreachable ({e}); nothing was run") from e
        if r.status_code != 201:
            try:
                msg = r.json().get("error", r.text)
            except ValueError:
                msg = r.text
            raise QueryLogError(f"the query log refused the record ({r.status_code}: {msg}); "
                                f"nothing was run")
        return r.json()

    def purpose(self, purpose: str) -> None:
        self._post({"event": "purpose", "purpose": purpose})

    def query(self, purpose: str, sql: str, params: Any) -> None:
        self._post({"event": "query", "purpose": purpose, "sql": sql,
                    "params": None if params is None else json.loads(json.dumps(params,
                                                                                default=str)),
                    "client_ts": dt.datetime.now(dt.timezone.utc).isoformat()})


def _views(data_dir: Path) -> dict[str, str]:
    """Table name -> parquet path or glob, for every file or directory of parquet files."""
    out: dict[str, str] = {}
    for p in sorted(data_dir.iterdir()):
        if p.is_file() and p.suffix == ".parquet":
            out[p.stem] = str(p)
        elif p.is_dir() and any(p.rglob("*.parquet")):
            out[p.name] = str(p / "**" / "*.parquet")
    return out


class CaseConnection:
    """A DuckDB connection whose every statement is logged (account, case, time, SQL, purpose).

    ``execute``/``sql`` mirror DuckDB's; results come back as DuckDB objects (``.df()``,
    ``.fetchall()`` …).  The database is in memory with one read-only view per extract table;
    file access is limited to the case data (read) and the workspace, and cannot be re-enabled.
    """

    def __init__(self, purpose: str, data_dir: Path, log: QueryLog,
                 purpose_min_length: int = DEFAULT_PURPOSE_MIN,
                 workspace: Path | None = None) -> None:
        purpose = (purpose or "").strip()
        if len(purpose) < purpose_min_length:
            raise ValueError(f"state the purpose of today's work (at least {purpose_min_length} "
                             f"characters, A3); got {purpose!r}")
        if not data_dir.is_dir():
            raise FileNotFoundError(f"case data directory {data_dir} does not exist")
        self.purpose = purpose
        self.log = log
        log.purpose(purpose)
        self._con = duckdb.connect(":memory:")
        self.tables = _views(data_dir)
        for name, src in self.tables.items():
            ident = '"' + name.replace('"', '""') + '"'
            lit = "'" + src.replace("'", "''") + "'"  # DDL takes no bound parameters
            self._con.execute(f"CREATE VIEW {ident} AS SELECT * FROM read_parquet({lit})")
        allowed = [str(data_dir).rstrip("/") + "/"]
        if workspace is not None:
            allowed.append(str(workspace).rstrip("/") + "/")
        self._con.execute(f"SET allowed_directories={allowed!r}")
        self._con.execute("SET enable_external_access=false")
        self._con.execute("SET autoinstall_known_extensions=false")
        self._con.execute("SET autoload_known_extensions=false")
        self._con.execute("SET lock_configuration=true")

    def _logged(self, sql: str, params: Any) -> None:
        if not isinstance(sql, str) or not sql.strip():
            raise ValueError("empty SQL")
        self.log.query(self.purpose, sql, params)

    def execute(self, sql: str, parameters: Any = None) -> "CaseConnection":
        self._logged(sql, parameters)
        if parameters is None:
            self._con.execute(sql)
        else:
            self._con.execute(sql, parameters)
        return self

    def sql(self, sql: str, params: Any = None) -> duckdb.DuckDBPyRelation:
        self._logged(sql, params)
        return self._con.sql(sql, params=params) if params is not None else self._con.sql(sql)

    query = sql

    def df(self):
        return self._con.df()

    def fetchall(self):
        return self._con.fetchall()

    def fetchone(self):
        return self._con.fetchone()

    def fetchdf(self):
        return self._con.fetchdf()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "CaseConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CaseConnection tables={sorted(self.tables)} purpose={self.purpose!r}>"


def connect(purpose: str | None = None, *, log: QueryLog | None = None,
            data_dir: str | os.PathLike | None = None,
            ask: Callable[[str], str] | None = None) -> CaseConnection:
    """Open the case's data for today's work.

    ``purpose`` is required (A3); without it the session asks for it (``input``) when run
    interactively.  Inside a session everything else comes from the environment the spawner
    set: ENCLAVE_CASE_DATA, ENCLAVE_WARDEN_URL, JUPYTERHUB_API_TOKEN.
    """
    minimum = int(os.environ.get("ENCLAVE_PURPOSE_MIN_LENGTH", DEFAULT_PURPOSE_MIN))
    if not purpose and ask is not None:
        purpose = ask("Purpose of today's work (logged with every query): ")
    if log is None:
        url = os.environ.get("ENCLAVE_WARDEN_URL")
        token = os.environ.get("JUPYTERHUB_API_TOKEN")
        scheme = "token"
        if not token and os.environ.get("ENCLAVE_JOB_TOKEN"):  # a registered overnight run
            token, scheme = os.environ["ENCLAVE_JOB_TOKEN"], "job"
        if not url or not token:
            raise QueryLogError("not inside an enclave session (ENCLAVE_WARDEN_URL / "
                                "JUPYTERHUB_API_TOKEN missing): queries cannot be logged")
        log = WardenLog(url, token, scheme)
    data = Path(data_dir or os.environ.get("ENCLAVE_CASE_DATA", "/case/data"))
    ws = os.environ.get("ENCLAVE_WORKSPACE")
    return CaseConnection(purpose or "", data, log, minimum, Path(ws) if ws else None)
