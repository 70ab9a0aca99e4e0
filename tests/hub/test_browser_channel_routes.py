"""S1/S4: every handler of the real single-user server is classified, and the guard's decision
for each handler, method and origin.

The server is built as a session builds it (``tests/hub/browser_channel_handlers.py``, in its
own interpreter) and every route it would answer is listed: a handler class that is not in
``hub_config.singleuser.routes.ROUTES`` with a reason fails here, so a new extension or a new
Jupyter version cannot open a channel silently (and at run time such a handler is refused).
"""
from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from tornado.httputil import HTTPHeaders

from hub_config.singleuser import routes
from hub_config.singleuser.config import GuardConfigError, from_policy, load, validate
from policies import load_policy

SESS = load_policy(None).sessions


def _server_routes(mode: str) -> list[dict]:
    p = subprocess.run([sys.executable, "-m", "tests.hub.browser_channel_handlers", mode],
                       capture_output=True, text=True, timeout=180)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("ROUTES ")), None)
    assert line, p.stderr[-3000:]
    return json.loads(line[len("ROUTES "):])


@pytest.fixture(scope="module", params=["remote", "on_site"])
def server_routes(request):
    return request.param, _server_routes(request.param)


def test_every_handler_of_the_real_server_is_classified(server_routes):
    mode, found = server_routes
    assert len(found) > 50  # the whole server, not a stub
    unclassified = sorted({r["handler"] for r in found} - set(routes.ROUTES))
    assert not unclassified, f"{mode}: handlers with no decision in routes.ROUTES: {unclassified}"
    for r in found:
        assert routes.ROUTES[r["handler"]].reason.strip()


def test_desktop_handlers_only_in_remote_mode(server_routes):
    mode, found = server_routes
    desktop = {r["handler"] for r in found if ".desktop_handlers." in r["handler"]}
    assert bool(desktop) == (mode == "remote"), desktop


# every member of the class of file-moving handlers must be refused outright
BLOCKED = [
    "jupyter_server.base.handlers.AuthenticatedFileHandler",        # /files/
    "jupyter_server.view.handlers.ViewHandler",                     # /view/
    "jupyter_server.nbconvert.handlers.NbconvertFileHandler",       # /nbconvert/<fmt>/<path>
    "jupyter_server.nbconvert.handlers.NbconvertPostHandler",
    "jupyter_server.services.nbconvert.handlers.NbconvertRootHandler",
    "jupyter_server.kernelspecs.handlers.KernelSpecResourceHandler",  # files of kernel dirs
    "jupyter_server.services.config.handlers.ConfigHandler",        # user config dir
    "jupyter_server_terminals.handlers.TermSocket",
    "jupyter_server_terminals.api_handlers.TerminalRootHandler",
    "jupyter_lsp.handlers.LanguageServerWebSocketHandler",
    "jupyterlab.handlers.extension_manager_handler.ExtensionHandler",
    "jupyterlab.handlers.plugin_manager_handler.PluginHandler",
    "jupyterlab.handlers.build_handler.BuildHandler",
    "jupyterlab_server.licenses_handler.LicensesHandler",
    "jupyter_server.services.contents.handlers.TrustNotebooksHandler",
]


class _Req:
    def __init__(self, xff: list[str] | None = None, real_ip: str | None = None):
        self.headers = HTTPHeaders()
        for v in xff or []:
            self.headers.add("X-Forwarded-For", v)
        if real_ip:
            self.headers.add("X-Real-Ip", real_ip)


def _cls(qualname: str):
    mod, _, name = qualname.rpartition(".")
    return type(name, (), {"__module__": mod, "__qualname__": name})


REMOTE = from_policy(SESS, mode="remote")
ONSITE = from_policy(SESS, mode="on_site", seat_addresses=["10.1.2.3"])
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.mark.parametrize("handler, method, guard", list(itertools.product(
    BLOCKED, METHODS, [REMOTE, ONSITE])))
def test_file_moving_handlers_refused_everywhere(handler, method, guard):
    for req in (_Req(), _Req(["10.1.2.3"])):  # inside, and from the booked seat
        assert routes.decide(guard, _cls(handler), method, req) is not None


REMOTE_OUTSIDE = {
    "hub_config.singleuser.desktop_handlers.DesktopPageHandler",
    "hub_config.singleuser.desktop_handlers.DesktopStaticHandler",
    "hub_config.singleuser.desktop_handlers.DesktopSocketHandler",
    "hub_config.singleuser.slot_handler.SlotHandler",   # the desktop bar's slot end
    "jupyterhub.singleuser.extension.JupyterHubOAuthCallbackHandler",
    "jupyterhub.singleuser.extension.JupyterHubLogoutHandler",
    "jupyter_server.base.handlers.APIVersionHandler", "jupyter_server.base.handlers.MainHandler",
    "jupyter_server.base.handlers.TrailingSlashHandler", "jupyter_server.base.handlers.Template404",
    "jupyter_server.base.handlers.PublicStaticFileHandler",
    "jupyter_server.base.handlers.RedirectWithParams",
    "jupyter_server.auth.login.LoginFormHandler", "jupyter_server.auth.logout.LogoutHandler",
    "tornado.web.ErrorHandler", "tornado.web.RedirectHandler",
}


def test_remote_mode_serves_outside_only_the_desktop_and_login_steps():
    """Through the proxy, remote mode reaches nothing that moves files or kernel output."""
    reachable = {name for name, r in routes.ROUTES.items() if r.remote_outside and r.methods}
    assert reachable == REMOTE_OUTSIDE


