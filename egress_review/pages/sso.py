"""Single sign-on on the review service and the release area (:mod:`enclave.identity.sso`):
「以單一登入 Sign in with the enclave login」 goes to the control plane's log-in with this front
end's name, a fresh state value and its callback; ``/sso/callback`` redeems the code that comes
back and opens this front end's own session, a child of the control-plane log-in.

The state value waits in a cookie of this front end (HttpOnly, SameSite=Lax so that it comes
back on the control plane's redirect, for ``/sso/`` only, five minutes): a code that arrives
without the state this browser sent - someone else's code pushed into this browser - is refused.
"""
from __future__ import annotations

import datetime as dt
import hmac
import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from enclave.identity import sso
from enclave.web.auth import client_of, set_session_cookie
from enclave.web.deps import get_db
from enclave.web.webauthn_login import hop_page, safe_next
from egress_review.api import EgressService, service

STATE_COOKIE = "enclave_sso_state"
STATE_SECONDS = 300
router = APIRouter(include_in_schema=False)


def control_origin(request: Request) -> str | None:
    """The control plane's origin (``app.state.sso_url``, else the environment); None: off."""
    return sso.control_origin(getattr(request.app.state, "sso_url", None))


def front_end(request: Request) -> str:
    from egress_review.pages import front_end as name

    return name(request)


def own_origin(request: Request) -> str:
    from enclave.identity.webauthn import front_end_origin

    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return front_end_origin(front_end(request), own, getattr(request.app.state, "public_origin", None))


@router.get("/sso/start")
def start(request: Request, next: str = Query("/", max_length=500)):
    from egress_review.pages import render_message

    control = control_origin(request)
    if control is None:
        return render_message(request, 404, "此服務未設定單一登入 Single sign-on is not set up for this service.")
    state = sso.new_state()
    resp = RedirectResponse(sso.authorize_url(control, front_end(request), state, own_origin(request)),
                            status_code=303)
    resp.set_cookie(STATE_COOKIE, json.dumps({"state": state, "next": safe_next(next)}), httponly=True,
                    samesite="lax", path="/sso/", max_age=STATE_SECONDS, secure=request.url.scheme == "https")
    return resp


@router.get("/sso/callback")
def callback(request: Request, code: str = Query("", max_length=100), state: str = Query("", max_length=200),
             db: Session = Depends(get_db), svc: EgressService = Depends(service)):
    from egress_review.pages import SESSION_HOURS, render_message

    try:
        kept = json.loads(request.cookies.get(STATE_COOKIE) or "{}")
        mine, nxt = str(kept.get("state", "")), str(kept.get("next", "/"))
    except (ValueError, AttributeError):
        mine, nxt = "", "/"
    # the code is checked against the state this browser kept; a state in the address that is
    # not that one gets no state at all, so the code is spent and the refusal audited
    presented = mine if mine and hmac.compare_digest(mine.encode(), state.encode()) else ""
    fe = front_end(request)
    try:
        res = sso.redeem(db, code, front_end=fe, state=presented, redirect_uri=sso.callback_of(fe, own_origin(request)),
                         policy=svc.policy, now=svc.now(), client=client_of(request),
                         lifetime=dt.timedelta(hours=SESSION_HOURS))
    except sso.SsoRefused as e:
        db.commit()  # the spent code and the audit record stay
        resp = render_message(request, 401, str(e))
        resp.delete_cookie(STATE_COOKIE, path="/sso/")
        return resp
    resp = hop_page(safe_next(nxt))  # not a redirect: the new Strict cookie must go with it
    set_session_cookie(resp, request, res.token, SESSION_HOURS * 3600)
    resp.delete_cookie(STATE_COOKIE, path="/sso/")
    return resp
