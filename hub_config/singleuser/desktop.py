"""The remote desktop of a session (remote access mode): pixels out, keys and pointer in.

Inside the session's sandbox the server starts TigerVNC's X server (``Xtigervnc``, Debian
``tigervnc-standalone-server``) listening only on a unix socket in a private directory, with
every clipboard direction off (``AcceptCutText``/``SendCutText``/``SetPrimary``/``SendPrimary``)
- the RFB protocol has no file transfer, printing or audio - and a kiosk Chromium on that
display showing this session's JupyterLab through a loopback listener of the server (the
sandbox's own network namespace: nothing outside can reach it).  The researcher's browser gets
the noVNC client (Debian ``novnc``) and a websocket carrying RFB
(:mod:`hub_config.singleuser.desktop_handlers`); the Jupyter API itself is refused to anything
that came through the proxy (:mod:`hub_config.singleuser.routes`).  Both processes are children
of the server and die with it.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile

from hub_config.singleuser import desktop_secrets
from hub_config.singleuser.rfb_filter import InputBudget, InputLimits

NOVNC_DIR = "/usr/share/novnc"
XVNC = ("Xtigervnc", "Xvnc")
# the browser binary itself: Debian's /usr/bin/chromium wrapper reads /etc/chromium.d, which
# the sandbox does not have
CHROMIUM = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")


class Desktop:
    def __init__(self, geometry: str, base_url: str, log, input_limits: InputLimits) -> None:
        self.geometry = geometry
        # the keyboard and pointer budget of every viewer connection of this server
        self.input = InputBudget(input_limits)
        self.base_url = base_url
        self.log = log
        self.dir = tempfile.mkdtemp(prefix="enclave-desktop-")
        os.chmod(self.dir, 0o700)
        self.vnc_socket = os.path.join(self.dir, "vnc.sock")
        self.kiosk_key = secrets.token_urlsafe(32)
        self.kiosk_used = False
        # the kiosk browser's cookie on the loopback listener, and the X server's secrets
        # (desktop_secrets): only in this non-dumpable process and the non-dumpable X server
        self.kiosk_cookie = secrets.token_urlsafe(32)
        self.vnc_password = desktop_secrets.new_vnc_password()
        self.xauthority = os.path.join(self.dir, "Xauthority")
        self.xvnc_pid: int | None = None
        self.port: int | None = None
        self.procs: list[subprocess.Popen] = []
        self.error: str | None = None

    def _which(self, names) -> str | None:
        for n in names:
            p = n if os.path.isabs(n) and os.access(n, os.X_OK) else shutil.which(n)
            if p:
                return p
        return None

    def start(self, port: int) -> None:
        self.port = port
        xvnc, chrome = self._which(XVNC), self._which(CHROMIUM)
        if not xvnc or not chrome or not os.path.isdir(NOVNC_DIR):
            self.error = ("the remote desktop needs Xtigervnc, chromium and novnc "
                          f"(found: {xvnc}, {chrome}, {os.path.isdir(NOVNC_DIR)})")
            self.log.error("enclave desktop: %s", self.error)
            return
        readable = [p for p in (xvnc, chrome) if os.access(os.path.realpath(p), os.R_OK)]
        if readable and os.geteuid() != 0:
            # a program this uid may read runs dumpable: a kernel could read its secrets
            self.error = (f"{', '.join(readable)} would run dumpable (readable by the session); "
                          "the sandbox must bind execute-only copies (hub_config.exec_only)")
            self.log.error("enclave desktop: %s", self.error)
            return
        # X clients find the display in /tmp/.X11-unix (the sandbox's private /tmp); the X
        # server makes it only as root
        os.makedirs("/tmp/.X11-unix", exist_ok=True)
        os.chmod("/tmp/.X11-unix", 0o1777)
        display = self._free_display()
        w, _, h = self.geometry.partition("x")
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ")}
        env["DISPLAY"] = f":{display}"
        env["XDG_RUNTIME_DIR"] = self.dir
        cookie = secrets.token_bytes(16)
        fd = os.open(self.xauthority, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(desktop_secrets.xauthority(cookie))
        env["XAUTHORITY"] = self.xauthority
        pw_fd = desktop_secrets.memory_file("vnc-password",
                                            desktop_secrets.vnc_password_file(self.vnc_password))
        x_cmd = [xvnc, f":{display}", "-geometry", self.geometry, "-depth", "24",
                 "-rfbunixpath", self.vnc_socket, "-rfbunixmode", "0600", "-rfbport", "-1",
                 # X clients need the cookie; -noreset: the server never re-reads the authority
                 # file, which is gone once the kiosk is in (a reset with no file would let any
                 # local client in)
                 "-auth", self.xauthority, "-noreset",
                 "-SecurityTypes", "VncAuth", "-PasswordFile", f"/proc/self/fd/{pw_fd}",
                 "-nolisten", "tcp",
                 # the clipboard, both ways: no copy out, no paste in (S1, D4)
                 "-AcceptCutText=0", "-SendCutText=0", "-SetPrimary=0", "-SendPrimary=0",
                 "-MaxCutText=0", "-AcceptSetDesktopSize=0"]
        try:
            self.xvnc_pid = self._spawn(x_cmd, env, "xvnc", pass_fds=(pw_fd,))
        finally:
            os.close(pw_fd)
        x_socket = f"/tmp/.X11-unix/X{display}"
        self._wait_for(x_socket)
        wrong = desktop_secrets.check_x_access(x_socket, cookie)
        if wrong:  # default deny: no desktop rather than a display any process can use
            self.error = f"the X server's access control failed its check: {wrong}"
            self.log.error("enclave desktop: %s", self.error)
            self.stop()
            return
        url = (f"http://127.0.0.1:{port}{self.base_url}desktop/kiosk-login?k={self.kiosk_key}")
        profile = os.path.join(self.dir, "chromium")
        c_cmd = [chrome, "--kiosk", "--incognito", "--no-first-run",
                 "--no-default-browser-check",
                 # Chromium's own sandbox needs user namespaces, which the session's seccomp
                 # filter denies; the session sandbox contains it instead.
                 "--no-sandbox", "--no-zygote", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", f"--window-size={w},{h}", "--window-position=0,0",
                 "--disable-sync", "--disable-extensions", "--disable-background-networking",
                 "--disable-component-update", "--disable-default-apps", "--disable-translate",
                 "--disable-notifications", "--disable-print-preview", "--noerrdialogs",
                 "--disable-breakpad", "--disable-crash-reporter",
                 "--password-store=basic", "--disable-features=Translate,MediaRouter",
                 "--autoplay-policy=user-gesture-required", "--mute-audio", "--log-level=3",
                 url]
        self._spawn(c_cmd, env, "chromium", wait_for=self.vnc_socket)

    @staticmethod
    def _wait_for(path: str, tries: int = 200) -> None:
        import time

        for _ in range(tries):
            if os.path.exists(path):
                break
            time.sleep(0.05)

    def _spawn(self, cmd, env, name, wait_for: str | None = None, pass_fds=()) -> int:
        if wait_for:
            self._wait_for(wait_for)
        # output goes to the server's log (outside the sandbox, not readable by the kernel)
        p = subprocess.Popen(cmd, env=env, stdout=sys.stderr, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.dir,
                             pass_fds=pass_fds)
        self.procs.append(p)
        self.log.info("enclave desktop: started %s (pid %s)", name, p.pid)
        return p.pid

    @staticmethod
    def _free_display() -> int:
        for n in range(1, 100):
            if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
                return n
        raise RuntimeError("no free X display number")

    def check_kiosk_key(self, key: str) -> bool:
        """The kiosk browser's one-time login key (its launch URL)."""
        if self.kiosk_used or not key:
            return False
        ok = secrets.compare_digest(key, self.kiosk_key)
        if ok:
            self.kiosk_used = True
            self.forget_xauthority()  # the kiosk is connected to the display by now
        return ok

    def forget_xauthority(self) -> None:
        try:
            os.unlink(self.xauthority)
        except FileNotFoundError:
            pass

    def check_kiosk_cookie(self, value: str) -> bool:
        return bool(value) and secrets.compare_digest(value, self.kiosk_cookie)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


