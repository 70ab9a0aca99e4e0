"""Host-side code never reads or writes through what a session planted (S1, S7, D4).

A real sandboxed process of case c1 plants in its workspace what a member can: symbolic links
named ``*.json`` to a key file, to ``/proc/<pid>/environ`` of a host process and to the
reader's own ``/proc/self/environ``, a link to a host directory, a FIFO, a hard link to a
root-owned file, names that are not UTF-8 or hold a newline and ``\\r``, a 255-byte name, a
tree 70 directories deep - and, in a loop while the host works, swaps a plain ``swap.json`` for
a link to the key and back.  Meanwhile root makes backups (``enclave.backup``, which walks the
projects area holding every workspace).  Then a second sandbox replaces backed-up files by a
link into a host directory, a dangling link and a FIFO, and a directory by a link, and root
restores.  Before ``enclave.backup.data_files`` the link ``key.json`` was copied into the
backup's unsealed manifests (and a restore put it back into the workspace as a plain file);
the restore wrote through the links into the host directory.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root")

PASS = "correct horse battery staple"
MARK = b"HOSTSECRET"

PLANT = r"""
import errno, json, os, sys, time
cfg = json.loads(sys.argv[1])
W = "/workspace"
out = {}
def tr(key, fn):
    try:
        fn()
        out[key] = "ok"
    except OSError as e:
        out[key] = errno.errorcode.get(e.errno, str(e.errno))
tr("link_key", lambda: os.symlink(cfg["key"], W + "/key.json"))
tr("link_environ", lambda: os.symlink("/proc/%d/environ" % cfg["pid"], W + "/environ.json"))
tr("link_self_environ", lambda: os.symlink("/proc/self/environ", W + "/self.json"))
tr("link_dir", lambda: os.symlink(cfg["hostdir"], W + "/hostdir"))
tr("fifo", lambda: os.mkfifo(W + "/fifo.json"))
tr("hard_root", lambda: os.link(W + "/root-owned.json", W + "/hard.json"))
os.makedirs(W + "/d", exist_ok=True)
for name in ("d/plain.json", "top.json", "fifo2.json"):
    with open(W + "/" + name, "w") as f:
        f.write('{"plain": true}')
with open(os.fsencode(W) + b"/\xff\xfe.json", "wb") as f:
    f.write(b"{}")
fd = os.open(W + "/ann-private.json", os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd, b'{"mine": 1}')
os.close(fd)
os.mkdir(os.fsencode(W) + b"/\xfe")
with open(os.fsencode(W) + b"/\xfe/in.json", "wb") as f:
    f.write(b"{}")
with open(W + "/line\nbreak\r.json", "w") as f:
    f.write("{}")
with open(W + "/" + "n" * 250 + ".json", "w") as f:
    f.write("{}")
with open(W + "/sparse.json", "w") as f:   # 64 GiB that take no room: never read
    tr("sparse", lambda: f.truncate(1 << 36))
deep = W + "/deep" + "/d" * 70
os.makedirs(deep)
with open(deep + "/x.json", "w") as f:
    f.write("{}")
open(W + "/plant.ready", "w").close()
swaps = 0
while not os.path.exists(W + "/plant.stop"):   # a plain file, then a link to the key, again
    with open(W + "/swap.tmp", "w") as f:
        f.write('{"plain": true}')
    os.replace(W + "/swap.tmp", W + "/swap.json")
    os.symlink(cfg["key"], W + "/swap.lnk")
    os.replace(W + "/swap.lnk", W + "/swap.json")
    swaps += 1
os.unlink(W + "/swap.json")
print("RESULT " + json.dumps({**out, "swaps": swaps}))
"""

REPLANT = r"""
import errno, json, os, shutil, sys
cfg = json.loads(sys.argv[1])
W = "/workspace"
out = {}
shutil.rmtree(W + "/d")
os.symlink(cfg["hostdir"], W + "/d")                               # a directory link
os.unlink(W + "/top.json")
os.symlink(cfg["hostdir"] + "/victim.json", W + "/top.json")       # dangling: root would create it
os.unlink(W + "/fifo2.json")
os.mkfifo(W + "/fifo2.json")                                       # a restore comparing would block
print("RESULT " + json.dumps({"done": True}))
"""


def _result(log: str) -> dict:
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])


def _in_thread(fn, timeout: float):
    """``fn()`` with a deadline: a FIFO opened for reading would block the host forever."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the test
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"{fn} still blocked after {timeout} s (a FIFO or endless file read)"
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.session.test_sandbox import World

    w = World()
    yield w
    subprocess.run(["rm", "-rf", str(w.root)])


