"""Cross-session reach from a real kernel behind the real hub (S1, S7).

Two members of case C1 (ann, bob) and carl of case C2, each with a running server.  From their
kernels: every unix socket on the sandbox's file system is found and connected to (only the
session's own server, broker, the hub API and the egress socket may exist), abstract-namespace
sockets, System V shared memory, semaphores and message queues, POSIX shared memory and /tmp
one session leaves are looked for from another, no process but the session's own can be
signalled, and the server's hub token reaches only what is its user's at the hub API.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from enclave.db import utcnow
from tests.services.hub import HubHarness

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox spawner needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 probe")]

CASES = {"ann": "C1", "bob": "C1", "carl": "C2"}


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    now = utcnow()
    for name in CASES:
        h.add_user(name)
    h.add_case("C1", ["ann", "bob"])
    h.add_case("C2", ["carl"], tables={"other": [{"pid": "zz"}]})
    for name, case in CASES.items():
        h.add_booking(name, case, now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))
    try:
        h.start()
        h.people = {}
        for name in CASES:
            u = h.user(name)
            assert u.login().status_code == 302
            u.make_token()
            u.spawn()
            h.people[name] = u
        yield h
    except BaseException:
        print(h.log_text()[-6000:])
        raise
    finally:
        h.stop()


def run_json(u, code: str) -> dict:
    """Run code that sets RESULT; the kernel writes it as JSON into its case's workspace."""
    name = f".reach-{time.monotonic_ns()}.json"
    out = u.execute(code + f"\nimport json as _j\nopen('/workspace/{name}', 'w')"
                    f".write(_j.dumps(RESULT))\nprint('DONE')\n", timeout=120)
    path = u.hub.settings.projects_dir / CASES[u.name] / "workspace" / name
    assert path.exists(), out[-3000:]
    return json.loads(path.read_text())


SOCKETS = r"""
import os, socket, stat, errno
found = {}
for root, dirs, files in os.walk('/', onerror=lambda e: None):
    if root == '/' :
        dirs[:] = [d for d in dirs if d not in ('proc',)]
    for n in dirs + files:
        p = os.path.join(root, n)
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if stat.S_ISSOCK(st.st_mode):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(3)
            try:
                s.connect(p); found[p] = 'connected'
            except OSError as e:
                found[p] = errno.errorcode.get(e.errno, str(e))
            finally:
                s.close()
RESULT = {'sockets': found, 'env': {k: v for k, v in os.environ.items()
                                    if k.endswith('_URL') or k == 'JUPYTERHUB_API_URL'}}
"""


def test_only_the_sessions_own_sockets_exist_in_its_sandbox(hub):
    from hub_config.launch import socket_root_for

    root = str(socket_root_for(hub.settings))
    for name in CASES:
        res = run_json(hub.people[name], SOCKETS)
        allowed = {f"{root}/sessions/{name}/jupyter.sock", f"{root}/hub/hub.sock",
                   f"{root}/broker/{name}/broker.sock"}
        extra = {p: v for p, v in res["sockets"].items()
                 if p not in allowed and not p.startswith(f"{root}/egress")}
        assert not extra, (name, extra)
        others = [o for o in CASES if o != name]
        for p in res["sockets"]:
            assert not any(f"/{o}/" in p for o in others), p
            assert "/warden/" not in p


ABSTRACT_LISTEN = r"""
import os, socket, sys, time, subprocess
# a child that keeps the abstract listener, shared memory and a semaphore set alive
child = subprocess.Popen([sys.executable, '-c', '''
import socket, time, ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(socket.AF_UNIX); s.bind(b"\\0enclave-reach-ann"); s.listen()
shm = libc.shmget(0x5EC12E7, 4096, 0o1666)          # IPC_CREAT | 0666
sem = libc.semget(0x5EC12E8, 1, 0o1666)
msq = libc.msgget(0x5EC12E9, 0o1666)
open("/dev/shm/enclave-reach-ann", "w").write("ann")
open("/tmp/enclave-reach-ann", "w").write("ann")
open("/workspace/.reach-ready", "w").write(f"{shm} {sem} {msq}")
time.sleep(120)
'''], start_new_session=True)
for _ in range(200):
    if os.path.exists('/workspace/.reach-ready'):
        break
    time.sleep(0.05)
RESULT = {'ids': open('/workspace/.reach-ready').read(), 'pid': child.pid,
          'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}
"""

