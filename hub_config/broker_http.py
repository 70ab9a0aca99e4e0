"""The query broker's HTTP side: HTTP/1.1 framed by ``h11``, one thread per connection
(issue 18), over a :class:`hub_config.broker.CaseDatabase`.

Only the session reaches the broker's socket (a unix socket bound into its sandbox alone; on
a cluster, HTTPS).  A request's whole work - framing, the credential, the JSON body, the query
and its answer - runs on its connection's own thread, which also posts the query's record to
the warden.  tornado's event loop and the hop to a request thread (``asyncio.to_thread``) cost
~1.5 ms of CPU per query beside a running query, ~0.25 ms idle against ~0.14 ms for this
(bench/broker_query.py, docs/data-plane.md).  A result goes out as an Arrow IPC stream made of
views of the result's own buffers: nothing is joined or copied for a large one.

Endpoints (POST, a JSON object body, ``Authorization``: the credential the broker was started
with): ``/api/open`` (the purpose), ``/api/query`` (Arrow IPC), ``/api/aggregate`` (a sealed
safe table, :mod:`hub_config.broker_tables`), ``/api/verify-seal`` and ``/api/dictionary``.
Answers: JSON ``{"error": ...}`` for every refusal.  What the framing cannot trust (a head over
``MAX_HEAD``, a body over ``MAX_BODY``, a repeated ``Authorization``, anything ``h11`` refuses)
is answered and the connection closed.  Every request re-arms the quiet-time memory release
(:mod:`hub_config.broker_memory`).
"""
from __future__ import annotations

import hmac
import json
import logging
import socket
import time
import traceback
from typing import Any, Callable

import h11
import pyarrow as pa
from tornado import web

from hub_config.broker import CaseDatabase, LogRefused, QueryRefused, name_thread
from hub_config.broker_memory import ReleaseWhenQuiet, quiet_seconds
from hub_config.h11_threads import Framing, ThreadPerConnection, next_event, requests
from hub_config.http import MAX_SQL_CHARS, json_object

log = logging.getLogger("enclave.broker")

ARROW_STREAM = "application/vnd.apache.arrow.stream"
JSON = "application/json; charset=UTF-8"
SMALL_RESULT = 1 << 20   # results up to this size are joined into one write (copying is cheap)
# A large result's socket send buffer (the kernel doubles it; capped by net.core.wmem_max).
# With the default (~208 KB) a 70 MB result took ~330 sends, each waiting for room (issue 18).
SEND_BUFFER = 4 << 20
MAX_HEAD = 64 * 1024
MAX_BODY = 2 * MAX_SQL_CHARS + 1_000_000   # the SQL, JSON-escaped, and a table spec
MAX_CONNECTIONS = 64   # a session's kernels and tools; more are closed at once
HANDSHAKE_SECONDS = 30
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Payload Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 503: "Service Unavailable"}


class _Views:
    """A write-only file for pyarrow that keeps what it is given: pyarrow hands the IPC writer's
    output over as its own buffers (the table's columns, the message headers), so the stream
    is a list of views of them and nothing is copied."""

    closed = False

    def __init__(self) -> None:
        self.parts: list[memoryview] = []
        self.size = 0

    def write(self, data) -> int:
        view = memoryview(data)
        self.parts.append(view)
        self.size += view.nbytes
        return view.nbytes

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


# pyarrow's defaults (format V5), made once: without them every stream re-reads two
# environment variables to choose a legacy format (issue 18: per-query costs)
_IPC_OPTIONS = pa.ipc.IpcWriteOptions()


def to_ipc(table: pa.Table) -> _Views:
    """The table as an Arrow IPC stream, as views of its buffers.  Serialising into one buffer
    cost a copy of the whole result and its fresh pages (a 70 MB, 2 M-row result: 40 ms of CPU
    against 0.3 ms; bench/broker_query.py)."""
    out = _Views()
    with pa.ipc.new_stream(pa.PythonFile(out, mode="w"), table.schema,
                           options=_IPC_OPTIONS) as w:
        w.write_table(table)
    return out


