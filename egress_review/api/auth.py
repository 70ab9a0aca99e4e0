"""Who is calling: a JupyterHub user (from inside a session) or an enclave log-in.

Inside a session the researcher holds ``JUPYTERHUB_API_TOKEN``; the client sends it as
``Authorization: token <token>`` and this service asks the hub (``GET <hub_api_url>/user``)
whose it is (``hub_api_url`` may be ``http+unix://…`` when the hub API listens on a unix
socket), then maps the hub user name to the enclave account of the same name.  Reviewers
and the release area use the enclave's own sessions (cookie) or API tokens (``Bearer``).
"""
from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.web.auth import optional_user
from enclave.web.deps import get_db

HUB_TIMEOUT_S = 10.0


def _hub_user(request: Request, db: Session, token: str) -> User:
    url = request.app.state.hub_api_url
    if not url:
        raise HTTPException(401, "JupyterHub tokens are not accepted here: this service was started "
                                 "without a hub API URL (hub_api_url)")
    from enclave.core.http import Client, WireError

    try:
        with Client(url.rstrip("/"), {"Authorization": f"token {token}"}, timeout=HUB_TIMEOUT_S) as hub:
            r = hub.get("/user")
    except (WireError, ValueError) as e:
        raise HTTPException(503, f"cannot reach JupyterHub to check the token ({type(e).__name__})") from None
    if r.status_code in (401, 403):
        raise HTTPException(401, "JupyterHub did not accept this token")
    if r.status_code != 200:
        raise HTTPException(502, f"JupyterHub answered {r.status_code} when checking the token")
    try:
        name = r.json()["name"]
    except (ValueError, KeyError, TypeError):
        raise HTTPException(502, "JupyterHub's answer about the token has no user name") from None
    user = db.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if user is None or user.status != "active":
        raise HTTPException(403, f"hub user {name!r} has no active enclave account")
    return user


def caller(request: Request, db: Session = Depends(get_db),
           user: User | None = Depends(optional_user)) -> User:
    """The authenticated user, else 401.  On the session-facing app (the unix socket bound
    into sandboxes, ``egress_review.api.session_app``) only a hub token is accepted; everywhere
    else only enclave log-ins (cookie or Bearer).  A hub token is no proof of being inside a
    session - a researcher can mint one in the browser - the socket it arrives on is."""
    auth = request.headers.get("authorization", "")
    on_session_socket = getattr(request.app.state, "mode", None) == "session"
    if on_session_socket:
        if auth[:6].lower() != "token ":
            raise HTTPException(401, "the session socket accepts only 'Authorization: token "
                                     "<JupyterHub API token>' of the session")
        hub_user = _hub_user(request, db, auth[6:].strip())
        request.state.in_session = True  # arrived through a sandbox's socket
        return hub_user
    if auth[:6].lower() == "token ":
        raise HTTPException(401, "JupyterHub tokens are accepted only from inside a session "
                                 "(its egress socket); log in to the review service instead")
    if user is None:
        raise HTTPException(401, "Log in first (enclave session, Bearer token, or "
                                 "'Authorization: token <JupyterHub API token>' from a session).",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def in_session(request: Request) -> bool:
    return bool(getattr(request.state, "in_session", False))


def page_user(request: Request, user: User | None = Depends(optional_user)) -> User | None:
    """For HTML pages: the cookie user or None (the page then redirects to the log-in form)."""
    return user
