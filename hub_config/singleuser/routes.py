"""Which of the single-user server's handlers a browser may reach, and from where (S1, S4).

Every request the server answers passes :func:`install` 's hook on
``Application.get_handler_delegate`` - the one place tornado turns a matched route into a
handler - so a handler added by any extension, now or later, is covered: a handler class not in
:data:`ROUTES` is refused (and ``tests/hub/test_browser_channel_routes.py`` lists every handler
of the real server and fails on any that is not classified here with a reason).

"From outside" means through the hub's proxy: configurable-http-proxy appends the client's
address to ``X-Forwarded-For`` on every request it forwards.  On the server's unix socket only
root may connect (the proxy and the hub; the peer's uid comes from the kernel, SO_PEERCRED): a
kernel, which runs as the session's uid beside the server, is refused before any handler, so it
can neither act as the browser nor forge the header.  Requests without the header come from
the hub itself, or - on the remote desktop's loopback listener - from the kiosk browser.

* remote mode: from outside, only the desktop, its bar's slot end (and the OAuth steps that log
  the browser in to it); the Jupyter API only from inside.
* on_site mode: from outside, only from the booked seat's registered addresses (the last
  ``X-Forwarded-For`` entry, the one the proxy wrote); the API as allowed below.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import struct
from dataclasses import dataclass

from tornado import web

from hub_config.singleuser.config import GuardConfig

READ = frozenset({"GET", "HEAD"})
ALL = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    reason: str
    remote_outside: bool = False  # reachable through the proxy in remote mode


def _r(methods, reason, remote_outside=False) -> Route:
    return Route(frozenset(methods), reason, remote_outside)


JS = "jupyter_server."
ROUTES: dict[str, Route] = {
    # --- contents: bodies and saves are checked by GuardedContentsManager
    JS + "services.contents.handlers.ContentsHandler": _r(
        ALL, "bodies only of typed work; saves only of typed work (GuardedContentsManager)"),
    JS + "services.contents.handlers.CheckpointsHandler": _r(
        {"GET", "HEAD", "POST"}, "lists/creates checkpoints: no file bodies"),
    JS + "services.contents.handlers.ModifyCheckpointsHandler": _r(
        {"POST", "DELETE"}, "restores/deletes a checkpoint server-side: no bodies"),
    JS + "services.contents.handlers.NotebooksRedirectHandler": _r(
        READ, "redirects to /api/contents (guarded there)"),
    JS + "services.contents.handlers.TrustNotebooksHandler": _r(
        NONE, "notebook trust would let stored HTML/JS outputs run: not needed"),
    # --- kernels and sessions: output capped by CappedKernelWebsocketConnection
    JS + "services.kernels.handlers.MainKernelHandler": _r(
        {"GET", "HEAD", "POST"}, "lists/starts kernels: ids and states only"),
    JS + "services.kernels.handlers.KernelHandler": _r(
        {"GET", "HEAD", "DELETE"}, "one kernel's state; shutting it down"),
    JS + "services.kernels.handlers.KernelActionHandler": _r(
        {"POST"}, "restart/interrupt"),
    JS + "services.kernels.websocket.KernelWebsocketHandler": _r(
        READ, "kernel messages, every one capped (kernelws)"),
    JS + "services.kernelspecs.handlers.MainKernelSpecHandler": _r(
        READ, "kernel specs from the read-only system kernel directory only"),
    JS + "services.kernelspecs.handlers.KernelSpecHandler": _r(READ, "as above"),
    JS + "kernelspecs.handlers.KernelSpecResourceHandler": _r(
        NONE, "serves any file of a kernelspec directory (logos): not needed, a file channel"),
    JS + "services.sessions.handlers.SessionRootHandler": _r(
        {"GET", "HEAD", "POST"}, "notebook-kernel sessions: names and ids"),
    JS + "services.sessions.handlers.SessionHandler": _r(
        {"GET", "HEAD", "PATCH", "DELETE"}, "as above"),
    # --- server status and small API pieces
    JS + "services.api.handlers.APISpecHandler": _r(
        {"GET"}, "the API's static description (its HEAD raised a TypeError: a 500)"),
    JS + "services.api.handlers.APIStatusHandler": _r(READ, "activity counts"),
    JS + "services.api.handlers.IdentityHandler": _r(READ, "who is logged in"),
    JS + "services.api.handlers.PathResolverHandler": _r(
        NONE, "says whether a path exists, uncharged (an oracle on files a kernel makes); "
              "the contents API answers that within the session's budget"),
    JS + "base.handlers.APIVersionHandler": _r(READ, "server version; the hub's ready check",
                                               remote_outside=True),
    JS + "services.config.handlers.ConfigHandler": _r(
        NONE, "frontend config read from/written to the user's config dir: a file channel"),
    JS + "services.security.handlers.CSPReportHandler": _r({"POST"}, "logs CSP violations"),
    JS + "services.shutdown.ShutdownHandler": _r({"POST"}, "stops the server"),
    JS + "services.events.handlers.EventHandler": _r({"POST"}, "frontend events to the log"),
    JS + "services.events.handlers.SubscribeWebsocket": _r(READ, "server events (paths, ids)"),
    JS + "services.nbconvert.handlers.NbconvertRootHandler": _r(NONE, "export is download"),
    JS + "nbconvert.handlers.NbconvertFileHandler": _r(NONE, "export/download of notebooks"),
    JS + "nbconvert.handlers.NbconvertPostHandler": _r(NONE, "export of posted notebooks"),
    JS + "view.handlers.ViewHandler": _r(NONE, "raw view of any file"),
    JS + "base.handlers.AuthenticatedFileHandler": _r(NONE, "/files/: raw bytes of any file"),
    JS + "files.handlers.FilesHandler": _r(NONE, "/files/: raw bytes of any file"),
    JS + "base.handlers.PrometheusMetricsHandler": _r(NONE, "not needed"),
    # --- pages, static files of the installation (paths filtered to read-only roots)
    JS + "base.handlers.MainHandler": _r(READ, "redirect to the default URL", True),
    JS + "base.handlers.TrailingSlashHandler": _r(READ, "redirect", True),
    JS + "base.handlers.RedirectWithParams": _r(READ, "redirect /user/<name> to the default "
                                                      "URL", True),
    JS + "base.handlers.Template404": _r(READ, "not found", True),
    JS + "base.handlers.FileFindHandler": _r(
        READ, "static files; search paths cut to read-only install roots (guard)"),
    JS + "base.handlers.PublicStaticFileHandler": _r(READ, "robots.txt, favicon", True),
    JS + "auth.login.LoginFormHandler": _r(READ, "redirects to the hub's login", True),
    JS + "auth.logout.LogoutHandler": _r(READ, "log out", True),
    "tornado.web.ErrorHandler": _r(ALL, "error pages", True),
    "tornado.web.RedirectHandler": _r(READ, "redirect", True),
    "jupyterhub.singleuser.extension.JupyterHubOAuthCallbackHandler": _r(
        READ, "OAuth with the hub (logs the browser in, also to the desktop)", True),
    "jupyterhub.singleuser.extension.JupyterHubLogoutHandler": _r(READ, "log out", True),
    # --- JupyterLab
    "jupyterlab_server.handlers.LabHandler": _r(READ, "the JupyterLab page"),
    "jupyterlab_server.handlers.NotFoundHandler": _r(READ, "not found"),
    "jupyterlab_server.settings_handler.SettingsHandler": _r(
        READ, "settings from the read-only settings dir; saving refused (a file channel)"),
    "jupyterlab_server.translations_handler.TranslationsHandler": _r(
        READ, "installed language packs"),
    "jupyterlab_server.workspaces_handler.WorkspacesHandler": _r(
        READ, "layouts from the read-only workspaces dir; saving refused (a file channel)"),
    "jupyterlab_server.listings_handler.ListingsHandler": _r(READ, "extension allow/block lists"),
    "jupyterlab_server.themes_handler.ThemesHandler": _r(
        READ, "theme CSS; search paths cut to read-only install roots (guard)"),
    "jupyterlab_server.licenses_handler.LicensesHandler": _r(
        NONE, "reads files of extension directories: not needed"),
    "jupyterlab.handlers.build_handler.BuildHandler": _r(NONE, "rebuilds the lab: not allowed"),
    "jupyterlab.handlers.extension_manager_handler.ExtensionHandler": _r(
        NONE, "installs extensions (P11: approved software only)"),
    "jupyterlab.handlers.plugin_manager_handler.PluginHandler": _r(
        NONE, "re-enables locked plugins (download, copy-output)"),
    "jupyterlab.handlers.announcements.CheckForUpdateHandler": _r(NONE, "internet: none (S7)"),
    "jupyterlab.handlers.announcements.NewsHandler": _r(NONE, "internet: none (S7)"),
    # --- off
    "jupyter_server_terminals.handlers.TermSocket": _r(NONE, "terminals are off"),
    "jupyter_server_terminals.api_handlers.TerminalRootHandler": _r(NONE, "terminals are off"),
    "jupyter_server_terminals.api_handlers.TerminalHandler": _r(NONE, "terminals are off"),
    "jupyter_lsp.handlers.LanguageServersHandler": _r(NONE, "LSP reads files server-side: off"),
    "jupyter_lsp.handlers.LanguageServerWebSocketHandler": _r(NONE, "LSP: off"),
    # --- the slot clock's re-read of the booking's end (hub_config.singleuser.slot_handler)
    "hub_config.singleuser.slot_handler.SlotHandler": _r(
        READ, "the booked slot's end, asked of the hub: no workspace data; also the remote "
              "desktop's bar", True),
    # --- the remote desktop (remote mode only; registered by the extension)
    "hub_config.singleuser.desktop_handlers.DesktopPageHandler": _r(
        READ, "the desktop viewer page", True),
    "hub_config.singleuser.desktop_handlers.DesktopStaticHandler": _r(
        READ, "the noVNC client files (read-only Debian package)", True),
    "hub_config.singleuser.desktop_handlers.DesktopSocketHandler": _r(
        READ, "pixels out, keys and pointer in (clipboard off in the VNC server)", True),
    "hub_config.singleuser.desktop_handlers.KioskLoginHandler": _r(
        READ, "logs the kiosk browser in; only from inside the sandbox"),
}


def qualname(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def client_address(request) -> str | None:
    """The client as the proxy saw it (the last X-Forwarded-For entry), None if not proxied."""
    xff = request.headers.get_list("X-Forwarded-For")
    if not xff:
        return None
    last = ",".join(xff).split(",")[-1].strip()
    try:
        addr = ipaddress.ip_address(last)
    except ValueError:
        return last  # refused by the callers as unreadable
    return str(getattr(addr, "ipv4_mapped", None) or addr)


# Who may talk to the server over its unix socket: root only - the hub's proxy (which writes
# X-Forwarded-For) and the hub itself.  A kernel runs as the session's uid in the same sandbox
# and can reach the socket and copy the server's hub token from its environment; without this
# it could save data through the contents API as if the browser had typed it (the ledger would
# then hand it to the browser) and forge X-Forwarded-For to pass as the booked seat.
TRUSTED_PEER_UIDS = frozenset({0})


def peer(request) -> tuple[str, int | None]:
    """The connection the request came on: ("unix", peer uid) from the kernel's SO_PEERCRED -
    which the peer cannot forge - ("tcp", None), or ("unknown", None)."""
    sock = getattr(getattr(getattr(request, "connection", None), "stream", None), "socket", None)
    if sock is None:
        return "unknown", None
    try:
        if sock.family == socket.AF_UNIX:
            _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(
                socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
            return "unix", uid
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            return "tcp", None
    except OSError:
        pass
    return "unknown", None


# Set by the remote desktop (desktop.setup): decides requests on its loopback listener, where
# the kiosk browser and a kernel look alike but for the kiosk's cookie.
LOOPBACK_GATE = None


def decide_peer(transport: str, uid: int | None, request=None,
                cls=None) -> tuple[int, str] | None:
    """None if requests may come on this connection at all, else (status, reason)."""
    if transport == "unix" and uid in TRUSTED_PEER_UIDS:
        return None
    if transport == "tcp":
        if LOOPBACK_GATE is not None and request is not None:
            return LOOPBACK_GATE(request, cls)
        # no desktop: a TCP listener is the deployment's own (Kubernetes: the proxy reaches the
        # pod over TLS and NetworkPolicy); decided by the routes below
        return None
    if transport == "unix":
        return 403, (f"a process of the session itself (uid {uid}, e.g. a kernel) cannot use the "
                     "server's API: it answers only the hub and its proxy (S1)")
    return 403, "the connection's peer cannot be identified (S1)"


def decide(guard: GuardConfig | None, cls, method: str, request) -> tuple[int, str] | None:
    """None to let the request through, else (status, reason)."""
    if guard is None:
        return 503, "the browser guard is not configured on this server"
    route = ROUTES.get(qualname(cls))
    if route is None:
        return 403, f"{qualname(cls)} is not on the enclave's allow-list (S1)"
    if method not in route.methods:
        return 403, f"{method} here is refused: {route.reason} (S1)"
    client = client_address(request)
    if client is None:
        return None  # from inside the sandbox (or the hub)
    if guard.mode == "remote" and not route.remote_outside:
        return 403, ("this session is served as a remote desktop only: open /desktop/; the "
                     "Jupyter API answers only inside the session (S1)")
    if guard.mode == "on_site":
        try:
            addr = str(ipaddress.ip_address(client))
        except ValueError:
            return 403, f"unreadable client address {client!r} (S4)"
        if addr not in guard.seat_addresses:
            return 403, f"this session is served only to the booked seat, not to {addr} (S4)"
    return None


# Request bodies outside the contents API's saves are small (a session's path, a rename, a
# kernel's name); each is charged in full to the upload budget shared with saves and kernel
# messages (D4): a path or file name a kernel can read is a way in too.
BODY_MAX = 64 * 1024
SAVES = JS + "services.contents.handlers.ContentsHandler"  # PUT: metered by what is new


def unmetered_body(request) -> bool:
    """A body on a method no handler reads one for (GET, HEAD, DELETE, OPTIONS): none is
    metered there, so it is refused rather than passed unread past the budget (default deny;
    a later handler or hook could read it)."""
    length = request.headers.get("Content-Length", "0").strip()
    return length not in ("", "0") or "Transfer-Encoding" in request.headers


# Every request that changes what a kernel can see - a save (even of bytes already there: the
# file's time changes), a delete, an interrupt (a signal), a kernel started or shut down, a
# checkpoint restored - tells the kernel which of its files or kernels and when: a browser
# script deleting one of a thousand planted files at a time, or interrupting a kernel a
# thousand times a second, sent bits in for nothing (no body, nothing new).  Each costs at
# least the policy's ``saved_action_bytes`` (64 by default) from the upload budget (its body, if larger, instead).  JupyterLab's
# autosave every two minutes spends 120 KB of the default 4 MB in a 16-hour day.
# Opening a kernel's websocket is one too: the server greets the kernel (kernel_info_request)
# on every connection, so connecting and dropping a thousand times was a free signal.
ACTIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KERNEL_SOCKET = JS + "services.kernels.websocket.KernelWebsocketHandler"


def action_cost(method: str, cls, price: int) -> int:
    """What this request costs at least (``price``: the budget's act price; D4)."""
    acts = method in ACTIONS or (cls is not None and qualname(cls) == KERNEL_SOCKET)
    return price if acts else 0


def _spent() -> tuple[int, str]:
    return 403, "the session's upload budget is spent: data comes in through import review (D4)"


def decide_body(cls, request, budget) -> tuple[int, str] | None:
    # no budget: any act is refused below, whatever its price
    floor = action_cost(request.method, cls, budget.action_bytes if budget is not None else 1)
    if request.method not in ("POST", "PUT", "PATCH"):
        if unmetered_body(request):
            return 400, f"a {request.method} request carries no body here (D4)"
        if floor and (budget is None or not budget.admit(floor)):
            return _spent()
        return None
    if request.method == "PUT" and qualname(cls) == SAVES:
        # the save's new bytes are charged by the contents manager; the act itself here
        return _spent() if budget is None or not budget.admit(floor) else None
    length = request.headers.get("Content-Length")
    if length is None:
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            return 411, "a request body without its length is refused (D4)"
        length = "0"
    try:
        n = int(length)
    except ValueError:
        return 400, "unreadable Content-Length"
    if n > BODY_MAX:
        return 413, f"a {request.method} body over {BODY_MAX} bytes here is refused (D4)"
    if budget is None or not budget.admit(max(n, floor)):
        return _spent()
    return None


# Answers that carry the kernels' state: execution_state is whatever status a kernel last
# sent and last_activity the moment of its last message, to the millisecond - set by a kernel
# at will, read by a browser that polls as fast as the proxy lets it, and charged to nothing
# (a dozen bits a poll a kernel).  Each such answer costs the policy's
# ``output_state_poll_bytes`` (16 by default) a kernel (and one for
# the answer) from the session's output budget; JupyterLab polls two of them every 10 s.  Past
# the budget the answers still come (starting kernels and sessions keeps working), with both
# fields withheld.
KERNEL_STATE = frozenset(JS + h for h in (
    "services.kernels.handlers.MainKernelHandler", "services.kernels.handlers.KernelHandler",
    "services.kernels.handlers.KernelActionHandler",
    "services.sessions.handlers.SessionRootHandler", "services.sessions.handlers.SessionHandler",
    "services.api.handlers.APIStatusHandler"))
WITHHELD_STATE = {"execution_state": "unknown", "last_activity": "1970-01-01T00:00:00.000000Z"}


def charge_kernel_state(cls, app, session) -> bool:
    """True if this answer may carry the kernels' state (charged), False to withhold it."""
    if qualname(cls) not in KERNEL_STATE:
        return True
    km = getattr(app, "settings", {}).get("kernel_manager")
    try:
        kernels = len(km.list_kernel_ids()) if km is not None else 0
    except Exception:  # noqa: BLE001 - unknown: priced as many
        kernels = 64
    return session is not None and session.spend(session.caps.state_bytes * (kernels + 1))


def withhold_state(value):
    """A kernel/session/status model (or a list of them) without the kernel-set fields."""
    if isinstance(value, list):
        return [withhold_state(v) for v in value]
    if isinstance(value, dict):
        out = {k: withhold_state(v) for k, v in value.items()}
        out.update({k: v for k, v in WITHHELD_STATE.items() if k in out})
        return out
    return value


_WITHHELD: dict[type, type] = {}


def state_withheld(cls):
    """``cls`` answering with :func:`withhold_state` applied to each JSON body it writes."""
    sub = _WITHHELD.get(cls)
    if sub is None:
        class StateWithheld(cls):
            def write(self, chunk):
                if isinstance(chunk, (str, bytes)):
                    try:
                        chunk = json.dumps(withhold_state(json.loads(chunk)))
                    except ValueError:
                        pass  # not a model (an error page): nothing of a kernel's in it
                elif isinstance(chunk, dict):
                    chunk = withhold_state(chunk)
                return super().write(chunk)

        StateWithheld.__module__ = cls.__module__
        StateWithheld.__qualname__ = cls.__qualname__
        _WITHHELD[cls] = sub = StateWithheld
    return sub


class RefusedHandler(web.RequestHandler):
    """Answers a refused request (also a websocket upgrade) with the status and reason."""

    def initialize(self, status: int, reason: str) -> None:
        self._status, self._why = status, reason

    def check_xsrf_cookie(self):
        return None  # refused anyway; a missing-xsrf 403 would hide the reason

    def prepare(self):
        self.set_status(self._status)
        if "/api/" in self.request.path:
            # the Jupyter API's own error form: JupyterLab shows the reason to the researcher
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps({"message": self._why, "reason": None}, ensure_ascii=False))
            return
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{self._why}\n")


