"""The session's connection to its case's data: a client of the query broker (A3).

The extract is not in the session's sandbox at all.  ``connect(purpose)`` talks to the
session's broker (``hub_config.broker``) over a unix socket; the broker checks the session's
credential, has the warden log account, case, time, SQL and purpose, and runs the query in a
locked-down DuckDB outside the sandbox, returning Arrow only once the record is durable (a
read-only query may start while it is written).  Nothing of a query that cannot be logged -
rows or error - reaches the session.

A DataFrame from ``con.sql(...).df()`` remembers its query (``df.attrs["enclave_source"]``), so
the table helpers of ``egress_review.safe_tables`` can have the broker make the same table and
seal it with the case key, which the session never holds.
"""
from __future__ import annotations

import json
import os
from typing import Any, Callable

import itertools
import weakref

import pyarrow as pa

from enclave.core import http as wire

DEFAULT_PURPOSE_MIN = 10
ARROW_STREAM = "application/vnd.apache.arrow.stream"


class QueryLogError(RuntimeError):
    """The query could not be logged (or the broker could not be reached), so it was not run."""


class QueryError(RuntimeError):
    """The broker refused or failed the statement (not allowed, SQL error, result too large)."""


# Live connections by id: a DataFrame's attrs name its connection by id (attrs are copied with
# the frame, a client object must not be).
_CONNECTIONS: "weakref.WeakValueDictionary[str, BrokerConnection]" = weakref.WeakValueDictionary()
_IDS = itertools.count(1)


def connection_by_id(conn_id: Any) -> "BrokerConnection | None":
    return _CONNECTIONS.get(conn_id) if isinstance(conn_id, str) else None


class Result:
    """A query's result (already fetched, as Arrow); DuckDB-like accessors."""

    def __init__(self, table: pa.Table, source: dict | None = None) -> None:
        self._table = table
        self._pos = 0
        self._source = source

    @property
    def columns(self) -> list[str]:
        return list(self._table.column_names)

    def arrow(self) -> pa.Table:
        return self._table

    def df(self):
        frame = self._table.to_pandas()
        if self._source is not None:
            frame.attrs["enclave_source"] = dict(self._source)
        return frame

    fetchdf = df

    def fetchall(self) -> list[tuple]:
        rows = self._rows()[self._pos:]
        self._pos = self._table.num_rows
        return rows

    def fetchone(self) -> tuple | None:
        rows = self._rows()
        if self._pos >= len(rows):
            return None
        self._pos += 1
        return rows[self._pos - 1]

    def _rows(self) -> list[tuple]:
        cols = [c.to_pylist() for c in self._table.columns]
        return list(zip(*cols)) if cols else []

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        return f"<Result {self._table.num_rows} rows: {', '.join(self.columns)}>"


