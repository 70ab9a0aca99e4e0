"""The real thing: JupyterHub 6 + configurable-http-proxy + warden + namespace sandboxes.

One hub for the module.  People:
  alice  researcher, booked now, case C1            -> logs in, spawns, kernel attacks
  erin   researcher, booked until ~50 s from start  -> server cut off at slot end
  bob    researcher, no booking                     -> login refused
  carol  researcher, booked, case suspended         -> login refused
  dave   researcher, booked, password 100 days old  -> login refused (A4)
  frank  researcher, slot ended without a login     -> no_show (S3)
  hank   admin (+researcher), no booking            -> may log in, spawn refused (pre-spawn hook)
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time

import httpx
import pytest

from enclave.audit.models import AuditRecord
from enclave.bookings.models import Booking
from enclave.db import session_scope, utcnow
from hub_config.lockdown import LOCKED_PLUGINS
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

ERIN_SLOT_SECONDS = 50


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    now = utcnow()
    for name in ("alice", "erin", "bob", "carol", "frank"):
        h.add_user(name)
    h.add_user("dave", changed_days_ago=100)
    h.add_user("hank", roles=("admin", "researcher"))
    h.add_case("C1", ["alice", "erin", "dave", "frank"],
               tables={"patients": [{"pid": f"p{i}", "age": 20 + i} for i in range(30)]})
    h.add_case("C2", ["alice"], tables={"other_case": [{"pid": "zz", "secret": 1}]})
    h.add_case("C3", ["carol"], status="suspended")
    h.bookings = {
        "alice": h.add_booking("alice", "C1", now - dt.timedelta(minutes=5),
                               now + dt.timedelta(hours=2)),
        "erin": h.add_booking("erin", "C1", now - dt.timedelta(minutes=5),
                              now + dt.timedelta(seconds=ERIN_SLOT_SECONDS)),
        "carol": h.add_booking("carol", "C3", now - dt.timedelta(minutes=5),
                               now + dt.timedelta(hours=2)),
        "dave": h.add_booking("dave", "C1", now - dt.timedelta(minutes=5),
                              now + dt.timedelta(hours=2)),
        "frank": h.add_booking("frank", "C1", now - dt.timedelta(hours=4),
                               now - dt.timedelta(minutes=10)),
    }
    h.start()
    try:
        # erin's session starts first so that her slot end falls inside this module's run
        erin = h.user("erin")
        assert erin.login().status_code == 302
        erin.make_token()
        alice = h.user("alice")
        assert alice.login().status_code == 302
        alice.make_token()
        erin.spawn()
        h.erin_token_worked = erin.hub_api("GET", "/user").json()["servers"] != {}
        alice.spawn()
        h.people = {"erin": erin, "alice": alice}
        yield h
    except BaseException:
        print(h.log_text()[-8000:])
        raise
    finally:
        h.stop()


@pytest.fixture(scope="module")
def alice(hub):
    return hub.people["alice"]


@pytest.fixture(scope="module")
def kernel(alice):
    return alice.start_kernel()


def _login_page_error(resp: httpx.Response) -> str:
    m = re.search(r'class="alert alert-danger"[^>]*>\s*(.*?)\s*</', resp.text, re.S)
    return m.group(1) if m else resp.text


# ------------------------------------------------------------------ the gate
def test_login_allowed_inside_slot_and_marks_attended(hub):
    b = hub.booking(hub.bookings["alice"])
    assert b.status == "attended" and b.first_login_at is not None


@pytest.mark.parametrize("name, reason", [
    ("bob", "no booked slot"),
    ("carol", "suspended"),
    ("dave", "expired"),
])
def test_login_refused_with_reason(hub, name, reason):
    r = hub.user(name).login()
    assert r.status_code == 403
    assert reason in _login_page_error(r)
    assert "hub/spawn" not in r.headers.get("location", "")


def test_spawn_refused_by_pre_spawn_hook_without_booking(hub):
    hank = hub.user("hank")
    assert hank.login().status_code == 302  # administrators may log in off-slot
    r = hank.hub_api("POST", "/users/hank/server")
    assert r.status_code == 403 and "no booked slot" in r.text
    with session_scope(hub.db_url) as s:
        assert s.query(AuditRecord).filter_by(actor="hank", action="session.spawn_refused").count()


def test_no_show_recorded_by_warden(hub):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and hub.booking(hub.bookings["frank"]).status == "booked":
        time.sleep(1)
    assert hub.booking(hub.bookings["frank"]).status == "no_show"


# ------------------------------------------------------------------ inside the kernel
def test_kernel_has_no_network(alice, kernel, hub):
    code = f"""
