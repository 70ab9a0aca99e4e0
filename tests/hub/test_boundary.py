"""Issue 12 from inside real kernels: the session boundary behind the real hub and proxy (S1, S7).

One hub, two members of case C1 (ann, bob) with a server each, and the egress service's
session socket.  Every attack is run as code in a kernel over the proxy's websocket; each
group of attacks is one kernel run returning JSON (``tests/session/boundary_probe.py`` plus
the checks below), so the module spawns two servers in all.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from enclave.db import utcnow
from hub_config.launch import egress_socket_path, egress_url_for
from tests.services.hub import HubHarness

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox spawner needs root"),
              pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 probe")]

FULL_PROBE = (Path(__file__).resolve().parents[1] / "session" / "boundary_probe.py").read_text()
MARK = "ISSUE12-MARK-7f3a"
# Modules a member plants in the shared workspace, each leaving a file when imported.
PLANTED = {
    "pandas.py": "pandas", "duckdb.py": "duckdb", "sitecustomize.py": "sitecustomize",
    "usercustomize.py": "usercustomize", "ipykernel_launcher.py": "ipykernel_launcher",
    "enclave/__init__.py": "enclave", "jupyterhub/__init__.py": "jupyterhub",
}


def _plant_code() -> str:
    lines = ["import os, py_compile, pathlib"]
    for rel, mod in PLANTED.items():
        body = (f"import os; open('/workspace/PWNED-{mod}-' + str(os.getuid()), 'w').close()\\n"
                f"raise ImportError('planted {mod}')\\n")
        lines.append(f"pathlib.Path('/workspace/{rel}').parent.mkdir(parents=True, exist_ok=True)")
        lines.append(f"open('/workspace/{rel}', 'w').write({body!r})")
    # a .pth file (executes 'import' lines where site processes it) and a stale bytecode copy
    lines.append("open('/workspace/zz-planted.pth', 'w').write("
                 "\"import os; open('/workspace/PWNED-pth-' + str(os.getuid()), 'w').close()\\n\")")
    lines.append("py_compile.compile('/workspace/pandas.py', cfile='/workspace/__pycache__/"
                 "pandas.cpython-311.pyc')")
    lines.append("print('PLANTED', sorted(os.listdir('/workspace')))")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    h.opts.egress_url = egress_url_for(h.settings)
    now = utcnow()
    for name in ("ann", "bob"):
        h.add_user(name)
    h.add_case("C1", ["ann", "bob"])
    h.add_case("C2", ["bob"], tables={"other": [{"pid": "zz"}]})
    for name in ("ann", "bob"):
        h.add_booking(name, "C1", now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))
    egress = None
    try:
        h.start()
        hub_api = egress_hub_api(h)
        env = {**os.environ, "ENCLAVE_HOME": str(h.home), "ENCLAVE_DB_URL": h.db_url}
        env = {k: v for k, v in env.items() if not k.startswith("EGRESS_")}
        egress = subprocess.Popen(
            [sys.executable, "-m", "egress_review.serve", "--uds",
             str(egress_socket_path(h.settings)), "--hub-api-url", hub_api],
            env=env, stdout=open(h.home / "egress.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        h.people = {}
        for name in ("ann", "bob"):
            u = h.user(name)
            assert u.login().status_code == 302
            u.make_token()
            h.people[name] = u
        h.people["ann"].spawn()
        yield h
    except BaseException:
        print(h.log_text()[-6000:])
        raise
    finally:
        if egress is not None:
            os.killpg(egress.pid, signal.SIGTERM)
            egress.wait(20)
        h.stop()


def egress_hub_api(h: HubHarness) -> str:
    from hub_config.launch import socket_root_for
    from hub_config.spawner import unix_url

    return unix_url(str(socket_root_for(h.settings) / "hub" / "hub.sock"), "/hub/api")


def notebook_kernel(u, path: str) -> str:
    """A kernel for a notebook in the workspace: its working directory is the shared folder."""
    r = u.server("POST", "/api/sessions", json={"path": path, "name": path, "type": "notebook",
                                                "kernel": {"name": "python3"}})
    r.raise_for_status()
    return r.json()["kernel"]["id"]


def run_json(u, code: str, kernel_id: str | None = None) -> dict:
    """Run code that sets RESULT; the kernel writes it as JSON into the workspace, where the
    test (root, outside) reads it - the kernel's printed output is capped by the browser
    guard, a file in the workspace is not."""
    name = f".result-{time.monotonic_ns()}.json"
    out = u.execute(code + f"\nimport json as _j\nopen('/workspace/{name}', 'w')"
                    f".write(_j.dumps(RESULT))\nprint('DONE')\n", kernel_id=kernel_id,
                    timeout=120)
    path = u.hub.settings.projects_dir / "C1" / "workspace" / name
    assert path.exists(), out[-3000:]
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def ann_probe(hub):
    ann = hub.people["ann"]
    socks = egress_socket_path(hub.settings).parent.parent
    cfg = {"host_files": {"hub_log": str(hub.log), "state_db": str(hub.home / "state.db"),
                          "hub_json": str(hub.settings.run_dir / "hub" / "hub.json"),
                          "bob_socket_dir": str(socks / "sessions" / "bob"),
                          "bob_log": str(hub.settings.run_dir / "sandbox" / "logs" / "bob.log"),
                          "other_case": str(hub.settings.projects_dir / "C2" / "data" / "SECRET.txt"),
                          "own_case": str(hub.settings.projects_dir / "C1" / "data" / "SECRET.txt"),
                          "shadow": "/etc/shadow", "master_key": str(hub.settings.keys_dir)},
           "write_targets": {"hub_log": str(hub.log), "usr": "/usr/evil",
                             "case_data": str(hub.settings.projects_dir / "C1" / "data" / "x")}}
    # Run by the kernel as a fresh, single-threaded Python (same uid, filter, namespaces as
    # the kernel): forking a threaded kernel for each attempt can deadlock.
    probe = hub.settings.projects_dir / "C1" / "workspace" / ".boundary_probe.py"
    probe.write_text(FULL_PROBE)  # placed by the test (root); a small cell runs it
    os.chmod(probe, 0o644)
    code = (f"import json, subprocess, sys\n"
            f"p = subprocess.run([sys.executable, '/workspace/.boundary_probe.py', "
            f"{json.dumps(cfg)!r}], "
            f"capture_output=True, text=True, timeout=90)\n"
            f"RESULT = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else "
            f"{{'probe_failed': p.stderr[-2000:]}}\n")
    return run_json(ann, code, notebook_kernel(ann, "probe.ipynb"))


def test_kernel_has_no_privilege_and_no_way_to_get_one(ann_probe):
    p = ann_probe
    assert p["uid"] != 0 and p["groups"] == []
    assert all(int(p["status"][c], 16) == 0 for c in ("CapEff", "CapPrm", "CapBnd", "CapAmb"))
    assert p["status"]["NoNewPrivs"] == "1" and p["status"]["Seccomp"] == "2"
    for attempt in ("unshare_user", "unshare_net", "unshare_mount", "clone_user", "clone_net",
                    "cmd_unshare_U", "cmd_unshare_Urn", "mount_tmpfs", "setns_net",
                    "io_uring_setup", "keyctl_join", "ptrace_traceme", "bpf", "perf_event_open",
                    "userfaultfd", "init_module", "personality_no_aslr", "open_by_handle_at",
                    "socket_packet", "socket_nf_tables", "setuid0", "cmd_setuid_mount", "mknod_block"):
        assert p[attempt] != "ok", attempt
    assert p["clone3"] == "ENOSYS"


def test_kernel_reaches_no_host_file_network_or_device(ann_probe):
    p = ann_probe
    for label in ("hub_log", "state_db", "hub_json", "bob_socket_dir", "bob_log", "other_case",
                  "own_case", "shadow", "master_key"):
        assert p[f"read_{label}"] != "ok", label
    for label in ("hub_log", "usr", "case_data"):
        assert p[f"write_{label}"] != "ok", label
    assert p["public_net"] != "ok" and p["dns"] != "ok" and p["ifaces"] == ["lo"]
    assert not [d for d, k in p["devices"].items() if k.startswith("block")]
    assert p["sys_present"] is False


@pytest.mark.parametrize("place", ["tmp", "var_tmp", "dev_shm", "workspace", "home"])
def test_kernel_runs_no_program_written_where_it_can_write(ann_probe, place):
    """S1 in a real kernel: a binary or script written into scratch, /dev/shm or the shared
    workspace does not run (hub_config.exec_guard), directly, by link or by descriptor; system
    programs, links to them and an interpreter reading a script do."""
    p = ann_probe
    assert f"exec_setup_{place}" not in p, p.get(f"exec_setup_{place}")
    for how in ("binary", "script", "link", "fd"):
        assert p[f"exec_{how}_{place}"] != "ok", (how, p[f"exec_{how}_{place}"])
    assert p[f"run_sys_link_{place}"] == "ok" and p[f"run_sh_script_{place}"] == "ok"
    assert p["run_usr_bin"] == "ok" and p["run_bin_sh"] == "ok"


def test_kernel_reads_only_its_namespaces_own_net_files(ann_probe):
    """S1/S7: /proc/net's machine-wide files are root-only in the session's namespace
    (hub_config.proc_mask.close_net); its own interfaces and sockets stay readable."""
    p = ann_probe
    for name in ("softnet_stat", "sockstat", "protocols"):
        assert p[f"proc_net_{name}"] == "EACCES", (name, p[f"proc_net_{name}"])
    assert p["proc_net_dev"] == "ok" and p["proc_net_tcp"] == "ok"


def test_kernel_does_not_hold_the_hubs_output(hub, ann_probe):
    """The kernel's stdout/stderr are its session's log, write-only; never the hub's log."""
    p = ann_probe
    hub_log = str(hub.log)
    assert not [t for t in p["fd_targets"].values() if t == hub_log]
    ann = hub.people["ann"]
    out = ann.execute(
        "import os, subprocess\n"
        f"os.write(1, b'{MARK}-fd1\\n'); os.write(2, b'{MARK}-fd2\\n')\n"
        f"subprocess.run(['sh', '-c', 'echo {MARK}-child >&2'])\n"
        "for fd in (1, 2):\n"
        "    target = os.readlink(f'/proc/self/fd/{fd}')\n"
        "    others = [os.readlink(f'/proc/self/fd/{o}') for o in os.listdir('/proc/self/fd')\n"
        "              if o not in (str(fd), '1', '2') and os.path.exists(f'/proc/self/fd/{o}')]\n"
        "    if target.startswith('pipe:') and target in others:\n"
        "        print('own pipe', fd)  # ipykernel's capture of its own output, read in-process\n"
        "        continue\n"
        "    try:\n"
        "        os.read(os.open(f'/proc/self/fd/{fd}', os.O_RDONLY | os.O_NONBLOCK), 1)\n"
        "        print('READ BACK', fd, target)\n"
        "    except OSError as e:\n"
        "        print('refused', fd, e.errno)\n"
        "print('ENV', sorted(k for k in os.environ if 'SECRET' in k or 'CONFIGPROXY' in k "
        "or k in ('ENCLAVE_DB_URL', 'ENCLAVE_HUB_CONFIG', 'ENCLAVE_HOME')))\n")
    # either refused, or the kernel's own capture pipe (ipykernel reads its fds 1/2 itself;
    # reading it back is reading one's own output, not the hub's)
    assert "READ BACK" not in out and out.count("refused") + out.count("own pipe") == 2, out
    assert "ENV []" in out
    # the server's own log (a 404 naming the mark) goes to the session's log file, too
    ann.server("GET", f"/api/contents/{MARK}-server")
    deadline = time.monotonic() + 20
    session_log = hub.settings.run_dir / "sandbox" / "logs" / "ann.log"
    while f"{MARK}-server" not in session_log.read_text(errors="replace"):
        assert time.monotonic() < deadline, session_log.read_text()[-2000:]
        time.sleep(0.2)
    assert MARK not in hub.log_text()
    assert session_log.stat().st_uid == 0 and (session_log.stat().st_mode & 0o077) == 0


