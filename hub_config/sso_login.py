"""The hub's half of single sign-on (:mod:`enclave.identity.sso`): ``/hub/sso/start`` sends the
browser to the control plane's log-in with the front end ``hub``, a fresh state value (kept in a
cookie for ``/hub/sso/``) and the hub's callback; ``/hub/sso/callback`` hands the code to
JupyterHub's own ``login_user``, so ``EnclaveAuthenticator.authenticate`` redeems it and applies
the booking gate and the seat exactly as for a password.

The hub's cookie is JupyterHub's; the enclave session the code opened (a child of the
control-plane log-in) is kept beside it (``enclave_hub_sso``), and ``refresh_user`` ends the hub
log-in once that session has ended - logged out on another front end, suspended or locked.
"""
from __future__ import annotations

import hmac

from jupyterhub.handlers import BaseHandler

from enclave.identity import sso

STATE_COOKIE = "enclave_sso_state"
SSO_COOKIE = "enclave_hub_sso"
STATE_SECONDS = 300


def own_origin(handler: BaseHandler) -> str:
    from enclave.identity.webauthn import front_end_origin

    own = f"{handler.request.protocol}://{handler.request.host}"
    return front_end_origin("hub", own, handler.authenticator.public_origin or None)


class SsoStartHandler(BaseHandler):
    """``GET /hub/sso/start``: to the control plane's authorize page."""

    def get(self):
        control = sso.control_origin(self.authenticator.sso_url or None)
        if control is None:
            self.set_status(404)
            return self.finish("此工作區未設定單一登入 Single sign-on is not set up for this hub.")
        state = sso.new_state()
        self.set_cookie(STATE_COOKIE, state, path=self.hub.base_url + "sso/",
                        httponly=True, samesite="Lax", expires_days=STATE_SECONDS / 86400,
                        secure=self.request.protocol == "https")
        self.redirect(sso.authorize_url(control, "hub", state, own_origin(self)))


class SsoCallbackHandler(BaseHandler):
    """``GET /hub/sso/callback?code=…&state=…``: JupyterHub's log-in with the code."""

    sso_callback = True  # the one handler whose log-in data may carry a code (auth.authenticate)

    async def get(self):
        mine = self.get_cookie(STATE_COOKIE) or ""
        self.clear_cookie(STATE_COOKIE, path=self.hub.base_url + "sso/")
        state = self.get_argument("state", "")[:200]
        # a state that is not this browser's becomes no state: the code is spent, refused, audited
        presented = mine if mine and hmac.compare_digest(mine.encode(), state.encode()) else ""
        user = await self.login_user({"sso_code": self.get_argument("code", "")[:100], "sso_state": presented,
                                      "sso_callback": sso.callback_of("hub", own_origin(self))})
        if user is None:
            return self.redirect(self.hub.base_url + "login")
        self.redirect(self.get_next_url(user))


def handlers() -> list[tuple[str, type]]:
    return [("/sso/start", SsoStartHandler), ("/sso/callback", SsoCallbackHandler)]
