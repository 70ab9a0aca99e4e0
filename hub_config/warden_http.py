"""The warden's query-record endpoint: HTTP/1.1 framed by ``h11``, a thread per connection
(issue 18).

Only brokers reach the warden's socket (it is bound into their sandboxes, never into a
session's), and they speak one request shape: ``POST /api/session-log`` with a
``Content-Length`` JSON body on a kept connection.  A record is posted before every session
query.  The request's whole work - framing, the credential, the gate and the record - runs on
its connection's own thread, which also writes the record when no other thread is writing
(:class:`hub_config.warden_record.Recorder`): asyncio's loop, its future hand-offs and a
writer thread's wake-ups cost about a third of the record's CPU.  ``h11`` (the sans-I/O
parser under httpx and uvicorn) does the framing - request line, header syntax, conflicting
lengths, keep-alive - and this module refuses, before anything is decided, what a broker never
sends:

* a head over ``MAX_HEAD`` bytes, a body over ``MAX_BODY``, a ``Transfer-Encoding``, a
  missing ``Content-Length``, a repeated ``Authorization``, a version other than HTTP/1.x,
  or anything ``h11`` cannot frame: answered with an error and the connection closed (its
  framing can no longer be trusted);
* another path (404) or method (405): answered, the connection kept.

Authentication, the gate and the record are the warden's (:meth:`Warden.authenticate`,
:class:`hub_config.warden_record.Recorder`); this module only frames requests and answers.
"""
from __future__ import annotations

import json
import logging
import socket
import time
from typing import Callable

import h11
from tornado import web

from hub_config.h11_threads import Framing, ThreadPerConnection, next_event, requests

log = logging.getLogger("enclave.warden")

PATH = b"/api/session-log"
MAX_HEAD = 16 * 1024
# A broker forwards what it accepted (its own cap, ~1.2 MB) re-encoded as ASCII JSON, where one
# character may take 6-12 bytes (a backslash-u escape, or two for a surrogate pair): room for
# that, and no more.
MAX_BODY = 8 * 1024 * 1024
# Each broker keeps one connection (a few while it starts): more than a host's sessions need;
# beyond it a connection is closed at once rather than a thread started for it.
MAX_CONNECTIONS = 512
REASONS = {201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 411: "Length Required",
           413: "Payload Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}

# (authorization header, body) -> (status, JSON-able answer); blocking, on the connection's thread
Handler = Callable[[str, bytes], tuple[int, dict]]


def _checked(req: h11.Request) -> tuple[int, str]:
    """(Content-Length, Authorization) of a request a broker could have sent, or Framing."""
    if req.http_version not in (b"1.1", b"1.0"):
        raise Framing(400, "not an HTTP/1.x request")
    head = len(req.method) + len(req.target) + sum(len(n) + len(v) + 4 for n, v in req.headers)
    if head > MAX_HEAD:   # h11 caps only a head still incomplete after a read
        raise Framing(431, f"request head over {MAX_HEAD} bytes")
    names = [name for name, _ in req.headers]
    if b"transfer-encoding" in names:   # brokers send a length; chunked framing is not read
        raise Framing(501, "Transfer-Encoding is not accepted: send Content-Length")
    if names.count(b"authorization") > 1:
        raise Framing(400, "repeated authorization header")
    fields = dict(req.headers)
    if b"content-length" not in fields:
        raise Framing(411, "Content-Length required")
    n = int(fields[b"content-length"])   # h11 has checked it is one run of digits
    if n > MAX_BODY:
        raise Framing(413, f"body over {MAX_BODY} bytes")
    return n, fields.get(b"authorization", b"").decode("latin-1")


def _send(conn: h11.Connection, sock: socket.socket, status: int, obj: dict,
          close: bool = False) -> None:
    body = json.dumps(obj).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    sock.sendall(conn.send(h11.Response(status_code=status, headers=headers,
                                        reason=REASONS.get(status, "Error").encode()))
                 + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))


def _request(conn: h11.Connection, sock: socket.socket, req: h11.Request,
             handle: Handler) -> tuple[int, dict]:
    t0 = time.perf_counter()
    length, auth = _checked(req)
    body = bytearray()
    while not isinstance(event := next_event(conn, sock), h11.EndOfMessage):
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
        status, out = handle(auth, bytes(body))
    if status >= 400:
        log.warning("%d %s %.1f ms", status, target.decode("latin-1", "replace"),
                    1000 * (time.perf_counter() - t0))
    return status, out


def _requests(handle: Handler, sock: socket.socket) -> None:
    """Every request of one connection, in order, until the peer closes or framing fails."""
    def one(conn, sock, req):
        _send(conn, sock, *_request(conn, sock, req, handle))

    def refuse(conn, sock, status, message):
        _send(conn, sock, status, {"error": message}, close=True)

    requests(sock, MAX_HEAD, one, refuse, log)


def handle_record(warden, auth: str, body: bytes) -> tuple[int, dict]:
    """One record: the warden authenticates the caller, the recorder decides and writes it
    (durable before this returns 201).  Every refusal is an answer, never a silent pass."""
    from hub_config.http import json_object

    try:
        name, job_booking = warden.authenticate(auth)
        return 201, warden.recorder.record(name, json_object(body), job_booking)
    except web.HTTPError as e:
        return e.status_code, {"error": e.log_message or REASONS.get(e.status_code, "error")}
    except Exception:
        log.exception("the session-log record failed")
        return 503, {"error": "the record could not be written"}


class Server(ThreadPerConnection):
    """Answers records on a bound listening unix socket, each connection on a thread of its
    own named ``warden-request``, until :meth:`close` (a record being written is finished by
    its writer; its broker, cut off, drops the query's output)."""

    def __init__(self, handle: Handler, lsock: socket.socket) -> None:
        self.handle, self.sock = handle, lsock
        super().__init__([lsock], lambda sock: _requests(handle, sock), name="warden",
                         max_connections=lambda: MAX_CONNECTIONS, log=log)


def listen(warden, sock_path: str, mode: int = 0o666) -> Server:
    """Listen on ``sock_path`` (replacing a stale socket file) and answer records."""
    from tornado import netutil

    s = netutil.bind_unix_socket(sock_path, mode=mode)
    return Server(lambda auth, body: handle_record(warden, auth, body), s)


async def serve(warden, sock_path: str, mode: int = 0o666) -> Server:
    """:func:`listen`, for the warden's event loop (the hub's service) and the tests' loops:
    the server runs on its own threads either way."""
    return listen(warden, sock_path, mode)
