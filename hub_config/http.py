"""Small pieces shared by the hub-side tornado services (the warden, the query broker)."""
from __future__ import annotations

import json

from tornado import web

# The longest SQL text a session may send: the broker refuses longer before anything runs, and
# the warden refuses to record longer (what a broker forwards is what it accepted).
MAX_SQL_CHARS = 100_000


def json_object(body: bytes | None) -> dict:
    """A request body that must be a JSON object; HTTP 400 saying what is wrong otherwise."""
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError as e:
        raise web.HTTPError(400, f"body is not JSON: {e}")
    if not isinstance(data, dict):
        raise web.HTTPError(400, "body must be a JSON object")
    return data
