"""FastAPI dependencies shared by the enclave's services.

An app stores its database URL and policy in ``app.state`` (``db_url``, ``policy``); each request
gets one transaction that commits when the handler returns and rolls back on any error, so a
crashed request leaves nothing half-written.
"""
from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from enclave.db import session_scope


def get_db(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.db_url) as s:
        yield s


def get_policy(request: Request):
    return request.app.state.policy
