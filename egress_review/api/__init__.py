"""The egress-review service: JSON API for sessions and reviewers, reviewer pages, release area.

Run it with ``uvicorn --factory egress_review.api:create_app --host 127.0.0.1 --port 8300``
(configuration from ``ENCLAVE_HOME``/``ENCLAVE_DB_URL``, ``ENCLAVE_POLICY`` and
``EGRESS_HUB_API_URL``); before serving it runs the recovery pass
(:func:`egress_review.recovery.recover`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from enclave.db import utcnow
from egress_review.release import ReleaseArea
from egress_review.store import BlobStore, service_store
from egress_review.recovery import recover
from egress_review.workflow import WorkflowError

PAGES = Path(__file__).resolve().parent.parent / "pages"


@dataclass
class EgressService:
    db_url: str
    policy: object
    store: BlobStore
    area: ReleaseArea
    clock: Callable[[], dt.datetime]
    case_context: Callable[[str], dict]

    def now(self) -> dt.datetime:
        return self.clock()


def create_app(db_url: str | None = None, policy=None, hub_api_url: str | None = None, *,
               store_dir: Path | str | None = None, release_dir: Path | str | None = None,
               clock: Callable[[], dt.datetime] | None = None,
               case_context: Callable[[str], dict] | None = None,
               recover_on_start: bool = True, mode: str | None = None) -> FastAPI:
    """Build the egress-review app.

    ``hub_api_url`` is JupyterHub's API base (e.g. ``http://127.0.0.1:8081/hub/api``); without
    it only enclave log-ins are accepted.  ``clock`` returns the current UTC time (tests move it
    past the download window).  ``case_context(case_code)`` returns extra engine inputs for
    the case: ``case_pseudonyms`` (E7), ``original_images_dir`` (E5), ``provenance_key`` (E6).

    ``mode`` (or ``EGRESS_MODE``): ``internal`` serves sessions and reviewers (bind it to the
    enclave's internal network), ``external`` serves only log-in and the release area (the one
    part reachable from outside), ``all`` (default) both, for a single-host set-up and tests.
    """
    from egress_review.case_context import enclave_case_context
    from enclave.settings import get_settings
    from policies import current_policy

    settings = get_settings()
    mode = mode or os.environ.get("EGRESS_MODE") or "all"
    if mode not in ("all", "internal", "external"):
        raise ValueError(f"mode must be all, internal or external, not {mode!r}")
    svc = EgressService(
        db_url=db_url or settings.db_url,
        policy=policy or current_policy(),
        store=service_store(store_dir or settings.egress_store_dir),
        area=ReleaseArea(release_dir or settings.release_dir),
        clock=clock or utcnow,
        case_context=case_context or enclave_case_context(settings),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if recover_on_start:
            app.state.recovery = recover(svc.db_url, svc.store, svc.area, policy=svc.policy,
                                         case_context=svc.case_context)
        yield

    app = FastAPI(title="Egress review", version="1",
                  description="Egress requests, two-person review and the release area "
                              "(RULES.md E1-E8, O2).", lifespan=lifespan)
    app.state.db_url = svc.db_url
    app.state.policy = svc.policy
    app.state.hub_api_url = hub_api_url if hub_api_url is not None else os.environ.get("EGRESS_HUB_API_URL")
    app.state.egress = svc
    app.state.mode = mode

    from egress_review import pages
    from egress_review.api import routes

    app.include_router(routes.common_router)
    app.include_router(pages.common_router)
    if mode in ("all", "internal"):
        from egress_review.ingress.api import router as imports_router
        from egress_review.ingress.pages import router as import_pages

        app.include_router(routes.router)
        app.include_router(pages.router)
        app.include_router(imports_router)  # D4/P13 import review: never on the outside host
        app.include_router(import_pages)
    if mode in ("all", "external"):
        app.include_router(routes.release_router)
        app.include_router(pages.release_router)
    from enclave.web.access import REVIEW, check_declared

    check_declared(app, REVIEW)  # every route has declared callers (E4, O2), or no app
    app.mount("/static", StaticFiles(directory=PAGES / "static"), name="static")

    @app.exception_handler(WorkflowError)
    async def _workflow_error(request: Request, exc: WorkflowError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=exc.status)
        from egress_review.pages import render_message

        return render_message(request, exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        from enclave.web.auth import FactorRefused

        if exc.status_code == 401 and not isinstance(exc, FactorRefused):  # that one says why (A4)
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        from egress_review.pages import render_message

        return render_message(request, exc.status_code, str(exc.detail))

    from enclave.web.factory import harden

    harden(app)  # one factory: CSRF check, input filter and security headers as the control plane

    return app


def service(request: Request) -> EgressService:
    return request.app.state.egress


__all__ = ["create_app", "EgressService", "service", "HTMLResponse"]
