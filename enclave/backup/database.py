"""A consistent copy of the state database and its restore, with each backend's own tool:
SQLite's online backup API, PostgreSQL's pg_dump / pg_restore (custom format)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from enclave.db.engine import dispose_engine


class DatabaseBackupError(RuntimeError):
    pass


def backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_path(url: str) -> Path:
    p = make_url(url).database
    if not p or p == ":memory:":
        raise DatabaseBackupError(f"{url}: an in-memory database cannot be backed up")
    return Path(p)


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    raise DatabaseBackupError(f"{name} not found (install the postgresql client tools)")


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URI for the tools; the password goes through the environment, not argv."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    return u.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def dump(url: str, dest: Path) -> Path:
    """Write the database to ``dest`` (a file); returns it."""
    if backend(url) == "sqlite":
        src = sqlite_path(url)
        if not src.exists():
            raise DatabaseBackupError(f"{src} does not exist")
        with sqlite3.connect(src, timeout=60) as live, sqlite3.connect(dest) as copy:
            live.backup(copy)  # a consistent snapshot, even while services write
        copy.close()
        return dest
    uri, env = _libpq(url)
    run = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                          "--file", str(dest), uri], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise DatabaseBackupError(f"pg_dump failed: {run.stderr.strip()[:500]}")
    return dest


def is_empty(url: str) -> bool:
    eng = create_engine(url)
    try:
        with eng.connect() as c:
            return not inspect(c).get_table_names()
    finally:
        eng.dispose()


def restore(dump_file: Path, url: str, *, replace: bool) -> None:
    """Load ``dump_file`` into ``url``.  The target must be empty unless ``replace``; on failure
    the target is left as it was (SQLite: built aside and moved in) or emptied (PostgreSQL)."""
    if backend(url) == "sqlite":
        target = sqlite_path(url)
        if target.exists() and target.stat().st_size and not replace:
            raise DatabaseBackupError(f"{target} exists; pass --replace to overwrite it")
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(target.name + ".restoring")
        aside.unlink(missing_ok=True)
        with sqlite3.connect(dump_file) as src, sqlite3.connect(aside) as dst:
            src.backup(dst)
        dst.close()
        dispose_engine(url)  # pooled connections would keep reading the old file
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(aside, target)
        return
    if not is_empty(url):
        if not replace:
            raise DatabaseBackupError("the target database is not empty; pass --replace to overwrite it")
        wipe_postgres(url)
    uri, env = _libpq(url)
    run = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                          "--single-transaction", "--dbname", uri, str(dump_file)],
                         capture_output=True, text=True, env=env)
    if run.returncode != 0:
        wipe_postgres(url)
        raise DatabaseBackupError(f"pg_restore failed: {run.stderr.strip()[:500]}")


def wipe_postgres(url: str) -> None:
    dispose_engine(url)
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    finally:
        eng.dispose()
