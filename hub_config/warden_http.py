"""The warden's query-record endpoint: HTTP/1.1 on asyncio streams, framed by ``h11`` (issue 18).

Only brokers reach the warden's socket (it is bound into their sandboxes, never into a
session's), and they speak one request shape: ``POST /api/session-log`` with a
``Content-Length`` JSON body on a kept connection.  A record is posted before every session
query, and tornado's full request machinery (routing, handler objects, header containers,
the hop to a worker thread) cost about as much CPU as the record's gate check.  Here ``h11``
(the sans-I/O HTTP/1.1 parser under httpx and uvicorn) does the framing - request line,
header syntax, conflicting lengths, keep-alive - and this module refuses, before anything is
decided, what a broker never sends:

* a head over ``MAX_HEAD`` bytes, a body over ``MAX_BODY``, a ``Transfer-Encoding``, a
  missing ``Content-Length``, a repeated ``Authorization``, a version other than HTTP/1.x,
  or anything ``h11`` cannot frame: answered with an error and the connection closed (its
  framing can no longer be trusted);
* another path (404) or method (405): answered, the connection kept.

Authentication, the gate and the record are the warden's (:meth:`Warden.authenticate`,
:class:`hub_config.warden_record.Recorder`); this module only frames requests and answers.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Awaitable, Callable

import h11
from tornado import web

log = logging.getLogger("enclave.warden")

PATH = b"/api/session-log"
MAX_HEAD = 16 * 1024
# A broker forwards what it accepted (its own cap, ~1.2 MB) re-encoded as ASCII JSON, where one
# character may take 6-12 bytes (a backslash-u escape, or two for a surrogate pair): room for
# that, and no more.
MAX_BODY = 8 * 1024 * 1024
READ = 64 * 1024
REASONS = {201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 411: "Length Required",
           413: "Payload Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}

# (authorization header, body) -> (status, JSON-able answer)
Handler = Callable[[str, bytes], Awaitable[tuple[int, dict]]]


class _Framing(Exception):
    """The request cannot be taken as framed: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _checked(req: h11.Request) -> tuple[int, str]:
    """(Content-Length, Authorization) of a request a broker could have sent, or _Framing."""
    if req.http_version not in (b"1.1", b"1.0"):
        raise _Framing(400, "not an HTTP/1.x request")
    head = len(req.method) + len(req.target) + sum(len(n) + len(v) + 4 for n, v in req.headers)
    if head > MAX_HEAD:   # h11 caps only a head still incomplete after a read
        raise _Framing(431, f"request head over {MAX_HEAD} bytes")
    names = [name for name, _ in req.headers]
    if b"transfer-encoding" in names:   # brokers send a length; chunked framing is not read
        raise _Framing(501, "Transfer-Encoding is not accepted: send Content-Length")
    if names.count(b"authorization") > 1:
        raise _Framing(400, "repeated authorization header")
    fields = dict(req.headers)
    if b"content-length" not in fields:
        raise _Framing(411, "Content-Length required")
    n = int(fields[b"content-length"])   # h11 has checked it is one run of digits
    if n > MAX_BODY:
        raise _Framing(413, f"body over {MAX_BODY} bytes")
    return n, fields.get(b"authorization", b"").decode("latin-1")


async def _next(conn: h11.Connection, reader: asyncio.StreamReader):
    """The next h11 event, reading from the socket as it needs."""
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(await reader.read(READ))   # b"": the peer closed


async def _send(conn: h11.Connection, writer: asyncio.StreamWriter, status: int, obj: dict,
                close: bool = False) -> None:
    body = json.dumps(obj).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    writer.write(conn.send(h11.Response(status_code=status, headers=headers,
                                        reason=REASONS.get(status, "Error").encode()))
                 + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
    await writer.drain()


async def _request(conn: h11.Connection, reader: asyncio.StreamReader, req: h11.Request,
                   handle: Handler) -> tuple[int, dict]:
    t0 = time.perf_counter()
    length, auth = _checked(req)
    body = bytearray()
    while not isinstance(event := await _next(conn, reader), h11.EndOfMessage):
        if isinstance(event, h11.ConnectionClosed):
            raise ConnectionError("closed mid-body")
        body += event.data
    assert len(body) == length   # h11 frames the body by the length checked above
    target = req.target.split(b"?", 1)[0]
    if target != PATH:
        status, out = 404, {"error": "not found"}
    elif req.method != b"POST":
        status, out = 405, {"error": "POST only"}
    else:
        status, out = await handle(auth, bytes(body))
    if status >= 400:
        log.warning("%d %s %.1f ms", status, target.decode("latin-1", "replace"),
                    1000 * (time.perf_counter() - t0))
    return status, out


async def _connection(handle: Handler, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    try:
        while True:
            event = await _next(conn, reader)
            if isinstance(event, h11.ConnectionClosed):
                return   # the peer closed between requests
            status, out = await _request(conn, reader, event, handle)
            await _send(conn, writer, status, out)
            if conn.our_state is h11.MUST_CLOSE:
                return
            conn.start_next_cycle()
    except (_Framing, h11.RemoteProtocolError) as e:
        status = e.status if isinstance(e, _Framing) else e.error_status_hint
        log.warning("%d refused request: %s", status, e)
        if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            try:
                await _send(conn, writer, status, {"error": str(e)}, close=True)
            except (ConnectionError, h11.LocalProtocolError):
                pass
    except ConnectionError:
        return   # the peer went away mid-request: nothing was recorded for it
    except asyncio.CancelledError:
        # the server is closing: end quietly (asyncio's stream callback would otherwise log
        # the cancelled connection as an error); a record in flight is the writer's to finish
        return
    finally:
        writer.close()


async def handle_record(warden, auth: str, body: bytes) -> tuple[int, dict]:
    """One record: the warden authenticates the caller, the recorder decides and writes it
    (durable before this returns 201).  Every refusal is an answer, never a silent pass."""
    from hub_config.http import json_object

    try:
        name, job_booking = await warden.authenticate(auth)
        out = await warden.recorder.record_async(name, json_object(body), job_booking)
        return 201, out
    except web.HTTPError as e:
        return e.status_code, {"error": e.log_message or REASONS.get(e.status_code, "error")}
    except Exception:
        log.exception("the session-log record failed")
        return 503, {"error": "the record could not be written"}


async def serve(warden, sock_path: str, mode: int = 0o666) -> asyncio.AbstractServer:
    """Listen on ``sock_path`` (replacing a stale socket file) and answer records."""
    from tornado import netutil

    s = netutil.bind_unix_socket(sock_path, mode=mode)

    async def handle(auth: str, body: bytes) -> tuple[int, dict]:
        return await handle_record(warden, auth, body)

    return await asyncio.start_unix_server(lambda r, w: _connection(handle, r, w), sock=s)
