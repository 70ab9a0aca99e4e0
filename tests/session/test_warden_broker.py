"""The broker with the hub's real warden (issue 18, A3): a result leaves the broker only with its
record durable in the audit chain.  The warden (``tests.session.warden_proc``: the hub's record
server alone, in its own process) refuses when the slot is over, and when it is killed while
a record waits for the chain's lock (before its commit) the broker gets no answer, drops the
query's output and interrupts it - and the record does not exist.  On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select, text, update

from enclave.audit.log import _lock, verify_chain
from enclave.audit.models import AuditRecord
from enclave.bookings.models import Booking
from enclave.db import session_scope, utcnow
from enclave.session.query import BrokerConnection, QueryLogError
from hub_config.spawner import unix_url
from tests.session.broker_case import CASE, ENDLESS, ROOT, SECRET, cpu, extract, start_broker

PURPOSE = "testing the broker with the real warden"
LEAKS = "SELECT pid FROM claims WHERE pid LIKE 'secret%'"   # its output is the secret value


def _recorded(url: str, sql: str) -> int:
    with session_scope(url) as s:
        return len(s.execute(select(AuditRecord.seq).where(AuditRecord.subject == sql)).all())


@pytest.fixture
def live(rows, tmp_path):
    rows.user("ann")
    rows.case(CASE, ["ann"])
    booking = rows.booking("ann", CASE, -5, 600, kind="overnight")
    data = tmp_path / "data"
    data.mkdir()
    extract(data)
    sock = tmp_path / "warden.sock"
    warden = subprocess.Popen([sys.executable, "-m", "tests.session.warden_proc", rows.db_url,
                               str(sock), "ann", str(booking)], cwd=ROOT)
    for _ in range(400):
        if sock.exists() or warden.poll() is not None:
            break
        time.sleep(0.05)
    assert sock.exists(), "the warden did not start"
    broker, url = start_broker(tmp_path, data, unix_url(str(sock)), "broker", "job tok")
    yield rows.db_url, warden, broker, url, booking
    for p in (broker, warden):
        p.terminate()
        p.wait(10)


def test_results_come_with_their_records_and_a_refusal_without(live):
    db, _, _, url, booking = live
    con = BrokerConnection(PURPOSE, url, "job tok")
    sql = "SELECT g, count(*) AS n FROM claims GROUP BY g ORDER BY g"
    assert con.sql(sql).fetchall() == [(g, len(range(g, 200_000, 7))) for g in range(7)]
    assert con.sql(LEAKS).fetchall() == [(SECRET,)]
    assert _recorded(db, sql) == 1 and _recorded(db, LEAKS) == 1
    with session_scope(db) as s:   # the slot ends (as the sweep or an admin would end it)
        s.execute(update(Booking).where(Booking.id == booking)
                  .values(ends_at=utcnow() - dt.timedelta(seconds=1)))
    for q in (LEAKS, LEAKS + " AND id > 0", "SELECT CAST(pid AS INTEGER) FROM claims"):
        with pytest.raises(QueryLogError, match="403: no active session") as e:
            con.sql(q)
        assert SECRET not in str(e.value)
    assert _recorded(db, LEAKS) == 1 and _recorded(db, LEAKS + " AND id > 0") == 0
    with session_scope(db) as s:
        assert verify_chain(s) == []


@pytest.mark.parametrize("sql", [LEAKS, ENDLESS])
def test_a_warden_killed_before_the_commit_lets_nothing_out(live, sql):
    db, warden, broker, url, _ = live
    con = BrokerConnection(PURPOSE, url, "job tok")
    held, release, out = threading.Event(), threading.Event(), {}

    def hold():   # another writer holds the chain's lock: the record cannot commit
        with session_scope(db) as s:
            s.execute(text("SELECT 1"))   # SQLite: BEGIN IMMEDIATE
            _lock(s)
            held.set()
            release.wait(60)

    def ask():
        try:
            out["rows"] = con.sql(sql).fetchall()
        except Exception as e:   # noqa: BLE001 - what the session gets, whatever it is
            out["error"] = e

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    start = cpu(broker.pid)
    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(1.5)
    # on a loaded host the endless query may need longer than 1.5 s for its 0.3 s of CPU
    deadline = time.monotonic() + 15
    while sql == ENDLESS and cpu(broker.pid) - start <= 0.3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert asker.is_alive() and not out   # the result (or its error) waits for the record
    busy = cpu(broker.pid) - start
    os.kill(warden.pid, signal.SIGKILL)
    warden.wait(10)
    asker.join(30)
    release.set()
    holder.join(30)
    assert "rows" not in out and isinstance(out["error"], QueryLogError), out
    assert "unreachable" in str(out["error"]) and SECRET not in str(out["error"])
    assert _recorded(db, sql) == 0
    if sql == ENDLESS:   # it had been running while the record waited, and stopped with it
        assert busy > 0.3
        time.sleep(0.3)
        before = cpu(broker.pid)
        time.sleep(1.0)
        assert cpu(broker.pid) - before < 0.2
    with session_scope(db) as s:
        assert verify_chain(s) == []