DESKTOP: Desktop | None = None


def setup(serverapp, guard) -> None:
    """Register the desktop handlers and, once the server listens, the loopback listener and
    the desktop processes."""
    import atexit

    from tornado.netutil import bind_sockets

    from hub_config.singleuser.desktop_handlers import handlers

    global DESKTOP
    base = serverapp.base_url
    DESKTOP = Desktop(guard.desktop_geometry, base, serverapp.log,
                      InputLimits(**guard.desktop_input))
    serverapp.web_app.add_handlers(".*$", handlers(base, DESKTOP))

    def listen_and_start(tries=[0]):
        # the single-user app creates its HTTP server after the extensions load
        if getattr(serverapp, "_http_server", None) is None and tries[0] < 300:
            tries[0] += 1
            serverapp.io_loop.call_later(0.1, listen_and_start)
            return
        try:
            socks = bind_sockets(0, "127.0.0.1")
            from hub_config.singleuser import routes
            from hub_config.singleuser.desktop_handlers import loopback_gate

            routes.LOOPBACK_GATE = loopback_gate(DESKTOP)  # before anything can connect
            serverapp.http_server.add_sockets(socks)
            DESKTOP.start(socks[0].getsockname()[1])
            # if the kiosk never logs in, the X cookie's file goes anyway
            serverapp.io_loop.call_later(120, DESKTOP.forget_xauthority)
        except Exception as e:  # noqa: BLE001 - the page says why instead of a dead desktop
            DESKTOP.error = f"could not start: {e}"
            serverapp.log.exception("enclave desktop: could not start")

    serverapp.io_loop.add_callback(listen_and_start)
    atexit.register(DESKTOP.stop)
