"""A throw-away PostgreSQL cluster: initdb in a temp dir, listening on a unix socket and a
free loopback port, owned by the unprivileged ``postgres`` user (initdb refuses root)."""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

from tests.services.net import free_port

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin() -> Path | None:
    for p in PG_BIN_CANDIDATES:
        if (p / "initdb").exists():
            return p
    return None


def _as_postgres(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        kw.setdefault("user", pw.pw_uid)
        kw.setdefault("group", pw.pw_gid)
        kw.setdefault("extra_groups", [])
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class PostgresServer:
    def __init__(self, fsync: bool = False) -> None:
        self.fsync = fsync   # off for tests (speed); on where a bench measures commits
        bindir = pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="enclave-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = self.dir / "data"

    def start(self) -> "PostgresServer":
        _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                      "-l", str(self.dir / "log"),
                      "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                            f"-c max_connections=200 -c fsync={'on' if self.fsync else 'off'}"
                      , "start"])
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        _as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                      "-U", "postgres", *(["-T", template, "--strategy=file_copy"] if template else []),
                      name])
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        # a worker's cluster holds every test's database by the end (gigabytes, tens of thousands
        # of files, up to a minute to delete): the server is stopped, so the files go in the
        # background while the run ends
        aside = self.dir.with_name(self.dir.name + ".deleting")
        try:
            self.dir.rename(aside)
            subprocess.Popen(["rm", "-rf", "--", str(aside)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    srv = PostgresServer().start()
    try:
        yield srv
    finally:
        srv.stop()
