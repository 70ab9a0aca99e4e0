"""Bounded path parameters shared by every router: ids are 32-bit on SQLite and PostgreSQL, so
anything outside 1..2**31-1 (negative, zero, huge, not a number) is refused with 422 before it
reaches the database."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="id (1 to 2^31-1)")]
