"""What the enclave's hub page templates (``hub_config/templates``) read besides JupyterHub's
own variables: the enclave's name, the Chinese reading of refusals and HTTP statuses, times in
Asia/Taipei, the signed-in researcher's booked slot for the countdown, and the administration
page's slots (:mod:`hub_config.admin_page`).

``c.JupyterHub.template_vars`` hands these to every page; the slot is looked up only when a
template asks for it (the home and start-up pages), with the same booking gate that lets the
researcher in, so the countdown's end is the booking's end.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import cached_property
from pathlib import Path

from hub_config import hub_words

TEMPLATES = Path(__file__).parent / "templates"
log = logging.getLogger("JupyterHub")

# Every response of the hub (login, home, spawn, token, admin, errors, its API; S1): nothing on
# a hub page may load from, talk to or post to another origin, run plug-ins, be framed or be
# kept by the browser's cache.  Inline scripts stay allowed: JupyterHub's own page.html puts
# per-page data (user, XSRF token) in an inline script, so a hash cannot name it; the templates
# load nothing from outside and link nowhere outside (tests/hub/test_hub_headers.py).
HUB_CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
    "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-src 'none'",
    "frame-ancestors 'none'", "object-src 'none'", "media-src 'none'", "worker-src 'none'",
    "manifest-src 'self'"))
HUB_HEADERS = {
    "Content-Security-Policy": HUB_CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), serial=(), "
                          "bluetooth=(), hid=(), clipboard-read=(), payment=()",
}


class PageContext:
    """One page's view of the enclave (``enclave`` in the templates)."""

    name_zh, name_en = hub_words.ENCLAVE_ZH, hub_words.ENCLAVE_EN
    area_zh, area_en = hub_words.WORK_AREA_ZH, hub_words.WORK_AREA_EN

    reason_zh = staticmethod(hub_words.reason_zh)
    status_zh = staticmethod(hub_words.status_zh)
    status_en = staticmethod(hub_words.status_en)
    taipei = staticmethod(hub_words.taipei)

    def __init__(self, db_url: str, warn_minutes: int, token_max_seconds: int, user=None) -> None:
        self.db_url, self.user = db_url, user
        self.warn_minutes, self.token_max_seconds = warn_minutes, token_max_seconds

    @staticmethod
    def now_iso() -> str:
        """The hub's clock, so a page's countdown does not trust the workstation's clock."""
        return dt.datetime.now(dt.timezone.utc).isoformat()

    @cached_property
    def slot(self) -> dict | None:
        """The researcher's current booking (case, start and end in UTC ISO and Taipei time),
        or None: no user, no booking, or the state database could not be read (logged)."""
        if self.user is None:
            return None
        from enclave.bookings import gate
        from enclave.cases.models import Case
        from enclave.db import session_scope, utcnow

        try:
            with session_scope(self.db_url) as s:
                decision = gate.check(s, self.user.name, utcnow())
                if not decision.allowed:
                    return None
                b = decision.booking
                case = s.get(Case, b.case_id)
                return {"case": case.code, "slot": b.slot_name,
                        "ends_iso": _utc(b.ends_at).isoformat(),
                        "starts_taipei": hub_words.taipei(b.starts_at, "%H:%M"),
                        "ends_taipei": hub_words.taipei(b.ends_at, "%H:%M"),
                        "date_taipei": hub_words.taipei(b.starts_at, "%Y-%m-%d")}
        except Exception:  # a page must still render; the gate itself refuses elsewhere
            log.exception("enclave pages: could not read the booking of %s", self.user.name)
            return None


    @cached_property
    def admin(self) -> dict | None:
        """The administration page's slots (:func:`hub_config.admin_page.admin_view`), or None
        when the state database could not be read (logged; the page says so)."""
        from enclave.db import session_scope, utcnow
        from hub_config.admin_page import admin_view

        try:
            with session_scope(self.db_url) as s:
                return admin_view(s, utcnow())
        except Exception:
            log.exception("enclave pages: could not read today's bookings")
            return None

    # the Chinese reading of HTTP statuses, for the error dialog of the hub's own scripts
    http_status_zh = {str(k): v for k, v in hub_words.HTTP_STATUS_ZH.items()}


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when


def template_vars(db_url: str, policy) -> dict:
    """``c.JupyterHub.template_vars``: callables get the page's user (or None)."""
    sess = policy.sessions
    # (a plain function here would itself be called with the user: everything hangs off one)
    return {"enclave": lambda user: PageContext(db_url, sess.slot_end_warning_minutes,
                                                sess.token_lifetime_seconds, user)}


def logout_handler():
    """``/hub/logout`` that ends on the enclave's bilingual "logged out, session stopped" page
    (JupyterHub's own shows a page only with auto-login, else sends the browser to log in)."""
    from jupyterhub.handlers.login import LogoutHandler

    class EnclaveLogoutHandler(LogoutHandler):
        async def handle_logout(self):
            """Single logout: a hub log-in by single sign-on ends its control-plane log-in and
            every front end's session of it (enclave.identity.sessions.end_login)."""
            import asyncio

            from hub_config.sso_login import SSO_COOKIE

            token = self.get_cookie(SSO_COOKIE)
            if token:
                await asyncio.to_thread(_end_login, self.authenticator.db_url, token)
                self.clear_cookie(SSO_COOKIE, path=self.hub.base_url)

        async def render_logout_page(self):
            self.finish(await self.render_template("logout.html"))

    return EnclaveLogoutHandler


def _end_login(db_url: str, token: str) -> None:
    from enclave.audit import AuditEntry, append
    from enclave.db import session_scope
    from enclave.identity.sessions import end_login, session_for_token

    with session_scope(db_url) as s:
        ws = session_for_token(s, token)
        ended = end_login(s, token)
        if ws is not None:
            from enclave.accounts.models import User

            who = s.get(User, ws.user_id)
            append(s, AuditEntry("hub", who.username if who else "?", "logout", detail={"sessions_ended": ended}))
