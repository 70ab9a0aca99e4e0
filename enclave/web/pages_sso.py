"""The control plane as the one log-in service (single sign-on, :mod:`enclave.identity.sso`):
``GET /sso/authorize`` sends a logged-in browser back to a registered callback of the asking
front end with a one-time code, and sends anyone else to the log-in form first (which comes
back here).  Logging out (``POST /logout``) ends every front end's session of the log-in.

The session cookie is SameSite=Strict, so a browser arriving from another site's page does not
send it; one same-origin hop (``hop=1``, a page that reloads this address from here) lets it,
without loosening the cookie for every cross-site navigation."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from enclave.identity import sso
from enclave.identity.sessions import user_for_token
from enclave.web.auth import COOKIE
from enclave.web.deps import get_db, get_policy
from enclave.web.pages import error_page, now_of
from enclave.web.webauthn_login import hop_page

router = APIRouter(include_in_schema=False)


def _registered(request: Request, front_end: str) -> set[str]:
    # app.state.sso_callbacks ({front end: [origin, ...]}) else the environment (sso module)
    return sso.registered_callbacks(front_end, getattr(request.app.state, "sso_callbacks", None))


@router.get("/sso/authorize")
def authorize(request: Request, front_end: str = Query("", max_length=20), state: str = Query("", max_length=200),
              redirect_uri: str = Query("", max_length=500), hop: str = Query("", max_length=1),
              db: Session = Depends(get_db), policy=Depends(get_policy)):
    try:
        sso.check_request(front_end, state, redirect_uri, _registered(request, front_end))
    except sso.SsoRefused as e:
        sso.audit(db, "?", "sso.refused", front_end, reason=e.reason, component="control",
                  callback=redirect_uri[:200])
        db.commit()
        return error_page(request, str(e), "A4", 400)
    token = request.cookies.get(COOKIE)
    if token is None or user_for_token(db, token, kinds=("browser",), policy=request.app.state.policy) is None:
        query = urlencode({"front_end": front_end, "state": state, "redirect_uri": redirect_uri, "hop": 1})
        here = f"/sso/authorize?{query}"
        if hop != "1":  # maybe only the Strict cookie was held back: reload from this origin once
            return hop_page(here)
        return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)
    code = sso.issue_code(db, token, front_end=front_end, state=state, redirect_uri=redirect_uri,
                          registered=_registered(request, front_end), policy=policy, now=now_of(request))
    return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=303)
