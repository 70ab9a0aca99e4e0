"""The booked slot's end inside the session's JupyterLab (issue 16), without a build step.

JupyterLab 4 runs no custom JavaScript from configuration; its one way in is a federated
("prebuilt") lab extension.  ``labextension/enclave-slot-clock`` is one, written by hand as a
module-federation container (``static/remoteEntry.js``: ``init`` receives JupyterLab's shared
modules, ``get("./extension")`` returns the plugin), so no npm, webpack or
``@jupyterlab/builder`` is needed and nothing is fetched.  The read-only system config
(:mod:`hub_config.lockdown`) adds its directory to ``LabApp.extra_labextensions_path``, and the
guard serves lab extensions only from read-only roots, this directory among them.

The plugin reads ``enclaveSlot`` from the page config this module adds on every ``/lab`` page:
the slot's end (``ENCLAVE_SLOT_END``, which the spawner takes from the booking), the warning
lead (``ENCLAVE_SLOT_WARN_MINUTES``, policy ``sessions.slot_end_warning_minutes``) and the
server's clock, so a workstation clock that is off does not move the countdown.  The warden
stops the session at the end whatever the page shows.

A booking can change while the session runs (the next slot booked, an admin shortening it), so
the plugin then re-reads the end from ``GET <base_url>enclave/slot``
(:class:`hub_config.singleuser.slot_handler.SlotHandler`, the server's own log-in), which asks the hub's ``GET /hub/api/enclave/slot``
(:mod:`hub_config.slot_api`: the bookings the gate and warden read) with the server's hub
token over the hub socket the session already has - no new way out of the sandbox.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hub_config.hub_words import taipei

LABEXTENSIONS = Path(__file__).parent / "labextension"
NAME = "enclave-slot-clock"
SLOT_END_ENV = "ENCLAVE_SLOT_END"
WARN_MINUTES_ENV = "ENCLAVE_SLOT_WARN_MINUTES"
DEFAULT_WARN_MINUTES = 10


SLOT_PATH = "enclave/slot"      # under the server's base URL
HUB_SLOT_PATH = "enclave/slot"  # under the hub's API URL (hub_config.slot_api)


def describe(ends: dt.datetime | None, warn: int, now: dt.datetime, **extra) -> dict:
    """The clock's view of a slot end: ``ends`` (ISO UTC, '' if unknown), ``endsTaipei``
    (HH:MM), ``warnMinutes`` and ``now`` (ISO UTC, the server's clock)."""
    out = {"ends": "", "endsTaipei": "?", "warnMinutes": warn, "now": now.isoformat(), **extra}
    if ends is not None:
        if ends.tzinfo is None:
            ends = ends.replace(tzinfo=dt.timezone.utc)  # the booking rows are UTC
        out.update(ends=ends.astimezone(dt.timezone.utc).isoformat(),
                   endsTaipei=taipei(ends, "%H:%M"))
    return out


def slot(environ=None, now: dt.datetime | None = None) -> dict:
    """``enclaveSlot`` for the page config, from the spawner's environment (see describe)."""
    env = os.environ if environ is None else environ
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        warn = max(int(env.get(WARN_MINUTES_ENV, DEFAULT_WARN_MINUTES)), 1)
    except ValueError:
        warn = DEFAULT_WARN_MINUTES
    try:
        ends = dt.datetime.fromisoformat(env.get(SLOT_END_ENV, ""))
    except ValueError:
        ends = None
    return describe(ends, warn, now)


def setup(serverapp) -> None:
    """Add ``enclaveSlot`` to every JupyterLab page's config and serve ``enclave/slot``.  JupyterHub's own extension sets
    the page-config hook when it loads, replacing any before it, so ours wraps whatever hook
    is there now and again once every extension has loaded (the event loop's first turn)."""
    from tornado.ioloop import IOLoop

    settings = serverapp.web_app.settings

    def wrap():
        before = settings.get("page_config_hook")
        if getattr(before, "enclave_slot", False):
            return

        def hook(handler, page_config):
            if before is not None:
                page_config = before(handler, page_config)
            page_config["enclaveSlot"] = slot()
            return page_config

        hook.enclave_slot = True
        settings["page_config_hook"] = hook

    wrap()
    IOLoop.current().add_callback(wrap)
    from jupyter_server.utils import url_path_join

    from hub_config.singleuser.slot_handler import SlotHandler

    serverapp.web_app.add_handlers(".*$", [(url_path_join(serverapp.base_url, SLOT_PATH),
                                            SlotHandler)])
