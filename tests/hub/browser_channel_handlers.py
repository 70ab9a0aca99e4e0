"""Print every route of a real single-user server as JSON (run in its own interpreter).

``python -m tests.hub.browser_channel_handlers MODE`` builds the server exactly as a session
does - JupyterHub's single-user extension, JupyterLab, the enclave's lock-down config and
browser guard - without starting it, and lists (pattern, handler class) for every route.
The only thing replaced is the single-user extension's hub version check, which needs a
running hub and plays no part in routing.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main(mode: str) -> None:
    from hub_config.lockdown import write_system_config
    from hub_config.singleuser.config import GUARD_ENV, from_policy
    from policies import load_policy

    tmp = Path(tempfile.mkdtemp(prefix="enc-routes-"))
    conf = write_system_config(tmp / "jupyter")
    seats = ["127.0.0.1"] if mode == "on_site" else []
    os.environ.update({
        GUARD_ENV: from_policy(load_policy(None).sessions, mode=mode,
                               seat_addresses=seats).to_env(),
        "JUPYTER_CONFIG_PATH": str(conf),
        "JUPYTERHUB_API_TOKEN": "t" * 32, "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
        "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_SERVICE_PREFIX": "/user/x/",
        "JUPYTERHUB_USER": "x", "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-x",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": "/user/x/oauth_callback",
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:0/user/x/",
        "JUPYTERHUB_OAUTH_SCOPES": "[]", "JUPYTERHUB_OAUTH_ACCESS_SCOPES": "[]",
    })
    from jupyterhub.singleuser.extension import JupyterHubSingleUser
    from tornado.routing import RuleRouter

    async def no_hub(self):
        return None

    JupyterHubSingleUser.check_hub_version = no_hub
    app = JupyterHubSingleUser.initialize_server(
        argv=["--ServerApp.port=0", "--ServerApp.open_browser=False",
              f"--ServerApp.root_dir={tmp}"])

    def walk(router):
        for r in router.rules:
            if isinstance(r.target, RuleRouter):
                yield from walk(r.target)
            else:
                yield r

    out = [{"pattern": r.matcher.regex.pattern,
            "handler": f"{r.target.__module__}.{r.target.__qualname__}"}
           for r in walk(app.web_app.default_router)]
    sys.stdout.write("ROUTES " + json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
