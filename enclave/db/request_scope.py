"""One database transaction per web request, without starving the request threads.

A request's transaction spans several hops through the thread pool (dependencies, handler,
response), and on SQLite every transaction holds the write lock from its first statement (BEGIN
IMMEDIATE, engine.py).  If every pool thread waits for that lock while the request holding it
waits for a thread to run its next hop, nothing moves until a timeout turns it into HTTP 500s
(the issue's probe: 26 of 50 concurrent bookings).  So requests queue for a session *in the
event loop* (an ``anyio`` limiter, which costs no thread) and only as many as can make progress
hold one: one per process on SQLite (its writers are serialised anyway), a bounded number on
PostgreSQL, well under the thread pool's size, so lock holders always find a thread.
"""
from __future__ import annotations

import contextlib
from typing import AsyncIterator

import anyio
from sqlalchemy.orm import Session

from enclave.db.engine import sessionmaker_for

SQLITE_SESSIONS = 1
POSTGRES_SESSIONS = 16  # < anyio's 40 worker threads, and within the engine's pool (engine.py)


def _limiter(state, url: str) -> anyio.CapacityLimiter:
    # created lazily, inside the running event loop, once per app
    limiters = getattr(state, "db_limiters", None)
    if limiters is None:
        limiters = state.db_limiters = {}
    if url not in limiters:
        limiters[url] = anyio.CapacityLimiter(SQLITE_SESSIONS if url.startswith("sqlite") else POSTGRES_SESSIONS)
    return limiters[url]


@contextlib.asynccontextmanager
async def request_session(state, url: str) -> AsyncIterator[Session]:
    """Yield a session; commit when the request succeeded, roll back on any error."""
    async with _limiter(state, url):
        s = sessionmaker_for(url)()
        try:
            yield s
            await anyio.to_thread.run_sync(s.commit)
        except BaseException:
            await anyio.to_thread.run_sync(s.rollback)
            raise
        finally:
            await anyio.to_thread.run_sync(s.close)
