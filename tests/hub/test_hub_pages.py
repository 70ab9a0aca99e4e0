"""The hub's own pages and the session's JupyterLab through a real JupyterHub (issue 16, S2).

One hub (with its proxy, warden and sandbox spawner), policy ``slot_end_warning_minutes: 30``:
  alice  researcher, booked now until 20 minutes from now -> home, token, spawn, JupyterLab
  erin   researcher, booked                               -> logs in and out
  bob    researcher, no booking                           -> login refused
  carol  researcher, booked, case suspended               -> login refused
  hank   admin, no booking                                -> log-in allowed, server start refused;
                                                             the administration page
Every page reads Traditional Chinese first, then English, and links nowhere outside the hub;
the countdowns' end is the booking's end, and alice (20 minutes left) is already warned, which
the default 10-minute lead would not do: the lead comes from the policy.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from zoneinfo import ZoneInfo

import pytest

from enclave.db import session_scope, utcnow
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

TAIPEI = ZoneInfo("Asia/Taipei")
WARN_MINUTES = 30
ALICE_MINUTES_LEFT = 20
CHROMIUM = "/usr/bin/chromium"
EXTERNAL = re.compile(r"https?://", re.I)


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(sessions_yaml=f"slot_end_warning_minutes: {WARN_MINUTES}\n")
    now = utcnow()
    for name in ("alice", "erin", "bob", "carol"):
        h.add_user(name)
    h.add_user("hank", roles=("admin", "researcher"))
    h.add_case("C1", ["alice", "erin"])
    h.add_case("C3", ["carol"], status="suspended")
    h.bookings = {
        "alice": h.book_now("alice", "C1", now + dt.timedelta(minutes=ALICE_MINUTES_LEFT)),
        "erin": h.book_now("erin", "C1"),
        "carol": h.book_now("carol", "C3"),
    }
    with h.running():
        alice = h.user("alice")
        assert alice.login().status_code == 302
        h.home = alice.http.get("/hub/home")
        h.token_page = alice.http.get("/hub/token")
        alice.make_token()
        h.pending = _spawn_catching_the_pending_page(h, alice)
        alice.spawn()  # waits until the server is ready
        h.alice = alice
        yield h


def _spawn_catching_the_pending_page(h, user):
    """Start the server through the API while a second browser (same login cookie) asks for
    the start-up page until it is shown: the sandbox may be ready within a second."""
    import threading

    import httpx

    caught, done = [], threading.Event()

    def watch():
        with httpx.Client(base_url=h.url, cookies=user.http.cookies, timeout=30) as c:
            while not done.is_set():
                r = c.get(f"/hub/spawn-pending/{user.name}")
                if r.status_code == 200 and 'id="progress-bar"' in r.text:
                    caught.append(r)
                    return
                done.wait(0.05)

    t = threading.Thread(target=watch)
    t.start()
    try:
        r = user.hub_api("POST", f"/users/{user.name}/server")
        assert r.status_code in (201, 202), r.text
    finally:
        done.set()
        t.join()
    return caught[0] if caught else None


def _ends(hub, name: str) -> dt.datetime:
    return hub.booking(hub.bookings[name]).ends_at.replace(tzinfo=dt.timezone.utc)


def _text(html: str) -> str:
    """What the page says: the markup, scripts and styles left out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<noscript>.*?</noscript>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_page(html: str, *pairs: tuple[str, str]) -> None:
    """Each (Chinese, English) pair is on the page with the Chinese first; the page's text
    begins in Chinese; nothing on it points outside the hub."""
    text = _text(html)
    for zh, en in pairs:
        assert zh in text, f"{zh!r} is not on the page:\n{text[:1500]}"
        assert en in text, f"{en!r} is not on the page:\n{text[:1500]}"
        assert text.index(zh) < text.index(en), f"{en!r} comes before {zh!r}"
    first_han = re.search(r"[\u4e00-\u9fff]", text)
    first_latin = re.search(r"[A-Za-z]{2,}", text)
    assert first_han and (not first_latin or first_han.start() < first_latin.start()), text[:300]
    assert not EXTERNAL.search(html), EXTERNAL.search(html) and \
        html[max(EXTERNAL.search(html).start() - 200, 0):EXTERNAL.search(html).start() + 100]


