"""The real thing: JupyterHub 6 + configurable-http-proxy + warden + namespace sandboxes.

One hub for the module.  People:
  alice  researcher, booked now, case C1            -> logs in, spawns, kernel + broker attacks
  erin   researcher, booked until ~50 s from start  -> server cut off at slot end
  bob    researcher, no booking                     -> login refused
  carol  researcher, booked, case suspended         -> login refused
  dave   researcher, booked, password 100 days old  -> login refused (A4)
  frank  researcher, slot ended without a login     -> no_show (S3)
  hank   admin (+researcher), no booking            -> may log in, spawn refused (pre-spawn hook)
  gil    researcher, C1 until ~70 s, then C2 at once -> the C1 session is cut off (S3)
  ivy    researcher, C1 until ~70 s, then C1 again   -> the session runs on
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
from hub_config.launch import socket_root_for
from hub_config.lockdown import LOCKED_PLUGINS
from tests.services.hub import HubHarness, lab_label_zh, login_page_error

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

ERIN_SLOT_SECONDS = 50
NEXT_CASE_SECONDS = 70   # gil's and ivy's first slots


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    now = utcnow()
    for name in ("alice", "erin", "bob", "carol", "frank", "gil", "ivy"):
        h.add_user(name)
    h.add_user("dave", changed_days_ago=100)
    h.add_user("hank", roles=("admin", "researcher"))
    h.add_case("C1", ["alice", "erin", "dave", "frank", "gil", "ivy"],
               tables={"patients": [{"pid": f"p{i}", "age": 20 + i} for i in range(30)]})
    h.add_case("C2", ["alice", "gil"], tables={"other_case": [{"pid": "zz", "secret": 1}]})
    h.add_case("C3", ["carol"], status="suspended")
    h.bookings = {
        "alice": h.book_now("alice", "C1"),
        "erin": h.book_now("erin", "C1", now + dt.timedelta(seconds=ERIN_SLOT_SECONDS)),
        "carol": h.book_now("carol", "C3"),
        "dave": h.book_now("dave", "C1"),
        "frank": h.add_booking("frank", "C1", now - dt.timedelta(hours=4),
                               now - dt.timedelta(minutes=10)),
    }
    turn = now + dt.timedelta(seconds=NEXT_CASE_SECONDS)   # back to back: gil's next is C2's
    h.bookings["gil"] = h.book_now("gil", "C1", turn)
    h.add_booking("gil", "C2", turn, turn + dt.timedelta(hours=2))
    h.bookings["ivy"] = h.book_now("ivy", "C1", turn)
    h.add_booking("ivy", "C1", turn, turn + dt.timedelta(hours=2))
    with h.running():
        # erin's session starts first so that her slot end falls inside this module's run
        erin = h.session_user("erin", spawn=False)
        alice = h.session_user("alice", spawn=False)
        erin.spawn()
        h.erin_token_worked = erin.hub_api("GET", "/user").json()["servers"] != {}
        gil, ivy = h.session_user("gil"), h.session_user("ivy")
        alice.spawn()
        h.people = {"erin": erin, "alice": alice, "gil": gil, "ivy": ivy}
        yield h


@pytest.fixture(scope="module")
def alice(hub):
    return hub.people["alice"]


@pytest.fixture(scope="module")
def kernel(alice):
    return alice.start_kernel()


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
    assert reason in login_page_error(r)
    assert "hub/spawn" not in r.headers.get("location", "")


def test_spawn_refused_by_pre_spawn_hook_without_booking(hub):
    from enclave.accounts.models import User
    from tests.identity.helpers import code_at, enrol_totp

    hank = hub.user("hank")
    r = hank.login(otp="")  # staff log in with a TOTP code (A4): hank has none yet
    assert r.status_code == 403 and "enrol" in login_page_error(r)
    with session_scope(hub.db_url) as s:
        totp = enrol_totp(s, s.query(User).filter_by(username="hank").one())
    assert hank.login(otp="000000").status_code == 403
    assert hank.login(otp=code_at(totp, utcnow())).status_code == 302  # administrators may log in off-slot
    r = hank.hub_api("POST", "/users/hank/server")
    assert r.status_code == 403 and "no booked slot" in r.text
    with session_scope(hub.db_url) as s:
        assert s.query(AuditRecord).filter_by(actor="hank", action="session.spawn_refused").count()


def test_cutoff_endpoint_refuses_a_researcher(alice, hub):
    """Only the warden (tokens scope over every user) may cut a session off early."""
    erin = hub.people["erin"]
    r = alice.hub_api("POST", "/enclave/cutoff/erin")
    # JupyterHub answers 404 "No access to resources" so as not to confirm that erin exists
    assert r.status_code in (403, 404) and "No access" in r.json()["message"], r.text
    if utcnow() < hub.booking(hub.bookings["erin"]).ends_at:  # else the warden was right to
        assert erin.hub_api("GET", "/user").status_code == 200  # erin is untouched
        with session_scope(hub.db_url) as s:
            assert not s.query(AuditRecord).filter_by(action="session.cutoff",
                                                      subject="erin").all()


def test_no_show_recorded_by_warden(hub):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and hub.booking(hub.bookings["frank"]).status == "booked":
        time.sleep(1)
    assert hub.booking(hub.bookings["frank"]).status == "no_show"


# ------------------------------------------------------------------ inside the kernel
def test_kernel_has_no_network(alice, kernel, hub):
    """S7: no route out, no DNS, no host loopback service - the session cannot be dual-homed."""
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


def test_proxy_routing_api_only_for_root(alice, kernel, hub):
    """The proxy's routing API (who reaches which session) listens on no TCP port, only on a
    unix socket in a root-only directory; the kernel can neither see nor reach it."""
    import os
    import socket
    import stat

    from hub_config.launch import socket_root_for

    d = socket_root_for(hub.settings) / "proxy"
    st = os.stat(d)
    assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o700, oct(st.st_mode)
    assert stat.S_ISSOCK(os.stat(d / "api.sock").st_mode)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", hub.opts.proxy_api_port)) != 0  # no TCP listener
    out = alice.execute(f"import os, socket\n"
                        f"print('SEEN', os.path.exists({str(d / 'api.sock')!r}))\n"
                        f"s = socket.socket(socket.AF_UNIX)\n"
                        f"try:\n    s.connect({str(d / 'api.sock')!r}); print('CONNECTED')\n"
                        f"except OSError as e:\n    print('REFUSED', e.errno)", kernel)
    assert "CONNECTED" not in out and "SEEN False" in out, out


def test_kernel_pip_install_cannot_work(alice, kernel):
    out = alice.execute("import subprocess, sys\n"
                        "p = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-cache-dir',"
                        " '--target', '/tmp/x', 'six'], capture_output=True, text=True, timeout=60)\n"
                        "print('RC', p.returncode)\nprint(p.stdout[-300:], p.stderr[-300:])", kernel,
                        timeout=120)
    assert "RC 0" not in out and "RC " in out, out


def test_kernel_files_devices_and_uid(alice, kernel, hub):
    """S1: no USB or block devices, an unprivileged uid, no other case's data."""
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
open("/workspace/mine.txt", "w").write("ok"); print("WS ok")
"""
    out = alice.execute(code, kernel)
    uid = int(re.search(r"UID (\d+)", out).group(1))
    assert uid != 0 and uid >= 200000
    devs = eval(re.search(r"DEV (\[.*\])", out).group(1))
    assert not [d for d in devs if re.match(r"(sd|vd|hd|nvme|sr|loop|usb|bus|mem|kmem|port)", d)]
    assert "READ" not in out and out.count("noread") == 3, out
    assert "WROTE" not in out and "nowrite" in out
    assert "WS ok" in out


def test_kernel_sees_only_allowed_parts_of_host_etc(alice, kernel):
    """The host's /etc is not bound whole: its name, machine id, mounts, package-index and
    proxy settings are not the session's business (some hold credentials)."""
    host_only = [p for p in ("/etc/machine-id", "/etc/hostname", "/etc/fstab", "/etc/pip.conf",
                             "/etc/apt", "/etc/environment", "/etc/postgresql", "/etc/ldap",
                             "/etc/jupyter") if os.path.exists(p)]
    assert host_only, "the host should have some of these for the test to mean anything"
    code = f"""
import os, mimetypes, time, pandas, matplotlib
print("SEEN", [p for p in {host_only!r} if os.path.exists(p)])
print("ETC", sorted(os.listdir("/etc")))
print("TZ", time.tzname, mimetypes.guess_type("x.csv")[0])
"""
    out = alice.execute(code, kernel)
    assert "SEEN []" in out, out
    etc = eval(re.search(r"ETC (\[.*\])", out).group(1))
    from hub_config.spawner import ETC_ALLOWED

    # generated by the sandbox: identities, no resolver, and IPython's read-only system config
    # (ignore_cwd: a module planted in the working directory is never imported) and
    # /etc/enclave/python, the read-only sitecustomize that sets a planted matplotlibrc aside
    generated = {"passwd", "group", "hosts", "resolv.conf", "ipython", "enclave"}
    assert set(etc) <= set(ETC_ALLOWED) | generated, set(etc) - set(ETC_ALLOWED) - generated
    assert "text/csv" in out  # what sessions need from /etc still works


