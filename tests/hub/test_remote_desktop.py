"""S1 remote access mode against the real hub, proxy and sandbox: pixels only.

The researcher's browser (headless Chromium, driven by Playwright) logs in, gets the desktop -
a kiosk Chromium inside the session's sandbox showing JupyterLab, over noVNC - and works in it
with the keyboard and mouse: it opens a notebook and runs a query through the broker.  Nothing
else of /user/<name>/ answers through the proxy: the Jupyter HTTP and websocket API, with the
browser's own cookies or a token, is refused.  The clipboard does nothing in either direction.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from enclave.db import utcnow
from tests.services.hub import PASSWORD, HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")
CHROMIUM = "/usr/bin/chromium"
WARN = 30
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture(scope="module")
def hub():
    # the bar's clock re-reads the booking every 6 s; the policy warns 30 minutes before the end
    h = HubHarness(access_mode="remote",
                   sessions_yaml=f"slot_end_check_seconds: 2\nslot_end_warning_minutes: {WARN}\n")
    h.add_user("alice")
    h.add_case("C1", ["alice"], tables={"patients": [{"pid": f"p{i}", "age": 20 + i}
                                                     for i in range(30)]})
    h.first = h.book_now("alice", "C1")
    # with the screenshots, the session's own log
    with h.running(tail=6000, logs_to=SHOTS and Path(SHOTS, "remote-desktop-logs.txt")):
        h.alice = h.session_user("alice")
        ws = h.settings.projects_dir / "C1" / "workspace"
        (ws / "result.csv").write_text("pid,age\np1,21\n")  # a query result, saved earlier
        yield h


@pytest.fixture(scope="module")
def browser(hub):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        ctx = b.new_context(viewport={"width": 1280, "height": 760}, accept_downloads=True)
        page = ctx.new_page()
        downloads: list = []
        page.on("download", lambda d: downloads.append(d))
        page.downloads = downloads
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=otp]", hub.researcher_code("alice"))   # A4: her authenticator's code
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{hub.url}/user/alice/desktop/")
        page.wait_for_selector("#status[data-state=connected]", timeout=60000)
        page.evaluate("window.enclaveClip = []; window.enclaveRfb.addEventListener("
                      "'clipboard', e => window.enclaveClip.push(e.detail.text))")
        yield page
        b.close()


def _colours(page) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(page.locator("#screen canvas").screenshot()))
    return len(img.convert("RGB").getcolors(maxcolors=1 << 20) or [])


SHOTS = os.environ.get("ENCLAVE_TEST_SCREENSHOTS")  # a directory: screenshots of failures


def _wait(predicate, what: str, timeout: float = 90, page=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(1)
    if SHOTS and page is not None:
        page.screenshot(path=os.path.join(SHOTS, f"{what[:40].replace(' ', '_')}.png"))
    raise AssertionError(f"{what}: not within {timeout}s")


def test_desktop_shows_jupyterlab(browser):
    """The desktop appears: not a blank screen but JupyterLab's many colours."""
    _wait(lambda: _colours(browser) > 40, "JupyterLab on the remote desktop")


def test_desktop_shows_the_slot_end_and_counts_down(hub, browser):
    """#16: the researcher sees when the slot ends (Taipei time) and a countdown to it."""
    clock = browser.locator("#enclave-slot-clock")
    ends = clock.get_attribute("data-ends")
    from enclave.bookings.models import Booking
    from enclave.db import session_scope

    with session_scope(hub.db_url) as s:
        booked = s.query(Booking).one().ends_at
    got = dt.datetime.fromisoformat(ends)
    assert abs((got - booked.replace(tzinfo=got.tzinfo or dt.timezone.utc)).total_seconds()) < 1
    first = clock.inner_text()
    assert "剩餘" in first and "left" in first, first
    assert first.index("時段結束") < first.index("slot ends")
    time.sleep(2.2)
    assert clock.inner_text() != first  # it counts
    taipei = got.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Taipei")).strftime("%H:%M")
    assert taipei in browser.locator("#slot").inner_text()
    assert clock.get_attribute("data-state") == "ok"  # two hours left
    assert clock.get_attribute("data-warn-minutes") == str(WARN)


