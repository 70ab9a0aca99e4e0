"""The session's query broker (hub_config.broker) served in-process for tests: its tornado app
for one CaseDatabase on a unix socket, in a thread with its own event loop; and a query log
that keeps its records in a list."""
from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import Iterator


class ListLog:
    """The broker's query log in memory; ``fail = True`` plays an audit store that is down."""

    def __init__(self) -> None:
        self.records: list[tuple] = []
        self.fail = False

    def purpose(self, purpose):
        self.records.append(("purpose", purpose))

    def query(self, purpose, sql, params):
        if self.fail:
            from hub_config.broker import LogRefused

            raise LogRefused("the query log refused the record (500: audit store down); "
                             "nothing was run")
        self.records.append(("query", purpose, sql, params))


@contextlib.contextmanager
def broker_on_socket(db, auth: str, sock: str | Path) -> Iterator[str]:
    """Serve ``db`` with the broker's app (``auth``: the Authorization header it accepts) on the
    unix socket ``sock`` for the block; yields the http+unix URL a session uses."""
    from tornado import httpserver, netutil

    from hub_config.broker_http import make_app
    from hub_config.spawner import unix_url

    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run():
        asyncio.set_event_loop(loop)
        server = httpserver.HTTPServer(make_app(db, auth))
        server.add_socket(netutil.bind_unix_socket(str(sock), mode=0o600))
        loop.call_soon(ready.set)
        loop.run_forever()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    if not ready.wait(10):
        raise RuntimeError("the broker did not start")
    try:
        yield unix_url(str(sock))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join(10)