def test_socket_of_the_server_cannot_be_replaced(hub):
    """The kernel cannot remove, rename or shadow jupyter.sock, nor rewrite its server."""
    ann = hub.people["ann"]
    sess = egress_socket_path(hub.settings).parent.parent / "sessions" / "ann"
    code = f"""
import json, os, socket, errno
d = {str(sess)!r}
out = {{}}
def t(name, fn):
    try:
        fn(); out[name] = 'ok'
    except OSError as e:
        out[name] = errno.errorcode.get(e.errno, str(e))
t('unlink', lambda: os.unlink(d + '/jupyter.sock'))
t('rename', lambda: os.rename(d + '/jupyter.sock', d + '/old.sock'))
t('create', lambda: open(d + '/x', 'w').close())
def bind_new():
    s = socket.socket(socket.AF_UNIX); s.bind(d + '/jupyter2.sock')
t('bind_new', bind_new)
t('chmod_dir', lambda: os.chmod(d, 0o777))
server = os.getppid()
t('server_mem', lambda: open(f'/proc/{{server}}/mem', 'r+b').close())
t('server_environ', lambda: open(f'/proc/{{server}}/environ', 'rb').read(1))
t('server_fd', lambda: os.listdir(f'/proc/{{server}}/fd'))
RESULT = out
"""
    out = run_json(ann, code)
    for k, v in out.items():
        assert v != "ok", (k, out)
    assert ann.server("GET", "/api/status").status_code == 200  # the real server still answers
    st = sess.stat()
    assert st.st_uid == 0 and (st.st_mode & 0o022) == 0


