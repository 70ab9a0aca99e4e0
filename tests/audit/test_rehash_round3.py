"""A5: an audit log emptied and written anew under the same master key.

Round 2's anchor (``enclave/audit/anchor.py``) caught a log emptied, or rolled back with its
journal; a log emptied and then *written anew* under the same key was a chain of its own and
left to the external witness, because several databases may share one keys directory.  Each
anchor now names the database it was written for, so an anchor of this database for another
chain is the rewritten log - while another database sharing the keys is still no problem.
SQLite and PostgreSQL; real files, real triggers."""
from __future__ import annotations

import shutil

import pytest

from enclave.audit import anchor
from enclave.audit.verify import verify_audit
from enclave.db import session_scope
from tests.audit import attacks as A


def problems(url):
    with session_scope(url) as s:
        return verify_audit(s)


@pytest.mark.parametrize("keep_journal", [False, True], ids=["journal-deleted", "journal-kept"])
@pytest.mark.parametrize("again", [1, 5])
def test_log_emptied_and_written_anew_under_the_same_key(enclave_home, db_url, keep_journal, again):
    from enclave.audit.journal import journal_dir

    A.fill(db_url, 3)
    A.sql(db_url, "DELETE FROM audit_records", "DELETE FROM audit_head")
    if not keep_journal:
        shutil.rmtree(journal_dir())
    A.fill(db_url, again)      # a new chain, sealed and checkpointed with the same key
    found = problems(db_url)
    assert any("emptied and written anew" in p.message for p in found), [p.message for p in found]


def test_another_database_sharing_the_keys_is_no_problem(enclave_home, db_url, tmp_path):
    """A second database (a staging copy's own log) under the same keys and journal directory."""
    from enclave.db import upgrade

    other = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(other)
    A.fill(db_url, 3)
    A.fill(other, 2)
    A.fill(db_url, 1, start=3)
    assert problems(db_url) == []
    assert problems(other) == []


def test_the_anchor_names_its_database_and_the_name_is_sealed(enclave_home, db_url):
    """The database an anchor names is under its seal: moving an anchor to another database's
    name (so the rewritten log looks like a neighbour's) breaks the seal."""
    import json

    from enclave.settings import get_settings

    A.fill(db_url, 2)
    directory = anchor.anchor_dir(get_settings())
    [path] = list(directory.glob("*.json"))
    d = json.loads(path.read_text())
    assert d["v"] == 2 and len(d["db"]) == 32
    d["db"] = "0" * 32
    path.write_text(json.dumps(d))
    found = problems(db_url)
    assert any("not sealed" in p.message for p in found), [p.message for p in found]


@pytest.mark.parametrize("a, b, same", [
    ("postgresql://warden:pw@db:5432/enclave", "postgresql+psycopg://admin@DB:5432/enclave", True),
    ("postgresql://u@db:5432/enclave", "postgresql://u@db:5432/enclave_staging", False),
    ("postgresql://u@db:5432/enclave", "postgresql://u@db2:5432/enclave", False),
    ("postgresql://u@db:5432/enclave", "postgresql://u@db:5433/enclave", False),
    ("sqlite:////srv/enclave/state.db", "sqlite:////srv/enclave/../enclave/state.db", True),
    ("sqlite:////srv/enclave/state.db", "sqlite:////srv/staging/state.db", False),
])
def test_what_makes_two_urls_one_database(a, b, same):
    """The account and driver differ between services (the warden's role, the CLI's): not part
    of which database it is; host, port, name or file are."""
    from sqlalchemy.engine import make_url

    ia = anchor.database_identity(type("E", (), {"url": make_url(a)})())
    ib = anchor.database_identity(type("E", (), {"url": make_url(b)})())
    assert ia and ib and (ia == ib) == same
