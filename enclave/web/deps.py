"""FastAPI dependencies shared by the enclave's services.

An app stores its database URL and policy in ``app.state`` (``db_url``, ``policy``); each request
gets one transaction that commits when the handler returns and rolls back on any error, so a
crashed request leaves nothing half-written.
"""
from __future__ import annotations

from typing import AsyncIterator

from fastapi import Request
from sqlalchemy.orm import Session

from enclave.db.request_scope import request_session


async def get_db(request: Request) -> AsyncIterator[Session]:
    # queued in the event loop, not in a pool thread (why: enclave/db/request_scope.py)
    async with request_session(request.app.state, request.app.state.db_url) as s:
        # the commit must precede the response (read-your-writes): enclave.web.factory commits
        # this session when a successful response starts; the exit below runs only after it is sent
        request.state.db_session = s
        yield s


def get_policy(request: Request):
    return request.app.state.policy