def test_desktop_bar_follows_the_booking_with_the_policys_lead(hub, browser):
    """#16: the bar re-reads the booking's end through the hub with JupyterLab's own clock
    (the same script, the same enclave/slot): the next slot booked back to back shows, an
    admin's cut shows, and inside the policy's lead the bar turns red and warns."""
    from enclave.bookings.models import Booking
    from enclave.db import session_scope
    from tests.hub.test_slot_clock_reread import _wait_server_says, clock_shows

    with session_scope(hub.db_url) as s:
        first_end = s.get(Booking, hub.first).ends_at.replace(tzinfo=dt.timezone.utc)
    try:
        extended = first_end + dt.timedelta(hours=1)
        hub.add_booking("alice", "C1", first_end, extended)
        _wait_server_says(hub, extended)
        text = clock_shows(browser, extended)
        assert f"slot ends {extended.astimezone(TAIPEI):%H:%M} Taipei" in text
        assert browser.locator("#bar").get_attribute("data-state") == "ok"

        # an admin cuts the first booking to 20 minutes from now: inside the 30-minute lead
        shortened = utcnow().replace(second=0, microsecond=0) + dt.timedelta(minutes=20)
        with session_scope(hub.db_url) as s:
            s.get(Booking, hub.first).ends_at = shortened
        _wait_server_says(hub, shortened)
        text = clock_shows(browser, shortened)
        assert f"時段結束 {shortened.astimezone(TAIPEI):%H:%M}" in text
        browser.wait_for_selector("#bar[data-state=warning]", timeout=10_000)
        assert browser.locator("#enclave-slot-clock").get_attribute("data-state") == "warning"
        notice = browser.locator("#notice")
        assert notice.is_visible()
        said = notice.inner_text()
        assert f"距時段結束不到 {WARN} 分鐘" in said and f"Less than {WARN} minutes" in said, said
        from tests.screenshots import shot

        shot(browser, "remote-desktop-slot-warning")
    finally:   # the rest of the module works in the two hours it was booked
        with session_scope(hub.db_url) as s:
            s.get(Booking, hub.first).ends_at = first_end


@pytest.mark.parametrize("path", [
    "/api/contents/result.csv", "/api/contents/result.csv?content=1&format=base64",
    "/api/contents", "/files/result.csv", "/view/result.csv", "/lab", "/lab/tree/result.csv",
    "/api/kernels", "/api/sessions", "/api/status", "/api/kernelspecs", "/lab/api/settings",
    "/lab/api/workspaces", "/api/events/subscribe", "/nbconvert/html/x.ipynb",
    "/desktop/kiosk-login?k=x", "/static/lab/index.html", "/lab/extensions/x",
])
def test_jupyter_api_refused_from_outside_with_the_browsers_cookies(hub, browser, path):
    cookies = {c["name"]: c["value"] for c in browser.context.cookies()}
    assert any(n.startswith("jupyterhub-user-alice") for n in cookies), cookies.keys()
    with httpx.Client(base_url=hub.url, cookies=cookies, timeout=30) as c:
        r = c.get(f"/user/alice{path}")
    assert r.status_code in (403, 404), (path, r.status_code, r.text[:200])
    assert "pid,age" not in r.text


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/contents/result.csv"), ("PUT", "/api/contents/up.csv"),
    ("POST", "/api/kernels"), ("POST", "/api/contents"), ("GET", "/api/me"),
])
def test_jupyter_api_refused_from_outside_with_a_token(hub, method, path):
    r = hub.alice.server(method, path, json={"type": "file", "format": "text", "content": "a"})
    assert r.status_code == 403 and "remote desktop" in r.text


def test_kernel_websocket_refused_from_outside(hub):
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(
            f"ws://127.0.0.1:{hub.opts.port}/user/alice/api/kernels/"
            "00000000-0000-0000-0000-000000000000/channels",
            header=[f"Authorization: token {hub.alice.token}"], timeout=30)
    assert e.value.status_code == 403


def test_desktop_refused_without_login(hub):
    with httpx.Client(base_url=hub.url, timeout=30) as c:
        r = c.get("/user/alice/desktop/")
        assert r.status_code in (302, 403) and "RFB" not in r.text
        import websocket

        with pytest.raises(websocket.WebSocketBadStatusException):
            websocket.create_connection(
                f"ws://127.0.0.1:{hub.opts.port}/user/alice/desktop/websockify", timeout=30)


def _type_cell(page, code: str) -> None:
    # a fast typist's pace (22 characters a second): the desktop cuts off faster "typing"
    page.keyboard.type(code, delay=45)
    page.keyboard.press("Shift+Enter")


