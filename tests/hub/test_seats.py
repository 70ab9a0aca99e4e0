"""S1/S4 on-site seats against the real hub and proxy: a session is served only to the
booked seat's registered workstation.

Every client here is this host; the seat's workstation is 127.0.0.1 and the "other
machine" connects from 127.0.0.2 (the whole 127/8 is loopback on Linux, so the proxy sees a
different client address - exactly what it would see from another workstation).
"""
from __future__ import annotations

import json
import os
import socket

import httpx
import pytest
import websocket

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from hub_config.seats.service import SeatError, register_seat
from tests.services.hub import PASSWORD, HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

SEAT, ELSEWHERE = "127.0.0.1", "127.0.0.2"
REFRESH = 5  # seconds


@pytest.fixture(scope="module")
def hub():
    # the shortest re-check the policy allows, so the tests below see logins re-checked
    h = HubHarness(access_mode="on_site", seat_address=SEAT,
                   sessions_yaml=f"auth_refresh_seconds: {REFRESH}\n")
    for n in ("alice", "nina"):
        h.add_user(n)
    h.add_case("C1", ["alice", "nina"])
    h.book_now("alice", "C1")
    nb = h.book_now("nina", "C1")
    h.nina_seat = h.booking(nb).seat_no
    with session_scope(h.db_url) as s:  # nina's seat is not a registered workstation
        from hub_config.seats.models import Seat

        s.query(Seat).filter_by(number=h.nina_seat).delete()
    with h.running(tail=6000):
        h.alice = h.session_user("alice")
        yield h


def _client(hub, source: str, cookies=None) -> httpx.Client:
    return httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60, cookies=cookies,
                        transport=httpx.HTTPTransport(local_address=source))


def _login(hub, source: str, name: str = "alice") -> httpx.Response:
    c = _client(hub, source)
    c.get("/hub/login")
    return c.post("/hub/login", data={"username": name, "password": PASSWORD,
                                      "otp": hub.researcher_code(name),   # A4: her authenticator's code
                                      "_xsrf": c.cookies.get("_xsrf", path="/hub/") or ""})


def test_login_from_the_booked_seat_allowed(hub):
    assert _login(hub, SEAT).status_code == 302


def test_login_from_another_machine_refused(hub):
    r = _login(hub, ELSEWHERE)
    assert r.status_code == 403 and "seat" in r.text
    with session_scope(hub.db_url) as s:
        rec = s.query(AuditRecord).filter_by(actor="alice",
                                             action="session.login_refused").all()
        assert any("seat" in (x.reason or "") for x in rec)


@pytest.mark.parametrize("headers", [
    {}, {"X-Forwarded-For": SEAT}, {"X-Real-Ip": SEAT}, {"X-Forwarded-For": f"{SEAT}, {SEAT}"},
    {"X-Forwarded-For": SEAT, "X-Real-Ip": SEAT, "Forwarded": f"for={SEAT}"},
])
@pytest.mark.parametrize("path", ["/api/contents", "/api/status", "/api/kernels", "/lab",
                                  "/api/sessions", "/api/contents/notes.ipynb"])
def test_session_with_the_seats_token_refused_elsewhere(hub, path, headers):
    """The seat's own credentials, carried to another machine, with spoofed forwarding
    headers: refused by the session's server."""
    with _client(hub, ELSEWHERE) as c:
        r = c.get(f"/user/alice{path}",
                  headers={"Authorization": f"token {hub.alice.token}", **headers})
    assert r.status_code == 403 and "seat" in r.text, (r.status_code, r.text[:200])


def test_session_cookies_refused_elsewhere(hub):
    """The browser's cookies (hub login + the server's OAuth cookie) copied to another
    machine."""
    a = hub.alice
    r = a.http.get("/user/alice/lab", follow_redirects=True)  # OAuth dance at the seat
    assert r.status_code == 200, r.text[:300]
    with _client(hub, ELSEWHERE, cookies=a.http.cookies) as c:
        r = c.get("/user/alice/lab")
        assert r.status_code == 403 and "seat" in r.text
        r = c.get("/user/alice/api/contents", headers={"X-XSRFToken": a.xsrf()})
        assert r.status_code == 403