def _within(path: str, root: str) -> bool:
    root = root.rstrip("/")
    return path == root or path.startswith(root + "/")


def filter_static_paths(kwargs: dict, allowed_roots: tuple[str, ...]) -> dict:
    """Static-file search paths cut to read-only install roots (a kernel can write to
    ~/.local/share/jupyter; files there must not be served as lab extensions or themes)."""
    import os

    out = dict(kwargs)
    for key in ("path", "labextensions_path"):
        v = out.get(key)
        if v is None:
            continue
        paths = [v] if isinstance(v, str) else list(v)
        kept = [p for p in paths if any(_within(os.path.realpath(p), r) for r in allowed_roots)]
        out[key] = kept if not isinstance(v, str) else (kept[0] if kept else "/nonexistent")
    return out


# configurable-http-proxy (http-proxy's deleteLength pass) forwards a DELETE or OPTIONS sent
# without Content-Length as "Content-Length: 0" and still streams the client's (chunked) body
# after it: on the kept-alive connection to this server those bytes were read as the next
# request - one the proxy never saw, so without X-Forwarded-For, i.e. "from inside", past the
# seat check and remote mode's pixels-only rule, or with an X-Forwarded-For of its choosing
# (request smuggling, round 6).  The server closes the connection after such a request; what
# tornado had already buffered behind it is still parsed, but its socket is gone, so
# decide_peer refuses it (peer unknown) and no answer can be written.
REFRAMED_BY_PROXY = frozenset({"DELETE", "OPTIONS"})


