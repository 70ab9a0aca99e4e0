"""A real JupyterHub (+ configurable-http-proxy, + warden service) for tests and the benchmark.

``HubHarness`` makes a short, lower-case ENCLAVE_HOME under /tmp (unix socket paths), a
migrated SQLite state DB, accounts/cases/bookings/extracts written directly as rows and files,
starts ``jupyterhub`` as a subprocess on free loopback ports and stops it afterwards.
``HubUser`` logs in like a browser (xsrf cookie + form), starts a server through the hub API,
and runs code in a kernel over the kernel websocket, all through the proxy.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from enclave.accounts.models import User, UserRole
from enclave.accounts.passwords import hash_password
from enclave.bookings.models import Booking
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, upgrade, utcnow
from enclave.settings import EnclaveSettings
from hub_config.launch import HubOptions, free_port, start_hub, stop_hub
from tests.services.accredit import accredit

PASSWORD = "Corr3ct-Horse-Battery"


def _share_master_key(settings: EnclaveSettings) -> None:
    """One enclave, one master key: the hub (its own ENCLAVE_HOME) and this test process both
    append to the audit chain, which is keyed with the master key (enclave/audit/keys.py)."""
    from datasets import keyring
    from enclave.settings import get_settings

    mine = keyring.master_key(get_settings(), create=True)
    dest = keyring.master_key_path(settings)
    if dest.exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(mine)


class HubHarness:
    def __init__(self, spawner: str = "sandbox", backend: str = "local", ldap: dict | None = None,
                 egress_url: str = "", policy_dir: str = "", access_mode: str = "on_site",
                 seat_address: str = "127.0.0.1", sessions_yaml: str = "") -> None:
        self.home = Path(tempfile.mkdtemp(prefix="enc", dir="/tmp"))
        os.chmod(self.home, 0o755)
        self.settings = EnclaveSettings(home=self.home)
        _share_master_key(self.settings)
        self.db_url = self.settings.db_url  # sqlite:///<home>/state.db unless ENCLAVE_DB_URL
        upgrade(self.db_url)
        # S1/S4: the policy's access mode.  on_site (the default here): every booked seat is
        # the workstation at seat_address, i.e. this test process; remote: pixels only.
        self.access_mode, self.seat_address = access_mode, seat_address
        policy_dir = self._policy_with_access_mode(policy_dir, access_mode, sessions_yaml)
        self.opts = HubOptions(port=free_port(), proxy_api_port=free_port(), backend=backend,
                               ldap=ldap or {}, egress_url=egress_url, spawner=spawner,
                               policy_dir=policy_dir)
        self.url = f"http://127.0.0.1:{self.opts.port}"
        self.proc = None
        self.log = self.home / "hub.log"
        self._seat = 0

    def _policy_with_access_mode(self, base: str, mode: str, extra: str = "") -> str:
        from policies.loader import POLICY_ROOT

        d = self.home / "policy"
        d.mkdir()
        (d / "policy.yaml").write_text(f"name: test-{mode}\n"
                                       f"extends: {base or POLICY_ROOT / 'nhi_centre'}\n")
        (d / "sessions.yaml").write_text(f"access_mode: {mode}\n{self._id_bases()}{extra}")
        return str(d)

    _made = 0  # harnesses made in this process

    @classmethod
    def _id_bases(cls) -> str:
        """uid/gid bases of this harness's own: the launcher refuses a uid that runs a sandbox
        of another case (hub_config.sandbox_uids), and two harnesses of two test processes at
        once (xdist) would otherwise both give account 1 uid 200 001, in cases of theirs."""
        cls._made += 1
        base = 10_000_000 + ((os.getpid() % 5_000) * 16 + cls._made % 16) * 2_000
        return (f"sandbox_uid_base: {base}\nsandbox_gid_base: {base + 1_000}\n"
                f"broker_uid_base: {base + 1_500}\n")

    # ------------------------------------------------------------- rows
    def add_user(self, name: str, roles=("researcher",), password: str = PASSWORD,
                 changed_days_ago: float = 1, status: str = "active") -> int:
        with session_scope(self.db_url) as s:
            u = User(username=name, password_hash=hash_password(password), source="local",
                     password_changed_at=utcnow() - dt.timedelta(days=changed_days_ago),
                     status=status)
            u.roles = [UserRole(role=r) for r in roles]
            s.add(u)
            s.flush()
            accredit(s, u)
            return u.id

    def researcher_code(self, name: str) -> str:
        """A researcher's current TOTP code (tests/services/authenticator.py)."""
        from tests.services.authenticator import researcher_code

        return researcher_code(self.db_url, name)

    def add_case(self, code: str, members: list[str], status: str = "active",
                 paid: bool = True, tables: dict[str, list[dict]] | None = None) -> int:
        now = utcnow()
        with session_scope(self.db_url) as s:
            c = Case(code=code, title=f"case {code}", status=status,
                     period_start=now - dt.timedelta(days=30),
                     period_end=now + dt.timedelta(days=300),
                     paid_at=now - dt.timedelta(days=20) if paid else None)
            s.add(c)
            s.flush()
            for m in members:
                uid = s.query(User).filter_by(username=m).one().id
                s.add(CaseMember(case_id=c.id, user_id=uid))
            cid = c.id
        self.write_extract(code, tables or {"patients": [{"pid": "p1", "age": 40},
                                                         {"pid": "p2", "age": 51}]})
        return cid

    def write_extract(self, code: str, tables: dict[str, list[dict]]) -> Path:
        import pyarrow as pa

        from datasets.parquet_crypto import write_case_table

        d = self.settings.projects_dir / code / "data"
        d.mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():   # encrypted at rest with the case's key (O3)
            write_case_table(pa.Table.from_pylist(rows), d / f"{name}.parquet", code, self.settings)
        (d / "SECRET.txt").write_text(f"case {code} only\n")
        return d

    def set_case_status(self, code: str, status: str) -> None:
        with session_scope(self.db_url) as s:
            s.query(Case).filter_by(code=code).one().status = status

    def add_booking(self, user: str, case: str, start: dt.datetime, end: dt.datetime,
                    kind: str = "interactive", created_at: dt.datetime | None = None) -> int:
        with session_scope(self.db_url) as s:
            self._seat += 1
            b = Booking(case_id=s.query(Case).filter_by(code=case).one().id,
                        user_id=s.query(User).filter_by(username=user).one().id,
                        slot_name="test", starts_at=start, ends_at=end, seat_no=self._seat,
                        kind=kind, created_at=created_at or utcnow())
            s.add(b)
            self._register_seat(s, self._seat, [self.seat_address])
            s.flush()
            return b.id

    @staticmethod
    def _register_seat(s, number: int, addresses: list[str]) -> None:
        """Seat rows written directly (every test seat is this host, which the registration
        service would refuse: one address, one workstation)."""
        from hub_config.seats.models import Seat

        seat = s.query(Seat).filter_by(number=number).one_or_none()
        if seat is None:
            s.add(Seat(number=number, label=f"test seat {number}", addresses=",".join(addresses),
                       registered_by="test"))
        else:
            seat.addresses = ",".join(addresses)

    def set_seat(self, number: int, addresses: list[str]) -> None:
        with session_scope(self.db_url) as s:
            self._register_seat(s, number, addresses)

    def book_now(self, user: str, case: str, end: dt.datetime | None = None,
                 start: dt.datetime | None = None) -> int:
        """A slot open now: from five minutes ago to ``end`` (two hours from now unless given)."""
        now = utcnow()
        return self.add_booking(user, case, start or now - dt.timedelta(minutes=5),
                                end or now + dt.timedelta(hours=2))

    def booking(self, booking_id: int) -> Booking:
        with session_scope(self.db_url) as s:
            b = s.get(Booking, booking_id)
            s.expunge(b)
            return b

    # ------------------------------------------------------------- process
    def start(self) -> "HubHarness":
        self.proc = start_hub(self.settings, self.opts, self.log)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_hub(self.proc)
            self.proc = None
        # the hub lets its workspace images go when it exits; not when it was killed
        from hub_config import workspace_disk

        workspace_disk.release_all(self.settings.projects_dir)
        shutil.rmtree(self.home, ignore_errors=True)

    @contextlib.contextmanager
    def running(self, tail: int = 8000, logs_to: str | Path | None = None):
        """Start the hub; on a failure while it runs print the log's tail; always stop it.
        ``logs_to``: also write the hub's and the sessions' logs there (for a failed CI run)."""
        self.start()
        try:
            yield self
        except BaseException:
            print(self.log_text()[-tail:])
            raise
        finally:
            if logs_to:
                Path(logs_to).write_text(self.all_logs())
            self.stop()

    def all_logs(self) -> str:
        logs = [self.log, *sorted((self.settings.run_dir / "sandbox" / "logs").glob("*.log"))]
        return "".join(f"==== {p}\n" + p.read_text(errors="replace") for p in logs if p.exists())

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def user(self, name: str, password: str = PASSWORD) -> "HubUser":
        return HubUser(self, name, password)

    def session_user(self, name: str, spawn: bool = True) -> "HubUser":
        """``name`` logged in (the log-in must pass), with an API token and, unless told
        otherwise, a running server."""
        u = self.user(name)
        assert u.login().status_code == 302, f"{name} could not log in"
        u.make_token()
        if spawn:
            u.spawn()
        return u