import socket
for target in [("1.1.1.1", 80), ("127.0.0.1", {hub.opts.port}), ("127.0.0.1", {hub.opts.proxy_api_port})]:
    try:
        socket.create_connection(target, timeout=3); print("CONNECTED", target)
    except OSError as e:
        print("BLOCKED", target, e)
try:
    print("RESOLVED", socket.getaddrinfo("pypi.org", 443))
except OSError as e:
    print("dns failed", e)
"""
    out = alice.execute(code, kernel)
    assert "CONNECTED" not in out and "RESOLVED" not in out, out
    assert "Network is unreachable" in out and out.count("BLOCKED") == 3, out
    assert "dns failed" in out


def test_kernel_pip_install_cannot_work(alice, kernel):
    out = alice.execute("import subprocess, sys\n"
                        "p = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-cache-dir',"
                        " '--target', '/tmp/x', 'six'], capture_output=True, text=True, timeout=60)\n"
                        "print('RC', p.returncode)\nprint(p.stdout[-300:], p.stderr[-300:])", kernel,
                        timeout=120)
    assert "RC 0" not in out and "RC " in out, out


def test_kernel_files_devices_and_uid(alice, kernel, hub):
    other = hub.settings.projects_dir / "C2" / "data" / "other_case.parquet"
    code = f"""
import os
print("UID", os.getuid())
print("DEV", sorted(os.listdir("/dev")))
for p in [{str(other)!r}, "/case/../C2/data/other_case.parquet", {str(hub.db_url.split('///')[-1])!r}]:
    try:
        open(p, "rb").read(1); print("READ", p)
    except OSError as e:
        print("noread", p, e.__class__.__name__)
try:
    open("/case/data/injected.parquet", "wb").write(b"x"); print("WROTE data")
except OSError as e:
    print("nowrite", e)
print("DATA", sorted(os.listdir("/case/data")))
open("/workspace/mine.txt", "w").write("ok"); print("WS ok")
"""
    out = alice.execute(code, kernel)
    uid = int(re.search(r"UID (\d+)", out).group(1))
    assert uid != 0 and uid >= 200000
    devs = eval(re.search(r"DEV (\[.*\])", out).group(1))
    assert not [d for d in devs if re.match(r"(sd|vd|hd|nvme|sr|loop|usb|bus|mem|kmem|port)", d)]
    assert "READ" not in out and out.count("noread") == 3, out
    assert "WROTE" not in out and "Read-only file system" in out
    assert "patients.parquet" in out and "other_case" not in out.split("DATA")[1]
    assert "WS ok" in out


def test_queries_logged_with_purpose(alice, kernel, hub):
    code = """
from enclave.session import connect
con = connect("count patients for aim 1 of the protocol")
print("N", con.sql("select count(*) from patients").fetchall()[0][0])
try:
    connect("short")
except ValueError as e:
    print("PURPOSE", e)
"""
    out = alice.execute(code, kernel)
    assert "N 30" in out and "PURPOSE" in out, out
    with session_scope(hub.db_url) as s:
        q = s.query(AuditRecord).filter_by(actor="alice", action="session.query").all()
        p = s.query(AuditRecord).filter_by(actor="alice", action="session.purpose").all()
    assert [r.subject for r in q] == ["select count(*) from patients"]
    assert q[0].case_code == "C1" and q[0].reason == "count patients for aim 1 of the protocol"
    assert p and p[0].case_code == "C1"


def test_query_log_cannot_be_forged_without_a_hub_token(alice, kernel, hub):
    code = """
import os, httpx
from urllib.parse import unquote
sock = unquote(os.environ["ENCLAVE_WARDEN_URL"][len("http+unix://"):])
c = httpx.Client(transport=httpx.HTTPTransport(uds=sock), base_url="http://w")
r = c.post("/api/session-log", json={"event": "query", "purpose": "x" * 20, "sql": "select 1"},
           headers={"Authorization": "token not-a-real-token"})
