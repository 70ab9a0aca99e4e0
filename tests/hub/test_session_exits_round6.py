"""Round 6: the browser as a way out and a way in, probed through the real proxy (S1, D4).

A real hub, proxy and sandboxed server (on-site, alice at her seat); alice's kernel plays the
attacker inside and her browser the accomplice outside.  Found open and closed here:

* ``?session_id=`` of the kernel websocket: jupyter_server made it the ZMQ routing identity of
  the connection and the ``session`` of the kernel_info_requests it sends - 200 bytes of the
  browser's choosing read by the kernel on every connection, charged to nothing.  The server
  now makes the id (``kernelws.CappedKernelWebsocketConnection.prepare``).
* A folder or empty file made by ``PUT /api/contents/<name>``: the name came in free (the save
  path is exempt from the body meter; a rename's body was charged).  Now charged to the
  upload budget (``contents.EnclaveContentsManager._charge_new_name``).
* A body on GET, HEAD, DELETE or OPTIONS passed unread and unmetered; now refused
  (``routes.decide_body``).
* Request smuggling through the proxy: configurable-http-proxy sends a DELETE or OPTIONS that
  came chunked on as ``Content-Length: 0`` and streams the body behind it; the server read the
  body as a further request - without X-Forwarded-For, so "from inside" (past the seat and
  remote mode's pixels-only rule) or with any X-Forwarded-For it named.  The server now closes
  the connection after such a request (``routes.close_after``;
  what was read behind it is refused, its connection gone).

And a sweep, through the proxy, of outputs that would make the browser save or hold a file -
octet-stream, PDF, CSV, JavaScript, widget state, a zip under a PNG name, HTML and SVG with
``data:`` links, ``download`` and ``<a>`` - each stripped (existing caps, ``outputs.cap_bundle``).
"""
from __future__ import annotations

import base64
import json
import os
import time
import uuid

import pytest

from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

UPLOAD_BUDGET = 16 * 1024   # the session's upload budget here: names are charged against it
SID_MARK = "R6SIDq3Lm"
OUT_MARK = "R6OUTk8Wp2Zt"
NAME_MARK = "R6NAMEv5Hc"


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(sessions_yaml=f"saved_new_bytes_per_session: {UPLOAD_BUDGET}\n")
    h.add_user("alice")
    h.add_case("C1", ["alice"])
    h.book_now("alice", "C1")
    with h.running(tail=6000, logs_to=os.environ.get("ENCLAVE_TEST_HUB_LOG")):
        h.alice = h.session_user("alice")
        h.kernel = h.alice.start_kernel()
        yield h


@pytest.fixture(scope="module")
def alice(hub):
    return hub.alice


def _socket(hub, query: str):
    import websocket

    u = hub.alice
    return websocket.create_connection(
        f"ws://127.0.0.1:{hub.opts.port}/user/{u.name}/api/kernels/{hub.kernel}/channels"
        f"?{query}", header=[f"Authorization: token {u.token}"], timeout=60)


def _run_on(ws, code: str, timeout: float = 60) -> str:
    """Run code on an open websocket; return its stream output (up to reply and idle)."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "alice",
                   "session": "s", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    out, replied, idle, deadline = [], False, False, time.monotonic() + timeout
    while time.monotonic() < deadline and not (replied and idle):
        m = json.loads(ws.recv())
        if m.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream":
            out.append(m["content"]["text"])
        replied |= m["msg_type"] == "execute_reply"   # shell and iopub arrive in any order
        idle |= m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
    assert replied and idle, "no execute_reply and idle status"
    return "".join(out)


# the kernel records what it can read of every kernel_info_request: the ZMQ identities it
# arrived with and its header (the server's nudges on shell and control)
HOOK = """
import json as _j
_k = get_ipython().kernel
R6_SEEN = []
def _r6_wrap(orig):
    async def hook(stream, ident, parent):
        R6_SEEN.append(repr([bytes(i) for i in (ident or [])]) + _j.dumps(parent.get('header'), default=str))
        r = orig(stream, ident, parent)
        return (await r) if hasattr(r, '__await__') else r
    return hook
for _h in (_k.shell_handlers, getattr(_k, 'control_handlers', {})):
    if 'kernel_info_request' in _h:
        _h['kernel_info_request'] = _r6_wrap(_h['kernel_info_request'])