def close_after(request) -> bool:
    """Have the server close the request's connection once it is answered; False if this
    tornado offers no way to (the request is then refused)."""
    conn = getattr(request, "connection", None)
    if conn is None or not hasattr(conn, "_disconnect_on_finish"):
        return False
    conn._disconnect_on_finish = True
    return True


def install(app, get_guard, allowed_roots: tuple[str, ...], log) -> None:
    """Hook the tornado application so every request is decided here first."""
    original = app.get_handler_delegate

    def guarded(request, target_class, target_kwargs=None, path_args=None, path_kwargs=None):
        from hub_config.singleuser import kernelws

        verdict = None
        if request.method in REFRAMED_BY_PROXY and not close_after(request):
            verdict = 503, f"a {request.method} connection cannot be closed after it (S1)"
        verdict = verdict or decide_peer(*peer(request), request, target_class) or decide(
            get_guard(), target_class, request.method, request) or decide_body(
            target_class, request, kernelws.UPLOADS)
        if verdict is None and not charge_kernel_state(target_class, app, kernelws.SESSION):
            target_class = state_withheld(target_class)
        if verdict is not None:
            status, why = verdict
            log.warning("enclave guard: %s %s -> %s (%s; client %s)", request.method,
                        request.path, status, why, client_address(request) or "inside")
            return original(request, RefusedHandler, {"status": status, "reason": why})
        if (issubclass(target_class, web.StaticFileHandler)
                and target_class.initialize is web.StaticFileHandler.initialize
                and "path" not in (target_kwargs or {})):
            # jupyter_server routes robots.txt/favicon.ico without a directory: the handler
            # raised before answering and the proxy showed a 503; say it plainly instead
            return original(request, RefusedHandler, {"status": 404, "reason": "not served"})
        if target_kwargs and issubclass(target_class, web.StaticFileHandler):
            target_kwargs = filter_static_paths(target_kwargs, allowed_roots)
        return original(request, target_class, target_kwargs, path_args, path_kwargs)

    app.get_handler_delegate = guarded
