"""A freshly migrated SQLite state database at a path of the test's choosing, copied from the
run's migrated template (tests/conftest.py ``_sqlite_template``) instead of running every
migration again (seconds per database on the shared test machine).  A copy is the same bytes a
migration writes, so a test reading it as "a fresh enclave" reads what a new deployment has; the
template holds no audit record (conftest checks), so no chain keyed under another home comes
along.  Without a template (it held records) the migrations run here, as before."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_sqlite(src: Path, dst: Path) -> None:
    """sqlite3's backup API: the file with what its write-ahead log still holds."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def fresh_sqlite(request, path: Path) -> str:
    """The URL of a new, migrated SQLite database at ``path`` (``request``: the test's pytest
    request, to reach the session's template)."""
    from enclave.db import upgrade

    url = f"sqlite:///{path}"
    template = request.getfixturevalue("_sqlite_template")
    if template is None:
        upgrade(url)
    else:
        copy_sqlite(template, path)
    return url
