from __future__ import annotations

import contextlib
import random
import time
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Sized for 50-200 concurrent web requests (docs/architecture.md, "Under load"): web requests
# queue for a session in the event loop (request_scope.py), so the pool only has to cover those
# plus background threads.  SQLite connections are cheap; PostgreSQL's are bounded so the four
# services of one host stay under the server's default max_connections (100).
SQLITE_POOL = {"pool_size": 8, "max_overflow": 56, "pool_timeout": 120}
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 14, "pool_timeout": 120}
SQLITE_BUSY_MS = 60_000    # how long one statement waits for the write lock
SQLITE_BEGIN_RETRIES = 5   # BEGIN IMMEDIATE tried again when SQLite still says busy


def _begin_immediate(conn) -> None:
    """Take the write lock, retrying while SQLite answers 'database is locked' (it can, without
    waiting, e.g. while another connection checkpoints the WAL)."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(SQLITE_BEGIN_RETRIES + 1):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as e:
            if "locked" not in str(e.orig) and "busy" not in str(e.orig):
                raise
            if attempt == SQLITE_BEGIN_RETRIES:
                raise
            time.sleep(min(0.05 * 2 ** attempt, 1.0) * (0.5 + random.random()))


def make_engine(url: str) -> Engine:
    """The state database's engine.  ``hide_parameters``: a failed statement's error (logged by
    the hub, the warden, the web services) names the statement but not its values - the audit
    record's SQL text and detail, people's names, tokens' hashes."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None lets us issue BEGIN IMMEDIATE ourselves: every transaction takes
        # the write lock up front, so check-then-insert (last seat, audit chain) is serialised.
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "isolation_level": None,
                                                  "check_same_thread": False},
                               hide_parameters=True, **SQLITE_POOL)

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            cur = conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            _begin_immediate(conn)

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **POSTGRES_POOL)


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    """This process's one pooled engine for ``url`` (sessions and Core connections share it)."""
    return make_engine(url)


def dispose_engine(url: str) -> None:
    """Close this process's pooled connections to ``url`` (after its file or schema was replaced)."""
    engine_for(url).dispose()


def sessionmaker_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any exception."""
    if url is None:
        from enclave.settings import get_settings
        url = get_settings().db_url
    s = sessionmaker_for(url)()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database to the newest schema (all branches: each area owns one)."""
    from alembic import command

    command.upgrade(alembic_config(url), "heads")