def test_a_pdbrc_in_the_workspace_or_home_is_never_read(alice, kernel):
    """S1: another member's .pdbrc in the shared folder does not run in this kernel's debugger
    (the sandbox's IPython config, hub_config.spawner.kernel_config)."""
    code = """
import os, pdb
from IPython.core.debugger import Pdb
places = [os.getcwd(), os.path.expanduser("~")]
for d in places:
    open(os.path.join(d, ".pdbrc"), "w").write("!open('RAN', 'w')\\n")
print("RC", pdb.Pdb().rcLines, Pdb().rcLines, os.path.exists("RAN"))
for d in places:
    os.remove(os.path.join(d, ".pdbrc"))
"""
    out = alice.execute(code, kernel)
    assert "RC [] [] False" in out, out


def test_kernel_cannot_read_its_own_case_data_directly(alice, kernel, hub):
    """A3: the extract is not in the sandbox, so plain duckdb/pandas/open() cannot bypass the
    logged broker - not at /case/data, not at its host path, not anywhere."""
    own = hub.settings.projects_dir / "C1" / "data"
    code = f"""
import os, duckdb, pandas as pd
print("CASE", os.path.exists("/case"), os.path.exists({str(own)!r}))
for what, fn in [
    ("open", lambda: open({str(own / "patients.parquet")!r}, "rb").read(4)),
    ("open_case", lambda: open("/case/data/patients.parquet", "rb").read(4)),
    ("pandas", lambda: pd.read_parquet({str(own / "patients.parquet")!r})),
    ("duckdb", lambda: duckdb.connect().sql("select * from read_parquet('{own}/*.parquet')").fetchall()),
    ("duckdb_case", lambda: duckdb.connect().sql("select * from '/case/data/*.parquet'").fetchall()),
]:
    try:
        fn(); print("GOT", what)
    except Exception as e:
        print("refused", what, type(e).__name__)
found = []
for top in ["/", ]:
    for d, dirs, files in os.walk(top):
        if d.startswith(("/proc", "/usr", "/sys")) or d.startswith(os.path.realpath(os.__file__).rsplit("/lib/", 1)[0]):
            dirs[:] = []
            continue
        found += [os.path.join(d, f) for f in files if f.endswith(".parquet") or f == "SECRET.txt"]
print("FOUND", found)
"""
    out = alice.execute(code, kernel, timeout=120)
    assert "CASE False False" in out, out
    assert "GOT" not in out and out.count("refused") == 5, out
    assert "FOUND []" in out, out