print('HOOKED')
"""


def test_the_websocket_session_id_never_reaches_the_kernel(hub, alice):
    """D4: the browser's ?session_id= is no way into the kernel; connections still work."""
    assert "HOOKED" in alice.execute(HOOK, hub.kernel)
    ids = [f"{SID_MARK}-{n}-" + "x" * 180 for n in range(3)]
    for sid in ids:
        ws = _socket(hub, f"session_id={sid}")
        try:  # a connection opened with any session id works as before
            assert _run_on(ws, "print(6 * 7)").strip() == "42"
        finally:
            ws.close()
    report = alice.execute(
        f"print('SEEN', len(R6_SEEN), sum({SID_MARK!r} in r for r in R6_SEEN))", hub.kernel)
    seen, hits = (int(x) for x in report.split("SEEN", 1)[1].split()[:2])
    assert seen >= len(ids), report          # the hook saw the server's requests
    assert hits == 0, report                  # but none carried the browser's id


OUTPUT = f"""
import base64, json
from IPython.display import display
M = {OUT_MARK[:5]!r} + {OUT_MARK[5:]!r}   # in two parts: the code echoed back is not output
b = base64.b64encode(("\\n".join(f"{{M}},{{i}}" for i in range(50))).encode()).decode()
zip_as_png = base64.b64encode(b"PK\\x03\\x04" + ("," + M) .encode() * 40).decode()
svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
       f'<a href="data:text/csv;base64,{{b}}" download="{{M}}.csv"><rect width="9" height="9"/></a>'
       f'<image href="data:text/csv;base64,{{b}}"/><script>var m="{{b}}"</script></svg>')
html = (f'<a download="q.csv" href="data:text/csv;base64,{{b}}">save</a>'
        f'<a href="blob:null/{{b}}">b</a><iframe srcdoc="{{b}}"></iframe>'
        f'<object data="data:application/pdf;base64,{{b}}"></object>'
        f'<img src="data:image/png;base64,{{b}}"><form action="data:,{{b}}"></form>'
        f'<div style="background:url(data:text/csv;base64,{{b}})">t</div>')
bundles = [
    {{"application/octet-stream": b}}, {{"application/pdf": b}}, {{"text/csv": b}},
    {{"application/javascript": f"var m='{{b}}'"}}, {{"application/json": {{"m": b}}}},
    {{"application/vnd.jupyter.widget-state+json": {{"state": {{"m": b}}}}}},
    {{"application/vnd.jupyter.widget-view+json": {{"model_id": b, "version_major": 2}}}},
    {{"application/vnd.dataresource+json": {{"data": [b]}}}},
    {{"image/png": zip_as_png}}, {{"image/jpeg": b}}, {{"image/gif": b}},
    {{"image/svg+xml": svg}}, {{"text/html": html}},
]
for data in bundles:
    display(data, raw=True)
print("SWEPT")
"""


def _carries(text: str, mark: str) -> bool:
    if mark in text or mark.encode().hex() in text.lower():
        return True
    for shift in range(3):  # base64 of the mark at any alignment
        chunk = base64.b64encode(("x" * shift + mark).encode()).decode()[4:14]
        if chunk in text:
            return True
    return False


def test_outputs_that_would_save_a_file_are_stripped(hub, alice):
    """S1: no output form the browser could save or hold as a file carries the kernel's
    bytes; each bundle ends as a note, an inert rebuild or nothing."""
    msgs = alice.messages(OUTPUT, hub.kernel, timeout=120)
    texts = [json.dumps(m) for m in msgs]
    assert any("SWEPT" in t for t in texts), texts[-3:]  # the sweep ran to its end
    displayed = [m for m in msgs if m["msg_type"] == "display_data"]
    assert len(displayed) >= 10, [m["msg_type"] for m in msgs]   # notes where data was
    leaks = [t[:300] for t in texts if _carries(t, OUT_MARK)]
    assert leaks == [], leaks


@pytest.mark.parametrize("method, path, plain", [
    ("GET", "/api/contents", 200), ("HEAD", "/api/contents", 405), ("GET", "/api/status", 200),
    ("DELETE", "/api/contents/r6-none.py", 404), ("DELETE", "/api/sessions/00000000-0000-4000-8000-000000000000", 404),
    ("OPTIONS", "/api/contents", 403)])
def test_a_body_on_a_method_that_takes_none_is_refused(alice, method, path, plain):
    """D4: a GET/HEAD/DELETE/OPTIONS body is not passed on unread (by length or chunked);
    without one the same request is answered as before."""
    body = (f"{NAME_MARK}," * 2000).encode()
    # OPTIONS is refused on every route anyway (403 before the body is looked at)
    refused = (403,) if method == "OPTIONS" else (400,)
    r = alice.server(method, path, content=body)
    assert r.status_code in refused, (method, r.status_code, r.text[:200])
    r = alice.server(method, path, headers={"Transfer-Encoding": "chunked"},
                     content=iter([body]))
    # (a chunked DELETE/OPTIONS loses its body at the proxy: answered as without one, and
    # what followed is never read - test_a_request_smuggled_behind_...)
    dropped = (plain,) if method in ("DELETE", "OPTIONS") else ()
    assert r.status_code in refused + (411,) + dropped, (method, r.status_code, r.text[:200])
    # the same request without a body is answered by its handler, as before
    assert alice.server(method, path).status_code == plain


