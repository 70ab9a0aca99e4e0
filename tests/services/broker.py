"""The session's query broker (hub_config.broker) served in-process for tests: its server
(hub_config.broker_http) for one CaseDatabase on a unix socket; and a query log that keeps its
records in a list."""
from __future__ import annotations

import contextlib
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
    """Serve ``db`` with the broker's server (``auth``: the Authorization header it accepts) on
    the unix socket ``sock`` for the block; yields the http+unix URL a session uses."""
    from tornado import netutil

    from hub_config.broker_http import serve
    from hub_config.spawner import unix_url

    server = serve(db, auth, [netutil.bind_unix_socket(str(sock), mode=0o600)])
    try:
        yield unix_url(str(sock))
    finally:
        server.close()