def _widen_send_buffer(sock) -> None:
    """Fewer, larger sends for a large result; a socket that refuses keeps its buffer."""
    try:
        if sock is not None and sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < SEND_BUFFER:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    except OSError:
        pass


class Refused(Exception):
    """Answer ``status`` with ``message`` (the researcher's; never written to the log)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------ the endpoints
def _call(fn: Callable, *args):
    try:
        return fn(*args)
    except QueryRefused as e:
        raise Refused(e.status, str(e))
    except LogRefused as e:
        raise Refused(503, str(e))


def _open(db: CaseDatabase, b: dict):
    return _call(db.open, b.get("purpose"))


def _query(db: CaseDatabase, b: dict):
    data = _call(lambda: to_ipc(db.query(b.get("purpose"), b.get("sql"), b.get("params"))))
    if data.size > db.max_bytes:
        raise Refused(413, f"the result is larger than {db.max_bytes} bytes "
                           f"(query_max_result_bytes, A3/S1)")
    return data


def _aggregate(db: CaseDatabase, b: dict):
    return _call(db.aggregate, b.get("purpose"), b.get("sql"), b.get("params"), b.get("spec"),
                 b.get("figure"))


def _dictionary(db: CaseDatabase, b: dict):
    """The extract's data dictionary (``dictionary.json`` written by the extract builder; else
    the tables' columns and types): metadata, no rows, so nothing is logged or run."""
    return {"tables": db.dictionary()}


def _verify_seal(db: CaseDatabase, b: dict):
    """For the pre-check in the session: does this sidecar's seal verify with the case key?
    Answers yes/no only (HMAC cannot be forged from verification answers); nothing is run."""
    from egress_review.safe_tables.provenance import ProvenanceError, parse_provenance

    if db.seal_key is None:
        raise Refused(503, "this broker has no sealing key")
    try:
        prov = parse_provenance(b.get("sidecar"))
    except ProvenanceError as e:
        raise Refused(400, str(e))
    return {"valid": bool(prov.sealed and prov.verify(db.seal_key))}


ROUTES = {b"/api/open": _open, b"/api/query": _query, b"/api/aggregate": _aggregate,
          b"/api/verify-seal": _verify_seal, b"/api/dictionary": _dictionary}


