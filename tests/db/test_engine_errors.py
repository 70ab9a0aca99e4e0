"""A failed statement's error names the statement, never its values (``hide_parameters`` on the
state database's engine): these errors reach the hub's, the warden's and the web services' logs,
which are the operator's and kept outside the enclave's data - a value bound into a statement
may be a person's name, an e-mail address, a researcher's SQL or a token's hash."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, StatementError

from enclave.accounts.models import User
from enclave.db import session_scope

MARKED = {"display_name": "Marked Person Lin", "email": "marked.lin@example.org",
          "unit": "Marked Hospital Unit"}


def _error(db_url, work) -> str:
    with pytest.raises((DBAPIError, StatementError)) as e:
        with session_scope(db_url) as s:
            work(s)
    return str(e.value)


def test_an_insert_that_breaks_a_constraint_keeps_its_values_out(db_url):
    with session_scope(db_url) as s:
        s.add(User(username="marked-user-7", **MARKED))

    def again(s):
        s.add(User(username="marked-user-7", **MARKED))
        s.flush()
    said = _error(db_url, again)
    assert "INSERT INTO users" in said and "hidden" in said
    for value in ("Marked Person Lin", "marked.lin@example.org", "Marked Hospital Unit"):
        assert value not in said, said


@pytest.mark.parametrize("statement", [
    "SELECT CAST(:v AS INTEGER) + nonexistent_column FROM users",
    "UPDATE users SET display_name = :v WHERE no_such_column = 1",
    "INSERT INTO no_such_table (x) VALUES (:v)",
])
def test_any_failing_statement_hides_its_bound_values(db_url, statement):
    said = _error(db_url, lambda s: s.execute(text(statement), {"v": "marked-value-314"}))
    assert "marked-value-314" not in said and "hidden" in said, said


def test_a_statement_that_works_still_binds_its_values(db_url):
    """The setting hides values from errors only: what is written is written."""
    with session_scope(db_url) as s:
        s.add(User(username="marked-user-8", **MARKED))
    with session_scope(db_url) as s:
        u = s.execute(select(User).where(User.username == "marked-user-8")).scalar_one()
        assert u.email == "marked.lin@example.org"