BRAND = ("國家衛生研究資料中心", "NHI research enclave")
MENU_TITLES = {"檔案": "File", "編輯": "Edit", "檢視": "View", "執行": "Run", "核心": "Kernel",
               "分頁": "Tabs", "設定": "Settings", "說明": "Help"}


# ------------------------------------------------------------------ the hub's pages
def test_login_page(hub):
    r = hub.user("nobody").http.get("/hub/login")
    assert r.status_code == 200
    assert_page(r.text, BRAND, ("登入研究工作區", "Sign in"), ("帳號", "User name"),
                ("密碼", "Password"), ("驗證碼", "One-time code"))


@pytest.mark.parametrize("name, zh, en", [
    ("bob", "您此時段沒有預約座位", "no booked slot for you at this time"),
    ("carol", "計畫 C3 已停權", "case C3 is suspended"),
])
def test_login_refused_outside_the_booked_slot_says_why_in_both(hub, name, zh, en):
    """S2/S3: the refusal is the booking gate's reason, read in Chinese first."""
    r = hub.user(name).login()
    assert r.status_code == 403
    assert_page(r.text, BRAND, ("登入被拒", "Login refused"), (zh, en))


def test_wrong_password_in_both(hub):
    r = hub.user("alice", password="not-her-password").login()
    assert r.status_code == 403
    assert_page(r.text, ("帳號或密碼錯誤", "Invalid username or password"))


def test_home_page_shows_the_booked_slot(hub):
    """The home page's slot is the booking's: case, start and end in Taipei time, the end as
    the countdown's target, and the policy's warning lead."""
    r = hub.home
    assert r.status_code == 200
    b = hub.booking(hub.bookings["alice"])
    ends = _ends(hub, "alice")
    start_tw = b.starts_at.replace(tzinfo=dt.timezone.utc).astimezone(TAIPEI).strftime("%H:%M")
    end_tw = ends.astimezone(TAIPEI).strftime("%H:%M")
    # the slot's day is its start's (a slot booked just before midnight in Taipei ends the next day)
    day = b.starts_at.replace(tzinfo=dt.timezone.utc).astimezone(TAIPEI).strftime("%Y-%m-%d")
    assert_page(r.text, BRAND, ("研究工作區", "Research work area"),
                ("啟動我的工作階段", "Start my session"),
                (f"預約時段 {day} {start_tw}–{end_tw}（台北時間）",
                 f"booked slot {day} {start_tw}–{end_tw} (Taipei time)"),
                (f"結束前 {WARN_MINUTES} 分鐘提醒", f"a warning {WARN_MINUTES} minutes before"),
                ("登出", "Log out"))
    m = re.search(r'id="enclave-slot"[^>]*data-ends="([^"]+)"', r.text)
    assert m and dt.datetime.fromisoformat(m.group(1)) == ends
    assert f'data-warn-minutes="{WARN_MINUTES}"' in r.text


def test_spawn_pending_page(hub):
    r = hub.pending
    assert r is not None, "the start-up page was never shown while the server started"
    assert_page(r.text, ("工作階段啟動中", "Your session is starting"),
                ("啟動紀錄", "Start-up log"), ("取消並停止", "Cancel and stop"))
    assert 'id="enclave-slot"' in r.text


def test_token_page_times_in_taipei_and_capped_at_the_slot(hub):
    r = hub.token_page
    assert r.status_code == 200
    assert_page(r.text, ("存取權杖", "API tokens"), ("申請新權杖", "Request a new token"),
                ("有效期限", "Expires in"))
    # S1: no token outlives the policy's token lifetime (the hub refuses a longer one)
    r = hub.alice.hub_api("POST", "/users/alice/tokens", json={"expires_in": 30 * 86400})
    assert r.status_code == 400 and "must not exceed" in r.text
    r = hub.alice.http.get("/hub/token")
    expires = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>\s*<td><button", r.text)
    assert expires, "the token table shows no expiry"
    for t in expires:  # Taipei time: within the token lifetime of Taipei's now
        shown = dt.datetime.strptime(t, "%Y-%m-%d %H:%M").replace(tzinfo=TAIPEI)
        assert dt.timedelta(0) < shown - dt.datetime.now(TAIPEI) < dt.timedelta(hours=5)