def test_broker_runs_as_its_own_uid_with_only_its_case(alice, hub):
    """Seen from the host (root): alice's broker is a process of uid broker_uid_base + C1's id,
    not alice's session uid; its root holds C1's extract at /case/data and nothing of C2."""
    from enclave.cases.models import Case
    from policies import load_policy

    with session_scope(hub.db_url) as s:
        c1 = s.query(Case).filter_by(code="C1").one().id
    want = load_policy(hub.opts.policy_dir or None).sessions.broker_uid_base + c1
    from tests.session.conftest import broker_pids

    # this hub's brokers only (by their socket under this hub's socket root): another hub on the
    # machine (a parallel test worker) has brokers of the same uid for its own case 1
    brokers = []
    for pid in broker_pids(str(socket_root_for(hub.settings))):
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        brokers.append((pid, int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))))
    mine = [(pid, uid) for pid, uid in brokers if uid == want]
    assert mine, brokers
    # its mount namespace: (root within the source fs, mount point) of every mount
    mounts = [line.split()[3:5] for line in open(f"/proc/{mine[0][0]}/mountinfo")]
    data = [src for src, dst in mounts if dst == "/case/data"]
    assert len(data) == 1 and data[0].endswith("/C1/data"), mounts
    assert not [m for m in mounts if "/C2" in m[0] or "workspace" in m[0] + m[1]], mounts


