"""Overnight runs (S5): registration rules, and a registered notebook really running in the
sandbox with no network and no data, its queries run by its own broker and logged through the
warden with a job token, and a job
still running at the booking's end stopped."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow as pa
import pytest

from enclave.audit.models import AuditRecord
from enclave.bookings.models import Booking
from enclave.db import session_scope, upgrade
from hub_config.lockdown import write_system_config
from hub_config.models import OvernightJob
from hub_config.overnight import OvernightRunner, RegistrationError, register
from tests.services.warden_thread import WardenThread
from hub_config.warden import Warden
from policies import load_policy

POLICY = load_policy()


def test_registration_rules(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    ok = rows.booking("ann", "C1", 60 * 30, 60 * 40, kind="overnight")   # starts in 30 h
    soon = rows.booking("ann", "C1", 60 * 2, 60 * 12, kind="overnight")  # starts in 2 h
    day = rows.booking("ann", "C1", 60 * 50, 60 * 54)                    # interactive
    with session_scope(rows.db_url) as s:
        job = register(s, ok, "analysis/fit.ipynb", "fit the survival model, aim 2", "ann",
                       POLICY, now=rows.now)
        assert job.status == "registered"
        for bid, nb, purpose, msg in [
            (soon, "fit.ipynb", "fit the survival model", "registered 1 day"),
            (day, "fit.ipynb", "fit the survival model", "not an overnight booking"),
            (ok, "fit.ipynb", "fit the survival model", "already has a registered run"),
            (ok, "../other/fit.ipynb", "fit the survival model", "without '..'"),
            (ok, "/etc/fit.ipynb", "fit the survival model", "relative"),
            (ok, "fit.py", "fit the survival model", ".ipynb"),
            (ok, "fit.ipynb", "short", "purpose"),
            (9999, "fit.ipynb", "fit the survival model", "does not exist"),
        ]:
            with pytest.raises(RegistrationError, match=msg):
                register(s, bid, nb, purpose, "ann", POLICY, now=rows.now)
        assert s.query(AuditRecord).filter_by(action="overnight.registered").count() == 1


def _notebook(path: Path, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.write_text(nbformat.writes(nb))


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox needs root")
def test_registered_job_runs_sandboxed_logged_and_is_stopped_at_booking_end():
    from tests.session.conftest import Rows, broker_pids

    root = Path(tempfile.mkdtemp(prefix="encov", dir="/tmp"))
    served = None
    try:
        db_url = f"sqlite:///{root / 'state.db'}"
        upgrade(db_url)
        cfg = {"projects_dir": str(root / "projects"), "socket_root": str(root / "sock"),
               "sandbox_root": str(root / "sandbox"),
               "session_jupyter": str(write_system_config(root / "jupyter"))}
        for d in ("sock/hub", "sock/sessions", "sandbox", "projects/C1/data",
                  "projects/C1/workspace"):
            (root / d).mkdir(parents=True, exist_ok=True)
        from datasets.parquet_crypto import write_case_table   # encrypted at rest (O3)

        write_case_table(pa.table({"pid": ["a", "b", "c"]}), root / "projects/C1/data/patients.parquet", "C1")
        ws = root / "projects/C1/workspace"
        _notebook(ws / "fit.ipynb", [
            "import socket, os\ntry:\n    socket.create_connection(('1.1.1.1', 80), timeout=3)\n"
            "    print('NET OPEN')\nexcept OSError as e:\n    print('no network:', e)\n"
            "open('/workspace/ran.txt', 'w').write(str(os.getuid()))\n"
            "print('DATA', os.path.exists('/case/data'))\n"
            f"try:\n    open('{root}/sock/sessions/ann/fill', 'wb').write(b'x' * 4096)\n"
            "    print('SOCKET DIR WRITABLE')\nexcept OSError as e:\n    print('socket dir refused', e.errno)",
            "from enclave.session import connect\ncon = connect('overnight survival model, aim 2')\n"
            "print('N', con.sql('select count(*) from patients').fetchall()[0][0])",
        ])
        _notebook(ws / "long.ipynb", ["import time\ntime.sleep(600)"])
        rows = Rows(db_url)
        rows.user("ann")
        rows.user("bob")
        rows.case("C1", ["ann", "bob"])
        b1 = rows.booking("ann", "C1", -1, 600, kind="overnight")
        b2 = rows.booking("bob", "C1", -1, 600, kind="overnight")
        past = rows.now - dt.timedelta(days=3)
        with session_scope(db_url) as s:
            register(s, b1, "fit.ipynb", "overnight survival model, aim 2", "ann", POLICY, now=past)
            register(s, b2, "long.ipynb", "a long overnight simulation", "bob", POLICY, now=past)
        runner = OvernightRunner(db_url, POLICY, cfg)
        # the warden's log endpoint on its unix socket (job tokens need no hub)
        warden = Warden(db_url, POLICY, "http://127.0.0.1:9/hub/api", "unused", runner)
        (root / "sock/warden").mkdir(parents=True, exist_ok=True)
        served = WardenThread(warden, str(root / "sock/warden/warden.sock"))

        runner.sweep()
        assert set(runner.running) and len(runner.running) == 2
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            runner.sweep()
            with session_scope(db_url) as s:
                if s.query(OvernightJob).filter_by(notebook="fit.ipynb").one().status != "running":
                    break
            time.sleep(1)
        with session_scope(db_url) as s:
            fit = s.query(OvernightJob).filter_by(notebook="fit.ipynb").one()
            assert fit.status == "done", (ws / "fit.overnight-1.log").read_text()[-3000:]
            q = s.query(AuditRecord).filter_by(action="session.query", actor="ann").one()
            assert q.reason == "overnight survival model, aim 2" and q.case_code == "C1"
        out = nbformat.read(ws / fit.output, as_version=4)
        text = "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))
        assert "no network" in text and "NET OPEN" not in text and "N 3" in text
        assert "DATA False" in text  # the job, too, reaches the data only through its broker
        # S1: its socket directory (on the host's disk) is not a place to write to
        assert "socket dir refused" in text and "SOCKET DIR WRITABLE" not in text
        assert not (root / "sock/sessions/ann/fill").exists()
        assert int((ws / "ran.txt").read_text()) >= POLICY.sessions.sandbox_uid_base
        # bob's job outlives its booking: the sweep after the end stops it
        with session_scope(db_url) as s:
            end = s.get(Booking, b2).ends_at
        runner.sweep(now=end + dt.timedelta(seconds=1))
        with session_scope(db_url) as s:
            assert s.query(OvernightJob).filter_by(notebook="long.ipynb").one().status == "killed"
        assert not runner.running and not runner.tokens
        assert broker_pids(str(root)) == []  # both jobs' brokers were stopped with them
    finally:
        if served is not None:
            served.close()
        from hub_config import workspace_disk

        workspace_disk.release_all(root / "projects")  # the runner mounted the case's image
        shutil.rmtree(root, ignore_errors=True)
