"""The control-plane web application: server-rendered pages and a JSON API (OpenAPI at
``/openapi.json``), one transaction per request, every change in the audit log.

``create_app()`` with no arguments uses ``$ENCLAVE_DB_URL`` (or the SQLite file in
``$ENCLAVE_HOME``) and the deployment's policy, so ``uvicorn --factory
enclave.web.app:create_app`` works as is.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from enclave.bookings.calendar import ClosuresFileError
from enclave.cases.errors import ControlError
from enclave.db import utcnow


class LoginRequired(Exception):
    """A page needs a logged-in user: send the browser to the log-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def create_app(db_url: str | None = None, policy=None, *,
               clock: Callable[[], dt.datetime] | None = None) -> FastAPI:
    from enclave.settings import get_settings
    from enclave.web import (api, api_admin, api_announcements, api_bookings, api_identity,
                             api_seats, api_accreditation, api_extracts, api_internal_audit,
                             api_model_handover, pages, pages_identity, pages_querylog,
                             pages_queue, pages_sso)
    from enclave.web.factory import harden
    from policies import current_policy

    app = FastAPI(title="NHI enclave control plane 控制台",
                  description="Cases, people, bookings, accounts, audit samples, violations and "
                              "announcements of the NHI research data centre (RULES.md P, S, A, O).",
                  version="1.0")
    app.state.db_url = db_url or get_settings().db_url
    app.state.policy = policy if policy is not None else current_policy()
    app.state.clock = clock or utcnow

    @app.exception_handler(ControlError)
    async def _control_error(request: Request, exc: ControlError):
        body = {"detail": exc.message, "rule": exc.rule}
        if request.url.path.startswith("/api/"):
            return JSONResponse(body, status_code=exc.status)
        return pages.error_page(request, exc.message, exc.rule, exc.status)

    @app.exception_handler(ClosuresFileError)
    async def _closures(request: Request, exc: ClosuresFileError):
        return JSONResponse({"detail": str(exc), "rule": "S2"}, status_code=503)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors()]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": errors}, status_code=422)
        msg = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return pages.error_page(request, msg, None, 422)

    for area in (api, api_bookings, api_admin, api_announcements, api_identity, api_seats,
                 api_accreditation, api_extracts, api_internal_audit, api_model_handover):
        app.include_router(area.router)
    app.include_router(pages_identity.router)  # before pages: /login, /password, /mfa live here
    app.include_router(pages_sso.router)
    app.include_router(pages_querylog.router)
    app.include_router(pages_queue.router)
    app.include_router(pages.router)
    from enclave.web.access import CONTROL, check_declared

    check_declared(app, CONTROL)  # every route has declared callers (A1), or the app does not start
    return harden(app)
