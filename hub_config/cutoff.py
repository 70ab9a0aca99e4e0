"""Hub-side revocation of everything that lets a user in: ``POST /hub/api/enclave/cutoff/{name}``.

Deleting a user's API and OAuth tokens through the REST API is not enough at slot end: the
browser's hub login cookie stays valid until the next ``auth_refresh_age`` re-check, so a
user whose slot just ended could still call the hub API with the cookie alone (the session
benchmark found 2 of 20 users still answered 200 that way).  JupyterHub looks the cookie up
by ``User.cookie_id``; rotating it invalidates every login cookie of that user at once.

This handler runs inside the hub process (added through ``EnclaveAuthenticator.get_handlers``)
so tokens and cookie are revoked in one database transaction, with the hub's own session,
instead of as a list-then-delete race over the REST API.  It needs the ``tokens`` scope for
that user (the warden's role has it).
"""
from __future__ import annotations

import json

from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import new_token
from tornado import web

CUTOFF_PATH = r"/api/enclave/cutoff/([^/]+)"


class CutoffAPIHandler(APIHandler):
    @needs_scope("tokens")
    async def post(self, user_name):
        user = self.find_user(user_name)
        if user is None:
            raise web.HTTPError(404, f"no such user: {user_name}")
        orm_user = user.orm_user
        tokens = list(orm_user.api_tokens)  # OAuth tokens are APITokens since JupyterHub 2
        for t in tokens:
            self.db.delete(t)
        orm_user.cookie_id = new_token()
        self.db.commit()
        # The next cookie request must go through the authenticator again, not a cached check.
        user._auth_refreshed = None
        self.log.info("enclave cut-off of %s: %d tokens deleted, login cookies invalidated",
                      user_name, len(tokens))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"user": user_name, "tokens_revoked": len(tokens),
                                "cookies_revoked": True}))