def test_work_in_the_desktop_and_the_clipboard_does_nothing(hub, browser):
    """Open a notebook with the mouse, type a query through the broker, copy and paste: the
    result is computed inside; no clipboard text reaches the outer browser, and text pasted
    from outside never arrives inside."""
    ws = hub.settings.projects_dir / "C1" / "workspace"
    _wait(lambda: _colours(browser) > 40, "JupyterLab on the remote desktop")
    canvas = browser.locator("#screen canvas")
    box = canvas.bounding_box()
    # the launcher's "Python 3 (ipykernel)" notebook tile, at (476, 211) of the 1600x900 screen
    x, y = box["x"] + 476 * box["width"] / 1600, box["y"] + 211 * box["height"] / 900

    def click_tile():
        if list(ws.glob("Untitled*.ipynb")):
            return True
        browser.mouse.move(x - 5, y - 5)
        browser.mouse.move(x, y)
        browser.mouse.down()
        time.sleep(0.2)
        browser.mouse.up()
        time.sleep(3)
        return list(ws.glob("Untitled*.ipynb"))

    _wait(click_tile, "a new notebook in the workspace", page=browser)
    time.sleep(3)
    browser.keyboard.press("Enter")  # into the first cell's editor
    # outside -> inside: text put on the desktop's clipboard from the outer browser
    browser.evaluate("window.enclaveRfb.clipboardPasteFrom('OUTSIDE-CLIP-7731')")
    _type_cell(browser, "from enclave.session import connect; "
                        "n = connect('count patients on the remote desktop').sql("
                        "'select count(*) from patients').fetchall()[0][0]; "
                        "open('/workspace/remote_ok.txt', 'w').write(f'N={n}')")
    ok = _wait(lambda: (ws / "remote_ok.txt").exists() and (ws / "remote_ok.txt").read_text(),
               "the query's result written inside the session", page=browser)
    assert ok == "N=30"
    # inside -> outside: select and copy text in the kiosk browser; paste what the inside
    # clipboard holds into a cell that writes it to a file
    browser.keyboard.press("Escape")
    browser.keyboard.press("Control+a")
    browser.keyboard.press("Control+c")
    browser.keyboard.press("Enter")
    _type_cell(browser, "import IPython; open('/workspace/pasted.txt','w').write('''")
    browser.keyboard.press("Control+v")
    browser.keyboard.type("''')", delay=45)
    browser.keyboard.press("Shift+Enter")
    time.sleep(5)
    assert browser.evaluate("window.enclaveClip") == []
    pasted = (ws / "pasted.txt").read_text() if (ws / "pasted.txt").exists() else ""
    assert "OUTSIDE-CLIP-7731" not in pasted
    assert not browser.downloads


def test_a_script_typing_a_file_in_is_cut_off(hub, browser):
    """D4: the outer browser 'types' 2 000 characters at machine speed through noVNC's own
    API (what a script pasting a file as keystrokes does): the session's server closes the
    desktop's connection with the reason; a person reconnecting afterwards gets the desktop."""
    browser.evaluate("""() => { window.enclaveClose = null;
        window.enclaveRfb._sock._websocket.addEventListener('close',
            e => { window.enclaveClose = [e.code, e.reason]; }); }""")
    browser.evaluate("() => { for (let i = 0; i < 2000; i++) "
                     "window.enclaveRfb.sendKey(0x30 + (i % 10)); }")
    closed = _wait(lambda: browser.evaluate("window.enclaveClose"), "the desktop cut off",
                   timeout=30, page=browser)
    assert closed[0] == 4003 and "faster than a person" in closed[1]
    browser.wait_for_selector("#status[data-state=disconnected]", timeout=10000)
    time.sleep(6)  # the burst refills at the policy's rate
    browser.reload()
    browser.wait_for_selector("#status[data-state=connected]", timeout=60000)
    _wait(lambda: _colours(browser) > 40, "JupyterLab on the remote desktop again", page=browser)


def test_no_download_ever_reached_the_outer_browser(browser):
    assert browser.downloads == []


def test_test_harness_types_inside_only_when_the_proxy_refuses(hub):
    """The harness's stand-in for typing on the desktop goes to the session's socket, never
    through the proxy (which refuses it)."""
    a = hub.user("alice")
    a.token = hub.alice.token
    assert "2" in a.execute("print(1 + 1)") and a.inside
