"""HTTP adapters of the identity package for the control plane and the review service.

Sessions, tokens and the log-in itself live in :mod:`enclave.identity`; here they are read from
the request (Bearer header or the HttpOnly, SameSite=Strict session cookie) and turned into
FastAPI dependencies.  CSRF is checked by :mod:`enclave.web.csrf` for every state-changing request.
"""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.identity.directory import LoginRefused, ldap_settings_from_env  # noqa: F401
from enclave.identity.login import authenticate, login  # noqa: F401
from enclave.identity.sessions import (issue_token, refusal, revoke_all_for_user, revoke_token,  # noqa: F401
                                       user_for_token)
from enclave.web.deps import get_db, get_policy  # noqa: F401

COOKIE = "enclave_session"


def set_session_cookie(resp, request: Request, token: str, max_age: int) -> None:
    """The one session cookie of every front end: script-proof, same-site only, and marked
    secure whenever the request came over TLS."""
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/", max_age=max_age,
                    secure=request.url.scheme == "https")


def token_from_request(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def client_of(request: Request) -> str:
    """The address lock-out counts per client (the peer; proxies are not trusted here)."""
    return request.client.host if request.client else "-"


def directory_of(request: Request):
    """The LDAP directory for this app (``app.state.directory``, else from the environment)."""
    state = request.app.state
    if not hasattr(state, "directory"):
        state.directory = ldap_settings_from_env()
    return state.directory


class FactorRefused(HTTPException):
    """401 for a live log-in without the second factor needed now (A4): pages show the reason
    instead of sending the person to the log-in form without one."""

    def __init__(self, why: str) -> None:
        super().__init__(status_code=401, detail=why, headers={"WWW-Authenticate": "Bearer"})


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    """The user of the request's session or token; a live one whose log-in lacks the second
    factor that the policy and the account's roles need now is refused with why (A4)."""
    token = token_from_request(request)
    if not token:
        return None
    policy = request.app.state.policy
    user = user_for_token(db, token, policy=policy)
    if user is None:
        why = refusal(db, token, policy)
        if why is not None:
            raise FactorRefused(why)
    return user


def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise HTTPException(status_code=401, detail="Log in first.",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


@dataclass(frozen=True)
class require_roles:
    """Dependency: the user must hold at least one of these roles (else 403, and the pages
    hide what the user cannot do - A1)."""

    roles: tuple[str, ...]

    def __init__(self, *roles: str) -> None:
        object.__setattr__(self, "roles", roles)

    def __call__(self, user: User = Depends(current_user)) -> User:
        if not any(user.has_role(r) for r in self.roles):
            raise HTTPException(status_code=403,
                                detail=f"Needs one of the roles: {', '.join(self.roles)}.")
        return user
