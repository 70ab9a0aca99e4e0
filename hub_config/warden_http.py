"""The warden's query-record endpoint as a small HTTP/1.1 server on asyncio streams (issue 18).

Only brokers reach the warden's socket (it is bound into their sandboxes, never into a
session's), and they speak one request shape: ``POST /api/session-log`` with a
``Content-Length`` JSON body on a kept connection.  A record is posted before every session
query, and tornado's full request machinery (routing, handler objects, header containers,
the hop to a worker thread) cost about as much CPU as the record's gate check.  This server
reads exactly that shape and refuses everything else before anything is decided:

* a head over ``MAX_HEAD`` bytes, a body over ``MAX_BODY``, a ``Transfer-Encoding``, a
  missing, repeated or malformed ``Content-Length``, a request line that is not HTTP/1.x:
  answered with an error and the connection closed (its framing can no longer be trusted);
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

from tornado import web

log = logging.getLogger("enclave.warden")

PATH = b"/api/session-log"
MAX_HEAD = 16 * 1024
# A broker forwards what it accepted (its own cap, ~1.2 MB) re-encoded as ASCII JSON, where one
# character may take 6-12 bytes (\uXXXX, surrogate pairs): room for that, and no more.
MAX_BODY = 8 * 1024 * 1024
REASONS = {201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 411: "Length Required",
           413: "Payload Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}

# (authorization header, body) -> (status, JSON-able answer)
Handler = Callable[[str, bytes], Awaitable[tuple[int, dict]]]


class _Framing(Exception):
    """The request cannot be framed: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _answer(status: int, obj: dict, close: bool) -> bytes:
    body = json.dumps(obj).encode()
    head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            + ("Connection: close\r\n" if close else "") + "\r\n")
    return head.encode("latin-1") + body


def _parse_head(head: bytes) -> tuple[bytes, bytes, dict[bytes, bytes], bool]:
    """(method, path, headers with lower-case names, keep-alive) or _Framing."""
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise _Framing(400, "not an HTTP/1.x request line")
    method, target, version = parts
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip() or b" " in name:
            raise _Framing(400, "malformed header line")
        name = name.lower()
        if name in headers and name in (b"content-length", b"authorization", b"host"):
            raise _Framing(400, f"repeated {name.decode('latin-1')} header")
        headers[name] = value.strip()
    conn = headers.get(b"connection", b"").lower()
    keep = conn != b"close" if version == b"HTTP/1.1" else conn == b"keep-alive"
    return method, target.split(b"?", 1)[0], headers, keep


def _length(headers: dict[bytes, bytes]) -> int:
    if b"transfer-encoding" in headers:   # brokers send a length; chunked framing is not read
        raise _Framing(501, "Transfer-Encoding is not accepted: send Content-Length")
    raw = headers.get(b"content-length")
    if raw is None:
        raise _Framing(411, "Content-Length required")
    if not raw.isdigit() or len(raw) > 9:
        raise _Framing(400, "malformed Content-Length")
    n = int(raw)
    if n > MAX_BODY:
        raise _Framing(413, f"body over {MAX_BODY} bytes")
    return n


async def _connection(handle: Handler, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return   # the peer closed between requests (or mid-head)
            except asyncio.LimitOverrunError:
                raise _Framing(431, f"request head over {MAX_HEAD} bytes")
            t0 = time.perf_counter()
            method, path, headers, keep = _parse_head(head)
            body = await reader.readexactly(_length(headers))
            if path != PATH:
                status, out = 404, {"error": "not found"}
            elif method != b"POST":
                status, out = 405, {"error": "POST only"}
            else:
                auth = headers.get(b"authorization", b"").decode("latin-1")
                status, out = await handle(auth, body)
            writer.write(_answer(status, out, not keep))
            await writer.drain()
            if status >= 400:
                log.warning("%d %s %.1f ms", status, path.decode("latin-1", "replace"),
                            1000 * (time.perf_counter() - t0))
            if not keep:
                return
    except _Framing as e:
        log.warning("%d refused request: %s", e.status, e)
        try:
            writer.write(_answer(e.status, {"error": str(e)}, True))
            await writer.drain()
        except ConnectionError:
            pass
    except (asyncio.IncompleteReadError, ConnectionError):
        return   # the peer went away mid-request: nothing was recorded for it
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

    return await asyncio.start_unix_server(lambda r, w: _connection(handle, r, w), sock=s,
                                           limit=MAX_HEAD)
