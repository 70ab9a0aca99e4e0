"""Shared fixtures: an isolated ENCLAVE_HOME per test and the state DB on both backends."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services.httpx_tls import share_default_contexts
from tests.services.postgres import PostgresServer, pg_bin

ROOT = Path(__file__).resolve().parent.parent

# Fixture accounts are hashed at a token argon2id cost (1 MiB, 1 pass, 1 lane: ~0.4 ms to
# verify) rather than the services' RFC 9106 cost (64 MiB, 3 passes, 4 lanes: ~200 ms): a hash
# carries its own cost, so the suite's thousands of logins verify cheaply while every service,
# in its own process, still hashes new passwords at full cost (tests/identity/
# test_password_cost.py).  What a fixture hash costs to crack does not matter: it guards no
# real account, and no check reads a hash's cost.  (At OWASP's minimum, 19 MiB and 2 passes,
# verification was still ~7 % of the identity and control tests' CPU.)
# Set at import: conftests and test modules hash their fixture passwords when imported.
FIXTURE_HASH_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _cheap_fixture_hashes() -> None:
    from argon2 import PasswordHasher

    from enclave.accounts import passwords

    passwords._hasher = PasswordHasher(**FIXTURE_HASH_COST)


_cheap_fixture_hashes()


share_default_contexts()   # tests/services/httpx_tls.py: one SSL context per trust setting


def pytest_collection_modifyitems(config, items):
    """The longest test files first (tests/schedule.py)."""
    from tests.schedule import heaviest_first

    items[:] = heaviest_first(items)


@pytest.fixture(scope="session", autouse=True)
def _session_enclave_home(tmp_path_factory):
    """No test touches ./var: unless a test sets its own, ENCLAVE_HOME (the master key the audit
    chain is keyed with, the audit checkpoint journal...) is one temporary directory per run."""
    if os.environ.get("ENCLAVE_HOME"):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ENCLAVE_HOME", str(tmp_path_factory.mktemp("session-home")))
        yield


@pytest.fixture(scope="session", autouse=True)
def _rule_switched_off():
    """bench/rule_switches.py: one rule's enforcement off for this run (tests/rule_switch.py)."""
    from tests.rule_switch import apply

    with pytest.MonkeyPatch.context() as mp:
        apply(mp)
        yield


@pytest.fixture(scope="session")
def postgres_server():
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries missing on CI: .ci/run must install them")
        pytest.skip("PostgreSQL binaries not installed")
    srv = PostgresServer().start()
    yield srv
    srv.stop()


def _empty_audit(url: str) -> bool:
    """A template may be copied only while it holds no audit record: records are keyed with the
    master key of the ENCLAVE_HOME that wrote them, and tests may run under another home."""
    from sqlalchemy import create_engine, inspect, text

    eng = create_engine(url)
    try:
        with eng.connect() as c:
            names = set(inspect(c).get_table_names())
            return all(c.execute(text(f"SELECT count(*) FROM {t}")).scalar() == 0
                       for t in ("audit_records", "audit_head") if t in names)
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """The migrations run once per test run; each test gets a copy (sqlite3's backup API, which
    also carries what is still in the write-ahead log).  None: migrate per test."""
    from enclave.db import upgrade

    path = tmp_path_factory.mktemp("db-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path if _empty_audit(f"sqlite:///{path}") else None


@pytest.fixture(scope="session")
def _postgres_template(postgres_server):
    """PostgreSQL's own CREATE DATABASE … TEMPLATE, from a database migrated once per run."""
    from enclave.db import upgrade
    from enclave.db.engine import engine_for

    url = postgres_server.create_database("t_template_state")
    upgrade(url)
    engine_for(url).dispose()  # CREATE DATABASE … TEMPLATE needs the template unused
    return "t_template_state" if _empty_audit(url) else None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, migrated state database; every test using it runs on SQLite and PostgreSQL."""
    from enclave.db import upgrade

    if request.param == "sqlite":
        from tests.fresh_db import fresh_sqlite

        return fresh_sqlite(request, tmp_path / "state.db")
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("_postgres_template")
    url = server.create_database(template=template)
    if template is None:
        upgrade(url)
    return url


@pytest.fixture
def enclave_home(tmp_path, monkeypatch):
    """An empty ENCLAVE_HOME; settings and the policy come from it and the default policy."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    monkeypatch.delenv("ENCLAVE_DB_URL", raising=False)
    return home
