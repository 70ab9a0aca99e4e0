"""A small keep-alive HTTP/1.1 client for the two hops every in-session query makes: the
session to its query broker, and the broker to the warden's query log (A3).

Why not httpx there: each request spent ~0.5 ms of CPU in httpx/httpcore/h11 (URL parsing,
header models, the state machine), and a query pays it on both hops - about 5 % of a 1 M-row
aggregate on its own (issue 18, ``bench/broker_query.py``); ``http.client`` still spent
~0.1 ms parsing headers with the e-mail parser.  This client writes the request in one send
and reads only what the enclave's own tornado services answer: ~0.03 ms a round trip.

Safety of reuse: a request is sent at most once.  A kept connection is checked before it is
reused (a server that closed it leaves the socket readable at EOF) and replaced if so; a
connection that fails during a request is dropped and the error raised, never retried, so a
query or a log record is never sent twice behind the caller's back.  HTTPS verifies the
server against the default trust store (``SSL_CERT_FILE``: the enclave's CA).
"""
from __future__ import annotations

import json as _json
import select
import socket
import ssl
import threading
from typing import Any
from urllib.parse import unquote, urlsplit


class WireError(OSError):
    """The server could not be reached, or the connection broke during the request."""


class Response:
    __slots__ = ("status", "content", "content_type")

    def __init__(self, status: int, content: bytes, content_type: str) -> None:
        self.status, self.content, self.content_type = status, content, content_type

    @property
    def status_code(self) -> int:
        return self.status

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return _json.loads(self.content)


_MAX_LINE = 65536
_MAX_HEADERS = 100


class _Connection:
    """One HTTP/1.1 connection: sends a request, reads the status line, headers and body
    (Content-Length, chunked, or to the end).  Parsing only what the enclave's servers send
    keeps a round trip at ~0.03 ms of CPU (``http.client``'s e-mail header parser: ~0.1 ms)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.rfile = sock.makefile("rb")

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()

    def idle_and_open(self) -> bool:
        """Reusable: nothing to read while idle (a closed connection reads as EOF)."""
        try:
            return not select.select([self.sock], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def _line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise WireError("response line too long")
        if not line:
            raise WireError("the server closed the connection without answering")
        return line

    def exchange(self, head: bytes, body: bytes) -> tuple[int, dict[bytes, bytes], bytes, bool]:
        self.sock.sendall(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.sock.sendall(body)
        status_line = self._line().split(None, 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1.") \
                or not status_line[1].isdigit():
            raise WireError(f"not an HTTP response: {status_line[:2]!r}")
        status = int(status_line[1])
        headers: dict[bytes, bytes] = {}
        while True:
            line = self._line()
            if line in (b"\r\n", b"\n"):
                break
            if len(headers) >= _MAX_HEADERS:
                raise WireError("too many response headers")
            k, sep, v = line.partition(b":")
            if not sep:
                raise WireError(f"malformed response header {line[:60]!r}")
            headers[k.strip().lower()] = v.strip()
        keep = status_line[0] == b"HTTP/1.1" and \
            headers.get(b"connection", b"").lower() != b"close"
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            parts = []
            while True:
                size = int(self._line().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self._line() not in (b"\r\n", b"\n"):   # trailers
                        pass
                    break
                parts.append(self._exact(size))
                self._line()
            content = b"".join(parts)
        elif b"content-length" in headers:
            content = self._exact(int(headers[b"content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:
            content, keep = self.rfile.read(), False
        return status, headers, content, keep

    def _exact(self, n: int) -> bytes:
        data = self.rfile.read(n)
        if len(data) != n:
            raise WireError(f"the response ended after {len(data)} of {n} bytes")
        return data


class Client:
    """POSTs JSON to ``http+unix://<quoted socket path>/<base>``, ``http://`` or ``https://``,
    with fixed headers (the credential).  Thread-safe: each request takes an idle connection
    or opens one, and puts it back when the response has been read."""

    def __init__(self, url: str, headers: dict[str, str] | None = None,
                 timeout: float | None = None) -> None:
        self.timeout = timeout
        if url.startswith("http+unix://"):
            sock, _, base = url[len("http+unix://"):].partition("/")
            self._unix, host, self._ssl = unquote(sock), "localhost", None
        else:
            u = urlsplit(url)
            if u.scheme not in ("http", "https") or not u.hostname:
                raise ValueError(f"{url!r}: expected http+unix://, http:// or https:// with a host")
            self._unix, base = None, u.path
            self._addr = (u.hostname, u.port or (443 if u.scheme == "https" else 80))
            host = u.netloc.rpartition("@")[2]
            # verifies the certificate and the host name against SSL_CERT_FILE / the system
            self._ssl = ssl.create_default_context() if u.scheme == "https" else None
        self._base = "/" + base.strip("/") if base.strip("/") else ""
        fixed = {"Host": host, **(headers or {})}
        for k, v in fixed.items():
            if any(c in f"{k}{v}" for c in "\r\n\0"):
                raise ValueError(f"header {k!r} has a line break or NUL")
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode("latin-1")
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> _Connection:
        if self._unix is not None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            try:
                s.connect(self._unix)
            except OSError:
                s.close()
                raise
        else:
            s = socket.create_connection(self._addr, timeout=self.timeout)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl is not None:
                try:
                    s = self._ssl.wrap_socket(s, server_hostname=self._addr[0])
                except OSError:
                    s.close()
                    raise
        return _Connection(s)

    def _take(self) -> _Connection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect()
            if conn.idle_and_open():
                return conn
            conn.close()   # closed by the server while idle: open a fresh one

    def post(self, path: str, json: Any = None, *, body: bytes | None = None,
             content_type: str = "application/json") -> Response:
        data = body if body is not None else _json.dumps(json).encode("utf-8")
        target = (self._base + "/" + path.lstrip("/")).encode("ascii")
        head = (b"POST " + target + b" HTTP/1.1\r\n" + self._fixed
                + b"Content-Type: " + content_type.encode("latin-1")
                + b"\r\nContent-Length: " + str(len(data)).encode() + b"\r\n\r\n")
        try:
            conn = self._take()
        except OSError as e:
            raise WireError(f"{type(e).__name__}: {e}") from e
        try:
            status, headers, content, keep = conn.exchange(head, data)
        except (OSError, ValueError) as e:   # WireError is an OSError
            conn.close()
            raise WireError(f"{type(e).__name__}: {e}") from e
        if keep:
            with self._lock:
                self._idle.append(conn)
        else:
            conn.close()
        return Response(status, content,
                        headers.get(b"content-type", b"").decode("latin-1"))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
