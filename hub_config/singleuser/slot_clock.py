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


def slot(environ=None, now: dt.datetime | None = None) -> dict:
    """``enclaveSlot`` for the page config: ``ends`` (ISO UTC, '' if unknown), ``endsTaipei``
    (HH:MM), ``warnMinutes`` and the server's ``now`` (ISO UTC)."""
    env = os.environ if environ is None else environ
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        warn = max(int(env.get(WARN_MINUTES_ENV, DEFAULT_WARN_MINUTES)), 1)
    except ValueError:
        warn = DEFAULT_WARN_MINUTES
    out = {"ends": "", "endsTaipei": "?", "warnMinutes": warn, "now": now.isoformat()}
    try:
        ends = dt.datetime.fromisoformat(env.get(SLOT_END_ENV, ""))
    except ValueError:
        return out
    if ends.tzinfo is None:
        ends = ends.replace(tzinfo=dt.timezone.utc)  # the booking rows are UTC
    out.update(ends=ends.astimezone(dt.timezone.utc).isoformat(), endsTaipei=taipei(ends, "%H:%M"))
    return out


def setup(serverapp) -> None:
    """Add ``enclaveSlot`` to every JupyterLab page's config.  JupyterHub's own extension sets
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
