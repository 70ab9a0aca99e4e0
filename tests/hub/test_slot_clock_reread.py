"""The JupyterLab slot clock follows the booking while the session runs (issue 16).

A real hub (proxy, warden, sandbox spawner; policy ``slot_end_check_seconds: 2``, so the clock
re-reads every 6 s): alice is booked now until 20 minutes from now and her session runs.  Then
she books the next slot back to back (the warden lets the session run on), and later an admin
cuts her first booking short.  The hub's ``/hub/api/enclave/slot``, the session server's
``enclave/slot`` and the clock in JupyterLab (Chromium) each show the end the bookings give now,
not the one the spawner was given.  The remote desktop's bar runs the same clock; its test
(``tests/hub/test_remote_desktop.py``, a remote-mode hub) uses the helpers here.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

from enclave.bookings.models import Booking
from enclave.db import session_scope, utcnow
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

TAIPEI = ZoneInfo("Asia/Taipei")
CHROMIUM = "/usr/bin/chromium"


def _minute(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(sessions_yaml="slot_end_check_seconds: 2\n")
    now = _minute(utcnow())
    h.add_user("alice")
    h.add_user("hank")   # no booking
    h.add_case("C1", ["alice"])
    h.first_end = now + dt.timedelta(minutes=20)
    h.first = h.book_now("alice", "C1", h.first_end, start=now - dt.timedelta(minutes=5))
    with h.running():
        h.alice = h.session_user("alice")
        yield h


def _utc(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)


def _both(hub) -> tuple[dict, dict]:
    """The hub's answer (alice's own token) and the session server's (its own hub token)."""
    r = hub.alice.hub_api("GET", "/enclave/slot")
    assert r.status_code == 200, r.text[:300]
    s = hub.alice.server("GET", "/enclave/slot")
    assert s.status_code == 200, s.text[:300]
    return r.json(), s.json()


def _wait_server_says(hub, end: dt.datetime, timeout: float = 20) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while True:
        hub_says, server_says = _both(hub)
        if _utc(server_says["ends"]) == end or time.monotonic() > deadline:
            break
        time.sleep(0.5)   # the server keeps the hub's answer for a few seconds
    assert _utc(hub_says["ends"]) == end and _utc(server_says["ends"]) == end
    assert server_says["endsTaipei"] == end.astimezone(TAIPEI).strftime("%H:%M")
    return server_says


def clock_shows(page, end: dt.datetime) -> str:
    """Wait until the slot clock on the page (JupyterLab's or the remote desktop's bar: one
    script) counts down to ``end``; its text."""
    hhmm = end.astimezone(TAIPEI).strftime("%H:%M")
    page.wait_for_function(
        "([iso, hhmm]) => { const n = document.getElementById('enclave-slot-clock');"
        " return n && Date.parse(n.dataset.ends) === Date.parse(iso)"
        " && n.textContent.includes('時段結束 ' + hhmm); }",
        arg=[end.isoformat(), hhmm], timeout=40_000)
    return page.inner_text("#enclave-slot-clock")


def test_the_hub_and_the_session_answer_the_booking_as_it_stands(hub):
    hub_says, server_says = _both(hub)
    assert _utc(hub_says["ends"]) == hub.first_end and hub_says["booked"] is True
    assert server_says["pollSeconds"] == 6 and server_says["warnMinutes"] >= 1
    # nobody with no booking now gets an end (the rows the gate and warden read)
    from hub_config.slot_api import session_end

    with session_scope(hub.db_url) as s:
        assert session_end(s, "hank", utcnow()) is None
        assert session_end(s, "alice", utcnow()) == hub.first_end
    # an anonymous caller gets nothing
    import httpx

    assert httpx.get(f"{hub.url}/hub/api/enclave/slot", timeout=30).status_code in (401, 403)


def test_the_lab_clock_shows_an_extended_then_shortened_end(hub):
    pw = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    from tests.screenshots import shot

    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 800})
            page.goto(f"{hub.url}/hub/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", hub.alice.password)
            page.fill("input[name=otp]", hub.researcher_code("alice"))   # A4: her authenticator's code
            page.click("#login_submit")
            page.goto(f"{hub.url}/user/alice/lab")
            page.locator("#enclave-slot-clock").wait_for(timeout=90_000)
            text = clock_shows(page, hub.first_end)
            assert f"slot ends {hub.first_end.astimezone(TAIPEI):%H:%M} Taipei" in text

            # alice books the next slot back to back: the session runs on, the clock follows
            extended = hub.first_end + dt.timedelta(hours=1)
            hub.add_booking("alice", "C1", hub.first_end, extended)
            _wait_server_says(hub, extended)
            text = clock_shows(page, extended)
            assert f"slot ends {extended.astimezone(TAIPEI):%H:%M} Taipei" in text
            shot(page, "lab-slot-clock-extended")

            # an admin cuts the first booking short: the chain breaks, the end comes earlier
            shortened = hub.first_end - dt.timedelta(minutes=5)
            with session_scope(hub.db_url) as s:
                s.get(Booking, hub.first).ends_at = shortened
            _wait_server_says(hub, shortened)
            text = clock_shows(page, shortened)
            assert f"slot ends {shortened.astimezone(TAIPEI):%H:%M} Taipei" in text
        finally:
            browser.close()