def test_kernel_websocket_refused_elsewhere_allowed_at_seat(hub):
    a = hub.alice
    kid = a.start_kernel()
    url = f"ws://127.0.0.1:{hub.opts.port}/user/alice/api/kernels/{kid}/channels"
    hdr = [f"Authorization: token {a.token}"]
    s = socket.create_connection(("127.0.0.1", hub.opts.port), source_address=(ELSEWHERE, 0))
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(url, header=hdr, socket=s, timeout=30)
    assert e.value.status_code == 403
    ws = websocket.create_connection(url, header=hdr, timeout=30)
    ws.close()
    assert "ok" in a.execute("print('ok')", kid)


def test_seat_allowed_through_the_proxy(hub):
    with _client(hub, SEAT) as c:
        r = c.get("/user/alice/api/status", headers={"Authorization": f"token {hub.alice.token}"})
    assert r.status_code == 200


def test_unregistered_seat_cannot_start_a_session(hub):
    nina = hub.user("nina")
    assert nina.login().status_code == 403  # her seat is no registered workstation
    with session_scope(hub.db_url) as s:
        rec = s.query(AuditRecord).filter_by(actor="nina", action="session.login_refused").all()
        assert rec and "not a registered workstation" in rec[-1].reason


def test_moving_the_seat_moves_the_session(hub):
    """Re-registering alice's seat at another address: the old machine is refused at once."""
    seat_no = hub.booking(1).seat_no
    hub.set_seat(seat_no, [ELSEWHERE])
    try:
        r = _login(hub, SEAT)
        assert r.status_code == 403 and "seat" in r.text
        assert _login(hub, ELSEWHERE).status_code == 302
    finally:
        hub.set_seat(seat_no, [SEAT])


@pytest.mark.parametrize("number, addresses, match", [
    (0, ["10.0.0.1"], "positive"), (-3, ["10.0.0.1"], "positive"), (5, [], "at least one"),
    (5, ["seat-5"], "not an IP"), (5, ["10.0.0.300"], "not an IP"),
])
def test_seat_registration_bad_input(hub, number, addresses, match):
    with session_scope(hub.db_url) as s, pytest.raises(SeatError, match=match):
        register_seat(s, number, addresses, "", "steward")


def test_one_address_one_workstation(hub):
    with session_scope(hub.db_url) as s:
        register_seat(s, 90, ["10.9.9.9"], "seat 90", "steward")
    with session_scope(hub.db_url) as s, pytest.raises(SeatError, match="already seat 90"):
        register_seat(s, 91, ["10.9.9.9"], "seat 91", "steward")
    with session_scope(hub.db_url) as s:
        rec = s.query(AuditRecord).filter_by(action="seat.registered").all()
        assert json.dumps([r.detail for r in rec]).count("10.9.9.9") == 1


def test_the_sessions_own_token_check_outlives_the_refresh(hub):
    """The session's server asks the hub who its token belongs to (over the hub's unix
    socket, with no proxy entry) each time its cached answer ages.  Past the refresh age
    that re-check has no browser address to judge the seat by; it must still answer while
    the booking holds (it was refused, which cut a long session off mid-work).  Through the
    proxy, from another machine, the same token past the same age is still refused."""
    import time

    from hub_config.launch import socket_root_for

    sock = str(socket_root_for(hub.settings) / "hub" / "hub.sock")
    auth = {"Authorization": f"token {hub.alice.token}"}
    with httpx.Client(transport=httpx.HTTPTransport(uds=sock), base_url="http://hub",
                      timeout=60) as inside, _client(hub, ELSEWHERE) as outside:
        # outside first: a refused re-check renews nothing, so the inside call after it is
        # still past the age and re-checked too (one wait per round, not two)
        for _ in range(2):
            time.sleep(REFRESH + 1)
            r = outside.get("/hub/api/user", headers=auth)
            assert r.status_code == 403, (r.status_code, r.text)
            # and a proxy entry of the seat's own address written by the client does not help
            r = outside.get("/hub/api/user", headers={**auth, "X-Forwarded-For": SEAT})
            assert r.status_code == 403, (r.status_code, r.text)
            r = inside.get("/hub/api/user", headers=auth)
            assert r.status_code == 200 and r.json()["name"] == "alice", (r.status_code, r.text)