@pytest.fixture(scope="module")
def host(world, tmp_path_factory):
    """The enclave's home (keys, state DB) on the host, its projects area the world's."""
    from enclave.db import upgrade
    from tests.audit import attacks as A

    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    url = f"sqlite:///{home / 'state.db'}"
    mp.setenv("ENCLAVE_HOME", str(home))
    mp.setenv("ENCLAVE_DB_URL", url)
    mp.setenv("ENCLAVE_PROJECTS", str(world.projects))
    for var in ("ENCLAVE_RELEASES_URL", "ENCLAVE_KEYS", "ENCLAVE_WAREHOUSE"):
        mp.delenv(var, raising=False)
    upgrade(url)
    A.fill(url, 3)
    keys = home / "keys"
    keys.mkdir(exist_ok=True)
    (keys / "extra.json").write_bytes(b'{"k": "' + MARK + b'-key"}')
    os.chmod(keys / "extra.json", 0o600)
    hostdir = world.root / "hostdir"   # root's; the sandbox does not see it, root would
    hostdir.mkdir()
    (hostdir / "note.json").write_bytes(b'{"n": "' + MARK + b'-dir"}')
    world.spec(name="planter")   # the workspace is made as a session start makes it
    ws = world.projects / "c1" / "workspace"
    (ws / "root-owned.json").write_bytes(b'{"r": "root\'s own, backed up as itself"}')
    os.chmod(ws / "root-owned.json", 0o600)
    helper = subprocess.Popen(["sleep", "900"], env={"ENVSECRET": MARK.decode() + "-env"})
    yield {"home": home, "url": url, "keys": keys, "hostdir": hostdir, "ws": ws,
           "helper": helper, "mp": mp}
    helper.kill()
    helper.wait()
    mp.undo()


@pytest.fixture(scope="module")
def backed_up(world, host, tmp_path_factory):
    """Backups made while the planting sandbox swaps swap.json; returns (plant result,
    backup dirs)."""
    from enclave.backup import create_backup

    spec = world.spec(name="planter")
    path = world.root / "sandbox" / "planter.json"
    path.write_text(json.dumps(spec))
    cfg = {"key": str(host["keys"] / "extra.json"), "pid": host["helper"].pid,
           "hostdir": str(host["hostdir"])}
    ws = host["ws"]
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c", PLANT, json.dumps(cfg)])
    out = tmp_path_factory.mktemp("backups")
    backups = []
    try:
        deadline = time.monotonic() + 90
        while not (ws / "plant.ready").exists():
            assert proc.poll() is None and time.monotonic() < deadline, \
                Path(spec["log"]).read_text()[-3000:]
            time.sleep(0.05)
        for i in range(4):   # each one walks the workspace while the link comes and goes
            backups.append(_in_thread(lambda: create_backup(out / str(i), PASS), 120))
    finally:
        (ws / "plant.stop").touch()
        try:
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    (ws / "plant.stop").unlink()
    (ws / "plant.ready").unlink()
    return _result(Path(spec["log"]).read_text()), backups


def test_the_session_really_planted_its_links(backed_up):
    planted, _ = backed_up
    for key in ("link_key", "link_environ", "link_self_environ", "link_dir", "fifo"):
        assert planted[key] == "ok", planted
    assert planted["swaps"] > 0
    # fs.protected_hardlinks: no hard link to a file of another uid (root's here)
    assert planted["hard_root"] == "EPERM", planted


def test_no_backup_holds_a_host_file_a_link_named(backed_up):
    _, backups = backed_up
    for b in backups:
        for p in b.rglob("*"):
            if p.is_file() and not p.is_symlink():
                assert MARK not in p.read_bytes(), p


def test_links_fifos_and_odd_names_are_listed_not_read(backed_up):
    _, backups = backed_up
    inv = {i["path"]: i for i in json.loads((backups[0] / "inventory.json").read_text())
           if i["root"] == "projects"}
    for name in ("key.json", "environ.json", "self.json", "hostdir", "fifo.json"):
        assert "not_read" in inv[f"c1/workspace/{name}"], inv.get(f"c1/workspace/{name}")
    assert "not UTF-8" in inv["c1/workspace/\\xff\\xfe.json"]["not_read"]
    assert "not UTF-8" in inv["c1/workspace/\\xfe/in.json"]["not_read"]   # in such a folder
    if planted_sparse(backed_up):
        assert inv["c1/workspace/sparse.json"]["bytes"] == 1 << 36
        assert not (backups[0] / "manifests/projects/c1/workspace/sparse.json").exists()
    assert any("deeper than" in i.get("not_read", "") for p, i in inv.items()
               if p.startswith("c1/workspace/deep/"))
    kept = backups[0] / "manifests" / "projects" / "c1" / "workspace"
    assert (kept / "d" / "plain.json").read_bytes() == b'{"plain": true}'
    assert (kept / "line\nbreak\r.json").is_file()
    assert (kept / ("n" * 250 + ".json")).is_file()   # a 255-byte name is still a name