def test_error_pages_403_and_404(hub):
    r = hub.alice.http.get("/hub/admin")  # not an administrator
    assert r.status_code == 403
    assert_page(r.text, ("拒絕存取", "Forbidden"), ("回首頁", "Back to the home page"))
    r = hub.alice.http.get("/hub/no-such-page")
    assert r.status_code == 404
    assert_page(r.text, ("找不到頁面", "Not Found"), ("沒有這個頁面", "There is no such page"))


def _hank(hub):
    """The administrator, logged in once with his second factor (a TOTP code is used once)."""
    if getattr(hub, "hank", None) is None:
        from enclave.accounts.models import User
        from tests.identity.helpers import code_at, enrol_totp

        hank = hub.user("hank")
        with session_scope(hub.db_url) as s:
            totp = enrol_totp(s, s.query(User).filter_by(username="hank").one())
        assert hank.login(otp=code_at(totp, utcnow())).status_code == 302
        hub.hank = hank
    return hub.hank


def test_server_start_refused_outside_a_slot_says_why_in_both(hub):
    """S3: an administrator may log in off-slot but not start a session; the page says why."""
    hank = _hank(hub)
    r = hank.http.get("/hub/spawn/hank", follow_redirects=True)
    assert r.status_code in (403, 500), r.status_code
    assert_page(r.text, ("無法啟動工作階段", "Server start refused"),
                ("您此時段沒有預約座位", "no booked slot for you at this time"))


def test_logout_page(hub):
    erin = hub.user("erin")
    assert erin.login().status_code == 302
    r = erin.http.get("/hub/logout")
    assert r.status_code == 200
    assert_page(r.text, ("您已登出", "You are logged out"), ("再次登入", "Sign in again"))
    assert erin.http.get("/hub/home").status_code == 302  # and really logged out


# ------------------------------------------------------------------ JupyterLab in the session
def test_lab_is_chinese_offline_and_carries_the_slot_clock(hub):
    alice = hub.alice

    def default(plugin: str, key: str):
        r = alice.server("GET", f"/lab/api/settings/{plugin}")
        assert r.status_code == 200, r.text[:300]
        return r.json()["schema"]["properties"][key]["default"]

    assert default("@jupyterlab/translation-extension:plugin", "locale") == "zh_TW"
    assert default("@jupyterlab/apputils-extension:notification", "fetchNews") == "false"
    assert default("@jupyterlab/apputils-extension:notification", "checkForUpdates") is False
    cfg = alice.page_config()
    disabled = cfg["disabledExtensions"]
    disabled = set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
    assert {"@jupyterlab/help-extension:resources", "@jupyterlab/help-extension:jupyter-forum",
            "@jupyterlab/help-extension:about"} <= disabled
    assert "enclave-slot-clock" in {e["name"] for e in cfg["federated_extensions"]}
    r = alice.server("GET", "/lab/extensions/enclave-slot-clock/static/remoteEntry.js")
    assert r.status_code == 200 and "enclave-slot-clock" in r.text
    # the slot the clock counts down to is the booking's end, with the policy's lead
    slot = cfg["enclaveSlot"]
    ends = _ends(hub, "alice")
    assert dt.datetime.fromisoformat(slot["ends"]) == ends
    assert slot["endsTaipei"] == ends.astimezone(TAIPEI).strftime("%H:%M")
    assert slot["warnMinutes"] == WARN_MINUTES
    assert abs(dt.datetime.fromisoformat(slot["now"]) - utcnow()) < dt.timedelta(seconds=30)


