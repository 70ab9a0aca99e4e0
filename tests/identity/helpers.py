"""Test helpers: a form-posting client that behaves like a same-origin browser page (Origin
header, the CSRF token its form would carry), a real uvicorn server on a free loopback port,
and TOTP enrolment of an account."""
from __future__ import annotations

import contextlib
import threading
import time

import httpx
import pyotp
import uvicorn
from fastapi.testclient import TestClient

from enclave.identity.sessions import csrf_token
from tests.services.net import free_port

COOKIE = "enclave_session"


class FormClient(TestClient):
    """Posts like a page of the same origin would: Origin header and the form's CSRF token."""

    def request(self, method, url, **kw):
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kw.pop("headers", None) or {})
            headers.setdefault("origin", str(self.base_url).rstrip("/"))
            session = self.cookies.get(COOKIE)
            if session and "authorization" not in {k.lower() for k in headers}:
                headers.setdefault("x-csrf-token", csrf_token(session))
            kw["headers"] = headers
        return super().request(method, url, **kw)


@contextlib.contextmanager
def serve(app, host: str = "127.0.0.1"):
    """Run ``app`` under uvicorn on a free loopback port (real sockets) for the block; another
    loopback address (127.0.0.2) gives a browser a host name of its own (its own cookies)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           lifespan="on"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    base = f"http://{host}:{port}"
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("uvicorn did not start")
        yield base
    finally:
        server.should_exit = True
        t.join(timeout=10)


def enrol_totp(db, user) -> pyotp.TOTP:
    """Give ``user`` a confirmed TOTP credential; returns the generator of its codes."""
    from enclave.db import utcnow
    from enclave.identity import mfa

    cred = mfa.start_enrolment(db, user, utcnow())
    cred.confirmed_at = utcnow()
    db.flush()
    return pyotp.TOTP(mfa.secret_of(cred))


def code_at(totp: pyotp.TOTP, when, step_offset: int = 0) -> str:
    return totp.at(int(when.timestamp()) + step_offset * totp.interval)


def form_login(client: httpx.Client, base: str, username: str, password: str, otp: str = "",
               next_url: str = "/") -> httpx.Response:
    data = {"username": username, "password": password, "otp": otp, "next": next_url}
    if client.cookies.get(COOKIE):  # the log-in page carries the token of the cookie it was served with
        data["csrf_token"] = csrf_token(client.cookies.get(COOKIE))
    return client.post(f"{base}/login", data=data, headers={"origin": base})


def csrf_of(client: httpx.Client) -> str:
    return csrf_token(client.cookies.get(COOKIE))
