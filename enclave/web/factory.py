"""What every FastAPI app of the enclave shares (control plane, review service, release area):
the same security headers, the same input filtering (no NUL characters) and the same CSRF
defence, installed by one call so the apps cannot drift apart."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from enclave.core import text_guard
from enclave.web import csrf
from enclave.web.auth import COOKIE
from enclave.web.form_guard import MultipartTextGuard

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # the CSRF check may read the Referer of our own pages
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Pages show what researchers wrote (purposes, file names, table cells, comments) to reviewers,
# stewards and admins: whatever escaping a template forgets, the browser runs no script but the
# apps' own files, loads nothing from elsewhere, posts forms only to the app and is framed by
# nothing.  Images may be data: URIs (figures under review are shown inline, never as documents).
PAGE_CSP = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; connect-src 'self'")
# FastAPI's own API pages load Swagger UI/ReDoc with an inline script and show no user content
_API_DOC_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
HSTS = "max-age=31536000"  # one year: every front end is HTTPS only (enclave/tls.py)


class CommitBeforeResponse:
    """Commit the request's session when a successful (< 400) response starts, not after it has
    been sent: FastAPI runs a yield-dependency's exit after the response, so a client that logs
    in and at once uses its token (or reads what it just wrote) could find nothing committed.
    Error responses are left to the dependency, which rolls back what a raised error left."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_after_commit(message):
            if message["type"] == "http.response.start" and message.get("status", 500) < 400:
                session = scope.get("state", {}).get("db_session")
                if session is not None:
                    import anyio

                    scope["state"].pop("db_session", None)
                    await anyio.to_thread.run_sync(session.commit)
            await send(message)

        await self.app(scope, receive, send_after_commit)


def harden(app: FastAPI) -> FastAPI:
    app.add_middleware(CommitBeforeResponse)
    @app.middleware("http")
    async def _csrf(request: Request, call_next):
        return await csrf.guard(COOKIE)(request, call_next)

    @app.middleware("http")
    async def _no_nul(request: Request, call_next):
        # PostgreSQL text cannot hold NUL; refuse it up front (422) instead of failing (500).
        raw = request.url.path + "?" + request.url.query
        bad = "\x00" in raw or "%00" in raw
        if not bad and request.headers.get("content-type", "").startswith(
                ("application/json", "application/x-www-form")):
            body = await request.body()
            bad = b"\x00" in body or b"\\u0000" in body or b"%00" in body
        if bad:
            return JSONResponse({"detail": "NUL characters are not accepted."}, status_code=422)
        return await call_next(request)

    @app.middleware("http")
    async def _no_hidden_controls(request: Request, call_next):
        # Terminal control, bidi overrides, line separators in what people type (A3, A5, E4):
        # refused before any handler stores or shows them (enclave.core.text_guard).
        bad = await _hidden_control(request)
        if bad:
            return JSONResponse({"detail": text_guard.message(bad)}, status_code=422)
        return await call_next(request)

    # a multipart body's words are looked at before anything reads it (any size)
    app.add_middleware(MultipartTextGuard)
    # outermost of all that we add: the body guard's 413/422 carry the headers too
    app.add_middleware(SecurityHeaders)
    # outermost: a write refused by any guard above, or failed, still leaves an audit record
    from enclave.web.audit_writes import AuditEveryWrite
    app.add_middleware(AuditEveryWrite)
    # an unexpected error (500) is answered by Starlette outside every middleware: the handler
    # sets the headers itself and says nothing of the error (no traceback, no data echoed)
    app.add_exception_handler(Exception, _server_error)
    return app


def security_headers(path: str, scheme: str) -> dict[str, str]:
    """The headers every answer carries (those a route set itself are kept)."""
    out = dict(SECURITY_HEADERS)
    if path not in _API_DOC_PATHS:
        out["Content-Security-Policy"] = PAGE_CSP
    if scheme == "https":  # browsers honour HSTS only from HTTPS (RFC 6797 8.1)
        out["Strict-Transport-Security"] = HSTS
    return out


class SecurityHeaders:
    """Pure ASGI, so it sees every response start - a route's, an error handler's and the
    body guard's - and a browser never caches or sniffs any of them (no-store, nosniff)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        wanted = security_headers(scope.get("path", ""), scope.get("scheme", "http"))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in wanted.items()
                         if k.lower().encode() not in have]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _server_error(request: Request, exc: Exception):
    return JSONResponse({"detail": "內部錯誤 internal error"}, status_code=500,
                        headers=security_headers(request.url.path, request.url.scheme))


async def _hidden_control(request: Request) -> str | None:
    """The first refused character in the path, query, or a JSON or urlencoded form body
    (a multipart body's words: :mod:`enclave.web.form_guard`)."""
    values = [request.url.path, *(k + v for k, v in request.query_params.multi_items())]
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            found = text_guard.unsafe_in(json.loads(await request.body() or b"null"))
        except (ValueError, UnicodeDecodeError):
            found = None                      # not JSON: the route answers 422 itself
        if found:
            return found
    elif ctype == "application/x-www-form-urlencoded":
        body = (await request.body()).decode("utf-8", "replace")
        values += [k + v for k, v in parse_qsl(body, keep_blank_values=True)]
    return next((bad for v in values if (bad := text_guard.unsafe_char(v))), None)
