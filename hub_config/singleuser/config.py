"""The browser guard's settings, handed from the hub to the single-user server.

The hub's pre-spawn hook writes them (from the policy and the booked seat) into the server's
environment as JSON; the server reads them once at start.  Nothing here is secret: the kernel
may read them, but cannot change what the already-running server read.  The ledger key is
secret and travels separately (``LEDGER_KEY_ENV``), removed from the server's environment before
any kernel exists.  Missing or malformed settings leave :func:`load` returning ``None`` and the
server refusing every request (default deny).
"""
from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field

GUARD_ENV = "ENCLAVE_BROWSER_GUARD"
LEDGER_KEY_ENV = "ENCLAVE_LEDGER_KEY"
MODES = ("remote", "on_site")
DESKTOP_INPUT_KEYS = ("key_events_per_second", "key_events_burst", "key_events_per_session",
                      "pointer_events_per_second")


class GuardConfigError(ValueError):
    """The guard's settings are missing or wrong; the message says which."""


@dataclass(frozen=True)
class OutputCaps:
    message_bytes: int
    execution_bytes: int
    text_lines: int
    table_rows: int
    mime_types: tuple[str, ...]
    # what the whole session may show (outputs, stored outputs, listings), new content only
    session_bytes: int = 16 * 1024 * 1024
    session_lines: int = 50_000
    # what is not content of its own costs (policy.sessions.output_repeat_bytes & co.)
    repeat_bytes: int = 4
    repeat_reserve_permille: int = 125
    state_bytes: int = 16


@dataclass(frozen=True)
class GuardConfig:
    mode: str
    caps: OutputCaps
    saved_max_bytes: int
    saved_suffixes: tuple[str, ...]
    # new bytes the browser may save in all (hub_config.singleuser.uploads)
    saved_session_bytes: int = 4 * 1024 * 1024
    # what an act costs at least from that budget (policy.sessions.saved_action_bytes)
    action_bytes: int = 64
    seat_addresses: tuple[str, ...] = ()
    desktop_geometry: str = "1600x900"
    # what the remote desktop takes from the viewer (rfb_filter.InputLimits' fields)
    desktop_input: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def to_env(self) -> str:
        return json.dumps(asdict(self))


def from_policy(sess, *, mode: str | None = None, seat_addresses=(),
                spawn_index: int = 0) -> GuardConfig:
    """Settings for one session from ``policy.sessions`` (and the booked seat's addresses).
    The ``spawn_index``-th server of a booking gets the session budget halved that many times
    (never below one message's worth), so all of a booking's servers together show at most
    twice the budget: restarting the server is no way to a fresh one."""
    shift = min(max(int(spawn_index), 0), 30)
    return validate({
        "mode": mode or sess.access_mode,
        "caps": {"message_bytes": sess.output_max_message_bytes,
                 "execution_bytes": sess.output_max_execution_bytes,
                 "text_lines": sess.output_max_text_lines,
                 "table_rows": sess.output_max_table_rows,
                 "mime_types": list(sess.output_mime_types),
                 "session_bytes": max(sess.output_max_session_bytes >> shift, 1024),
                 "session_lines": max(sess.output_max_session_lines >> shift, 1),
                 "repeat_bytes": sess.output_repeat_bytes,
                 "repeat_reserve_permille": sess.output_repeat_reserve_permille,
                 "state_bytes": sess.output_state_poll_bytes},
        "action_bytes": sess.saved_action_bytes,
        "saved_max_bytes": sess.saved_file_max_bytes,
        "saved_session_bytes": max(sess.saved_new_bytes_per_session >> shift, 1024),
        "saved_suffixes": list(sess.saved_file_suffixes),
        "seat_addresses": list(seat_addresses),
        "desktop_geometry": sess.desktop_geometry,
        "desktop_input": {k: getattr(sess, f"desktop_{k}") for k in DESKTOP_INPUT_KEYS},
    })