@pytest.mark.parametrize("handler", sorted(routes.ROUTES))
@pytest.mark.parametrize("method", METHODS)
def test_remote_mode_from_outside(handler, method):
    verdict = routes.decide(REMOTE, _cls(handler), method, _Req(["198.51.100.7"]))
    r = routes.ROUTES[handler]
    if r.remote_outside and method in r.methods:
        assert verdict is None
    else:
        assert verdict is not None and verdict[0] in (403, 503)


@pytest.mark.parametrize("handler", sorted(routes.ROUTES))
@pytest.mark.parametrize("client", ["10.1.2.4", "127.0.0.1", "::1", "not-an-ip", "",
                                    "10.1.2.3.5", "::ffff:10.1.2.4"])
def test_on_site_from_anything_but_the_seat_refused(handler, client):
    for method in routes.ROUTES[handler].methods or {"GET"}:
        assert routes.decide(ONSITE, _cls(handler), method, _Req([client])) is not None


@pytest.mark.parametrize("spoof", [
    ["10.1.2.3, 192.0.2.9"],            # client-sent XFF: the proxy appends the real peer
    ["10.1.2.3", "192.0.2.9"],          # two headers
    ["192.0.2.9"],
])
def test_on_site_spoofed_forwarding_headers_do_not_pass(spoof):
    cls = _cls("jupyter_server.services.contents.handlers.ContentsHandler")
    assert routes.decide(ONSITE, cls, "GET", _Req(spoof, real_ip="10.1.2.3")) is not None


def test_on_site_seat_allowed_and_ipv4_mapped_form_is_the_same_address():
    cls = _cls("jupyter_server.services.contents.handlers.ContentsHandler")
    assert routes.decide(ONSITE, cls, "GET", _Req(["192.0.2.9, 10.1.2.3"])) is None
    assert routes.decide(ONSITE, cls, "GET", _Req(["::ffff:10.1.2.3"])) is None


def test_unknown_handler_and_unconfigured_guard_refused():
    unknown = _cls("some_new_extension.handlers.DownloadEverythingHandler")
    assert routes.decide(REMOTE, unknown, "GET", _Req())[0] == 403
    assert routes.decide(ONSITE, unknown, "GET", _Req(["10.1.2.3"]))[0] == 403
    cls = _cls("jupyter_server.services.contents.handlers.ContentsHandler")
    assert routes.decide(None, cls, "GET", _Req())[0] == 503


@pytest.mark.parametrize("bad, where", [
    ({}, "mode"), ({"mode": "everything"}, "mode"),
    ({"mode": "on_site", "caps": {}}, "caps"),
    ({**json.loads(REMOTE.to_env()), "caps": {**json.loads(REMOTE.to_env())["caps"],
                                              "table_rows": 0}}, "table_rows"),
    ({**json.loads(REMOTE.to_env()), "mode": "on_site", "seat_addresses": []}, "seat_addresses"),
    ({**json.loads(REMOTE.to_env()), "seat_addresses": ["seat-7"]}, "seat_addresses"),
    ({**json.loads(REMOTE.to_env()), "saved_suffixes": ["py"]}, "saved_suffixes"),
])
def test_bad_guard_settings_named(bad, where):
    with pytest.raises(GuardConfigError, match=where):
        validate(bad)


def test_missing_settings_named():
    with pytest.raises(GuardConfigError, match="ENCLAVE_BROWSER_GUARD"):
        load({})
    with pytest.raises(GuardConfigError, match="not JSON"):
        load({"ENCLAVE_BROWSER_GUARD": "{"})


def test_static_search_paths_cut_to_read_only_roots(tmp_path):
    home = str(tmp_path / ".local/share/jupyter/labextensions")
    kw = {"path": ["/usr/share/jupyter/lab/static", home], "labextensions_path": [home],
          "default_filename": "index.html"}
    out = routes.filter_static_paths(kw, ("/usr",))
    assert out["path"] == ["/usr/share/jupyter/lab/static"]
    assert out["labextensions_path"] == [] and out["default_filename"] == "index.html"
    assert routes.filter_static_paths({"path": home}, ("/usr",))["path"] == "/nonexistent"


# ------------------------------------------------------------------ who is on the other end
class _Conn:
    def __init__(self, sock):
        self.stream = type("S", (), {"socket": sock})()


@pytest.mark.parametrize("uid", [1, 1000, 200001, 65534, 2**31 - 1])
def test_unix_peers_other_than_root_refused_whatever_they_send(uid):
    """A kernel (the session's uid) on the server's socket: refused before any route, so no
    header (X-Forwarded-For of the seat, a token) can matter."""
    verdict = routes.decide_peer("unix", uid)
    assert verdict and verdict[0] == 403 and str(uid) in verdict[1]


def test_root_peer_and_the_loopback_listener_pass_to_the_route_decision():
    assert routes.decide_peer("unix", 0) is None
    assert routes.decide_peer("tcp", None) is None


@pytest.mark.parametrize("transport", ["unknown", "udp", ""])
def test_unidentifiable_peer_refused(transport):
    assert routes.decide_peer(transport, None)[0] == 403


def test_peer_uid_read_from_the_kernel():
    import os
    import socket

    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        req = type("R", (), {"connection": _Conn(a)})()
        assert routes.peer(req) == ("unix", os.getuid())
    finally:
        a.close(), b.close()
    assert routes.peer(type("R", (), {"connection": None})()) == ("unknown", None)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        assert routes.peer(type("R", (), {"connection": _Conn(t)})()) == ("tcp", None)
    finally:
        t.close()