class BrokerConnection:
    """``sql``/``execute`` send the statement and this connection's purpose to the broker."""

    def __init__(self, purpose: str, url: str, authorization: str,
                 purpose_min_length: int = DEFAULT_PURPOSE_MIN) -> None:
        purpose = (purpose or "").strip()
        if len(purpose) < purpose_min_length:
            raise ValueError(f"state the purpose of today's work (at least {purpose_min_length} "
                             f"characters, A3); got {purpose!r}")
        # http.client on a kept connection, not httpx: a query pays this hop on every call
        self._http = wire.Client(url, {"Authorization": authorization})
        self.purpose = purpose
        self._last: Result | None = None
        self._tables = list(self._post("/api/open", {"purpose": purpose}).json()["tables"])
        self.id = f"c{next(_IDS)}"
        _CONNECTIONS[self.id] = self

    def _post(self, path: str, body: dict) -> wire.Response:
        try:
            r = self._http.post(path, body)
        except wire.WireError as e:
            raise QueryLogError(f"the query broker is unreachable ({e}); nothing was run") from e
        if r.status_code == 200:
            return r
        try:
            msg = r.json().get("error", r.text)
        except ValueError:
            msg = r.text
        if r.status_code == 503:
            raise QueryLogError(msg)
        raise QueryError(f"{msg} ({r.status_code})")

    def tables(self) -> list[str]:
        return list(self._tables)

    def sql(self, sql: str, params: Any = None) -> Result:
        if not isinstance(sql, str) or not sql.strip():
            raise ValueError("empty SQL")
        if params is not None:
            params = json.loads(json.dumps(params, default=str))
        r = self._post("/api/query", {"purpose": self.purpose, "sql": sql, "params": params})
        # the arrays point into the received bytes (no copy through a Python file object)
        with pa.ipc.open_stream(pa.py_buffer(r.content)) as reader:
            return Result(reader.read_all(), {"conn": self.id, "sql": sql, "params": params})

    query = sql

    def aggregate(self, sql: str, spec: dict, params: Any = None,
                  figure: dict | None = None) -> dict:
        """Have the broker make a safe_tables table of ``sql``'s result and seal it: returns
        ``{"csv": text, "sidecar": sealed sidecar}`` and, with ``figure``, the figure drawn
        from it (``png`` base64, ``figure_sidecar``) (used by egress_review.safe_tables)."""
        if params is not None:
            params = json.loads(json.dumps(params, default=str))
        body = {"purpose": self.purpose, "sql": sql, "params": params, "spec": spec}
        if figure is not None:
            body["figure"] = figure
        return self._post("/api/aggregate", body).json()

    def dictionary(self, table: str | None = None):
        """The case's data dictionary: one row per column of each table (type, how it was
        de-identified, description), as a pandas DataFrame; ``table`` picks one table."""
        import pandas as pd

        tables = self._post("/api/dictionary", {}).json()["tables"]
        rows = [{"table": t, **c} for t, cols in tables.items() if table in (None, t) for c in cols]
        return pd.DataFrame(rows, columns=["table", "column", "type", "action", "description"])

    def dicom(self, path: str) -> bytes:
        """One image of the case's extract by its ``DICOM_FILE`` value (``dicom/<name>.dcm``),
        as DICOM bytes (``pydicom.dcmread(io.BytesIO(...))``).  The broker decrypts it with the
        case's key; the request is logged like any query."""
        got = self.sql("SELECT dicom_file(?) AS f", [path]).fetchone()
        if not got or got[0] is None:
            raise QueryError(f"{path!r}: no such image")
        return bytes(got[0])

    def verify_seal(self, sidecar: dict) -> bool:
        """Whether the case key verifies this sidecar's seal (the in-session pre-check)."""
        return bool(self._post("/api/verify-seal", {"sidecar": sidecar}).json().get("valid"))

    def execute(self, sql: str, parameters: Any = None) -> "BrokerConnection":
        self._last = self.sql(sql, parameters)
        return self

    def _result(self) -> Result:
        if self._last is None:
            raise QueryError("no statement executed yet")
        return self._last

    def df(self):
        return self._result().df()

    fetchdf = df

    def arrow(self) -> pa.Table:
        return self._result().arrow()

    def fetchall(self):
        return self._result().fetchall()

    def fetchone(self):
        return self._result().fetchone()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "BrokerConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<BrokerConnection tables={self._tables} purpose={self.purpose!r}>"


def connect(purpose: str | None = None, *, ask: Callable[[str], str] | None = None,
            url: str | None = None, authorization: str | None = None) -> BrokerConnection:
    """Open the case's data for today's work.

    ``purpose`` is required (A3); without it the session asks for it (``ask``, e.g.
    ``input``).  Inside a session the broker and the credential come from the environment the
    spawner set: ENCLAVE_BROKER_URL and JUPYTERHUB_API_TOKEN (ENCLAVE_JOB_TOKEN overnight).
    """
    minimum = int(os.environ.get("ENCLAVE_PURPOSE_MIN_LENGTH", DEFAULT_PURPOSE_MIN))
    if not purpose and ask is not None:
        purpose = ask("Purpose of today's work (logged with every query): ")
    url = url or os.environ.get("ENCLAVE_BROKER_URL")
    if authorization is None:
        if os.environ.get("JUPYTERHUB_API_TOKEN"):
            authorization = f"token {os.environ['JUPYTERHUB_API_TOKEN']}"
        elif os.environ.get("ENCLAVE_JOB_TOKEN"):  # a registered overnight run
            authorization = f"job {os.environ['ENCLAVE_JOB_TOKEN']}"
    if not url or not authorization:
        raise QueryLogError("not inside an enclave session (ENCLAVE_BROKER_URL / "
                            "JUPYTERHUB_API_TOKEN missing): queries cannot be logged")
    return BrokerConnection(purpose or "", url, authorization, minimum)
