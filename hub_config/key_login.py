"""The hub's half of the security-key log-in: the first step as JSON and the shared script.

The login page's key button (``hub_config/templates/login.html``) runs the enclave's one script,
served here from ``enclave/web/static/webauthn.js`` (the same file the control plane, review
service and release area serve), against ``/hub/webauthn/login/begin``: user name and password
in, request options and an attempt token out, from ``EnclaveAuthenticator.key_begin`` (the
shared ``enclave.identity.login.begin_key_login``).  The key's answer then goes back in the login
form to JupyterHub's own login handler, so the hub's cookie, redirect and ``authenticate`` (the
booking gate, the seat) work as for a password.

These are JupyterHub handlers: a POST needs the page's ``_xsrf`` token (JupyterHub's check, sent
as ``X-XSRFToken``), and one whose ``Origin`` is not the hub's own is refused besides.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlsplit

from jupyterhub.handlers import BaseHandler
from tornado import web

import enclave
from enclave.identity.directory import LoginRefused

# the enclave's one security-key script (the web layer's static file, read, not imported)
SCRIPT = Path(enclave.__file__).resolve().parent / "web" / "static" / "webauthn.js"
MAX_BODY = 4096  # user name and password; a bigger body is not the login page's


def _own_origin(request) -> str:
    return f"{request.protocol}://{request.host}".lower()


class KeyLoginBeginHandler(BaseHandler):
    """``POST /hub/webauthn/login/begin``: ``{"username", "password"}`` -> ``{"attempt", "publicKey"}``."""

    def _answer(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    async def post(self):
        origin = self.request.headers.get("Origin")
        own = _own_origin(self.request)
        if origin is not None and origin.strip().rstrip("/").lower() != own:
            seen = urlsplit(origin)
            return self._answer(403, {"detail": f"cross-site request refused: origin "
                                                f"'{seen.scheme}://{seen.netloc}' is not this hub", "rule": "A1"})
        if len(self.request.body or b"") > MAX_BODY:
            return self._answer(413, {"detail": "request too large"})
        try:
            body = json.loads(self.request.body or b"{}")
            username = self.authenticator.normalize_username(str(body["username"]))[:64]
            password = str(body["password"])[:256]
        except (ValueError, KeyError, TypeError):
            return self._answer(400, {"detail": "send JSON with username and password"})
        if not username or not password or "\x00" in username + password:
            return self._answer(401, {"detail": "Wrong user name or password.", "rule": "A4"})
        try:
            attempt, options = await asyncio.to_thread(self.authenticator.key_begin, username, password,
                                                       self.request.remote_ip or "-", own)
        except LoginRefused as e:
            return self._answer(401, {"detail": str(e), "rule": "A4"})
        except ValueError as e:   # no relying party at this address (IP address, plain HTTP)
            return self._answer(400, {"detail": f"此網址無法使用安全金鑰 Security keys cannot work at this "
                                                f"address: {e}.", "rule": "A4"})
        return self._answer(200, {"attempt": attempt, "publicKey": json.loads(options)})


class KeyScriptHandler(BaseHandler):
    """``GET /hub/webauthn.js``: the shared script (same origin as the page, no inline code)."""

    def get(self):
        if not SCRIPT.is_file():
            raise web.HTTPError(404, "the security-key script is missing from this installation")
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(SCRIPT.read_bytes())


def handlers() -> list[tuple[str, type]]:
    """For ``Authenticator.get_handlers`` (JupyterHub puts its ``/hub`` prefix in front)."""
    return [("/webauthn/login/begin", KeyLoginBeginHandler), ("/webauthn.js", KeyScriptHandler)]
