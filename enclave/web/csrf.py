"""Cross-site request forgery defence for every state-changing request of both apps.

SameSite alone is not enough here: every service shares one host name, and cookies are not
separated by port, so a page of one service is "same-site" for the others.  Two checks:

1. Origin: a POST/PUT/PATCH/DELETE whose ``Origin`` (or, without it, ``Referer``) names another
   origin (scheme, host and port) is refused; with the session cookie one of them must be present.
2. Token: with the session cookie the request must carry the session's CSRF token (form field
   ``csrf_token`` or header ``X-CSRF-Token``), an HMAC of that cookie: another site cannot read
   it, and another session's token does not match.

A request authenticated by an ``Authorization`` header (API clients, sessions inside the enclave)
carries no ambient credential and needs neither, unless it also carries the cookie.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse
from markupsafe import Markup, escape

from enclave.identity.sessions import csrf_matches, csrf_token

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def _origin_of(url: str) -> str | None:
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    if not u.scheme or not u.netloc:
        return None
    return f"{u.scheme}://{u.netloc}".lower()


def trusted_origins(request: Request) -> set[str]:
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    extra = {o.strip().lower().rstrip("/") for o in os.environ.get("ENCLAVE_TRUSTED_ORIGINS", "").split(",")
             if o.strip()}
    return {own} | extra


def field(request: Request, cookie: str) -> Markup:
    """The hidden form field for templates: ``{{ csrf_field(request) }}``."""
    token = request.cookies.get(cookie)
    if not token:
        return Markup("")
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token(token))}">')


async def _form_token(request: Request) -> str | None:
    ctype = request.headers.get("content-type", "")
    body = await request.body()  # cached by Starlette: the handler reads it again
    if ctype.startswith("application/x-www-form-urlencoded"):
        vals = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD)
        return vals[0] if vals else None
    if ctype.startswith("multipart/form-data"):
        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}
        form = await Request(request.scope, receive).form()
        v = form.get(FIELD)
        return v if isinstance(v, str) else None
    return None


async def refusal(request: Request, cookie: str) -> str | None:
    """Why this request is refused as possibly cross-site (None: it may proceed)."""
    if request.method not in UNSAFE:
        return None
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    seen = None
    if origin:
        seen = "null" if origin.strip() == "null" else (_origin_of(origin) or "unreadable")
    elif referer:
        seen = _origin_of(referer) or "unreadable"
    if seen is not None and seen not in trusted_origins(request):
        return f"cross-site request refused: origin {seen!r} is not this service"
    session = request.cookies.get(cookie)
    if not session or request.headers.get("authorization"):
        return None
    if seen is None:
        return ("cross-site request refused: a request with the session cookie must say where it "
                "comes from (Origin or Referer)")
    presented = request.headers.get(HEADER)
    if presented is None:
        presented = await _form_token(request)
    if not csrf_matches(session, presented):
        return "cross-site request refused: missing or wrong CSRF token (reload the page and try again)"
    return None


def guard(cookie: str):
    """An HTTP middleware applying :func:`refusal` (403 with the reason)."""

    async def middleware(request: Request, call_next):
        why = await refusal(request, cookie)
        if why:
            return JSONResponse({"detail": why, "rule": "A1"}, status_code=403)
        return await call_next(request)

    return middleware
