"""configurable-http-proxy with unix-socket targets.

JupyterHub formats every route target as ``proto://host:port``; for an ``http+unix`` target
that appends ``:80`` to the socket path and CHP then fails with ``ENOENT …sock:80``.  Strip it.
"""
from __future__ import annotations

import re

from jupyterhub.proxy import ConfigurableHTTPProxy

_UNIX_PORT = re.compile(r"^(http\+unix://[^/:]+):\d+(/.*)?$")


def strip_unix_port(target: str) -> str:
    m = _UNIX_PORT.match(target)
    return f"{m.group(1)}{m.group(2) or ''}" if m else target


class UnixSocketProxy(ConfigurableHTTPProxy):
    async def add_route(self, routespec, target, data):
        return await super().add_route(routespec, strip_unix_port(target), data)
