"""configurable-http-proxy with unix-socket targets.

JupyterHub formats every route target as ``proto://host:port``; for an ``http+unix`` target
that appends ``:80`` to the socket path and CHP then fails with ``ENOENT …sock:80``.  Strip it.

JupyterHub starts CHP in a session of its own and stops it only on an orderly shutdown; a hub
killed while starting up would leave the proxy serving the port.  ``setpriv --pdeathsig``
ties the proxy's life to the hub's.

CHP sends every request to a unix-socket target on a fresh connection it asks the server to
close, and reports the server's close as EPIPE (a 503) when it races the request's body;
``chp_unix_keepalive.mjs``, loaded ahead of CHP, gives those targets a keep-alive agent.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from jupyterhub.proxy import ConfigurableHTTPProxy
from traitlets import default

KEEPALIVE_PATCH = Path(__file__).with_name("chp_unix_keepalive.mjs")
_UNIX_PORT = re.compile(r"^(http\+unix://[^/:]+):\d+(/.*)?$")


def strip_unix_port(target: str) -> str:
    m = _UNIX_PORT.match(target)
    return f"{m.group(1)}{m.group(2) or ''}" if m else target


class UnixSocketProxy(ConfigurableHTTPProxy):
    @default("command")
    def _tethered_command(self):
        setpriv = shutil.which("setpriv")
        chp = ["configurable-http-proxy"]
        node, chp_bin = shutil.which("node"), shutil.which("configurable-http-proxy")
        if node and chp_bin:
            chp = [node, "--import", KEEPALIVE_PATCH.as_uri(), os.path.realpath(chp_bin)]
        return [setpriv, "--pdeathsig", "TERM", *chp] if setpriv else chp

    async def add_route(self, routespec, target, data):
        return await super().add_route(routespec, strip_unix_port(target), data)
