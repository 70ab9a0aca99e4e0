"""Hub side of the browser channel: what a session's server is told, and the seat check.

``guard_environment`` builds the single-user server's guard settings
(:mod:`hub_config.singleuser.config`) from the policy - in on-site mode with the booked seat's
registered addresses - and the case's ledger key (derived from a hub-only secret; the server
removes it from its environment before any kernel starts).  ``seat_refusal`` is the hub's own
check of a login or request against the booked seat (S4), with the client address taken from
the proxy's ``X-Forwarded-For`` entry (tornado's ``remote_ip`` would believe a client's own
``X-Real-Ip`` header).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from enclave.bookings import gate
from enclave.db import session_scope, utcnow
from hub_config.seats.service import SeatError, from_booked_seat, seat_addresses
from hub_config.singleuser.config import GUARD_ENV, LEDGER_KEY_ENV, from_policy
from hub_config.singleuser.routes import client_address

LEDGER_SECRET_FILE = "browser-ledger.secret"


def _state_dir() -> Path:
    return Path(json.loads(Path(os.environ["ENCLAVE_HUB_CONFIG"]).read_text())["state_dir"])


def ledger_key(case_code: str, state_dir: Path | None = None) -> bytes:
    """The case's ledger key: HMAC of a hub-only secret (root, 0600, made once)."""
    path = (state_dir or _state_dir()) / LEDGER_SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        secret = f.read()
    if len(secret) < 32:
        raise RuntimeError(f"{path}: the ledger secret is damaged")
    return hmac.new(secret, b"browser-ledger\0" + case_code.encode(), hashlib.sha256).digest()


def guard_environment(db_url: str, policy, case_code: str, seat_no: int | None,
                      spawn_index: int = 0) -> dict[str, str]:
    """Environment for one session's server; raises SeatError in on-site mode when the
    booked seat is not a registered workstation.  ``spawn_index``: servers the booking had
    before this one (the output budget halves with each)."""
    sess = policy.sessions
    seats: list[str] = []
    if sess.access_mode == "on_site":
        with session_scope(db_url) as s:
            seats = seat_addresses(s, seat_no)
    cfg = from_policy(sess, seat_addresses=seats, spawn_index=spawn_index)
    return {GUARD_ENV: cfg.to_env(), LEDGER_KEY_ENV: ledger_key(case_code).hex()}


def seat_refusal(db_url: str, policy, username: str, request) -> str | None:
    """On-site mode: None if the request comes from the seat of the user's current booking,
    else the reason (S4).  Remote mode: always None (the pixels-only desktop is the boundary)."""
    if policy.sessions.access_mode != "on_site":
        return None
    client = client_address(request)
    with session_scope(db_url) as s:
        decision = gate.check(s, username, utcnow())
        if not decision.allowed:
            return None  # the booking gate refuses with its own reason
        return from_booked_seat(s, decision.booking.seat_no, client)


__all__ = ["SeatError", "client_address", "guard_environment", "ledger_key", "seat_refusal"]
