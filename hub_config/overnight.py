"""Overnight runs (S5): a notebook registered in advance runs, unattended, in the same sandbox
as an interactive session, during an overnight booking - with no interactive access at all.

There is no Jupyter server and no proxy route: the warden starts
``hub_config.sandbox … -- jupyter nbconvert --execute`` itself and stops it when the booking
ends.  The executed notebook and its log are written next to the original in the case
workspace *by the job itself*, inside the sandbox, as the researcher's uid: the warden (root)
never opens, creates or changes the owner of a path in the workspace, where any member of the
case could have planted a link to a file of the host.
Queries the job makes through ``enclave.session.connect`` are logged like interactive ones,
authenticated by a one-time job token only the warden knows.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append
from enclave.bookings import gate
from enclave.bookings.models import Booking
from enclave.cases.models import Case
from enclave.db import session_scope, utcnow
from hub_config import sandbox_rc
from hub_config.models import OvernightJob
from hub_config.broker_launch import broker_settings, start_broker, stop_broker, wait_for_broker_sync
from hub_config.sandbox_binds import python_prefix, unix_url
from hub_config.spawner import SESSION_JUPYTER_CONFIG, WORKSPACE, build_spec


class RegistrationError(ValueError):
    pass


def register(session: Session, booking_id: int, notebook: str, purpose: str, by: str,
             policy, now: dt.datetime | None = None) -> OvernightJob:
    """Register the notebook an overnight booking will run (S5: in advance, A3: with purpose)."""
    now = now or utcnow()
    b = session.get(Booking, booking_id)
    if b is None:
        raise RegistrationError(f"booking {booking_id} does not exist")
    if b.kind != "overnight":
        raise RegistrationError(f"booking {booking_id} is {b.kind!r}, not an overnight booking")
    if b.status != "booked":
        raise RegistrationError(f"booking {booking_id} is {b.status}")
    lead = dt.timedelta(hours=policy.sessions.overnight_registration_lead_hours)
    if now > b.starts_at - lead:
        raise RegistrationError(f"overnight runs must be registered {lead} before they start "
                                f"(booking {booking_id} starts {b.starts_at:%Y-%m-%d %H:%M} UTC)")
    p = PurePosixPath(notebook)
    if p.is_absolute() or ".." in p.parts or p.suffix != ".ipynb" or not p.parts:
        raise RegistrationError(f"notebook {notebook!r}: give a .ipynb path inside the case "
                                f"workspace, relative, without '..'")
    if len(purpose.strip()) < policy.sessions.purpose_min_length:
        raise RegistrationError(f"purpose must be at least {policy.sessions.purpose_min_length} "
                                f"characters (A3)")
    if session.execute(select(OvernightJob).where(OvernightJob.booking_id == b.id)).first():
        raise RegistrationError(f"booking {booking_id} already has a registered run")
    job = OvernightJob(booking_id=b.id, notebook=str(p), purpose=purpose.strip(),
                       registered_by=by, registered_at=now)
    session.add(job)
    session.flush()
    case = session.get(Case, b.case_id)
    append(session, AuditEntry("hub", by, "overnight.registered", case_code=case.code,
                               subject=str(p), reason=purpose.strip(),
                               detail={"booking": b.id, "job": job.id}))
    return job


@dataclass
class Running:
    job_id: int
    booking_id: int
    username: str
    case_code: str
    ends_at: dt.datetime
    proc: subprocess.Popen
    broker: subprocess.Popen


class OvernightRunner:
    """Started by the warden; ``sweep(now)`` starts due jobs, reaps and stops them."""

    def __init__(self, db_url: str, policy, hub_cfg: dict) -> None:
        self.db_url, self.policy, self.cfg = db_url, policy, hub_cfg
        self.running: dict[int, Running] = {}
        self.tokens: dict[str, tuple[str, int]] = {}  # job token -> (username, booking id)

    @property
    def lead(self) -> dt.timedelta:
        return dt.timedelta(hours=self.policy.sessions.overnight_registration_lead_hours)

    def _finish(self, s: Session, r: Running, status: str, code: int | None, now) -> None:
        job = s.get(OvernightJob, r.job_id)
        job.status, job.exit_code, job.finished_at = status, code, now
        append(s, AuditEntry("warden", "warden", f"overnight.{status}", case_code=r.case_code,
                             subject=r.username, detail={"job": r.job_id, "exit_code": code}))
        self.tokens = {t: v for t, v in self.tokens.items() if v[1] != r.booking_id}
        self.running.pop(r.job_id, None)
        stop_broker(r.broker)

    def sweep(self, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        with session_scope(self.db_url) as s:
            for r in list(self.running.values()):
                code = r.proc.poll()
                if code is not None:
                    self._finish(s, r, "done" if code == 0 else "failed", code, now)
                elif now >= r.ends_at:
                    r.proc.send_signal(signal.SIGTERM)  # the launcher forwards it into the sandbox
                    try:
                        code = r.proc.wait(15)
                    except subprocess.TimeoutExpired:
                        r.proc.kill()
                        code = r.proc.wait()
                    self._finish(s, r, "killed", code, now)
            jobs = s.execute(select(OvernightJob, Booking, User, Case)
                             .join(Booking, Booking.id == OvernightJob.booking_id)
                             .join(User, User.id == Booking.user_id)
                             .join(Case, Case.id == Booking.case_id)
                             .where(OvernightJob.status == "registered")).all()
            for job, b, user, case in jobs:
                if now >= b.ends_at:
                    job.status = "expired"
                    append(s, AuditEntry("warden", "warden", "overnight.expired",
                                         case_code=case.code, subject=user.username,
                                         detail={"job": job.id}))
                    continue
                current = gate.overnight_booking(s, user.username, now, self.lead)
                if current is None or current.id != b.id:
                    continue
                self._start(s, job, b, user, case, now)

    def _start(self, s: Session, job: OvernightJob, b: Booking, user: User, case: Case,
               now: dt.datetime) -> None:
        sess = self.policy.sessions
        uid, gid = sess.sandbox_uid_base + user.id, sess.sandbox_gid_base + case.id
        token = secrets.token_urlsafe(32)
        bname = f"{user.username}-job{job.id}"
        socket_root = Path(self.cfg["socket_root"])
        # The job, like a session, reaches the data only through its own broker (A3).
        broker, bsock = start_broker(
            name=bname, case_id=case.id, case_code=case.code, authorization=f"job {token}",
            projects_dir=Path(self.cfg["projects_dir"]), socket_root=socket_root,
            sandbox_root=Path(self.cfg["sandbox_root"]), broker=broker_settings(self.policy),
            max_processes=sess.sandbox_max_processes,
            require_limits=sess.sandbox_require_cgroups)
        try:
            wait_for_broker_sync(broker, bsock)
        except Exception:
            stop_broker(broker)
            raise
        spec = build_spec(name=user.username, uid=uid, gid=gid, case_code=case.code,
                          projects_dir=Path(self.cfg["projects_dir"]),
                          socket_root=socket_root,
                          sandbox_root=Path(self.cfg["sandbox_root"]),
                          system_config_dir=self.cfg["session_jupyter"],
                          limits={"memory_mb": sess.sandbox_memory_mb,
                                  "cpu_percent": sess.sandbox_cpu_percent,
                                  "max_processes": sess.sandbox_max_processes,
                                  "workspace_mb": sess.workspace_quota_mb,
                                  "scratch_mb": sess.scratch_tmpfs_mb,
                                  "log_mb": sess.sandbox_log_max_mb},
                          broker_name=bname, require_limits=sess.sandbox_require_cgroups,
                          log_name=bname)
        # A job serves nothing, so its socket directory (bound read-write, on the host's file
        # system) is given to root before it starts: an interactive session's is sealed once its
        # server has bound there (spawner.seal_socket_dir); a job's was left writable.
        sess_dir = socket_root / "sessions" / user.username
        os.chown(sess_dir, 0, 0)
        os.chmod(sess_dir, 0o755)
        spec_path = Path(self.cfg["sandbox_root"]) / f"{user.username}-job{job.id}.json"
        spec_path.write_text(json.dumps(spec))
        nb = PurePosixPath(job.notebook)
        out_name = f"{nb.stem}.overnight-{job.id}.ipynb"
        log_inside = PurePosixPath(WORKSPACE) / nb.parent / f"{nb.stem}.overnight-{job.id}.log"
        env = {"HOME": f"/home/{user.username}", "USER": user.username,
               "PATH": f"{python_prefix()}/bin:/usr/local/bin:/usr/bin:/bin",
               "JUPYTER_CONFIG_PATH": SESSION_JUPYTER_CONFIG, "PYTHONNOUSERSITE": "1",
               "PYTHONSAFEPATH": "1",
               # read-only, like a session's: its sitecustomize sets a planted matplotlibrc aside
               # in every Python process of the job, not only the notebook's kernel
               "PYTHONPATH": sandbox_rc.SITE_DIR,
               "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime", "MPLCONFIGDIR": "/tmp/mpl",
               "ENCLAVE_CASE": case.code,
               "ENCLAVE_WORKSPACE": "/workspace", "ENCLAVE_JOB_TOKEN": token,
               "ENCLAVE_BROKER_URL": unix_url(str(bsock)),
               "ENCLAVE_PURPOSE_MIN_LENGTH": str(sess.purpose_min_length),
               "LANG": os.environ.get("LANG", "C.UTF-8")}
        # The shell runs inside the sandbox as the researcher: it opens the log there.
        cmd = [sys.executable, "-m", "hub_config.sandbox", str(spec_path), "--",
               "/bin/sh", "-c", 'exec "$@" >"$0" 2>&1', str(log_inside),
               sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
               "--ExecutePreprocessor.timeout=-1", "--output", out_name,
               str(PurePosixPath(WORKSPACE) / nb)]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        self.tokens[token] = (user.username, b.id)
        self.running[job.id] = Running(job.id, b.id, user.username, case.code, b.ends_at, proc,
                                       broker)
        job.status, job.started_at = "running", now
        job.output = str(nb.parent / out_name)
        append(s, AuditEntry("warden", "warden", "overnight.started", case_code=case.code,
                             subject=user.username, reason=job.purpose,
                             detail={"job": job.id, "booking": b.id, "notebook": job.notebook}))

    def stop_all(self) -> None:
        for r in list(self.running.values()):
            if r.proc.poll() is None:
                r.proc.send_signal(signal.SIGTERM)
                try:
                    r.proc.wait(15)
                except subprocess.TimeoutExpired:
                    r.proc.kill()
            stop_broker(r.broker)
