"""Real HTTP under load: an app served by uvicorn on a free loopback port (in a thread of this
process, so the test can fix the clock and the policy), people with API tokens, and a burst of
concurrent httpx requests.  Shared by tests/control/test_concurrency.py and bench/http_load.py."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

import httpx
import uvicorn

from enclave.accounts.models import User, UserRole
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope
from enclave.identity.sessions import issue_token
from tests.services.accredit import accredit

# Monday 23 Nov 2026, 09:00 in Taipei: inside the morning slot of an open day.
T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
TUE = dt.date(2026, 11, 24)


@contextlib.contextmanager
def serve(app, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None) -> Iterator[str]:
    """Serve ``app`` on a free port until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                            backlog=2048)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"{'https' if ssl_certfile else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def seed_bookers(url: str, n: int, prefix: str = "r", first: int = 1) -> list[str]:
    """``n`` researchers, each the PI of an active one-seat case (C2026-<first+i>), each with an
    API token."""
    tokens = []
    with session_scope(url) as db:
        for i in range(n):
            u = User(username=f"{prefix}{i:03d}", display_name=f"R {i}", unit="U", employment="permanent",
                     password_hash="!", password_changed_at=T0, status="active", created_at=T0,
                     created_by="load-test")
            u.roles.append(UserRole(role="researcher", granted_by="load-test", granted_at=T0))
            db.add(u)
            db.flush()
            accredit(db, u, T0)
            c = Case(code=f"C2026-{first + i:04d}", title="load", case_type="government", status="active",
                     applicant_id=u.id, approved_at=T0, paid_at=T0, period_start=T0,
                     period_end=T0 + dt.timedelta(days=365), seats=1, extract_spec={"files": {}})
            c.members.append(CaseMember(user_id=u.id, role="pi", added_at=T0))
            db.add(c)
            tokens.append(issue_token(db, u, kind="api", lifetime=dt.timedelta(days=3650), factor="totp"))
    return tokens


@dataclass
class Burst:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # transport errors and 5xx bodies
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500) + len([e for e in self.errors
                                                                           if not e.startswith("5")])

    @property
    def rate(self) -> float:
        return sum(self.statuses.values()) / self.seconds if self.seconds else 0.0


async def _burst(requests: list[tuple[str, str, str, dict | None]], verify) -> Burst:
    out = Burst()
    start = asyncio.Event()
    limits = httpx.Limits(max_connections=len(requests) + 10, max_keepalive_connections=len(requests) + 10)
    async with httpx.AsyncClient(timeout=300, limits=limits, verify=verify) as client:
        async def one(method, url, token, body):
            await start.wait()
            try:
                r = await client.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as e:
                out.errors.append(f"{type(e).__name__}: {e}")
                return
            out.statuses[r.status_code] += 1
            if r.status_code >= 500:
                out.errors.append(f"{r.status_code} {method} {url}: {r.text[:200]}")
        tasks = [asyncio.create_task(one(*req)) for req in requests]
        await asyncio.sleep(0.1)
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        out.seconds = time.perf_counter() - t0
    return out


def burst(requests: list[tuple[str, str, str, dict | None]], verify=True) -> Burst:
    """Send every request at once (each ``(method, url, bearer token, json body)``)."""
    return asyncio.run(_burst(requests, verify))


def booking_burst(base: str, tokens: list[str], day: dt.date = TUE, slot: str = "morning",
                  first: int = 1) -> list:
    """Every token's owner asks for the same slot with its own case; half as many read their
    bookings and the slot overview at the same moment."""
    reqs = [("POST", f"{base}/api/bookings", t, {"case_code": f"C2026-{first + i:04d}", "date": day.isoformat(),
                                                 "slot": slot}) for i, t in enumerate(tokens)]
    reads = [("GET", f"{base}/api/{'bookings' if i % 2 else 'slots'}", t, None)
             for i, t in enumerate(tokens[: len(tokens) // 2])]
    return reqs + reads