LOOK = r"""
import ctypes, errno, os, socket, signal
libc = ctypes.CDLL(None, use_errno=True)
def call(fn):
    r = fn()
    return 'ok' if r >= 0 else errno.errorcode.get(ctypes.get_errno(), '?')
def conn(name):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(name); return 'connected'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()
out = {'abstract': conn(b"\0enclave-reach-ann"),
       'shmget': call(lambda: libc.shmget(0x5EC12E7, 0, 0)),
       'semget': call(lambda: libc.semget(0x5EC12E8, 0, 0)),
       'msgget': call(lambda: libc.msgget(0x5EC12E9, 0)),
       'dev_shm': os.path.exists('/dev/shm/enclave-reach-ann'),
       'tmp': os.path.exists('/tmp/enclave-reach-ann'),
       'net_unix': [l.split()[-1] for l in open('/proc/net/unix').read().splitlines()[1:]
                    if len(l.split()) > 7 and l.split()[-1].startswith('@enclave-reach')],
       'sysvipc': open('/proc/sysvipc/shm').read().count('\n') - 1}
signals = {}
for pid in range(1, 5000):
    try:
        os.kill(pid, 0)
        signals[pid] = 'ok'
    except ProcessLookupError:
        pass
    except PermissionError:
        signals[pid] = 'EPERM'
out['signalable'] = signals
own = set()
for p in os.listdir('/proc'):
    if p.isdigit():
        own.add(int(p))
        try:
            own.update(int(t) for t in os.listdir(f'/proc/{p}/task'))
        except OSError:
            pass
out['own'] = sorted(own)  # the sandbox's processes and their threads
RESULT = out
"""


def test_ipc_and_processes_of_one_session_are_not_another_ones(hub):
    ann = hub.people["ann"]
    ws = hub.settings.projects_dir / "C1" / "workspace"
    (ws / ".reach-ready").unlink(missing_ok=True)
    made = run_json(ann, ABSTRACT_LISTEN)
    shm, sem, msq = (int(x) for x in made["ids"].split())
    assert shm >= 0 and sem >= 0 and msq >= 0  # they exist in ann's sandbox
    own = run_json(ann, LOOK)  # the control: ann sees her own
    assert own["abstract"] == "connected" and own["shmget"] == "ok" and own["dev_shm"]
    assert set(own["net_unix"]) == {"@enclave-reach-ann"}
    for other in ("bob", "carl"):  # the same case's other member, and another case's
        res = run_json(hub.people[other], LOOK)
        assert res["abstract"] == "ECONNREFUSED", (other, res["abstract"])
        assert res["net_unix"] == []
        assert (res["shmget"], res["semget"], res["msgget"]) == ("ENOENT",) * 3, (other, res)
        assert res["sysvipc"] == 0
        assert res["dev_shm"] is False and res["tmp"] is False
        # only its own processes exist, and all of them are its own
        signalable = {int(p): v for p, v in res["signalable"].items()}
        assert set(signalable) <= set(res["own"]) | {1}, (other, signalable, res["own"])
        # pid 1 is the sandbox's reaper (root's): refused; the rest are the session's own
        assert all(v == "ok" for p, v in signalable.items() if p != 1), signalable
        assert len(res["own"]) < 200


HUB_API = r"""
import os, httpx
url = os.environ['JUPYTERHUB_API_URL']
tok = os.environ['JUPYTERHUB_API_TOKEN']
from urllib.parse import urlparse
sock = None
if url.startswith('http+unix://'):
    from urllib.parse import unquote
    rest = url[len('http+unix://'):]
    sock, _, path = rest.partition('/')
    sock, base = unquote(sock), '/' + path
    c = httpx.Client(transport=httpx.HTTPTransport(uds=sock), base_url='http://hub' + base.rstrip('/'))
else:
    c = httpx.Client(base_url=url.rstrip('/'))
h = {'Authorization': 'token ' + tok}
out = {}
for m, p, body in [('GET', '/user', None), ('GET', '/users', None), ('GET', '/users/OTHER', None),
                   ('POST', '/users/OTHER/server', None), ('DELETE', '/users/OTHER/server', None),
                   ('POST', '/users/OTHER/tokens', {'note': 'x'}), ('GET', '/users/OTHER/tokens', None),
                   ('POST', '/users/SELF/tokens', {'note': 'x', 'scopes': ['admin:users']}),
                   ('GET', '/proxy', None), ('POST', '/proxy', None), ('GET', '/groups', None),
                   ('POST', '/users', {'usernames': ['evil']}), ('PATCH', '/users/SELF', {'admin': True}),
                   ('POST', '/enclave/cutoff/OTHER', None), ('GET', '/services', None),
                   ('POST', '/shutdown', None), ('GET', '/enclave/slot', None)]:
    p = p.replace('OTHER', os.environ.get('REACH_OTHER', 'carl')).replace('SELF', os.environ['JUPYTERHUB_USER'])
    r = c.request(m, p, headers=h, json=body)
    out[m + ' ' + p.replace(os.environ.get('REACH_OTHER', 'carl'), 'OTHER').replace(os.environ['JUPYTERHUB_USER'], 'SELF')] = [r.status_code, r.text[:200]]
RESULT = out
"""