def planted_sparse(backed_up) -> bool:
    return backed_up[0]["sparse"] == "ok"


LINK_OTHER = r"""
import errno, json, os
try:
    os.link("/workspace/ann-private.json", "/workspace/bob-link.json")
    print("RESULT " + json.dumps({"link": "ok"}))
except OSError as e:
    print("RESULT " + json.dumps({"link": errno.errorcode.get(e.errno, str(e.errno))}))
"""


def test_another_member_cannot_hard_link_a_private_file(world, backed_up):
    """A second member of the case (another uid, the case's group) cannot give a member's 0600
    file a second name in the shared workspace (``fs.protected_hardlinks``); a backup would
    list such a file anyway (one link only is read)."""
    code, log, err = world.run(world.spec(name="linker"), [sys.executable, "-c", LINK_OTHER])
    assert code == 0, (log + err)[-2000:]
    assert _result(log) == {"link": "EPERM"}


def test_a_file_growing_while_read_is_cut_at_the_cap(tmp_path):
    """A member appends to a ``*.json`` without end while root reads it: the read stops one
    byte past the cap and the file is listed, never held whole in memory."""
    from enclave.backup import data_files as DF

    path = tmp_path / "grow.json"
    path.write_bytes(b"{")
    stop = threading.Event()

    def grow():
        with open(path, "ab", buffering=0) as f:
            while not stop.is_set():
                f.write(b"x" * 65536)

    t = threading.Thread(target=grow, daemon=True)
    t.start()
    try:
        while path.stat().st_size < 1 << 20:
            time.sleep(0.01)
        fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            data, _ = DF.read_plain(fd, "grow.json", 1 << 19)
        finally:
            os.close(fd)
    finally:
        stop.set()
        t.join()
    assert data is None
    entries = list(DF.walk(tmp_path, lambda rel: True, 1 << 19))
    assert [(e.rel, e.data) for e in entries] == [("grow.json", None)]


def test_a_restore_writes_through_no_link_and_opens_no_fifo(world, host, backed_up):
    from enclave.backup import restore_backup

    _, backups = backed_up
    spec = world.spec(name="planter")   # the same member, its own files
    code, log, err = world.run(spec, [sys.executable, "-c", REPLANT,
                                      json.dumps({"hostdir": str(host["hostdir"])})])
    assert code == 0, (log + err)[-2000:]
    before = sorted(p.name for p in host["hostdir"].iterdir())
    report = _in_thread(lambda: restore_backup(backups[0], PASS, replace=True), 180)
    assert sorted(p.name for p in host["hostdir"].iterdir()) == before == ["note.json"]
    refused = "\n".join(report["manifests"]["refused"])
    for name in ("d/plain.json", "top.json", "fifo2.json"):
        assert f"projects/c1/workspace/{name}" in refused, refused
    ws = host["ws"]
    assert os.path.islink(ws / "top.json") and os.path.islink(ws / "d")
    # nothing a link named came back as a plain file for the session to read
    assert not (ws / "key.json").is_file() or (ws / "key.json").is_symlink()


def test_the_purge_lists_odd_names_and_follows_no_link(world, host, backed_up):
    """The case's period ends: its directory goes (P9) with every name the sessions chose in
    the audit record - a name that is not UTF-8 made that record unwritable after the files were
    already removed - and nothing a link names is touched."""
    import datetime as dt

    from enclave.audit import verify_chain
    from enclave.audit.models import AuditRecord
    from enclave.cases.models import Case
    from enclave.db import session_scope, utcnow
    from enclave.purge.service import run_purge
    from policies import current_policy

    now = utcnow()
    with session_scope(host["url"]) as s:
        s.add(Case(code="c1", status="active", period_start=now - dt.timedelta(days=400),
                   period_end=now - dt.timedelta(days=1), paid_at=now - dt.timedelta(days=420)))
    done = run_purge(host["url"], current_policy(), now=now, projects_dir=world.projects)
    assert [d["case"] for d in done] == ["c1"]
    assert not (world.projects / "c1").exists()
    assert (host["hostdir"] / "note.json").is_file()          # behind the link 'd'
    assert (host["keys"] / "extra.json").is_file()             # behind key.json
    with session_scope(host["url"]) as s:
        rec = s.query(AuditRecord).filter_by(action="case.purged").one()
        files = rec.detail["files"]["files"]
        assert verify_chain(s) == []
    for name in ("workspace/\\xff\\xfe.json", "workspace/line\nbreak\r.json",
                 "workspace/key.json", "workspace/hostdir", "workspace/fifo.json"):
        assert name in files, sorted(files)[:20]


