"""The enclave's one HTTP client: keep-alive HTTP/1.1 over ``http+unix://`` (a session has no
TCP: the query broker, the egress service and the hub API are unix sockets there), ``http://``
and ``https://`` - for the query path's two hops (session → broker, broker → the warden's query
log, A3), the in-session egress client, output submission and the services' token checks.

Why not httpx: each request spent ~0.5 ms of CPU in httpx/httpcore/h11 (URL parsing,
header models, the state machine), and a query pays it on both hops - about 5 % of a 1 M-row
aggregate on its own (issue 18, ``bench/broker_query.py``); ``http.client`` still spent
~0.1 ms parsing headers with the e-mail parser.  This client writes the request in one send
and reads only what the enclave's own tornado/uvicorn services answer: ~0.03 ms a round trip.
One client for every caller keeps one place where timeouts, TLS verification and header
injection are handled.

Safety of reuse: a request is sent at most once.  A kept connection is checked before it is
reused (a server that closed it leaves the socket readable at EOF) and replaced if so; a
connection that fails during a request is dropped and the error raised, never retried, so a
query, a log record or a submission is never sent twice behind the caller's back.  HTTPS
verifies the server against the default trust store (``SSL_CERT_FILE``: the enclave's CA).
"""
from __future__ import annotations

import json as _json
import select
import socket
import ssl
import threading
from typing import Any
import uuid
from urllib.parse import quote, unquote, urlencode, urlsplit


class WireError(OSError):
    """The server could not be reached, or the connection broke during the request."""


class Response:
    __slots__ = ("status", "content", "headers")

    def __init__(self, status: int, content: bytes, headers: dict[str, str]) -> None:
        self.status, self.content, self.headers = status, content, headers

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def status_code(self) -> int:
        return self.status

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return _json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status >= 400:
            raise HTTPStatusError(f"HTTP {self.status}: {self.text[:300]}", self)


class HTTPStatusError(RuntimeError):
    """The server answered with an error status (``raise_for_status``)."""

    def __init__(self, message: str, response: "Response") -> None:
        super().__init__(message)
        self.response = response


def _header_lines(headers: dict[str, str]) -> bytes:
    for k, v in headers.items():
        if any(c in f"{k}{v}" for c in "\r\n\0"):
            raise ValueError(f"header {k!r} has a line break or NUL")
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1")


def _multipart(fields: dict[str, str], files: list) -> tuple[bytes, str]:
    """multipart/form-data of text fields and files; file contents are read whole (the
    services cap uploads far below memory)."""
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{_q(name)}"\r\n\r\n'
                   .encode() + str(value).encode("utf-8") + b"\r\n")
    for name, (filename, content, ctype) in files:
        raw = content if isinstance(content, bytes) else content.read()
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{_q(name)}"; '
                   f'filename="{_q(filename)}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                   + raw + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def _q(name: str) -> str:
    """A name inside a quoted Content-Disposition parameter, escaped as HTML forms do (quote and
    control characters as %XX, backslash doubled), so a file name cannot add a part or a header."""
    return "".join("\\\\" if c == "\\" else f"%{ord(c):02X}" if c == '"' or ord(c) < 32 else c
                   for c in name)


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
    """Requests to ``http+unix://<quoted socket path>/<base>``, ``http://`` or ``https://``,
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
        self._fixed = _header_lines({"Host": host, **(headers or {})})
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

    def request(self, method: str, path: str, *, json: Any = None, data: dict | None = None,
                files: list | None = None, params: dict | None = None, body: bytes | None = None,
                content_type: str = "application/json", headers: dict[str, str] | None = None
                ) -> Response:
        """One request.  The body is ``body`` as given, or ``json`` encoded, or ``data`` (form
        fields) with ``files`` (``[(field, (filename, bytes-or-file, content type))]``) as
        multipart, or ``data`` alone as a URL-encoded form."""
        if body is not None:
            payload = body
        elif files is not None:
            payload, content_type = _multipart(data or {}, files)
        elif data is not None:
            payload, content_type = urlencode(data).encode(), "application/x-www-form-urlencoded"
        elif json is not None or method == "POST":
            payload = _json.dumps(json).encode("utf-8")
        else:
            payload, content_type = b"", ""
        target = self._base + "/" + path.lstrip("/")
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        extra = _header_lines(headers or {})
        if content_type:
            extra += b"Content-Type: " + content_type.encode("latin-1") + b"\r\n"
        if payload or method not in ("GET", "HEAD", "DELETE"):
            extra += b"Content-Length: " + str(len(payload)).encode() + b"\r\n"
        head = (method.encode("ascii") + b" " + quote(target, safe="/?&=%:@!$'()*+,;~-._").encode("ascii")
                + b" HTTP/1.1\r\n" + self._fixed + extra + b"\r\n")
        try:
            conn = self._take()
        except OSError as e:
            raise WireError(f"{type(e).__name__}: {e}") from e
        try:
            status, rheaders, content, keep = conn.exchange(head, payload)
        except (OSError, ValueError) as e:   # WireError is an OSError
            conn.close()
            raise WireError(f"{type(e).__name__}: {e}") from e
        if keep:
            with self._lock:
                self._idle.append(conn)
        else:
            conn.close()
        return Response(status, content, {k.decode("latin-1"): v.decode("latin-1")
                                          for k, v in rheaders.items()})

    def post(self, path: str, json: Any = None, **kw) -> Response:
        return self.request("POST", path, json=json, **kw)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