def test_the_servers_hub_token_reaches_only_its_own_user(hub):
    for name, other in (("ann", "bob"), ("ann", "carl"), ("carl", "ann")):
        res = run_json(hub.people[name], f"import os\nos.environ['REACH_OTHER'] = {other!r}\n"
                       + HUB_API)
        assert res.pop("GET /user")[0] == 200
        assert res.pop("GET /enclave/slot")[0] == 200
        listing = res.pop("GET /users")
        if listing[0] == 200:  # a list of one: its own user
            assert other not in listing[1], listing
        for call, (status, text) in res.items():
            assert status in (403, 404, 405), (name, call, status, text)


def _execute_frame(code: str, user: str) -> str:
    import uuid

    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": user,
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}})


def test_browser_cannot_push_an_extract_into_the_kernel(hub):
    """D4: pasted cells (and any message to the kernel) share the saves' upload budget; a
    browser script sending 12 MB of fresh lines is cut off, and the kernel received no more
    than the budget.  Re-running the same small cell many times costs only its envelope."""
    from websocket import WebSocketConnectionClosedException

    carl = hub.people["carl"]
    kid = carl.start_kernel()
    # ordinary work first: the same cell 300 times, and 50 small different cells
    ws = carl._kernel_socket(kid, 60)
    try:
        for i in range(300):
            ws.send(_execute_frame("counter = globals().get('counter', 0) + 1", "carl"))
        for i in range(50):
            ws.send(_execute_frame(f"total_{i} = sum(range({i}))", "carl"))
        # written aside and renamed: the marker never exists empty (the test read it in between)
        ws.send(_execute_frame("import os; open('/workspace/.ordinary.part', 'w').write(str(counter)); "
                               "os.replace('/workspace/.ordinary.part', '/workspace/.ordinary')", "carl"))
        deadline = time.monotonic() + 60
        marker = hub.settings.projects_dir / "C2" / "workspace" / ".ordinary"
        while not marker.exists() and time.monotonic() < deadline:
            ws.settimeout(1)
            try:
                ws.recv()
            except Exception:  # noqa: BLE001 - timeouts while waiting
                pass
        assert marker.read_text() == "300"
    finally:
        ws.close()
    ws = carl._kernel_socket(kid, 60)
    sent = 0
    closed = None
    chunk_lines = 4000
    try:
        for n in range(48):  # 48 x 256 KB of lines never seen = 12 MB
            rows = "".join(f"{n:03d}-{i:06d},A123456789,{(n * 7919 + i) % 100003}\n"
                           for i in range(chunk_lines))
            code = ("open('/workspace/.pushed', 'a').write(str(len(" + repr(rows) + ")) + '\\n')")
            try:
                ws.send(_execute_frame(code, "carl"))
                sent += len(rows)
                ws.settimeout(0.05)
                try:
                    ws.recv()
                except Exception:  # noqa: BLE001
                    pass
            except (WebSocketConnectionClosedException, BrokenPipeError, ConnectionError) as e:
                closed = e
                break
    finally:
        ws.close()
    time.sleep(3)
    pushed = hub.settings.projects_dir / "C2" / "workspace" / ".pushed"
    received = sum(int(x) for x in pushed.read_text().split()) if pushed.exists() else 0
    limit = hub_upload_limit(hub)
    assert closed is not None or sent < 48 * 256_000, "never cut off"
    assert received <= limit, (received, limit)
    assert "upload budget is spent" in hub.settings.run_dir.joinpath(
        "sandbox", "logs", "carl.log").read_text(errors="replace")


def hub_upload_limit(hub) -> int:
    from policies import load_policy

    return load_policy(None).sessions.saved_new_bytes_per_session


