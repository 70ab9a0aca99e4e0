"""Shared fixtures: an isolated ENCLAVE_HOME per test and the state DB on both backends."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services.postgres import PostgresServer, pg_bin

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def postgres_server():
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries missing on CI: .ci/run must install them")
        pytest.skip("PostgreSQL binaries not installed")
    srv = PostgresServer().start()
    yield srv
    srv.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, migrated state database; every test using it runs on SQLite and PostgreSQL."""
    from enclave.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
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
