"""Rows for gate and identity tests, written directly (the control plane is another area)."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.accounts.models import User, UserRole
from enclave.bookings.models import Booking
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from tests.services.accredit import accredit


class Rows:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.now = utcnow()
        self.seat = 0

    def user(self, name, roles=("researcher",), status="active", password_hash=None,
             changed=None, source="local", accredited=True) -> int:
        with session_scope(self.db_url) as s:
            u = User(username=name, status=status, password_hash=password_hash, source=source,
                     password_changed_at=changed or self.now - dt.timedelta(days=1))
            u.roles = [UserRole(role=r) for r in roles]
            s.add(u)
            s.flush()
            if accredited:
                accredit(s, u)
            return u.id

    def case(self, code, members=(), status="active", paid=True, start_days=-30, end_days=300,
             removed=()) -> int:
        with session_scope(self.db_url) as s:
            c = Case(code=code, status=status,
                     period_start=self.now + dt.timedelta(days=start_days),
                     period_end=self.now + dt.timedelta(days=end_days),
                     paid_at=self.now - dt.timedelta(days=40) if paid else None)
            s.add(c)
            s.flush()
            for m in members:
                uid = s.query(User).filter_by(username=m).one().id
                s.add(CaseMember(case_id=c.id, user_id=uid,
                                 removed_at=self.now if m in removed else None))
            return c.id

    def booking(self, user, case, start_min, end_min, kind="interactive", status="booked",
                created_hours_before=48) -> int:
        self.seat += 1
        start = self.now + dt.timedelta(minutes=start_min)
        with session_scope(self.db_url) as s:
            b = Booking(case_id=s.query(Case).filter_by(code=case).one().id,
                        user_id=s.query(User).filter_by(username=user).one().id,
                        slot_name="morning", starts_at=start,
                        ends_at=self.now + dt.timedelta(minutes=end_min), seat_no=self.seat,
                        kind=kind, status=status,
                        created_at=start - dt.timedelta(hours=created_hours_before))
            s.add(b)
            s.flush()
            return b.id


@pytest.fixture
def rows(db_url):
    return Rows(db_url)


def broker_pids(marker: str) -> list[int]:
    """Running broker processes (seen from the host, as root) whose socket path contains
    ``marker`` - to check that stopping a session or job leaves no broker behind."""
    import os

    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        # the broker itself, not the bwrap and setpriv that start it inside its sandbox
        if b"hub_config.broker" in cmd and b"hub_config.sandbox" not in cmd and \
                os.path.basename(cmd[0]).startswith(b"python") and any(
                e.startswith(b"ENCLAVE_BROKER_SOCKET=") and marker.encode() in e for e in env):
            out.append(int(pid))
    return out


@pytest.fixture(scope="module")
def world():
    """A throw-away host world for launcher tests (``test_sandbox.World``: its own root, case
    folders, Jupyter config, and a uid per sandbox name); workspace images released after."""
    import subprocess

    from hub_config import workspace_disk
    from tests.session.test_sandbox import World

    w = World()
    yield w
    workspace_disk.release_all(w.projects)
    subprocess.run(["rm", "-rf", str(w.root)])
