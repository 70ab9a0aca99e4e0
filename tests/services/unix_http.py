"""A threaded HTTP/1.1 server on a unix socket, for stand-ins of the hub's warden (the real
one lives inside a running hub): the broker tests and the broker benchmark use it."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn, UnixStreamServer


class UnixHTTPServer(ThreadingMixIn, UnixStreamServer, HTTPServer):
    daemon_threads = True

    def server_bind(self):
        UnixStreamServer.server_bind(self)   # HTTPServer's would ask a unix path for a host name
        self.server_name, self.server_port = "warden", 0


def serve(sock: Path | str, handler: type[BaseHTTPRequestHandler]) -> UnixHTTPServer:
    """Serve ``handler`` on ``sock`` in a daemon thread; shut it down with ``.shutdown()``."""
    server = UnixHTTPServer(str(sock), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def answer_json(handler: BaseHTTPRequestHandler, status: int, obj) -> None:
    """One JSON answer with its length, so a kept connection can carry the next request."""
    out = json.dumps(obj).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(out)))
    handler.end_headers()
    handler.wfile.write(out)


class Answer201(BaseHTTPRequestHandler):
    """A stand-in warden that answers every record 201 on a kept connection, for tests where
    the record is not under test (the real warden: tests.services.warden_thread)."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer_json(self, 201, {"seq": 1})

    def log_message(self, *a):
        pass
