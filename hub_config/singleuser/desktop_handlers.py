"""HTTP side of the remote desktop: the viewer page, the noVNC files, the RFB websocket, and
the kiosk browser's one-time login.  The viewer page's bar carries the JupyterLab slot clock
itself (the lab extension's script, inlined), re-reading the booking's end from the server's
``enclave/slot`` like JupyterLab does (:mod:`hub_config.singleuser.slot_clock`).  The viewer page and websocket need the hub login (the
same OAuth as JupyterLab); the websocket relays the VNC server's unix socket (clipboard off,
:mod:`hub_config.singleuser.desktop`) and passes on only what :mod:`.rfb_filter` takes of what
the viewer sends."""
from __future__ import annotations

import html
import json

from jupyter_server.base.handlers import JupyterHandler
from tornado import iostream, web, websocket
from tornado.netutil import Resolver  # noqa: F401  (tornado's resolver for unix sockets below)

from hub_config.singleuser import desktop_secrets
from hub_config.singleuser.desktop import NOVNC_DIR
from hub_config.singleuser.rfb_filter import (SECURITY_NONE, VERSION, RfbClientFilter,
                                              RfbRefused)
from hub_config.singleuser.routes import client_address
from hub_config.singleuser.slot_clock import LABEXTENSIONS, NAME, SLOT_PATH, slot

CLOCK_JS = LABEXTENSIONS / NAME / "static" / "remoteEntry.js"

PAGE = """<!doctype html>
<html lang="zh-Hant"><head><meta charset="utf-8">
<title>研究工作區 Research desktop</title>
<style>html,body{{margin:0;height:100%;background:#222;color:#eee;font-family:sans-serif}}
body{{display:flex;flex-direction:column}}#screen{{flex:1;min-height:0}}
#bar{{flex:none;line-height:28px;padding:0 8px;font-size:13px}}
#bar[data-state=warning],#bar[data-state=ended]{{background:#8b1a1a}}
#notice{{position:fixed;top:32px;right:8px;max-width:40em;padding:8px 12px;background:#333;
border:1px solid #888;font-size:13px;z-index:10;cursor:pointer}}
#notice[data-kind=warning]{{background:#8b1a1a}}</style>
</head><body>
<div id="bar">遠端桌面：只傳送畫面，剪貼簿、檔案傳輸、列印與音訊皆已關閉。
Remote desktop: pixels only - clipboard, file transfer, printing and audio are off.
<span id="status" data-state="connecting">連線中 Connecting…</span>
<span id="slot" style="float:right">國家衛生研究資料中心 NHI research enclave ·
<span id="enclave-slot-clock"></span></span></div>
<div id="notice" role="alert" hidden></div>
<div id="screen"></div>
<script id="enclave-slot-data" type="application/json">{slot_json}</script>
<script>{clock_js}</script>
<script type="module">
import RFB from "{static}core/rfb.js";
const status = document.getElementById("status");
const proto = location.protocol === "https:" ? "wss:" : "ws:";
const rfb = new RFB(document.getElementById("screen"), proto + "//" + location.host + "{ws}",
                    {{wsProtocols: ["binary"]}});
rfb.scaleViewport = true;
rfb.addEventListener("connect", () => {{ status.dataset.state = "connected";
  status.textContent = "已連線 Connected"; }});
rfb.addEventListener("disconnect", () => {{ status.dataset.state = "disconnected";
  status.textContent = "已中斷 Disconnected"; }});
window.enclaveRfb = rfb;
// the slot clock of the session's JupyterLab (the same script), re-reading the booking's end
// from this server's enclave/slot, which asks the hub
const bar = document.getElementById("bar"), notice = document.getElementById("notice");
notice.addEventListener("click", () => {{ notice.hidden = true; }});
let hideAt = null;
window.enclaveSlotClock(document.getElementById("enclave-slot-clock"),
  JSON.parse(document.getElementById("enclave-slot-data").textContent), {{
  request: () => fetch("{slot_url}", {{credentials: "same-origin", cache: "no-store",
                                       headers: {{"X-XSRFToken": "{xsrf}"}}}})
    .then(r => r.ok ? r.json() : null),
  notify: (kind, text) => {{
    notice.textContent = text; notice.dataset.kind = kind; notice.hidden = false;
    clearTimeout(hideAt);
    if (kind === "info") {{ hideAt = setTimeout(() => {{ notice.hidden = true; }}, 8000); }}
  }},
  state: (state) => {{ bar.dataset.state = state; }},
}});
</script></body></html>
"""