def _broker_code(body: str) -> str:
    return ("import os\nfrom enclave.session import connect, QueryError, QueryLogError, "
            "BrokerConnection\n" + body)


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
        q = s.query(AuditRecord).filter_by(
            actor="alice", action="session.query",
            reason="count patients for aim 1 of the protocol").all()
        p = s.query(AuditRecord).filter_by(actor="alice", action="session.purpose").all()
    assert [r.subject for r in q] == ["select count(*) from patients"]
    assert q[0].case_code == "C1" and q[0].reason == "count patients for aim 1 of the protocol"
    assert p and p[0].case_code == "C1"


def test_query_log_cannot_be_written_from_the_kernel(alice, kernel, hub):
    """Only the broker, which logs a query before it runs it, reaches the warden's log: the
    kernel cannot add records for queries never run, even with its own valid hub token."""
    sock = socket_root_for(hub.settings) / "warden" / "warden.sock"
    assert sock.exists()  # on the host
    code = f"""
import os, httpx
print("EXISTS", os.path.exists({str(sock)!r}), os.path.exists({str(sock.parent)!r}))
try:
    c = httpx.Client(transport=httpx.HTTPTransport(uds={str(sock)!r}), base_url="http://w")
    r = c.post("/api/session-log", json={{"event": "query", "purpose": "x" * 20, "sql": "select 1"}},
               headers={{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}})
    print("STATUS", r.status_code)
except Exception as e:
    print("NOCONNECT", type(e).__name__)
"""
    out = alice.execute(code, kernel)
    assert "EXISTS False False" in out and "NOCONNECT" in out and "STATUS" not in out, out


ESCAPES = {
    "other_case": "select * from read_parquet('{other}')",
    "other_case_rel": "select * from read_parquet('/case/data/../../{other_rel}')",
    "copy": "COPY (select * from patients) TO '/tmp/out.csv'",
    "copy_data": "COPY (select * from patients) TO '/case/data/out.csv'",
    "attach": "ATTACH '/tmp/x.duckdb'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "passwd": "select * from read_csv('/etc/passwd')",
    "set": "SET enable_external_access=true",
}


def test_broker_refuses_escapes(alice, kernel, hub):
    other = hub.settings.projects_dir / "C2" / "data" / "other_case.parquet"
    sqls = {k: v.format(other=other, other_rel="C2/data/other_case.parquet")
            for k, v in ESCAPES.items()}
    out = alice.execute(_broker_code(f"""
con = connect("checking what the broker refuses, aim 0")
print("TABLES", con.tables())
for name, sql in {sqls!r}.items():
    try:
        con.sql(sql); print("RAN", name)
    except QueryError as e:
        print("REFUSED", name, str(e)[:80].replace(chr(10), " "))
print("STILL", con.sql("select count(*) from patients").fetchall())
"""), kernel)
    assert "RAN" not in out and out.count("REFUSED") == len(ESCAPES), out
    assert "STILL [(30,)]" in out and "TABLES ['patients']" in out, out