def test_an_overnight_job_never_makes_root_follow_its_log_or_output(tmp_path_factory):
    """A member plants the next job's log as a link to a host file root may write, and another
    job's log as a FIFO: the warden's runner (root) opens neither - the job's own shell, inside
    the sandbox as the researcher, does - so the host file is untouched and only that job
    waits, until the booking's end stops it."""
    import datetime as dt

    import nbformat
    import pyarrow as pa

    from datasets.parquet_crypto import write_case_table
    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope, upgrade
    from hub_config.lockdown import write_system_config
    from hub_config.models import OvernightJob
    from hub_config.overnight import OvernightRunner, register
    from hub_config.warden import Warden
    from policies import load_policy
    from tests.services.warden_thread import WardenThread
    from tests.session.conftest import Rows

    policy = load_policy()
    root = Path(tempfile.mkdtemp(prefix="encov", dir="/tmp"))
    runner = served = None
    try:
        db_url = f"sqlite:///{root / 'state.db'}"
        upgrade(db_url)
        cfg = {"projects_dir": str(root / "projects"), "socket_root": str(root / "sock"),
               "sandbox_root": str(root / "sandbox"),
               "session_jupyter": str(write_system_config(root / "jupyter"))}
        for d in ("sock/hub", "sock/sessions", "sandbox", "projects/C1/data",
                  "projects/C1/workspace"):
            (root / d).mkdir(parents=True, exist_ok=True)
        write_case_table(pa.table({"pid": ["a"]}), root / "projects/C1/data/patients.parquet",
                         "C1")
        victim = root / "host-victim.txt"   # stands for a host file root may write
        victim.write_text("root's\n")
        ws = root / "projects/C1/workspace"
        for name in ("a.ipynb", "b.ipynb"):
            nb = nbformat.v4.new_notebook()
            nb.cells = [nbformat.v4.new_code_cell("print('ran')")]
            (ws / name).write_text(nbformat.writes(nb))
        os.symlink(victim, ws / "a.overnight-1.log")         # planted by a member
        os.symlink(victim, ws / "a.overnight-1.ipynb")
        os.mkfifo(ws / "b.overnight-2.log")
        os.chmod(ws / "b.overnight-2.log", 0o666)   # the job may open it: then it waits there
        rows = Rows(db_url)
        rows.user("ann")
        rows.user("bob")
        rows.case("C1", ["ann", "bob"])
        b1 = rows.booking("ann", "C1", -1, 600, kind="overnight")
        b2 = rows.booking("bob", "C1", -1, 600, kind="overnight")
        past = rows.now - dt.timedelta(days=3)
        with session_scope(db_url) as s:
            register(s, b1, "a.ipynb", "overnight check of planted links", "ann", policy,
                     now=past)
            register(s, b2, "b.ipynb", "overnight check of a planted FIFO", "bob", policy,
                     now=past)
        runner = OvernightRunner(db_url, policy, cfg)
        # the warden's socket, which the job's broker reaches at its start
        warden = Warden(db_url, policy, "http://127.0.0.1:9/hub/api", "unused", runner)
        (root / "sock/warden").mkdir(parents=True, exist_ok=True)
        served = WardenThread(warden, str(root / "sock/warden/warden.sock"))
        _in_thread(runner.sweep, 120)         # starts both; a FIFO must not hold the warden
        assert len(runner.running) == 2
        deadline = time.monotonic() + 120
        while 1 in runner.running and time.monotonic() < deadline:
            _in_thread(runner.sweep, 60)
            time.sleep(0.5)
        _in_thread(lambda: runner.sweep(rows.now + dt.timedelta(hours=11)), 120)  # booking over
        assert victim.read_text() == "root's\n" and victim.stat().st_uid == 0
        assert os.path.islink(ws / "a.overnight-1.log")
        with session_scope(db_url) as s:
            status = {j.notebook: j.status for j in s.query(OvernightJob)}
            assert status == {"a.ipynb": "failed", "b.ipynb": "killed"}, status
            assert s.query(AuditRecord).filter_by(action="overnight.killed").count() == 1
    finally:
        if runner is not None:
            runner.stop_all()
        if served is not None:
            served.close()
        shutil.rmtree(root, ignore_errors=True)