def _chromium(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"])


def test_countdown_and_warning_in_the_browser(hub):
    """S2: in Chromium, the hub's home page and JupyterLab count down to the booking's end and
    already warn (20 minutes left, policy lead 30); the Help menu has no internet links."""
    pw = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    from tests.screenshots import shot

    end_tw = _ends(hub, "alice").astimezone(TAIPEI).strftime("%H:%M")
    with pw.sync_playwright() as p:
        browser = _chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 800})
            page.goto(f"{hub.url}/hub/login")
            body = page.inner_text("body")
            assert re.search(r"[\u4e00-\u9fff]", body).start() < re.search(r"[A-Za-z]", body).start()
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", hub.alice.password)
            page.fill("input[name=otp]", hub.researcher_code("alice"))   # A4: her authenticator's code
            page.click("#login_submit")
            page.wait_for_url(re.compile(r".*/user/alice/lab.*"), timeout=90_000)
            page.goto(f"{hub.url}/hub/home")
            page.wait_for_function(
                "document.getElementById('enclave-slot-left').textContent.includes('剩餘')")
            home_slot = page.locator("#enclave-slot")
            assert home_slot.get_attribute("data-warn") == "1"
            left = page.inner_text("#enclave-slot-left")
            shot(page, "hub-home-slot")
            page.goto(f"{hub.url}/user/alice/lab")
            clock = page.locator("#enclave-slot-clock")
            clock.wait_for(timeout=90_000)
            page.wait_for_function(
                "document.getElementById('enclave-slot-clock').dataset.state !== undefined")
            lab_text, lab_state = clock.inner_text(), clock.get_attribute("data-state")
            # the main menu's titles in Traditional Chinese (the pack lacks most of them)
            page.wait_for_function(
                "() => [...document.querySelectorAll('#jp-MainMenu .lm-MenuBar-itemLabel')]"
                ".some(n => n.textContent === '檔案')", timeout=30_000)
            titles = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
            page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").last.click()  # Help (說明)
            page.wait_for_selector(".lm-Menu", timeout=10_000)
            help_menu = page.locator(".lm-Menu").first.inner_text()
            page.keyboard.press("Escape")
            page.wait_for_timeout(3000)   # JupyterLab would ask about news after start-up
            lab_body = page.inner_text("body")
            shot(page, "lab-slot-clock")
        finally:
            browser.close()
    h, m, s = (int(x) for x in re.search(r"(\d\d):(\d\d):(\d\d)", left).groups())
    assert dt.timedelta(minutes=ALICE_MINUTES_LEFT - 3) < dt.timedelta(hours=h, minutes=m, seconds=s) \
        <= dt.timedelta(minutes=ALICE_MINUTES_LEFT)
    assert f"時段結束 {end_tw}" in lab_text and f"slot ends {end_tw} Taipei" in lab_text, lab_text
    assert lab_text.index("時段結束") < lab_text.index("slot ends")
    assert lab_state == "warning"
    assert titles[:8] == list(MENU_TITLES), titles
    assert not set(titles) & set(MENU_TITLES.values()), titles   # no English title left
    # no news pop-up, no news or update question
    assert "Jupyter news" not in lab_body and "新聞" not in lab_body, lab_body[-500:]
    for label in ("Jupyter Forum", "JupyterLab Reference", "Jupyter Reference", "JupyterLab FAQ",
                  "Markdown Reference", "About JupyterLab", "關於 JupyterLab"):
        assert label not in help_menu, help_menu


# ------------------------------------------------------------------ the administration page
def test_admin_page_is_ours_bilingual_with_todays_slots(hub):
    """/hub/admin is the enclave's page, not JupyterHub's English React app: bilingual, what
    an administrator may do here said first, today's slots from the booking rows in Taipei
    time, and when each running session must end (the slot clock's own answer)."""
    r = _hank(hub).http.get("/hub/admin")
    assert r.status_code == 200, r.text[:300]
    assert "admin-react" not in r.text and "react-admin-hook" not in r.text
    assert_page(r.text, BRAND, ("管理", "Administration"),
                ("帳號與角色由中心的身分紀錄維護", "Accounts and roles come from the centre's"),
                ("帳號與工作階段", "Users and sessions"), ("今日預約時段", "Today's booked slots"),
                ("時段結束", "Slot ends"))
    text = _text(r.text)
    assert "已預約 booked" in text and "進行中 now" in text and "互動 interactive" in text
    for name in ("alice", "erin", "carol"):
        b = hub.booking(hub.bookings[name])
        row = re.search(rf'<tr class="enclave-slot-row[^"]*" data-user="{name}">(.*?)</tr>',
                        r.text, re.S)
        assert row, f"no slot row for {name}"
        span = (f"{b.starts_at.replace(tzinfo=dt.timezone.utc).astimezone(TAIPEI):%H:%M}–"
                f"{b.ends_at.replace(tzinfo=dt.timezone.utc).astimezone(TAIPEI):%H:%M}")
        assert span in row.group(1)
    ends = json.loads(re.search(r'<script id="enclave-admin-ends" type="application/json">'
                                r'(.*?)</script>', r.text, re.S).group(1))
    assert ends["alice"] == _ends(hub, "alice").astimezone(TAIPEI).strftime("%H:%M")
    assert "carol" not in ends   # her case is suspended: the gate lets her in nowhere
    # a researcher gets no administration page, whatever the path
    for path in ("/hub/admin", "/hub/admin/"):
        assert hub.alice.http.get(path).status_code in (403, 404)