def test_broker_refuses_another_users_or_forged_credential(alice, kernel, hub):
    erin = hub.people["erin"]  # a real, valid hub token - of another user
    out = alice.execute(_broker_code(f"""
url = os.environ["ENCLAVE_BROKER_URL"]
from urllib.parse import unquote
sock = unquote(url[len("http+unix://"):].split("/")[0])
print("BROKERS", sorted(os.listdir(os.path.dirname(os.path.dirname(sock)))))
for label, auth in [("forged", "token not-a-real-token"), ("erin", "token {erin.token}"),
                    ("job", "job whatever")]:
    try:
        BrokerConnection("a purpose long enough", url, auth); print("ACCEPTED", label)
    except QueryError as e:
        print("REFUSED", label, e)
"""), kernel)
    assert "ACCEPTED" not in out and out.count("credential refused") == 3, out
    assert "BROKERS ['alice']" in out, out  # erin's broker is not even in alice's sandbox


def test_every_broker_query_is_audited_with_purpose(alice, kernel, hub):
    purpose = "age distribution for aim 2, audit test"
    sqls = ["select min(age), max(age) from patients", "select age, count(*) from patients group by age",
            "select * from read_csv('/etc/passwd')"]
    out = alice.execute(_broker_code(f"""
con = connect({purpose!r})
for sql in {sqls!r}:
    try:
        print("ROWS", len(con.sql(sql).df()))
    except QueryError as e:
        print("REFUSED", e)
"""), kernel)
    assert out.count("ROWS") == 2 and out.count("REFUSED") == 1, out
    with session_scope(hub.db_url) as s:
        recs = s.query(AuditRecord).filter_by(actor="alice", action="session.query",
                                              reason=purpose).all()
    # the refused read_csv was an attempt: logged before DuckDB refused it
    assert [r.subject for r in recs] == sqls
    assert all(r.case_code == "C1" and r.component == "session" for r in recs)


def test_query_whose_audit_write_fails_does_not_run(alice, kernel, hub):
    from sqlalchemy import create_engine, text

    eng = create_engine(hub.db_url)
    pg = eng.dialect.name == "postgresql"
    with eng.begin() as c:  # the audit store fails this one record (and only this one)
        if pg:
            c.execute(text("CREATE FUNCTION fail_marked() RETURNS trigger AS $$ BEGIN "
                           "RAISE EXCEPTION 'audit store failure'; END $$ LANGUAGE plpgsql"))
            c.execute(text("CREATE TRIGGER fail_marked BEFORE INSERT ON audit_records FOR EACH "
                           "ROW WHEN (NEW.subject LIKE '%audit_fail_marker%') "
                           "EXECUTE FUNCTION fail_marked()"))
        else:
            c.execute(text("CREATE TRIGGER fail_marked BEFORE INSERT ON audit_records WHEN "
                           "NEW.subject LIKE '%audit_fail_marker%' BEGIN "
                           "SELECT RAISE(ABORT, 'audit store failure'); END"))
    try:
        out = alice.execute(_broker_code("""
con = connect("scratch table for the audit failure test")
try:
    con.execute("create table audit_fail_marker as select 1 as x"); print("RAN")
except QueryLogError as e:
    print("NOTRUN", e)
"""), kernel)
    finally:
        with eng.begin() as c:
            c.execute(text("DROP TRIGGER fail_marked" + (" ON audit_records" if pg else "")))
            if pg:
                c.execute(text("DROP FUNCTION fail_marked()"))
        eng.dispose()
    assert "NOTRUN" in out and "RAN" not in out, out
    out = alice.execute(_broker_code("""
con = connect("scratch table for the audit failure test")
try:
    print("EXISTS", con.sql("select * from audit_fail_marker").fetchall())
except QueryError as e:
    print("ABSENT", str(e)[:120])
"""), kernel)
    assert "ABSENT" in out and "audit_fail_marker" in out, out