def _positive_int(d: dict, key: str, where: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise GuardConfigError(f"{where}.{key}: expected a positive integer, got {v!r}")
    return v


def _permille(d: dict, key: str, where: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1000:
        raise GuardConfigError(f"{where}.{key}: expected an integer from 0 to 1000, got {v!r}")
    return v


def validate(raw: dict) -> GuardConfig:
    if not isinstance(raw, dict):
        raise GuardConfigError("settings: expected a JSON object")
    mode = raw.get("mode")
    if mode not in MODES:
        raise GuardConfigError(f"mode: expected one of {MODES}, got {mode!r}")
    c = raw.get("caps")
    if not isinstance(c, dict):
        raise GuardConfigError("caps: expected an object")
    mimes = c.get("mime_types")
    if not isinstance(mimes, list) or not all(isinstance(m, str) for m in mimes):
        raise GuardConfigError("caps.mime_types: expected a list of strings")
    caps = OutputCaps(*(_positive_int(c, k, "caps") for k in
                        ("message_bytes", "execution_bytes", "text_lines", "table_rows")),
                      mime_types=tuple(mimes),
                      session_bytes=_positive_int(c, "session_bytes", "caps"),
                      session_lines=_positive_int(c, "session_lines", "caps"),
                      repeat_bytes=_positive_int(c, "repeat_bytes", "caps"),
                      repeat_reserve_permille=_permille(c, "repeat_reserve_permille", "caps"),
                      state_bytes=_positive_int(c, "state_bytes", "caps"))
    suffixes = raw.get("saved_suffixes")
    if not isinstance(suffixes, list) or not all(isinstance(s, str) and s.startswith(".")
                                                 for s in suffixes):
        raise GuardConfigError("saved_suffixes: expected a list like ['.ipynb', '.py']")
    seats = raw.get("seat_addresses") or []
    if not isinstance(seats, list):
        raise GuardConfigError("seat_addresses: expected a list of IP addresses")
    for a in seats:
        try:
            ipaddress.ip_address(a)
        except (TypeError, ValueError):
            raise GuardConfigError(f"seat_addresses: {a!r} is not an IP address") from None
    if mode == "on_site" and not seats:
        raise GuardConfigError("seat_addresses: on_site mode needs the booked seat's addresses")
    geometry = raw.get("desktop_geometry", "1600x900")
    w, _, h = str(geometry).partition("x")
    if not (w.isdigit() and h.isdigit()):
        raise GuardConfigError(f"desktop_geometry: expected WIDTHxHEIGHT, got {geometry!r}")
    di = raw.get("desktop_input")
    if not isinstance(di, dict) or set(di) != set(DESKTOP_INPUT_KEYS):
        raise GuardConfigError(f"desktop_input: expected an object with {DESKTOP_INPUT_KEYS}")
    desktop_input = {k: _positive_int(di, k, "desktop_input") for k in DESKTOP_INPUT_KEYS}
    return GuardConfig(mode=mode, caps=caps, desktop_input=desktop_input,
                       saved_max_bytes=_positive_int(raw, "saved_max_bytes", "settings"),
                       saved_session_bytes=_positive_int(raw, "saved_session_bytes",
                                                         "settings"),
                       action_bytes=_positive_int(raw, "action_bytes", "settings"),
                       saved_suffixes=tuple(s.lower() for s in suffixes),
                       seat_addresses=tuple(str(ipaddress.ip_address(a)) for a in seats),
                       desktop_geometry=str(geometry))


def load(environ=None) -> GuardConfig:
    """Read the settings from the environment; raises :class:`GuardConfigError`."""
    env = os.environ if environ is None else environ
    text = env.get(GUARD_ENV)
    if not text:
        raise GuardConfigError(f"{GUARD_ENV} is not set: the hub did not configure this server")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise GuardConfigError(f"{GUARD_ENV}: not JSON ({e})") from None
    return validate(raw)


def take_ledger_key(environ=None) -> bytes | None:
    """Remove the ledger key from the environment (kernels inherit it) and return it."""
    env = os.environ if environ is None else environ
    text = env.pop(LEDGER_KEY_ENV, "")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) >= 32 else None