class HubUser:
    def __init__(self, hub: HubHarness, name: str, password: str) -> None:
        self.hub, self.name, self.password = hub, name, password
        self.http = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60)
        self.token: str | None = None

    def xsrf(self) -> str:
        return self.http.cookies.get("_xsrf", path="/hub/") or self.http.cookies.get("_xsrf") or ""

    def login(self, otp: str | None = None) -> httpx.Response:
        """Log in with the form.  ``otp``: the one-time code to send; None lets the harness's
        authenticator give a researcher her current code (HubHarness.researcher_code); ""
        sends none."""
        if otp is None:
            otp = self.hub.researcher_code(self.name)
        self.http.get("/hub/login")
        data = {"username": self.name, "password": self.password, "_xsrf": self.xsrf()}
        if otp:
            data["otp"] = otp  # the TOTP field of the one log-in (enclave.identity.login)
        return self.http.post("/hub/login", data=data)

    def hub_api(self, method: str, path: str, **kw) -> httpx.Response:
        headers = kw.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        else:
            headers["X-XSRFToken"] = self.xsrf()
        return self.http.request(method, f"/hub/api{path}", headers=headers, **kw)

    def make_token(self) -> str:
        r = self.hub_api("POST", f"/users/{self.name}/tokens", json={"note": "test"})
        r.raise_for_status()
        self.token = r.json()["token"]
        return self.token

    def spawn(self, timeout: float = 90) -> httpx.Response:
        r = self.hub_api("POST", f"/users/{self.name}/server")
        if r.status_code not in (201, 202):
            return r
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            u = self.hub_api("GET", f"/users/{self.name}").json()
            srv = u.get("servers", {}).get("")
            if srv and srv.get("ready"):
                return r
            if not srv or (not srv.get("pending") and not srv.get("ready")):
                raise RuntimeError(f"server for {self.name} failed to start:\n"
                                   + self.hub.log_text()[-4000:])
            time.sleep(0.3)
        raise RuntimeError(f"server for {self.name} not ready in {timeout}s")

    def server(self, method: str, path: str, **kw) -> httpx.Response:
        headers = kw.pop("headers", {})
        headers["Authorization"] = f"token {self.token}"
        url = f"/user/{self.name}{path}"
        r = self.http.request(method, url, headers=headers, **kw)
        # A 503 rendered by the hub is never the session server's answer: the proxy could not
        # hand the request over (its error target is the hub's error page) or the hub saw the
        # server pending.  The server never read that request, so sending it again is safe.
        # (The proxy's EPIPE on unix-socket targets is fixed and tested on its own in
        # test_proxy_unix_keepalive.py; this keeps a loaded host's hiccup from failing tests
        # about what the server answers, and prints the proxy's errors if it persists.)
        for pause in (0.25, 0.5, 1.0, 2.0):
            # (every page the hub renders defines window.jhdata, whatever its title)
            if not (r.status_code == 503 and "window.jhdata" in r.text):
                return r
            time.sleep(pause)
            r = self.http.request(method, url, headers=headers, **kw)
        if r.status_code == 503:
            proxy_errors = [ln for ln in self.hub.log_text().splitlines()
                            if "[ConfigProxy]" in ln and "error" in ln]
            print(f"{method} {url}: still 503 after 5 tries; proxy errors:\n"
                  + "\n".join(proxy_errors[-10:]) + "\nhub log tail:\n"
                  + self.hub.log_text()[-3000:])
        return r

    def page_config(self) -> dict:
        """The JupyterLab page's jupyter-config-data, as the browser gets it from /lab."""
        import re

        r = self.server("GET", "/lab")
        assert r.status_code == 200, r.text[:300]
        m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      r.text, re.S)
        return json.loads(m.group(1))

    # In remote access mode (S1) the Jupyter API answers only inside the session: the
    # researcher types into JupyterLab on the remote desktop.  Tests that play that typing reach
    # the server's own unix socket directly, as root on this host, without the proxy - which is
    # what "inside" means to the session's browser guard (no X-Forwarded-For).
    inside: bool = False

    def _session_socket(self) -> str:
        import re
        from urllib.parse import unquote

        routes = re.findall(rf"Adding user {re.escape(self.name)} to proxy \S+ => "
                            r"http\+unix://([^:\s]+)", self.hub.log_text())
        if not routes:
            raise RuntimeError(f"no proxy route for {self.name} in the hub log")
        return unquote(routes[-1])

    def _remote_refusal(self, r: httpx.Response) -> bool:
        return r.status_code == 403 and "remote desktop only" in r.text

    def start_kernel(self) -> str:
        # a GET tells whether this session is remote-only (cheaper than a refused POST)
        if self.inside or self._remote_refusal(self.server("GET", "/api/status")):
            self.inside = True
            with httpx.Client(transport=httpx.HTTPTransport(uds=self._session_socket()),
                              base_url="http://session", timeout=60) as c:
                r = c.post(f"/user/{self.name}/api/kernels", json={"name": "python3"},
                           headers={"Authorization": f"token {self.token}"})
        else:
            r = self.server("POST", "/api/kernels", json={"name": "python3"})
        r.raise_for_status()
        return r.json()["id"]

    def _kernel_socket(self, kid: str, timeout: float):
        import socket

        import websocket

        path = f"/user/{self.name}/api/kernels/{kid}/channels"
        hdr = [f"Authorization: token {self.token}"]
        if self.inside:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self._session_socket())
            return websocket.create_connection(f"ws://session{path}", header=hdr, socket=s,
                                               timeout=timeout)
        return websocket.create_connection(
            f"{'wss' if self.hub.url.startswith('https') else 'ws'}://127.0.0.1:"
            f"{self.hub.opts.port}{path}", header=hdr, timeout=timeout)

    def messages(self, code: str, kernel_id: str | None = None, timeout: float = 60,
                 stop_on_error: bool = True, until_reply: bool = False) -> list[dict]:
        """Run code in a kernel over the websocket (through the proxy, or inside in remote
        mode) as the browser does; return every message of that execution, as the browser
        receives it, up to the kernel's idle status (``until_reply``: and its execute_reply)."""
        kid = kernel_id or self.start_kernel()
        ws = self._kernel_socket(kid, timeout)
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                           "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": stop_on_error}}))
            got: list[dict] = []
            replied, idle = not until_reply, False
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not (replied and idle):
                m = json.loads(ws.recv())
                if m.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                got.append(m)
                replied |= m["msg_type"] == "execute_reply"
                idle |= m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
            return got
        finally:
            ws.close()

    def execute(self, code: str, kernel_id: str | None = None, timeout: float = 60) -> str:
        """Run code in a kernel (see messages); return its output."""
        out = []
        for m in self.messages(code, kernel_id, timeout):
            t, c = m["msg_type"], m["content"]
            if t == "stream":
                out.append(c["text"])
            elif t in ("execute_result", "display_data"):
                out.append(c["data"].get("text/plain", ""))
            elif t == "error":
                out.append(f"ERROR {c['ename']}: {c['evalue']}")
        return "".join(out)


def login_page_error(resp: httpx.Response) -> str:
    """The error the hub's login page shows (its whole text when it shows none)."""
    m = re.search(r'class="alert alert-danger"[^>]*>\s*(.*?)\s*</', resp.text, re.S)
    return m.group(1) if m else resp.text


def lab_label_zh(label: str, context: str = "") -> str:
    """A JupyterLab label as the session's zh-TW language pack shows it (untranslated ones
    stay English)."""
    import jupyterlab_language_pack_zh_TW as pack

    cat = json.loads((Path(pack.__file__).parent / "locale/zh_TW/LC_MESSAGES/jupyterlab.json")
                     .read_text(encoding="utf-8"))
    for key in ((f"{context}\u0004{label}",) if context else ()) + (label,):
        if isinstance(cat.get(key), list) and cat[key]:
            return cat[key][0]
    return label
