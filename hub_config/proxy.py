"""configurable-http-proxy with unix-socket targets.

JupyterHub formats every route target as ``proto://host:port``; for an ``http+unix`` target
that appends ``:80`` to the socket path and CHP then fails with ``ENOENT …sock:80``.  Strip it.

JupyterHub starts CHP in a session of its own and stops it only on an orderly shutdown; a hub
killed while starting up would leave the proxy serving the port.  ``setpriv --pdeathsig``
ties the proxy's life to the hub's.
"""
from __future__ import annotations

import re
import shutil

from jupyterhub.proxy import ConfigurableHTTPProxy
from traitlets import default

_UNIX_PORT = re.compile(r"^(http\+unix://[^/:]+):\d+(/.*)?$")


def strip_unix_port(target: str) -> str:
    m = _UNIX_PORT.match(target)
    return f"{m.group(1)}{m.group(2) or ''}" if m else target


class UnixSocketProxy(ConfigurableHTTPProxy):
    @default("command")
    def _tethered_command(self):
        setpriv = shutil.which("setpriv")
        chp = ["configurable-http-proxy"]
        return [setpriv, "--pdeathsig", "TERM", *chp] if setpriv else chp

    async def add_route(self, routespec, target, data):
        return await super().add_route(routespec, strip_unix_port(target), data)
