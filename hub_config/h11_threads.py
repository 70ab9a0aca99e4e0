"""HTTP/1.1 served with ``h11``, one thread per connection: the one server loop under the query
broker (:mod:`hub_config.broker_http`) and the warden's record endpoint
(:mod:`hub_config.warden_http`), issue 18.

A request's whole work runs on its connection's own thread: an event loop and the hand-offs
to and from a worker thread cost more CPU than the framing itself on these short requests.
Each user of this module gives what is its own - how one request is read and answered, and
how a refusal is sent - and gets here the accept loop with its connection cap, the request
cycle on a kept connection, and the refusal of what cannot be framed: an error answered and
the connection closed, since its framing can no longer be trusted.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Callable

import h11

READ = 64 * 1024


class Framing(Exception):
    """The request cannot be taken as framed: answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def next_event(conn: h11.Connection, sock):
    """The next h11 event, reading from the socket as it needs (b"": the peer closed)."""
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(sock.recv(READ))


# (connection, socket, request) -> None: reads the body, answers
OneRequest = Callable[[h11.Connection, object, h11.Request], None]
# (connection, socket, status, message): the refusal, answered with "Connection: close"
SendRefusal = Callable[[h11.Connection, object, int, str], None]


def requests(sock, max_head: int, one: OneRequest, refuse: SendRefusal,
             log: logging.Logger) -> None:
    """Every request of one connection, in order, until the peer closes or framing fails."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=max_head)
    try:
        while True:
            event = next_event(conn, sock)
            if isinstance(event, h11.ConnectionClosed):
                return   # the peer closed between requests
            one(conn, sock, event)
            if conn.our_state is h11.MUST_CLOSE:
                return
            conn.start_next_cycle()
    except (Framing, h11.RemoteProtocolError) as e:
        status = e.status if isinstance(e, Framing) else e.error_status_hint
        log.warning("%d refused request: framing", status)
        if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            try:
                refuse(conn, sock, status, str(e))
            except (OSError, h11.LocalProtocolError):
                pass


class ThreadPerConnection:
    """Accepts on ``sockets`` (bound, listening; threads ``<name>-accept``) and runs
    ``serve(sock)`` for each connection on a thread named ``<name>-request``; past
    ``max_connections()`` open ones (read at each accept: the module's cap as it is now) a new
    connection is closed at once rather than a thread started for it.  ``wrap(raw)``: the
    socket to serve on (a TLS handshake), or the raw one."""

    def __init__(self, sockets: list, serve: Callable[[object], None], *, name: str,
                 max_connections: Callable[[], int], log: logging.Logger,
                 wrap: Callable[[socket.socket], object] | None = None) -> None:
        self.sockets, self._serve, self._wrap = sockets, serve, wrap
        self.name, self.max_connections, self.log = name, max_connections, log
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._closed = False
        for s in sockets:
            s.setblocking(True)
            threading.Thread(target=self._accept, args=(s,), name=f"{name}-accept",
                             daemon=True).start()

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        self._closed = True
        with self._lock:
            live = list(self._live)
        for s in [*self.sockets, *live]:
            try:
                s.shutdown(socket.SHUT_RDWR)   # wakes a blocked accept() or recv()
            except OSError:
                pass
            s.close()

    def _accept(self, lsock: socket.socket) -> None:
        while not self._closed:
            try:
                c, _ = lsock.accept()
            except OSError:
                if self._closed:
                    return
                time.sleep(0.05)   # out of descriptors, or a connection reset while queued
                continue
            with self._lock:
                cap = self.max_connections()
                full = len(self._live) >= cap
                if not full:
                    self._live.add(c)
            if full:
                self.log.warning("connection refused: %d connections open", cap)
                c.close()
                continue
            threading.Thread(target=self._connection, args=(c,), name=f"{self.name}-request",
                             daemon=True).start()

    def _connection(self, raw: socket.socket) -> None:
        sock = raw
        try:
            if self._wrap is not None:
                sock = self._wrap(raw)
            self._serve(sock)
        except (OSError, ValueError):
            pass   # the peer went away, or a TLS handshake failed: nothing was run for it
        finally:
            with self._lock:
                self._live.discard(raw)
            try:
                sock.close()
            except OSError:
                pass