def _browser_as(p, hub, who):
    """Chromium carrying ``who``'s hub log-in cookies (no second log-in: a TOTP code is used
    once)."""
    browser = _chromium(p)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.add_cookies([{"name": c.name, "value": c.value, "domain": "127.0.0.1",
                      "path": c.path or "/"} for c in who.http.cookies.jar])
    return browser, ctx.new_page()


def test_admin_page_in_the_browser_and_the_error_dialog(hub):
    """In Chromium as the administrator: the sessions table from the REST API in both
    languages; the hub's error dialog reads Chinese first; stopping a session asks first, and
    a refusal at the question stops nothing.  (Last in the module: it stops alice's server.)"""
    pw = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    from tests.screenshots import shot

    hank = _hank(hub)
    with pw.sync_playwright() as p:
        browser, page = _browser_as(p, hub, hank)
        try:
            page.goto(f"{hub.url}/hub/admin")
            page.wait_for_selector("#enclave-admin-users[data-loaded='1']", timeout=30_000)
            alice = page.locator("tr.enclave-user-row[data-user=alice]")
            assert alice.get_attribute("data-state") == "running"
            row = alice.inner_text()
            assert "執行中 running" in row and "研究者 researcher" in row, row
            assert _ends(hub, "alice").astimezone(TAIPEI).strftime("%H:%M") in row
            started = re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row).group(0)
            shown = dt.datetime.strptime(started, "%Y-%m-%d %H:%M").replace(tzinfo=TAIPEI)
            assert abs(shown - dt.datetime.now(TAIPEI)) < dt.timedelta(minutes=30)  # Taipei
            hank_row = page.locator("tr.enclave-user-row[data-user=hank]").inner_text()
            assert "管理者 administrator" in hank_row and "未執行 not running" in hank_row
            assert page.locator("tr.enclave-user-row[data-user=hank] button").count() == 0
            assert page.locator("#enclave-admin-error").is_hidden()
            body = page.inner_text("body")
            assert body.index("管理") < body.index("Administration")
            shot(page, "hub-admin")

            # the question refused: nothing stops
            page.once("dialog", lambda d: d.dismiss())
            alice.locator("button.enclave-stop").click()
            page.wait_for_timeout(1000)
            srv = hub.alice.hub_api("GET", "/users/alice").json()["servers"].get("")
            assert srv and srv["ready"]
            # asked again and confirmed (the question in both languages): the session stops
            asked = []

            def answer(d):
                asked.append(d.message)
                d.accept()

            page.once("dialog", answer)
            alice.locator("button.enclave-stop").click()
            try:
                page.wait_for_selector("tr.enclave-user-row[data-user=alice][data-state=none]",
                                       timeout=60_000)
            except Exception:
                print(page.inner_text("#enclave-admin"))
                raise
            assert "確定要停止 alice 的工作階段嗎" in asked[0] and "Stop alice's session?" in asked[0]
            assert not hub.alice.hub_api("GET", "/users/alice").json()["servers"].get("")

            # the hub's own error dialog (a token longer than the slot, refused by the hub)
            page.goto(f"{hub.url}/hub/token")
            page.evaluate("""() => { const s = document.getElementById('token-expiration-seconds');
                const o = document.createElement('option'); o.value = String(30 * 86400);
                s.appendChild(o); s.value = o.value; }""")
            page.locator("#enclave-token-form [type=submit]").click()
            dialog = page.locator("#error-dialog")
            dialog.wait_for(state="visible", timeout=15_000)
            page.wait_for_selector("#error-dialog.show", timeout=15_000)
            page.wait_for_timeout(500)   # the fade-in, for the screenshot
            text = dialog.inner_text()
            shot(page, "hub-error-dialog")
        finally:
            browser.close()
    assert "錯誤" in text and "確定" in text and "操作失敗（HTTP 400 請求有誤）" in text, text
    assert text.index("操作失敗") < text.index("API request failed (400)") and "must not exceed" in text