def clock_script() -> str:
    """The lab extension's script, which holds the slot clock (one clock for both pages)."""
    js = CLOCK_JS.read_text(encoding="utf-8")
    if "</" in js:  # it is inlined in a <script> element
        raise ValueError(f"{CLOCK_JS} must not contain '</'")
    return js


class DesktopPageHandler(JupyterHandler):
    def initialize(self, desktop) -> None:
        self.desktop = desktop

    @web.authenticated
    def get(self):
        if self.desktop.error:
            raise web.HTTPError(503, f"the remote desktop is not available: {self.desktop.error}")
        base = self.base_url
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        xsrf = self.xsrf_token
        xsrf = xsrf.decode() if isinstance(xsrf, bytes) else xsrf
        # the slot as JupyterLab's page config has it (the spawner's end, the policy's lead)
        slot_json = json.dumps(slot()).replace("<", "\\u003c")
        self.finish(PAGE.format(static=html.escape(f"{base}desktop/novnc/"),
                                ws=html.escape(f"{base}desktop/websockify"),
                                slot_url=html.escape(f"{base}{SLOT_PATH}"),
                                xsrf=html.escape(xsrf), slot_json=slot_json,
                                clock_js=clock_script()))


class DesktopStaticHandler(web.StaticFileHandler):
    """noVNC's client files from the read-only Debian package (``core/``, ``vendor/``)."""

    def validate_absolute_path(self, root, absolute_path):
        rel = absolute_path[len(root):].lstrip("/")
        if not rel.startswith(("core/", "vendor/")):
            raise web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)


class DesktopSocketHandler(websocket.WebSocketHandler, JupyterHandler):
    """Relays RFB between the browser and the VNC server's unix socket."""

    def initialize(self, desktop) -> None:
        self.desktop = desktop
        self.vnc: iostream.IOStream | None = None
        # what the viewer sends is read and filtered, never relayed unread
        self.rfb = RfbClientFilter(desktop.input)

    def select_subprotocol(self, subprotocols):
        return "binary" if "binary" in subprotocols else None

    def check_origin(self, origin):
        return JupyterHandler.check_origin(self)

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403, "log in first")
        if not self.authorizer.is_authorized(self, self.current_user, "execute", "desktop"):
            raise web.HTTPError(403)
        spent = self.desktop.input.spent()
        if spent:
            raise web.HTTPError(403, spent)
        import socket

        import struct

        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.vnc = iostream.IOStream(s)
        try:
            await self.vnc.connect(self.desktop.vnc_socket)
            # the X server this server started, not a stand-in a kernel bound at that path
            pid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                   12))[0]
            if pid != self.desktop.xvnc_pid:
                self.vnc.close()
                self.log.warning("enclave desktop: the VNC socket's peer (pid %s) is not its "
                                 "X server (pid %s): refused", pid, self.desktop.xvnc_pid)
                raise web.HTTPError(503, "the desktop's socket is not its X server's")
            await desktop_secrets.authenticate(self.vnc, self.desktop.vnc_password)
        except (OSError, iostream.StreamClosedError, desktop_secrets.VncHandshakeError) as e:
            self.log.warning("enclave desktop: cannot reach the X server: %s", e)
            raise web.HTTPError(503, "the desktop is not running") from None
        return await super().get(*args, **kwargs)

    # The X server wants VNC authentication (desktop_secrets), done above; the viewer is
    # offered security type None by this relay, which swallows the viewer's version and choice.
    _handshake_seen = 0

    def open(self, *args, **kwargs):
        from tornado.ioloop import IOLoop

        self.write_message(VERSION, binary=True)
        IOLoop.current().add_callback(self._pump)

    async def _pump(self):
        try:
            while True:
                data = await self.vnc.read_bytes(65536, partial=True)
                await self.write_message(data, binary=True)
        except (iostream.StreamClosedError, websocket.WebSocketClosedError):
            self.close()

    async def on_message(self, message):
        if self.vnc is None or self.vnc.closed():
            self.close()
            return
        if isinstance(message, str):
            message = message.encode()
        try:
            data = self.rfb.feed(message)
            data = self._viewer_handshake(data)
        except RfbRefused as e:
            # the reason goes to the server's log and to the viewer as the close reason
            self.log.warning("enclave desktop: viewer input refused: %s", e)
            self.vnc.close()
            self.close(4003, str(e)[:120])
            return
        if data:
            await self.vnc.write(data)

    def _viewer_handshake(self, data: bytes) -> bytes:
        """The first 13 bytes the filter passes are the viewer's version (12) and security
        choice (1): answered here, never sent to the X server."""
        n = min(len(data), len(VERSION) + 1 - self._handshake_seen)
        before, self._handshake_seen = self._handshake_seen, self._handshake_seen + n
        if before < len(VERSION) <= self._handshake_seen:
            self.write_message(bytes([1, SECURITY_NONE]), binary=True)
        if before < len(VERSION) + 1 <= self._handshake_seen:
            self.write_message(b"\0\0\0\0", binary=True)  # security result: OK
        return data[n:]

    def on_close(self):
        if self.vnc is not None:
            self.vnc.close()


