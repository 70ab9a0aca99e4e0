"""Logging in with a security key on any FastAPI front end: the control plane, the review
service and the release area mount the same two JSON steps (``/api/webauthn/login/begin`` and
``/finish``) and serve the same script (``/assets/webauthn.js``); the hub (Tornado) has its own
thin handlers around the same :mod:`enclave.identity.login` calls (:mod:`hub_config.key_login`).

A front end says only who it is (its name, for the audit and the lock-out), its clock and how
long its browser session lives.  The relying party is the front end's own public origin
(:func:`enclave.identity.webauthn.front_end_origin`), so a challenge asked for on one front end
cannot be answered on another.  Both steps are state-changing POSTs and go through the app's
CSRF guard (Origin, and the token when a cookie is present) like every form.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from enclave.identity import webauthn
from enclave.identity.directory import LoginRefused
from enclave.identity.login import LoginResult, begin_key_login, finish_key_login
from enclave.identity.sessions import issue_token
from enclave.web.auth import client_of, directory_of, set_session_cookie
from enclave.web.deps import get_db, get_policy

SCRIPT = Path(__file__).parent / "static" / "webauthn.js"


@dataclass(frozen=True)
class FrontEnd:
    """What differs between the front ends that share these steps."""
    name: Callable[[Request], str]              # control | review | release
    now: Callable[[Request], dt.datetime]
    session_seconds: Callable[[Request], int]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBeginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginFinishIn(Strict):
    attempt: str = Field(min_length=1, max_length=100)
    credential: dict[str, Any]
    next: str = Field("/", max_length=500)


class NoRelyingParty(Exception):
    """This address cannot be a WebAuthn relying party (an IP address, plain HTTP)."""


def refused(message: str, status: int, rule: str = "A4") -> JSONResponse:
    return JSONResponse({"detail": message, "rule": rule}, status_code=status)


def no_rp(e: NoRelyingParty) -> JSONResponse:
    return refused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.", 400)


def relying_party(request: Request, front_end: str) -> webauthn.RelyingParty:
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = webauthn.front_end_origin(front_end, own, getattr(request.app.state, "public_origin", None))
    try:
        return webauthn.relying_party(origin)
    except ValueError as e:
        raise NoRelyingParty(str(e)) from None


def safe_next(url: str | None) -> str:
    """Only a local path: an open redirect would let a phishing link bounce through the service.
    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil" or "/\t/evil"
    would leave the host; every front end uses this one check."""
    if (url and url.startswith("/") and not url.startswith("//") and "\\" not in url
            and url.isprintable() and " " not in url):
        return url
    return "/"


def hop_page(url: str) -> HTMLResponse:
    """A page that loads ``url`` (a path or address already checked) from this origin.  After
    a redirect that began on another site a browser withholds SameSite=Strict cookies, even for
    a page of their own site; a navigation this page starts is same-site, so they are sent."""
    return HTMLResponse(f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url='
                        f'{escape(url)}"><title>登入中 Signing in</title><p><a href="{escape(url)}">繼續 '
                        f'Continue</a></p>')



def script() -> Response:
    """The security-key script of every log-in page (same origin, no inline code)."""
    return Response(SCRIPT.read_text(encoding="utf-8"), media_type="text/javascript")


def finish(request: Request, db: Session, policy, attempt: str, credential: dict, front_end: str,
           now: dt.datetime) -> LoginResult:
    """Step two without the session: the key's answer checked by the one log-in (refusals
    audited and counted there; LoginRefused for the caller to commit and show)."""
    return finish_key_login(db, attempt, credential, relying_party(request, front_end), policy=policy,
                            client=client_of(request), front_end=front_end, now=now)


def key_login_router(fe: FrontEnd) -> APIRouter:
    """``POST /webauthn/login/begin|finish`` for a front end (mount under ``/api``)."""
    router = APIRouter(prefix="/webauthn/login", tags=["auth"])

    @router.post("/begin")
    def login_begin(body: LoginBeginIn, request: Request, db: Session = Depends(get_db),
                    policy=Depends(get_policy)):
        """The password (as on the log-in form), then request options for
        ``navigator.credentials.get`` and the attempt token that binds the answer to this log-in."""
        name = fe.name(request)
        try:
            rp = relying_party(request, name)
            attempt, options = begin_key_login(db, body.username, body.password, rp, policy=policy,
                                               client=client_of(request), front_end=name, now=fe.now(request),
                                               directory=directory_of(request))
        except NoRelyingParty as e:
            return no_rp(e)
        except LoginRefused as e:
            db.commit()  # the audited refusal and its count (lock-out)
            return refused(str(e), 401)
        return JSONResponse({"attempt": attempt, "publicKey": json.loads(options)})

    @router.post("/finish")
    def login_finish(body: LoginFinishIn, request: Request, db: Session = Depends(get_db),
                     policy=Depends(get_policy)):
        """The key's answer: a browser session (cookie) of this front end when right."""
        try:
            res = finish(request, db, policy, body.attempt, body.credential, fe.name(request), fe.now(request))
        except NoRelyingParty as e:
            return no_rp(e)
        except LoginRefused as e:
            db.commit()  # spent challenge, audit record, count
            return refused(str(e), 401)
        life = fe.session_seconds(request)
        token = issue_token(db, res.user, kind="browser", lifetime=dt.timedelta(seconds=life),
                            second_factor=res.second_factor, factor=res.factor, front_end=fe.name(request))
        resp = JSONResponse({"ok": True, "redirect": safe_next(body.next)})
        set_session_cookie(resp, request, token, life)
        return resp

    return router