# ------------------------------------------------------------------ lock-down
def test_files_nbconvert_terminals_refused(alice):
    """S1: no download or copy-out path through the server."""
    nb = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4,
                                          "nbformat_minor": 5}}
    assert alice.server("PUT", "/api/contents/t.ipynb", json=nb).status_code in (200, 201)
    assert alice.server("GET", "/files/t.ipynb").status_code == 404
    assert alice.server("GET", "/nbconvert/html/t.ipynb?download=true").status_code == 403
    assert alice.server("GET", "/api/nbconvert").status_code == 403
    assert alice.server("POST", "/api/terminals").status_code in (403, 404)  # guard: refused


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
    cfg = alice.page_config()
    disabled = cfg.get("disabledExtensions")
    disabled = set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
    assert set(LOCKED_PLUGINS) <= disabled


def test_lab_is_traditional_chinese_and_offline(alice):
    """#16: the session's JupyterLab starts in Traditional Chinese, fetches no news and checks no
    updates, and offers no help links to the internet; the user cannot change the defaults'
    source (read-only)."""
    def default(plugin: str, key: str):  # the overrides become the schema's defaults
        r = alice.server("GET", f"/lab/api/settings/{plugin}")
        assert r.status_code == 200, r.text[:300]
        return r.json()["schema"]["properties"][key]["default"]

    assert default("@jupyterlab/translation-extension:plugin", "locale") == "zh_TW"
    r = alice.server("GET", "/lab/api/translations/zh_TW")
    assert r.status_code == 200 and r.json()["data"], r.text[:300]
    assert default("@jupyterlab/apputils-extension:notification", "fetchNews") == "false"
    assert default("@jupyterlab/apputils-extension:notification", "checkForUpdates") is False
    disabled = alice.page_config().get("disabledExtensions")
    disabled = set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
    from hub_config.lockdown import OFFLINE_PLUGINS

    assert set(OFFLINE_PLUGINS) <= disabled


def _dismiss_dialogs(page, pw) -> list[str]:
    """Close JupyterLab's error dialogs and say what they were.  On a loaded machine the theme's
    stylesheet can come too late for Lab ("Error Loading Theme"), and the modal dialog then
    takes every click meant for the menus; what the menus hold is this test's subject."""
    seen = []
    for _ in range(5):
        dialog = page.locator(".jp-Dialog")
        if dialog.count() == 0:
            break
        seen.append(dialog.first.get_attribute("aria-label") or "")
        buttons = dialog.first.locator(".jp-Dialog-button")
        if buttons.count():
            buttons.last.click()
        else:
            page.keyboard.press("Escape")
        try:
            dialog.first.wait_for(state="detached", timeout=3_000)
        except pw.TimeoutError:
            continue
    return seen


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
            page.fill("input[name=otp]", hub.researcher_code("alice"))   # A4: her authenticator's code
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(re.compile(r".*/user/alice/lab.*"), timeout=90_000)
            page.wait_for_selector("#jp-MainMenu", timeout=90_000)
            try:   # Lab's start-up requests done, a late theme's dialog with them
                page.wait_for_load_state("networkidle", timeout=20_000)
            except pw.TimeoutError:
                pass   # Lab polls; the dialogs are looked for again before each click
            dismissed = _dismiss_dialogs(page, pw)
            # the first menu of the bar is File (檔案), whatever language it is shown in
            page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").first.click()
            page.wait_for_selector(".lm-Menu", timeout=10_000)
            file_menu = page.locator(".lm-Menu").first.inner_text()
            # close it before the next click: Escape reaches the menu only once it has the
            # focus, which on a loaded machine can come after the key (the open menu then
            # caught the right-click below); a click outside closes it too
            for _ in range(3):
                page.keyboard.press("Escape")
                try:
                    page.locator(".lm-Menu").first.wait_for(state="detached", timeout=3_000)
                    break
                except pw.TimeoutError:
                    page.mouse.click(2, 2)
            assert page.locator(".lm-Menu").count() == 0
            dismissed += _dismiss_dialogs(page, pw)
            # the file browser's context menu on a notebook
            item = page.locator(".jp-DirListing-item", has_text="t.ipynb").first
            item.click(button="right")
            page.wait_for_selector(".lm-Menu", timeout=10_000)
            context_menu = page.locator(".lm-Menu").first.inner_text()
        finally:
            browser.close()
    # only a late stylesheet is taken as the machine's load; any other dialog is a finding
    assert all("Theme" in d for d in dismissed), dismissed
    assert lab_label_zh("New", "menu") in file_menu and lab_label_zh("Save") in file_menu  # the menu did render
    for label, ctx in (("Download", ""), ("Save and Export Notebook As…", "menu"), ("Print…", "")):
        for shown in {label, lab_label_zh(label, ctx)}:
            assert shown not in file_menu, file_menu
    assert lab_label_zh("Open") in context_menu
    for label in ("Download", "Open in New Browser Tab", "Copy Shareable Link", "Copy Download Link"):
        for shown in {label, lab_label_zh(label)}:
            assert shown not in context_menu, context_menu