# ------------------------------------------------------------------ the server
class Server(ThreadPerConnection):
    """Serves ``db`` on ``sockets`` (bound listening sockets; ``ssl_ctx``: HTTPS on them), each
    connection on a thread of its own named ``broker-request``."""

    def __init__(self, db: CaseDatabase, authorization: str, sockets: list, ssl_ctx=None,
                 quiet: ReleaseWhenQuiet | None = None) -> None:
        self.db, self._auth = db, authorization.encode()
        self.ssl_ctx = ssl_ctx
        self.quiet = quiet or ReleaseWhenQuiet(quiet_seconds())
        super().__init__(sockets, self._requests, name="broker",
                         max_connections=lambda: MAX_CONNECTIONS, log=log,
                         wrap=self._handshake if ssl_ctx is not None else None)

    def _handshake(self, raw: socket.socket):
        raw.settimeout(HANDSHAKE_SECONDS)
        sock = self.ssl_ctx.wrap_socket(raw, server_side=True)
        sock.settimeout(None)
        return sock

    # -------------------------------------------------------------- one connection
    def _requests(self, sock) -> None:
        name_thread("broker-request")
        requests(sock, MAX_HEAD, self._request, self._refuse, log)

    def _refuse(self, conn: h11.Connection, sock, status: int, message: str) -> None:
        self._send(conn, sock, status, JSON, [json.dumps({"error": message}).encode()], close=True)

    def _request(self, conn: h11.Connection, sock, req: h11.Request) -> None:
        t0 = time.perf_counter()
        self.quiet.touch()
        if req.http_version not in (b"1.1", b"1.0"):
            raise Framing(400, "not an HTTP/1.x request")
        auths = [v for n, v in req.headers if n == b"authorization"]
        if len(auths) > 1:
            raise Framing(400, "repeated authorization header")
        if sum(len(n) + len(v) + 4 for n, v in req.headers) + len(req.target) > MAX_HEAD:
            raise Framing(431, f"request head over {MAX_HEAD} bytes")
        body = bytearray()
        while not isinstance(event := next_event(conn, sock), h11.EndOfMessage):
            if isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("closed mid-body")
            body += event.data
            if len(body) > MAX_BODY:
                raise Framing(413, f"body over {MAX_BODY} bytes")
        path = req.target.split(b"?", 1)[0]
        status, ctype, parts = self._answer(req.method, path, auths[0] if auths else b"",
                                            bytes(body))
        self._send(conn, sock, status, ctype, parts)
        self.quiet.touch()   # the query's buffers go back once the session is quiet
        if status >= 400:
            # Every query is in the warden's log (the audit); the broker's own log keeps
            # refusals and failures only, by status and path: never the message, which may
            # quote the case's values (DuckDB's errors) or the SQL near a parse error.
            log.warning("%d %s %.1f ms", status, path.decode("latin-1", "replace"),
                        1000 * (time.perf_counter() - t0))

    def _answer(self, method: bytes, path: bytes, auth: bytes, body: bytes):
        """(status, content type, body parts) for one request."""
        def error(status: int, message: str):
            return status, JSON, [json.dumps({"error": message}).encode()]

        route = ROUTES.get(path)
        if route is None:
            return error(404, "Not Found")
        if not auth or not hmac.compare_digest(auth, self._auth):
            return error(403, "this broker serves another session: credential refused")
        if method != b"POST":
            return error(405, "Method Not Allowed")
        try:
            out: Any = route(self.db, json_object(body))
        except Refused as e:
            return error(e.status, str(e))
        except web.HTTPError as e:   # json_object's 400
            return error(e.status_code, e.log_message or REASONS.get(e.status_code, "error"))
        except Exception as e:
            # an unexpected failure: its type and where it was raised, never its text
            log.error("uncaught %s in %s %s\n%s", type(e).__name__, method.decode("latin-1"),
                      path.decode("latin-1"), "".join(traceback.format_tb(e.__traceback__)))
            return error(500, "Internal Server Error")
        if isinstance(out, _Views):
            return 200, ARROW_STREAM, out.parts
        return 200, JSON, [json.dumps(out).encode()]

    @staticmethod
    def _send(conn: h11.Connection, sock, status: int, ctype: str, parts: list,
              close: bool = False) -> None:
        size = sum(memoryview(p).nbytes for p in parts)
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(size).encode())]
        if close:
            headers.append((b"connection", b"close"))
        head = conn.send(h11.Response(status_code=status, headers=headers,
                                      reason=REASONS.get(status, "Error").encode()))
        if size <= SMALL_RESULT:   # one write with the head: one send, one wake-up
            sock.sendall(b"".join([head, *parts]))
        else:
            _widen_send_buffer(sock)
            sock.sendall(head)
            for p in parts:   # the result's own buffers, as they are
                sock.sendall(p)
        # h11 tracks the length: tell it the body went out (without copying it again)
        conn.send_with_data_passthrough(h11.Data(data=_Sized(size)))
        conn.send(h11.EndOfMessage())


class _Sized:
    """Stands for ``n`` bytes already sent, for h11's length accounting."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


def serve(db: CaseDatabase, authorization: str, sockets: list, ssl_ctx=None,
          quiet: ReleaseWhenQuiet | None = None) -> Server:
    """Answer the session's requests on ``sockets`` until :meth:`Server.close`."""
    return Server(db, authorization, sockets, ssl_ctx, quiet)