def _raw(hub, data: bytes) -> bytes:
    """Send bytes to the proxy on one connection; what came back within a few seconds."""
    import socket

    s = socket.create_connection(("127.0.0.1", hub.opts.port))
    try:
        s.sendall(data)
        s.settimeout(3)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except (socket.timeout, ConnectionError):
            pass
        return got
    finally:
        s.close()


def _request(method: str, path: str, token: str, extra: str = "") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {token}"
            f"\r\n{extra}\r\n").encode()


@pytest.mark.parametrize("method", ["DELETE", "OPTIONS"])
@pytest.mark.parametrize("forged", ["", "X-Forwarded-For: 127.0.0.1\r\n"])
def test_a_request_smuggled_behind_a_body_the_proxy_drops_is_never_served(hub, alice, method,
                                                                          forged):
    """S1: the proxy forwards a chunked DELETE/OPTIONS as Content-Length 0 and streams its
    body behind it; the server served that body as a request of its own, from "inside" (no
    X-Forwarded-For) or from any address it named.  Now the connection is closed after the
    outer request and what was read behind it is refused (its peer is gone); sent as a request
    of its own through the proxy, the same request is served as before."""
    tag = f"r6smuggled-{method}-{len(forged)}-{uuid.uuid4().hex[:8]}"
    folder = json.dumps({"type": "directory"})
    inner = _request("PUT", f"/user/alice/api/contents/{tag}", alice.token,
                     forged + f"Content-Type: application/json\r\n"
                              f"Content-Length: {len(folder)}\r\n") + folder.encode()
    outer = _request(method, "/user/alice/api/contents/r6-none.py", alice.token,
                     "Transfer-Encoding: chunked\r\n")
    got = _raw(hub, outer + f"{len(inner):x}\r\n".encode() + inner + b"\r\n0\r\n\r\n")
    # the outer request is answered (404/403) - or, when the server's close after it reaches the
    # proxy while the proxy still streams the body, the proxy's own 503 (seen once in a full run
    # on a loaded host); either way nothing behind it is served (below)
    assert got.startswith((b"HTTP/1.1 40", b"HTTP/1.1 503")), got[:200]
    assert b"201 Created" not in got, got[:600]
    time.sleep(1.0)
    workspace = hub.settings.projects_dir / "C1" / "workspace"
    assert not (workspace / tag).exists()                 # the smuggled save was not served
    served = [ln for ln in hub.all_logs().splitlines() if tag in ln and "enclave guard" not in ln
              and " 403 " not in ln]
    assert served == [], served
    # safe counterpart: the same save as a request of its own is served
    r = alice.server("PUT", f"/api/contents/{tag}-ctl", json={"type": "directory"})
    assert r.status_code == 201 and (workspace / f"{tag}-ctl").is_dir(), r.text[:200]


def test_names_of_new_folders_and_files_are_charged(hub, alice):
    """D4: a folder or empty file the browser names costs its name from the upload budget;
    once spent, no more names come in.  (Runs last: it spends this session's budget.)"""
    ws = hub.settings.projects_dir / "C1" / "workspace"
    # safe counterpart: an existing folder saved again costs nothing and still answers
    assert alice.server("PUT", "/api/contents/kept", json={"type": "directory"}).status_code == 201
    for _ in range(3):
        assert alice.server("PUT", "/api/contents/kept",
                            json={"type": "directory"}).status_code in (200, 201)
    forms = [({"type": "directory"}, ""), ({"type": "file", "format": "text", "content": ""}, ".py"),
             ({"type": "notebook", "content": None}, ".ipynb"),
             ({"type": "file", "format": "text", "content": ""}, ".csv")]
    statuses = []
    for n in range(160):
        model, suffix = forms[n % len(forms)]
        name = f"{NAME_MARK}{n:04d}" + "y" * 180 + suffix
        r = alice.server("PUT", f"/api/contents/{name}", json=model)
        statuses.append(r.status_code)
        if r.status_code == 403:
            assert "upload" in r.json()["message"] or "import review" in r.json()["message"]
    made = [p.name for p in ws.iterdir() if p.name.startswith(NAME_MARK)]
    assert statuses[0] == 201 and 403 in statuses, statuses
    assert sum(len(n.encode()) for n in made) <= UPLOAD_BUDGET, len(made)
    assert len(made) == statuses.count(201), (len(made), statuses)
