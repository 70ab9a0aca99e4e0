"""The query broker's HTTP side: one tornado handler per endpoint over a
:class:`hub_config.broker.CaseDatabase`, the session's credential checked on every request,
results sent as Arrow IPC streams without copying them (issue 18).

Endpoints: ``/api/open`` (the purpose), ``/api/query`` (Arrow IPC), ``/api/aggregate`` (a
sealed safe table, :mod:`hub_config.broker_tables`), ``/api/verify-seal`` and
``/api/dictionary``.  Every request re-arms the quiet-time memory release
(:mod:`hub_config.broker_memory`).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import socket
import traceback

import pyarrow as pa
from tornado import web

from hub_config.broker import CaseDatabase, LogRefused, QueryRefused
from hub_config.broker_memory import ReleaseWhenQuiet, quiet_seconds
from hub_config.http import MAX_SQL_CHARS, json_object

log = logging.getLogger("enclave.broker")

ARROW_STREAM = "application/vnd.apache.arrow.stream"
SMALL_RESULT = 1 << 20   # results up to this size are joined into one write (copying is cheap)
# A large result's socket send buffer (the kernel doubles it; capped by net.core.wmem_max).
# With the default (~208 KB) tornado's loop went round ~330 times for a 70 MB result, each a
# send, an EAGAIN and a wait for writability: ~31 ms of the loop's CPU (issue 18).
SEND_BUFFER = 4 << 20


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


def to_ipc(table: pa.Table) -> _Views:
    """The table as an Arrow IPC stream, as views of its buffers.  Serialising into one buffer
    cost a copy of the whole result and its fresh pages (a 70 MB, 2 M-row result: 40 ms of CPU
    against 0.3 ms; bench/broker_query.py)."""
    out = _Views()
    with pa.ipc.new_stream(pa.PythonFile(out, mode="w"), table.schema) as w:
        w.write_table(table)
    return out


def _widen_send_buffer(sock) -> None:
    """Fewer, larger sends for a large result; a socket that refuses keeps its buffer."""
    try:
        if sock is not None and sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < SEND_BUFFER:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    except OSError:
        pass


class _Handler(web.RequestHandler):
    def initialize(self, db: CaseDatabase, authorization: str, quiet: ReleaseWhenQuiet) -> None:
        self.db, self.authorization, self.quiet = db, authorization, quiet

    def check_xsrf_cookie(self):  # credential-authenticated API, no cookies
        return

    def prepare(self):
        self.quiet.touch()
        got = self.request.headers.get("Authorization", "")
        if not got or not hmac.compare_digest(got.encode(), self.authorization.encode()):
            raise web.HTTPError(403, "this broker serves another session: credential refused")
        self.body = json_object(self.request.body)

    async def _run(self, fn, *args):
        try:
            return await asyncio.to_thread(fn, *args)
        except QueryRefused as e:
            raise web.HTTPError(e.status, str(e))
        except LogRefused as e:
            raise web.HTTPError(503, str(e))

    def on_finish(self):
        self.quiet.touch()   # the query's buffers go back once the session is quiet

    def log_exception(self, typ, value, tb):
        # The answer tells the researcher why (their own case's data); the broker's log is the
        # operator's, kept and shipped outside the session, so it never quotes an error's text:
        # DuckDB's messages carry the values they failed on ("Could not convert string '...'"),
        # and the SQL near a parse error.  A refusal is the status line of _log_request; an
        # unexpected failure is its type and where it was raised.
        if isinstance(value, web.HTTPError):
            return
        log.error("uncaught %s in %s %s\n%s", typ.__name__ if typ else "error",
                  self.request.method, self.request.path, "".join(traceback.format_tb(tb)))

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None))[1]
        msg = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else \
            self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": msg}))


class OpenHandler(_Handler):
    async def post(self):
        out = await self._run(self.db.open, self.body.get("purpose"))
        self.finish(out)


class QueryHandler(_Handler):
    async def post(self):
        b = self.body
        # one hop to a worker thread for the query and its serialisation
        data = await self._run(lambda: to_ipc(self.db.query(b.get("purpose"), b.get("sql"),
                                                             b.get("params"))))
        if data.size > self.db.max_bytes:
            raise web.HTTPError(413, f"the result is larger than {self.db.max_bytes} bytes "
                                     f"(query_max_result_bytes, A3/S1)")
        self.set_header("Content-Type", ARROW_STREAM)
        if data.size <= SMALL_RESULT:   # one write with the headers: one send, one wake-up
            self.finish(b"".join(data.parts))
            return
        self.set_header("Content-Length", str(data.size))
        _widen_send_buffer(self.request.connection.stream.socket)
        await self.flush()   # the headers; then the stream's parts as they are (no joined copy)
        done = None
        for part in data.parts:   # the stream writes in order; the last future is the end
            done = self.request.connection.write(part)
        if done is not None:
            await done
        self.finish()


class AggregateHandler(_Handler):
    async def post(self):
        b = self.body
        out = await self._run(self.db.aggregate, b.get("purpose"), b.get("sql"), b.get("params"),
                              b.get("spec"), b.get("figure"))
        self.finish(out)


class DictionaryHandler(_Handler):
    """The extract's data dictionary (``dictionary.json`` written by the extract builder; else
    the tables' columns and types): metadata, no rows, so nothing is logged or run."""

    async def post(self):
        self.finish({"tables": self.db.dictionary()})


class VerifySealHandler(_Handler):
    """For the pre-check in the session: does this sidecar's seal verify with the case key?
    Answers yes/no only (HMAC cannot be forged from verification answers); nothing is run."""

    async def post(self):
        from egress_review.safe_tables.provenance import ProvenanceError, parse_provenance

        if self.db.seal_key is None:
            raise web.HTTPError(503, "this broker has no sealing key")
        try:
            prov = parse_provenance(self.body.get("sidecar"))
        except ProvenanceError as e:
            raise web.HTTPError(400, str(e))
        self.finish({"valid": bool(prov.sealed and prov.verify(self.db.seal_key))})


def _log_request(handler: web.RequestHandler) -> None:
    # Every query is in the warden's log (the audit); the broker's own log keeps refusals and
    # failures only - a line per answered query cost ~0.1 ms of CPU each (issue 18).
    status = handler.get_status()
    if status >= 400:
        log.warning("%d %s %.1f ms", status, handler.request.path,
                    1000 * handler.request.request_time())


def make_app(db: CaseDatabase, authorization: str,
             quiet: ReleaseWhenQuiet | None = None) -> web.Application:
    kw = {"db": db, "authorization": authorization,
          "quiet": quiet or ReleaseWhenQuiet(quiet_seconds())}
    return web.Application([(r"/api/open", OpenHandler, kw), (r"/api/query", QueryHandler, kw),
                            (r"/api/aggregate", AggregateHandler, kw),
                            (r"/api/verify-seal", VerifySealHandler, kw),
                            (r"/api/dictionary", DictionaryHandler, kw)],
                           max_body_size=2 * MAX_SQL_CHARS + 1_000_000, log_function=_log_request)
