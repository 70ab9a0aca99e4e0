"""One row by its id, for a command, an API route or a page: a missing row is NotFound naming
what was asked for."""
from __future__ import annotations

from typing import TypeVar

from enclave.core.errors import NotFound

T = TypeVar("T")

# ids are 32-bit on SQLite and PostgreSQL; a larger one would be an overflow error on PostgreSQL
MAX_ID = 2**31 - 1


def get_row(db, model: type[T], row_id: int, what: str) -> T:
    row = db.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"No {what} {row_id}.")
    return row
