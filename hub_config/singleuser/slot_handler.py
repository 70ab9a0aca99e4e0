"""``GET <base_url>enclave/slot``: the booked slot's end as the hub has it now, for the slot
clock's periodic re-read (:mod:`hub_config.singleuser.slot_clock`).

The server asks the hub's ``GET /hub/api/enclave/slot`` (:mod:`hub_config.slot_api`) with its
own hub token (``JUPYTERHUB_API_TOKEN``) over ``JUPYTERHUB_API_URL`` - the hub's unix socket,
which the sandbox already binds for the log-in - through JupyterHub's own HTTP client.  Nothing
else is reached; the browser gets only the end, the warning lead and the clocks.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import time

from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from hub_config.singleuser.slot_clock import HUB_SLOT_PATH

CACHE_SECONDS = 5   # several tabs of one session ask the hub once


class HubError(Exception):
    """The hub could not say when the slot ends (the page keeps what it shows)."""


async def from_hub(api: str, token: str) -> dict:
    """The slot end as the hub has it now (``hub_config.slot_api``), asked with this server's
    own hub token over its hub API URL (the hub socket); HubError if it cannot say."""
    from jupyterhub.httpclient import fetch

    if not api or not token:
        raise HubError("no hub API URL or token in this server's environment")
    try:
        r = await fetch(f"{api.rstrip('/')}/{HUB_SLOT_PATH}", raise_for_status=False,
                        headers={"Authorization": f"token {token}"})
        text = await r.text()
    except Exception as e:  # the hub restarting: the page keeps the end it has
        raise HubError(f"the hub did not answer: {type(e).__name__}") from e
    if r.status != 200:
        raise HubError(f"the hub answered {r.status}: {text[:200]}")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or "ends" not in data:
        raise HubError("the hub's answer has no slot end")
    return data


class SlotHandler(JupyterHandler):
    """The slot's end now (JSON as ``slot_clock.describe``), behind the server's log-in."""

    _cache: tuple[float, dict] | None = None

    def _hub(self) -> tuple[str, str]:
        """The hub API URL and token the server's JupyterHub log-in uses (else the spawner's
        environment)."""
        auth = getattr(self.identity_provider, "hub_auth", None)
        api = getattr(auth, "api_url", "") or os.environ.get("JUPYTERHUB_API_URL", "")
        token = getattr(auth, "api_token", "") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        return api, token

    @web.authenticated
    async def get(self):
        cached = SlotHandler._cache
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            data = cached[1]
        else:
            try:
                data = await from_hub(*self._hub())
            except HubError as e:
                raise web.HTTPError(502, f"slot end unavailable: {e}") from None
            SlotHandler._cache = (time.monotonic(), data)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({**data, "now": dt.datetime.now(dt.timezone.utc).isoformat()}))