print("STATUS", r.status_code)
"""
    out = alice.execute(code, kernel)
    assert "STATUS 403" in out, out


# ------------------------------------------------------------------ lock-down
def test_files_nbconvert_terminals_refused(alice):
    nb = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4,
                                          "nbformat_minor": 5}}
    assert alice.server("PUT", "/api/contents/t.ipynb", json=nb).status_code in (200, 201)
    assert alice.server("GET", "/files/t.ipynb").status_code == 404
    assert alice.server("GET", "/nbconvert/html/t.ipynb?download=true").status_code == 403
    assert alice.server("GET", "/api/nbconvert").status_code == 403
    assert alice.server("POST", "/api/terminals").status_code == 404


def _page_config(alice) -> dict:
    r = alice.server("GET", "/lab")
    assert r.status_code == 200, r.text[:300]
    m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                  r.text, re.S)
    return json.loads(m.group(1))


def test_user_page_config_cannot_reenable_locked_plugins(alice, kernel):
    override = {"disabledExtensions": {p: False for p in LOCKED_PLUGINS},
                "lockedExtensions": {p: False for p in LOCKED_PLUGINS}}
    code = f"""
import json, os
for d in [os.path.expanduser("~/.jupyter/labconfig"), "/workspace/.jupyter/labconfig",
          "/opt/enclave/jupyter/labconfig"]:
    try:
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "page_config.json"), "w").write(json.dumps({override!r}))
        print("wrote", d)
    except OSError as e:
        print("denied", d, e.__class__.__name__)
"""
    out = alice.execute(code, kernel)
    assert "denied /opt/enclave/jupyter/labconfig" in out, out
    cfg = _page_config(alice)
    disabled = cfg.get("disabledExtensions")
    disabled = set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
    assert set(LOCKED_PLUGINS) <= disabled


def test_browser_menus_have_no_download_or_export(alice, hub):
    pw = pytest.importorskip("playwright.sync_api")
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("chromium not installed")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        try:
            page = browser.new_page()
            page.goto(f"{hub.url}/hub/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", alice.password)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(re.compile(r".*/user/alice/lab.*"), timeout=90_000)
            page.wait_for_selector("#jp-MainMenu", timeout=90_000)
            page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="File").first.click()
            page.wait_for_selector(".lm-Menu", timeout=10_000)
            file_menu = page.locator(".lm-Menu").first.inner_text()
            page.keyboard.press("Escape")
            # the file browser's context menu on a notebook
            item = page.locator(".jp-DirListing-item", has_text="t.ipynb").first
            item.click(button="right")
            page.wait_for_selector(".lm-Menu", timeout=10_000)
            context_menu = page.locator(".lm-Menu").first.inner_text()
        finally:
            browser.close()
    assert "New" in file_menu and "Save" in file_menu  # the menu did render
    for label in ("Download", "Save and Export Notebook As", "Print"):
        assert label not in file_menu, file_menu
    assert "Open" in context_menu
    for label in ("Download", "Open in New Browser Tab", "Copy Shareable Link",
                  "Copy Download Link"):
        assert label not in context_menu, context_menu


# ------------------------------------------------------------------ slot end (runs last)
def test_server_stopped_and_tokens_revoked_at_slot_end(hub):
    erin = hub.people["erin"]
    assert hub.erin_token_worked  # checked right after her server started
    ends_at = hub.booking(hub.bookings["erin"]).ends_at
    # S2: cut off within a minute of the slot's end (the warden sweeps every 10 s).  The
    # cut-off time is the warden's audit record, so this holds whenever this test runs.
    deadline = ends_at + dt.timedelta(seconds=60)
    cut = []
    while not cut and utcnow() < deadline + dt.timedelta(seconds=15):
        with session_scope(hub.db_url) as s:
            cut = s.query(AuditRecord).filter_by(action="session.cutoff", subject="erin").all()
        time.sleep(1)
    assert cut, hub.log_text()[-3000:]
    cut_at = dt.datetime.fromisoformat(cut[0].ts)
    assert ends_at <= cut_at <= deadline
    assert cut[0].detail["tokens_revoked"] >= 1
    assert erin.hub_api("GET", "/user").status_code == 403
    assert erin.server("GET", "/api/status").status_code != 200
    assert hub.booking(hub.bookings["erin"]).status == "ended"
    # and she cannot come back in
    again = hub.user("erin")
    r = again.login()
    assert r.status_code == 403 and "no booked slot" in _login_page_error(r)
