"""Every state-changing request leaves an audit record (A5), whatever its route does.

Routes audit what they change in the same transaction.  This pure-ASGI layer catches the rest:
a POST/PUT/PATCH/DELETE that committed no audit record - refused (401/403/404/409/422, the
CSRF or input guards), failed (500, the handler's writes rolled back) or a route that forgot
its record - gets one ``web.refused`` / ``web.failed`` / ``web.unrecorded`` record in its own
transaction, naming the caller when the token is known.  A route added later is covered
without an edit (tests/audit/test_rehash_round4.py enumerates the app's routes).
"""
from __future__ import annotations

import anyio

from enclave.audit import log as audit_log

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _printable(text: str, limit: int = 300) -> str:
    """The path as it may be stored and shown: NUL, controls, bidi marks and lone surrogates
    escaped (PostgreSQL text holds no NUL; the log's readers must not be fooled by them)."""
    out = "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else f"\\u{ord(c):04x}"
                  for c in text)
    return out if len(out) <= limit else out[:limit] + "…"


def _token(scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    from http.cookies import SimpleCookie

    from enclave.web.auth import COOKIE

    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:   # an unreadable cookie header: no caller known
        return None
    return jar[COOKIE].value if COOKIE in jar else None


def _record(db_url: str, scope, status: int | None, app_name: str) -> None:
    from enclave.audit import AuditEntry, append
    from enclave.db import session_scope
    from enclave.identity.models import WebSession
    from enclave.accounts.models import User
    from enclave.identity.sessions import digest
    from sqlalchemy import select

    action = ("web.failed" if status is None or status >= 500 else
              "web.refused" if status >= 400 else "web.unrecorded")
    with session_scope(db_url) as db:
        actor, token = "anonymous", _token(scope)
        if token:
            # the token's owner, live or not: who tried is what the record is for
            ws = db.execute(select(WebSession).where(WebSession.token_hash == digest(token))).scalar_one_or_none()
            user = db.get(User, ws.user_id) if ws is not None else None
            actor = user.username if user is not None else "unknown-token"
        client = scope.get("client") or ("-",)
        append(db, AuditEntry("web", actor[:120], action,
                              subject=_printable(f"{scope.get('method')} {scope.get('path', '')}"),
                              reason=f"HTTP {status}" if status is not None else "no response",
                              detail={"status": status, "app": _printable(app_name, 80),
                                      "client": _printable(str(client[0]), 80)}))


class AuditEveryWrite:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in WRITES:
            return await self.app(scope, receive, send)
        seen: list[int] = []
        token = audit_log.COMMITTED.set(seen)
        status: list[int] = []

        async def send_status(message):
            if message["type"] == "http.response.start":
                status.append(message.get("status", 500))
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            audit_log.COMMITTED.reset(token)
            if not seen:
                app = scope.get("app")
                db_url = getattr(getattr(app, "state", None), "db_url", None)
                if db_url:
                    name = getattr(app, "title", "") or ""
                    # shielded: a client that hung up must not cancel the record of its request
                    with anyio.CancelScope(shield=True):
                        await anyio.to_thread.run_sync(_record, db_url, scope,
                                                       status[0] if status else None, name)