def test_module_planted_in_workspace_is_never_imported_by_another_member(hub):
    """ann plants modules, a .pth, sitecustomize and bytecode in the shared workspace; bob's
    server (started afterwards) and his notebook kernel in that folder import none of them."""
    ann, bob = hub.people["ann"], hub.people["bob"]
    out = ann.execute(_plant_code())
    assert "PLANTED" in out, out
    bob.spawn()
    kid = notebook_kernel(bob, "analysis.ipynb")
    res = run_json(bob, """
import json, os, sys
import pandas, duckdb, enclave, jupyterhub
RESULT = ({"cwd": os.getcwd(), "path": sys.path,
                  "pandas": pandas.__file__, "enclave": list(enclave.__path__),
                  "pwned": sorted(f for f in os.listdir('/workspace') if f.startswith('PWNED'))})
""", kid)
    assert res["cwd"] == "/workspace"  # the attack's precondition: cwd is the shared folder
    assert "" not in res["path"] and "/workspace" not in res["path"]
    assert "/workspace" not in res["pandas"]
    assert not any(p.startswith("/workspace") for p in res["enclave"])
    assert res["pwned"] == []


def test_egress_socket_serves_the_session_not_the_review_app(hub):
    """From a kernel, the egress socket answers the session's own requests; log-in, reviewer
    pages and the reviewer API are not there."""
    ann = hub.people["ann"]
    sock = str(egress_socket_path(hub.settings))
    code = f"""
import json, os, httpx
t = httpx.HTTPTransport(uds={sock!r})
h = {{'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}}
out = {{}}
with httpx.Client(transport=t, base_url='http://egress') as c:
    for m, p in [('GET', '/api/requests'), ('GET', '/login'), ('POST', '/login'),
                 ('GET', '/'), ('GET', '/requests'), ('GET', '/api/requests/1/files/1'),
                 ('POST', '/api/requests/1/reviews'), ('GET', '/api/imports'),
                 ('GET', '/docs')]:
        out[m + ' ' + p] = c.request(m, p, headers=h).status_code
    out['no token'] = c.get('/api/requests').status_code
RESULT = out
"""
    out = run_json(ann, code)
    assert out.pop("GET /api/requests") == 200
    assert out.pop("no token") == 401
    assert all(code in (404, 405) for code in out.values()), out