class KioskLoginHandler(JupyterHandler):
    """The kiosk browser inside the sandbox logs in once with the key in its launch URL; it gets
    the server's own hub token as its login cookie and the kiosk's own cookie, which the kernel
    cannot know (desktop_secrets)."""

    def initialize(self, desktop) -> None:
        self.desktop = desktop

    def get(self):
        if client_address(self.request) is not None:
            raise web.HTTPError(403, "the kiosk login is only for the browser inside the session")
        if not self.desktop.check_kiosk_key(self.get_argument("k", "")):
            raise web.HTTPError(403, "bad or used kiosk key")
        hub_auth = self.identity_provider.hub_auth
        hub_auth.set_cookie(self, hub_auth.api_token)
        # what the loopback listener asks of every later request (loopback_gate): the kernel
        # knows the hub token, not this
        self.set_cookie(KIOSK_COOKIE, self.desktop.kiosk_cookie, path=self.base_url,
                        httponly=True, samesite="Strict")
        self.redirect(f"{self.base_url}lab")


KIOSK_COOKIE = "enclave-kiosk"


def loopback_gate(desktop):
    """Requests on the desktop's loopback listener: the kiosk's login, then only requests that
    carry the kiosk's cookie - a kernel reaches the same port and holds the hub token."""
    def gate(request, cls) -> tuple[int, str] | None:
        if cls is KioskLoginHandler:
            return None  # its one-time key is checked there
        cookie = request.cookies.get(KIOSK_COOKIE)
        if cookie is not None and desktop.check_kiosk_cookie(cookie.value):
            return None
        return 403, ("on the desktop's loopback listener only the kiosk browser is served; "
                     "a kernel cannot use the browser's API (S1)")
    return gate


def handlers(base_url: str, desktop) -> list[tuple]:
    kw = {"desktop": desktop}
    return [
        (rf"{base_url}desktop/?", DesktopPageHandler, kw),
        (rf"{base_url}desktop/novnc/(.*)", DesktopStaticHandler, {"path": NOVNC_DIR}),
        (rf"{base_url}desktop/websockify", DesktopSocketHandler, kw),
        (rf"{base_url}desktop/kiosk-login", KioskLoginHandler, kw),
    ]