def test_session_pages_cannot_reach_another_origin(hub):
    """The session server's pages carry a Content-Security-Policy: in Chromium, a script on the
    JupyterLab page (as if one had got in) cannot fetch, load an image from, post a form to or
    beacon another origin - here a listener on the host's loopback - while the page's own
    server still answers."""
    import http.server
    import socket
    import threading

    pw = pytest.importorskip("playwright.sync_api")
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.skip("chromium not installed")
    ann = hub.people["ann"]
    r = ann.server("GET", "/lab")
    csp = r.headers.get("Content-Security-Policy", "")
    for part in ("connect-src 'self'", "form-action 'self'", "object-src 'none'",
                 "img-src 'self' data: blob:", "frame-ancestors 'none'", "base-uri 'self'"):
        assert part in csp, csp
    hits: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(b"ok")
        do_POST = do_GET  # noqa: N815

        def log_message(self, *a):
            pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Count)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    other = f"http://127.0.0.1:{port}"
    try:
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update"])
            try:
                ctx = browser.new_context()
                ctx.add_cookies([{"name": c.name, "value": c.value, "domain": "127.0.0.1",
                                  "path": c.path or "/"} for c in ann.http.cookies.jar])
                page = ctx.new_page()
                page.goto(f"{hub.url}/user/ann/lab", wait_until="domcontentloaded",
                          timeout=90_000)
                res = page.evaluate("""async (other) => {
                    const out = {};
                    const tryit = async (name, fn) => {
                        try { out[name] = await fn(); }
                        catch (e) { out[name] = 'refused: ' + e; } };
                    await tryit('fetch', async () => (await fetch(other + '/fetch')).status);
                    await tryit('fetch_no_cors', async () =>
                        (await fetch(other + '/nocors', {mode: 'no-cors'})).type);
                    await tryit('beacon', async () => navigator.sendBeacon(other + '/beacon', 'x'));
                    await tryit('own', async () => (await fetch(location.pathname.replace(
                        /lab.*$/, 'api/status'))).status);
                    out.page = location.pathname;
                    const img = new Image(); img.src = other + '/img'; document.body.appendChild(img);
                    const f = document.createElement('form'); f.method = 'POST';
                    f.action = other + '/form'; f.target = 'sink';
                    const sink = document.createElement('iframe'); sink.name = 'sink';
                    document.body.appendChild(sink); document.body.appendChild(f);
                    try { f.submit(); } catch (e) {}
                    await new Promise(r => setTimeout(r, 1500));
                    return out; }""", other)
            finally:
                browser.close()
    finally:
        srv.shutdown()
    # the page's own server is reached (its guard answers: a status, not a network error)
    assert isinstance(res["own"], int), json.dumps(res)
    assert res["fetch"].startswith("refused") and res["fetch_no_cors"].startswith("refused"), res
    assert hits == [], hits  # nothing reached the other origin: fetch, beacon, image, form


def test_request_bodies_are_an_upload_path_no_more(hub):
    """D4: a session's path, a rename or an action's body is data a kernel can read (its
    JPY_SESSION_NAME, file names); such bodies are charged to the upload budget - through the
    real proxy, 60 KB bodies stop at the budget, a chunked or oversized one is refused."""
    bob = hub.people["bob"]
    kid = bob.start_kernel()
    big = {"x": "y" * 60_000}
    statuses = [bob.server("POST", f"/api/kernels/{kid}/interrupt", json=big).status_code
                for _ in range(80)]
    limit = hub_upload_limit(hub)
    allowed = statuses.count(204) + statuses.count(200)
    assert 403 in statuses, statuses
    assert allowed * 60_000 <= limit and allowed >= 10, statuses
    assert bob.server("POST", f"/api/kernels/{kid}/interrupt",
                      content=b"y" * 70_000).status_code in (403, 413)


def test_kernel_output_reaches_the_browser_inert(hub):
    """Through the real proxy and websocket: HTML, SVG and Markdown a kernel displays arrive
    without script, handlers, download links or outside references (inert.py)."""
    ann = hub.people["ann"]
    code = (
        "from IPython.display import HTML, SVG, Markdown, Latex, display\n"
        "display(HTML(\"<table><tr><td onclick='x()'>1</td></tr></table><script>alert(1)</script>"
        "<a download='r.csv' href='data:text/csv,ROWS'>save</a><img src=x onerror=alert(1)>\"))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">"
        "<script>alert(1)</script><rect width=\"1\" height=\"1\"/></svg>'))\n"
        "display(Markdown('[rows](data:text/csv,ROWS) <b>x</b>'))\n"
        "display(Latex(r'$\\href{javascript:alert(1)}{x}$'))\n")
    msgs = ann.messages(code)
    bundles = [m["content"]["data"] for m in msgs if m["msg_type"] == "display_data"]
    assert len(bundles) == 4, msgs
    html_out = bundles[0]["text/html"]
    assert "<td>1</td>" in html_out
    for bad in ("<script", "onclick", "onerror", "download", "data:text", "<img"):
        assert bad not in html_out, (bad, html_out)
    svg = bundles[1]["image/svg+xml"]
    assert "<rect" in svg and "onload" not in svg and "<script" not in svg
    assert "text/markdown" not in bundles[2] and "data:text/csv" in bundles[2]["text/plain"]
    assert "\\href" not in bundles[3]["text/latex"]