# ------------------------------------------------------------------ slot end (runs last)
def test_a_session_ends_with_its_slot_when_the_next_slot_is_another_cases(hub):
    """S3: gil's slot of C1 is followed at once by one of C2.  The gate lets her work on, but
    for C2: her C1 session is cut off at its slot's end, with the reason.  ivy's next slot is
    C1's again, so hers runs on (back-to-back slots of one case are one session)."""
    turn = hub.booking(hub.bookings["gil"]).ends_at
    deadline = turn + dt.timedelta(seconds=75)
    cut = []
    while not cut and utcnow() < deadline:
        with session_scope(hub.db_url) as s:
            cut = s.query(AuditRecord).filter_by(action="session.cutoff", subject="gil").all()
        time.sleep(1)
    assert cut, hub.log_text()[-3000:]
    assert turn <= dt.datetime.fromisoformat(cut[0].ts) <= deadline
    assert "C2" in (cut[0].reason or "") and "S3" in cut[0].reason, cut[0].reason
    gil = hub.people["gil"]
    assert gil.server("GET", "/api/status").status_code != 200
    ivy = hub.people["ivy"]
    assert ivy.server("GET", "/api/status").status_code == 200
    with session_scope(hub.db_url) as s:
        assert s.query(AuditRecord).filter_by(action="session.cutoff", subject="ivy").count() == 0


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
    assert cut[0].detail["tokens_revoked"] >= 1 and cut[0].detail["cookies_revoked"]
    assert erin.hub_api("GET", "/user").status_code == 403
    # Neither credential works alone: the token without the cookie, nor the browser's login
    # cookie without the token (the cookie is invalidated, not left to the next re-check).
    with httpx.Client(base_url=hub.url, timeout=30) as bare:
        r = bare.get("/hub/api/user", headers={"Authorization": f"token {erin.token}"})
        assert r.status_code == 403, r.text
    cookie_only = erin.http.get("/hub/api/user", headers={"X-XSRFToken": erin.xsrf()})
    assert cookie_only.status_code == 403, cookie_only.text
    home = erin.http.get("/hub/home")
    assert home.status_code == 302 and "/hub/login" in home.headers["location"]
    assert erin.server("GET", "/api/status").status_code != 200
    assert hub.booking(hub.bookings["erin"]).status == "ended"
    # her query broker went with her server (and alice's is still there)
    from tests.session.conftest import broker_pids

    socks = str(socket_root_for(hub.settings))
    assert broker_pids(f"{socks}/broker/erin/") == []
    assert len(broker_pids(f"{socks}/broker/alice/")) == 1
    # and she cannot come back in
    again = hub.user("erin")
    r = again.login()
    assert r.status_code == 403 and "no booked slot" in login_page_error(r)
